package e2e_test

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/sesame-idp/sesame/sesametest"
)

// TestRequestBodyLimits: a body longer than its limit is refused with 413
// before anything reads it (the CSRF check included), whether its length
// is announced or not, and a multipart body, which nothing accepts, with
// 415 without being parsed.
func TestRequestBodyLimits(t *testing.T) {
	s := sesametest.Start(t, sesametest.Options{})
	w := seed(t, s)
	form := "application/x-www-form-urlencoded"
	bigForm := "email=" + strings.Repeat("a", 1<<20)
	bigJSON := `{"email":"` + strings.Repeat("a", 2<<20) + `"}`
	mp := &bytes.Buffer{}
	mw := multipart.NewWriter(mp)
	fw, _ := mw.CreateFormFile("upload", "big.bin")
	fw.Write(bytes.Repeat([]byte{'x'}, 256<<10))
	mw.WriteField("email", "owner@example.cm")
	mw.Close()
	members := s.URL + "/api/v1/accounts/" + w.AccountID + "/members"

	tests := []struct {
		name   string
		path   string
		ct     string
		body   func() io.Reader
		status int
		json   bool
	}{
		{"form too large", "/login", form, func() io.Reader { return strings.NewReader(bigForm) }, http.StatusRequestEntityTooLarge, false},
		{"form too large, chunked", "/login", form, func() io.Reader { return unsized{strings.NewReader(bigForm)} }, http.StatusRequestEntityTooLarge, false},
		{"form too large at the token endpoint", "/oauth2/token", form, func() io.Reader { return strings.NewReader(bigForm) }, http.StatusRequestEntityTooLarge, true},
		{"JSON too large", members[len(s.URL):], "application/json", func() io.Reader { return strings.NewReader(bigJSON) }, http.StatusRequestEntityTooLarge, true},
		{"multipart sign-in", "/login", mw.FormDataContentType(), func() io.Reader { return bytes.NewReader(mp.Bytes()) }, http.StatusUnsupportedMediaType, false},
		{"multipart console", "/console/invitations", mw.FormDataContentType(), func() io.Reader { return bytes.NewReader(mp.Bytes()) }, http.StatusUnsupportedMediaType, false},
		{"multipart token endpoint", "/oauth2/token", mw.FormDataContentType(), func() io.Reader { return bytes.NewReader(mp.Bytes()) }, http.StatusUnsupportedMediaType, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := send(t, nil, http.MethodPost, s.URL+tt.path, tt.ct, tt.body(), nil)
			if status != tt.status {
				t.Fatalf("status %d, want %d: %.300s", status, tt.status, body)
			}
			var e struct{ Error string }
			if isJSON := json.Unmarshal([]byte(body), &e) == nil && e.Error != ""; isJSON != tt.json {
				t.Fatalf("JSON error %v, want %v: %.300s", isJSON, tt.json, body)
			}
		})
	}

	// Within the limit of JSON (larger than that of forms), a call goes on
	// to its checks: here, the CSRF check of a call without a session.
	status, body := send(t, nil, http.MethodPost, members, "application/json",
		strings.NewReader(`{"email":"`+strings.Repeat("a", 200<<10)+`"}`), nil)
	if status != http.StatusForbidden || !strings.Contains(body, "csrf_failed") {
		t.Fatalf("JSON of 200 KiB: status %d, want the CSRF refusal: %.300s", status, body)
	}
}
