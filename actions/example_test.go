package actions_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/actionable-go/actionable/actions"
)

// WorkPackage is the host's own object type in the examples.
type WorkPackage struct {
	Subject  string  `json:"subject" validate:"required"`
	Status   string  `json:"status"`
	Type     string  `json:"type"`
	Priority int     `json:"priority" validate:"gte=1,lte=5"`
	Progress int     `json:"percentageDone" validate:"gte=0,lte=100"`
	Assignee *string `json:"assignee,omitempty"`
}

// workflow is the set of actions of the examples.
var workflow = []actions.Definition{
	{
		ID: "start", Name: "Start work", Position: 1, Permission: "edit",
		Workflow:  &actions.Workflow{Field: "status", From: []string{"new"}, To: "in progress"},
		Condition: `Type in ["Bug", "Task"]`,
		Changes:   []actions.Change{{Field: "assignee", Expr: "Actor.ID"}},
	},
	{
		ID: "progress", Name: "Make progress", Position: 2, Permission: "edit",
		Workflow: &actions.Workflow{Field: "status", From: []string{"in progress"}},
		Changes:  []actions.Change{{Field: "percentageDone", Expr: "Progress + 60"}},
	},
	{
		ID: "close", Name: "Close", Position: 3, Permission: "edit",
		Workflow:  &actions.Workflow{Field: "status", From: []string{"new", "in progress"}, To: "closed"},
		Condition: `Priority < 3 || "manager" in Actor.Roles`,
	},
	{ID: "modify", Name: "Modify", Position: 4, Reserved: true, Permission: "admin"},
}

var (
	alice = actions.Actor{ID: "alice", Roles: []string{"manager"}, Permissions: []string{"edit", "admin"}}
	dave  = actions.Actor{ID: "dave", Roles: []string{"developer"}, Permissions: []string{"edit"}}
)

// exampleEngine returns an engine over the workflow with a store holding
// work package WP-1, a fixed clock and ids exec-1, exec-2, ...
func exampleEngine() (*actions.Engine[WorkPackage], *actions.MemoryStore[WorkPackage]) {
	cat := actions.MustCompile[WorkPackage](workflow,
		actions.WithClock(func() time.Time { return time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC) }))
	store := actions.NewMemoryStore[WorkPackage]()
	_, _ = store.Create(context.Background(), "WP-1", WorkPackage{Subject: "Login fails", Status: "new", Type: "Bug", Priority: 3})
	n := 0
	engine, err := actions.New(cat, store,
		actions.WithExecutionIDs(func() string { n++; return fmt.Sprintf("exec-%d", n) }),
	)
	if err != nil {
		panic(err)
	}
	return engine, store
}

func ExampleCompile() {
	cat, err := actions.Compile[WorkPackage](workflow)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, a := range cat.Actions() {
		fmt.Println(a.Position(), a.ID(), a.Name())
	}

	// Every problem is reported at once, each with the action and the key.
	_, err = actions.Compile[WorkPackage]([]actions.Definition{
		{ID: "assign", Name: "Assign", Changes: []actions.Change{{Field: "assignee", Expr: "Priority"}}},
		{ID: "escalate", Name: "Escalate", Condition: "Priorty < 5"},
	})
	var le *actions.LoadError
	if errors.As(err, &le) {
		for _, p := range le.Problems {
			fmt.Printf("%s %s: %v\n", p.ActionID, p.Key, p.Err)
		}
	}
	// Output:
	// 1 start Start work
	// 2 progress Make progress
	// 3 close Close
	// 4 modify Modify
	// assign changes[0].expr: Priority is int, field "assignee" is *string
	// escalate condition: unknown name Priorty (1:1)
	//  | Priorty < 5
	//  | ^
}

