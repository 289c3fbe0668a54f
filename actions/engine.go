package actions

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/actionable-go/actionable/conditions"
)

// Engine resolves and executes the actions of a Catalog on objects of type T
// kept in a Store. It is safe for concurrent use; its catalog can be swapped
// while requests are in flight (each request uses the catalog it started
// with).
type Engine[T any] struct {
	catalog atomic.Pointer[Catalog[T]]
	store   Store[T]
	journal Journal
	now     func() time.Time
	newID   func() string
}

// Option configures an Engine.
type Option func(*engineConfig) error

type engineConfig struct {
	journal Journal
	now     func() time.Time
	newID   func() string
}

// WithJournal sets the journal that execution policies and Complete use.
// It must read what the store's Save records. By default the store is used
// when it implements Journal, as MemoryStore does.
func WithJournal(j Journal) Option {
	return func(c *engineConfig) error {
		if j == nil {
			return errors.New("actions: journal must not be nil")
		}
		c.journal = j
		return nil
	}
}

// WithClock sets the clock that timestamps executions (default time.Now).
// The clock of conditions is set on the catalog, with WithConditionOptions.
func WithClock(now func() time.Time) Option {
	return func(c *engineConfig) error {
		if now == nil {
			return errors.New("actions: clock must not be nil")
		}
		c.now = now
		return nil
	}
}

// WithExecutionIDs sets the generator of execution ids (default: 16 random
// bytes in hex). Tests use it for stable ids.
func WithExecutionIDs(next func() string) Option {
	return func(c *engineConfig) error {
		if next == nil {
			return errors.New("actions: id generator must not be nil")
		}
		c.newID = next
		return nil
	}
}

func randomID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand)
	return hex.EncodeToString(b[:])
}

// New returns an engine over catalog and store.
func New[T any](catalog *Catalog[T], store Store[T], opts ...Option) (*Engine[T], error) {
	if catalog == nil || store == nil {
		return nil, errors.New("actions: New needs a catalog and a store")
	}
	cfg := &engineConfig{now: time.Now, newID: randomID}
	for _, o := range opts {
		if err := o(cfg); err != nil {
			return nil, err
		}
	}
	if cfg.journal == nil {
		j, ok := store.(Journal)
		if !ok {
			return nil, errors.New("actions: the store is not a Journal; pass one with WithJournal")
		}
		cfg.journal = j
	}
	e := &Engine[T]{store: store, journal: cfg.journal, now: cfg.now, newID: cfg.newID}
	e.catalog.Store(catalog)
	return e, nil
}

// Catalog returns the current catalog.
func (e *Engine[T]) Catalog() *Catalog[T] { return e.catalog.Load() }

// Swap installs a new catalog atomically (hot reload) and returns the old
// one. Requests already running finish with the catalog they started with.
func (e *Engine[T]) Swap(c *Catalog[T]) (*Catalog[T], error) {
	if c == nil {
		return nil, errors.New("actions: catalog must not be nil")
	}
	return e.catalog.Swap(c), nil
}

// Load returns an object and its version from the store.
func (e *Engine[T]) Load(ctx context.Context, id string) (T, int64, error) {
	return e.store.Load(ctx, id)
}

// Journal returns the journal the engine reads.
func (e *Engine[T]) Journal() Journal { return e.journal }

// ResolveOption configures Resolve.
type ResolveOption func(*resolveConfig)

type resolveConfig struct{ reserved bool }

// IncludeReserved lists reserved actions too when include is true.
func IncludeReserved(include bool) ResolveOption {
	return func(c *resolveConfig) { c.reserved = include }
}

// resolveOptions applies opts; calling them through a function value moves
// the config to the heap, so Resolve does it only when it has options.
//
//go:noinline
func resolveOptions(opts []ResolveOption) resolveConfig {
	var cfg resolveConfig
	for _, o := range opts {
		o(&cfg)
	}
	return cfg
}

// request is the per-call state shared by the checks of one object.
type request[T any] struct {
	ctx   context.Context
	cat   *Catalog[T]
	id    string
	obj   *T
	actor *Actor
	batch *conditions.Batch // built on first use: the environment and a VM
}

