package db

import (
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"syscall"
	"testing"

	"github.com/lib/pq"
)

func TestIsStorageFailure(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"not found", fmt.Errorf("get: %w", ErrNotFound), false},
		{"already exists", ErrAlreadyExists, false},
		{"plain error", errors.New("members: forbidden"), false},
		{"connection refused", fmt.Errorf("q: %w", &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}), true},
		{"bad connection", fmt.Errorf("q: %w", driver.ErrBadConn), true},
		{"connection done", sql.ErrConnDone, true},
		{"postgres error", fmt.Errorf("q: %w", &pq.Error{Code: "57P01"}), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IsStorageFailure(tt.err); got != tt.want {
				t.Fatalf("IsStorageFailure(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}
