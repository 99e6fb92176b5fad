package main

import (
	"flag"
	"io"
	"testing"
)

// TestConfigKeepsProductionCrypto: no environment variable or flag
// reaches the test-only stand-ins of app.Config, so Sésame always hashes
// with argon2id at its own cost and makes keys from crypto/rand.
func TestConfigKeepsProductionCrypto(t *testing.T) {
	for _, name := range []string{"SESAME_ADDR", "SESAME_DATABASE_URL", "SESAME_SMTP_URL", "SESAME_MAIL_FROM",
		"SESAME_SECRETS", "SESAME_ISSUER", "SESAME_INVITATION_TTL", "SESAME_PASSWORD_HASHER", "SESAME_TEST"} {
		t.Setenv(name, "1")
	}
	c := loadConfig()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	bindFlags(&c, fs, true)
	fs.VisitAll(func(f *flag.Flag) {
		if err := fs.Set(f.Name, "1"); err != nil {
			t.Logf("flag -%s: %v", f.Name, err)
		}
	})
	if c.PasswordHasher != nil || c.SigningKeyGenerator != nil {
		t.Fatalf("the configuration set a test stand-in: hasher %v, key generator set %v", c.PasswordHasher, c.SigningKeyGenerator != nil)
	}
}
