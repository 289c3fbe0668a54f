package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/actionable-go/actionable/actions"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Store is an [actions.Store], [actions.Creator], [actions.Journal] and
// [actions.Pruner] on PostgreSQL, for objects of type T kept either as
// documents in the package's own table (NewDocumentStore) or in a table of
// the host's (NewTableStore). Its journal lives in the package's tables in
// both cases.
//
// A Store is safe for concurrent use, and so are several Stores, in one
// process or many, over the same collection: every guarantee holds across
// instances, because PostgreSQL keeps it.
type Store[T any] struct {
	pool   *pgxpool.Pool
	schema string
	name   string // the collection's name
	coll   int32  // the collection's id
	lockNS int32  // first key of the journal's advisory lock (see horizon)

	table *tableMap[T] // nil for a document store
	sql   statements
}

var (
	_ actions.Store[struct{}]   = (*Store[struct{}])(nil)
	_ actions.Creator[struct{}] = (*Store[struct{}])(nil)
	_ actions.Journal           = (*Store[struct{}])(nil)
	_ actions.Pruner            = (*Store[struct{}])(nil)
)

// statements are the SQL texts of a store, built once by its constructor.
type statements struct {
	load   string // key → version, object columns
	create string // key, values
	update string // key, expected, values → new version or NULL, current version or NULL
	record string // see recordSQL
	delete string // key
}

// NewDocumentStore returns the store of the objects of collection, each
// kept as the JSON encoding of T (encoding/json) in a jsonb column with its
// version. Any number of collections, of one type or several, share the
// package's tables; a collection's name is its identity, and two stores
// with the same name share their objects and their journal.
//
// The schema must have been migrated (see Migrate); the collection is
// registered on first use. Only WithSchema applies.
//
// jsonb cannot hold a NUL character (\u0000) in a string: a Save or Create
// of a value that has one fails.
func NewDocumentStore[T any](ctx context.Context, pool *pgxpool.Pool, collection string, opts ...Option) (*Store[T], error) {
	cfg, err := newConfig(forDocuments, opts)
	if err != nil {
		return nil, err
	}
	if collection == "" {
		return nil, errors.New("postgres: the collection name must not be empty")
	}
	s, err := newStore[T](ctx, pool, cfg.schema, collection)
	if err != nil {
		return nil, err
	}
	docs := ident(cfg.schema, "documents")
	s.sql = statements{
		load:   "SELECT version, doc FROM " + docs + " WHERE collection = $1 AND id = $2",
		create: "INSERT INTO " + docs + " (collection, id, version, doc) VALUES ($1, $2, 1, $3)",
		delete: "DELETE FROM " + docs + " WHERE collection = $1 AND id = $2",
	}
	current := "SELECT version FROM " + docs + " WHERE collection = $1 AND id = $2"
	// In the UPDATE statements, $1 is the collection, $2 the id, $3 the
	// expected version.
	update := func(doc string) string {
		return "UPDATE " + docs + " SET doc = " + doc + ", version = version + 1 " +
			"WHERE collection = $1 AND id = $2 AND version = $3 RETURNING version"
	}
	s.sql.update = "WITH obj AS (" + update("$4") + ") SELECT (SELECT version FROM obj), (" + current + ")"
	s.sql.record = s.recordSQL(update(fmt.Sprintf("$%d", recordParams+1)), current)
	return s, nil
}

// newStore registers the collection and returns a store without its
// statements.
func newStore[T any](ctx context.Context, pool *pgxpool.Pool, schema, collection string) (*Store[T], error) {
	if pool == nil {
		return nil, errors.New("postgres: the pool must not be nil")
	}
	if !storable(collection) {
		return nil, &UnstorableError{Field: "collection name", Value: collection}
	}
	colls := ident(schema, "collections")
	var id int32
	// Registration is one upsert: the INSERT waits for a concurrent one
	// of the same name and then does nothing, and the SELECT reads the
	// snapshot the statement started with, which cannot see the row the
	// other committed meanwhile. That statement finds no row; the next,
	// with a new snapshot, sees it (a collection is never deleted).
	var err error
	for range 2 {
		err = pool.QueryRow(ctx, `WITH new AS (
			INSERT INTO `+colls+` (name) VALUES ($1) ON CONFLICT (name) DO NOTHING RETURNING id
		) SELECT id FROM new UNION ALL SELECT id FROM `+colls+` WHERE name = $1`, collection).Scan(&id)
		if !errors.Is(err, pgx.ErrNoRows) {
			break
		}
	}
	if err != nil {
		var pe *pgconn.PgError
		if errors.As(err, &pe) && (pe.Code == "42P01" || pe.Code == "3F000") { // undefined table, schema
			return nil, fmt.Errorf("postgres: schema %q is not migrated (call Migrate): %w", schema, err)
		}
		return nil, fmt.Errorf("postgres: registering collection %q: %w", collection, err)
	}
	return &Store[T]{pool: pool, schema: schema, name: collection, coll: id, lockNS: hash32("actionable journal " + schema)}, nil
}

