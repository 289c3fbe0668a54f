package postgres

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/actionable-go/actionable/actions"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Catalogs keeps named rule sets (rule files, see actions.LoadJSON) for
// objects of type T in PostgreSQL, each as a series of versions, and keeps
// engines up to date with them across instances (see Watch). It is safe
// for concurrent use.
type Catalogs[T any] struct {
	pool     *pgxpool.Pool
	schema   string
	channel  string
	compile  []actions.CompileOption
	events   func(WatchEvent)
	interval time.Duration // see WithWatchInterval
}

// NewCatalogs returns the rule catalogs of the schema. WithSchema,
// WithCompileOptions, WithWatchEvents and WithWatchInterval apply. It does no I/O; the schema
// must have been migrated (see Migrate) before the catalogs are used.
func NewCatalogs[T any](pool *pgxpool.Pool, opts ...Option) (*Catalogs[T], error) {
	cfg, err := newConfig(forCatalogs, opts)
	if err != nil {
		return nil, err
	}
	if pool == nil {
		return nil, errors.New("postgres: the pool must not be nil")
	}
	c := &Catalogs[T]{pool: pool, schema: cfg.schema, compile: cfg.compile, events: cfg.events, interval: cfg.watchInterval}
	// One channel per schema; the payload names the rule set. A channel
	// name is an identifier: at most 63 bytes.
	c.channel = cfg.schema + ".catalogs"
	if len(c.channel) > 63 {
		c.channel = fmt.Sprintf("actionable.catalogs.%08x", uint32(hash32(cfg.schema)))
	}
	if c.events == nil {
		c.events = logEvent
	}
	return c, nil
}

// maxNameLength bounds the name of a rule set, so that a notification
// (at most 8000 bytes) always holds it.
const maxNameLength = 200

func checkCatalogName(name string) error {
	if name == "" || len(name) > maxNameLength || !utf8.ValidString(name) || strings.ContainsRune(name, 0) {
		return fmt.Errorf("postgres: %q is no rule set name (1 to %d bytes of UTF-8, no NUL)", name, maxNameLength)
	}
	return nil
}

// Publish stores rules, a rule file, as the next version of the rule set
// name and returns that version; every Watcher of the name installs it.
//
// It compiles the rules against T first, with the options of
// WithCompileOptions, and refuses rules that do not compile, returning the
// error of actions.LoadJSON (a *actions.LoadError with every problem): a
// bad rule set is never stored, so no instance ever installs it. The
// version and its notification are committed together; versions of one
// name are numbered 1, 2, 3... in the order they are published.
func (c *Catalogs[T]) Publish(ctx context.Context, name string, rules []byte) (int64, error) {
	if err := checkCatalogName(name); err != nil {
		return 0, err
	}
	if _, err := actions.LoadJSON[T](bytes.NewReader(rules), c.compile...); err != nil {
		return 0, err
	}
	if !utf8.Valid(rules) || bytes.IndexByte(rules, 0) >= 0 {
		return 0, errors.New("postgres: the rule file must be UTF-8 without NUL bytes")
	}
	var version int64
	err := pgx.BeginFunc(ctx, c.pool, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `WITH head AS (
				INSERT INTO `+ident(c.schema, "catalogs")+` AS c (name, latest) VALUES ($1, 1)
				ON CONFLICT (name) DO UPDATE SET latest = c.latest + 1
				RETURNING latest
			)
			INSERT INTO `+ident(c.schema, "catalog_versions")+` (name, version, rules)
			SELECT $1, latest, $2 FROM head RETURNING version`, name, string(rules)).Scan(&version)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, "SELECT pg_notify($1, $2)", c.channel, strconv.FormatInt(version, 10)+":"+name)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("postgres: publishing rule set %q: %w", name, err)
	}
	return version, nil
}

// Rules returns the rule file of a version of the rule set name, as it was
// published; version 0 is the latest. An unknown name or version matches
// actions.ErrNotFound.
func (c *Catalogs[T]) Rules(ctx context.Context, name string, version int64) ([]byte, int64, error) {
	if err := checkCatalogName(name); err != nil {
		return nil, 0, err
	}
	return c.rules(ctx, c.pool, name, version)
}

