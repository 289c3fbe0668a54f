package postgres_test

import (
	"context"
	"errors"
	"net"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/actionable-go/actionable/actions"
	"github.com/actionable-go/actionable/adapters/postgres"
	"github.com/jackc/pgx/v5/pgxpool"
)

// events collects what a watcher reports.
type events struct {
	mu   sync.Mutex
	list []postgres.WatchEvent
}

func (e *events) add(ev postgres.WatchEvent) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.list = append(e.list, ev)
}

func (e *events) all() []postgres.WatchEvent {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.list)
}

// installed returns the versions reported installed, in order.
func (e *events) installed() []int64 {
	var out []int64
	for _, ev := range e.all() {
		if ev.Err == nil {
			out = append(out, ev.Version)
		}
	}
	return out
}

// eventually polls cond every 5 ms until it holds or the deadline passes.
func eventually(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, within)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// has reports whether the engine's catalog has the action.
func has(e *actions.Engine[Counter], action string) bool {
	_, err := e.Catalog().Action(action)
	return err == nil
}

// resolves reports whether Resolve offers action on obj.
func resolves(t *testing.T, e *actions.Engine[Counter], action string) bool {
	t.Helper()
	list, err := e.Resolve(context.Background(), "c", Counter{}, actions.Actor{ID: "alice"})
	if err != nil {
		t.Fatalf("Resolve: %v", err)
	}
	return slices.ContainsFunc(list, func(a *actions.Action) bool { return a.ID() == action })
}

// listening selects a watcher's backend: its last query was the LISTEN or
// the read of the latest version that follows it.
const listening = "(query LIKE 'LISTEN%' OR query LIKE 'SELECT version, rules FROM%')"

func TestCatalogHotReload(t *testing.T) {
	d := newTestDB(t)
	ctx := context.Background()
	notify := actions.WithEffect("notify", actions.EffectFunc[Counter](func(context.Context, actions.EffectInput[Counter]) error { return nil }))
	type node struct {
		app     string
		cats    *postgres.Catalogs[Counter]
		engine  *actions.Engine[Counter]
		events  *events
		watcher *postgres.Watcher[Counter]
	}
	newNode := func(app string, opts ...actions.CompileOption) *node {
		n := &node{app: app, events: &events{}}
		pool := d.pool(t, app, 4)
		var err error
		n.cats, err = postgres.NewCatalogs[Counter](pool, postgres.WithSchema(d.schema),
			postgres.WithCompileOptions(opts...), postgres.WithWatchEvents(n.events.add))
		if err != nil {
			t.Fatal(err)
		}
		store, err := postgres.NewDocumentStore[Counter](ctx, pool, "counters", postgres.WithSchema(d.schema))
		if err != nil {
			t.Fatal(err)
		}
		if n.engine, err = actions.New(counterCatalog(t, "counter.json", opts...), store); err != nil {
			t.Fatal(err)
		}
		return n
	}
	// A can run the effect "notify"; B cannot.
	a, b := newNode("actionable-test-cat-a", notify), newNode("actionable-test-cat-b")

	if v, err := a.cats.Publish(ctx, "counters", readFile(t, "counter.json")); err != nil || v != 1 {
		t.Fatalf("Publish = version %d, %v; want version 1", v, err)
	}
	for _, n := range []*node{a, b} {
		var err error
		if n.watcher, err = n.cats.Watch(ctx, "counters", n.engine); err != nil {
			t.Fatalf("%s: Watch: %v", n.app, err)
		}
		t.Cleanup(n.watcher.Stop)
		if v := n.watcher.Version(); v != 1 {
			t.Fatalf("%s: Watch installed version %d, want the latest, 1", n.app, v)
		}
	}

	// A publishes, B resolves with the new rules within a second.
	if v, err := a.cats.Publish(ctx, "counters", readFile(t, "counter-v2.json")); err != nil || v != 2 {
		t.Fatalf("Publish = version %d, %v; want version 2", v, err)
	}
	eventually(t, time.Second, "instance B resolving with version 2", func() bool { return resolves(t, b.engine, "double") })
	eventually(t, time.Second, "instance A resolving with version 2", func() bool { return resolves(t, a.engine, "double") })

	// A rule set that does not compile is refused with its problems and
	// stored nowhere: the next version is 3, and no one installed another.
	_, err := a.cats.Publish(ctx, "counters", readFile(t, "counter-bad.json"))
	var le *actions.LoadError
	if !errors.As(err, &le) || len(le.Problems) != 2 {
		t.Fatalf("Publish of a rule set that does not compile: %v; want a *actions.LoadError with its 2 problems", err)
	}
	if _, v, err := a.cats.Rules(ctx, "counters", 0); err != nil || v != 2 {
		t.Errorf("the latest version after a refused Publish = %d, %v; want 2", v, err)
	}
	if v, err := b.cats.Publish(ctx, "counters", readFile(t, "counter.json")); err != nil || v != 3 {
		t.Fatalf("Publish = version %d, %v; want version 3", v, err)
	}
	for _, n := range []*node{a, b} {
		eventually(t, time.Second, n.app+" installing version 3", func() bool { return n.watcher.Version() == 3 })
		if got := n.events.installed(); !slices.Equal(got, []int64{1, 2, 3}) {
			t.Errorf("%s installed versions %v, want [1 2 3]", n.app, got)
		}
		if has(n.engine, "double") || !has(n.engine, "claim") {
			t.Errorf("%s: the engine's catalog is not version 3", n.app)
		}
	}

	// B's listening connection dies; a version published meanwhile
	// reaches B when it reconnects.
	if n := d.terminate(t, b.app, listening); n != 1 {
		t.Fatalf("terminated %d listening backends of B, want 1", n)
	}
	if v, err := a.cats.Publish(ctx, "counters", readFile(t, "counter-v2.json")); err != nil || v != 4 {
		t.Fatalf("Publish = version %d, %v; want version 4", v, err)
	}
	eventually(t, 10*time.Second, "instance B catching up with version 4 after its connection died", func() bool {
		return b.watcher.Version() == 4 && resolves(t, b.engine, "double")
	})
	lost := slices.ContainsFunc(b.events.all(), func(ev postgres.WatchEvent) bool { return ev.Err != nil && ev.Version == 0 })
	if !lost {
		t.Errorf("B reported no lost connection: %+v", b.events.all())
	}

	// An instance that starts later installs the latest version at once.
	late := newNode("actionable-test-cat-late")
	w, err := late.cats.Watch(ctx, "counters", late.engine)
	if err != nil {
		t.Fatal(err)
	}
	if w.Version() != 4 || !has(late.engine, "double") {
		t.Errorf("a late watcher installed version %d, want 4", w.Version())
	}
	w.Stop()
	<-w.Done()

	// A version that compiles where it is published but not on B (which
	// lacks the effect) is reported by B, which keeps its catalog.
	if v, err := a.cats.Publish(ctx, "counters", readFile(t, "counter-effect.json")); err != nil || v != 5 {
		t.Fatalf("Publish = version %d, %v; want version 5", v, err)
	}
	eventually(t, time.Second, "instance A installing version 5", func() bool { return has(a.engine, "announce") })
	eventually(t, time.Second, "instance B reporting version 5", func() bool {
		return slices.ContainsFunc(b.events.all(), func(ev postgres.WatchEvent) bool {
			return ev.Version == 5 && errors.As(ev.Err, &le)
		})
	})
	if b.watcher.Version() != 4 || has(b.engine, "announce") || !has(b.engine, "double") {
		t.Errorf("B after a version it cannot compile: watcher at %d; want it to keep version 4", b.watcher.Version())
	}
}