// Collection returns the name of the store's collection: the name of its
// journal.
func (s *Store[T]) Collection() string { return s.name }

// key returns the parameters that select object id.
func (s *Store[T]) key(id string) []any {
	if s.table != nil {
		return []any{id}
	}
	return []any{s.coll, id}
}

// values returns the parameters that store obj.
func (s *Store[T]) values(obj *T) ([]any, error) {
	if s.table != nil {
		return s.table.values(obj), nil
	}
	doc, err := json.Marshal(obj)
	if err != nil {
		return nil, fmt.Errorf("postgres: encoding %T: %w", *obj, err)
	}
	return []any{doc}, nil
}

// Load implements actions.Store.
func (s *Store[T]) Load(ctx context.Context, id string) (T, int64, error) {
	var obj T
	if err := ctx.Err(); err != nil {
		return obj, 0, err
	}
	if !storable(id) { // no object has it
		return obj, 0, &actions.NotFoundError{Kind: "object", ID: id}
	}
	var version int64
	var doc []byte
	targets := []any{&version, &doc}
	if s.table != nil {
		targets = s.table.targets(&version, &obj)
	}
	err := s.retry(ctx, lostConnection, func() error {
		return s.pool.QueryRow(ctx, s.sql.load, s.key(id)...).Scan(targets...)
	})
	switch {
	case errors.Is(err, pgx.ErrNoRows) || s.badKey(err):
		return obj, 0, &actions.NotFoundError{Kind: "object", ID: id}
	case err != nil:
		return obj, 0, fmt.Errorf("postgres: load %q: %w", id, err)
	}
	if s.table == nil {
		if err := json.Unmarshal(doc, &obj); err != nil {
			return obj, 0, fmt.Errorf("postgres: decoding %q as %T: %w", id, obj, err)
		}
	}
	return obj, version, nil
}

// Create implements actions.Creator: it stores obj at version 1. In a host
// table it inserts a row with the id and version columns and T's columns;
// the table's other columns take their defaults.
func (s *Store[T]) Create(ctx context.Context, id string, obj T) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if !storable(id) {
		return 0, &UnstorableError{Field: "object id", Value: id}
	}
	vals, err := s.values(&obj)
	if err != nil {
		return 0, err
	}
	args := append(s.key(id), vals...)
	if err := s.retry(ctx, pgconn.SafeToRetry, func() error {
		_, err := s.pool.Exec(ctx, s.sql.create, args...)
		return err
	}); err != nil {
		var pe *pgconn.PgError
		if errors.As(err, &pe) && pe.Code == "23505" && s.isKeyConstraint(pe.ConstraintName) {
			return 0, fmt.Errorf("%w: object %q already exists", actions.ErrConflict, id)
		}
		if ue, ok := unstorable(err, fmt.Sprintf("object %q", id)); ok {
			return 0, ue
		}
		return 0, fmt.Errorf("postgres: create %q: %w", id, err)
	}
	return 1, nil
}

// Delete removes an object; an unknown id matches actions.ErrNotFound. Its
// executions stay in the journal, and so do its execution policies.
func (s *Store[T]) Delete(ctx context.Context, id string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if !storable(id) {
		return &actions.NotFoundError{Kind: "object", ID: id}
	}
	var tag pgconn.CommandTag
	err := s.retry(ctx, pgconn.SafeToRetry, func() (err error) {
		tag, err = s.pool.Exec(ctx, s.sql.delete, s.key(id)...)
		return err
	})
	switch {
	case s.badKey(err) || err == nil && tag.RowsAffected() == 0:
		return &actions.NotFoundError{Kind: "object", ID: id}
	case err != nil:
		return fmt.Errorf("postgres: delete %q: %w", id, err)
	}
	return nil
}

