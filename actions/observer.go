package actions

import (
	"context"
	"log/slog"
)

// Observer is told what an engine does that a host should see without
// wrapping every call. Observe is called synchronously, from the goroutine
// of the request, and may be called concurrently; it must not block.
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
	// EventRuleFailed: a condition failed at run time (a type error on odd
	// data, a budget exceeded, a host function's error). Its action was
	// not applicable; the other actions were decided as usual. Err is the
	// *conditions.Error.
	EventRuleFailed EventKind = "rule-failed"
)

// Event is one thing an engine tells its Observer.
type Event struct {
	Kind     EventKind
	ActionID string
	ObjectID string
	ActorID  string
	Err      error
}

// LogObserver returns an Observer that logs to l (slog.Default when l is
// nil, read at every event): a rule failure at level Warn, with the action,
// the object, the actor and the error. It is the default Observer of an
// Engine: a broken rule must be seen, not silent.
func LogObserver(l *slog.Logger) Observer { return logObserver{l} }

type logObserver struct{ l *slog.Logger }

func (o logObserver) Observe(ctx context.Context, ev Event) {
	if ev.Kind != EventRuleFailed {
		return
	}
	l := o.l
	if l == nil {
		l = slog.Default()
	}
	l.WarnContext(ctx, "actions: rule failed", "action", ev.ActionID, "object", ev.ObjectID, "actor", ev.ActorID, "error", ev.Err)
}