func TestCatalogRulesAndLatest(t *testing.T) {
	d := newTestDB(t)
	ctx := context.Background()
	cats, err := postgres.NewCatalogs[Counter](d.admin, postgres.WithSchema(d.schema))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := cats.Latest(ctx, "counters"); !errors.Is(err, actions.ErrNotFound) {
		t.Errorf("Latest of a rule set never published: %v, want ErrNotFound", err)
	}
	v1, v2 := readFile(t, "counter.json"), readFile(t, "counter-v2.json")
	for _, rules := range [][]byte{v1, v2} {
		if _, err := cats.Publish(ctx, "counters", rules); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		version, want int64
		rules         []byte
	}{{0, 2, v2}, {1, 1, v1}, {2, 2, v2}} {
		got, v, err := cats.Rules(ctx, "counters", tc.version)
		if err != nil || v != tc.want || string(got) != string(tc.rules) {
			t.Errorf("Rules(version %d) = version %d, %v; want version %d as published", tc.version, v, err, tc.want)
		}
	}
	if _, _, err := cats.Rules(ctx, "counters", 3); !errors.Is(err, actions.ErrNotFound) {
		t.Errorf("Rules of an unknown version: %v, want ErrNotFound", err)
	}
	cat, v, err := cats.Latest(ctx, "counters")
	if err != nil || v != 2 {
		t.Fatalf("Latest = version %d, %v", v, err)
	}
	if _, err := cat.Action("double"); err != nil {
		t.Errorf("Latest is not version 2: %v", err)
	}
	if _, err := cats.Publish(ctx, "", v1); err == nil {
		t.Errorf("Publish with an empty name: no error")
	}
}

// Publishers racing on one name get one version each.
func TestCatalogConcurrentPublish(t *testing.T) {
	d := newTestDB(t)
	cats, err := postgres.NewCatalogs[Counter](d.pool(t, "actionable-test-publish", 8), postgres.WithSchema(d.schema))
	if err != nil {
		t.Fatal(err)
	}
	rules := readFile(t, "counter.json")
	versions := make([]int64, 8)
	var wg sync.WaitGroup
	for i := range versions {
		wg.Go(func() {
			var err error
			if versions[i], err = cats.Publish(context.Background(), "counters", rules); err != nil {
				t.Errorf("Publish: %v", err)
			}
		})
	}
	wg.Wait()
	slices.Sort(versions)
	if want := []int64{1, 2, 3, 4, 5, 6, 7, 8}; !slices.Equal(versions, want) {
		t.Errorf("8 concurrent Publishes got versions %v, want %v", versions, want)
	}
}

