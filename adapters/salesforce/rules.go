package salesforce

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/actionable-go/actionable/actions"
	"github.com/actionable-go/actionable/adapters/internal/httpx"
)

// The actions of the catalog. An action link is executed by the action of
// its group's executionsAllowed; the engine enforces the policy against the
// execution journal, and the status a user sees is derived from that
// journal (see statusOf). The answer of a callout is recorded as an
// execution of actionAnswer.
const (
	actionView           = "view"
	actionExecOnce       = "execute-once"
	actionExecOncePerUsr = "execute-once-per-user"
	actionAnswer         = "callout-answer"
	effectCallout        = "salesforce.callout"
)

// The guards of the actions, each a rule the adapter answers in its own
// way: a link that is not visible to the user does not exist for them
// (404), an expired one can no longer be executed (400).
const (
	guardVisible           = "visible"
	guardNotExpired        = "not-expired"
	guardExecutionsAllowed = "executions-allowed"
)

var (
	visibleGuard    = actions.Guard{Name: guardVisible, Expr: `(UserID == "" || UserID == Actor.ID) && ExcludedUserID != Actor.ID`}
	notExpiredGuard = actions.Guard{Name: guardNotExpired, Expr: `now() < ExpirationDate`}
)

// The inputs of the actions. An execution records the context variables it
// was made with, so that its callout, and diagnostic-info later, read the
// same values whatever request comes next; an answer records what the
// callout of an execution received.
const (
	inputOrgID        = "orgId"
	inputCommunityID  = "communityId"
	inputCommunityURL = "communityUrl"
	inputExecution    = "execution"
	inputAnswer       = "answer"
)

// definitions are the rules of action links, as data.
func definitions() []actions.Definition {
	exec := func(id, policy string, p actions.Policy) actions.Definition {
		return actions.Definition{
			ID:          id,
			Name:        "Execute (" + policy + ")",
			Description: "Start an execution of an action link whose group allows " + policy + " executions; its callout is an effect.",
			Guards: []actions.Guard{
				{Name: guardExecutionsAllowed, Expr: fmt.Sprintf(`ExecutionsAllowed == %q`, policy)},
				visibleGuard,
				notExpiredGuard,
			},
			Inputs: []actions.Input{
				{Name: inputOrgID, Type: actions.InputString, Description: "{!orgId} of the request"},
				{Name: inputCommunityID, Type: actions.InputString, Description: "{!communityId} of the request"},
				{Name: inputCommunityURL, Type: actions.InputString, Description: "{!communityUrl} of the request"},
			},
			Policy:  p,
			Effects: []string{effectCallout},
		}
	}
	return []actions.Definition{
		{ID: actionView, Name: "View", Description: "Who may see an action link: userId alone, or anyone but excludedUserId.", Reserved: true,
			Guards: []actions.Guard{visibleGuard}},
		exec(actionExecOnce, ExecutionsOnce, actions.Once),
		exec(actionExecOncePerUsr, ExecutionsOncePerUser, actions.OncePerUser),
		{ID: actionAnswer, Name: "Callout answer", Reserved: true,
			Description: "Record what the callout of an execution received, as diagnostic-info shows it.",
			Inputs: []actions.Input{
				{Name: inputExecution, Type: actions.InputString, Required: true, Description: "the id of the execution whose callout answered"},
				{Name: inputAnswer, Type: actions.InputString, Required: true, Description: "what the callout received: the status and body, or the error"},
			}},
	}
}

func newCatalog(now func() time.Time, callout actions.Effect[Link]) (*actions.Catalog[Link], error) {
	return actions.Compile[Link](definitions(),
		actions.WithClock(now),
		actions.WithEffect(effectCallout, callout))
}

// executeAction returns the action executing links with executionsAllowed,
// or "" for Unlimited, whose links have no status to change.
func executeAction(executionsAllowed string) string {
	switch executionsAllowed {
	case ExecutionsOnce:
		return actionExecOnce
	case ExecutionsOncePerUser:
		return actionExecOncePerUsr
	}
	return ""
}

