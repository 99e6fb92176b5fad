package dbtest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sesame-idp/sesame/db"
)

// Server is a PostgreSQL server of the test's own, on a free port of
// 127.0.0.1, that the test may stop, start again and kill: fault tests use
// it, never the shared server of SESAME_TEST_DATABASE_URL. Its methods
// must be called from the test's goroutine.
type Server struct {
	tb    testing.TB
	bin   string // directory of initdb, pg_ctl and postgres
	dir   string // holds the data directory, the socket and the log
	port  int
	owner string // run the binaries as this user ("" for ourselves)
}

// StartServer initializes and starts a private PostgreSQL server, stopped
// and removed when the test ends. It skips the test under -short and when
// the PostgreSQL server binaries are not installed. PostgreSQL refuses to
// run as root: then the server runs as the "postgres" user, which must
// exist.
func StartServer(tb testing.TB) *Server {
	tb.Helper()
	if testing.Short() {
		tb.Skip("fault test on a private PostgreSQL skipped under -short")
	}
	bin := serverBinDir()
	if bin == "" {
		tb.Skip("fault test skipped: initdb and pg_ctl not found (install the PostgreSQL server, or put its bin directory in PATH)")
	}
	s := &Server{tb: tb, bin: bin}
	dir, err := os.MkdirTemp("", "sesame-pg-")
	if err != nil {
		tb.Fatal(err)
	}
	s.dir = dir
	tb.Cleanup(func() {
		s.pgctl("stop", "-m", "immediate")
		os.RemoveAll(dir)
	})
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			tb.Fatalf("running as root, PostgreSQL needs the postgres user: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			tb.Fatal(err)
		}
		s.owner = "postgres"
	}
	if out, err := s.run(filepath.Join(bin, "initdb"), "-D", s.data(), "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C"); err != nil {
		tb.Fatalf("initdb: %v\n%s", err, out)
	}
	s.port = freePort(tb)
	if err := s.Start(); err != nil {
		tb.Fatal(err)
	}
	return s
}

// serverBinDir finds the directory of initdb and pg_ctl: PATH first, then
// what pg_config names.
func serverBinDir() string {
	if p, err := exec.LookPath("initdb"); err == nil {
		dir := filepath.Dir(p)
		if _, err := os.Stat(filepath.Join(dir, "pg_ctl")); err == nil {
			return dir
		}
	}
	out, err := exec.Command("pg_config", "--bindir").Output()
	if err != nil {
		return ""
	}
	dir := strings.TrimSpace(string(out))
	for _, b := range []string{"initdb", "pg_ctl", "postgres"} {
		if _, err := os.Stat(filepath.Join(dir, b)); err != nil {
			return ""
		}
	}
	return dir
}

func freePort(tb testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func (s *Server) data() string { return filepath.Join(s.dir, "data") }

// run runs a PostgreSQL binary, as the server's owner when there is one.
func (s *Server) run(name string, args ...string) ([]byte, error) {
	if s.owner != "" {
		args = append([]string{"-u", s.owner, "--", name}, args...)
		name = "runuser"
	}
	return exec.Command(name, args...).CombinedOutput()
}

func (s *Server) pgctl(args ...string) ([]byte, error) {
	return s.run(filepath.Join(s.bin, "pg_ctl"), append([]string{"-D", s.data()}, args...)...)
}

// URL is the address of database name on the server.
func (s *Server) URL(name string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", s.port, name)
}

// Start starts the server (again) and waits until it accepts connections.
// After a kill, the server's old processes may take a moment to go away:
// Start retries for a few seconds.
func (s *Server) Start() error {
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200 -c shared_buffers=16MB", s.port, s.dir)
	var out []byte
	var err error
	for deadline := time.Now().Add(10 * time.Second); ; {
		out, err = s.pgctl("-o", opts, "-l", filepath.Join(s.dir, "log"), "-w", "-t", "30", "start")
		if err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if err != nil {
		log, _ := os.ReadFile(filepath.Join(s.dir, "log"))
		return fmt.Errorf("pg_ctl start: %v\n%s\n%s", err, out, tail(log, 2000))
	}
	return nil
}

// Stop stops the server the way an operator does (pg_ctl stop -m fast):
// open sessions are ended, then the server shuts down.
func (s *Server) Stop() error {
	if out, err := s.pgctl("-w", "stop", "-m", "fast"); err != nil {
		return fmt.Errorf("pg_ctl stop: %v\n%s", err, out)
	}
	return nil
}

// Kill kills the postmaster with SIGKILL, as a crash would: its sessions
// linger until they notice, and the next Start recovers from the WAL.
func (s *Server) Kill() error {
	raw, err := os.ReadFile(filepath.Join(s.data(), "postmaster.pid"))
	if err != nil {
		return fmt.Errorf("postmaster pid: %w", err)
	}
	first, _, _ := strings.Cut(string(raw), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(first))
	if err != nil {
		return fmt.Errorf("postmaster pid %q: %w", first, err)
	}
	return syscall.Kill(pid, syscall.SIGKILL)
}

// Database creates a database on the server, applies the migrations and
// returns its URL.
func (s *Server) Database(name string) string {
	s.tb.Helper()
	ctx := context.Background()
	admin, err := db.Open(ctx, s.URL("postgres"))
	if err != nil {
		s.tb.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		s.tb.Fatalf("create database %s: %v", name, err)
	}
	d, err := db.Open(ctx, s.URL(name))
	if err != nil {
		s.tb.Fatal(err)
	}
	defer d.Close()
	if _, err := d.Migrate(ctx); err != nil {
		s.tb.Fatal(err)
	}
	return s.URL(name)
}

// Log returns the end of the server's log, for a failing test's message.
func (s *Server) Log() string {
	log, _ := os.ReadFile(filepath.Join(s.dir, "log"))
	return tail(log, 4000)
}

func tail(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}
