// Command server is the example server of actionable: every adapter of the
// SDK mounted on one http.ServeMux, over the demo data of testdata/, in
// memory or, with -postgres, in a PostgreSQL schema that outlives the
// process and that several servers can share.
//
//	go run ./examples/server -addr 127.0.0.1:8080 -data testdata
//	go run ./examples/server -postgres postgres://postgres@127.0.0.1:5432/test
//
// The README lists curl commands for each adapter, and the flags (run with
// -h to see them). The server bounds how long a client may take to send a
// request, how long a response may take and how long an idle connection is
// kept; on SIGINT or SIGTERM it stops accepting connections, lets the
// requests in flight finish (for at most -shutdown-grace) and exits 0. A
// second signal stops it at once.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/actionable-go/actionable/actions"
	"github.com/actionable-go/actionable/adapters/salesforce"
)

// server is the example server's handler: every adapter on one mux. It
// keeps the engines and stores of the demo data, for the consoles and so
// that tests can read their versions.
type server struct {
	mux          *http.ServeMux
	op           *demo[opWorkPackage]
	ak           *demo[akanaObject]
	wf           *demo[wfDocument]
	workPackages demoStore[opWorkPackage] // op.store
	akanaObjects demoStore[akanaObject]   // ak.store
	documents    demoStore[wfDocument]    // wf.store
	sf           *salesforce.Handler
	sfStores     salesforce.Stores // the Salesforce demo's links, groups and owners
}

// demo is one adapter's engine over its demo data.
type demo[T any] struct {
	engine *actions.Engine[T]
	store  demoStore[T]
	ids    []string // the demo's objects, in order
}

// newServer returns the handler of every adapter, over the demo data of
// dir in memory; the Salesforce demo's callouts may reach allow besides
// the server itself.
func newServer(dir string, allow allowList) (*server, error) {
	return newServerOn(context.Background(), dir, allow, nil)
}

// newServerOn is newServer on the stores of st (nil: in memory).
func newServerOn(ctx context.Context, dir string, allow allowList, st *storage) (*server, error) {
	s := &server{mux: http.NewServeMux()}
	var err error
	if s.op, err = mountOpenProject(ctx, s.mux, dir, st); err != nil {
		return nil, fmt.Errorf("openproject: %w", err)
	}
	if s.ak, err = mountAkana(ctx, s.mux, dir, st); err != nil {
		return nil, fmt.Errorf("akana: %w", err)
	}
	if s.sf, s.sfStores, err = mountSalesforce(ctx, s.mux, dir, allow, st); err != nil {
		return nil, fmt.Errorf("salesforce: %w", err)
	}
	if s.wf, err = mountWorkfront(ctx, s.mux, dir, st); err != nil {
		return nil, fmt.Errorf("workfront: %w", err)
	}
	s.workPackages, s.akanaObjects, s.documents = s.op.store, s.ak.store, s.wf.store
	if err := mountConsoles(s.mux, dir, s); err != nil {
		return nil, fmt.Errorf("console: %w", err)
	}
	return s, nil
}

// ServeHTTP implements http.Handler.
func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// readJSON decodes a demo data file strictly: an unknown key or trailing
// data is an error, so that a typo in testdata/ fails at start-up.
func readJSON(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("%s: unexpected data after the JSON value", path)
	}
	return nil
}

// errUsage is returned by run for flags the flag package refused (it has
// printed why, and the usage).
var errUsage = errors.New("invalid flags")

// config is what the flags set.
type config struct {
	addr, data        string
	readHeaderTimeout time.Duration
	readTimeout       time.Duration
	writeTimeout      time.Duration
	idleTimeout       time.Duration
	maxHeaderBytes    int
	shutdownGrace     time.Duration
	calloutAllow      string
	postgres          string // the database URL; "" keeps everything in memory
	postgresSchema    string
	journalKeep       int
}

// parseFlags reads args into a config and checks it.
func parseFlags(args []string, output io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	fs.SetOutput(output)
	fs.StringVar(&c.addr, "addr", "127.0.0.1:8080", "address to listen on (port 0 picks a free port)")
	fs.StringVar(&c.data, "data", "testdata", "directory of the demo data")
	fs.DurationVar(&c.readHeaderTimeout, "read-header-timeout", 10*time.Second, "time a client has to send a request's headers")
	fs.DurationVar(&c.readTimeout, "read-timeout", 30*time.Second, "time a client has to send a whole request, body included")
	fs.DurationVar(&c.writeTimeout, "write-timeout", 30*time.Second,
		fmt.Sprintf("time from the end of a request's headers to the end of its response (longer than the %v Salesforce callout timeout)", sfCalloutTimeout))
	fs.DurationVar(&c.idleTimeout, "idle-timeout", 60*time.Second, "time an idle keep-alive connection is kept open")
	fs.IntVar(&c.maxHeaderBytes, "max-header-bytes", 64<<10, "largest request line and headers accepted, in bytes (larger: 431)")
	fs.DurationVar(&c.shutdownGrace, "shutdown-grace", 10*time.Second, "on SIGINT or SIGTERM, time the requests in flight have to finish")
	fs.StringVar(&c.calloutAllow, "callout-allow", "",
		"comma-separated hosts or host:port pairs the Salesforce demo's callouts may reach besides the server itself (a host alone: any port)")
	fs.StringVar(&c.postgres, "postgres", "",
		"PostgreSQL URL (postgres://user@host:5432/db) to keep the demo's objects, journals and Salesforce links in; the default keeps them in memory")
	fs.StringVar(&c.postgresSchema, "postgres-schema", "actionable_demo",
		"the schema of -postgres, migrated at start-up; servers on one database and schema share their data")
	fs.IntVar(&c.journalKeep, "journal-keep", 10000,
		"execution records the OpenProject, Akana and Workfront journals keep in memory, the newest, pruned every second (pending ones and what execution policies read stay); 0 keeps them all. Not with -postgres, whose journals are kept whole")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return c, err
		}
		return c, errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(output, "unexpected arguments: %q\n", fs.Args())
		fs.Usage()
		return c, errUsage
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{
		{"read-header-timeout", c.readHeaderTimeout},
		{"read-timeout", c.readTimeout},
		{"write-timeout", c.writeTimeout},
		{"idle-timeout", c.idleTimeout},
		{"shutdown-grace", c.shutdownGrace},
	} {
		if d.v <= 0 {
			return c, fmt.Errorf("-%s must be positive, not %v", d.name, d.v)
		}
	}
	if c.writeTimeout <= sfCalloutTimeout {
		return c, fmt.Errorf("-write-timeout %v must be longer than the Salesforce callout timeout (%v), or a slow callout's answer is cut off", c.writeTimeout, sfCalloutTimeout)
	}
	if c.maxHeaderBytes <= 0 {
		return c, fmt.Errorf("-max-header-bytes must be positive, not %d", c.maxHeaderBytes)
	}
	if c.journalKeep < 0 {
		return c, fmt.Errorf("-journal-keep must not be negative, not %d", c.journalKeep)
	}
	return c, nil
}

