package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	stdlog "log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/actionable-go/actionable/actions"
)

// syncBuffer is a bytes.Buffer that run's logger and a test can share.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// waitFor polls cond every 10 ms until it holds, or fails t after 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// running is the example server started in the test process by run.
type running struct {
	addr   string
	log    *syncBuffer
	cancel context.CancelFunc
	done   chan error
	once   sync.Once
	err    error
}

// startRun runs the server on a free port of 127.0.0.1 over the demo data,
// with args added, and returns once it listens. The test's cleanup stops
// it.
func startRun(t *testing.T, args ...string) *running {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{log: &syncBuffer{}, cancel: cancel, done: make(chan error, 1)}
	addr := make(chan string, 1)
	go func() {
		args := append([]string{"-addr", "127.0.0.1:0", "-data", "../../testdata"}, args...)
		r.done <- run(ctx, args, r.log, func(a net.Addr) { addr <- a.String() })
	}()
	select {
	case r.addr = <-addr:
	case err := <-r.done:
		t.Fatalf("run: %v\n%s", err, r.log)
	}
	t.Cleanup(func() { _ = r.stop() })
	return r
}

// stop cancels run's context and returns what run returned.
func (r *running) stop() error {
	r.once.Do(func() {
		r.cancel()
		r.err = <-r.done
	})
	return r.err
}

// TestRunClosesSlowConnections opens a few raw connections that stall in
// each way a slow or idle client can, against a server whose timeout for
// that case is short (and the others at their defaults, 10 s and more),
// and checks that the server closes every one of them after that timeout.
func TestRunClosesSlowConnections(t *testing.T) {
	const (
		short = 300 * time.Millisecond
		conns = 4
		// Longer than short by far, shorter than any default timeout:
		// a connection still open then was not closed by the flag.
		patience = 5 * time.Second
	)
	tests := []struct {
		name       string
		args       []string
		send       string
		wantPrefix string        // of what the server sends before closing
		minOpen    time.Duration // the connection stays open at least this long
	}{
		{"silent client", []string{"-read-header-timeout", short.String()}, "", "", short},
		{"headers never finished", []string{"-read-header-timeout", short.String()},
			"GET /webhooks/serviceInfo HTTP/1.1\r\nHost: demo\r\n", "", short},
		{"body never finished", []string{"-read-timeout", short.String()},
			"POST /api/v3/custom_actions/1/execute HTTP/1.1\r\nHost: demo\r\nAuthorization: Bearer op-member\r\n" +
				"Content-Type: application/json\r\nContent-Length: 90\r\n\r\n{\"lockVersion\": 3, ", "HTTP/1.1 400 ", short},
		{"idle after a request", []string{"-idle-timeout", short.String()},
			"GET /webhooks/serviceInfo HTTP/1.1\r\nHost: demo\r\n\r\n", "HTTP/1.1 200 OK\r\n", short},
		{"headers too large", []string{"-max-header-bytes", "1024"},
			"GET /webhooks/serviceInfo HTTP/1.1\r\nHost: demo\r\nX-Padding: " + strings.Repeat("x", 8<<10) + "\r\n\r\n",
			"HTTP/1.1 431 Request Header Fields Too Large\r\n", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startRun(t, tt.args...)
			type result struct {
				got  string
				open time.Duration
				err  error
			}
			results := make(chan result, conns)
			for range conns {
				go func() {
					start := time.Now()
					c, err := net.Dial("tcp", srv.addr)
					if err != nil {
						results <- result{err: err}
						return
					}
					defer c.Close()
					if _, err := io.WriteString(c, tt.send); err != nil {
						results <- result{err: err}
						return
					}
					_ = c.SetReadDeadline(start.Add(patience))
					got, err := io.ReadAll(c) // until the server closes
					results <- result{string(got), time.Since(start), err}
				}()
			}
			for range conns {
				r := <-results
				switch {
				case errors.Is(r.err, os.ErrDeadlineExceeded):
					t.Fatalf("the connection is still open after %v (read %q)", patience, r.got)
				case r.err != nil && !errors.Is(r.err, syscall.ECONNRESET):
					t.Fatal(r.err)
				}
				if !strings.HasPrefix(r.got, tt.wantPrefix) {
					t.Errorf("the server sent %q, want a prefix %q", r.got, tt.wantPrefix)
				}
				if r.open < tt.minOpen {
					t.Errorf("the server closed the connection after %v, before the %v timeout", r.open, tt.minOpen)
				}
			}
		})
	}
}

// execute42 is the request that closes work package 42 (Close, by the
// member, at lockVersion 3).
const execute42 = `{"_links": {"workPackage": {"href": "/api/v3/work_packages/42"}}, "lockVersion": 3}`

