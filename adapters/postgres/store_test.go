package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/actionable-go/actionable/actions"
	"github.com/actionable-go/actionable/actionstest"
	"github.com/actionable-go/actionable/adapters/postgres"
	"github.com/google/go-cmp/cmp"
)

// Task is the object of the store tests: a string, numbers, a slice, a map
// (jsonb in a host table), a nullable time.
type Task struct {
	Title  string            `json:"title" db:"title"`
	Status string            `json:"status" db:"status"`
	Count  int               `json:"count" db:"count"`
	Tags   []string          `json:"tags" db:"tags"`
	Meta   map[string]string `json:"meta" db:"meta"`
	Due    *time.Time        `json:"due" db:"due"`
}

func sampleTask(i int) Task {
	due := time.Date(2025, 3, 1+i%28, 12, 0, 0, 123456000, time.UTC)
	return Task{
		Title: fmt.Sprint("task ", i), Status: "open", Count: i,
		Tags: []string{"a", fmt.Sprint("t", i)}, Meta: map[string]string{"n": fmt.Sprint(i)}, Due: &due,
	}
}

func mutateTask(t *Task) {
	t.Tags[0] = "changed"
	t.Meta["n"] = "changed"
	*t.Due = t.Due.Add(time.Hour)
}

// taskTableDDL creates a host table for Task, as a host's migration would:
// an id, a lock_version, Task's columns and one the store does not know.
const taskTableDDL = `CREATE TABLE %s (
	id           text PRIMARY KEY,
	lock_version integer NOT NULL,
	title        text NOT NULL,
	status       text NOT NULL,
	count        integer NOT NULL,
	tags         text[],
	meta         jsonb,
	due          timestamptz,
	created_at   timestamptz NOT NULL DEFAULT now()
)`

func TestDocumentStoreConformance(t *testing.T) {
	d := newTestDB(t)
	pool := d.pool(t, "actionable-test-docs", 10)
	var n atomic.Int64
	actionstest.TestStore(t, func() actionstest.Store[Task] {
		s, err := postgres.NewDocumentStore[Task](context.Background(), pool, fmt.Sprint("tasks-", n.Add(1)), postgres.WithSchema(d.schema))
		if err != nil {
			t.Fatalf("NewDocumentStore: %v", err)
		}
		return s
	}, sampleTask, mutateTask)
}

func TestTableStoreConformance(t *testing.T) {
	d := newTestDB(t)
	pool := d.pool(t, "actionable-test-table", 10)
	var n atomic.Int64
	actionstest.TestStore(t, func() actionstest.Store[Task] {
		name := fmt.Sprint("tasks_", n.Add(1))
		d.exec(t, fmt.Sprintf(taskTableDDL, d.table(name)))
		s, err := postgres.NewTableStore[Task](context.Background(), pool, d.schema+"."+name,
			postgres.WithSchema(d.schema), postgres.WithVersionColumn("lock_version"))
		if err != nil {
			t.Fatalf("NewTableStore: %v", err)
		}
		return s
	}, sampleTask, mutateTask)
}