// run is the server: it parses args, loads the demo data, listens, calls
// ready with the bound address (nil: nothing to call), and serves until
// ctx is done. Then it stops accepting connections and waits, for at most
// -shutdown-grace, for the requests in flight; it returns nil if they all
// finished. It logs to stderr.
func run(ctx context.Context, args []string, stderr io.Writer, ready func(net.Addr)) error {
	c, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	allow, err := parseAllowList(ctx, c.calloutAllow)
	if err != nil {
		return fmt.Errorf("-callout-allow: %w", err)
	}
	st, closeStorage, err := openStorage(ctx, c.postgres, c.postgresSchema)
	if err != nil {
		return err
	}
	defer closeStorage()
	h, err := newServerOn(ctx, c.data, allow, st)
	if err != nil {
		return err
	}
	if testServer != nil {
		testServer(h)
	}
	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		return listenError(c.addr, err)
	}
	logger := log.New(stderr, "", log.LstdFlags)
	pruning, stopPruning := context.WithCancel(ctx)
	pruned := make(chan struct{})
	go func() {
		defer close(pruned)
		if c.postgres == "" { // a database's journal is the host's to keep
			h.pruneJournals(pruning, c.journalKeep, logger)
		}
	}()
	defer func() {
		stopPruning()
		<-pruned // no prune outlives run, nor runs on a closed pool
	}()
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: c.readHeaderTimeout,
		ReadTimeout:       c.readTimeout,
		WriteTimeout:      c.writeTimeout,
		IdleTimeout:       c.idleTimeout,
		MaxHeaderBytes:    c.maxHeaderBytes,
		ErrorLog:          logger,
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	logger.Printf("actionable example server listening on http://%s", ln.Addr())
	if ready != nil {
		ready(ln.Addr())
	}

	select {
	case err := <-served: // the listener failed
		return fmt.Errorf("serving on %s: %w", ln.Addr(), err)
	case <-ctx.Done():
	}
	logger.Printf("shutting down: no new connections; the requests in flight have %v to finish", c.shutdownGrace)
	grace, cancel := context.WithTimeout(context.Background(), c.shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(grace); err != nil {
		_ = srv.Close() // cut off what is left
		<-served
		return fmt.Errorf("requests still in flight after the %v shutdown grace period were cut off", c.shutdownGrace)
	}
	<-served // http.ErrServerClosed
	logger.Printf("stopped")
	return nil
}

// testServer, when a test sets it, is handed the handler run serves.
var testServer func(*server)

// journalPruneEvery is how often the server prunes its journals to
// -journal-keep. Tests make it shorter.
var journalPruneEvery = time.Second

// pruneJournals keeps the OpenProject, Akana and Workfront journals to
// their newest keep records (0: all) until ctx is done. An in-memory
// journal would otherwise grow for as long as the server runs, and with
// the heap the allocator's and the collector's work on every execute
// (README, Performance). The Salesforce journal stays whole: a link's
// status and a callout's answer are read from its records.
func (s *server) pruneJournals(ctx context.Context, keep int, logger *log.Logger) {
	if keep == 0 {
		return
	}
	pruners := []actions.Pruner{s.workPackages, s.akanaObjects, s.documents}
	tick := time.NewTicker(journalPruneEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		for _, p := range pruners {
			if _, err := p.Prune(ctx, actions.Retention{Keep: keep}); err != nil && ctx.Err() == nil {
				logger.Printf("pruning a journal to its newest %d records: %v", keep, err)
			}
		}
	}
}

// listenError words a failed net.Listen in one line that names the
// address: "cannot listen on 127.0.0.1:8080: address already in use".
func listenError(addr string, err error) error {
	var se *os.SyscallError
	var oe *net.OpError
	switch {
	case errors.As(err, &se):
		err = se.Err
	case errors.As(err, &oe):
		err = oe.Err
	}
	return fmt.Errorf("cannot listen on %s: %w", addr, err)
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		stop() // a second signal stops the process at once
	}()
	err := run(ctx, os.Args[1:], os.Stderr, nil)
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
	case errors.Is(err, errUsage): // the flag package said why
		os.Exit(2)
	default:
		fmt.Fprintf(os.Stderr, "server: %v\n", err)
		os.Exit(1)
	}
}
