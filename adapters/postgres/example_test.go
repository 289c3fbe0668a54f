package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"strings"
	"time"

	"github.com/actionable-go/actionable/actions"
	"github.com/actionable-go/actionable/adapters/postgres"
	"github.com/jackc/pgx/v5/pgxpool"
)

// The examples that need a server have no Output comment: go test compiles
// them and does not run them. The tests run the same flows against the
// server of ACTIONABLE_TEST_POSTGRES.

type Ticket struct {
	Status   string `json:"status"`
	Assignee string `json:"assignee"`
}

const ticketRules = `{"actions": [
	{"id": "close", "name": "Close", "workflow": {"field": "status", "from": ["open"], "to": "closed"}},
	{"id": "claim", "name": "Claim", "policy": "Once", "changes": [{"field": "Assignee", "expr": "Actor.ID"}]}
]}`

// A document store: the objects as jsonb in the package's tables, the
// journal beside them.
func Example() {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	if _, err := postgres.Migrate(ctx, pool); err != nil { // creates or upgrades the schema "actionable"
		log.Fatal(err)
	}
	store, err := postgres.NewDocumentStore[Ticket](ctx, pool, "tickets")
	if err != nil {
		log.Fatal(err)
	}
	catalog, err := actions.LoadJSON[Ticket](strings.NewReader(ticketRules))
	if err != nil {
		log.Fatal(err)
	}
	engine, err := actions.New(catalog, store)
	if err != nil {
		log.Fatal(err)
	}
	if _, err := store.Create(ctx, "T-1", Ticket{Status: "open"}); err != nil && !errors.Is(err, actions.ErrConflict) {
		log.Fatal(err)
	}
	obj, version, err := store.Load(ctx, "T-1")
	if err != nil {
		log.Fatal(err)
	}
	actor := actions.Actor{ID: "alice"}
	list, err := engine.Resolve(ctx, "T-1", obj, actor) // one query for the Once policy
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(list), "actions")
	res, err := engine.Execute(ctx, actions.Request{ActionID: "claim", ObjectID: "T-1", Version: version, Actor: actor})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Object.Assignee, res.Version, res.Execution.Seq)
}

// A store on a table of the host's own, with OpenProject's lock_version.
func ExampleNewTableStore() {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	// The host's table, created by the host's own migrations:
	//
	//	CREATE TABLE work_packages (
	//		id           bigint PRIMARY KEY,
	//		lock_version integer NOT NULL,
	//		subject      text NOT NULL,
	//		status       text NOT NULL,
	//		due_date     date
	//	);
	type WorkPackage struct {
		ID      int64      `db:"id"` // read from the id column, never written
		Subject string     `db:"subject"`
		Status  string     `db:"status"`
		DueDate *time.Time `db:"due_date"` // nullable: a pointer
	}
	store, err := postgres.NewTableStore[WorkPackage](ctx, pool, "public.work_packages",
		postgres.WithVersionColumn("lock_version"))
	if err != nil {
		log.Fatal(err) // a missing column, a field without a db tag, ...
	}
	wp, version, err := store.Load(ctx, "42")
	if err != nil {
		log.Fatal(err)
	}
	wp.Status = "closed"
	if _, err := store.Save(ctx, "42", wp, version, nil); errors.Is(err, actions.ErrConflict) {
		fmt.Println("someone else saved it first")
	}
}

// Publish a rule set on one instance; every instance watching it installs
// it.
func ExampleCatalogs_Watch() {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	store, err := postgres.NewDocumentStore[Ticket](ctx, pool, "tickets")
	if err != nil {
		log.Fatal(err)
	}
	catalog, err := actions.LoadJSON[Ticket](strings.NewReader(ticketRules)) // what the binary ships with
	if err != nil {
		log.Fatal(err)
	}
	engine, err := actions.New(catalog, store)
	if err != nil {
		log.Fatal(err)
	}
	cats, err := postgres.NewCatalogs[Ticket](pool)
	if err != nil {
		log.Fatal(err)
	}
	w, err := cats.Watch(ctx, "tickets", engine) // installs the latest published version, if any
	if err != nil {
		log.Fatal(err)
	}
	defer w.Stop()

	// On any instance:
	version, err := cats.Publish(ctx, "tickets", []byte(ticketRules))
	if err != nil {
		log.Fatal(err) // a *actions.LoadError if the rules do not compile
	}
	fmt.Println("published version", version)
}

// Publish compiles a rule set before it stores it, and refuses one that
// does not compile with every problem: no server is needed to see it.
func ExampleCatalogs_Publish_refused() {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, "postgres://localhost/never-reached") // connects on first use
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	cats, err := postgres.NewCatalogs[Ticket](pool)
	if err != nil {
		log.Fatal(err)
	}
	_, err = cats.Publish(ctx, "tickets", []byte(`{"actions": [
		{"id": "close", "name": "Close", "condition": "Stauts == \"open\""}
	]}`))
	var le *actions.LoadError
	fmt.Println(errors.As(err, &le), len(le.Problems))
	// Output:
	// true 1
}

// A watcher that waits for notifications reads the latest version after
// each quiet interval: that finds a connection lost without an error (and
// a notification that never came) within about two intervals. The
// interval must be positive.
func ExampleWithWatchInterval() {
	pool, err := pgxpool.New(context.Background(), "postgres://app@db.internal/app") // connects on first use
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	if _, err := postgres.NewCatalogs[Ticket](pool, postgres.WithWatchInterval(10*time.Second)); err != nil {
		log.Fatal(err)
	}
	_, err = postgres.NewCatalogs[Ticket](pool, postgres.WithWatchInterval(0))
	fmt.Println(err)
	// Output:
	// postgres: the watch interval 0s is not positive
}

// PostgreSQL keeps UTF-8 text without NUL bytes: an id outside it is no
// object's (Load says actions.ErrNotFound), and Create refuses it with an
// *UnstorableError, before anything is sent.
func ExampleUnstorableError() {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	store, err := postgres.NewDocumentStore[Ticket](ctx, pool, "tickets")
	if err != nil {
		log.Fatal(err)
	}
	_, err = store.Create(ctx, "T-\x00", Ticket{Status: "open"})
	var ue *postgres.UnstorableError
	if errors.As(err, &ue) {
		fmt.Printf("%s %q: %v\n", ue.Field, ue.Value, errors.Is(err, postgres.ErrUnstorable))
	}
	_, _, err = store.Load(ctx, "T-\x00")
	fmt.Println(errors.Is(err, actions.ErrNotFound))
}