func newRequest[T any](ctx context.Context, cat *Catalog[T], id string, obj *T, actor *Actor) *request[T] {
	return &request[T]{ctx: ctx, cat: cat, id: id, obj: obj, actor: actor}
}

// eval returns the batch evaluating expressions against the object's
// environment.
func (r *request[T]) eval() *conditions.Batch {
	if r.batch == nil {
		r.batch = conditions.NewBatch(r.ctx, envOf(r.cat.shape, r.obj, r.actor))
	}
	return r.batch
}

func (r *request[T]) release() {
	if r.batch != nil {
		r.batch.Release()
		r.batch = nil
	}
}

// Resolve lists the actions applicable to the object id (whose current value
// is obj) for actor, in position order: the actor holds the permission, the
// workflow accepts the object's state, the condition is true, and the
// execution policy is not exhausted. Reserved actions are left out unless
// IncludeReserved(true) is given.
func (e *Engine[T]) Resolve(ctx context.Context, id string, obj T, actor Actor, opts ...ResolveOption) ([]*Action, error) {
	var cfg resolveConfig
	if len(opts) > 0 {
		cfg = resolveOptions(opts)
	}
	// The loop is written out, without a request, so that obj and actor stay
	// on the stack: Resolve allocates its result and nothing else. The
	// environment is built once, when the first condition needs it, in
	// memory reused from earlier calls.
	cat := e.catalog.Load()
	var batch *conditions.Batch
	var scratch unsafe.Pointer
	defer func() {
		if batch != nil {
			batch.Release()
			// Conditions give booleans: nothing read from the environment
			// outlives the batch, so its memory can serve the next call.
			cat.shape.release(scratch)
		}
	}()
	list := cat.candidates(&obj)
	out := make([]*Action, 0, min(len(list), 8))
	// Actions mostly share a few permissions: remember the last answer.
	lastPerm, lastCan := "", true
	for i := range list {
		p := &list[i]
		if p.perm != lastPerm {
			lastPerm, lastCan = p.perm, actor.Can(p.perm)
		}
		switch {
		case p.reserved && !cfg.reserved,
			!lastCan,
			p.from != nil && !p.from[stringAt(&obj, p.state)]:
			continue
		}
		if p.cond != nil {
			if batch == nil {
				scratch = cat.shape.scratch()
				batch = conditions.NewBatch(ctx, envAt(cat.shape, scratch, &obj, &actor))
			}
			ok, err := batch.Evaluate(p.cond)
			if err != nil {
				return nil, fmt.Errorf("actions: action %q: condition: %w", p.action.ID, err)
			}
			if !ok {
				continue
			}
		}
		if p.policy != Unlimited {
			why, err := e.exhausted(ctx, p.action, id, actor.ID)
			if err != nil {
				return nil, err
			}
			if why != "" {
				continue
			}
		}
		out = append(out, p.action)
	}
	return out, nil
}

// Explain says why the action is not applicable to the object for actor,
// reason by reason (permission, state, the condition's deciding clauses,
// policy). It returns no reasons when the action is applicable.
func (e *Engine[T]) Explain(ctx context.Context, actionID, id string, obj T, actor Actor) ([]Reason, error) {
	cat := e.catalog.Load()
	a, err := cat.Action(actionID)
	if err != nil {
		return nil, err
	}
	r := newRequest(ctx, cat, id, &obj, &actor)
	defer r.release()
	return e.check(ctx, r, a)
}

// applicable reports whether a applies, without building reasons. It is
// Resolve's test for one action, for Execute; Resolve writes the same test
// out in its loop (permission, state, condition, policy, in this order) to
// keep its object on the stack. A change here belongs there too.
func (e *Engine[T]) applicable(ctx context.Context, r *request[T], a *Action) (bool, error) {
	if !r.actor.Can(a.Permission) {
		return false, nil
	}
	if a.state != nil && len(a.from) > 0 && !a.from[stringAt(r.obj, a.state)] {
		return false, nil
	}
	if a.cond != nil {
		ok, err := r.eval().Evaluate(a.cond)
		if err != nil || !ok {
			if err != nil {
				err = fmt.Errorf("actions: action %q: condition: %w", a.ID, err)
			}
			return false, err
		}
	}
	if a.Policy != Unlimited {
		why, err := e.exhausted(ctx, a, r.id, r.actor.ID)
		return err == nil && why == "", err
	}
	return true, nil
}