func ExampleLoadJSON() {
	rules := `{"actions": [
		{"id": "close", "name": "Close", "permission": "edit",
		 "workflow": {"field": "status", "from": ["new", "in progress"], "to": "closed"}},
		{"id": "escalate", "name": "Escalate", "condition": "Priority < 5",
		 "changes": [{"field": "priority", "expr": "Priority + 1"}], "policy": "OncePerUser"}
	]}`
	cat, err := actions.LoadJSON[WorkPackage](strings.NewReader(rules))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, a := range cat.Actions() {
		fmt.Println(a.ID(), a.Policy())
	}

	// Loading is strict: nothing is loaded, every problem is reported.
	broken := `{"actions": [
		{"id": "close", "name": "Close", "colour": "red"},
		{"id": "close", "name": "Close again", "policy": "Sometimes"},
		{"id": "rename", "name": "Rename", "changes": [{"field": "title", "expr": "Subject"}]}
	]}`
	_, err = actions.LoadJSON[WorkPackage](strings.NewReader(broken))
	var le *actions.LoadError
	if errors.As(err, &le) {
		for _, p := range le.Problems {
			fmt.Printf("#%d %s %s\n", p.Index, p.ActionID, p.Key)
		}
	}
	// Output:
	// close Unlimited
	// escalate OncePerUser
	// #0 close colour
	// #1 close policy
	// #2 rename changes[0].field
}

func ExampleNew() {
	cat := actions.MustCompile[WorkPackage](workflow)
	store := actions.NewMemoryStore[WorkPackage]()
	ctx := context.Background()
	if _, err := store.Create(ctx, "WP-1", WorkPackage{Subject: "Login fails", Status: "new", Type: "Bug", Priority: 3}); err != nil {
		fmt.Println(err)
		return
	}
	engine, err := actions.New(cat, store)
	if err != nil {
		fmt.Println(err)
		return
	}
	wp, version, err := engine.Load(ctx, "WP-1")
	if err != nil {
		fmt.Println(err)
		return
	}
	list, err := engine.Resolve(ctx, "WP-1", wp, dave)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("version", version)
	for _, a := range list {
		fmt.Println(a.ID())
	}
	// Output:
	// version 1
	// start
}

func ExampleEngine_Resolve() {
	engine, _ := exampleEngine()
	ctx := context.Background()
	wp, _, _ := engine.Load(ctx, "WP-1")

	for _, actor := range []actions.Actor{alice, dave} {
		list, err := engine.Resolve(ctx, "WP-1", wp, actor)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(actor.ID, ids(list))
	}
	// Reserved actions are listed only on request.
	list, _ := engine.Resolve(ctx, "WP-1", wp, alice, actions.IncludeReserved(true))
	fmt.Println(alice.ID, ids(list))
	// Output:
	// alice [start close]
	// dave [start]
	// alice [start close modify]
}

func ExampleEngine_ResolveAll() {
	engine, _ := exampleEngine()
	ctx := context.Background()
	// A list view: each row's actions, in one call.
	rows := []actions.Item[WorkPackage]{
		{ID: "WP-1", Object: WorkPackage{Subject: "Login fails", Status: "new", Type: "Bug", Priority: 3}},
		{ID: "WP-2", Object: WorkPackage{Subject: "Dark mode", Status: "in progress", Type: "Feature", Priority: 2}},
		{ID: "WP-3", Object: WorkPackage{Subject: "Roadmap", Status: "closed", Type: "Epic", Priority: 4}},
	}
	lists, err := engine.ResolveAll(ctx, rows, dave)
	if err != nil {
		fmt.Println(err)
		return
	}
	for i, row := range rows {
		fmt.Println(row.ID, ids(lists[i]))
	}
	// Output:
	// WP-1 [start]
	// WP-2 [progress close]
	// WP-3 []
}