// answer42 is the server's whole answer to execute42 on fresh demo data,
// as the handler gives it without a server in between.
func answer42(t *testing.T) string {
	t.Helper()
	r := httptest.NewRequest("POST", "/api/v3/custom_actions/1/execute", strings.NewReader(execute42))
	r.Header.Set("Content-Type", "application/json")
	r.SetBasicAuth("apikey", "op-member")
	w := httptest.NewRecorder()
	demoHandler(t).ServeHTTP(w, r)
	if w.Code != http.StatusOK {
		t.Fatalf("execute42 on the handler: status %d: %s", w.Code, w.Body)
	}
	return w.Body.String()
}

// inFlight is a request to the server at addr that is being served: its
// headers are sent, and the handler has started reading its body (the
// server has answered "100 Continue"), which the test sends when it likes.
type inFlight struct {
	conn net.Conn
	r    *bufio.Reader
}

func startInFlight(t *testing.T, addr string) *inFlight {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	_ = c.SetDeadline(time.Now().Add(30 * time.Second))
	_, err = io.WriteString(c, "POST /api/v3/custom_actions/1/execute HTTP/1.1\r\nHost: demo\r\nAuthorization: Bearer op-member\r\n"+
		"Content-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: "+strconv.Itoa(len(execute42))+"\r\n\r\n")
	if err != nil {
		t.Fatal(err)
	}
	f := &inFlight{conn: c, r: bufio.NewReader(c)}
	line, err := f.r.ReadString('\n')
	if err != nil || line != "HTTP/1.1 100 Continue\r\n" {
		t.Fatalf("got %q, %v; want HTTP/1.1 100 Continue", line, err)
	}
	if blank, err := f.r.ReadString('\n'); err != nil || blank != "\r\n" {
		t.Fatalf("got %q, %v after 100 Continue", blank, err)
	}
	return f
}

// finish sends the body and checks the whole answer.
func (f *inFlight) finish(t *testing.T) {
	t.Helper()
	if _, err := io.WriteString(f.conn, execute42); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(f.r, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Errorf("status %d, want 200", resp.StatusCode)
	}
	if diff := cmp.Diff(answer42(t), string(body)); diff != "" {
		t.Errorf("body mismatch (-want +got):\n%s", diff)
	}
}

// TestRunDrains cancels run's context while a request is in flight: the
// server stops accepting connections, the request gets its whole answer,
// and run returns nil; a request that outlives the grace period is cut
// off, and run says so.
func TestRunDrains(t *testing.T) {
	t.Run("the request finishes", func(t *testing.T) {
		srv := startRun(t)
		req := startInFlight(t, srv.addr)
		stopped := make(chan error, 1)
		go func() { stopped <- srv.stop() }()
		waitFor(t, "the shutdown to start", func() bool { return strings.Contains(srv.log.String(), "shutting down") })
		if c, err := net.Dial("tcp", srv.addr); err == nil {
			c.Close()
			t.Error("a new connection was accepted during the shutdown")
		}
		select {
		case err := <-stopped:
			t.Fatalf("run returned %v with a request in flight", err)
		case <-time.After(100 * time.Millisecond):
		}
		req.finish(t)
		if err := <-stopped; err != nil {
			t.Errorf("run: %v", err)
		}
	})
	t.Run("the grace period ends first", func(t *testing.T) {
		srv := startRun(t, "-shutdown-grace", "200ms")
		req := startInFlight(t, srv.addr)
		err := srv.stop() // the body never comes
		const want = "requests still in flight after the 200ms shutdown grace period were cut off"
		if err == nil || err.Error() != want {
			t.Errorf("run returned %v, want %q", err, want)
		}
		if _, err := io.ReadAll(req.r); err != nil && !errors.Is(err, syscall.ECONNRESET) {
			t.Errorf("after the grace period: %v, want the connection closed", err)
		}
	})
}