// querier is what rules needs of a pool or a connection.
type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// rules is Rules on q.
func (c *Catalogs[T]) rules(ctx context.Context, q querier, name string, version int64) ([]byte, int64, error) {
	var rules string
	err := q.QueryRow(ctx, `SELECT version, rules FROM `+ident(c.schema, "catalog_versions")+`
		WHERE name = $1 AND ($2::bigint = 0 OR version = $2::bigint) ORDER BY version DESC LIMIT 1`, name, version).Scan(&version, &rules)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return nil, 0, fmt.Errorf("%w: rule set %q has no version %d", actions.ErrNotFound, name, version)
	case err != nil:
		return nil, 0, fmt.Errorf("postgres: reading rule set %q: %w", name, err)
	}
	return []byte(rules), version, nil
}

// Latest returns the latest version of the rule set name, compiled. A name
// never published matches actions.ErrNotFound; a version that does not
// compile here (it compiled where it was published, but this instance has
// other compile options) is a *actions.LoadError.
func (c *Catalogs[T]) Latest(ctx context.Context, name string) (*actions.Catalog[T], int64, error) {
	rules, version, err := c.Rules(ctx, name, 0)
	if err != nil {
		return nil, 0, err
	}
	cat, err := actions.LoadJSON[T](bytes.NewReader(rules), c.compile...)
	if err != nil {
		return nil, version, fmt.Errorf("postgres: rule set %q version %d: %w", name, version, err)
	}
	return cat, version, nil
}

// WatchEvent is what a Watcher did.
type WatchEvent struct {
	Name string // the rule set
	// Version is the version installed, or the one that could not be
	// (Err is then a *actions.LoadError); 0 for a connection event.
	Version int64
	// Err is nil when Version was installed. Otherwise the engine keeps
	// its catalog: the version did not compile here, or the connection
	// was lost (the watcher reconnects and catches up).
	Err error
}

func logEvent(ev WatchEvent) {
	switch {
	case ev.Err == nil:
		slog.Info("postgres: rule set installed", "name", ev.Name, "version", ev.Version)
	case ev.Version != 0:
		slog.Warn("postgres: rule set version refused, the engine keeps its catalog", "name", ev.Name, "version", ev.Version, "err", ev.Err)
	default:
		slog.Warn("postgres: rule set watcher", "name", ev.Name, "err", ev.Err)
	}
}

// Watcher keeps an engine's catalog at the latest version of a rule set
// (see Catalogs.Watch). It is safe for concurrent use.
type Watcher[T any] struct {
	c       *Catalogs[T]
	name    string
	engine  *actions.Engine[T]
	version atomic.Int64 // the version installed, 0 before the first
	tried   int64        // the latest version compiled, installed or not; the watcher's goroutine only

	stop     context.CancelFunc
	done     chan struct{}
	stopOnce sync.Once
}

// Backoff of a watcher's reconnections.
const (
	minBackoff = 50 * time.Millisecond
	maxBackoff = 5 * time.Second
)

// Watch keeps engine's catalog at the latest version of the rule set name
// until ctx ends or the watcher is stopped. It LISTENs on a connection of
// its own (taken from the pool, and then out of it), installs the latest
// version with engine.Swap, and returns; a goroutine then installs each
// version published after it. Should the connection be lost (a restart, a
// network fault, a terminated backend), it reconnects with backoff and
// installs the latest version then, so that no version is missed. A
// connection lost without an error is found by reading the latest version
// on it after each quiet interval (WithWatchInterval, by default 30 s),
// which also installs a version whose notification never came.
//
// A version that does not compile here is reported (see WithWatchEvents)
// and not installed: the engine keeps the catalog it has. So is the latest
// version when Watch starts; a name never published leaves the engine's
// catalog as it is until one is. Watch returns an error only when it
// cannot listen or read the latest version.
func (c *Catalogs[T]) Watch(ctx context.Context, name string, engine *actions.Engine[T]) (*Watcher[T], error) {
	if err := checkCatalogName(name); err != nil {
		return nil, err
	}
	if engine == nil {
		return nil, errors.New("postgres: the engine must not be nil")
	}
	w := &Watcher[T]{c: c, name: name, engine: engine, done: make(chan struct{})}
	conn, err := w.listen(ctx)
	if err != nil {
		return nil, err
	}
	if err := w.sync(ctx, conn); err != nil {
		_ = conn.Close(context.WithoutCancel(ctx))
		return nil, err
	}
	ctx, w.stop = context.WithCancel(ctx)
	go w.run(ctx, conn)
	return w, nil
}

