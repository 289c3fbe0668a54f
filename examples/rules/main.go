// Command rules is a small work-package tracker whose business rules live in
// rules.json and are tested with package actionstest: rules_test.go states
// them one line each, and testdata/decisions.json is a decision table that
// go test -update rewrites from the current rules.
//
//	go run ./examples/rules
//	go test ./examples/rules
//	go test ./examples/rules -update   # then review the diff of testdata/decisions.json
package main

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"log"
	"strings"
	"time"

	"github.com/actionable-go/actionable/actions"
)

//go:embed rules.json
var rulesJSON []byte

// WorkPackage is the tracker's own type; the rules read its fields by Go
// name (Status, PercentageDone) and change them by JSON name.
type WorkPackage struct {
	Subject        string    `json:"subject" validate:"required"`
	Type           string    `json:"type" validate:"oneof=Task Bug Epic"`
	Status         string    `json:"status"`
	Assignee       string    `json:"assignee,omitempty"`
	Priority       int       `json:"priority" validate:"gte=1,lte=4"`
	PercentageDone int       `json:"percentageDone" validate:"gte=0,lte=100"`
	OpenChildren   int       `json:"openChildren,omitempty" validate:"gte=0"`
	DueDate        time.Time `json:"dueDate,omitzero"`
}

// loadRules compiles the rule file against WorkPackage, with now as the
// clock of now() (tests pin it).
func loadRules(now func() time.Time) (*actions.Catalog[WorkPackage], error) {
	return actions.LoadJSON[WorkPackage](bytes.NewReader(rulesJSON), actions.WithClock(now))
}

func main() {
	log.SetFlags(0)
	cat, err := loadRules(time.Now)
	if err != nil {
		log.Fatal(err)
	}
	engine, err := actions.New(cat, actions.NewMemoryStore[WorkPackage]())
	if err != nil {
		log.Fatal(err)
	}
	alice := actions.Actor{ID: "alice", Roles: []string{"Member"}, Permissions: []string{"work"}}
	for _, wp := range []WorkPackage{
		{Subject: "Write the docs", Type: "Task", Status: "New", Priority: 2},
		{Subject: "Fix the login", Type: "Bug", Status: "In progress", Priority: 3, Assignee: "alice", PercentageDone: 50},
		{Subject: "Payments", Type: "Epic", Status: "In progress", Priority: 2, OpenChildren: 3},
	} {
		list, err := engine.Resolve(context.Background(), wp.Subject, wp, alice)
		if err != nil {
			log.Fatal(err)
		}
		names := make([]string, len(list))
		for i, a := range list {
			names[i] = a.Name()
		}
		fmt.Printf("%-15s %-4s %-12s alice may: %s\n", wp.Subject, wp.Type, wp.Status, strings.Join(names, ", "))
	}
}