// TestRunStartUp: "listening on" names the bound address and comes only
// once a connection to it succeeds; a taken port, bad flags or bad data
// are one error that says what is wrong.
func TestRunStartUp(t *testing.T) {
	t.Run("listening means listening", func(t *testing.T) {
		log := &dialOnListen{}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		ready := make(chan string, 1)
		go func() {
			done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-data", "../../testdata"}, log, func(a net.Addr) { ready <- a.String() })
		}()
		var addr string
		select {
		case addr = <-ready:
		case err := <-done:
			t.Fatal(err)
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		log.mu.Lock()
		defer log.mu.Unlock()
		if log.addr != addr || log.err != nil {
			t.Errorf("the log said listening on %q, and dialing it then gave %v; the server listens on %q", log.addr, log.err, addr)
		}
	})
	t.Run("a taken port", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		addr := ln.Addr().String()
		log := &syncBuffer{}
		err = run(context.Background(), []string{"-addr", addr, "-data", "../../testdata"}, log, nil)
		if !errors.Is(err, syscall.EADDRINUSE) {
			t.Errorf("run returned %v, want EADDRINUSE", err)
		}
		// The wording of the cause is the system's.
		if want := "cannot listen on " + addr + ": address already in use"; runtime.GOOS == "linux" && (err == nil || err.Error() != want) {
			t.Errorf("run returned %v, want %q", err, want)
		}
		if log.String() != "" {
			t.Errorf("run logged %q", log)
		}
	})
	tests := []struct {
		name string
		args []string
		want string // the error
	}{
		{"write timeout within the callout timeout", []string{"-write-timeout", "5s"},
			"-write-timeout 5s must be longer than the Salesforce callout timeout (5s), or a slow callout's answer is cut off"},
		{"no read timeout", []string{"-read-timeout", "0"}, "-read-timeout must be positive, not 0s"},
		{"negative grace", []string{"-shutdown-grace", "-1s"}, "-shutdown-grace must be positive, not -1s"},
		{"no header bytes", []string{"-max-header-bytes", "0"}, "-max-header-bytes must be positive, not 0"},
		{"negative journal keep", []string{"-journal-keep", "-1"}, "-journal-keep must not be negative, not -1"},
		{"a URL to allow", []string{"-callout-allow", "http://localhost:3000"},
			`-callout-allow: "http://localhost:3000" is not a host or host:port: name the host, not a URL or a path`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			log := &syncBuffer{}
			err := run(context.Background(), append([]string{"-addr", "127.0.0.1:0"}, tt.args...), log, nil)
			if err == nil || err.Error() != tt.want {
				t.Errorf("run returned %v, want %q", err, tt.want)
			}
			if log.String() != "" {
				t.Errorf("run logged %q", log)
			}
		})
	}
	t.Run("no data", func(t *testing.T) {
		log := &syncBuffer{}
		err := run(context.Background(), []string{"-addr", "127.0.0.1:0", "-data", "no-such-dir"}, log, nil)
		if !errors.Is(err, fs.ErrNotExist) || !strings.HasPrefix(err.Error(), "openproject: ") || !strings.Contains(err.Error(), "no-such-dir") {
			t.Errorf("run returned %v, want the missing file of openproject", err)
		}
		if log.String() != "" {
			t.Errorf("run logged %q", log)
		}
	})
	t.Run("an unknown flag", func(t *testing.T) {
		log := &syncBuffer{}
		err := run(context.Background(), []string{"-adress", "127.0.0.1:0"}, log, nil)
		if !errors.Is(err, errUsage) || !strings.HasPrefix(log.String(), "flag provided but not defined: -adress\nUsage of server:\n") {
			t.Errorf("run returned %v and logged %q", err, log)
		}
	})
}

// dialOnListen is a log that, when it is told "listening on http://ADDR",
// dials ADDR at once and remembers the outcome.
type dialOnListen struct {
	mu   sync.Mutex
	addr string
	err  error
}

var listeningOn = regexp.MustCompile(`listening on http://(\S+)`)