// exhausted says why a's execution policy forbids another execution on the
// object by the actor, or "" when it does not.
func (e *Engine[T]) exhausted(ctx context.Context, a *Action, objectID, actorID string) (string, error) {
	f := Filter{ActionID: a.ID, ObjectID: objectID, Limit: 1}
	if a.Policy == OncePerUser {
		if actorID == "" {
			// An empty filter field matches every actor: without an id the
			// policy cannot tell this actor's executions from others'.
			return "policy OncePerUser: the actor has no id", nil
		}
		f.ActorID = actorID
	}
	done, err := e.journal.Executions(ctx, f)
	if err != nil {
		return "", fmt.Errorf("actions: reading the journal: %w", err)
	}
	if len(done) > 0 {
		return fmt.Sprintf("policy %s: already executed by %q", a.Policy, done[0].ActorID), nil
	}
	return "", nil
}

// check returns every reason a is not applicable.
func (e *Engine[T]) check(ctx context.Context, r *request[T], a *Action) ([]Reason, error) {
	var reasons []Reason
	if !r.actor.Can(a.Permission) {
		reasons = append(reasons, Reason{Kind: ReasonPermission, Message: fmt.Sprintf("actor %q lacks permission %q", r.actor.ID, a.Permission)})
	}
	if a.state != nil && len(a.from) > 0 {
		if s := stringAt(r.obj, a.state); !a.from[s] {
			reasons = append(reasons, Reason{Kind: ReasonState, Message: fmt.Sprintf("%s is %q, not one of %q", a.state.jsonName, s, a.Workflow.From)})
		}
	}
	if a.cond != nil {
		x, err := a.cond.Explain(ctx, r.eval().Env())
		if err != nil {
			return nil, fmt.Errorf("actions: action %q: condition: %w", a.ID, err)
		}
		if !x.Result {
			reasons = append(reasons, Reason{Kind: ReasonCondition, Message: "condition is false", Clauses: x.Clauses})
		}
	}
	if a.Policy != Unlimited {
		why, err := e.exhausted(ctx, a, r.id, r.actor.ID)
		if err != nil {
			return nil, err
		}
		if why != "" {
			reasons = append(reasons, Reason{Kind: ReasonPolicy, Message: why})
		}
	}
	return reasons, nil
}

// Request asks the engine to execute an action.
type Request struct {
	ActionID string
	ObjectID string
	// Version is the version of the object the client saw. Zero (missing)
	// or a stale version is a conflict: an update is never applied to a
	// state the client did not see.
	Version int64
	Actor   Actor
	Comment string
}

// Result is what an execution produced.
type Result[T any] struct {
	Object    T     // the object as saved
	Version   int64 // its new version
	Changes   []FieldChange
	Execution Execution // the record, with the status after the effects ran
}

