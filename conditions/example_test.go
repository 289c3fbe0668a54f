package conditions_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/actionable-go/actionable/conditions"
)

// Ticket is the environment of the examples.
type Ticket struct {
	Status   string
	Type     string
	Priority int
	Roles    []string
	Created  time.Time
}

func ExampleCompile() {
	cond, err := conditions.Compile(`Status == "new" && Priority >= 2`, Ticket{})
	if err != nil {
		fmt.Println(err)
		return
	}
	ok, err := cond.Evaluate(context.Background(), Ticket{Status: "new", Priority: 3})
	fmt.Println(cond, "=>", ok, err)
	// Output: Status == "new" && Priority >= 2 => true <nil>
}

func ExampleCondition_Evaluate() {
	cond := conditions.MustCompile(`Type in ["Bug", "Task"] && "manager" in Roles`, Ticket{})
	tickets := []Ticket{
		{Type: "Bug", Roles: []string{"manager"}},
		{Type: "Feature", Roles: []string{"manager"}},
		{Type: "Task", Roles: []string{"developer"}},
	}
	ctx := context.Background()
	for _, t := range tickets {
		// Box the environment once when several conditions read it.
		var env any = t
		ok, err := cond.Evaluate(ctx, env)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(t.Type, t.Roles, ok)
	}
	// Output:
	// Bug [manager] true
	// Feature [manager] false
	// Task [developer] false
}

func ExampleCondition_Explain() {
	cond := conditions.MustCompile(`Status in ["new", "open"] && Priority >= 2 && "manager" in Roles`, Ticket{})
	why, err := cond.Explain(context.Background(), Ticket{Status: "closed", Priority: 1, Roles: []string{"manager"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(why.Result)
	for _, c := range why.Clauses {
		fmt.Println(c)
	}
	// Output:
	// false
	// Status in ["new", "open"] is false: Status = "closed"
	// Priority >= 2 is false: Priority = 1
}

func ExampleCompileExpression() {
	expr, err := conditions.CompileExpression(`Priority * 10 + len(Roles)`, Ticket{})
	if err != nil {
		fmt.Println(err)
		return
	}
	v, err := expr.Run(context.Background(), Ticket{Priority: 2, Roles: []string{"a", "b"}})
	fmt.Println(expr.Type(), v, err)
	// Output: int 22 <nil>
}

func ExampleWithClock() {
	clock := func() time.Time { return time.Date(2025, time.March, 10, 12, 0, 0, 0, time.UTC) }
	cond := conditions.MustCompile(`daysSince(Created) >= 7`, Ticket{}, conditions.WithClock(clock))
	for _, created := range []time.Time{
		time.Date(2025, time.March, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2025, time.March, 8, 0, 0, 0, 0, time.UTC),
	} {
		ok, _ := cond.Evaluate(context.Background(), Ticket{Created: created})
		fmt.Println(created.Format(time.DateOnly), ok)
	}
	// Output:
	// 2025-03-01 true
	// 2025-03-08 false
}

func ExampleFunction() {
	isWeekend := conditions.Function("isWeekend", func(args ...any) (any, error) {
		d := args[0].(time.Time).Weekday()
		return d == time.Saturday || d == time.Sunday, nil
	}, new(func(time.Time) bool))
	cond := conditions.MustCompile(`isWeekend(Created)`, Ticket{}, isWeekend)
	ok, err := cond.Evaluate(context.Background(), Ticket{Created: time.Date(2025, time.March, 8, 0, 0, 0, 0, time.UTC)})
	fmt.Println(ok, err)
	// Output: true <nil>
}

func ExampleError() {
	_, err := conditions.Compile("Status == \"new\" &&\n  Priority == \"high\"", Ticket{})
	var ce *conditions.Error
	if errors.As(err, &ce) {
		fmt.Printf("line %d, column %d: %s\n%s\n", ce.Line, ce.Column, ce.Message, ce.Snippet)
	}
	// Output:
	// line 2, column 12: invalid operation: == (mismatched types int and string)
	//  |   Priority == "high"
	//  | ...........^
}

func ExampleMemoryBudget() {
	cond := conditions.MustCompile(`len(1..Priority) > 0`, Ticket{}, conditions.MemoryBudget(100))
	_, err := cond.Evaluate(context.Background(), Ticket{Priority: 1000})
	fmt.Println(errors.Is(err, conditions.ErrMemoryBudget))
	// Output: true
}

func ExampleMaxSteps() {
	// A loop over a thousand elements is a thousand steps.
	cond := conditions.MustCompile(`all(1..Priority, # > 0)`, Ticket{}, conditions.MaxSteps(100))
	for _, p := range []int{10, 1000} {
		ok, err := cond.Evaluate(context.Background(), Ticket{Priority: p})
		fmt.Println(p, ok, errors.Is(err, conditions.ErrTooManySteps))
	}
	// Output:
	// 10 true false
	// 1000 false true
}

func ExampleMaxDepth() {
	src := `((Status == "new" || (Priority > 2 && Type == "Bug")))`
	for _, depth := range []uint{3, 2} {
		_, err := conditions.Compile(src, Ticket{}, conditions.MaxDepth(depth))
		fmt.Println(depth, errors.Is(err, conditions.ErrTooDeep))
	}
	// Output:
	// 3 false
	// 2 true
}

func ExampleMaxLength() {
	src := `Status == "new" && Priority > 2`
	err := conditions.Parse(src, conditions.MaxLength(16))
	fmt.Println(errors.Is(err, conditions.ErrTooLong))
	fmt.Println(err)
	// Output:
	// true
	// expression is 31 bytes long, over the limit of 16
}
