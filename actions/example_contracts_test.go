package actions_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/actionable-go/actionable/actions"
)

func ExampleEngine_Check() {
	engine, _ := exampleEngine()
	ctx := context.Background()
	wp, _, _ := engine.Load(ctx, "WP-1")

	// What Execute would say, without executing: offer the button or not.
	fmt.Println(engine.Check(ctx, "start", "WP-1", wp, dave))
	err := engine.Check(ctx, "start", "WP-1", wp, actions.Actor{ID: "guest"})
	fmt.Println(errors.Is(err, actions.ErrForbidden), err)
	wp.Type = "Epic"
	err = engine.Check(ctx, "start", "WP-1", wp, dave)
	fmt.Println(errors.Is(err, actions.ErrNotApplicable), err)
	// Output:
	// <nil>
	// true actions: forbidden: actor "guest" lacks permission "edit"
	// true actions: action "start" not applicable: condition is false: Type in ["Bug", "Task"] is false: Type = "Epic"
}

func ExampleWithObserver() {
	cat := actions.MustCompile[WorkPackage]([]actions.Definition{
		{ID: "rename", Name: "Rename"},
		// Assignee is nil for an unassigned work package: the rule fails.
		{ID: "mine", Name: "Mine", Condition: `len(Assignee) > 0`},
	})
	store := actions.NewMemoryStore[WorkPackage]()
	observer := actions.ObserverFunc(func(_ context.Context, ev actions.Event) {
		switch ev.Kind {
		case actions.EventRuleFailed:
			fmt.Println("rule failed:", ev.ActionID, "on", ev.ObjectID)
		case actions.EventResolve:
			fmt.Println("resolved:", ev.ObjectID, ev.Outcome, ev.Applicable, "applicable")
		}
	})
	engine, _ := actions.New(cat, store, actions.WithObserver(observer))

	list, err := engine.Resolve(context.Background(), "WP-1", WorkPackage{Subject: "Login fails"}, dave)
	fmt.Println(len(list), list[0], err) // the broken rule took only its own action out
	// Output:
	// rule failed: mine on WP-1
	// resolved: WP-1 resolved 1 applicable
	// 1 rename <nil>
}

func ExampleLogObserver() {
	cat := actions.MustCompile[WorkPackage]([]actions.Definition{{ID: "mine", Name: "Mine", Condition: `len(Assignee) > 0`}})
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey {
			return slog.Attr{} // for a stable output
		}
		return a
	}}))
	engine, _ := actions.New(cat, actions.NewMemoryStore[WorkPackage](), actions.WithObserver(actions.LogObserver(logger)))
	reasons, _ := engine.Explain(context.Background(), "mine", "WP-1", WorkPackage{Subject: "Login fails"}, dave)
	fmt.Println(reasons[0].Kind)
	// Output:
	// level=WARN msg="actions: rule failed" action=mine object=WP-1 actor=dave error="invalid argument for len (type <nil>) (1:1)\n | len(Assignee) > 0\n | ^"
	// error
}

func ExampleWithClock() {
	at := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	cat := actions.MustCompile[WorkPackage]([]actions.Definition{
		{ID: "plan", Name: "Plan the decade", Condition: `now().Year() == 2030`},
	}, actions.WithClock(func() time.Time { return at }))
	store := actions.NewMemoryStore[WorkPackage]()
	ctx := context.Background()
	_, _ = store.Create(ctx, "WP-1", WorkPackage{Subject: "Plan", Priority: 1})
	engine, _ := actions.New(cat, store)

	// The one clock: what rules read, and what stamps executions.
	res, err := engine.Execute(ctx, actions.Request{ActionID: "plan", ObjectID: "WP-1", Version: 1, Actor: dave})
	fmt.Println(res.Execution.Time, err)
	// Output:
	// 2030-01-02 03:04:05 +0000 UTC <nil>
}

func ExampleFilter() {
	cat := actions.MustCompile[WorkPackage]([]actions.Definition{{ID: "bump", Name: "Bump", Changes: []actions.Change{{Field: "priority", Expr: "Priority % 5 + 1"}}}})
	store := actions.NewMemoryStore[WorkPackage]()
	ctx := context.Background()
	_, _ = store.Create(ctx, "WP-1", WorkPackage{Subject: "Login fails", Priority: 1})
	n := 0
	engine, _ := actions.New(cat, store, actions.WithExecutionIDs(func() string { n++; return fmt.Sprint("exec-", n) }))
	for v := int64(1); v <= 5; v++ {
		_, _ = engine.Execute(ctx, actions.Request{ActionID: "bump", ObjectID: "WP-1", Version: v, Actor: dave})
	}
	// Page through the journal, two records at a time, oldest first.
	for after := int64(0); ; {
		page, _ := engine.Executions(ctx, actions.Filter{ObjectID: "WP-1", After: after, Limit: 2})
		if len(page) == 0 {
			break
		}
		var line []string
		for _, e := range page {
			line = append(line, fmt.Sprint(e.Seq, ":", e.ID))
		}
		fmt.Println(strings.Join(line, " "))
		after = page[len(page)-1].Seq
	}
	// The latest one.
	last, _ := engine.Executions(ctx, actions.Filter{Newest: true, Limit: 1})
	fmt.Println(last[0].ID)
	// Output:
	// 1:exec-1 2:exec-2
	// 3:exec-3 4:exec-4
	// 5:exec-5
	// exec-5
}

func ExampleMemoryStore_Prune() {
	cat := actions.MustCompile[WorkPackage]([]actions.Definition{
		{ID: "escalate", Name: "Escalate", Policy: actions.Once},
		{ID: "rename", Name: "Rename"},
	})
	store := actions.NewMemoryStore[WorkPackage]()
	ctx := context.Background()
	_, _ = store.Create(ctx, "WP-1", WorkPackage{Subject: "Login fails", Priority: 1})
	engine, _ := actions.New(cat, store)
	v := int64(1)
	for _, id := range []string{"escalate", "rename", "rename"} {
		res, _ := engine.Execute(ctx, actions.Request{ActionID: id, ObjectID: "WP-1", Version: v, Actor: dave})
		v = res.Version
	}

	// Keep the journal to its last record.
	n, _ := store.Prune(ctx, actions.Retention{Keep: 1})
	recs, _ := store.Executions(ctx, actions.Filter{})
	fmt.Println("dropped", n, "kept", len(recs))

	// The escalation's record is gone, but Once still holds.
	wp, _, _ := store.Load(ctx, "WP-1")
	err := engine.Check(ctx, "escalate", "WP-1", wp, dave)
	fmt.Println(err)
	// Output:
	// dropped 2 kept 1
	// actions: action "escalate" not applicable: policy Once: already executed by "dave"
}
