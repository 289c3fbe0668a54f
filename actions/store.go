package actions

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Status is the state of an execution.
type Status string

// Execution statuses.
const (
	// StatusPending: saved, with an effect still running or finishing later.
	StatusPending Status = "pending"
	// StatusSucceeded: saved and every effect succeeded.
	StatusSucceeded Status = "succeeded"
	// StatusFailed: saved, but an effect failed (Detail says why).
	StatusFailed Status = "failed"
)

// Execution records one execution of an action on an object.
type Execution struct {
	// Seq is the record's place in the journal, assigned by the store when
	// it saves the record: positive, unique, and growing with every record
	// (gaps are allowed). "Oldest first" means in Seq order.
	Seq      int64
	ID       string
	ActionID string
	ObjectID string
	ActorID  string // "" when the actor had no id
	Comment  string
	// Inputs are the action's inputs as validated, in the form
	// encoding/json decodes into an any (strings, float64 numbers, bools,
	// []any of strings, times as RFC 3339 strings), so that the audit
	// trail says what the actor gave; nil when there were none.
	Inputs      map[string]any
	Time        time.Time
	FromVersion int64 // the version the action was applied to
	ToVersion   int64 // the version it saved
	Status      Status
	Detail      string // what an effect reported: an error, a callout's answer
}

// Store keeps the objects the engine acts on, each with a version that
// grows by one with every save. It is all an Engine needs of its storage.
//
// Implementations must be safe for concurrent use: Load and Save may be
// called from many goroutines at once. actionstest.TestStore checks an
// implementation against this contract.
type Store[T any] interface {
	// Load returns the object and its version, or an error matching
	// ErrNotFound. The returned value must not share memory with what the
	// store keeps.
	Load(ctx context.Context, id string) (T, int64, error)
	// Save replaces the object if its version is still expected and
	// returns the new version (expected+1). An unknown id is an error
	// matching ErrNotFound, a different version one matching ErrConflict,
	// and in both cases nothing is written.
	//
	// With a non-nil rec, Save records *rec in the store's journal in the
	// same step, all or nothing, and sets rec.Seq to the sequence number it
	// assigned. With a nil rec, Save records nothing: that is how a host
	// loads or migrates data without an execution. A SQL store does this in
	// one transaction: UPDATE ... SET version = version + 1 WHERE id = $1
	// AND version = $2, then INSERT the execution.
	Save(ctx context.Context, id string, obj T, expected int64, rec *Execution) (int64, error)
}

// Creator is a Store that can add objects. The engine never creates
// objects; hosts and tests do.
type Creator[T any] interface {
	// Create stores a new object at version 1; an existing id is an error
	// matching ErrConflict.
	Create(ctx context.Context, id string, obj T) (int64, error)
}

// Filter selects executions. Empty fields match anything.
type Filter struct {
	ID       string
	ActionID string
	ObjectID string
	ActorID  string
	// NoActor selects only the records without an actor (ActorID ""). It
	// cannot be combined with ActorID.
	NoActor bool
	Status  Status
	// After and Before bound Seq, exclusively: After 10 selects records
	// from Seq 11 on. Zero means no bound.
	After  int64
	Before int64
	// Newest returns the records newest first (descending Seq); the default
	// is oldest first. To page through a journal oldest first, pass the
	// last Seq of a page as After of the next; newest first, as Before.
	Newest bool
	// Limit is the most records returned; 0 means all of them.
	Limit int
}

// Validate reports a filter that no journal can answer: a negative bound
// or limit, or NoActor together with an ActorID.
func (f Filter) Validate() error {
	switch {
	case f.Limit < 0:
		return fmt.Errorf("actions: filter limit %d is negative", f.Limit)
	case f.After < 0 || f.Before < 0:
		return errors.New("actions: filter bounds must not be negative")
	case f.NoActor && f.ActorID != "":
		return fmt.Errorf("actions: filter asks for actor %q and for no actor", f.ActorID)
	}
	return nil
}

// Match reports whether e satisfies every field of f but Limit and Newest.
func (f Filter) Match(e *Execution) bool {
	return (f.ID == "" || f.ID == e.ID) && (f.ActionID == "" || f.ActionID == e.ActionID) &&
		(f.ObjectID == "" || f.ObjectID == e.ObjectID) && (f.ActorID == "" || f.ActorID == e.ActorID) &&
		(!f.NoActor || e.ActorID == "") && (f.Status == "" || f.Status == e.Status) &&
		(f.After == 0 || e.Seq > f.After) && (f.Before == 0 || e.Seq < f.Before)
}

// PolicyQuery asks a journal, in one call, which of several actions have
// been executed on which of several objects: what the execution policies of
// one Resolve or Execute, or of a whole ResolveAll, need.
type PolicyQuery struct {
	ObjectIDs []string
	ActorID   string // whose own executions to report; "" for none
	ActionIDs []string
}

// PolicyState is what a journal knows of the executions of one action on
// one object, for its policy.
type PolicyState struct {
	ObjectID string
	ActionID string
	// FirstActorID is the actor of the first execution ("" if it had
	// none).
	FirstActorID string
	// ByActor reports whether the query's actor has executed the action.
	ByActor bool
}

// Journal reads and finishes the execution records a Store writes. It is
// what execution policies and audit views query. Implementations must be
// safe for concurrent use.
type Journal interface {
	// Executions returns the records matching f, in Seq order (ascending,
	// or descending with f.Newest), at most f.Limit of them. An invalid
	// filter (see Filter.Validate) is an error.
	Executions(ctx context.Context, f Filter) ([]Execution, error)
	// Policies returns a PolicyState for each pair of an object of
	// q.ObjectIDs and an action of q.ActionIDs such that the action has
	// been executed on the object, in any order, once per pair however
	// often an id repeats in q; a pair never executed is left out. It
	// answers from every execution ever
	// recorded, including those a retention policy has since dropped: a
	// journal that forgets executions must keep what Policies reports
	// (one entry per object, action and actor), or a Once action would
	// become executable again.
	Policies(ctx context.Context, q PolicyQuery) ([]PolicyState, error)
	// Finish moves a pending execution to StatusSucceeded or StatusFailed
	// with detail. An unknown id matches ErrNotFound; an execution that is
	// no longer pending matches ErrConflict.
	Finish(ctx context.Context, id string, status Status, detail string) (Execution, error)
}

// Retention bounds a journal's size. Records that match either bound are
// dropped, oldest first; pending executions are never dropped, and what
// execution policies read (see Journal.Policies) is kept.
type Retention struct {
	// Before drops the records whose Time is before it; zero keeps all.
	Before time.Time
	// Keep drops the oldest records beyond this many; zero keeps all.
	Keep int
}

// Pruner is a Journal that can drop old records.
type Pruner interface {
	// Prune drops the records r selects and returns how many it dropped.
	Prune(ctx context.Context, r Retention) (int, error)
}
