package oauth

import (
	"context"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ory/fosite"

	"github.com/sesame-idp/sesame/db/dbtest"
)

func person() Person {
	return Person{Subject: "m_ana", AccountID: "id482913", Email: "ana@example.com", Name: "Ana"}
}

func TestSessionClaims(t *testing.T) {
	t.Parallel()
	all := []string{ScopeOpenID, ScopeProfile, ScopeEmail}
	tests := []struct {
		name          string
		scopes        []string
		releaseRights bool
		personName    string
		rights        []string
		want          map[string]string // claim → JSON; "" = absent
	}{
		{name: "every scope, rights released", scopes: all, releaseRights: true, personName: "Ana", rights: []string{"domain:read", "domain:dns:example.cm"},
			want: map[string]string{"name": `"Ana"`, "email": `"ana@example.com"`, "email_verified": `true`, "rights": `["domain:read","domain:dns:example.cm"]`}},
		{name: "openid alone", scopes: []string{ScopeOpenID}, releaseRights: true, personName: "Ana", rights: []string{"domain:read"},
			want: map[string]string{"name": "", "email": "", "email_verified": "", "rights": `["domain:read"]`}},
		{name: "profile without email", scopes: []string{ScopeOpenID, ScopeProfile}, personName: "Ana", rights: []string{"domain:read"},
			want: map[string]string{"name": `"Ana"`, "email": "", "email_verified": "", "rights": ""}},
		{name: "email without profile", scopes: []string{ScopeOpenID, ScopeEmail}, personName: "Ana",
			want: map[string]string{"name": "", "email": `"ana@example.com"`, "email_verified": `true`}},
		{name: "no display name, no rights", scopes: all, releaseRights: true, rights: []string{},
			want: map[string]string{"name": "", "rights": "", "email": `"ana@example.com"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := NewSession()
			s.Subject, s.AccountID, s.Email, s.EmailVerified, s.Name, s.Rights, s.ClientID =
				"m_ana", "id482913", "ana@example.com", true, tc.personName, tc.rights, "shop"
			s.Release(tc.scopes, tc.releaseRights)
			for what, claims := range map[string]map[string]any{
				"access token":  s.GetJWTClaims().ToMapClaims(),
				"ID token":      s.Claims.ToMapClaims(),
				"introspection": s.GetExtraClaims(),
			} {
				b, err := json.Marshal(claims)
				if err != nil {
					t.Fatal(err)
				}
				var got map[string]json.RawMessage
				if err := json.Unmarshal(b, &got); err != nil {
					t.Fatal(err)
				}
				want := map[string]string{"account_id": `"id482913"`}
				if what != "introspection" {
					want["sub"] = `"m_ana"`
				}
				for k, v := range tc.want {
					want[k] = v
				}
				for name, w := range want {
					if string(got[name]) != w {
						t.Errorf("%s: %s = %s, want %q", what, name, got[name], w)
					}
				}
			}
			if _, ok := s.GetExtraClaims()["client_id"]; ok {
				t.Error("introspection claims carry client_id, which introspection sets itself")
			}
			if s.GetJWTClaims().ToMapClaims()["client_id"] != "shop" {
				t.Error("access token without client_id")
			}
		})
	}

	t.Run("header", func(t *testing.T) {
		h := NewSession().GetJWTHeader().ToMap()
		if h["typ"] != "at+jwt" {
			t.Fatalf("typ = %v, want at+jwt", h["typ"])
		}
	})
	t.Run("client credentials", func(t *testing.T) {
		s := NewSession()
		s.Subject, s.ClientID = "billing-robot", "billing-robot"
		claims := s.GetJWTClaims().ToMapClaims()
		for _, name := range []string{"account_id", "rights", "email", "email_verified", "name"} {
			if _, ok := claims[name]; ok {
				t.Errorf("a client's own token carries %s", name)
			}
		}
		if claims["client_id"] != "billing-robot" || claims["sub"] != "billing-robot" {
			t.Errorf("claims = %v", claims)
		}
		if extra := s.GetExtraClaims(); len(extra) != 0 {
			t.Errorf("introspection claims = %v, want none", extra)
		}
	})
}

func TestSessionClone(t *testing.T) {
	t.Parallel()
	s := NewSession()
	s.Subject, s.AccountID, s.Rights, s.ClientID = "m_ana", "id482913", []string{"domain:read"}, "shop"
	s.Release([]string{ScopeOpenID, ScopeEmail}, true)
	s.Headers.Add("kid", "k1")
	s.SetExpiresAt(fosite.AccessToken, time.Now().Add(time.Hour))
	s.Claims.Audience = []string{"shop"}

	c, ok := s.Clone().(*Session)
	if !ok || c == s || c.DefaultSession == s.DefaultSession {
		t.Fatalf("Clone = %#v, want a new *Session", c)
	}
	if !reflect.DeepEqual(c, s) {
		t.Fatalf("clone differs:\n%#v\n%#v", c, s)
	}
	c.Rights[0] = "billing:pay"
	c.Claims.Extra["account_id"] = "id000000"
	c.Claims.Extra["rights"].([]string)[0] = "billing:pay"
	c.Claims.Audience[0] = "evil"
	c.Headers.Extra["kid"] = "k2"
	c.SetExpiresAt(fosite.AccessToken, time.Time{})
	c.Subject = "m_other"

	if s.Rights[0] != "domain:read" || s.Claims.Extra["account_id"] != "id482913" ||
		s.Claims.Extra["rights"].([]string)[0] != "domain:read" || s.Claims.Audience[0] != "shop" ||
		s.Headers.Extra["kid"] != "k1" || s.GetExpiresAt(fosite.AccessToken).IsZero() || s.Subject != "m_ana" {
		t.Fatalf("changing the clone changed the original: %#v", s)
	}
	if (*Session)(nil).Clone() != nil {
		t.Error("Clone of a nil session is not nil")
	}
}

// The store keeps the session as JSON and decodes it into NewSession().
func TestSessionJSONRoundTrip(t *testing.T) {
	t.Parallel()
	d := dbtest.SQLite(t)
	ring := newRing(t)
	p := newProvider(t, d, ring, loadKeys(t, d, ring), rightsOf{"m_ana": {"domain:read"}})
	s := personSession(t, p, person(), "shop")
	s.SetExpiresAt(fosite.AccessToken, time.Now().Add(15*time.Minute).UTC().Truncate(time.Second))
	s.SetExpiresAt(fosite.RefreshToken, time.Now().Add(30*24*time.Hour).UTC().Truncate(time.Second))
	s.Claims.Nonce = "n-0S6_WzA2Mj"

	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	got := NewSession()
	if err := json.Unmarshal(b, got); err != nil {
		t.Fatal(err)
	}
	if got.Subject != s.Subject || got.AccountID != s.AccountID || got.Email != s.Email || !got.EmailVerified ||
		got.Name != s.Name || !slices.Equal(got.Rights, s.Rights) || got.ClientID != s.ClientID {
		t.Fatalf("after a round trip:\n got %+v\nwant %+v", got, s)
	}
	for _, tt := range []fosite.TokenType{fosite.AccessToken, fosite.RefreshToken} {
		if !got.GetExpiresAt(tt).Equal(s.GetExpiresAt(tt)) {
			t.Errorf("%s expiry = %v, want %v", tt, got.GetExpiresAt(tt), s.GetExpiresAt(tt))
		}
	}
	if !got.Claims.AuthTime.Equal(s.Claims.AuthTime) || !got.Claims.RequestedAt.Equal(s.Claims.RequestedAt) ||
		got.Claims.Issuer != testIssuer || got.Claims.Subject != "m_ana" || got.Claims.Nonce != s.Claims.Nonce {
		t.Errorf("ID token claims after a round trip = %+v", got.Claims)
	}
	// Tokens built from the decoded session say what they said before.
	before, _ := json.Marshal(s.GetJWTClaims().ToMapClaims()["rights"])
	after, _ := json.Marshal(got.GetJWTClaims().ToMapClaims()["rights"])
	if string(before) != string(after) || got.GetJWTClaims().ToMapClaims()["account_id"] != "id482913" {
		t.Errorf("access token claims after a round trip: rights %s, want %s", after, before)
	}
}

func TestSessionFor(t *testing.T) {
	t.Parallel()
	d := dbtest.SQLite(t)
	ring := newRing(t)
	p := newProvider(t, d, ring, loadKeys(t, d, ring), rightsOf{"m_ana": {"domain:read", "billing:read"}})
	authTime := time.Date(2026, 3, 1, 9, 30, 15, 987654321, time.FixedZone("CET", 3600))
	requested := authTime.Add(-time.Minute)
	s, err := p.SessionFor(context.Background(), person(), "shop", authTime, requested)
	if err != nil {
		t.Fatal(err)
	}
	if s.Subject != "m_ana" || s.ClientID != "shop" || !s.EmailVerified || !slices.Equal(s.Rights, []string{"domain:read", "billing:read"}) {
		t.Fatalf("session = %+v", s)
	}
	c := s.Claims
	if c.Issuer != testIssuer || c.Subject != "m_ana" || !c.AuthTime.Equal(authTime.Truncate(time.Second)) ||
		c.AuthTime.Location() != time.UTC || !c.RequestedAt.Equal(requested) {
		t.Fatalf("ID token claims = %+v", c)
	}
	if !c.ExpiresAt.IsZero() || !c.IssuedAt.IsZero() || c.JTI != "" {
		t.Fatalf("per-token fields stored in the session: exp %v iat %v jti %q", c.ExpiresAt, c.IssuedAt, c.JTI)
	}
	s.Release([]string{ScopeOpenID, ScopeEmail}, true)
	if c.Extra["account_id"] != "id482913" || c.Extra["email"] != "ana@example.com" || c.Extra["name"] != nil {
		t.Fatalf("ID token extra claims = %v", c.Extra)
	}

	// A person without rights and without a name gets neither claim.
	s, err = p.SessionFor(context.Background(), Person{Subject: "m_new", AccountID: "id482913", Email: "new@example.com"}, "shop", authTime, requested)
	if err != nil {
		t.Fatal(err)
	}
	s.Release([]string{ScopeOpenID, ScopeProfile, ScopeEmail}, true)
	b, _ := json.Marshal(s.Claims.ToMapClaims())
	if strings.Contains(string(b), `"rights"`) || strings.Contains(string(b), `"name"`) {
		t.Fatalf("ID token claims without rights or name: %s", b)
	}
}

// The JWT access token as fosite issues it, decoded by the signer.
func TestAccessTokenAsIssued(t *testing.T) {
	t.Parallel()
	d := dbtest.SQLite(t)
	ring := newRing(t)
	ks := loadKeys(t, d, ring)
	p := newProvider(t, d, ring, ks, rightsOf{"m_ana": {"domain:read"}})
	raw := accessToken(t, ks, personSession(t, p, person(), "shop"), "shop", ScopeOpenID, ScopeEmail)
	es, _ := ks.Current(ES256)
	if h := header(t, raw); h["typ"] != "at+jwt" || h["kid"] != es.KID || h["alg"] != ES256 {
		t.Fatalf("header = %v", h)
	}
	tok, err := (&signer{keys: ks}).Decode(context.Background(), raw)
	if err != nil {
		t.Fatal(err)
	}
	c := tok.Claims
	if c["sub"] != "m_ana" || c["account_id"] != "id482913" || c["client_id"] != "shop" || c["iss"] != testIssuer ||
		c["scope"] != "openid email" || c["jti"] == "" || c["exp"] == nil {
		t.Fatalf("claims = %v", c)
	}
	if rights, _ := c["rights"].([]any); len(rights) != 1 || rights[0] != "domain:read" {
		t.Fatalf("rights = %v", c["rights"])
	}
}
