package actionstest_test

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/actionable-go/actionable/actions"
	"github.com/actionable-go/actionable/actionstest"
)

// Ticket is the object type of the examples.
type Ticket struct {
	Status   string `json:"status"`
	Priority int    `json:"priority" validate:"gte=1,lte=5"`
	Assignee string `json:"assignee"`
	Progress int    `json:"progress" validate:"gte=0,lte=100"`
}

// tickets are the rules of the examples.
var tickets = actions.MustCompile[Ticket]([]actions.Definition{
	{
		ID: "start", Name: "Start work", Permission: "edit",
		Workflow:  &actions.Workflow{Field: "status", From: []string{"open"}, To: "in progress"},
		Condition: `Priority >= 2`,
		Changes:   []actions.Change{{Field: "assignee", Expr: "Actor.ID"}},
	},
	{
		ID: "progress", Name: "Make progress", Permission: "edit",
		Workflow: &actions.Workflow{Field: "status", From: []string{"in progress"}},
		Changes:  []actions.Change{{Field: "progress", Expr: "Progress + 25"}},
	},
	{
		ID: "close", Name: "Close", Permission: "edit",
		Workflow:  &actions.Workflow{Field: "status", From: []string{"open", "in progress"}, To: "closed"},
		Condition: `Priority < 3 || "manager" in Actor.Roles`,
	},
})

var bob = actions.Actor{ID: "bob", Roles: []string{"developer"}, Permissions: []string{"edit"}}

// printTB is a testing.TB that prints failures instead of failing, so that
// the examples can show the kit's messages. A real test passes its t.
type printTB struct {
	testing.TB
	failed bool
}

func (p *printTB) Helper()             {}
func (p *printTB) Failed() bool        { return p.failed }
func (p *printTB) Logf(string, ...any) {}
func (p *printTB) Errorf(format string, args ...any) {
	p.failed = true
	// go-cmp may indent its diffs with non-breaking spaces.
	fmt.Println(strings.ReplaceAll(fmt.Sprintf(format, args...), "\u00a0", " "))
}
func (p *printTB) Fatalf(format string, args ...any) {
	p.Errorf(format, args...)
	runtime.Goexit()
}

func ExampleApplicable() {
	t := &printTB{} // in a test: the test's t
	ticket := Ticket{Status: "open", Priority: 1}

	actionstest.Applicable(t, tickets, ticket, bob, "close") // passes: prints nothing
	actionstest.Applicable(t, tickets, ticket, bob, "start", "close")
	// Output:
	// applicable actions for actor "bob" mismatch (-want +got):
	//   []string{
	//   	"close",
	// - 	"start",
	//   }
	// "start" is not applicable:
	//     - condition is false:
	//         Priority >= 2 is false: Priority = 1
}

func ExampleIsApplicable() {
	t := &printTB{}
	actionstest.IsApplicable(t, tickets, "start", Ticket{Status: "open", Priority: 2}, bob)
	actionstest.IsApplicable(t, tickets, "close", Ticket{Status: "closed", Priority: 4}, bob)
	// Output:
	// action "close" is not applicable for actor "bob", want applicable:
	//     - status is "closed", not one of ["open" "in progress"]
	//     - condition is false:
	//         Priority < 3 is false: Priority = 4
	//         "manager" in Actor.Roles is false: Actor.Roles = ["developer"]
}

func ExampleNotApplicable() {
	t := &printTB{}
	urgent := Ticket{Status: "open", Priority: 4}

	// Only managers close urgent tickets: the condition says no to bob.
	actionstest.NotApplicable(t, tickets, "close", urgent, bob, actions.ReasonCondition)

	// A guest is refused too, but by a missing permission as well: a test
	// that names the reason it is about does not pass by accident.
	guest := actions.Actor{ID: "guest"}
	actionstest.NotApplicable(t, tickets, "close", urgent, guest, actions.ReasonCondition)
	// Output:
	// action "close" is not applicable for actor "guest", but for other reasons (-want +got):
	//   []actions.ReasonKind{
	//   	"condition",
	// + 	"permission",
	//   }
	// the resolver says:
	//     - actor "guest" lacks permission "edit"
	//     - condition is false:
	//         Priority < 3 is false: Priority = 4
	//         "manager" in Actor.Roles is false: Actor.Roles = null
}