// Save implements actions.Store in one SQL statement, hence one
// transaction and one round trip: the UPDATE ... SET version = version + 1
// WHERE id = $1 AND version = $2 and, with a record, the INSERT of the
// execution and of what the execution policies read. Concurrent Saves of
// one object wait for each other on its row; the loser finds another
// version and fails with ErrConflict. A record whose id is already in the
// journal fails the whole statement with ErrConflict: nothing is written.
func (s *Store[T]) Save(ctx context.Context, id string, obj T, expected int64, rec *actions.Execution) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if rec != nil && rec.ID == "" {
		return 0, errors.New("postgres: an execution record needs an id")
	}
	if err := checkSave(id, rec); err != nil {
		return 0, err
	}
	vals, err := s.values(&obj)
	if err != nil {
		return 0, err
	}
	var saved, seq, current *int64
	lost := false // a try whose connection was lost may have committed
	if rec == nil {
		args := append(append(s.key(id), expected), vals...)
		err = s.retry(ctx, pgconn.SafeToRetry, func() error {
			return s.pool.QueryRow(ctx, s.sql.update, args...).Scan(&saved, &current)
		})
	} else {
		var args []any
		if args, err = s.recordArgs(id, expected, rec); err != nil {
			return 0, err
		}
		args = append(args, vals...)
		err = s.retry(ctx, lostConnection, func() error {
			err := saveHook(s.pool.QueryRow(ctx, s.sql.record, args...).Scan(&saved, &seq, &current))
			lost = lost || lostConnection(err)
			return err
		})
		if lost && (err != nil || saved == nil) {
			// A try whose connection was lost may have committed before
			// the next failed, or found the object moved on or deleted:
			// if it did, the journal has its record.
			if v, seq, ok, rerr := s.recorded(ctx, rec); rerr != nil && err == nil {
				return 0, rerr
			} else if ok {
				rec.Seq = seq
				return v, nil
			}
		}
	}
	if err != nil {
		var pe *pgconn.PgError
		if errors.As(err, &pe) && pe.Code == "23505" && pe.ConstraintName == "executions_collection_id_key" {
			return 0, fmt.Errorf("%w: execution %s is already recorded", actions.ErrConflict, rec.ID)
		}
		if ue, ok := unstorable(err, fmt.Sprintf("object %q", id)); ok {
			return 0, ue
		}
		return 0, fmt.Errorf("postgres: save %q: %w", id, err)
	}
	switch {
	case saved == nil && current == nil:
		return 0, &actions.NotFoundError{Kind: "object", ID: id}
	case saved == nil:
		return 0, fmt.Errorf("%w: object %q is no longer at version %d", actions.ErrConflict, id, expected)
	}
	if rec != nil {
		rec.Seq = *seq
	}
	return *saved, nil
}

// saveHook sees the outcome of each try of a Save with a record; tests
// replace it to lose the connection of a try that committed.
var saveHook = func(err error) error { return err }

// recorded returns the version after and the Seq of rec if the journal
// has it: its id, of its object, from its version.
func (s *Store[T]) recorded(ctx context.Context, rec *actions.Execution) (version, seq int64, ok bool, err error) {
	err = s.retry(ctx, lostConnection, func() error {
		return s.pool.QueryRow(ctx, `SELECT to_version, seq FROM `+ident(s.schema, "executions")+`
			WHERE collection = $1 AND id = $2 AND object_id = $3 AND from_version = $4`,
			s.coll, rec.ID, rec.ObjectID, rec.FromVersion).Scan(&version, &seq)
	})
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return 0, 0, false, nil
	case err != nil:
		return 0, 0, false, fmt.Errorf("postgres: reading execution %s after a lost connection: %w", rec.ID, err)
	}
	return version, seq, true, nil
}

// badKey reports whether err says that an id is no value of the host
// table's id column ("x" for an integer column): no object has it.
func (s *Store[T]) badKey(err error) bool {
	var pe *pgconn.PgError
	return s.table != nil && !s.table.textID && errors.As(err, &pe) &&
		(pe.Code == "22P02" || pe.Code == "22003") // invalid text representation, out of range
}

// isKeyConstraint reports whether a unique violation of constraint is one
// of the object's id (rather than of another unique column of a host table).
func (s *Store[T]) isKeyConstraint(constraint string) bool {
	if s.table == nil {
		return constraint == "documents_pkey"
	}
	return s.table.keyConstraints[constraint]
}

// checkSave returns an *UnstorableError if PostgreSQL cannot keep the
// object id or a text of the record: nothing is sent.
func checkSave(id string, rec *actions.Execution) error {
	if !storable(id) {
		return &UnstorableError{Field: "object id", Value: id}
	}
	if rec == nil {
		return nil
	}
	for _, f := range [...]struct{ field, value string }{
		{"execution id", rec.ID}, {"action id", rec.ActionID}, {"object id", rec.ObjectID},
		{"actor id", rec.ActorID}, {"comment", rec.Comment}, {"detail", rec.Detail},
	} {
		if !storable(f.value) {
			return &UnstorableError{Field: f.field, Value: f.value}
		}
	}
	return nil
}
