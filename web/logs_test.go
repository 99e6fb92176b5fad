package web_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"
)

// logBuffer collects the JSON log lines of an instance.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// requestLine waits for the request log line ("msg":"http") whose path
// starts with prefix and returns its fields.
func (b *logBuffer) requestLine(t *testing.T, prefix string) map[string]any {
	t.Helper()
	for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		for _, l := range strings.Split(b.String(), "\n") {
			var m map[string]any
			if json.Unmarshal([]byte(l), &m) != nil || m["msg"] != "http" {
				continue
			}
			if p, _ := m["path"].(string); strings.HasPrefix(p, prefix) {
				return m
			}
		}
	}
	t.Fatalf("no request log line for %s in:\n%s", prefix, b.String())
	return nil
}
