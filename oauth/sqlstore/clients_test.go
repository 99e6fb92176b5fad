package sqlstore_test

import (
	"encoding/base64"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ory/fosite"

	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/db/dbtest"
	"github.com/sesame-idp/sesame/oauth/sqlstore"
)

func TestClientCRUD(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		st := sqlstore.New(d)
		secret, err := sqlstore.NewClientSecret()
		if err != nil {
			t.Fatal(err)
		}
		conf := &sqlstore.Client{
			ID:                "domains",
			Name:              " Domain panel ",
			RedirectURIs:      []string{"https://domains.example/callback"},
			Scopes:            []string{"openid", "email", "offline_access"},
			Audience:          []string{"https://domains.example"},
			IsFirstParty:      true,
			IDTokenSigningAlg: sqlstore.AlgRS256,
		}
		if err := st.CreateClient(ctx, conf, secret); err != nil {
			t.Fatal(err)
		}
		if conf.Name != "Domain panel" || conf.SecretHash == "" || conf.SecretHash == secret || conf.CreatedAt.IsZero() ||
			!reflect.DeepEqual(conf.GrantTypes, []string{"authorization_code", "refresh_token"}) ||
			!reflect.DeepEqual(conf.ResponseTypes, []string{"code"}) ||
			conf.TokenEndpointAuthMethod != sqlstore.AuthClientSecretBasic {
			t.Errorf("defaults not filled in: %+v", conf)
		}
		pub := &sqlstore.Client{
			ID:           "spa",
			Name:         "Single-page app",
			RedirectURIs: []string{"http://127.0.0.1:5173/cb", "com.example.app:/oauth"},
			Public:       true,
		}
		if err := st.CreateClient(ctx, pub, ""); err != nil {
			t.Fatal(err)
		}

		fc, err := st.GetClient(ctx, "domains")
		if err != nil {
			t.Fatal(err)
		}
		got := fc.(*sqlstore.Client)
		if !reflect.DeepEqual(got, conf) {
			t.Errorf("GetClient =\n %+v\nwant\n %+v", got, conf)
		}
		if !got.FirstParty() || got.IDTokenAlg() != "RS256" || got.IsPublic() || got.GetTokenEndpointAuthMethod() != "client_secret_basic" {
			t.Errorf("getters of %+v", got)
		}
		if err := (sqlstore.SHA256Hasher{}).Compare(ctx, got.GetHashedSecret(), []byte(secret)); err != nil {
			t.Errorf("secret does not match its stored hash: %v", err)
		}

		fp, _ := st.GetClient(ctx, "spa")
		p := fp.(*sqlstore.Client)
		if !p.IsPublic() || p.GetTokenEndpointAuthMethod() != "none" || p.FirstParty() || p.IDTokenAlg() != "ES256" || len(p.GetHashedSecret()) != 0 {
			t.Errorf("public client = %+v", p)
		}
		if err := (sqlstore.SHA256Hasher{}).Compare(ctx, p.GetHashedSecret(), []byte("")); err == nil {
			t.Error("an empty hash matched the empty secret")
		}

		list, err := st.ListClients(ctx)
		if err != nil || len(list) != 2 || list[0].ID != "domains" || list[1].ID != "spa" {
			t.Fatalf("ListClients = %v, %v", list, err)
		}

		dup := *pub
		if err := st.CreateClient(ctx, &dup, ""); !errors.Is(err, db.ErrAlreadyExists) {
			t.Errorf("duplicate ID: %v, want ErrAlreadyExists", err)
		}
		for _, id := range []string{"nope", ""} {
			_, err := st.GetClient(ctx, id)
			if !errors.Is(err, fosite.ErrNotFound) || !errors.Is(err, db.ErrNotFound) {
				t.Errorf("GetClient(%q): %v, want fosite.ErrNotFound and db.ErrNotFound", id, err)
			}
		}

		// Deleting a client takes its grants with it.
		mustCreateGrant(t, st, newRequest(got, "req-1", "alice"), "1")
		if err := st.DeleteClient(ctx, "domains"); err != nil {
			t.Fatal(err)
		}
		if _, err := st.GetRefreshTokenSession(ctx, "rt-1", newSession()); !errors.Is(err, fosite.ErrNotFound) {
			t.Errorf("refresh token of a deleted client: %v, want ErrNotFound", err)
		}
		if err := st.DeleteClient(ctx, "domains"); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("delete twice: %v, want ErrNotFound", err)
		}
	})
}

