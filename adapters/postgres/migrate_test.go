package postgres_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/actionable-go/actionable/actions"
	"github.com/actionable-go/actionable/adapters/postgres"
	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// The migrations the package embeds.
const migrationCount = 3

func TestMigrateIdempotent(t *testing.T) {
	d := newTestDB(t) // migrated once
	ctx := context.Background()
	for range 2 {
		n, err := postgres.Migrate(ctx, d.admin, postgres.WithSchema(d.schema))
		if err != nil || n != 0 {
			t.Errorf("Migrate of a migrated schema = %d applied, %v; want 0", n, err)
		}
	}
	var versions []int
	rows, err := d.admin.Query(ctx, "SELECT version FROM "+d.table("schema_migrations")+" ORDER BY version")
	if err == nil {
		versions, err = pgx.CollectRows(rows, pgx.RowTo[int])
	}
	if err != nil || len(versions) != migrationCount || versions[0] != 1 || versions[migrationCount-1] != migrationCount {
		t.Errorf("schema_migrations = %v, %v; want 1 to %d", versions, err, migrationCount)
	}
}

// Instances starting at once: one migrates, the others find it done.
func TestMigrateConcurrent(t *testing.T) {
	d := newTestDB(t)
	schema := d.schema + "_fresh"
	t.Cleanup(func() { d.exec(t, "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE") })
	pool := d.pool(t, "actionable-test-migrate", 8)
	var applied atomic.Int64
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			n, err := postgres.Migrate(context.Background(), pool, postgres.WithSchema(schema))
			if err != nil {
				t.Errorf("Migrate: %v", err)
			}
			applied.Add(int64(n))
		})
	}
	wg.Wait()
	if applied.Load() != migrationCount {
		t.Errorf("8 concurrent Migrates applied %d migrations in all, want %d", applied.Load(), migrationCount)
	}
	// The connections went back to the pool without the lock.
	if n := migrateLocks(t, d, schema, ""); n != 0 {
		t.Errorf("%d migration locks held or awaited after Migrate, want 0", n)
	}
	if _, err := postgres.NewDocumentStore[Task](context.Background(), pool, "tasks", postgres.WithSchema(schema)); err != nil {
		t.Errorf("a store on the migrated schema: %v", err)
	}
}

// Migrate whose context ends while another instance holds the lock gives
// up and leaves no lock behind.
func TestMigrateCancelledWhileWaiting(t *testing.T) {
	d := newTestDB(t)
	ctx := context.Background()
	conn, err := d.admin.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	key := postgres.MigrateKey(d.schema) // another instance holds the lock
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", key); err != nil {
		t.Fatal(err)
	}
	pool := d.pool(t, "actionable-test-migrate-wait", 2)
	cctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	if _, err := postgres.Migrate(cctx, pool, postgres.WithSchema(d.schema)); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Migrate while another instance migrates, until its context ends: %v; want context.DeadlineExceeded", err)
	}
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_unlock($1)", key); err != nil {
		t.Fatal(err)
	}
	if n := migrateLocks(t, d, d.schema, ""); n != 0 {
		t.Errorf("%d migration locks held or awaited after a cancelled Migrate, want 0", n)
	}
	if n, err := postgres.Migrate(ctx, pool, postgres.WithSchema(d.schema)); n != 0 || err != nil {
		t.Errorf("Migrate after the other instance = %d, %v; want 0, nil", n, err)
	}
}

