package actions_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/actionable-go/actionable/actions"
)

// effectDefs name the effects registered by effectOptions.
var effectDefs = []actions.Definition{
	{ID: "notify", Name: "Notify", Changes: []actions.Change{{Field: "count", Expr: "Count + 1"}}, Effects: []string{"log", "ok"}},
	{ID: "callout", Name: "Call out", Changes: []actions.Change{{Field: "count", Expr: "Count + 1"}}, Effects: []string{"log", "fail", "log"}},
	{ID: "async", Name: "Call out later", Changes: []actions.Change{{Field: "count", Expr: "Count + 1"}}, Effects: []string{"pending", "log"}},
	{ID: "crash", Name: "Crash", Changes: []actions.Change{{Field: "count", Expr: "Count + 1"}}, Effects: []string{"panic"}},
}

var errCallout = errors.New("callout: 503 Service Unavailable")

// effectLog records which effects ran, with what they saw.
type effectLog struct{ runs []string }

func (l *effectLog) options() []actions.CompileOption {
	return []actions.CompileOption{
		actions.WithEffect("log", actions.EffectFunc[Ticket](func(_ context.Context, in actions.EffectInput[Ticket]) error {
			l.runs = append(l.runs, fmt.Sprintf("log %s %s %s count %d->%d %v", in.Execution.ID, in.Execution.Status, in.Action.ID(), in.Before.Count, in.After.Count, in.Changes))
			return nil
		})),
		actions.WithEffect("ok", actions.EffectFunc[Ticket](func(context.Context, actions.EffectInput[Ticket]) error {
			l.runs = append(l.runs, "ok")
			return nil
		})),
		actions.WithEffect("fail", actions.EffectFunc[Ticket](func(context.Context, actions.EffectInput[Ticket]) error {
			l.runs = append(l.runs, "fail")
			return errCallout
		})),
		actions.WithEffect("pending", actions.EffectFunc[Ticket](func(context.Context, actions.EffectInput[Ticket]) error {
			l.runs = append(l.runs, "pending")
			return fmt.Errorf("queued as job 42: %w", actions.ErrPending)
		})),
		actions.WithEffect("panic", actions.EffectFunc[Ticket](func(context.Context, actions.EffectInput[Ticket]) error {
			panic("boom")
		})),
	}
}

func TestEffects(t *testing.T) {
	tests := []struct {
		name     string
		actionID string
		wantRuns []string
		wantExec actions.Execution
		// wantErr is the effect's own error an *EffectError carries (nil:
		// Execute succeeds).
		wantErr    error
		wantEffect string
	}{
		{
			name:     "every effect succeeds",
			actionID: "notify",
			wantRuns: []string{"log exec-1 pending notify count 0->1 [{count 0 1}]", "ok"},
			wantExec: actions.Execution{Seq: 1, ID: "exec-1", ActionID: "notify", ObjectID: "T-1", ActorID: "ann", Comment: "please", Time: pinned, FromVersion: 1, ToVersion: 2, Status: actions.StatusSucceeded},
		},
		{
			name:     "an effect fails: the object stays saved, the execution failed",
			actionID: "callout",
			wantRuns: []string{"log exec-1 pending callout count 0->1 [{count 0 1}]", "fail"},
			wantExec: actions.Execution{Seq: 1, ID: "exec-1", ActionID: "callout", ObjectID: "T-1", ActorID: "ann", Comment: "please", Time: pinned, FromVersion: 1, ToVersion: 2, Status: actions.StatusFailed, Detail: errCallout.Error()},
			wantErr:  errCallout, wantEffect: "fail",
		},
		{
			name:     "an effect finishes later: the execution stays pending",
			actionID: "async",
			wantRuns: []string{"pending", "log exec-1 pending async count 0->1 [{count 0 1}]"},
			wantExec: actions.Execution{Seq: 1, ID: "exec-1", ActionID: "async", ObjectID: "T-1", ActorID: "ann", Comment: "please", Time: pinned, FromVersion: 1, ToVersion: 2, Status: actions.StatusPending},
		},
		{
			name:       "an effect panics: the execution failed",
			actionID:   "crash",
			wantExec:   actions.Execution{Seq: 1, ID: "exec-1", ActionID: "crash", ObjectID: "T-1", ActorID: "ann", Comment: "please", Time: pinned, FromVersion: 1, ToVersion: 2, Status: actions.StatusFailed, Detail: "effect panicked: boom"},
			wantEffect: "panic",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			var log effectLog
			engine, store := newEngine(t, compile(t, effectDefs, log.options()...))
			want := newTicket()
			want.Count = 1

			res, err := engine.Execute(ctx, actions.Request{ActionID: tt.actionID, ObjectID: "T-1", Version: 1, Actor: ann, Comment: "please"})

			switch {
			case tt.wantEffect == "" && err != nil:
				t.Fatalf("Execute: %v", err)
			case tt.wantEffect != "":
				ee, ok := errorAs[*actions.EffectError](err)
				if !ok {
					t.Fatalf("Execute error %v is not an *EffectError", err)
				}
				if !errors.Is(err, actions.ErrEffectFailed) {
					t.Errorf("Execute error %v does not match ErrEffectFailed", err)
				}
				if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
					t.Errorf("Execute error %v does not wrap %v", err, tt.wantErr)
				}
				diff(t, "failed effect", tt.wantEffect, ee.Effect)
				diff(t, "error's execution", tt.wantExec, ee.Execution)
			}
			diff(t, "effects run", tt.wantRuns, log.runs)
			diff(t, "result", actions.Result[Ticket]{
				Object: want, Version: 2, Changes: []actions.FieldChange{{Field: "count", Old: 0, New: 1}}, Execution: tt.wantExec,
			}, res)
			diff(t, "store", snapshot{Object: want, Version: 2, Executions: []actions.Execution{tt.wantExec}}, takeSnapshot(t, store, "T-1"))
		})
	}
}