// TestClientPKCEAndLogout stores and reads back what RP-initiated logout
// and the PKCE requirement need.
func TestClientPKCEAndLogout(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		st := sqlstore.New(d)
		ctx := t.Context()
		c := &sqlstore.Client{ID: "suite", Name: "Suite", RedirectURIs: []string{"https://rp.example/cb"},
			Scopes: []string{"openid"}, Audience: []string{"https://rp.example"}, TokenEndpointAuthMethod: sqlstore.AuthClientSecretPost, PKCEOptional: true,
			PostLogoutRedirectURIs: []string{"https://rp.example/out", "https://rp.example/bye"}}
		if err := st.CreateClient(ctx, c, testSecret); err != nil {
			t.Fatal(err)
		}
		fc, err := st.GetClient(ctx, "suite")
		if err != nil {
			t.Fatal(err)
		}
		got := fc.(*sqlstore.Client)
		if !reflect.DeepEqual(got, c) || got.PKCERequired() || got.GetTokenEndpointAuthMethod() != sqlstore.AuthClientSecretPost {
			t.Fatalf("GetClient = %+v, want %+v", got, c)
		}
		for uri, want := range map[string]bool{
			"https://rp.example/out": true, "https://rp.example/bye": true, "https://rp.example/out?foo=bar": false,
			"https://rp.example/out/": false, "https://rp.example/cb": false, "": false,
		} {
			if got.PostLogoutRedirectURIAllowed(uri) != want {
				t.Errorf("PostLogoutRedirectURIAllowed(%q) = %v", uri, !want)
			}
		}
		pub := &sqlstore.Client{ID: "spa", Name: "SPA", RedirectURIs: []string{"https://spa.example/cb"}, Public: true}
		conf := &sqlstore.Client{ID: "web", Name: "Web", RedirectURIs: []string{"https://web.example/cb"}}
		if err := st.CreateClient(ctx, pub, ""); err != nil {
			t.Fatal(err)
		}
		if err := st.CreateClient(ctx, conf, testSecret); err != nil {
			t.Fatal(err)
		}
		for id, want := range map[string]bool{"spa": true, "web": true} {
			fc, _ := st.GetClient(ctx, id)
			if fc.(*sqlstore.Client).PKCERequired() != want {
				t.Errorf("%s: PKCE required = %v, want %v", id, !want, want)
			}
		}
	})
}

