package actions

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync/atomic"
	"time"
)

// Engine resolves and executes the actions of a Catalog on objects of type T
// kept in a Store. It is safe for concurrent use; its catalog can be swapped
// while requests are in flight (each request uses the catalog it started
// with).
type Engine[T any] struct {
	catalog  atomic.Pointer[Catalog[T]]
	store    Store[T]
	journal  Journal
	newID    func() string
	observer Observer
	observed bool // the host set the observer: Resolve and Execute report to it
	limits   RecordLimits
}

// Option configures an Engine.
type Option func(*engineConfig) error

type engineConfig struct {
	journal  Journal
	newID    func() string
	observer Observer
	limits   RecordLimits
}

// RecordLimits bound what an execution record keeps of a request, so that
// a client cannot grow the journal without bound. A request over a limit
// is refused with a *ValidationError (field "comment" or "input", rule
// "max"); nothing is cut short.
type RecordLimits struct {
	// Comment is the most bytes of Request.Comment (default 4 KiB).
	Comment int
	// Inputs is the most bytes of the inputs as JSON (default 16 KiB).
	Inputs int
}

// Default record limits.
const (
	DefaultCommentLimit = 4 << 10
	DefaultInputsLimit  = 16 << 10
)

// WithRecordLimits sets the limits of what execution records keep; a zero
// field keeps its default, a negative one is an error.
func WithRecordLimits(l RecordLimits) Option {
	return func(c *engineConfig) error {
		if l.Comment < 0 || l.Inputs < 0 {
			return errors.New("actions: record limits must not be negative")
		}
		if l.Comment > 0 {
			c.limits.Comment = l.Comment
		}
		if l.Inputs > 0 {
			c.limits.Inputs = l.Inputs
		}
		return nil
	}
}

// check returns the violations of a request's comment and inputs.
func (l RecordLimits) check(comment string, inputs map[string]any) []Violation {
	var vs []Violation
	if !plainText(comment) {
		vs = append(vs, Violation{Field: "comment", Rule: "text", Message: "comment must be UTF-8 text without NUL bytes"})
	}
	if len(comment) > l.Comment {
		vs = append(vs, Violation{Field: "comment", Rule: "max", Param: fmt.Sprint(l.Comment),
			Message: fmt.Sprintf("comment must be at most %d bytes", l.Comment)})
	}
	if n, ok := jsonBound(inputs); inputs != nil && (!ok || n > l.Inputs) {
		if data, err := json.Marshal(inputs); err != nil || len(data) > l.Inputs {
			vs = append(vs, Violation{Field: "input", Rule: "max", Param: fmt.Sprint(l.Inputs),
				Message: fmt.Sprintf("the inputs must be at most %d bytes as JSON", l.Inputs)})
		}
	}
	return vs
}

// jsonBound returns at least the length of json.Marshal(inputs), for the
// values execution records keep (strings, finite numbers, booleans, nil and
// lists of these), so that inputs far below the limit are not marshaled
// only to be measured; ok is false for a value it does not bound, or one
// json.Marshal may refuse.
func jsonBound(inputs map[string]any) (n int, ok bool) {
	n = 2 // {}
	for k, v := range inputs {
		m, ok := jsonValueBound(v)
		if !ok {
			return 0, false
		}
		n += jsonStringBound(k) + 1 + m + 1 // "k":v,
	}
	return n, true
}

func jsonValueBound(v any) (int, bool) {
	switch x := v.(type) {
	case nil:
		return len("null"), true
	case bool:
		return len("false"), true
	case string:
		return jsonStringBound(x), true
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return 0, false
		}
		return 32, true // -1.2345678901234567e-308 has 24
	case []any:
		n := 2 // []
		for _, e := range x {
			if _, nested := e.([]any); nested {
				return 0, false
			}
			m, ok := jsonValueBound(e)
			if !ok {
				return 0, false
			}
			n += m + 1
		}
		return n, true
	}
	return 0, false
}

// jsonStringBound bounds s as a JSON string: encoding/json writes no byte
// as more than six (\u00XX; \ufffd for a byte of invalid UTF-8).
func jsonStringBound(s string) int { return 6*len(s) + 2 }

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

// WithObserver sets the Observer the engine tells of every Resolve, every
// Execute and every rule that fails at run time. Without one, an engine
// logs rule failures, and nothing else, to slog.Default at level Warn (and
// spends nothing on timing requests).
func WithObserver(o Observer) Option {
	return func(c *engineConfig) error {
		if o == nil {
			return errors.New("actions: observer must not be nil")
		}
		c.observer = o
		return nil
	}
}

func randomID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand)
	return hex.EncodeToString(b[:])
}