// The collections of one schema are apart: the same id in two is two
// objects, each with its own journal.
func TestDocumentCollectionsApart(t *testing.T) {
	d := newTestDB(t)
	ctx := context.Background()
	a, err := postgres.NewDocumentStore[Task](ctx, d.admin, "a", postgres.WithSchema(d.schema))
	if err != nil {
		t.Fatal(err)
	}
	b, err := postgres.NewDocumentStore[Task](ctx, d.admin, "b", postgres.WithSchema(d.schema))
	if err != nil {
		t.Fatal(err)
	}
	again, err := postgres.NewDocumentStore[Task](ctx, d.admin, "a", postgres.WithSchema(d.schema))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []*postgres.Store[Task]{a, b} {
		if _, err := s.Create(ctx, "1", sampleTask(len(s.Collection()))); err != nil {
			t.Fatalf("Create in %s: %v", s.Collection(), err)
		}
	}
	rec := &actions.Execution{ID: "x1", ActionID: "close", ObjectID: "1", ActorID: "alice", Time: time.Unix(0, 0).UTC(), FromVersion: 1, ToVersion: 2, Status: actions.StatusSucceeded}
	if _, err := a.Save(ctx, "1", sampleTask(5), 1, rec); err != nil {
		t.Fatalf("Save: %v", err)
	}
	// The same execution id in another collection is another execution.
	rec2 := *rec
	if _, err := b.Save(ctx, "1", sampleTask(6), 1, &rec2); err != nil {
		t.Fatalf("Save of execution x1 in collection b: %v", err)
	}
	got, v, err := again.Load(ctx, "1")
	if err != nil || v != 2 {
		t.Fatalf("Load from a second store on collection a = version %d, %v; want 2", v, err)
	}
	if diff := cmp.Diff(sampleTask(5), got); diff != "" {
		t.Errorf("Load from a second store on collection a mismatch (-want +got):\n%s", diff)
	}
	for _, s := range []*postgres.Store[Task]{a, b} {
		recs, err := s.Executions(ctx, actions.Filter{})
		if err != nil || len(recs) != 1 {
			t.Errorf("collection %s: Executions = %d records, %v; want 1", s.Collection(), len(recs), err)
		}
	}
	if err := a.Delete(ctx, "1"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if err := a.Delete(ctx, "1"); !errors.Is(err, actions.ErrNotFound) {
		t.Errorf("Delete of a deleted object: %v, want ErrNotFound", err)
	}
	if _, _, err := b.Load(ctx, "1"); err != nil {
		t.Errorf("Load from collection b after a Delete in a: %v", err)
	}
	// The policies of a deleted object outlive it.
	st, err := a.Policies(ctx, actions.PolicyQuery{ObjectIDs: []string{"1"}, ActorID: "alice", ActionIDs: []string{"close"}})
	if err != nil || len(st) != 1 || !st[0].ByActor {
		t.Errorf("Policies after Delete = %+v, %v; want close by alice", st, err)
	}
}

func TestStoreNotMigrated(t *testing.T) {
	d := newTestDB(t)
	_, err := postgres.NewDocumentStore[Task](context.Background(), d.admin, "tasks", postgres.WithSchema(d.schema+"_none"))
	if err == nil || !strings.Contains(err.Error(), "not migrated") {
		t.Errorf("NewDocumentStore on a schema never migrated: error %v; want one that says to migrate", err)
	}
}

// Integer ids, as most host tables have: an id that is no integer is no
// object's.
func TestTableStoreIntegerID(t *testing.T) {
	d := newTestDB(t)
	ctx := context.Background()
	type Row struct {
		ID    int64  `db:"id"`
		Title string `db:"title"`
		Rev   int64  `db:"rev"`
	}
	d.exec(t, "CREATE TABLE "+d.table("rows")+" (id bigint PRIMARY KEY, rev bigint NOT NULL, title text NOT NULL)")
	s, err := postgres.NewTableStore[Row](ctx, d.admin, d.schema+".rows", postgres.WithSchema(d.schema), postgres.WithVersionColumn("rev"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Create(ctx, "42", Row{ID: 7, Title: "a", Rev: 99}); err != nil {
		t.Fatalf("Create: %v", err)
	}
	got, v, err := s.Load(ctx, "42")
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	// The id and version fields read the columns; writing them is the store's.
	if diff := cmp.Diff(Row{ID: 42, Title: "a", Rev: 1}, got); diff != "" || v != 1 {
		t.Errorf("Load = version %d, mismatch (-want +got):\n%s", v, diff)
	}
	if _, err := s.Save(ctx, "42", Row{ID: 1, Title: "b", Rev: 1}, 1, nil); err != nil {
		t.Fatalf("Save: %v", err)
	}
	if got, v, _ := s.Load(ctx, "42"); got != (Row{ID: 42, Title: "b", Rev: 2}) || v != 2 {
		t.Errorf("Load after Save = %+v at version %d", got, v)
	}
	for _, id := range []string{"x", "99999999999999999999", "43"} {
		if _, _, err := s.Load(ctx, id); !errors.Is(err, actions.ErrNotFound) {
			t.Errorf("Load(%q): %v, want ErrNotFound", id, err)
		}
		if err := s.Delete(ctx, id); !errors.Is(err, actions.ErrNotFound) {
			t.Errorf("Delete(%q): %v, want ErrNotFound", id, err)
		}
	}
	if _, err := s.Create(ctx, "42", Row{}); !errors.Is(err, actions.ErrConflict) {
		t.Errorf("Create of an existing id: %v, want ErrConflict", err)
	}
}

// A host table with another unique column: a violation of it is not an
// existing id.
func TestTableStoreOtherUnique(t *testing.T) {
	d := newTestDB(t)
	ctx := context.Background()
	type Row struct {
		Title string `db:"title"`
	}
	d.exec(t, "CREATE TABLE "+d.table("rows")+" (id text PRIMARY KEY, version int NOT NULL, title text NOT NULL UNIQUE)")
	s, err := postgres.NewTableStore[Row](ctx, d.admin, d.schema+".rows", postgres.WithSchema(d.schema))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Create(ctx, "1", Row{"same"}); err != nil {
		t.Fatal(err)
	}
	_, err = s.Create(ctx, "2", Row{"same"})
	if err == nil || errors.Is(err, actions.ErrConflict) {
		t.Errorf("Create with a duplicate title: %v; want an error that is not ErrConflict", err)
	}
}

func TestNewTableStoreErrors(t *testing.T) {
	d := newTestDB(t)
	ctx := context.Background()
	d.exec(t, "CREATE TABLE "+d.table("rows")+" (id text PRIMARY KEY, version int NOT NULL, title text NOT NULL, label text)")
	d.exec(t, "CREATE TABLE "+d.table("nokey")+" (id text, version int NOT NULL, title text NOT NULL)")
	d.exec(t, "CREATE TABLE "+d.table("textver")+" (id text PRIMARY KEY, version text NOT NULL, title text NOT NULL)")
	type Good struct {
		Title string `db:"title"`
		Skip  string `db:"-"`
	}
	type Untagged struct {
		Title string `db:"title"`
		Label string
	}
	type Typo struct {
		Title string `db:"titel"`
	}
	type Twice struct {
		A string `db:"title"`
		B string `db:"title"`
	}
	schema := postgres.WithSchema(d.schema)
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"untagged", try[Untagged](ctx, d, "rows", schema), "no db tag"},
		{"typo", try[Typo](ctx, d, "rows", schema), `no column "titel"`},
		{"twice", try[Twice](ctx, d, "rows", schema), "both map"},
		{"no table", try[Good](ctx, d, "missing", schema), "does not exist"},
		{"no id column", try[Good](ctx, d, "rows", schema, postgres.WithIDColumn("key")), `no id column "key"`},
		{"no version column", try[Good](ctx, d, "rows", schema, postgres.WithVersionColumn("lock_version")), `no version column "lock_version"`},
		{"id not unique", try[Good](ctx, d, "nokey", schema), "not unique"},
		{"version not an integer", try[Good](ctx, d, "textver", schema), "not an integer"},
		{"not a struct", try[string](ctx, d, "rows", schema), "struct"},
		{"catalog option", try[Good](ctx, d, "rows", schema, postgres.WithCompileOptions()), "WithCompileOptions does not apply"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.err == nil || !strings.Contains(tc.err.Error(), tc.want) {
				t.Errorf("NewTableStore: error %v; want one that says %q", tc.err, tc.want)
			}
		})
	}
	if err := try[Good](ctx, d, "rows", schema); err != nil {
		t.Errorf("NewTableStore of a good type: %v", err)
	}
}

