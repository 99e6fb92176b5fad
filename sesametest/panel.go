package sesametest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
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
	// Secret is the client's secret: a test may run the code flow as
	// the panel would, to hold an access token meant for its API.
	Secret string

	t    testing.TB
	args []string
	log  lockedBuffer

	mu   sync.Mutex
	stop func() // stops the running program; nil when stopped
}

// lockedBuffer is what the program wrote, safe for concurrent use.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
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
// of the panel (negative: none). Its revocation store is in memory.
func (s *Instance) StartPanel(t testing.TB, product string, checkCache time.Duration) *Panel {
	t.Helper()
	port := freePort(t)
	p := &Panel{Product: product, URL: fmt.Sprintf("http://localhost:%d", port), ClientID: product + "-panel", t: t}
	var err error
	if p.Secret, err = sqlstore.NewClientSecret(); err != nil {
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
		ClientURI: p.URL, Product: product,
	}, p.Secret)
	if err != nil {
		t.Fatal(err)
	}
	// A cookie secret of its own, kept across Restart: the browsers'
	// sessions outlive a restart, as with a configured secret.
	cookieSecret := make([]byte, 32)
	rand.Read(cookieSecret)
	p.args = []string{
		"--product", product, "--addr", fmt.Sprintf("localhost:%d", port), "--issuer", s.URL,
		"--client-id", p.ClientID, "--client-secret", p.Secret, "--public-url", p.URL,
		"--check-cache", checkCache.String(), "--cookie-secret", hex.EncodeToString(cookieSecret),
	}
	t.Cleanup(p.Stop)
	p.Restart()
	return p
}

// Restart starts the stopped panel again on the same port, with the same
// client and cookie secret (its revocation store, in memory, starts
// empty). It waits until the panel answers.
func (p *Panel) Restart() {
	t := p.t
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stop != nil {
		t.Fatal("the panel is running")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, demoProductBinary(t), p.args...)
	var out io.Writer = &p.log
	if os.Getenv("SESAME_TEST_LOG") != "" {
		out = io.MultiWriter(out, os.Stderr)
	}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	p.stop = func() { cancel(); <-exited }
	deadline := time.Now().Add(15 * time.Second)
	for {
		resp, err := http.Get(p.URL + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-exited:
			t.Fatalf("demo-product %s exited:\n%s", p.Product, p.log.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("demo-product %s did not start: %v", p.Product, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Stop stops the panel (SIGINT, as an operator would) and waits for it to
// exit; its port then refuses connections. Stopping a stopped panel does
// nothing.
func (p *Panel) Stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stop != nil {
		p.stop()
		p.stop = nil
	}
}

// Log is everything the panel's program wrote so far (its slog lines),
// across restarts.
func (p *Panel) Log() string { return p.log.String() }