func ExampleRefusedBy() {
	t := &printTB{}
	rules := actions.MustCompile[Ticket]([]actions.Definition{{
		ID: "take", Name: "Take", Permission: "edit",
		Guards: []actions.Guard{
			{Name: "unassigned", Expr: `Assignee == ""`},
			{Name: "not-urgent", Expr: `Priority < 4`},
		},
	}})
	taken := Ticket{Status: "open", Priority: 2, Assignee: "ann"}

	// Refused by exactly this guard, and nothing else.
	actionstest.RefusedBy(t, rules, "take", taken, bob, "unassigned")

	// An urgent ticket fails the other guard too: the test says so.
	taken.Priority = 5
	actionstest.RefusedBy(t, rules, "take", taken, bob, "unassigned")
	// Output:
	// action "take" is not applicable for actor "bob", but not for exactly those guards (-want +got):
	//   []string{
	// + 	"not-urgent",
	//   	"unassigned",
	//   }
	// the resolver says:
	//     - guard "unassigned" is false:
	//         Assignee == "" is false: Assignee = "ann"
	//     - guard "not-urgent" is false:
	//         Priority < 4 is false: Priority = 5
}

func ExampleChanges() {
	t := &printTB{}
	actionstest.Changes(t, tickets, "start", Ticket{Status: "open", Priority: 2}, bob, []actions.FieldChange{
		{Field: "status", Old: "open", New: "in progress"},
		{Field: "assignee", Old: "", New: "bob"},
	})
	// A result that fails validation is a failure of Changes.
	actionstest.Changes(t, tickets, "progress", Ticket{Status: "in progress", Priority: 2, Progress: 80}, bob, []actions.FieldChange{
		{Field: "progress", Old: 80, New: 105},
	})
	// Output:
	// applying "progress" for actor "bob": the result is invalid:
	//     - progress (lte=100): progress must be at most 100
}

func ExampleViolations() {
	t := &printTB{}
	at80 := Ticket{Status: "in progress", Priority: 2, Progress: 80}
	actionstest.Violations(t, tickets, "progress", at80, bob, []actions.Violation{
		{Field: "progress", Rule: "lte"},
	})
	actionstest.Violations(t, tickets, "progress", at80, bob, nil) // expects a valid result
	// Output:
	// violations of "progress" for actor "bob" mismatch (-want +got):
	//   []actionstest.violation{
	// + 	{Field: "progress", Rule: "lte"},
	//   }
}

func ExampleRunTable() {
	t := &printTB{}
	// In a test: actionstest.RunTable(t, tickets, "testdata/tickets.json", actionstest.Update(*update))
	actionstest.RunTable(t, tickets, "testdata/tickets.json")
	fmt.Println("failed:", t.Failed())
	// Output:
	// failed: false
}

func ExampleRunTable_failure() {
	t := &printTB{} // a *testing.T runs each case as a subtest, named after it
	actionstest.RunTable(t, tickets, "testdata/tickets-wrong.json")
	// Output:
	// progress on 80 is fine: outcome of "progress" mismatch (-want +got):
	//   actionstest.outcome{
	//   	Changes:    {"progress: 80 -> 105"},
	// - 	Violations: nil,
	// + 	Violations: []string{"progress (lte)"},
	//   	Error:      "",
	//   }
}

func ExampleTestStore() {
	t := &printTB{} // in a test: the test's t, and each check is a subtest
	actionstest.TestStore(t,
		func() actionstest.Store[Ticket] { return actions.NewMemoryStore[Ticket]() },
		func(i int) Ticket { return Ticket{Status: "open", Priority: i} },
		nil) // Ticket holds no slices, maps or pointers: nothing to mutate in place
	fmt.Println("failed:", t.Failed())
	// Output:
	// failed: false
}