// New returns an engine over catalog and store. The engine stamps its
// executions with the catalog's clock (see WithClock).
func New[T any](catalog *Catalog[T], store Store[T], opts ...Option) (*Engine[T], error) {
	if catalog == nil || store == nil {
		return nil, errors.New("actions: New needs a catalog and a store")
	}
	cfg := &engineConfig{newID: randomID, limits: RecordLimits{Comment: DefaultCommentLimit, Inputs: DefaultInputsLimit}}
	for _, o := range opts {
		if o == nil {
			continue
		}
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
	e := &Engine[T]{store: store, journal: cfg.journal, newID: cfg.newID, observer: cfg.observer, observed: cfg.observer != nil, limits: cfg.limits}
	if !e.observed {
		e.observer = logObserver{onlyRules: true}
	}
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

type resolveConfig struct {
	reserved bool
	noIndex  bool // for the tests that the index changes nothing
}

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

// Resolve lists the actions applicable to the object id (whose current value
// is obj) for actor, in position order: the actor holds the permission, the
// workflow accepts the object's state, the condition is true, and the
// execution policy is not exhausted. Reserved actions are left out unless
// IncludeReserved(true) is given.
//
// A condition that fails at run time (a type error on odd data, a budget
// exceeded) makes its action alone not applicable, and is reported to the
// engine's Observer; Resolve fails only when ctx ends or the journal cannot
// be read. It asks the journal at most once, however many actions have an
// execution policy.
func (e *Engine[T]) Resolve(ctx context.Context, id string, obj T, actor Actor, opts ...ResolveOption) ([]*Action, error) {
	if !e.observed {
		return e.resolve(ctx, id, obj, actor, opts)
	}
	start := time.Now()
	list, err := e.resolve(ctx, id, obj, actor, opts)
	ev := Event{Kind: EventResolve, Outcome: OutcomeResolved, ObjectID: id, ActorID: actor.ID, Applicable: len(list), Duration: time.Since(start), Err: err}
	if err != nil {
		ev.Outcome = OutcomeError
	}
	e.observer.Observe(ctx, ev)
	return list, err
}

func (e *Engine[T]) resolve(ctx context.Context, id string, obj T, actor Actor, opts []ResolveOption) ([]*Action, error) {
	var cfg resolveConfig
	if len(opts) > 0 {
		cfg = resolveOptions(opts)
	}
	cat := e.catalog.Load()
	r := request[T]{ctx: ctx, engine: e, cat: cat, id: id, obj: obj, actor: actor}
	defer r.release()
	it := cat.candidates(&r.obj)
	if cfg.noIndex {
		it = cat.allCandidates()
	}
	out := make([]*Action, 0, 8)
	var policed []int // indexes in out of the actions whose policy remains to be read
	for p := it.next(); p != nil; p = it.next() {
		if p.reserved && !cfg.reserved {
			continue
		}
		v, err := r.decide(p, nil, !cfg.noIndex)
		if err != nil {
			return nil, err
		}
		switch v {
		case allowed:
			out = append(out, p.action)
		case policyPending:
			policed = append(policed, len(out))
			out = append(out, p.action)
		}
	}
	if len(policed) == 0 {
		return out, nil
	}
	pending := make([]*Action, len(policed))
	for i, at := range policed {
		pending[i] = out[at]
	}
	why, err := r.policies(pending)
	if err != nil {
		return nil, err
	}
	drop := map[*Action]bool{}
	for i, w := range why {
		if w != "" {
			drop[pending[i]] = true
		}
	}
	return slices.DeleteFunc(out, func(a *Action) bool { return drop[a] }), nil
}

// Explain says why the action is not applicable to the object for actor,
// reason by reason (permission, state, the condition's deciding clauses or
// its run-time failure, policy). It returns no reasons when the action is
// applicable. It decides exactly as Resolve and Execute do.
func (e *Engine[T]) Explain(ctx context.Context, actionID, id string, obj T, actor Actor) ([]Reason, error) {
	cat := e.catalog.Load()
	a, err := cat.Action(actionID)
	if err != nil {
		return nil, err
	}
	r := request[T]{ctx: ctx, engine: e, cat: cat, id: id, obj: obj, actor: actor}
	defer r.release()
	return r.reasons(a)
}

// Check returns the error Execute would return for executing the action on
// the object (whose current value is obj) for actor, before it applies
// anything: nil when the action is applicable, an error matching
// ErrForbidden when the actor lacks its permission, a *NotApplicableError
// otherwise, or the error that kept the engine from deciding. It does not
// load the object (only the journal, for the action's policy); a host can
// use it to offer or refuse an action without executing it.
func (e *Engine[T]) Check(ctx context.Context, actionID, id string, obj T, actor Actor) error {
	cat := e.catalog.Load()
	a, err := cat.Action(actionID)
	if err != nil {
		return err
	}
	r := request[T]{ctx: ctx, engine: e, cat: cat, id: id, obj: obj, actor: actor}
	defer r.release()
	return r.refusal(a)
}

// Request asks the engine to execute an action. It decodes from JSON (but
// for the Actor, which the host authenticates).
type Request struct {
	ActionID string `json:"actionId"`
	ObjectID string `json:"objectId"`
	// Version is the version of the object the client saw. Zero (missing)
	// or a stale version is a conflict: an update is never applied to a
	// state the client did not see.
	Version int64 `json:"version"`
	Actor   Actor `json:"-"`
	// Inputs are the values of the action's inputs (see Input).
	Inputs Inputs `json:"inputs,omitempty"`
	// Comment is kept on the execution record. It must be UTF-8 text
	// without NUL bytes (every store can keep that) and within
	// RecordLimits.Comment.
	Comment string `json:"comment,omitempty"`
}

// Result is what an execution produced.
type Result[T any] struct {
	Object    T     // the object as saved
	Version   int64 // its new version
	Changes   []FieldChange
	Execution Execution // the record, with its Seq and the status after the effects ran
}

// Execute applies an action to a stored object: it loads the object,
// checks the expected version, the permission and applicability (as Check
// does), applies the change set to a copy, validates it, saves it if the
// version is still the expected one (recording the execution in the same
// step), then runs the action's effects.
//
// Errors match ErrNotFound (action or object), ErrConflict, ErrForbidden,
// ErrNotApplicable (*NotApplicableError; one whose reason is a condition
// that failed at run time also unwraps to that *conditions.Error),
// *ValidationError or a *conditions.Error from a change expression; in all
// these cases nothing was stored. If an effect fails after the save, Execute
// returns the result and an *EffectError.
func (e *Engine[T]) Execute(ctx context.Context, req Request) (Result[T], error) {
	if !e.observed {
		return e.execute(ctx, req)
	}
	start := time.Now()
	res, err := e.execute(ctx, req)
	outcome, reason, guard := outcomeOf(err)
	e.observer.Observe(ctx, Event{
		Kind: EventExecute, Outcome: outcome, Reason: reason, Guard: guard, ActionID: req.ActionID, ObjectID: req.ObjectID,
		ActorID: req.Actor.ID, Duration: time.Since(start), Err: err,
	})
	return res, err
}

func (e *Engine[T]) execute(ctx context.Context, req Request) (Result[T], error) {
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
	r := request[T]{ctx: ctx, engine: e, cat: cat, id: req.ObjectID, obj: obj, actor: req.Actor}
	defer r.release()
	if err := r.refusal(a); err != nil {
		return Result[T]{}, err
	}
	in, inputs, vs := a.inputs.values(cat.validate, req.Inputs)
	vs = append(vs, e.limits.check(req.Comment, inputs)...)
	if len(vs) > 0 {
		return Result[T]{}, newValidationError(a.def.ID, vs)
	}
	applied, err := cat.apply(ctx, a, obj, &req.Actor, &r, in)
	if err != nil {
		var ve *ValidationError
		if !errors.As(err, &ve) && !r.fatal(err) {
			// A change or post-condition that fails is a broken rule, as a
			// condition that fails is: the observer hears of both.
			r.ruleFailed(a, "", err)
		}
		return Result[T]{}, err
	}
	execID := e.newID()
	if execID == "" {
		// The journal keys records by id: an empty one would be lost, and
		// with it the execution policies.
		return Result[T]{}, errors.New("actions: the execution id generator returned an empty id")
	}
	rec := Execution{
		ID: execID, ActionID: a.def.ID, ObjectID: req.ObjectID, ActorID: req.Actor.ID, Comment: req.Comment, Inputs: inputs,
		Time: cat.clock(), FromVersion: version, ToVersion: version + 1, Status: StatusSucceeded,
	}
	if len(a.def.Effects) > 0 {
		rec.Status = StatusPending
	}
	newVersion, err := e.store.Save(ctx, req.ObjectID, applied.Object, version, &rec)
	if err != nil {
		return Result[T]{}, err
	}
	res := Result[T]{Object: applied.Object, Version: newVersion, Changes: applied.Changes, Execution: rec}
	if len(a.def.Effects) == 0 {
		return res, nil
	}
	return e.runEffects(ctx, cat, a, req.Actor, obj, res)
}

func (e *Engine[T]) runEffects(ctx context.Context, cat *Catalog[T], a *Action, actor Actor, before T, res Result[T]) (Result[T], error) {
	in := EffectInput[T]{Execution: res.Execution, Action: a, Actor: actor, Before: before, After: res.Object, Changes: res.Changes}
	pending := false
	for _, name := range a.def.Effects {
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