// statusOf returns the status of l for user and the execution it derives
// from: none is NewStatus, pending is PendingStatus, succeeded and failed
// are SuccessfulStatus and FailedStatus. With Once the execution is shared
// by everyone; with OncePerUser it is the user's own.
func (h *Handler) statusOf(ctx context.Context, l *Link, user string) (string, *actions.Execution, error) {
	f := actions.Filter{ActionID: executeAction(l.ExecutionsAllowed), ObjectID: l.ID, Limit: 1}
	switch l.ExecutionsAllowed {
	case ExecutionsOnce:
	case ExecutionsOncePerUser:
		f.ActorID = user
	default:
		return StatusNew, nil, nil
	}
	recs, err := h.engine.Executions(ctx, f)
	if err != nil || len(recs) == 0 {
		return StatusNew, nil, err
	}
	rec := recs[0]
	switch rec.Status {
	case actions.StatusSucceeded:
		return StatusSuccessful, &rec, nil
	case actions.StatusFailed:
		return StatusFailed, &rec, nil
	}
	return StatusPending, &rec, nil
}

// visible returns errHidden unless user may see l (the view action
// applies).
func (h *Handler) visible(ctx context.Context, l *Link, user actions.Actor) error {
	return h.refusal(ctx, h.engine.Check(ctx, actionView, l.ID, *l, user), l, user, "")
}

// setStatus changes the status of the link id for user, as PATCH does. The
// change is retried (Config.MaxRetries) when another request changed the
// link at the same time, so that the engine's policy check sees that
// request's execution.
func (h *Handler) setStatus(ctx context.Context, id string, user actions.Actor, target string, vars Variables) error {
	attempts, err := httpx.Retry(h.retries, func() error { return h.trySetStatus(ctx, id, user, target, vars) })
	if errors.Is(err, actions.ErrConflict) {
		return fmt.Errorf("%w: action link %s changed %d times during the request", actions.ErrConflict, id, attempts)
	}
	return err
}

// trySetStatus maps one PATCH to the engine: PendingStatus executes the
// link's action (whose effect is the callout); a terminal status completes
// the pending execution the user may complete (or, for Ui and Download
// links still at NewStatus, executes and completes one). Everything else is
// refused with the rule it breaks.
func (h *Handler) trySetStatus(ctx context.Context, id string, user actions.Actor, target string, vars Variables) error {
	l, version, err := h.engine.Load(ctx, id)
	if err != nil {
		return err
	}
	if err := h.visible(ctx, &l, user); err != nil {
		return err
	}
	action := executeAction(l.ExecutionsAllowed)
	if action == "" {
		return refused("The status of an action link in a group whose executionsAllowed is Unlimited cannot be changed.")
	}
	current, rec, err := h.statusOf(ctx, &l, user.ID)
	if err != nil {
		return err
	}
	execute := func() (actions.Execution, error) {
		res, err := h.engine.Execute(ctx, actions.Request{
			ActionID: action, ObjectID: id, Version: version, Actor: user,
			Inputs: vars.inputs(), Comment: "PATCH status=" + target,
		})
		if errors.Is(err, actions.ErrEffectFailed) {
			return res.Execution, nil // a failed callout: the link is FailedStatus
		}
		return res.Execution, err
	}
	switch target {
	case StatusNew:
		if current == StatusNew {
			return nil
		}
		return refused("An action link cannot go back to NewStatus from %s.", current)
	case StatusPending:
		if _, err := execute(); err != nil {
			return h.refusal(ctx, err, &l, user, target)
		}
		return nil
	}
	// A terminal status.
	if current == StatusSuccessful || current == StatusFailed {
		if current == target {
			return nil
		}
		return refused("An action link cannot go from %s, a terminal status, to %s.", current, target)
	}
	if l.ActionType == TypeAPI {
		return refused("The status of an Api action link is set from the answer to its callout; PATCH PendingStatus to invoke it.")
	}
	switch {
	case current == StatusNew && l.ActionType == TypeAPIAsync:
		return refused("An ApiAsync action link must be invoked with PendingStatus before its provider sets %s.", target)
	case current == StatusNew:
		// Ui and Download: an execution, pending until completed below.
		exec, err := execute()
		if exhausted(err) {
			// Someone executed the link since its status was read: decide
			// again from the new status.
			return fmt.Errorf("%w: action link %s executed meanwhile", actions.ErrConflict, id)
		}
		if err != nil {
			return h.refusal(ctx, err, &l, user, target)
		}
		rec = &exec
	case rec.ActorID != user.ID && !h.provider(ctx, user, &l):
		// Once: the execution is shared, but it is its user's to complete.
		return refused("The execution of this action link (executionsAllowed Once) is pending for user %s; only that user can set %s.", rec.ActorID, target)
	}
	st, detail := actions.StatusSucceeded, fmt.Sprintf("%s set by %s", target, user.ID)
	if target == StatusFailed {
		st = actions.StatusFailed
	}
	// Not cancelled with the request: an execution started above must not
	// be left pending by a client that hangs up.
	_, err = h.engine.Complete(context.WithoutCancel(ctx), rec.ID, st, detail)
	return err
}

