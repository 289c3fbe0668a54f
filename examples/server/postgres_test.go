package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5"
)

// postgresURL returns the server of ACTIONABLE_TEST_POSTGRES and a schema of
// the test's own, dropped after it; without the variable the test skips
// (or fails, with ACTIONABLE_TEST_POSTGRES_REQUIRED set, as in CI).
func postgresURL(t *testing.T) (url, schema string) {
	t.Helper()
	url = os.Getenv("ACTIONABLE_TEST_POSTGRES")
	if url == "" {
		if os.Getenv("ACTIONABLE_TEST_POSTGRES_REQUIRED") != "" {
			t.Fatal("ACTIONABLE_TEST_POSTGRES is not set, and ACTIONABLE_TEST_POSTGRES_REQUIRED says the PostgreSQL tests must run")
		}
		t.Skip("set ACTIONABLE_TEST_POSTGRES (postgres://postgres@127.0.0.1:5432/test) to run the example server on PostgreSQL")
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema = "actionable_server_test_" + hex.EncodeToString(b[:])
	t.Cleanup(func() {
		conn, err := pgx.Connect(context.Background(), url)
		if err != nil {
			t.Errorf("dropping schema %s: %v", schema, err)
			return
		}
		defer conn.Close(context.Background())
		if _, err := conn.Exec(context.Background(), "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE"); err != nil {
			t.Errorf("dropping schema %s: %v", schema, err)
		}
	})
	return url, schema
}

// serverProcess is the example server's binary running in a process of
// its own.
type serverProcess struct {
	cmd    *exec.Cmd
	addr   string
	stderr *syncBuffer
	exited chan error
}

// buildServer builds the example server once per test binary.
var buildServer = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "actionable-server")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "server")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

// startServer starts the binary with args and waits until it listens.
func startServer(t *testing.T, args ...string) *serverProcess {
	t.Helper()
	p := launchServer(t, args...)
	p.waitListening(t)
	return p
}

// launchServer starts the binary with args, without waiting.
func launchServer(t *testing.T, args ...string) *serverProcess {
	t.Helper()
	bin, err := buildServer()
	if err != nil {
		t.Fatal(err)
	}
	p := &serverProcess{stderr: &syncBuffer{}, exited: make(chan error, 1)}
	p.cmd = exec.Command(bin, append([]string{"-addr", "127.0.0.1:0", "-data", "../../testdata"}, args...)...)
	p.cmd.Stderr = p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.exited <- p.cmd.Wait() }()
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			_ = p.cmd.Process.Kill()
			<-p.exited
		}
	})
	return p
}

// waitListening waits until the server listens.
func (p *serverProcess) waitListening(t *testing.T) {
	t.Helper()
	waitFor(t, "listening on", func() bool {
		if m := listeningOn.FindStringSubmatch(p.stderr.String()); m != nil {
			p.addr = m[1]
			return true
		}
		select {
		case err := <-p.exited:
			t.Fatalf("the server exited: %v\n%s", err, p.stderr)
		default:
		}
		return false
	})
}

// stop sends SIGTERM and waits for a clean exit.
func (p *serverProcess) stop(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := <-p.exited; err != nil {
		t.Fatalf("the server exited with %v\n%s", err, p.stderr)
	}
}