// freezer is a TCP proxy to the test server whose connections can be
// frozen: they stay open and carry nothing more, as when a firewall or a
// NAT forgets a connection, and neither end hears of it. Connections made
// after a freeze carry on.
type freezer struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	frozen chan struct{} // closed by freeze, for the connections made before
	done   chan struct{} // closed when the test ends
	conns  []net.Conn
}

func newFreezer(t *testing.T, target string) *freezer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &freezer{ln: ln, target: target, frozen: make(chan struct{}), done: make(chan struct{})}
	var wg sync.WaitGroup
	t.Cleanup(func() {
		close(f.done)
		ln.Close()
		f.mu.Lock()
		for _, c := range f.conns {
			c.Close()
		}
		f.mu.Unlock()
		wg.Wait()
	})
	wg.Go(func() {
		for {
			client, err := ln.Accept()
			if err != nil {
				return
			}
			server, err := net.Dial("tcp", target)
			if err != nil {
				client.Close()
				continue
			}
			f.mu.Lock()
			f.conns = append(f.conns, client, server)
			frozen := f.frozen
			f.mu.Unlock()
			wg.Go(func() { f.pipe(server, client, frozen) })
			wg.Go(func() { f.pipe(client, server, frozen) })
		}
	})
	return f
}

// pipe copies from src to dst until frozen, then drops what comes and
// keeps both open until the test ends.
func (f *freezer) pipe(dst, src net.Conn, frozen chan struct{}) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		select {
		case <-frozen:
			<-f.done
			return
		default:
		}
		if n > 0 {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			dst.Close()
			return
		}
	}
}

// freeze freezes the connections made so far.
func (f *freezer) freeze() {
	f.mu.Lock()
	defer f.mu.Unlock()
	close(f.frozen)
	f.frozen = make(chan struct{})
}

func (f *freezer) port() uint16 { return uint16(f.ln.Addr().(*net.TCPAddr).Port) }

// A watcher whose connection dies without a word, or whose notification
// never comes, still installs every version: it reads the latest after
// each quiet interval, and reconnects when that read fails.
func TestCatalogSilentDrop(t *testing.T) {
	d := newTestDB(t)
	ctx := context.Background()
	cfg, err := pgxpool.ParseConfig(d.url)
	if err != nil {
		t.Fatal(err)
	}
	proxy := newFreezer(t, net.JoinHostPort(cfg.ConnConfig.Host, strconv.Itoa(int(cfg.ConnConfig.Port))))
	cfg.ConnConfig.Host, cfg.ConnConfig.Port = "127.0.0.1", proxy.port()
	cfg.MaxConns = 4
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)

	publisher, err := postgres.NewCatalogs[Counter](d.admin, postgres.WithSchema(d.schema))
	if err != nil {
		t.Fatal(err)
	}
	evs := &events{}
	cats, err := postgres.NewCatalogs[Counter](pool, postgres.WithSchema(d.schema),
		postgres.WithWatchEvents(evs.add), postgres.WithWatchInterval(100*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := publisher.Publish(ctx, "counters", readFile(t, "counter.json")); err != nil {
		t.Fatal(err)
	}
	store, err := postgres.NewDocumentStore[Counter](ctx, d.admin, "counters", postgres.WithSchema(d.schema))
	if err != nil {
		t.Fatal(err)
	}
	engine, err := actions.New(counterCatalog(t, "counter.json"), store)
	if err != nil {
		t.Fatal(err)
	}
	w, err := cats.Watch(ctx, "counters", engine)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)

	// The connection is lost without a word; a version is published
	// meanwhile.
	proxy.freeze()
	if v, err := publisher.Publish(ctx, "counters", readFile(t, "counter-v2.json")); err != nil || v != 2 {
		t.Fatalf("Publish = version %d, %v; want 2", v, err)
	}
	eventually(t, 10*time.Second, "the watcher installing version 2 after its connection was silently lost", func() bool {
		return w.Version() == 2 && has(engine, "double")
	})
	if !slices.ContainsFunc(evs.all(), func(ev postgres.WatchEvent) bool { return ev.Err != nil && ev.Version == 0 }) {
		t.Errorf("the watcher reported no lost connection: %+v", evs.all())
	}

	// A version whose notification never came (stored by hand, as a
	// publisher whose NOTIFY was lost would have).
	d.exec(t, "UPDATE "+d.table("catalogs")+" SET latest = 3 WHERE name = 'counters'")
	d.exec(t, "INSERT INTO "+d.table("catalog_versions")+" (name, version, rules) VALUES ('counters', 3, $1)", string(readFile(t, "counter.json")))
	eventually(t, 10*time.Second, "the watcher installing version 3, never notified", func() bool {
		return w.Version() == 3 && !has(engine, "double")
	})
	if got := evs.installed(); !slices.Equal(got, []int64{1, 2, 3}) {
		t.Errorf("installed versions %v, want [1 2 3]", got)
	}
}
