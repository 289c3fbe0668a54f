// Package postgres keeps the objects, the journal and the rule catalogs of
// package actions in PostgreSQL, so that they outlive the process and are
// shared by every instance of a host.
//
// It is built on pgx (github.com/jackc/pgx/v5) and its pgxpool, with no
// ORM: the host opens the pool, the package runs a few SQL statements on
// it. Everything takes a context, and everything is safe for concurrent
// use, by goroutines and by processes.
//
// # Quick start
//
//	pool, err := pgxpool.New(ctx, "postgres://app@db/app")
//	_, err = postgres.Migrate(ctx, pool) // once per deployment, or at start
//	store, err := postgres.NewDocumentStore[Ticket](ctx, pool, "tickets")
//	engine, err := actions.New(catalog, store) // the store is the journal too
//	_, err = store.Create(ctx, "T-1", Ticket{Status: "open"})
//	res, err := engine.Execute(ctx, actions.Request{ActionID: "close", ObjectID: "T-1", Version: 1, Actor: actor})
//
// # Migrations
//
// The package's tables live in a schema of their own, DefaultSchema
// ("actionable") unless WithSchema names another. They are created by
// [Migrate] and by nothing else: the host decides when its database
// changes. The migrations are versioned SQL files embedded in the package
// (migrations/001_journal.sql, ...), recorded in the schema's
// schema_migrations table. Migrate applies those the table does not list
// and creates nothing else: on an up-to-date schema it changes nothing, and
// needs no privilege to create. It is idempotent and safe when several
// instances start at once: an advisory lock keyed by the schema lets one
// migrate while the others wait.
//
// # Two kinds of store
//
// A [Store] is an actions.Store, actions.Creator, actions.Journal and
// actions.Pruner, of one of two kinds:
//
//   - [NewDocumentStore] keeps each object as the JSON encoding of T
//     (encoding/json) in a jsonb column, with its version, in the package's
//     documents table. A collection name tells apart the objects of one
//     store from another's, so any number of object types share the table.
//   - [NewTableStore] keeps the objects in a table of the host's own, where
//     they already live: an id column, an integer version column
//     (OpenProject's lock_version is the model), and a column for each field
//     of T, named by its db tag. The package never creates or alters that
//     table; it checks, when the store is made, that it has every column.
//
// In both, Save is one statement, hence one transaction and one round trip:
//
//	UPDATE ... SET ..., version = version + 1 WHERE id = $2 AND version = $3
//
// and, when the engine passes an execution record, the INSERT of the
// record and of what the execution policies read, all or nothing. Zero
// rows updated is actions.ErrConflict, or actions.ErrNotFound if there is
// no such object; a record whose id is already in the journal is
// ErrConflict, and nothing is written. Concurrent Saves of one object
// queue on its row: one wins, the others find another version. Load is one
// SELECT, Create one INSERT (an existing id is ErrConflict).
//
// # The journal
//
// Every store has a journal, in the package's executions table, under the
// name of its collection (for a host table, WithCollection, by default the
// table's name). It is indexed three ways: by (collection, seq), its
// primary key, for paging through the whole journal; by (collection, id),
// unique, for Finish and a filter by execution id; by (collection,
// object_id, seq) for paging through one object's executions. A filter on
// the actor, the action or the status reads in Seq order and stops at the
// limit.
//
// What Journal.Policies reads lives in two more tables that Prune never
// touches: policies (the first actor of each action on each object) and
// policy_actors (each actor that executed an action on an object). Save
// writes them in its statement; Policies answers every action of a request
// with one query, an index lookup per action in each table, however long
// the journal is and whatever was pruned. A Once action stays spent after
// its record is gone, and after its object is deleted.
//
// # Seq
//
// The journal promises that Seq grows with every record and that a reader
// paging with After never skips one. A sequence alone does not keep the
// second promise: two Saves take Seq 10 and 11, the one with 11 commits
// first, a reader pages past 11, and 10 commits behind it, never to be
// read.
//
// The package takes Seq from a sequence while the Save statement holds an
// advisory lock of the journal in shared mode, which Saves hold side by
// side. A read of the journal that bounds or orders by Seq (every
// Executions but one by ID) first takes the same lock in exclusive mode,
// for as long as it reads the sequence: that waits for the Saves in flight
// (at most one commit) and gives the read a horizon, a Seq up to which
// every Save has finished. The read returns records up to the horizon
// only, so the next page misses none. A read costs one round trip more,
// and holds new Saves back for a moment; Saves, the hot path, wait for no
// one but the other Saves of their object, and commit together.
//
// The alternative, a counter row per journal incremented in the Save
// statement, keeps readers simple but makes every Save with a record wait
// for the one before it to commit, disk flush included: the journal's
// writes go one at a time. BenchmarkSeq measures both (README.md has the
// figures): with one client they are the same; with eight, each on an
// object of its own, the sequence saved 4 times as many records per second
// as the counter, which saved no more than with one client.
//
// # Rule catalogs
//
// [Catalogs] keeps named rule sets (the rule file format of
// actions.LoadJSON) in the database, each as numbered versions, and keeps
// engines in step with them:
//
//	cats, err := postgres.NewCatalogs[Ticket](pool, postgres.WithCompileOptions(effects...))
//	v, err := cats.Publish(ctx, "tickets", ruleFile) // compiled first: refused with its *actions.LoadError
//	w, err := cats.Watch(ctx, "tickets", engine)     // installs the latest, then every new version
//	defer w.Stop()
//
// [Catalogs.Publish] compiles the rule file against T with the host's
// compile options and refuses, with every problem, a rule set that does not
// compile: a bad rule set is stored nowhere and installed nowhere. It
// stores the version and NOTIFYs in one transaction. [Catalogs.Watch]
// LISTENs on a connection of its own, installs the latest version with
// Engine.Swap, and installs each new version as its notification arrives.
// When its connection is lost it reconnects, with backoff, and installs
// the latest version then, so that it misses none. A connection can also
// die without a word (a firewall or a NAT forgets it): after each quiet
// interval (WithWatchInterval, 30 s by default) the watcher reads the
// latest version on its connection, which shows that it lives or makes
// the watcher reconnect, and installs a version whose notification never
// came. A version that does not
// compile on one instance (its effects differ) is reported there (see
// WithWatchEvents) and that instance keeps its catalog.
//
// # Lost connections
//
// A pool hands out its idle connections without asking the server whether
// they still live (by default pgx pings only those idle for more than a
// second: pgxpool.Config.ShouldPing), so
// after PostgreSQL restarts, fails over or ends backends
// (pg_terminate_backend, idle_session_timeout), each idle connection fails
// the next statement sent on it. A store tries such a statement again,
// once for each connection the pool may hold (pgxpool.Config.MaxConns) and
// once more, so that the last try runs on a new connection:
//   - reads (Load, Executions, Policies) whenever the connection was lost;
//   - a Save with a record too: it is one statement that commits or not,
//     checked against the version, so a second try cannot apply it twice.
//     If the connection of a try was lost after PostgreSQL committed it,
//     the next try finds the object at another version (or deleted, or
//     fails), the record is in the journal, and the Save returns the
//     version it saved;
//   - Create, Delete, Save without a record, Finish and Prune only when
//     nothing was sent (pgconn.SafeToRetry): a second try of one that
//     committed would report a conflict, not-found or count it did not
//     have.
//
// Other errors, a connection lost on the last try, and the error of a try
// that could not make a new connection (the server is down or starting:
// no more dials are tried) are returned.
//
// # Errors
//
// Errors match actions.ErrNotFound and actions.ErrConflict with errors.Is
// where the contracts of package actions say so, and a compile error of a
// rule set is the *actions.LoadError of actions.LoadJSON.
//
// PostgreSQL keeps text as UTF-8 without NUL bytes. An id outside that (a
// NUL byte, invalid UTF-8) cannot be stored, so no object or execution has
// it: a Load, Delete or Finish of one is actions.ErrNotFound, and a journal
// lookup by one (Executions, Policies) finds nothing. A Create or Save of
// one, of a record with such an id, actor or action, or of an object with
// a string the server refuses (jsonb refuses \u0000) is an
// [*UnstorableError], which matches [ErrUnstorable], and stores nothing.
// Finish keeps a detail it cannot store with U+FFFD in place of what it
// cannot keep: an execution must not stay pending for want of its detail.
//
// Every other error wraps the driver's (a *pgconn.PgError for an error of
// the server) with %w.
//
// # Tests and examples
//
// The package's tests run against a real server whose URL is in
// ACTIONABLE_TEST_POSTGRES, each in a schema of its own that it drops
// after; without the variable they skip, saying so. The examples that need
// a server are compiled but not run (they have no Output comment); the
// tests run the same flows against a server.
package postgres