// do sends a request to the server and returns the status and body.
func (p *serverProcess) do(t *testing.T, method, path, body string, header ...string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, "http://"+p.addr+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

const (
	closeWP42 = `{"_links": {"workPackage": {"href": "/api/v3/work_packages/42"}}, "lockVersion": 3}`
	sfLinks   = "/services/data/v62.0/connect/action-links/"
)

// TestPostgresRestart runs the server on PostgreSQL, changes the demo data,
// stops the server and starts it again: what was done stays done. A closed
// work package stays closed, a stale lockVersion stays stale, a Once link
// Alice executed refuses Bob; and the demo data is not loaded over it.
func TestPostgresRestart(t *testing.T) {
	url, schema := postgresURL(t)
	args := []string{"-postgres", url, "-postgres-schema", schema}

	first := startServer(t, args...)
	if status, body := first.do(t, "POST", "/api/v3/custom_actions/1/execute", closeWP42, "Authorization", "Bearer op-member", "Content-Type", "application/json"); status != 200 || !strings.Contains(body, `"lockVersion":4`) {
		t.Fatalf("closing 42: %d %s", status, body)
	}
	if status, body := first.do(t, "PATCH", sfLinks+"0An000000000001AAA", `{"status":"PendingStatus"}`, "Authorization", "Bearer sf-alice", "Content-Type", "application/json"); status != 200 || !strings.Contains(body, `"status":"SuccessfulStatus"`) {
		t.Fatalf("Alice executing the Once link: %d %s", status, body)
	}
	first.stop(t)

	second := startServer(t, args...)
	status, body := second.do(t, "GET", "/api/v3/work_packages/42", "", "Authorization", "Bearer op-member")
	if status != 200 || !strings.Contains(body, `"lockVersion":4`) || !strings.Contains(body, `"title":"Closed"`) {
		t.Errorf("work package 42 after the restart: %d %s\nwant it closed at lockVersion 4", status, body)
	}
	if status, body := second.do(t, "POST", "/api/v3/custom_actions/1/execute", closeWP42, "Authorization", "Bearer op-member", "Content-Type", "application/json"); status != 409 {
		t.Errorf("the stale lockVersion 3 after the restart: %d %s, want 409", status, body)
	}
	if status, body := second.do(t, "PATCH", sfLinks+"0An000000000001AAA", `{"status":"PendingStatus"}`, "Authorization", "Bearer sf-bob", "Content-Type", "application/json"); status != 400 || !strings.Contains(body, "only once") {
		t.Errorf("Bob executing the Once link after the restart: %d %s, want 400 (Alice executed it)", status, body)
	}
	second.stop(t)
}

// TestPostgresServersStartAtOnce starts four servers at once on a new
// schema: each migrates, registers the same collections and loads the
// demo data, and each starts; the data is loaded once.
func TestPostgresServersStartAtOnce(t *testing.T) {
	url, schema := postgresURL(t)
	args := []string{"-postgres", url, "-postgres-schema", schema}
	servers := make([]*serverProcess, 4)
	for i := range servers {
		servers[i] = launchServer(t, args...)
	}
	for _, s := range servers {
		s.waitListening(t)
	}
	for _, s := range servers {
		status, body := s.do(t, "GET", "/api/v3/work_packages/42", "", "Authorization", "Bearer op-member")
		if status != 200 || !strings.Contains(body, `"lockVersion":3`) {
			t.Errorf("work package 42 on %s: %d %s, want the demo data at lockVersion 3", s.addr, status, body)
		}
		s.stop(t)
	}
}

// TestPostgresTwoServers runs two server processes on one database, on two
// ports, and sends 20 concurrent executes of one action on one work package
// at one lockVersion, spread over both: exactly one wins.
func TestPostgresTwoServers(t *testing.T) {
	url, schema := postgresURL(t)
	args := []string{"-postgres", url, "-postgres-schema", schema}
	servers := []*serverProcess{startServer(t, args...), startServer(t, args...)}
	var mu sync.Mutex
	statuses := map[int]int{}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range 20 {
		wg.Go(func() {
			<-start
			status, _ := servers[i%2].do(t, "POST", "/api/v3/custom_actions/1/execute", closeWP42,
				"Authorization", "Bearer op-member", "Content-Type", "application/json")
			mu.Lock()
			statuses[status]++
			mu.Unlock()
		})
	}
	close(start)
	wg.Wait()
	if statuses[200] != 1 || statuses[409] != 19 {
		t.Errorf("statuses of 20 concurrent executes over two servers: %v, want one 200 and nineteen 409", statuses)
	}
	for _, s := range servers {
		status, body := s.do(t, "GET", "/api/v3/work_packages/42", "", "Authorization", "Bearer op-member")
		if status != 200 || !strings.Contains(body, `"lockVersion":4`) {
			t.Errorf("work package 42 on %s: %d %s, want lockVersion 4 on both", s.addr, status, body)
		}
		s.stop(t)
	}
}
