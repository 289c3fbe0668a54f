package actions

import (
	"context"
	"errors"
	"log/slog"
	"time"
)

// Observer is told what an engine does that a host should see without
// wrapping every call: every Resolve and Execute with its outcome and
// duration, and every rule that fails at run time. Observe is called
// synchronously, from the goroutine of the request, and may be called
// concurrently; it must not block.
type Observer interface {
	Observe(ctx context.Context, ev Event)
}

// ObserverFunc adapts a function to Observer, as http.HandlerFunc does.
type ObserverFunc func(ctx context.Context, ev Event)

// Observe calls f.
func (f ObserverFunc) Observe(ctx context.Context, ev Event) { f(ctx, ev) }

// EventKind classifies an Event.
type EventKind string

// The kinds of Event.
const (
	// EventResolve: a Resolve ended. Applicable is the number of actions
	// it listed; Outcome is OutcomeResolved, or OutcomeError with Err.
	EventResolve EventKind = "resolve"
	// EventExecute: an Execute ended, with its Outcome.
	EventExecute EventKind = "execute"
	// EventRuleFailed: a condition failed at run time (a type error on odd
	// data, a budget exceeded, a host function's error). Its action was
	// not applicable; the other actions were decided as usual. Err is the
	// *conditions.Error. A change or post-condition that fails while
	// Execute applies the action is one too: Execute returns Err, which
	// wraps the *conditions.Error (or says why the value does not fit its
	// field).
	EventRuleFailed EventKind = "rule-failed"
)

// Outcome is how a Resolve or an Execute ended.
type Outcome string

// The outcomes.
const (
	OutcomeResolved     Outcome = "resolved"      // a Resolve that listed the applicable actions
	OutcomeApplied      Outcome = "applied"       // saved, and every effect finished or is pending
	OutcomeRefused      Outcome = "refused"       // not applicable; Event.Reason says why (ReasonError for a rule that failed)
	OutcomeConflict     Outcome = "conflict"      // a missing or stale version (ErrConflict)
	OutcomeInvalid      Outcome = "invalid"       // inputs or the changed object failed validation
	OutcomeNotFound     Outcome = "not-found"     // the action or the object does not exist
	OutcomeEffectFailed Outcome = "effect-failed" // saved, but an effect failed
	OutcomeError        Outcome = "error"         // anything else: the store, the context, ...
)

// Event is one thing an engine tells its Observer.
type Event struct {
	Kind     EventKind
	Outcome  Outcome    // for EventResolve and EventExecute
	Reason   ReasonKind // for OutcomeRefused: the first reason
	ActionID string     // "" for EventResolve
	Guard    string     // the guard that failed (EventRuleFailed) or refused (OutcomeRefused); "" for the Condition
	ObjectID string
	ActorID  string
	// Applicable is the number of actions a Resolve listed.
	Applicable int
	// Duration is how long the Resolve or Execute took.
	Duration time.Duration
	Err      error
}

// outcomeOf classifies an error of Execute: its outcome, and for a
// refusal its first reason's kind and guard.
func outcomeOf(err error) (Outcome, ReasonKind, string) {
	var na *NotApplicableError
	var ve *ValidationError
	switch {
	case err == nil:
		return OutcomeApplied, "", ""
	case errors.Is(err, ErrEffectFailed):
		return OutcomeEffectFailed, "", ""
	case errors.Is(err, ErrForbidden):
		return OutcomeRefused, ReasonPermission, ""
	case errors.As(err, &na):
		if len(na.Reasons) > 0 {
			return OutcomeRefused, na.Reasons[0].Kind, na.Reasons[0].Guard
		}
		return OutcomeRefused, "", ""
	case errors.As(err, &ve):
		return OutcomeInvalid, "", ""
	case errors.Is(err, ErrConflict):
		return OutcomeConflict, "", ""
	case errors.Is(err, ErrNotFound):
		return OutcomeNotFound, "", ""
	}
	return OutcomeError, "", ""
}

// LogObserver returns an Observer that logs every event to l (slog.Default
// when l is nil, read at every event): a Resolve at level Debug; an
// Execute at Info, or Warn when an effect failed, or Error for an
// unexpected error; a rule failure at Warn. Each record carries the action,
// the object, the actor, the outcome and the duration.
//
// An Engine without an Observer logs rule failures, and nothing else, to
// slog.Default: a broken rule must be seen, not silent.
func LogObserver(l *slog.Logger) Observer { return logObserver{l: l} }

type logObserver struct {
	l         *slog.Logger
	onlyRules bool // the default observer: rule failures only
}

func (o logObserver) Observe(ctx context.Context, ev Event) {
	if o.onlyRules && ev.Kind != EventRuleFailed {
		return
	}
	l := o.l
	if l == nil {
		l = slog.Default()
	}
	level, msg := slog.LevelInfo, "actions: "+string(ev.Kind)
	switch {
	case ev.Kind == EventRuleFailed:
		level, msg = slog.LevelWarn, "actions: rule failed"
	case ev.Kind == EventResolve && ev.Outcome == OutcomeResolved:
		level = slog.LevelDebug
	case ev.Outcome == OutcomeEffectFailed:
		level = slog.LevelWarn
	case ev.Outcome == OutcomeError:
		level = slog.LevelError
	}
	if !l.Enabled(ctx, level) {
		return
	}
	var attrs []slog.Attr
	add := func(key, v string) {
		if v != "" {
			attrs = append(attrs, slog.String(key, v))
		}
	}
	add("action", ev.ActionID)
	add("guard", ev.Guard)
	attrs = append(attrs, slog.String("object", ev.ObjectID), slog.String("actor", ev.ActorID))
	add("outcome", string(ev.Outcome))
	add("reason", string(ev.Reason))
	if ev.Kind == EventResolve && ev.Outcome == OutcomeResolved {
		attrs = append(attrs, slog.Int("applicable", ev.Applicable))
	}
	if ev.Kind != EventRuleFailed {
		attrs = append(attrs, slog.Duration("duration", ev.Duration))
	}
	if ev.Err != nil {
		attrs = append(attrs, slog.Any("error", ev.Err))
	}
	l.LogAttrs(ctx, level, msg, attrs...)
}