func try[T any](ctx context.Context, d *testDB, table string, opts ...postgres.Option) error {
	_, err := postgres.NewTableStore[T](ctx, d.admin, d.schema+"."+table, opts...)
	return err
}

func TestOptionsWhereTheyApply(t *testing.T) {
	d := newTestDB(t)
	ctx := context.Background()
	if _, err := postgres.NewDocumentStore[Task](ctx, d.admin, "x", postgres.WithSchema(d.schema), postgres.WithVersionColumn("v")); err == nil {
		t.Errorf("NewDocumentStore with WithVersionColumn: no error")
	}
	if _, err := postgres.Migrate(ctx, d.admin, postgres.WithCollection("x")); err == nil {
		t.Errorf("Migrate with WithCollection: no error")
	}
	if _, err := postgres.NewCatalogs[Task](d.admin, postgres.WithIDColumn("x")); err == nil {
		t.Errorf("NewCatalogs with WithIDColumn: no error")
	}
	if _, err := postgres.NewDocumentStore[Task](ctx, d.admin, "x", postgres.WithSchema("")); err == nil {
		t.Errorf("WithSchema(\"\"): no error")
	}
}

// Instances starting at once register one collection: every constructor
// succeeds, and they all share one row of collections. The first case
// makes the race certain: a transaction of another instance has inserted
// the row and not committed when the constructors run; the registering
// INSERTs wait for it, and find the row when it commits.
func TestConcurrentRegistration(t *testing.T) {
	const n = 8
	for _, held := range []bool{true, false} {
		t.Run(fmt.Sprintf("held=%v", held), func(t *testing.T) {
			d := newTestDB(t)
			ctx := context.Background()
			app := "actionable-test-register"
			pool := d.pool(t, app, n)
			d.exec(t, "CREATE TABLE "+d.table("rows")+" (id text PRIMARY KEY, version int NOT NULL, title text NOT NULL)")
			type Row struct {
				Title string `db:"title"`
			}
			var commit func()
			if held {
				tx, err := d.admin.Begin(ctx)
				if err != nil {
					t.Fatal(err)
				}
				defer tx.Rollback(ctx)
				for _, name := range []string{"tasks", "rows"} {
					if _, err := tx.Exec(ctx, "INSERT INTO "+d.table("collections")+" (name) VALUES ($1)", name); err != nil {
						t.Fatal(err)
					}
				}
				commit = func() {
					eventually(t, 10*time.Second, "the constructors waiting for the other instance's transaction", func() bool {
						var waiting int
						err := d.admin.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
							WHERE application_name = $1 AND wait_event_type = 'Lock'`, app).Scan(&waiting)
						return err == nil && waiting == n
					})
					if err := tx.Commit(ctx); err != nil {
						t.Fatal(err)
					}
				}
			}
			docs := make([]*postgres.Store[Task], n/2)
			rows := make([]*postgres.Store[Row], n/2)
			errs := make([]error, n)
			var wg sync.WaitGroup
			for i := range n / 2 {
				wg.Go(func() {
					docs[i], errs[i] = postgres.NewDocumentStore[Task](ctx, pool, "tasks", postgres.WithSchema(d.schema))
				})
				wg.Go(func() {
					rows[i], errs[n/2+i] = postgres.NewTableStore[Row](ctx, pool, d.schema+".rows", postgres.WithSchema(d.schema), postgres.WithCollection("rows"))
				})
			}
			if commit != nil {
				commit()
			}
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Fatalf("constructor %d of %d starting at once: %v", i, n, err)
				}
			}
			var count int
			if err := d.admin.QueryRow(ctx, "SELECT count(*) FROM "+d.table("collections")).Scan(&count); err != nil || count != 2 {
				t.Errorf("collections has %d rows, %v; want 2 (tasks and rows)", count, err)
			}
			// They are one collection: what one stores the others see, in
			// the journal too.
			if _, err := docs[0].Create(ctx, "1", sampleTask(1)); err != nil {
				t.Fatal(err)
			}
			rec := &actions.Execution{ID: "x1", ActionID: "a", ObjectID: "1", ActorID: "alice", Time: time.Unix(0, 0).UTC(), FromVersion: 1, ToVersion: 2, Status: actions.StatusSucceeded}
			if _, err := docs[0].Save(ctx, "1", sampleTask(2), 1, rec); err != nil {
				t.Fatal(err)
			}
			for i, s := range docs {
				if recs, err := s.Executions(ctx, actions.Filter{}); err != nil || len(recs) != 1 {
					t.Errorf("document store %d: %d records, %v; want the one saved through store 0", i, len(recs), err)
				}
			}
		})
	}
}

// Text PostgreSQL cannot keep (a NUL byte, invalid UTF-8): an id of it is
// no object's and no execution's, a Create or Save of it is an
// *UnstorableError that stores nothing, never a raw error of the driver.
func TestUnstorable(t *testing.T) {
	d := newTestDB(t)
	ctx := context.Background()
	d.exec(t, fmt.Sprintf(taskTableDDL, d.table("tasks")))
	docs, err := postgres.NewDocumentStore[Task](ctx, d.admin, "tasks", postgres.WithSchema(d.schema))
	if err != nil {
		t.Fatal(err)
	}
	table, err := postgres.NewTableStore[Task](ctx, d.admin, d.schema+".tasks", postgres.WithSchema(d.schema), postgres.WithVersionColumn("lock_version"))
	if err != nil {
		t.Fatal(err)
	}
	rec := func(id string) *actions.Execution {
		return &actions.Execution{ID: id, ActionID: "close", ObjectID: "1", ActorID: "alice", Time: time.Unix(0, 0).UTC(), FromVersion: 1, ToVersion: 2, Status: actions.StatusPending}
	}
	// unstorable checks err: an *UnstorableError of field, found by the
	// package (server false) or by the server.
	unstorable := func(t *testing.T, call string, err error, field string, server bool) {
		t.Helper()
		var ue *postgres.UnstorableError
		switch {
		case !errors.Is(err, postgres.ErrUnstorable) || !errors.As(err, &ue):
			t.Errorf("%s: error %v; want a *postgres.UnstorableError matching ErrUnstorable", call, err)
		case errors.Is(err, actions.ErrConflict) || errors.Is(err, actions.ErrNotFound):
			t.Errorf("%s: error %v matches ErrConflict or ErrNotFound", call, err)
		case ue.Field != field:
			t.Errorf("%s: the error's field is %q, want %q", call, ue.Field, field)
		case server != (ue.Err != nil):
			t.Errorf("%s: the error's server error is %v; want one: %v", call, ue.Err, server)
		}
	}
	for _, tc := range []struct {
		name  string
		store *postgres.Store[Task]
	}{{"documents", docs}, {"table", table}} {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.store
			for _, id := range []string{"1\x00", "1\xff"} {
				_, err := s.Create(ctx, id, sampleTask(1))
				unstorable(t, fmt.Sprintf("Create(%q)", id), err, "object id", false)
				if _, _, err := s.Load(ctx, id); !errors.Is(err, actions.ErrNotFound) {
					t.Errorf("Load(%q): %v, want ErrNotFound", id, err)
				}
				if err := s.Delete(ctx, id); !errors.Is(err, actions.ErrNotFound) {
					t.Errorf("Delete(%q): %v, want ErrNotFound", id, err)
				}
				_, err = s.Save(ctx, id, sampleTask(1), 1, rec("x-"+id))
				unstorable(t, fmt.Sprintf("Save(%q)", id), err, "object id", false)
				if _, err := s.Finish(ctx, id, actions.StatusSucceeded, ""); !errors.Is(err, actions.ErrNotFound) {
					t.Errorf("Finish(%q): %v, want ErrNotFound", id, err)
				}
				for _, f := range []actions.Filter{{ID: id}, {ObjectID: id}, {ActorID: id, Limit: 1}, {ActionID: id, Newest: true}} {
					if got, err := s.Executions(ctx, f); err != nil || len(got) != 0 {
						t.Errorf("Executions(%#v) = %d records, %v; want none", f, len(got), err)
					}
				}
				if got, err := s.Policies(ctx, actions.PolicyQuery{ObjectIDs: []string{id}, ActorID: id, ActionIDs: []string{id}}); err != nil || len(got) != 0 {
					t.Errorf("Policies of %q = %+v, %v; want none", id, got, err)
				}
			}
			// A value of the object the server refuses.
			bad := sampleTask(2)
			bad.Title = "a\x00b"
			_, err := s.Create(ctx, "2", bad)
			unstorable(t, "Create of a title with a NUL byte", err, `object "2"`, true)
			if _, _, err := s.Load(ctx, "2"); !errors.Is(err, actions.ErrNotFound) {
				t.Errorf("Load after a refused Create: %v, want ErrNotFound", err)
			}
			if _, err := s.Create(ctx, "1", sampleTask(1)); err != nil {
				t.Fatal(err)
			}
			_, err = s.Save(ctx, "1", bad, 1, rec("x1"))
			unstorable(t, "Save of a title with a NUL byte", err, `object "1"`, true)
			for _, tc := range []struct {
				field string
				set   func(*actions.Execution)
			}{
				{"execution id", func(r *actions.Execution) { r.ID = "x\x00" }},
				{"action id", func(r *actions.Execution) { r.ActionID = "close\xff" }},
				{"actor id", func(r *actions.Execution) { r.ActorID = "alice\x00" }},
				{"detail", func(r *actions.Execution) { r.Detail = "\xff" }},
				{`input "reason"`, func(r *actions.Execution) { r.Inputs = actions.Inputs{"days": 3, "reason": "a\x00b"} }},
				{`input "a\x00"`, func(r *actions.Execution) { r.Inputs = actions.Inputs{"a\x00": "x"} }},
			} {
				r := rec("x1")
				tc.set(r)
				_, err := s.Save(ctx, "1", sampleTask(3), 1, r)
				unstorable(t, "Save with a record's "+tc.field, err, tc.field, false)
			}
			if got, v, err := s.Load(ctx, "1"); err != nil || v != 1 || !cmp.Equal(sampleTask(1), got) {
				t.Errorf("Load after refused Saves = version %d, %v; want sample 1 at version 1", v, err)
			}
			if got, err := s.Executions(ctx, actions.Filter{}); err != nil || len(got) != 0 {
				t.Errorf("the journal after refused Saves: %d records, %v; want none", len(got), err)
			}
			// An effect's error may hold anything: Finish keeps what it can.
			if _, err := s.Save(ctx, "1", sampleTask(3), 1, rec("x1")); err != nil {
				t.Fatal(err)
			}
			got, err := s.Finish(ctx, "x1", actions.StatusFailed, "bad\x00effect\xff")
			if err != nil || got.Status != actions.StatusFailed || got.Detail != "bad\uFFFDeffect\uFFFD" {
				t.Errorf("Finish with a detail PostgreSQL cannot keep = %q %q, %v; want failed, with U+FFFD in place of the NUL and the invalid byte", got.Status, got.Detail, err)
			}
		})
	}
	// Through an engine: an object id PostgreSQL cannot keep is no
	// object, not an error of the server (a 500 in an HTTP adapter).
	cat := counterCatalog(t, "counter.json")
	cs, err := postgres.NewDocumentStore[Counter](ctx, d.admin, "counters", postgres.WithSchema(d.schema))
	if err != nil {
		t.Fatal(err)
	}
	engine, err := actions.New(cat, cs)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"c\x00", "c\xff"} {
		_, err := engine.Execute(ctx, actions.Request{ActionID: "increment", ObjectID: id, Version: 1, Actor: actions.Actor{ID: "alice"}})
		if !errors.Is(err, actions.ErrNotFound) {
			t.Errorf("Execute on object %q: %v, want ErrNotFound", id, err)
		}
	}
}

// Finishes racing on one pending execution: one wins; the others find it
// finished, and say how, from the row as it is (the statement's snapshot
// still saw it pending). The first case makes the race certain: another
// instance's Finish has updated the row and not committed when they run.
func TestFinishConcurrent(t *testing.T) {
	const n = 8
	for _, held := range []bool{true, false} {
		t.Run(fmt.Sprintf("held=%v", held), func(t *testing.T) {
			d := newTestDB(t)
			ctx := context.Background()
			app := "actionable-test-finish"
			pool := d.pool(t, app, n)
			s, err := postgres.NewDocumentStore[Task](ctx, pool, "tasks", postgres.WithSchema(d.schema))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.Create(ctx, "1", sampleTask(1)); err != nil {
				t.Fatal(err)
			}
			rec := &actions.Execution{ID: "x1", ActionID: "a", ObjectID: "1", ActorID: "alice", Time: time.Unix(0, 0).UTC(), FromVersion: 1, ToVersion: 2, Status: actions.StatusPending}
			if _, err := s.Save(ctx, "1", sampleTask(2), 1, rec); err != nil {
				t.Fatal(err)
			}
			var commit func()
			if held {
				tx, err := d.admin.Begin(ctx)
				if err != nil {
					t.Fatal(err)
				}
				defer tx.Rollback(ctx)
				if _, err := tx.Exec(ctx, "UPDATE "+d.table("executions")+" SET status = 'failed', detail = 'other instance' WHERE id = 'x1'"); err != nil {
					t.Fatal(err)
				}
				commit = func() {
					eventually(t, 10*time.Second, "the Finishes waiting for the other instance's", func() bool {
						var waiting int
						err := d.admin.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
							WHERE application_name = $1 AND wait_event_type = 'Lock'`, app).Scan(&waiting)
						return err == nil && waiting == n
					})
					if err := tx.Commit(ctx); err != nil {
						t.Fatal(err)
					}
				}
			}
			got := make([]actions.Execution, n)
			errs := make([]error, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() { got[i], errs[i] = s.Finish(ctx, "x1", actions.StatusSucceeded, fmt.Sprint("finisher ", i)) })
			}
			if commit != nil {
				commit()
			}
			wg.Wait()
			recs, err := s.Executions(ctx, actions.Filter{ID: "x1"})
			if err != nil || len(recs) != 1 {
				t.Fatalf("Executions(x1) = %d records, %v", len(recs), err)
			}
			final := recs[0]
			wins := 0
			for i, err := range errs {
				switch {
				case err == nil:
					wins++
					if got[i].Status != actions.StatusSucceeded || got[i].Detail != fmt.Sprint("finisher ", i) {
						t.Errorf("the winning Finish %d returned %q %q", i, got[i].Status, got[i].Detail)
					}
				case !errors.Is(err, actions.ErrConflict):
					t.Errorf("a losing Finish: %v, want ErrConflict", err)
				default:
					if diff := cmp.Diff(final, got[i]); diff != "" {
						t.Errorf("a losing Finish returned another record than the journal holds (-journal +returned):\n%s", diff)
					}
					if want := fmt.Sprintf("is %s, not pending", final.Status); !strings.Contains(err.Error(), want) {
						t.Errorf("a losing Finish: %v; want it to say %q", err, want)
					}
				}
			}
			if want := map[bool]int{true: 0, false: 1}[held]; wins != want {
				t.Errorf("%d of %d concurrent Finishes won, want %d", wins, n, want)
			}
			if held && (final.Status != actions.StatusFailed || final.Detail != "other instance") {
				t.Errorf("the journal holds %q %q, want the other instance's finish", final.Status, final.Detail)
			}
		})
	}
}