func ExampleEngine_Explain() {
	engine, _ := exampleEngine()
	ctx := context.Background()
	wp := WorkPackage{Subject: "Roadmap", Status: "closed", Type: "Epic", Priority: 4}

	reasons, err := engine.Explain(ctx, "close", "WP-2", wp, dave)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range reasons {
		fmt.Printf("%s: %s\n", r.Kind, r)
	}
	// Output:
	// state: status is "closed", not one of ["new" "in progress"]
	// condition: condition is false: Priority < 3 is false: Priority = 4; "manager" in Actor.Roles is false: Actor.Roles = ["developer"]
}

func ExampleEngine_Execute() {
	engine, _ := exampleEngine()
	ctx := context.Background()

	res, err := engine.Execute(ctx, actions.Request{
		ActionID: "start", ObjectID: "WP-1", Version: 1, Actor: dave, Comment: "on it",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Object.Status, *res.Object.Assignee, "version", res.Version)
	for _, c := range res.Changes {
		fmt.Printf("%s: %v -> %v\n", c.Field, show(c.Old), show(c.New))
	}
	x := res.Execution
	fmt.Println(x.ID, x.ActionID, x.ActorID, x.Comment, x.Time.Format(time.RFC3339), x.FromVersion, x.ToVersion, x.Status)
	// Output:
	// in progress dave version 2
	// status: new -> in progress
	// assignee: <nil> -> dave
	// exec-1 start dave on it 2025-03-10T12:00:00Z 1 2 succeeded
}

// show dereferences the pointers of a change for printing.
func show(v any) any {
	if p, ok := v.(*string); ok {
		if p == nil {
			return nil
		}
		return *p
	}
	return v
}

func ExampleEngine_Execute_conflict() {
	engine, _ := exampleEngine()
	ctx := context.Background()

	// Alice and Dave both saw version 1; Alice is first.
	if _, err := engine.Execute(ctx, actions.Request{ActionID: "start", ObjectID: "WP-1", Version: 1, Actor: alice}); err != nil {
		fmt.Println(err)
		return
	}
	_, err := engine.Execute(ctx, actions.Request{ActionID: "progress", ObjectID: "WP-1", Version: 1, Actor: dave})
	if errors.Is(err, actions.ErrConflict) {
		fmt.Println("conflict:", err)
		// Reload, and retry on the version now stored.
		_, version, _ := engine.Load(ctx, "WP-1")
		res, err := engine.Execute(ctx, actions.Request{ActionID: "progress", ObjectID: "WP-1", Version: version, Actor: dave})
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println("retried: version", res.Version, "progress", res.Object.Progress)
	}
	// Output:
	// conflict: actions: version conflict: object "WP-1" is at version 2, the request expects 1
	// retried: version 3 progress 60
}

func ExampleCatalog_Apply() {
	cat := actions.MustCompile[WorkPackage]([]actions.Definition{{
		ID: "finish", Name: "Finish",
		Changes: []actions.Change{{Field: "percentageDone", Expr: "Progress + 60"}, {Field: "subject", Expr: `""`}},
		PostConditions: []actions.PostCondition{
			{Expr: `Status == "closed" || Progress < 100`, Field: "status", Message: "an open work package cannot be done"},
		},
	}})
	wp := WorkPackage{Subject: "Login fails", Status: "in progress", Type: "Bug", Priority: 3, Progress: 50}

	// Apply is pure: it stores nothing and does not check applicability.
	applied, err := cat.Apply(context.Background(), "finish", wp, dave)
	fmt.Println("progress", applied.Object.Progress, "(input still", wp.Progress, ")")
	var ve *actions.ValidationError
	if errors.As(err, &ve) {
		for _, v := range ve.Violations {
			fmt.Printf("%s %s: %s\n", v.Field, v.Rule, v.Message)
		}
	}
	// Output:
	// progress 110 (input still 50 )
	// subject required: subject is required
	// percentageDone lte: percentageDone must be at most 100
	// status post-condition: an open work package cannot be done
}

func ExampleEngine_Swap() {
	engine, _ := exampleEngine()
	ctx := context.Background()
	wp, _, _ := engine.Load(ctx, "WP-1")

	list, _ := engine.Resolve(ctx, "WP-1", wp, dave)
	fmt.Println("before:", ids(list))

	// Hot reload: new rules, compiled first, then swapped in atomically.
	next, err := actions.LoadJSON[WorkPackage](strings.NewReader(`{"actions": [
		{"id": "triage", "name": "Triage", "workflow": {"field": "status", "from": ["new"], "to": "triaged"}}
	]}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	if _, err := engine.Swap(next); err != nil {
		fmt.Println(err)
		return
	}
	list, _ = engine.Resolve(ctx, "WP-1", wp, dave)
	fmt.Println("after:", ids(list))
	// Output:
	// before: [start]
	// after: [triage]
}

func ExampleNewMemoryStore() {
	ctx := context.Background()
	store := actions.NewMemoryStore[WorkPackage]()
	v, _ := store.Create(ctx, "WP-1", WorkPackage{Subject: "Login fails", Status: "new", Priority: 3})
	fmt.Println("created at version", v)

	// A loaded value is a copy: changing it does not change the store.
	wp, _, _ := store.Load(ctx, "WP-1")
	wp.Subject = "changed"
	again, _, _ := store.Load(ctx, "WP-1")
	fmt.Println(again.Subject)

	// Saves are optimistic: only the expected version is replaced.
	// A nil record saves without recording an execution.
	_, err := store.Save(ctx, "WP-1", wp, 7, nil)
	fmt.Println(errors.Is(err, actions.ErrConflict))
	rec := actions.Execution{ID: "exec-1", ActionID: "rename", ObjectID: "WP-1", ActorID: "dave", Status: actions.StatusSucceeded}
	v, _ = store.Save(ctx, "WP-1", wp, 1, &rec)
	fmt.Println("saved at version", v, "as record", rec.Seq)

	// The store is also the journal.
	recs, _ := store.Executions(ctx, actions.Filter{ObjectID: "WP-1", ActorID: "dave"})
	for _, r := range recs {
		fmt.Println(r.Seq, r.ID, r.ActionID, r.Status)
	}
	// Output:
	// created at version 1
	// Login fails
	// true
	// saved at version 2 as record 1
	// 1 exec-1 rename succeeded
}

func ExampleEffectFunc() {
	// An effect that hands the work to a queue and finishes later.
	var queued []string
	callout := actions.EffectFunc[WorkPackage](func(ctx context.Context, in actions.EffectInput[WorkPackage]) error {
		queued = append(queued, in.Execution.ID)
		return fmt.Errorf("queued: %w", actions.ErrPending)
	})
	cat := actions.MustCompile[WorkPackage]([]actions.Definition{{
		ID: "deploy", Name: "Deploy", Workflow: &actions.Workflow{Field: "status", To: "deploying"}, Effects: []string{"callout"},
	}}, actions.WithEffect("callout", callout))
	store := actions.NewMemoryStore[WorkPackage]()
	ctx := context.Background()
	_, _ = store.Create(ctx, "WP-1", WorkPackage{Subject: "Release", Status: "ready", Priority: 1})
	engine, _ := actions.New(cat, store, actions.WithExecutionIDs(func() string { return "exec-1" }))

	res, err := engine.Execute(ctx, actions.Request{ActionID: "deploy", ObjectID: "WP-1", Version: 1, Actor: dave})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Object.Status, res.Execution.Status, queued)

	// Later, the queue reports back.
	x, err := engine.Complete(ctx, "exec-1", actions.StatusSucceeded, "deployed in 42s")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(x.Status, x.Detail)
	_, err = engine.Complete(ctx, "exec-1", actions.StatusFailed, "")
	fmt.Println(errors.Is(err, actions.ErrConflict))
	// Output:
	// deploying pending [exec-1]
	// succeeded deployed in 42s
	// true
}