// Execute applies an action to a stored object: it loads the object,
// checks the expected version, the permission and applicability, applies the
// change set to a copy, validates it, saves it if the version is still the
// expected one (recording the execution in the same step), then runs the
// action's effects.
//
// Errors match ErrNotFound (action or object), ErrConflict, ErrForbidden,
// ErrNotApplicable (*NotApplicableError), *ValidationError or a
// *conditions.Error; in all these cases nothing was stored. If an effect
// fails after the save, Execute returns the result and an *EffectError.
func (e *Engine[T]) Execute(ctx context.Context, req Request) (Result[T], error) {
	cat := e.catalog.Load()
	a, err := cat.Action(req.ActionID)
	if err != nil {
		return Result[T]{}, err
	}
	obj, version, err := e.store.Load(ctx, req.ObjectID)
	if err != nil {
		return Result[T]{}, err
	}
	if req.Version == 0 || req.Version != version { // 0: the client sent none
		return Result[T]{}, fmt.Errorf("%w: object %q is at version %d, the request expects %d", ErrConflict, req.ObjectID, version, req.Version)
	}
	r := newRequest(ctx, cat, req.ObjectID, &obj, &req.Actor)
	defer r.release()
	ok, err := e.applicable(ctx, r, a)
	if err != nil {
		return Result[T]{}, err
	}
	if !ok {
		// Refused: collect every reason, with the deciding clauses.
		reasons, err := e.check(ctx, r, a)
		if err != nil {
			return Result[T]{}, err
		}
		if len(reasons) == 0 { // the journal changed between the two looks
			return Result[T]{}, fmt.Errorf("%w: executions of %q on %q changed concurrently", ErrConflict, a.ID, req.ObjectID)
		}
		if reasons[0].Kind == ReasonPermission {
			return Result[T]{}, fmt.Errorf("%w: %s", ErrForbidden, reasons[0].Message)
		}
		return Result[T]{}, &NotApplicableError{ActionID: a.ID, Reasons: reasons}
	}
	applied, err := cat.apply(ctx, a, obj, &req.Actor, r)
	if err != nil {
		return Result[T]{}, err
	}
	execID := e.newID()
	if execID == "" {
		// The journal keys records by id: an empty one would be lost, and
		// with it the execution policies.
		return Result[T]{}, errors.New("actions: the execution id generator returned an empty id")
	}
	rec := Execution{
		ID: execID, ActionID: a.ID, ObjectID: req.ObjectID, ActorID: req.Actor.ID, Comment: req.Comment,
		Time: e.now(), FromVersion: version, ToVersion: version + 1, Status: StatusSucceeded,
	}
	if len(a.Effects) > 0 {
		rec.Status = StatusPending
	}
	newVersion, err := e.store.Save(ctx, req.ObjectID, applied.Object, version, rec)
	if err != nil {
		return Result[T]{}, err
	}
	res := Result[T]{Object: applied.Object, Version: newVersion, Changes: applied.Changes, Execution: rec}
	if len(a.Effects) == 0 {
		return res, nil
	}
	return e.runEffects(ctx, cat, a, req.Actor, obj, res)
}

func (e *Engine[T]) runEffects(ctx context.Context, cat *Catalog[T], a *Action, actor Actor, before T, res Result[T]) (Result[T], error) {
	in := EffectInput[T]{Execution: res.Execution, Action: a, Actor: actor, Before: before, After: res.Object, Changes: res.Changes}
	pending := false
	for _, name := range a.Effects {
		err := runEffect(ctx, cat.effects[name], in)
		if errors.Is(err, ErrPending) {
			pending = true // the host completes it with Complete; the next effects still run
			continue
		}
		if err != nil {
			// The record must say what happened even if the request's
			// context is gone.
			fin, ferr := e.journal.Finish(context.WithoutCancel(ctx), res.Execution.ID, StatusFailed, err.Error())
			if ferr == nil {
				res.Execution = fin
			} else {
				res.Execution.Status, res.Execution.Detail = StatusFailed, err.Error()
			}
			return res, &EffectError{Effect: name, Execution: res.Execution, Err: err}
		}
	}
	if pending {
		return res, nil
	}
	fin, err := e.journal.Finish(context.WithoutCancel(ctx), res.Execution.ID, StatusSucceeded, "")
	if err != nil {
		return res, fmt.Errorf("actions: recording execution %s: %w", res.Execution.ID, err)
	}
	res.Execution = fin
	return res, nil
}

// runEffect runs host code; a panic there is the host's bug, but it must not
// take the server down with a half-recorded execution.
func runEffect[T any](ctx context.Context, eff Effect[T], in EffectInput[T]) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("effect panicked: %v", r)
		}
	}()
	return eff.Run(ctx, in)
}

// Complete finishes a pending execution (one whose effect returned
// ErrPending) as StatusSucceeded or StatusFailed, with detail.
func (e *Engine[T]) Complete(ctx context.Context, executionID string, status Status, detail string) (Execution, error) {
	return e.journal.Finish(ctx, executionID, status, detail)
}

// Executions returns the journal's records matching f.
func (e *Engine[T]) Executions(ctx context.Context, f Filter) ([]Execution, error) {
	recs, err := e.journal.Executions(ctx, f)
	return slices.Clip(recs), err
}
