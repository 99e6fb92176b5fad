package mail

import (
	"strings"
	"testing"
)

func TestParseSMTPURL(t *testing.T) {
	tests := []struct {
		name string
		url  string
		want smtpConfig
	}{
		{"submission port defaults to STARTTLS", "smtp://mail.example.com:587",
			smtpConfig{host: "mail.example.com", port: 587, tls: tlsStartTLS}},
		{"port 465 defaults to implicit TLS", "smtp://mail.example.com:465",
			smtpConfig{host: "mail.example.com", port: 465, tls: tlsImplicit}},
		{"other ports default to STARTTLS", "smtp://mail.example.com:2525",
			smtpConfig{host: "mail.example.com", port: 2525, tls: tlsStartTLS}},
		{"no port, no tls", "smtp://mail.example.com",
			smtpConfig{host: "mail.example.com", port: 587, tls: tlsStartTLS}},
		{"no port, tls", "smtp://mail.example.com?tls=tls",
			smtpConfig{host: "mail.example.com", port: 465, tls: tlsImplicit}},
		{"no port, none", "smtp://localhost?tls=none",
			smtpConfig{host: "localhost", port: 25, tls: tlsNone}},
		{"explicit none on 587", "smtp://relay:587?tls=none",
			smtpConfig{host: "relay", port: 587, tls: tlsNone}},
		{"credentials, escaped", "smtp://bob%40example.com:p%3Ass@mail.example.com:587?tls=starttls",
			smtpConfig{host: "mail.example.com", port: 587, tls: tlsStartTLS, auth: true, user: "bob@example.com", pass: "p:ss"}},
		{"user without password", "smtp://bob@mail.example.com:587",
			smtpConfig{host: "mail.example.com", port: 587, tls: tlsStartTLS, auth: true, user: "bob"}},
		{"IPv6 host", "smtp://[::1]:2525?tls=none",
			smtpConfig{host: "::1", port: 2525, tls: tlsNone}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseSMTPURL(tt.url)
			if err != nil {
				t.Fatalf("parseSMTPURL(%q): %v", tt.url, err)
			}
			if got != tt.want {
				t.Errorf("parseSMTPURL(%q) = %+v, want %+v", tt.url, got, tt.want)
			}
		})
	}
}

func TestParseSMTPURLErrors(t *testing.T) {
	tests := []struct {
		name, url, wantErr string
	}{
		{"wrong scheme", "smtps://mail.example.com", "scheme"},
		{"no host", "smtp://:587", "no host"},
		{"bad port", "smtp://mail.example.com:99999", "bad port"},
		{"unknown tls value", "smtp://mail.example.com?tls=opportunistic", "tls="},
		{"unknown parameter", "smtp://mail.example.com?tsl=none", "unknown parameter"},
		{"malformed, password hidden", "smtp://u:s3cret@mail example.com", "malformed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseSMTPURL(tt.url)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("parseSMTPURL(%q) = %v, want an error about %q", tt.url, err, tt.wantErr)
			}
			if strings.Contains(err.Error(), "s3cret") {
				t.Errorf("error %q shows the password", err)
			}
		})
	}
}
