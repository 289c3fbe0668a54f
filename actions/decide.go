package actions

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/actionable-go/actionable/internal/eval"
)

// request is what the checks of one object share: the catalog snapshot, the
// object, the actor and the environment the expressions read, built on first
// use. It lives on its caller's stack. It holds the object and the actor by
// value: escape analysis does not tell fields apart, so a pointer here would
// send them to the heap as soon as the context or the id, which the journal
// and the observer receive, leaks.
type request[T any] struct {
	ctx    context.Context
	engine *Engine[T] // nil for Catalog.Apply: no journal, no observer
	cat    *Catalog[T]
	id     string
	obj    T
	actor  Actor
	batch  *eval.Batch
	stale  bool // the batch's environment is of another object (ResolveAll)

	// Actions mostly share a few permissions: the last answer is kept.
	lastPerm string
	lastCan  bool
	permSet  bool

	// The answers of the catalog's actor-only conjuncts (see fastCond), by
	// their index in Catalog.memo; those beyond the array are not kept.
	memo [64]memoState

	failures int // rules that failed at run time, so far
}

// memoState is what a request knows of an actor-only conjunct.
type memoState uint8

const (
	memoUnknown memoState = iota
	memoTrue
	memoFalse
)

// eval returns the batch evaluating expressions against the environment of
// the object and the actor.
func (r *request[T]) eval() *eval.Batch {
	switch {
	case r.batch == nil:
		r.batch = eval.NewBatch(r.ctx, envOf(r.cat.shape, &r.obj, &r.actor))
	case r.stale:
		r.batch.Rebind(envOf(r.cat.shape, &r.obj, &r.actor))
		r.stale = false
	}
	return r.batch
}

// next makes the request about another object, for the same actor: the
// batch (its VM) and the permission answers are kept.
func (r *request[T]) next(id string, obj *T) {
	r.id, r.obj, r.stale = id, *obj, r.batch != nil
}

func (r *request[T]) release() {
	if r.batch != nil {
		r.batch.Release()
		r.batch = nil
	}
}

func (r *request[T]) can(perm string) bool {
	if !r.permSet || perm != r.lastPerm {
		r.lastPerm, r.lastCan, r.permSet = perm, r.actor.Can(perm), true
	}
	return r.lastCan
}

// verdict is what the checks of one action that need no journal decided.
type verdict uint8

const (
	refused       verdict = iota // a check failed
	allowed                      // every check passed, and the action has no execution policy
	policyPending                // every check passed; the policy needs the journal
)

// decide is the one definition of "applicable" that Resolve, Explain, Check
// and Execute share. It runs the checks of one action in order: permission,
// workflow state, condition. With why nil it stops at the first that fails
// and builds nothing; otherwise it runs them all and appends a Reason for
// each that fails. The execution policy is left to the caller
// (policyPending), which asks the journal once for every action of a
// request (see policies).
//
// A condition that fails at run time refuses its action alone, with a
// ReasonError, and is reported to the observer. decide returns an error only
// for what ends the whole request: its context, or an environment of the
// wrong type (a bug).
func (r *request[T]) decide(p *probe, why *[]Reason, indexed bool) (verdict, error) {
	ok := true
	if !r.can(p.perm) {
		if why == nil {
			return refused, nil
		}
		ok = false
		*why = append(*why, Reason{Kind: ReasonPermission, Message: fmt.Sprintf("actor %q lacks permission %q", r.actor.ID, p.perm)})
	}
	if p.from != nil {
		if s := stringAt(&r.obj, p.state); !p.from[s] {
			if why == nil {
				return refused, nil
			}
			ok = false
			*why = append(*why, Reason{Kind: ReasonState, Message: fmt.Sprintf("%s is %q, not one of %q", p.state.jsonName, s, p.action.def.Workflow.From)})
		}
	}
	if p.cond != nil {
		var fast *fastCond
		if indexed {
			fast = p.fast
		}
		holds, err := r.holds(p.action, p.cond, fast, "", why)
		if err != nil {
			return refused, err
		}
		if !holds {
			if why == nil {
				return refused, nil
			}
			ok = false
		}
	}
	for i := range p.guards {
		g := &p.guards[i]
		var fast *fastCond
		if indexed {
			fast = g.fast
		}
		holds, err := r.holds(p.action, g.cond, fast, g.name, why)
		if err != nil {
			return refused, err
		}
		if !holds {
			if why == nil {
				return refused, nil
			}
			ok = false
		}
	}
	switch {
	case !ok:
		return refused, nil
	case p.policy != Unlimited:
		return policyPending, nil
	}
	return allowed, nil
}