func TestCreateClientInvalid(t *testing.T) {
	d := dbtest.SQLite(t)
	st := sqlstore.New(d)
	valid := func() *sqlstore.Client {
		return &sqlstore.Client{ID: "c1", Name: "C", RedirectURIs: []string{"https://c.example/cb"}}
	}
	tests := []struct {
		name   string
		change func(c *sqlstore.Client)
		secret string
	}{
		{"empty ID", func(c *sqlstore.Client) { c.ID = "" }, testSecret},
		{"ID with space", func(c *sqlstore.Client) { c.ID = "a b" }, testSecret},
		{"empty name", func(c *sqlstore.Client) { c.Name = "  " }, testSecret},
		{"confidential without secret", func(c *sqlstore.Client) {}, ""},
		{"short secret", func(c *sqlstore.Client) {}, "short"},
		{"public with secret", func(c *sqlstore.Client) { c.Public = true }, testSecret},
		{"public with basic auth", func(c *sqlstore.Client) {
			c.Public = true
			c.TokenEndpointAuthMethod = sqlstore.AuthClientSecretBasic
		}, ""},
		{"confidential with none", func(c *sqlstore.Client) { c.TokenEndpointAuthMethod = sqlstore.AuthNone }, testSecret},
		{"private_key_jwt", func(c *sqlstore.Client) { c.TokenEndpointAuthMethod = "private_key_jwt" }, testSecret},
		{"implicit grant", func(c *sqlstore.Client) { c.GrantTypes = []string{"implicit"} }, testSecret},
		{"password grant", func(c *sqlstore.Client) { c.GrantTypes = []string{"password"} }, testSecret},
		{"public client credentials", func(c *sqlstore.Client) {
			c.Public = true
			c.GrantTypes = []string{"client_credentials"}
		}, ""},
		{"token response type", func(c *sqlstore.Client) { c.ResponseTypes = []string{"token"} }, testSecret},
		{"code flow without redirect URI", func(c *sqlstore.Client) { c.RedirectURIs = nil }, testSecret},
		{"relative redirect URI", func(c *sqlstore.Client) { c.RedirectURIs = []string{"/cb"} }, testSecret},
		{"redirect URI with fragment", func(c *sqlstore.Client) { c.RedirectURIs = []string{"https://c.example/cb#x"} }, testSecret},
		{"https without host", func(c *sqlstore.Client) { c.RedirectURIs = []string{"https:///cb"} }, testSecret},
		{"scope with space", func(c *sqlstore.Client) { c.Scopes = []string{"openid email"} }, testSecret},
		{"empty audience", func(c *sqlstore.Client) { c.Audience = []string{""} }, testSecret},
		{"HS256 ID tokens", func(c *sqlstore.Client) { c.IDTokenSigningAlg = "HS256" }, testSecret},
		{"public without PKCE", func(c *sqlstore.Client) {
			c.Public = true
			c.PKCEOptional = true
		}, ""},
		{"relative post-logout URI", func(c *sqlstore.Client) { c.PostLogoutRedirectURIs = []string{"/bye"} }, testSecret},
		{"post-logout URI with fragment", func(c *sqlstore.Client) { c.PostLogoutRedirectURIs = []string{"https://c.example/bye#x"} }, testSecret},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := valid()
			tt.change(c)
			if err := st.CreateClient(ctx, c, tt.secret); !errors.Is(err, sqlstore.ErrInvalidClient) {
				t.Fatalf("CreateClient = %v, want ErrInvalidClient", err)
			}
		})
	}
	// The baseline is valid, and a client-credentials client needs no
	// redirect URI.
	if err := st.CreateClient(ctx, valid(), testSecret); err != nil {
		t.Fatal(err)
	}
	script := &sqlstore.Client{ID: "script", Name: "Script", GrantTypes: []string{"client_credentials"}, TokenEndpointAuthMethod: sqlstore.AuthClientSecretPost}
	if err := st.CreateClient(ctx, script, testSecret); err != nil {
		t.Fatal(err)
	}
	if list, _ := st.ListClients(ctx); len(list) != 2 {
		t.Errorf("%d clients stored, want 2: invalid ones must leave nothing", len(list))
	}
}

