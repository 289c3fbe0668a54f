package postgres_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"github.com/actionable-go/actionable/adapters/postgres"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// The tests reach a PostgreSQL server through one variable, as pgx's own
// tests do (PGX_TEST_DATABASE). Without it they skip, saying so; with it
// they fail when the server cannot be reached. CI sets the second variable
// too, so that they cannot skip there.
const (
	envURL      = "ACTIONABLE_TEST_POSTGRES"
	envRequired = "ACTIONABLE_TEST_POSTGRES_REQUIRED"
)

// testURL returns the server's URL or skips the test.
func testURL(t testing.TB) string {
	t.Helper()
	url := os.Getenv(envURL)
	if url == "" {
		if os.Getenv(envRequired) != "" {
			t.Fatalf("%s is set but %s is not: the PostgreSQL tests must run", envRequired, envURL)
		}
		t.Skipf("%s is not set: set it to a PostgreSQL URL (postgres://postgres@127.0.0.1:5432/test?sslmode=disable) to run this test", envURL)
	}
	return url
}

// testDB is a schema of one test's own on the test server, migrated, and
// dropped when the test ends.
type testDB struct {
	url    string
	schema string
	admin  *pgxpool.Pool // a pool of the test's own, for set-up and checks
}

func newTestDB(t testing.TB) *testDB {
	t.Helper()
	url := testURL(t)
	var b [6]byte
	_, _ = rand.Read(b[:])
	d := &testDB{url: url, schema: "actionable_test_" + hex.EncodeToString(b[:])}
	d.admin = d.pool(t, "actionable-test-admin", 4)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := d.admin.Exec(ctx, "DROP SCHEMA "+pgx.Identifier{d.schema}.Sanitize()+" CASCADE"); err != nil {
			t.Errorf("dropping the test schema %s: %v", d.schema, err)
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := postgres.Migrate(ctx, d.admin, postgres.WithSchema(d.schema)); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	return d
}

// pool returns a new pool on the test server, closed when the test ends.
// app is its application_name, by which the tests find its backends;
// params are more run-time parameters, as name and value.
func (d *testDB) pool(t testing.TB, app string, maxConns int32, params ...string) *pgxpool.Pool {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(d.url)
	if err != nil {
		t.Fatalf("%s: %v", envURL, err)
	}
	cfg.MaxConns = maxConns
	cfg.ConnConfig.RuntimeParams["application_name"] = app
	for i := 0; i+1 < len(params); i += 2 {
		cfg.ConnConfig.RuntimeParams[params[i]] = params[i+1]
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatalf("connecting to %s: %v", envURL, err)
	}
	t.Cleanup(pool.Close)
	if err := pool.Ping(ctx); err != nil {
		t.Fatalf("the server at %s does not answer: %v", envURL, err)
	}
	return pool
}

// exec runs SQL on the admin pool, failing the test on an error.
func (d *testDB) exec(t testing.TB, sql string, args ...any) {
	t.Helper()
	if _, err := d.admin.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// table returns the schema-qualified, quoted name of a table of the test's
// schema.
func (d *testDB) table(name string) string { return pgx.Identifier{d.schema, name}.Sanitize() }

// terminate ends the backends of the pools named app (but the caller's)
// and returns how many it ended. where narrows the backends down further.
func (d *testDB) terminate(t testing.TB, app, where string) int {
	t.Helper()
	var n int
	q := "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()"
	if where != "" {
		q += " AND " + where
	}
	if err := d.admin.QueryRow(context.Background(), q, app).Scan(&n); err != nil {
		t.Fatalf("terminating the backends of %s: %v", app, err)
	}
	return n
}
