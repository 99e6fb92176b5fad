package sesametest

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/sesame-idp/sesame/oauth/sqlstore"
)

// Panel is a running cmd/demo-product registered at a Sésame.
type Panel struct {
	Product  string
	URL      string // e.g. http://localhost:40123
	ClientID string
}

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// demoProductBinary builds cmd/demo-product once per test process.
func demoProductBinary(t testing.TB) string {
	buildOnce.Do(func() {
		_, file, _, _ := runtime.Caller(0)
		root := filepath.Dir(filepath.Dir(file))
		dir, err := os.MkdirTemp("", "sesame-demo-product-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "demo-product")
		cmd := exec.Command("go", "build", "-o", binPath, "./cmd/demo-product")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("build demo-product: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

func freePort(t testing.TB) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// StartPanel registers a first-party client for product ("domain",
// "server" or "email") and runs the real demo-product program against s,
// on localhost (another host than Sésame's 127.0.0.1, so cookies stay
// apart as they would in production). checkCache is the live-check cache
// of the panel (negative: none).
func (s *Instance) StartPanel(t testing.TB, product string, checkCache time.Duration) *Panel {
	t.Helper()
	bin := demoProductBinary(t)
	port := freePort(t)
	p := &Panel{Product: product, URL: fmt.Sprintf("http://localhost:%d", port), ClientID: product + "-panel"}
	secret, err := sqlstore.NewClientSecret()
	if err != nil {
		t.Fatal(err)
	}
	err = s.Clients.CreateClient(context.Background(), &sqlstore.Client{
		ID: p.ClientID, Name: "Panneau " + product, RedirectURIs: []string{p.URL + "/callback"}, IsFirstParty: true,
		// Where a panel's sign-out comes back: its signed-out page, and
		// productkit's default, the panel's home page.
		PostLogoutRedirectURIs: []string{p.URL + "/signed-out", p.URL + "/"},
		GrantTypes:             []string{"authorization_code", "refresh_token", "client_credentials"},
		Scopes:                 []string{"openid", "profile", "email", "offline_access", "sesame:authz"},
		// As sesame demo registers them: the panel hears of ended
		// sessions and changed rights.
		BackchannelLogoutURI: p.URL + "/backchannel-logout", EventsURI: p.URL + "/events",
	}, secret)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin,
		"--product", product, "--addr", fmt.Sprintf("localhost:%d", port), "--issuer", s.URL,
		"--client-id", p.ClientID, "--client-secret", secret, "--public-url", p.URL,
		"--check-cache", checkCache.String())
	if os.Getenv("SESAME_TEST_LOG") != "" {
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	}
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); cmd.Wait() })
	deadline := time.Now().Add(15 * time.Second)
	for {
		resp, err := http.Get(p.URL + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("demo-product %s did not start: %v", product, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
