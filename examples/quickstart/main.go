// Command quickstart loads a rule file, lists the actions applicable to a
// sample task for a sample user, and prints why the others are not
// applicable.
//
//	go run ./examples/quickstart [-rules testdata/quickstart/rules.json]
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/actionable-go/actionable/actions"
)

// Task is the host's own type: the rules read its fields by Go name.
type Task struct {
	Title    string    `json:"title"`
	Status   string    `json:"status"`
	Type     string    `json:"type"`
	Priority int       `json:"priority" validate:"gte=1,lte=5"`
	Assignee string    `json:"assignee"`
	Progress int       `json:"progress" validate:"gte=0,lte=100"`
	Due      time.Time `json:"due"`
}

func main() {
	rules := flag.String("rules", "testdata/quickstart/rules.json", "rule file")
	flag.Parse()
	if err := run(context.Background(), *rules); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, rules string) error {
	cat, err := actions.LoadFile[Task](rules)
	if err != nil {
		return err
	}
	store := actions.NewMemoryStore[Task]()
	engine, err := actions.New(cat, store)
	if err != nil {
		return err
	}
	task := Task{Title: "Fix login", Status: "new", Type: "Bug", Priority: 4, Due: time.Now().AddDate(0, 0, -2)}
	if _, err := store.Create(ctx, "T-1", task); err != nil {
		return err
	}
	alice := actions.Actor{ID: "alice", Roles: []string{"developer"}, Permissions: []string{"edit"}}

	fmt.Printf("Task T-1 %q (status %s, type %s, priority %d), user %s\n\n", task.Title, task.Status, task.Type, task.Priority, alice.ID)
	applicable, err := engine.Resolve(ctx, "T-1", task, alice)
	if err != nil {
		return err
	}
	fmt.Println("Applicable actions:")
	if len(applicable) == 0 {
		fmt.Println("  (none)")
	}
	ok := map[string]bool{}
	for _, a := range applicable {
		ok[a.ID()] = true
		fmt.Printf("  %s: %s\n", a.ID(), a.Name())
	}
	fmt.Println("\nNot applicable:")
	for _, a := range cat.Actions() {
		if ok[a.ID()] {
			continue
		}
		reasons, err := engine.Explain(ctx, a.ID(), "T-1", task, alice)
		if err != nil {
			return err
		}
		fmt.Printf("  %s: %s\n", a.ID(), a.Name())
		for _, r := range reasons {
			fmt.Printf("    - %s: %s\n", r.Kind, r)
		}
	}
	return nil
}

func init() { log.SetFlags(0); log.SetOutput(os.Stderr) }