// provider reports whether user speaks for the provider of l (see
// Config.Provider).
func (h *Handler) provider(ctx context.Context, user actions.Actor, l *Link) bool {
	return h.cfg.Provider != nil && h.cfg.Provider(ctx, user, *l)
}

// refusal turns the engine's refusal of an action on l into the rule it
// breaks, by the guards that failed: visible (errHidden, a 404), then
// not-expired; a policy that is exhausted depends on who executed the link
// and where that execution is now. A nil err is nil.
func (h *Handler) refusal(ctx context.Context, err error, l *Link, user actions.Actor, target string) error {
	if err == nil {
		return nil // before na, which escapes: no allocation for a link that is visible
	}
	var na *actions.NotApplicableError
	if !errors.As(err, &na) {
		return err
	}
	failed := map[string]bool{}
	policy := false
	for _, r := range na.Reasons {
		switch r.Kind {
		case actions.ReasonPolicy:
			policy = true
		case actions.ReasonCondition:
			failed[r.Guard] = true
		default: // a rule that failed at run time: a bug, not a refusal
			return fmt.Errorf("salesforce: action link %s: %w", l.ID, err)
		}
	}
	switch {
	case failed[guardVisible]:
		return errHidden
	case failed[guardNotExpired]:
		return refused("The action link group expired on %s; its action links can no longer be executed.", formatTime(l.ExpirationDate))
	case len(failed) > 0 || !policy:
		return fmt.Errorf("salesforce: unexpected refusal: %w", err)
	}
	// The policy is exhausted: someone (with OncePerUser, the user) has
	// executed the link already. Which rule applies depends on who and on
	// where that execution is now.
	current, rec, err := h.statusOf(ctx, l, user.ID)
	if err != nil {
		return err
	}
	if rec == nil { // cannot happen: the policy saw an execution
		return fmt.Errorf("%w: action link %s: execution not found", actions.ErrConflict, l.ID)
	}
	once := l.ExecutionsAllowed == ExecutionsOnce
	api := l.ActionType == TypeAPI || l.ActionType == TypeAPIAsync
	switch {
	case once && rec.ActorID != user.ID:
		msg := fmt.Sprintf("This action link can be executed only once (executionsAllowed Once) and user %s already executed it.", rec.ActorID)
		if api {
			msg += " The callout is not sent again."
		}
		return refused("%s", msg)
	case once && api:
		return nil // the same user again: the current link, no second callout
	case current == StatusSuccessful || current == StatusFailed:
		return refused("An action link cannot go from %s, a terminal status, to %s.", current, target)
	}
	return nil // already PendingStatus for this user
}

// exhausted reports whether err is a refusal by the execution policy.
func exhausted(err error) bool {
	var na *actions.NotApplicableError
	return errors.As(err, &na) && slices.ContainsFunc(na.Reasons, func(r actions.Reason) bool { return r.Kind == actions.ReasonPolicy })
}
