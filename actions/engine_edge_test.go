package actions_test

import (
	"context"
	"errors"
	"testing"

	"github.com/actionable-go/actionable/actions"
)

// zeroBasedStore numbers versions from 0, as a host's own store may: its
// objects start at version 0, which a request without a version must not
// match.
type zeroBasedStore struct{ *actions.MemoryStore[Ticket] }

func (s zeroBasedStore) Load(ctx context.Context, id string) (Ticket, int64, error) {
	obj, v, err := s.MemoryStore.Load(ctx, id)
	return obj, v - 1, err
}

func (s zeroBasedStore) Save(ctx context.Context, id string, obj Ticket, expected int64, rec *actions.Execution) (int64, error) {
	v, err := s.MemoryStore.Save(ctx, id, obj, expected+1, rec)
	return v - 1, err
}

func TestExecuteWithoutVersionOnAZeroBasedStore(t *testing.T) {
	ctx := context.Background()
	store := zeroBasedStore{actions.NewMemoryStore[Ticket]()}
	if _, err := store.Create(ctx, "T-1", newTicket()); err != nil {
		t.Fatal(err)
	}
	engine, err := actions.New[Ticket](compile(t, errorDefs), store, actions.WithJournal(store.MemoryStore))
	if err != nil {
		t.Fatal(err)
	}
	_, version, _ := engine.Load(ctx, "T-1")
	if version != 0 {
		t.Fatalf("the store's first version is %d, want 0", version)
	}

	_, err = engine.Execute(ctx, actions.Request{ActionID: "start", ObjectID: "T-1", Actor: ann})

	if !errors.Is(err, actions.ErrConflict) {
		t.Fatalf("Execute without a version: %v, want ErrConflict", err)
	}
	obj, version, _ := engine.Load(ctx, "T-1")
	diff(t, "stored object", newTicket(), obj)
	if version != 0 {
		t.Errorf("version = %d, want 0 (nothing saved)", version)
	}
}

func TestExecuteRefusesAnEmptyExecutionID(t *testing.T) {
	ctx := context.Background()
	store := actions.NewMemoryStore[Ticket]()
	if _, err := store.Create(ctx, "T-1", newTicket()); err != nil {
		t.Fatal(err)
	}
	engine, err := actions.New(compile(t, errorDefs), store, actions.WithExecutionIDs(func() string { return "" }))
	if err != nil {
		t.Fatal(err)
	}

	_, err = engine.Execute(ctx, actions.Request{ActionID: "approve", ObjectID: "T-1", Version: 1, Actor: ann})

	if err == nil {
		t.Fatal("Execute with an empty execution id succeeded: its record would be lost, and with it the Once policy")
	}
	obj, version, _ := engine.Load(ctx, "T-1")
	diff(t, "stored object", newTicket(), obj)
	if version != 1 {
		t.Errorf("version = %d, want 1 (nothing saved)", version)
	}
}
