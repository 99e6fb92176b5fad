package sqlstore_test

import (
	"fmt"
	"net/url"
	"testing"

	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/db/dbtest"
	"github.com/sesame-idp/sesame/oauth/sqlstore"
)

// eachB runs a benchmark on SQLite and, when configured, PostgreSQL.
func eachB(b *testing.B, fn func(b *testing.B, d *db.DB)) {
	b.Run("sqlite", func(b *testing.B) { fn(b, dbtest.SQLite(b)) })
	b.Run("postgres", func(b *testing.B) { fn(b, dbtest.Postgres(b)) })
}

// BenchmarkAccessTokenCreateGet measures storing and loading one access
// token, the store's share of issuing and introspecting it.
func BenchmarkAccessTokenCreateGet(b *testing.B) {
	eachB(b, func(b *testing.B, d *db.DB) {
		st := sqlstore.New(d)
		c := &sqlstore.Client{ID: "panel", Name: "Panel", RedirectURIs: []string{"https://panel.example/cb"}}
		if err := st.CreateClient(ctx, c, testSecret); err != nil {
			b.Fatal(err)
		}
		req := newRequest(c, "req-1", "alice")
		b.ResetTimer()
		for i := range b.N {
			sig := fmt.Sprint("at-", i)
			if err := st.CreateAccessTokenSession(ctx, sig, req); err != nil {
				b.Fatal(err)
			}
			if _, err := st.GetAccessTokenSession(ctx, sig, newSession()); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkClientCredentials measures fosite's token endpoint for the
// client credentials grant on the store (SHA-256 client secrets).
func BenchmarkClientCredentials(b *testing.B) {
	eachB(b, func(b *testing.B, d *db.DB) {
		f := newFlowPKCE(b, d, true)
		form := url.Values{"grant_type": {"client_credentials"}, "scope": {"sesame:authz"}}
		b.ResetTimer()
		for range b.N {
			if _, err := f.token(form); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkCodeFlow measures one authorization (code stored) and its
// redemption with PKCE, ID token (ES256) and refresh token.
func BenchmarkCodeFlow(b *testing.B) {
	eachB(b, func(b *testing.B, d *db.DB) {
		f := newFlowPKCE(b, d, true)
		b.ResetTimer()
		for range b.N {
			if _, err := f.redeem(f.authorize("alice")); err != nil {
				b.Fatal(err)
			}
		}
	})
}
