package e2e_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2/clientcredentials"

	"github.com/sesame-idp/sesame/sesametest"
)

// Benchmarks of the token endpoint over real HTTP (loopback), on SQLite and
// PostgreSQL:
//
//	SESAME_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
//	  go test ./e2e/ -run '^$' -bench . -benchtime 5s
//
// They report requests per second; nothing asserts a duration.

func benchEach(b *testing.B, fn func(b *testing.B, s *sesametest.Instance)) {
	b.Run("sqlite", func(b *testing.B) { fn(b, sesametest.Start(b, sesametest.Options{})) })
	b.Run("postgres", func(b *testing.B) { fn(b, sesametest.Start(b, sesametest.Options{Postgres: true})) })
}

// BenchmarkClientCredentials: one token per request, many in parallel, as
// products renewing their check-API tokens would.
func BenchmarkClientCredentials(b *testing.B) {
	benchEach(b, func(b *testing.B, s *sesametest.Instance) {
		w := seedB(b, s)
		form := url.Values{"grant_type": {"client_credentials"}, "scope": {"sesame:authz"}}.Encode()
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
		b.SetParallelism(8)
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				req, _ := http.NewRequest(http.MethodPost, s.URL+"/oauth2/token", strings.NewReader(form))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.SetBasicAuth(w.ClientID, w.Secret)
				resp, err := client.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				// Read to the end, or the connection is not reused.
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					b.Fatalf("status %d", resp.StatusCode)
				}
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
	})
}

// BenchmarkCodeFlow: a complete sign-in of a browser that already has a
// Sésame session (authorize → code → token exchange with PKCE → ID token
// verified), the path every product visit takes.
func BenchmarkCodeFlow(b *testing.B) {
	benchEach(b, func(b *testing.B, s *sesametest.Instance) {
		w := seedB(b, s)
		rp := s.NewRP(b, w.ClientID, w.Secret, panelRedirect)
		br := s.NewBrowser(b)
		flow := rp.Start()
		p := br.SignIn(flow.URL, ownerEmail, ownerPassword, "")
		if _, err := rp.Exchange(flow, rp.Callback(flow, p.Location)); err != nil {
			b.Fatal(err)
		}
		b.ResetTimer()
		for range b.N {
			flow := rp.Start()
			p := br.Get(flow.URL)
			tok, err := rp.Exchange(flow, rp.Callback(flow, p.Location))
			if err != nil {
				b.Fatal(err)
			}
			raw, _ := tok.Extra("id_token").(string)
			if _, err := rp.Verifier.Verify(context.Background(), raw); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "flows/s")
	})
}

// BenchmarkCheckAPI: the live check a product makes before a sensitive
// action, over HTTP with a client-credentials token, many in parallel.
func BenchmarkCheckAPI(b *testing.B) {
	benchEach(b, func(b *testing.B, s *sesametest.Instance) {
		w := seedB(b, s)
		m := addLoginAccount(b, s, w.AccountID, "bench@example.cm", "Bench#Mark2026!", "domain:dns:example.cm", "server:read")
		cc := clientcredentials.Config{ClientID: w.ClientID, ClientSecret: w.Secret, TokenURL: s.URL + "/oauth2/token", Scopes: []string{"sesame:authz"}}
		tok, err := cc.Token(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		body := `{"sub":"` + m.ID + `","account_id":"` + w.AccountID + `","right":"domain:dns","resource":"example.cm"}`
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
		b.SetParallelism(8)
		cpu := processCPU()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				req, _ := http.NewRequest(http.MethodPost, s.URL+"/api/v1/authz/check", strings.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
				resp, err := client.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				// Read to the end, or the connection is not reused.
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					b.Fatalf("status %d", resp.StatusCode)
				}
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
		// The CPU this process (server and client) spent per check: unlike
		// req/s, it does not depend on what else the machine runs.
		b.ReportMetric(float64((processCPU()-cpu).Microseconds())/float64(b.N), "cpu-µs/op")
	})
}