// Every function that takes a context gives up when it is done, even on a
// path that needs no round trip.
func TestCancelledContext(t *testing.T) {
	d := newTestDB(t)
	ctx := context.Background()
	s, err := postgres.NewDocumentStore[Task](ctx, d.admin, "tasks", postgres.WithSchema(d.schema))
	if err != nil {
		t.Fatal(err)
	}
	cats, err := postgres.NewCatalogs[Counter](d.admin, postgres.WithSchema(d.schema))
	if err != nil {
		t.Fatal(err)
	}
	engine, err := actions.New(counterCatalog(t, "counter.json"), counterStore(t, d))
	if err != nil {
		t.Fatal(err)
	}
	done, cancel := context.WithCancel(ctx)
	cancel()
	rec := &actions.Execution{ID: "x1", ActionID: "a", ObjectID: "1", Time: time.Unix(0, 0).UTC(), Status: actions.StatusPending}
	for _, tc := range []struct {
		name string
		call func() error
	}{
		{"Migrate", func() error { _, err := postgres.Migrate(done, d.admin, postgres.WithSchema(d.schema)); return err }},
		{"NewDocumentStore", func() error {
			_, err := postgres.NewDocumentStore[Task](done, d.admin, "tasks", postgres.WithSchema(d.schema))
			return err
		}},
		{"NewTableStore", func() error {
			_, err := postgres.NewTableStore[Task](done, d.admin, d.schema+".tasks", postgres.WithSchema(d.schema))
			return err
		}},
		{"Load", func() error { _, _, err := s.Load(done, "1"); return err }},
		{"Load of an unstorable id", func() error { _, _, err := s.Load(done, "\x00"); return err }},
		{"Create", func() error { _, err := s.Create(done, "1", sampleTask(1)); return err }},
		{"Save", func() error { _, err := s.Save(done, "1", sampleTask(1), 1, rec); return err }},
		{"Delete", func() error { return s.Delete(done, "1") }},
		{"Executions", func() error { _, err := s.Executions(done, actions.Filter{}); return err }},
		{"Executions by an unstorable id", func() error { _, err := s.Executions(done, actions.Filter{ID: "\x00"}); return err }},
		{"Policies", func() error {
			_, err := s.Policies(done, actions.PolicyQuery{ObjectIDs: []string{"1"}, ActionIDs: []string{"a"}})
			return err
		}},
		{"Policies of no action", func() error { _, err := s.Policies(done, actions.PolicyQuery{ObjectIDs: []string{"1"}}); return err }},
		{"Finish", func() error { _, err := s.Finish(done, "x1", actions.StatusSucceeded, ""); return err }},
		{"Prune", func() error { _, err := s.Prune(done, actions.Retention{Keep: 1}); return err }},
		{"Prune of nothing", func() error { _, err := s.Prune(done, actions.Retention{}); return err }},
		{"Publish", func() error { _, err := cats.Publish(done, "counters", readFile(t, "counter.json")); return err }},
		{"Rules", func() error { _, _, err := cats.Rules(done, "counters", 0); return err }},
		{"Latest", func() error { _, _, err := cats.Latest(done, "counters"); return err }},
		{"Watch", func() error { _, err := cats.Watch(done, "counters", engine); return err }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.call(); !errors.Is(err, context.Canceled) {
				t.Errorf("%s with a cancelled context: %v, want context.Canceled", tc.name, err)
			}
		})
	}
}

// counterStore returns a document store of Counters.
func counterStore(t *testing.T, d *testDB) *postgres.Store[Counter] {
	t.Helper()
	s, err := postgres.NewDocumentStore[Counter](context.Background(), d.admin, "counters", postgres.WithSchema(d.schema))
	if err != nil {
		t.Fatal(err)
	}
	return s
}
