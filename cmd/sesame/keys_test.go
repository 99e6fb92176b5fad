package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v3"

	"github.com/sesame-idp/sesame/app"
	"github.com/sesame-idp/sesame/migrations"
	"github.com/sesame-idp/sesame/oauth"
)

type jsonWebKey = jose.JSONWebKey

// TestKeysRotate checks that keys rotate prints the new key, that the
// JWKS then publishes it next to the previous one, and that new tokens are
// signed with it.
func TestKeysRotate(t *testing.T) {
	sqliteEnv(t)
	before := kidsOf(openTestApp(t).OAuth.Keys.JWKS().Keys, "ES256")
	if len(before) != 1 {
		t.Fatalf("%d ES256 keys on a new database, want 1", len(before))
	}

	out := mustSesame(t, "", "keys", "rotate")
	m := regexp.MustCompile(`^new ES256 signing key (\S+), published now, signing from \S+; the previous one stays published for 24h\n$`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("output %q", out)
	}
	kid := m[1]

	a := openTestApp(t)
	srv := serveTestApp(t, a)
	resp, err := srv.Client().Get(srv.URL + "/.well-known/jwks.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var set jose.JSONWebKeySet
	if err := json.NewDecoder(resp.Body).Decode(&set); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("JWKS: %d %v", resp.StatusCode, err)
	}
	es := kidsOf(set.Keys, "ES256")
	if len(es) != 2 || !es[kid] || !es[firstKey(before)] {
		t.Fatalf("published ES256 keys %v, want the previous %v and the new %s", es, before, kid)
	}
	for _, k := range set.Keys {
		if !k.IsPublic() || k.Use != "sig" {
			t.Errorf("key %s: public %v, use %q", k.KeyID, k.IsPublic(), k.Use)
		}
	}

	// The new key is published before it signs: a token issued now still
	// names the previous key.
	secret := jsonObject(t, mustSesame(t, "", "clients", "create", "--id", "svc2", "--name", "Service 2", "--json"),
		"client_id", "client_secret")["client_secret"]
	kidOfToken := func(srv *httptest.Server) any {
		t.Helper()
		status, body := clientCredentials(t, srv, "svc2", secret, "")
		tok, _ := body["access_token"].(string)
		if status != http.StatusOK || tok == "" {
			t.Fatalf("token: %d %v", status, body)
		}
		return jwtHeader(t, tok)["kid"]
	}
	if got := kidOfToken(srv); got != firstKey(before) {
		t.Errorf("access token signed with key %v before the new key's activation, want the previous %s", got, firstKey(before))
	}
	// Once active the new key signs (the CLI refuses a delay this short:
	// the key set itself does not).
	now, err := openTestApp(t).OAuth.Keys.Rotate(context.Background(), oauth.ES256, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := kidOfToken(serveTestApp(t, openTestApp(t))); got != now.KID {
		t.Errorf("access token signed with key %v, want the rotated %s", got, now.KID)
	}

	// RS256 rotates on its own; JSON output.
	rs := jsonObject(t, mustSesame(t, "", "keys", "rotate", "--alg", "RS256", "--json"), "alg", "kid", "activates_at")
	if rs["alg"] != "RS256" {
		t.Errorf("alg %q, want RS256", rs["alg"])
	}
	b := openTestApp(t)
	if got := kidsOf(b.OAuth.Keys.JWKS().Keys, "RS256"); len(got) != 2 || !got[rs["kid"]] {
		t.Errorf("RS256 keys %v after rotating to %s", got, rs["kid"])
	}
	if got := kidsOf(b.OAuth.Keys.JWKS().Keys, "ES256"); len(got) != 3 {
		t.Errorf("rotating RS256 changed the ES256 keys (want the 3 of the two rotations): %v", got)
	}
}

func jwtHeader(t *testing.T, token string) map[string]any {
	t.Helper()
	head, _, ok := strings.Cut(token, ".")
	if !ok {
		t.Fatalf("access token %q is not a JWT", token)
	}
	raw, err := base64.RawURLEncoding.DecodeString(head)
	if err != nil {
		t.Fatal(err)
	}
	var h map[string]any
	if err := json.Unmarshal(raw, &h); err != nil {
		t.Fatal(err)
	}
	return h
}

// TestKeysRotateRefusesAShortDelay: a key that signs before every
// instance reloads the keys makes products reject tokens; keys rotate
// refuses a delay shorter than app.KeyReloadInterval and changes nothing.
func TestKeysRotateRefusesAShortDelay(t *testing.T) {
	sqliteEnv(t)
	before := kidsOf(openTestApp(t).OAuth.Keys.JWKS().Keys, "ES256")
	for _, d := range []string{"0s", "1s", (app.KeyReloadInterval - time.Millisecond).String(), "-5s"} {
		_, err := sesame(t, "", "keys", "rotate", "--activate-after", d)
		if err == nil || !strings.Contains(err.Error(), "shorter than the 15s at which instances reload signing keys") {
			t.Errorf("keys rotate --activate-after %s: %v, want a refusal naming the reload interval", d, err)
		}
	}
	if got := kidsOf(openTestApp(t).OAuth.Keys.JWKS().Keys, "ES256"); len(got) != len(before) {
		t.Fatalf("ES256 keys %v after refused rotations, want %v", got, before)
	}
	out := mustSesame(t, "", "keys", "rotate", "--activate-after", app.KeyReloadInterval.String(), "--json")
	jsonObject(t, out, "alg", "kid", "activates_at")
}

// TestMigrate checks that migrate applies every migration once and says
// how many it applied.
func TestMigrate(t *testing.T) {
	sqliteEnv(t)
	files, err := fs.Glob(migrations.FS, "sqlite/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("embedded migrations: %v %v", files, err)
	}
	if out := mustSesame(t, "", "migrate"); out != strconv.Itoa(len(files))+" migration(s) applied\n" {
		t.Errorf("first migrate printed %q, want %d applied", out, len(files))
	}
	if out := mustSesame(t, "", "migrate"); out != "0 migration(s) applied\n" {
		t.Errorf("second migrate printed %q", out)
	}
	// The schema is complete: a command that needs every table works.
	mustSesame(t, ownerPassword, "accounts", "create", "--email", "o@example.com", "--name", "O", "--password-stdin")
	if out := mustSesame(t, "", "migrate", "--database-url", "sqlite:"+t.TempDir()+"/other.db"); out != strconv.Itoa(len(files))+" migration(s) applied\n" {
		t.Errorf("--database-url: migrate printed %q", out)
	}
}