// holds evaluates one condition of a: its Condition (guard "") or the
// guard of that name. When it is false or fails and why is not nil, it
// appends the reason. A failure is reported to the observer and refuses a
// alone; the error returned is only one that ends the request. With fast
// (a probe Resolve reached through the index, asking for no reasons) it
// evaluates the condition's residual instead (see fastCond).
func (r *request[T]) holds(a *Action, c *eval.Condition, fast *fastCond, guard string, why *[]Reason) (bool, error) {
	var holds bool
	var err error
	if fast != nil && why == nil {
		holds, err = r.holdsFast(fast)
		if err != nil {
			// The parts ran out of the condition's order and under names
			// the author did not write: let the whole condition decide,
			// and fail, if it fails, as written.
			holds, err = r.eval().Evaluate(c)
		}
	} else {
		holds, err = r.eval().Evaluate(c)
	}
	switch {
	case err != nil:
		if r.fatal(err) {
			what := "condition"
			if guard != "" {
				what = fmt.Sprintf("guard %q", guard)
			}
			return false, fmt.Errorf("actions: action %q: %s: %w", a.def.ID, what, err)
		}
		r.ruleFailed(a, guard, err)
		if why != nil {
			msg := "condition failed: "
			if guard != "" {
				msg = fmt.Sprintf("guard %q failed: ", guard)
			}
			*why = append(*why, Reason{Kind: ReasonError, Guard: guard, Message: msg + conditionMessage(err), Err: err})
		}
		return false, nil
	case !holds && why != nil:
		*why = append(*why, r.conditionReason(c, guard))
	}
	return holds, nil
}

// holdsFast evaluates a condition's actor-only conjuncts, once per request
// each, then its residual.
func (r *request[T]) holdsFast(f *fastCond) (bool, error) {
	for _, m := range f.memo {
		if m < len(r.memo) {
			switch r.memo[m] {
			case memoTrue:
				continue
			case memoFalse:
				return false, nil
			}
		}
		ok, err := r.eval().Evaluate(r.cat.memo[m])
		if err != nil {
			return false, err // not cached: the caller evaluates the whole condition
		}
		if m < len(r.memo) {
			r.memo[m] = memoFalse
			if ok {
				r.memo[m] = memoTrue
			}
		}
		if !ok {
			return false, nil
		}
	}
	if f.residual == nil {
		return true, nil
	}
	return r.eval().Evaluate(f.residual)
}

// conditionReason explains a condition that is false. Explain evaluates its
// clauses one by one; should one of them fail where the whole did not, the
// reason goes without clauses rather than without the refusal.
func (r *request[T]) conditionReason(c *eval.Condition, guard string) Reason {
	reason := Reason{Kind: ReasonCondition, Guard: guard, Message: "condition is false"}
	if guard != "" {
		reason.Message = fmt.Sprintf("guard %q is false", guard)
	}
	if x, err := c.Explain(r.ctx, r.eval().Env()); err == nil {
		reason.Clauses = x.Clauses
	}
	return reason
}

// fatal reports whether an evaluation error ends the request rather than
// refusing one action: the request's own context is done (not merely an
// error that says "deadline", which a host function may return), or the
// environment is not the compiled type.
func (r *request[T]) fatal(err error) bool {
	if errors.Is(err, eval.ErrEnvType) {
		return true
	}
	if !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	if r.ctx.Err() != nil {
		return true
	}
	// The evaluation compares the deadline with the clock, which may see
	// it pass before the context's timer fires.
	d, ok := r.ctx.Deadline()
	return ok && !time.Now().Before(d)
}

