package actions

import "context"

// Effect is host code that runs after an execution is saved: a
// notification, an HTTP callout, a message on a queue. Effects run in the
// order the action names them, with the saved object.
//
// Run returns nil when the effect is done, an error wrapping ErrPending when
// it will finish later (the execution stays pending until the host calls
// Engine.Complete; the effects after it still run), or any other error when
// it failed (the execution is marked failed with the error as its detail;
// the saved object stays, and the effects after it do not run). Run may be
// called concurrently for different executions.
type Effect[T any] interface {
	Run(ctx context.Context, in EffectInput[T]) error
}

// EffectFunc adapts a function to Effect, as http.HandlerFunc does.
type EffectFunc[T any] func(ctx context.Context, in EffectInput[T]) error

// Run calls f.
func (f EffectFunc[T]) Run(ctx context.Context, in EffectInput[T]) error { return f(ctx, in) }

// EffectInput is what an effect sees of an execution.
type EffectInput[T any] struct {
	Execution Execution // as saved, with status pending
	Action    *Action
	Actor     Actor
	Before    T // the object as loaded
	After     T // the object as saved
	Changes   []FieldChange
}