// Version returns the version of the rule set the watcher installed last;
// 0 if it has installed none.
func (w *Watcher[T]) Version() int64 { return w.version.Load() }

// Stop stops the watcher and waits for its goroutine to end. The engine
// keeps its catalog.
func (w *Watcher[T]) Stop() {
	w.stopOnce.Do(w.stop)
	<-w.done
}

// Done is closed when the watcher has stopped.
func (w *Watcher[T]) Done() <-chan struct{} { return w.done }

// listen returns a connection of the watcher's own that listens on the
// catalogs' channel.
func (w *Watcher[T]) listen(ctx context.Context) (*pgx.Conn, error) {
	// The pool may hand out a connection that died without a word.
	ctx, cancel := context.WithTimeout(ctx, w.c.interval)
	defer cancel()
	pc, err := w.c.pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("postgres: watching rule set %q: %w", w.name, err)
	}
	conn := pc.Hijack()
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{w.c.channel}.Sanitize()); err != nil {
		_ = conn.Close(context.WithoutCancel(ctx))
		return nil, fmt.Errorf("postgres: watching rule set %q: %w", w.name, err)
	}
	return conn, nil
}

// sync installs the latest version if it is newer than the last one
// tried, reading it on the watcher's connection: that it answers shows
// that it is alive. Only a failure to read it is an error; it gives up
// after the watch interval.
func (w *Watcher[T]) sync(ctx context.Context, conn *pgx.Conn) error {
	rctx, cancel := context.WithTimeout(ctx, w.c.interval)
	defer cancel()
	rules, version, err := w.c.rules(rctx, conn, w.name, 0)
	switch {
	case errors.Is(err, actions.ErrNotFound):
		return nil // nothing published yet
	case err != nil:
		return err
	case version <= w.tried:
		return nil
	}
	w.tried = version
	cat, err := actions.LoadJSON[T](bytes.NewReader(rules), w.c.compile...)
	if err != nil {
		w.c.events(WatchEvent{Name: w.name, Version: version, Err: err})
		return nil
	}
	if _, err := w.engine.Swap(cat); err != nil { // cat is not nil: unreachable
		return err
	}
	w.version.Store(version)
	w.c.events(WatchEvent{Name: w.name, Version: version})
	return nil
}

func (w *Watcher[T]) run(ctx context.Context, conn *pgx.Conn) {
	defer close(w.done)
	defer func() {
		if conn != nil {
			cctx, cancel := context.WithTimeout(context.Background(), time.Second)
			_ = conn.Close(cctx)
			cancel()
		}
	}()
	backoff := minBackoff
	for {
		if conn == nil {
			var err error
			if conn, err = w.listen(ctx); err == nil {
				if err = w.sync(ctx, conn); err != nil {
					_ = conn.Close(context.WithoutCancel(ctx))
					conn = nil
				}
			}
			if err != nil {
				if ctx.Err() != nil {
					return
				}
				w.c.events(WatchEvent{Name: w.name, Err: err})
				select {
				case <-ctx.Done():
					return
				case <-time.After(backoff):
				}
				backoff = min(2*backoff, maxBackoff)
				continue
			}
			backoff = minBackoff
		}
		// A connection can die without a word (a firewall drops it, a
		// host vanishes): waiting for a notification would then wait
		// for good. After an interval without one, the watcher reads the
		// latest version on its connection, which shows that it lives
		// (or fails, and the watcher reconnects) and catches up with a
		// version whose notification was lost.
		wctx, cancel := context.WithTimeout(ctx, w.c.interval)
		n, err := conn.WaitForNotification(wctx)
		quiet := err != nil && wctx.Err() != nil
		cancel()
		if ctx.Err() != nil {
			return
		}
		switch {
		case quiet:
			err = w.sync(ctx, conn)
		case err == nil:
			num, name, ok := strings.Cut(n.Payload, ":")
			v, perr := strconv.ParseInt(num, 10, 64)
			if !ok || perr != nil || name != w.name || v <= w.tried {
				continue
			}
			err = w.sync(ctx, conn)
		}
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			w.c.events(WatchEvent{Name: w.name, Err: fmt.Errorf("postgres: watching rule set %q: %w", w.name, err)})
			_ = conn.Close(context.WithoutCancel(ctx))
			conn = nil
		}
	}
}