// migrateLocks counts the holders and waiters of the migration lock of
// schema (where narrows them down).
func migrateLocks(t *testing.T, d *testDB, schema, where string) int {
	t.Helper()
	key := uint64(postgres.MigrateKey(schema))
	q := `SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 1
		AND classid = $1::bigint::oid AND objid = $2::bigint::oid`
	if where != "" {
		q += " AND " + where
	}
	var n int
	if err := d.admin.QueryRow(context.Background(), q, int64(key>>32), int64(key&0xffffffff)).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// A schema an earlier version of the package migrated gets what is
// missing and keeps what it holds; a migration that is missing between
// others is applied too.
func TestMigrateWhatIsMissing(t *testing.T) {
	d := newTestDB(t)
	ctx := context.Background()
	s, err := postgres.NewDocumentStore[Task](ctx, d.admin, "tasks", postgres.WithSchema(d.schema))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Create(ctx, "1", sampleTask(1)); err != nil {
		t.Fatal(err)
	}
	// An earlier version ran 001 and 003 (say), not 002 and not the
	// column 003 adds.
	d.exec(t, "DROP TABLE "+d.table("catalogs")+", "+d.table("catalog_versions"))
	d.exec(t, "DELETE FROM "+d.table("schema_migrations")+" WHERE version = 2")
	if n, err := postgres.Migrate(ctx, d.admin, postgres.WithSchema(d.schema)); err != nil || n != 1 {
		t.Fatalf("Migrate of a schema without migration 2 = %d applied, %v; want 1", n, err)
	}
	d.exec(t, "ALTER TABLE "+d.table("executions")+" DROP COLUMN inputs")
	d.exec(t, "DELETE FROM "+d.table("schema_migrations")+" WHERE version = 3")
	if n, err := postgres.Migrate(ctx, d.admin, postgres.WithSchema(d.schema)); err != nil || n != 1 {
		t.Fatalf("Migrate of a schema at version 2 = %d applied, %v; want 1", n, err)
	}
	if n, err := postgres.Migrate(ctx, d.admin, postgres.WithSchema(d.schema)); err != nil || n != 0 {
		t.Errorf("Migrate again = %d applied, %v; want 0", n, err)
	}
	if got, v, err := s.Load(ctx, "1"); err != nil || v != 1 || !cmp.Equal(sampleTask(1), got) {
		t.Errorf("Load after the migrations = version %d, %v; want what was there", v, err)
	}
	rec := &actions.Execution{ID: "x1", ActionID: "a", ObjectID: "1", Time: time.Unix(0, 0).UTC(), FromVersion: 1, ToVersion: 2,
		Status: actions.StatusSucceeded, Inputs: map[string]any{"n": 1.0}}
	if _, err := s.Save(ctx, "1", sampleTask(2), 1, rec); err != nil {
		t.Errorf("Save with inputs after migration 3: %v", err)
	}
	cats, err := postgres.NewCatalogs[Counter](d.admin, postgres.WithSchema(d.schema))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cats.Publish(ctx, "counters", readFile(t, "counter.json")); err != nil {
		t.Errorf("Publish after migration 2: %v", err)
	}
}

// A host whose application role may not create (the DBA migrated the
// schema) can call Migrate at every start: on an up-to-date schema it
// creates nothing, and needs no privilege to create.
func TestMigrateUpToDateCreatesNothing(t *testing.T) {
	d := newTestDB(t)
	ctx := context.Background()
	role := d.schema + "_app"
	d.exec(t, "CREATE ROLE "+pgx.Identifier{role}.Sanitize()+" LOGIN")
	t.Cleanup(func() {
		d.exec(t, "DROP OWNED BY "+pgx.Identifier{role}.Sanitize())
		d.exec(t, "DROP ROLE "+pgx.Identifier{role}.Sanitize())
	})
	d.exec(t, "GRANT USAGE ON SCHEMA "+pgx.Identifier{d.schema}.Sanitize()+" TO "+pgx.Identifier{role}.Sanitize())
	d.exec(t, "GRANT SELECT ON "+d.table("schema_migrations")+" TO "+pgx.Identifier{role}.Sanitize())
	cfg, err := pgxpool.ParseConfig(d.url)
	if err != nil {
		t.Fatal(err)
	}
	cfg.ConnConfig.User = role
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if n, err := postgres.Migrate(ctx, pool, postgres.WithSchema(d.schema)); err != nil || n != 0 {
		t.Errorf("Migrate of an up-to-date schema by a role that may not create = %d applied, %v; want 0, nil", n, err)
	}
	// A schema that needs a migration is another matter: that role
	// cannot, and says so.
	d.exec(t, "DELETE FROM "+d.table("schema_migrations")+" WHERE version = 3")
	if _, err := postgres.Migrate(ctx, pool, postgres.WithSchema(d.schema)); err == nil {
		t.Errorf("Migrate of a schema missing a migration by a role that may not alter it: no error")
	}
}
