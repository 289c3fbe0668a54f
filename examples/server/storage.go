package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/actionable-go/actionable/actions"
	"github.com/actionable-go/actionable/adapters/postgres"
	"github.com/actionable-go/actionable/adapters/salesforce"
)

// storage makes the demo's stores: in memory (the default), or in
// PostgreSQL (-postgres), where they outlive the process and every server
// on the same database and schema shares them.
type storage struct {
	pool   *pgxpool.Pool // nil: in memory
	schema string
}

// demoStore is what the demo needs of a store: an engine's store and
// journal, a way to load the demo data, and one to prune the journal.
type demoStore[T any] interface {
	actions.Store[T]
	actions.Creator[T]
	actions.Journal
	actions.Pruner
}

var (
	_ demoStore[struct{}] = (*actions.MemoryStore[struct{}])(nil)
	_ demoStore[struct{}] = (*postgres.Store[struct{}])(nil)
)

// openStorage returns the storage for -postgres url in schema ("" for
// memory), migrating the schema first. close releases it.
func openStorage(ctx context.Context, url, schema string) (st *storage, close func(), err error) {
	if url == "" {
		return &storage{}, func() {}, nil
	}
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		return nil, nil, fmt.Errorf("-postgres: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, nil, fmt.Errorf("-postgres: %w", err)
	}
	// Explicit, idempotent and safe when several servers start at once.
	if _, err := postgres.Migrate(ctx, pool, postgres.WithSchema(schema)); err != nil {
		pool.Close()
		return nil, nil, fmt.Errorf("-postgres: %w", err)
	}
	return &storage{pool: pool, schema: schema}, pool.Close, nil
}

// newStore returns the store of one kind of demo object: a MemoryStore, or
// a PostgreSQL document collection.
func newStore[T any](ctx context.Context, st *storage, collection string) (demoStore[T], error) {
	if st == nil || st.pool == nil {
		return actions.NewMemoryStore[T](), nil
	}
	return postgres.NewDocumentStore[T](ctx, st.pool, collection, postgres.WithSchema(st.schema))
}

// salesforceStores returns the stores of the Salesforce demo.
func salesforceStores(ctx context.Context, st *storage) (salesforce.Stores, error) {
	if st == nil || st.pool == nil {
		return salesforce.NewMemoryStores(), nil
	}
	links, err := postgres.NewDocumentStore[salesforce.Link](ctx, st.pool, "salesforce.links", postgres.WithSchema(st.schema))
	if err != nil {
		return salesforce.Stores{}, err
	}
	groups, err := postgres.NewDocumentStore[salesforce.Group](ctx, st.pool, "salesforce.groups", postgres.WithSchema(st.schema))
	if err != nil {
		return salesforce.Stores{}, err
	}
	owners, err := postgres.NewDocumentStore[salesforce.Owner](ctx, st.pool, "salesforce.owners", postgres.WithSchema(st.schema))
	if err != nil {
		return salesforce.Stores{}, err
	}
	return salesforce.Stores{Links: links, Groups: groups, Owners: owners}, nil
}

// load creates the demo object id unless the store holds it already: the
// demo data is loaded once, and a server that starts on a database holding
// it keeps what is there. It reports whether it created the object.
func load[T any](ctx context.Context, store actions.Creator[T], id string, obj T) (bool, error) {
	_, err := store.Create(ctx, id, obj)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, actions.ErrConflict):
		return false, nil
	}
	return false, fmt.Errorf("loading %s: %w", id, err)
}