func TestSHA256Hasher(t *testing.T) {
	h := sqlstore.SHA256Hasher{}
	hash, err := h.Hash(ctx, []byte("s3cret"))
	if err != nil {
		t.Fatal(err)
	}
	// echo -n s3cret | sha256sum
	if string(hash) != "1ec1c26b50d5d3c58d9583181af8076655fe00756bf7285940ba3670f99fcba0" {
		t.Errorf("Hash = %s", hash)
	}
	tests := []struct {
		name string
		hash string
		data string
		ok   bool
	}{
		{"match", string(hash), "s3cret", true},
		{"other secret", string(hash), "s3cret!", false},
		{"empty hash", "", "", false},
		{"upper-case hash", strings.ToUpper(string(hash)), "s3cret", false},
		{"bcrypt hash", "$2a$10$IxMdI6d.LIRZPpSfEwNoeu4rY3FhDREsxFJXikcgdRRAStxUlsuEO", "foobar", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := h.Compare(ctx, []byte(tt.hash), []byte(tt.data))
			if (err == nil) != tt.ok {
				t.Errorf("Compare = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

func TestNewClientSecret(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		s, err := sqlstore.NewClientSecret()
		if err != nil {
			t.Fatal(err)
		}
		b, err := base64.RawURLEncoding.DecodeString(s)
		if err != nil || len(b) != 32 || len(s) < sqlstore.MinSecretLength {
			t.Fatalf("secret %q: %d bytes, %v", s, len(b), err)
		}
		if seen[s] {
			t.Fatal("a secret repeated")
		}
		seen[s] = true
	}
}

func TestClientAssertionJWT(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		st := sqlstore.New(d)
		now := db.Now()
		st.Now = func() time.Time { return now }

		if err := st.ClientAssertionJWTValid(ctx, "jti-1"); err != nil {
			t.Errorf("unknown jti: %v", err)
		}
		if err := st.SetClientAssertionJWT(ctx, "jti-1", now.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		if err := st.ClientAssertionJWTValid(ctx, "jti-1"); !errors.Is(err, fosite.ErrJTIKnown) {
			t.Errorf("known jti: %v, want ErrJTIKnown", err)
		}
		if err := st.SetClientAssertionJWT(ctx, "jti-1", now.Add(time.Hour)); !errors.Is(err, fosite.ErrJTIKnown) {
			t.Errorf("recording a known jti: %v, want ErrJTIKnown", err)
		}

		now = now.Add(2 * time.Minute) // jti-1 expired: it may be seen again
		if err := st.ClientAssertionJWTValid(ctx, "jti-1"); err != nil {
			t.Errorf("expired jti: %v", err)
		}
		if err := st.SetClientAssertionJWT(ctx, "jti-1", now.Add(time.Minute)); err != nil {
			t.Errorf("recording an expired jti again: %v", err)
		}
	})
}

// TestProductLinks: the clients with a home page and a product are listed
// for the account page, by product; the home page and the product are
// checked.
func TestProductLinks(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		st := sqlstore.New(d)
		for _, c := range []*sqlstore.Client{
			{ID: "server-panel", Name: "Serveurs", ClientURI: "https://servers.example/", Product: "server"},
			{ID: "domain-panel", Name: "Domaines", ClientURI: "http://localhost:8081", Product: "domain"},
			{ID: "no-home", Name: "Sans page", Product: "email"},
			{ID: "no-product", Name: "Sans produit", ClientURI: "https://other.example/"},
		} {
			c.RedirectURIs, c.Public = []string{"https://x.example/cb"}, true
			if err := st.CreateClient(ctx, c, ""); err != nil {
				t.Fatal(err)
			}
		}
		links, err := st.ProductLinks(ctx)
		want := []sqlstore.ProductLink{
			{ClientID: "domain-panel", Name: "Domaines", URI: "http://localhost:8081", Product: "domain"},
			{ClientID: "server-panel", Name: "Serveurs", URI: "https://servers.example/", Product: "server"},
		}
		if err != nil || !reflect.DeepEqual(links, want) {
			t.Fatalf("ProductLinks = %+v, %v; want %+v", links, err, want)
		}
		for _, c := range []*sqlstore.Client{
			{ID: "bad-uri", Name: "B", ClientURI: "http://servers.example/"},
			{ID: "rel-uri", Name: "B", ClientURI: "/home"},
			{ID: "bad-product", Name: "B", Product: "server:read"},
		} {
			c.RedirectURIs, c.Public = []string{"https://x.example/cb"}, true
			if err := st.CreateClient(ctx, c, ""); !errors.Is(err, sqlstore.ErrInvalidClient) {
				t.Errorf("client %s: %v, want ErrInvalidClient", c.ID, err)
			}
		}
	})
}
