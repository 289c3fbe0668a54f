package postgres

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migration is one embedded SQL file: migrations/NNN_name.sql.
type migration struct {
	version int
	name    string
	sql     string
}

// migrations returns the embedded migrations in version order.
func migrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, fmt.Errorf("postgres: reading the migrations: %w", err)
	}
	var out []migration
	for _, e := range entries {
		base := strings.TrimSuffix(e.Name(), ".sql")
		num, name, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("postgres: migration file %q is not named NNN_name.sql", e.Name())
		}
		data, err := migrationFiles.ReadFile(path.Join("migrations", e.Name()))
		if err != nil {
			return nil, fmt.Errorf("postgres: reading migration %q: %w", e.Name(), err)
		}
		out = append(out, migration{version: v, name: name, sql: string(data)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	for i := range out {
		if out[i].version != i+1 {
			return nil, fmt.Errorf("postgres: migration %d is missing", i+1)
		}
	}
	return out, nil
}

// Migrate creates or upgrades the package's tables in the schema (see
// WithSchema; it creates the schema if needed) and returns how many
// migrations it applied: 0 when the schema was up to date. Nothing else in
// the package creates a table; a host calls Migrate when it deploys, or at
// start.
//
// The migrations are the SQL files of the package's migrations directory,
// embedded in the binary and applied in version order, each in a
// transaction together with its row in the schema's schema_migrations table.
// Migrate applies each migration that table does not list, and only those
// (a schema an earlier version of the package migrated gets what it lacks
// and keeps what it holds); one missing between listed ones (its row was
// deleted, say) is applied then, after the later ones, not before them. It
// creates the schema and the table only if
// they are missing. On an up-to-date schema it changes nothing and needs no
// privilege but reading schema_migrations, so that a host whose role may
// not create (its DBA migrates) can call it at every start.
// Migrate is idempotent, and safe when several instances start at once: it
// holds a session advisory lock (keyed by the schema name) while it works,
// so that one instance migrates and the others wait (until ctx ends), then
// find nothing to do. A schema migrated by a newer version of the package (a version this
// one does not know) is left as it is.
//
// Only WithSchema applies.
func Migrate(ctx context.Context, pool *pgxpool.Pool, opts ...Option) (int, error) {
	cfg, err := newConfig(forMigrate, opts)
	if err != nil {
		return 0, err
	}
	all, err := migrations()
	if err != nil {
		return 0, err
	}
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return 0, fmt.Errorf("postgres: migrate: %w", err)
	}
	key := migrateKey(cfg.schema)
	if err := lock(ctx, conn, key); err != nil {
		conn.Release()
		return 0, fmt.Errorf("postgres: migrate: taking the migration lock: %w", err)
	}
	defer func() {
		// The lock belongs to the session: a connection that could not
		// release it must not go back to the pool.
		uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if _, err := conn.Exec(uctx, "SELECT pg_advisory_unlock($1)", key); err != nil {
			_ = conn.Hijack().Close(uctx)
			return
		}
		conn.Release()
	}()
	return migrate(ctx, conn.Conn(), cfg.schema, all)
}

// lock takes the session advisory lock key, polling: a backend waiting in
// pg_advisory_lock would go on waiting after ctx ends (the server does
// not notice that its client left), then take the lock for a moment.
func lock(ctx context.Context, conn *pgxpool.Conn, key int64) error {
	wait := 10 * time.Millisecond
	for {
		var ok bool
		if err := conn.QueryRow(ctx, "SELECT pg_try_advisory_lock($1)", key).Scan(&ok); err != nil {
			return err
		}
		if ok {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		wait = min(2*wait, 250*time.Millisecond)
	}
}

// migrateKey is the key of the advisory lock Migrate holds for schema.
func migrateKey(schema string) int64 { return hash64("actionable migrate " + schema) }

// migrate applies the migrations of all that schema_migrations does not
// list. It creates the schema and schema_migrations only if they are
// missing, so that a schema someone else migrated (a DBA, with a role
// that may create) is left alone: an up-to-date schema takes no DDL, and
// no privilege but reading schema_migrations.
func migrate(ctx context.Context, conn *pgx.Conn, schema string, all []migration) (int, error) {
	q := pgx.Identifier{schema}.Sanitize()
	table := ident(schema, "schema_migrations")
	var hasSchema, hasTable bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT FROM pg_namespace WHERE nspname = $1), to_regclass($2) IS NOT NULL`,
		schema, table).Scan(&hasSchema, &hasTable); err != nil {
		return 0, fmt.Errorf("postgres: migrate: reading schema %s: %w", q, err)
	}
	if !hasSchema {
		if _, err := conn.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+q); err != nil {
			return 0, fmt.Errorf("postgres: migrate: creating schema %s: %w", q, err)
		}
	}
	if !hasTable {
		if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS `+table+` (
			version    integer     PRIMARY KEY,
			name       text        NOT NULL,
			applied_at timestamptz NOT NULL DEFAULT now()
		)`); err != nil {
			return 0, fmt.Errorf("postgres: migrate: creating %s: %w", table, err)
		}
	}
	rows, err := conn.Query(ctx, "SELECT version FROM "+table)
	if err != nil {
		return 0, fmt.Errorf("postgres: migrate: reading %s: %w", table, err)
	}
	done, err := pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil {
		return 0, fmt.Errorf("postgres: migrate: reading %s: %w", table, err)
	}
	applied := 0
	for _, m := range all {
		if slices.Contains(done, m.version) {
			continue
		}
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, "SET LOCAL search_path TO "+q); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, m.sql); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, "INSERT INTO "+table+" (version, name) VALUES ($1, $2)", m.version, m.name)
			return err
		})
		if err != nil {
			return applied, fmt.Errorf("postgres: migrate: migration %d (%s): %w", m.version, m.name, err)
		}
		applied++
	}
	return applied, nil
}
