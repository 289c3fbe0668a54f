package compare

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/actionable-go/actionable/actions"
)

// Ticket is the 10-field object of the SDK's benchmarks (actions/bench_test.go).
type Ticket struct {
	Title    string   `json:"title" validate:"required,max=80"`
	Status   string   `json:"status" validate:"required"`
	Type     string   `json:"type" validate:"oneof=Bug Task Feature Epic"`
	Priority int      `json:"priority" validate:"gte=1,lte=5"`
	Progress int      `json:"percentageDone" validate:"gte=0,lte=100"`
	Estimate float64  `json:"estimate" validate:"gte=0"`
	Assignee string   `json:"assignee"`
	Email    string   `json:"email" validate:"omitempty,email"`
	Count    int      `json:"count" validate:"gte=0"`
	Tags     []string `json:"tags" validate:"max=10"`
}

// rule is one action's condition, written out for every engine's syntax:
// Status equals status, Type is one of types (not tested when types is
// empty), Priority is at least 2 and the actor has the role manager.
type rule struct {
	status string
	types  []string
}

// catalog is a list of rules and the object the benchmarks resolve against.
type catalog struct {
	name   string
	rules  []rule
	ticket Ticket
	want   int // applicable actions for ticket and benchActor
}

var (
	benchStatuses = []string{"new", "open", "review", "blocked", "closed"}
	benchTypes    = []string{"Bug", "Task", "Feature", "Epic"}
	benchActor    = actions.Actor{ID: "ann", Roles: []string{"developer", "manager"}, Permissions: []string{"edit"}}
)

func benchTicket(status string) Ticket {
	return Ticket{
		Title: "Login fails", Status: status, Type: "Bug", Priority: 3, Progress: 10, Estimate: 2.5,
		Assignee: "bob", Email: "bob@example.com", Count: 0, Tags: []string{"backend", "urgent"},
	}
}

// nonDiscriminating is the catalog of actions.BenchmarkResolve: action i
// accepts status i%5 and types i%4 and (i+1)%4. The bench ticket (new, Bug)
// matches i%5 == 0 and i%4 in {0, 3}: one action in ten.
func nonDiscriminating(n int) catalog {
	rules := make([]rule, n)
	for i := range rules {
		rules[i] = rule{status: benchStatuses[i%5], types: []string{benchTypes[i%4], benchTypes[(i+1)%4]}}
	}
	return catalog{name: "non-discriminating", rules: rules, ticket: benchTicket("new"), want: n / 10}
}

// discriminating is the catalog of issue 16: action i accepts status
// s_<i%50> only, so that 2 % of the actions can apply to any object.
func discriminating(n int) catalog {
	rules := make([]rule, n)
	for i := range rules {
		rules[i] = rule{status: "s_" + strconv.Itoa(i%50)}
	}
	return catalog{name: "discriminating", rules: rules, ticket: benchTicket("s_7"), want: n / 50}
}

// actionID is the id of the action at position i in every engine.
func actionID(i int) string { return "a" + strconv.Itoa(i) }

// exprSource is the condition in expr syntax. For the non-discriminating
// catalog it is the text of actions/bench_test.go, byte for byte.
func (r rule) exprSource() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Status == %q", r.status)
	if len(r.types) > 0 {
		quoted := make([]string, len(r.types))
		for i, t := range r.types {
			quoted[i] = strconv.Quote(t)
		}
		fmt.Fprintf(&b, " && Type in [%s]", strings.Join(quoted, ", "))
	}
	b.WriteString(` && Priority >= 2 && "manager" in Actor.Roles`)
	return b.String()
}

// celSource is the condition in CEL: the same text as in expr, since string
// literals, in with a list literal, >= and field selection read alike.
func (r rule) celSource() string { return r.exprSource() }

// govaluateSource is the condition in govaluate's syntax: single-quoted
// strings, IN with a parenthesized list, and the actor's roles as the
// parameter named "Actor.Roles" (brackets escape the dot).
func (r rule) govaluateSource() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Status == '%s'", r.status)
	if len(r.types) > 0 {
		quoted := make([]string, len(r.types))
		for i, t := range r.types {
			quoted[i] = "'" + t + "'"
		}
		fmt.Fprintf(&b, " && Type IN (%s)", strings.Join(quoted, ", "))
	}
	b.WriteString(" && Priority >= 2 && 'manager' IN [Actor.Roles]")
	return b.String()
}
