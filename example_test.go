package actionable_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/actionable-go/actionable/actions"
)

// Task is a host's own type.
type Task struct {
	Status   string `json:"status"`
	Type     string `json:"type"`
	Assignee string `json:"assignee"`
	Progress int    `json:"progress" validate:"gte=0,lte=100"`
}

// The whole flow: compile definitions once, resolve what an actor may do,
// explain what it may not, execute with optimistic locking.
func Example() {
	ctx := context.Background()
	cat, err := actions.Compile[Task]([]actions.Definition{
		{
			ID: "start", Name: "Start work", Position: 1, Permission: "edit",
			Workflow:  &actions.Workflow{Field: "status", From: []string{"new"}, To: "in progress"},
			Condition: `Type in ["Bug", "Task"]`,
			Changes:   []actions.Change{{Field: "assignee", Expr: "Actor.ID"}},
		},
		{
			ID: "progress", Name: "Make progress", Position: 2, Permission: "edit",
			Workflow: &actions.Workflow{Field: "status", From: []string{"in progress"}},
			Changes:  []actions.Change{{Field: "progress", Expr: "Progress + 60"}},
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	store := actions.NewMemoryStore[Task]()
	version, _ := store.Create(ctx, "T-1", Task{Status: "new", Type: "Bug"})
	engine, _ := actions.New(cat, store)
	alice := actions.Actor{ID: "alice", Permissions: []string{"edit"}}

	task, _, _ := engine.Load(ctx, "T-1")
	list, _ := engine.Resolve(ctx, "T-1", task, alice)
	for _, a := range list {
		fmt.Println("applicable:", a.Name())
	}
	why, _ := engine.Explain(ctx, "progress", "T-1", task, alice)
	fmt.Println("progress:", why[0])

	res, _ := engine.Execute(ctx, actions.Request{ActionID: "start", ObjectID: "T-1", Version: version, Actor: alice})
	fmt.Printf("%s, assigned to %s, version %d\n", res.Object.Status, res.Object.Assignee, res.Version)

	_, err = engine.Execute(ctx, actions.Request{ActionID: "start", ObjectID: "T-1", Version: version, Actor: alice})
	fmt.Println("again with the old version:", errors.Is(err, actions.ErrConflict))

	for range 2 {
		task, version, _ = engine.Load(ctx, "T-1")
		_, err = engine.Execute(ctx, actions.Request{ActionID: "progress", ObjectID: "T-1", Version: version, Actor: alice})
	}
	var invalid *actions.ValidationError
	if errors.As(err, &invalid) {
		fmt.Println("second progress:", invalid.Violations[0].Message)
	}
	// Output:
	// applicable: Start work
	// progress: status is "new", not one of ["in progress"]
	// in progress, assigned to alice, version 2
	// again with the old version: true
	// second progress: progress must be at most 100
}
