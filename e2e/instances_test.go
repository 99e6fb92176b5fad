package e2e_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"golang.org/x/oauth2/clientcredentials"

	"github.com/sesame-idp/sesame/db/dbtest"
	"github.com/sesame-idp/sesame/sesametest"
)

// TestTwoInstances: two Sésame instances on one PostgreSQL; a right
// removed through one is denied by the other within a second, and a token
// issued by one is accepted by the other.
func TestTwoInstances(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped with -short: two instances on one database")
	}
	_, url := dbtest.PostgresURL(t)
	a := sesametest.Start(t, sesametest.Options{DatabaseURL: url})
	b := sesametest.Start(t, sesametest.Options{DatabaseURL: url})
	w := seed(t, a)
	m := addLoginAccount(t, a, w.AccountID, "ops@example.cm", "Operateur#2026!", "server:operate")
	owner := signInToken(t, w, ownerEmail, ownerPassword, "")

	cc := clientcredentials.Config{ClientID: w.ClientID, ClientSecret: w.Secret, TokenURL: b.URL + "/oauth2/token", Scopes: []string{"sesame:authz"}}
	tok, err := cc.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	check := func() bool {
		status, body := apiCall(t, "POST", b.URL+"/api/v1/authz/check", tok.AccessToken,
			map[string]any{"sub": m.ID, "account_id": w.AccountID, "right": "server:operate", "resource": "web-01"})
		if status != http.StatusOK {
			t.Fatalf("check on b: %d %v", status, body)
		}
		return body["allowed"] == true
	}
	if !check() { // warms b's enforcer of the account
		t.Fatal("granted right denied on b")
	}
	status, _ := apiCall(t, "PATCH", a.URL+"/api/v1/accounts/"+w.AccountID+"/members/"+m.ID, owner, map[string]any{"rights": []string{"server:read"}})
	if status != http.StatusOK {
		t.Fatalf("patch on a: %d", status)
	}
	start := time.Now()
	for check() {
		if time.Since(start) > time.Second {
			t.Fatal("b still allows the removed right after 1 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Logf("b denied the removed right %v after the change on a", time.Since(start))
}