func TestComplete(t *testing.T) {
	pending := actions.Execution{Seq: 1, ID: "exec-1", ActionID: "async", ObjectID: "T-1", ActorID: "ann", Time: pinned, FromVersion: 1, ToVersion: 2, Status: actions.StatusPending}
	succeeded, failed := pending, pending
	succeeded.Status, succeeded.Detail = actions.StatusSucceeded, "job 42 done"
	failed.Status, failed.Detail = actions.StatusFailed, "job 42: 502 Bad Gateway"

	tests := []struct {
		name   string
		id     string
		status actions.Status
		detail string
		want   actions.Execution
	}{
		{name: "succeeded", id: "exec-1", status: actions.StatusSucceeded, detail: "job 42 done", want: succeeded},
		{name: "failed", id: "exec-1", status: actions.StatusFailed, detail: "job 42: 502 Bad Gateway", want: failed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			var log effectLog
			engine, _ := newEngine(t, compile(t, effectDefs, log.options()...))
			res, err := engine.Execute(ctx, actions.Request{ActionID: "async", ObjectID: "T-1", Version: 1, Actor: ann})
			if err != nil {
				t.Fatalf("Execute: %v", err)
			}
			diff(t, "pending execution", pending, res.Execution)

			got, err := engine.Complete(ctx, res.Execution.ID, tt.status, tt.detail)
			if err != nil {
				t.Fatalf("Complete: %v", err)
			}
			diff(t, "completed execution", tt.want, got)
			recs, err := engine.Executions(ctx, actions.Filter{ID: res.Execution.ID})
			if err != nil {
				t.Fatalf("Executions: %v", err)
			}
			diff(t, "journal", []actions.Execution{tt.want}, recs)

			// Completing twice is a conflict, and changes nothing.
			_, err = engine.Complete(ctx, res.Execution.ID, actions.StatusSucceeded, "again")
			if !errors.Is(err, actions.ErrConflict) {
				t.Errorf("second Complete error = %v, want ErrConflict", err)
			}
			recs, _ = engine.Executions(ctx, actions.Filter{ID: res.Execution.ID})
			diff(t, "journal after the second Complete", []actions.Execution{tt.want}, recs)
		})
	}
}

func TestCompleteErrors(t *testing.T) {
	tests := []struct {
		name   string
		id     string
		status actions.Status
		wantIs error
		wantAs error
	}{
		{name: "unknown id", id: "exec-9", status: actions.StatusSucceeded, wantIs: actions.ErrNotFound, wantAs: &actions.NotFoundError{Kind: "execution", ID: "exec-9"}},
		{name: "not a final status", id: "exec-1", status: actions.StatusPending},
		{name: "made-up status", id: "exec-1", status: "done"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			var log effectLog
			engine, store := newEngine(t, compile(t, effectDefs, log.options()...))
			if _, err := engine.Execute(ctx, actions.Request{ActionID: "async", ObjectID: "T-1", Version: 1, Actor: ann}); err != nil {
				t.Fatalf("Execute: %v", err)
			}
			before := takeSnapshot(t, store, "T-1")

			_, err := engine.Complete(ctx, tt.id, tt.status, "")

			if err == nil {
				t.Fatal("Complete succeeded")
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("Complete error %v does not match %v", err, tt.wantIs)
			}
			if tt.wantAs != nil {
				got, ok := errorAs[*actions.NotFoundError](err)
				if !ok {
					t.Fatalf("Complete error %v is not a *NotFoundError", err)
				}
				diff(t, "error", tt.wantAs, error(got))
			}
			diff(t, "store", before, takeSnapshot(t, store, "T-1"))
		})
	}
}