// conditionMessage is the message of an evaluation error without its
// snippet, for a one-line reason.
func conditionMessage(err error) string {
	var ce *eval.Error
	if errors.As(err, &ce) {
		if ce.Line > 0 {
			return fmt.Sprintf("%s (%d:%d)", ce.Message, ce.Line, ce.Column)
		}
		return ce.Message
	}
	return err.Error()
}

// ruleFailed tells the observer that a rule failed at run time.
func (r *request[T]) ruleFailed(a *Action, guard string, err error) {
	r.failures++
	if r.engine == nil {
		return
	}
	r.engine.observer.Observe(r.ctx, Event{Kind: EventRuleFailed, ActionID: a.def.ID, Guard: guard, ObjectID: r.id, ActorID: r.actor.ID, Err: err})
}

// policies reads the journal once for every action of list, each of which
// has an execution policy, on the request's object, and returns for each
// why the policy forbids another execution ("" when it does not).
func (r *request[T]) policies(list []*Action) ([]string, error) {
	pairs := make([]policyPair, len(list))
	for i, a := range list {
		pairs[i] = policyPair{objectID: r.id, action: a}
	}
	return policies(r.ctx, r.engine.journal, r.actor.ID, pairs)
}

// policyPair is an action, with an execution policy, on an object.
type policyPair struct {
	objectID string
	action   *Action
}

// policies reads the journal once for every pair and returns for each why
// its policy forbids the actor another execution ("" when it does not).
func policies(ctx context.Context, j Journal, actorID string, pairs []policyPair) ([]string, error) {
	out := make([]string, len(pairs))
	q := PolicyQuery{ActorID: actorID}
	objects, actions := map[string]bool{}, map[string]bool{}
	for i, p := range pairs {
		if p.action.def.Policy == OncePerUser && actorID == "" {
			// Without an id the policy cannot tell this actor's
			// executions from others'.
			out[i] = "policy OncePerUser: the actor has no id"
			continue
		}
		if !objects[p.objectID] {
			objects[p.objectID] = true
			q.ObjectIDs = append(q.ObjectIDs, p.objectID)
		}
		if id := p.action.def.ID; !actions[id] {
			actions[id] = true
			q.ActionIDs = append(q.ActionIDs, id)
		}
	}
	if len(q.ActionIDs) == 0 {
		return out, nil
	}
	states, err := j.Policies(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("actions: reading the journal: %w", err)
	}
	type key struct{ object, action string }
	byKey := make(map[key]PolicyState, len(states))
	for _, st := range states {
		byKey[key{st.ObjectID, st.ActionID}] = st
	}
	for i, p := range pairs {
		st, ok := byKey[key{p.objectID, p.action.def.ID}]
		if !ok || out[i] != "" {
			continue
		}
		switch p.action.def.Policy {
		case Once:
			out[i] = fmt.Sprintf("policy Once: already executed by %q", st.FirstActorID)
		case OncePerUser:
			if st.ByActor {
				out[i] = fmt.Sprintf("policy OncePerUser: already executed by %q", actorID)
			}
		}
	}
	return out, nil
}

// reasons returns every reason a is not applicable; none when it is.
func (r *request[T]) reasons(a *Action) ([]Reason, error) {
	var why []Reason
	p := newProbe(a)
	if _, err := r.decide(&p, &why, false); err != nil {
		return nil, err
	}
	// The policy is read even when another check failed, so that Explain
	// lists every reason.
	if a.def.Policy != Unlimited {
		exhausted, err := r.policies([]*Action{a})
		if err != nil {
			return nil, err
		}
		if exhausted[0] != "" {
			why = append(why, Reason{Kind: ReasonPolicy, Message: exhausted[0]})
		}
	}
	return why, nil
}

// refusal is how Execute, and Check for it, turn the reasons an action is
// not applicable into an error: nil when it is applicable, ErrForbidden when
// the first reason is the permission, a *NotApplicableError otherwise.
func (r *request[T]) refusal(a *Action) error {
	why, err := r.reasons(a)
	switch {
	case err != nil:
		return err
	case len(why) == 0:
		return nil
	case why[0].Kind == ReasonPermission:
		return fmt.Errorf("%w: %s", ErrForbidden, why[0].Message)
	}
	return &NotApplicableError{ActionID: a.def.ID, Reasons: why}
}