func (d *dialOnListen) Write(p []byte) (int, error) {
	m := listeningOn.FindSubmatch(p)
	if m == nil {
		return len(p), nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.addr = string(m[1])
	c, err := net.DialTimeout("tcp", d.addr, 5*time.Second)
	if err == nil {
		c.Close()
	}
	d.err = err
	return len(p), nil
}

// TestBinary builds the server and runs it as an operator would: SIGTERM
// and SIGINT let the request in flight finish, then the process exits 0; a
// taken port is one line on stderr and exit status 1.
func TestBinary(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("sends POSIX signals")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to build the server with")
	}
	bin := filepath.Join(t.TempDir(), "server")
	if out, err := exec.Command(goTool, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for _, sig := range []os.Signal{syscall.SIGTERM, os.Interrupt} {
		t.Run(sig.String(), func(t *testing.T) {
			cmd := exec.Command(bin, "-addr", "127.0.0.1:0", "-data", "../../testdata")
			stderr := &syncBuffer{}
			cmd.Stderr = stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			t.Cleanup(func() {
				if cmd.ProcessState == nil {
					_ = cmd.Process.Kill()
					<-exited
				}
			})
			var addr string
			waitFor(t, "listening on", func() bool {
				m := listeningOn.FindStringSubmatch(stderr.String())
				if m != nil {
					addr = m[1]
				}
				return m != nil
			})
			req := startInFlight(t, addr)
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			waitFor(t, "the shutdown to start", func() bool { return strings.Contains(stderr.String(), "shutting down") })
			req.finish(t)
			select {
			case err := <-exited:
				if err != nil {
					t.Errorf("the server exited with %v, want status 0\n%s", err, stderr)
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("the server is still running\n%s", stderr)
			}
			if !strings.HasSuffix(stderr.String(), " stopped\n") {
				t.Errorf("stderr:\n%s\nwant it to end with stopped", stderr)
			}
		})
	}
	t.Run("a taken port", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		cmd := exec.Command(bin, "-addr", ln.Addr().String(), "-data", "../../testdata")
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err = cmd.Run()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 1 {
			t.Errorf("the server exited with %v, want status 1", err)
		}
		want := "server: cannot listen on " + ln.Addr().String() + ": address already in use\n"
		if runtime.GOOS != "linux" { // the wording of the cause is the system's
			want = stderr.String()
			if !strings.HasPrefix(want, "server: cannot listen on "+ln.Addr().String()+": ") || strings.Count(want, "\n") != 1 {
				t.Errorf("stderr: %q, want one line naming the address", want)
			}
		}
		if diff := cmp.Diff(want, stderr.String()); diff != "" {
			t.Errorf("stderr mismatch (-want +got):\n%s", diff)
		}
		if stdout.Len() != 0 {
			t.Errorf("stdout: %q", stdout.String())
		}
	})
}

// TestPruneJournals: with -journal-keep 3, the journal of work packages
// holds only the newest 3 of 5 executions once the pruner has run, and
// still answers for them; with 0 nothing is dropped.
func TestPruneJournals(t *testing.T) {
	defer func(every time.Duration) { journalPruneEvery = every }(journalPruneEvery)
	journalPruneEvery = 5 * time.Millisecond
	ctx := context.Background()
	for _, tt := range []struct {
		keep int
		want []int64 // the Seqs left, oldest first
	}{
		{keep: 3, want: []int64{3, 4, 5}},
		{keep: 0, want: []int64{1, 2, 3, 4, 5}},
	} {
		t.Run(fmt.Sprintf("keep %d", tt.keep), func(t *testing.T) {
			h, err := newServer("../../testdata", nil)
			if err != nil {
				t.Fatal(err)
			}
			execute5(t, h)
			seqs := func() []int64 { return journalSeqs(t, h) }
			pruneCtx, stop := context.WithCancel(ctx)
			done := make(chan struct{})
			log := &syncBuffer{}
			go func() {
				defer close(done)
				h.pruneJournals(pruneCtx, tt.keep, stdlog.New(log, "", 0))
			}()
			if tt.keep > 0 {
				waitFor(t, "the journal pruned", func() bool { return len(seqs()) == tt.keep })
			} else {
				time.Sleep(10 * journalPruneEvery) // time to prune, were it to
			}
			stop()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("pruneJournals did not return after its context ended")
			}
			if diff := cmp.Diff(tt.want, seqs()); diff != "" {
				t.Errorf("the records left (-want +got):\n%s", diff)
			}
			if log.String() != "" {
				t.Errorf("pruneJournals logged %q", log)
			}
		})
	}
}

// execute5 executes custom action 2 five times on work package 42 (at
// lockVersion 3 in the demo data) through h.
func execute5(t *testing.T, h http.Handler) {
	t.Helper()
	for lock := 3; lock < 3+5; lock++ {
		body := fmt.Sprintf(`{"_links":{"workPackage":{"href":"/api/v3/work_packages/42"}},"lockVersion":%d}`, lock)
		r := httptest.NewRequest("POST", "/api/v3/custom_actions/2/execute", strings.NewReader(body))
		r.Header.Set("Authorization", "Bearer op-admin")
		r.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			t.Fatalf("execute at lockVersion %d: status %d: %s", lock, w.Code, w.Body)
		}
	}
}

// journalSeqs returns the Seqs of work package 42's records, oldest first.
func journalSeqs(t *testing.T, h *server) []int64 {
	t.Helper()
	recs, err := h.workPackages.Executions(context.Background(), actions.Filter{ObjectID: "42"})
	if err != nil {
		t.Fatal(err)
	}
	var out []int64
	for _, r := range recs {
		out = append(out, r.Seq)
	}
	return out
}

// TestRunPrunesJournals: run prunes the journals it serves to
// -journal-keep, and keeps 10,000 by default.
func TestRunPrunesJournals(t *testing.T) {
	// Cleanups, so that they run after startRun's, which stops the server.
	every := journalPruneEvery
	t.Cleanup(func() { journalPruneEvery, testServer = every, nil })
	journalPruneEvery = 5 * time.Millisecond
	var h *server
	testServer = func(s *server) { h = s }
	startRun(t, "-journal-keep", "2")
	execute5(t, h)
	waitFor(t, "the journal pruned to 2", func() bool { return len(journalSeqs(t, h)) == 2 })
	if diff := cmp.Diff([]int64{4, 5}, journalSeqs(t, h)); diff != "" {
		t.Errorf("the records left (-want +got):\n%s", diff)
	}

	c, err := parseFlags(nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.journalKeep != 10000 {
		t.Errorf("-journal-keep defaults to %d, want 10000", c.journalKeep)
	}
}
