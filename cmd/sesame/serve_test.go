package main

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"testing"
	"time"
)

// freeAddr returns a loopback address nothing listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// TestServe starts serve through run, checks the health endpoints, then
// ends its context while a token request is in flight: the request
// completes, new connections are refused, and run returns nil.
func TestServe(t *testing.T) {
	sqliteEnv(t)
	addr := freeAddr(t)
	t.Setenv("SESAME_ADDR", addr)
	t.Setenv("SESAME_ISSUER", "")
	client := jsonObject(t, mustSesame(t, "", "clients", "create", "--id", "svc", "--name", "Service", "--json"),
		"client_id", "client_secret")

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve"}, nil, io.Discard) }()

	base := "http://" + addr
	hc := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := hc.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("/healthz: %d", resp.StatusCode)
			}
			break
		}
		select {
		case err := <-done:
			t.Fatalf("serve returned before listening: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve is not listening on %s: %v", addr, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	resp, err := hc.Get(base + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/readyz: %d", resp.StatusCode)
	}
	// The issuer defaults to http://SESAME_ADDR.
	resp, err = hc.Get(base + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	var disco struct{ Issuer string }
	err = json.NewDecoder(resp.Body).Decode(&disco)
	resp.Body.Close()
	if err != nil || disco.Issuer != base {
		t.Errorf("issuer %q (%v), want %s", disco.Issuer, err, base)
	}

	// A token request whose handler is reading its body: "Expect:
	// 100-continue" makes the server answer 100 Continue when the handler
	// starts reading, so the request is known to be in flight.
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(20 * time.Second))
	body := url.Values{"grant_type": {"client_credentials"}}.Encode()
	basic := base64.StdEncoding.EncodeToString([]byte(client["client_id"] + ":" + client["client_secret"]))
	fmt.Fprintf(conn, "POST /oauth2/token HTTP/1.1\r\nHost: %s\r\nAuthorization: Basic %s\r\n"+
		"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\nExpect: 100-continue\r\n\r\n",
		addr, basic, len(body))
	br := bufio.NewReader(conn)
	cont, err := http.ReadResponse(br, nil)
	if err != nil || cont.StatusCode != http.StatusContinue {
		t.Fatalf("want 100 Continue before sending the body: %v %v", cont, err)
	}

	cancel()
	// Shutdown closes the listener first: wait until it has.
	deadline = time.Now().Add(5 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("serve still accepts connections after its context ended")
		}
		time.Sleep(5 * time.Millisecond)
	}
	select {
	case err := <-done:
		t.Fatalf("serve returned (%v) while a request was in flight", err)
	default:
	}

	if _, err := io.WriteString(conn, body); err != nil {
		t.Fatal(err)
	}
	resp, err = http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("in-flight request: %v", err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
	}
	err = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || err != nil || tok.AccessToken == "" {
		t.Fatalf("in-flight request: %d %+v %v", resp.StatusCode, tok, err)
	}

	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve returned %v, want nil", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not return after its last request")
	}
}

// TestServeAddressInUse checks that serve reports a listen failure
// instead of hanging.
func TestServeAddressInUse(t *testing.T) {
	sqliteEnv(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := run(ctx, []string{"serve", "--addr", l.Addr().String()}, nil, io.Discard); err == nil {
		t.Fatal("serve on a busy address returned nil")
	}
}

// TestServeAddrFlag checks that --addr moves the default issuer with it.
func TestServeAddrFlag(t *testing.T) {
	sqliteEnv(t)
	t.Setenv("SESAME_ADDR", "")
	t.Setenv("SESAME_ISSUER", "")
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve", "--addr", addr}, nil, io.Discard) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()

	base := "http://" + addr
	hc := &http.Client{Timeout: 5 * time.Second}
	var disco struct{ Issuer string }
	for deadline := time.Now().Add(10 * time.Second); ; {
		resp, err := hc.Get(base + "/.well-known/openid-configuration")
		if err == nil {
			err = json.NewDecoder(resp.Body).Decode(&disco)
			resp.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve --addr %s is not listening: %v", addr, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if disco.Issuer != base {
		t.Errorf("issuer %q, want %s", disco.Issuer, base)
	}
}
