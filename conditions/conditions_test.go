package conditions_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/actionable-go/actionable/conditions"
)

// Owner is reached through a pointer field, to test nil dereferences.
type Owner struct{ Name string }

// Actor is the user a condition is evaluated for.
type Actor struct {
	ID    string
	Roles []string
}

// Env is the environment of the tests and benchmarks: a ten-field struct, as
// a host would pass for a work package.
type Env struct {
	Status   string
	Type     string
	Priority int
	Actor    Actor
	Tags     []string
	Score    float64
	Created  time.Time
	Due      time.Time
	Owner    *Owner
	Data     map[string]any
}

// Other is a struct type that is not Env.
type Other struct{ Status string }

// The pinned clock of the date tests: Monday 10 March 2025, noon UTC.
var pinned = time.Date(2025, time.March, 10, 12, 0, 0, 0, time.UTC)

func pinnedClock() time.Time { return pinned }

// position is the part of a *conditions.Error the position tests compare.
type position struct {
	Line    int
	Column  int
	Snippet string
}

func TestCompileErrorPosition(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want position
	}{
		{
			name: "unknown field",
			src:  `Statu == "x"`,
			want: position{Line: 1, Column: 1, Snippet: " | Statu == \"x\"\n | ^"},
		},
		{
			name: "unknown field after other clauses",
			src:  `Status == "new" && Priority > 1 && Typ == "Bug"`,
			want: position{Line: 1, Column: 36, Snippet: " | Status == \"new\" && Priority > 1 && Typ == \"Bug\"\n | ...................................^"},
		},
		{
			name: "type mismatch on line 2",
			src:  "Status == \"new\" &&\n  Priority == \"high\"",
			want: position{Line: 2, Column: 12, Snippet: " |   Priority == \"high\"\n | ...........^"},
		},
		{
			name: "column counts runes, not bytes",
			src:  `Status == "üü" && Statu`,
			want: position{Line: 1, Column: 19, Snippet: " | Status == \"üü\" && Statu\n | ..................^"},
		},
		{
			name: "tab in snippet becomes a space",
			src:  "Status == \"new\" &&\n\tStatu == \"x\"",
			want: position{Line: 2, Column: 2, Snippet: " |  Statu == \"x\"\n | .^"},
		},
		{
			name: "result is not bool",
			src:  `Priority + 1`,
			want: position{}, // expr reports no position for the result type
		},
		{
			name: "syntax error at end",
			src:  `Status ==`,
			want: position{Line: 1, Column: 9, Snippet: " | Status ==\n | ........^"},
		},
		{
			name: "unbalanced parenthesis",
			src:  `(Status == "new"`,
			want: position{Line: 1, Column: 16, Snippet: " | (Status == \"new\"\n | ...............^"},
		},
		{
			name: "unknown function",
			src:  `isOpen(Status)`,
			want: position{Line: 1, Column: 1, Snippet: " | isOpen(Status)\n | ^"},
		},
		{
			name: "wrong argument type to a built-in function",
			src:  `daysSince(Status) > 3`,
			want: position{Line: 1, Column: 11, Snippet: " | daysSince(Status) > 3\n | ..........^"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cond, err := conditions.Compile(tt.src, Env{})
			if err == nil {
				t.Fatalf("Compile(%q) = %v, want error", tt.src, cond)
			}
			var ce *conditions.Error
			if !errors.As(err, &ce) {
				t.Fatalf("Compile(%q) error %T is not a *conditions.Error: %v", tt.src, err, err)
			}
			got := position{Line: ce.Line, Column: ce.Column, Snippet: ce.Snippet}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Compile(%q) position mismatch (-want +got):\n%s", tt.src, diff)
			}
			if ce.Source != tt.src {
				t.Errorf("Error.Source = %q, want %q", ce.Source, tt.src)
			}
			if ce.Message == "" || strings.Contains(ce.Message, "\n") {
				t.Errorf("Error.Message = %q, want one line without the snippet", ce.Message)
			}
			if ce.Err == nil {
				t.Error("Error.Err is nil, want the cause")
			}
		})
	}
}

func TestErrorFormat(t *testing.T) {
	tests := []struct {
		name string
		err  *conditions.Error
		want string
	}{
		{
			name: "with position",
			err:  &conditions.Error{Line: 1, Column: 3, Snippet: " | a b\n | ..^", Message: "unexpected token"},
			want: "unexpected token (1:3)\n | a b\n | ..^",
		},
		{
			name: "without position",
			err:  &conditions.Error{Message: "expected bool, but got int"},
			want: "expected bool, but got int",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tt.err.Error()); diff != "" {
				t.Errorf("Error() mismatch (-want +got):\n%s", diff)
			}
		})
	}
	cause := errors.New("cause")
	if err := error(&conditions.Error{Err: cause}); !errors.Is(err, cause) {
		t.Errorf("errors.Is(%v, cause) = false, want true", err)
	}
}

func TestCompileEnvironment(t *testing.T) {
	tests := []struct {
		name string
		env  any
	}{
		{name: "struct value", env: Env{}},
		{name: "pointer to struct", env: &Env{}},
		{name: "nil pointer to struct", env: (*Env)(nil)},
		{name: "reflect.Type of struct", env: reflect.TypeFor[Env]()},
		{name: "reflect.Type of pointer", env: reflect.TypeFor[*Env]()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cond, err := conditions.Compile(`Status == "new"`, tt.env)
			if err != nil {
				t.Fatalf("Compile: %v", err)
			}
			got, err := cond.Evaluate(context.Background(), Env{Status: "new"})
			if err != nil || !got {
				t.Errorf("Evaluate = %v, %v, want true, nil", got, err)
			}
			expr, err := conditions.CompileExpression(`Priority + 1`, tt.env)
			if err != nil {
				t.Fatalf("CompileExpression: %v", err)
			}
			if got, want := expr.EnvType(), reflect.TypeFor[Env](); got != want {
				t.Errorf("EnvType() = %v, want %v", got, want)
			}
		})
	}
}

func TestCompileEnvironmentNotStruct(t *testing.T) {
	tests := []struct {
		name string
		env  any
	}{
		{name: "nil", env: nil},
		{name: "int", env: 42},
		{name: "string", env: "Env"},
		{name: "map", env: map[string]any{"Status": "new"}},
		{name: "pointer to int", env: new(int)},
		{name: "pointer to pointer to struct", env: new(*Env)},
		{name: "reflect.Type of int", env: reflect.TypeFor[int]()},
		{name: "reflect.Type of map", env: reflect.TypeFor[map[string]any]()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := conditions.Compile(`true`, tt.env); !errors.Is(err, conditions.ErrEnvType) {
				t.Errorf("Compile error = %v, want ErrEnvType", err)
			}
			if _, err := conditions.CompileExpression(`1`, tt.env); !errors.Is(err, conditions.ErrEnvType) {
				t.Errorf("CompileExpression error = %v, want ErrEnvType", err)
			}
		})
	}
}

func TestEvaluateWrongEnvironment(t *testing.T) {
	cond := conditions.MustCompile(`Status == "new"`, Env{})
	expr, err := conditions.CompileExpression(`Status`, Env{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		env  any
	}{
		{name: "nil", env: nil},
		{name: "other struct with the same field", env: Other{Status: "new"}},
		{name: "pointer to the right struct", env: &Env{Status: "new"}},
		{name: "map", env: map[string]any{"Status": "new"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			checks := map[string]error{}
			_, checks["Evaluate"] = cond.Evaluate(ctx, tt.env)
			_, checks["Explain"] = cond.Explain(ctx, tt.env)
			_, checks["Run"] = expr.Run(ctx, tt.env)
			for method, err := range checks {
				if !errors.Is(err, conditions.ErrEnvType) {
					t.Errorf("%s error = %v, want ErrEnvType", method, err)
				}
				var ce *conditions.Error
				if !errors.As(err, &ce) {
					t.Errorf("%s error %T is not a *conditions.Error", method, err)
				}
			}
		})
	}
}

const fourClauses = `Status == "new" && Type in ["Bug", "Task"] && Priority >= 2 && "manager" in Actor.Roles`

func TestEvaluate(t *testing.T) {
	cond, err := conditions.Compile(fourClauses, Env{})
	if err != nil {
		t.Fatal(err)
	}
	manager := Actor{ID: "u1", Roles: []string{"developer", "manager"}}
	tests := []struct {
		name string
		env  Env
		want bool
	}{
		{name: "all clauses hold", env: Env{Status: "new", Type: "Bug", Priority: 2, Actor: manager}, want: true},
		{name: "task with high priority", env: Env{Status: "new", Type: "Task", Priority: 9, Actor: manager}, want: true},
		{name: "wrong status", env: Env{Status: "closed", Type: "Bug", Priority: 2, Actor: manager}, want: false},
		{name: "status is case sensitive", env: Env{Status: "New", Type: "Bug", Priority: 2, Actor: manager}, want: false},
		{name: "wrong type", env: Env{Status: "new", Type: "Feature", Priority: 2, Actor: manager}, want: false},
		{name: "priority too low", env: Env{Status: "new", Type: "Bug", Priority: 1, Actor: manager}, want: false},
		{name: "not a manager", env: Env{Status: "new", Type: "Bug", Priority: 2, Actor: Actor{ID: "u2", Roles: []string{"developer"}}}, want: false},
		{name: "no roles", env: Env{Status: "new", Type: "Bug", Priority: 2}, want: false},
		{name: "zero env", env: Env{}, want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := cond.Evaluate(context.Background(), tt.env)
			if err != nil {
				t.Fatalf("Evaluate: %v", err)
			}
			if got != tt.want {
				t.Errorf("Evaluate = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestConditionSource(t *testing.T) {
	cond := conditions.MustCompile(fourClauses, Env{})
	if got := cond.Source(); got != fourClauses {
		t.Errorf("Source() = %q, want %q", got, fourClauses)
	}
	if got := cond.String(); got != fourClauses {
		t.Errorf("String() = %q, want %q", got, fourClauses)
	}
}

func TestMustCompilePanics(t *testing.T) {
	defer func() {
		r := recover()
		err, ok := r.(error)
		var ce *conditions.Error
		if !ok || !errors.As(err, &ce) {
			t.Errorf("MustCompile panicked with %v, want a *conditions.Error", r)
		}
	}()
	conditions.MustCompile(`Statu == "new"`, Env{})
}

func TestFunctions(t *testing.T) {
	env := Env{
		Actor:   Actor{Roles: []string{"developer", "manager"}},
		Created: time.Date(2025, time.March, 1, 0, 0, 0, 0, time.UTC),  // 9.5 days before the clock
		Due:     time.Date(2025, time.March, 13, 0, 0, 0, 0, time.UTC), // 2.5 days after the clock
	}
	tests := []struct {
		name string
		src  string
		want bool
	}{
		{name: "now is the pinned clock", src: `now() == date("2025-03-10T12:00:00Z")`, want: true},
		{name: "now compares with a field", src: `Created < now()`, want: true},
		{name: "days", src: `now() - days(9) > Created`, want: true},
		{name: "days not enough", src: `now() - days(10) > Created`, want: false},
		{name: "days times 24 hours", src: `days(2) == hours(48)`, want: true},
		{name: "hours", src: `Due - hours(60) == now()`, want: true},
		{name: "daysSince truncates", src: `daysSince(Created) == 9`, want: true},
		{name: "daysSince of a future date is negative", src: `daysSince(Due) == -2`, want: true},
		{name: "daysUntil truncates", src: `daysUntil(Due) == 2`, want: true},
		{name: "daysUntil of a past date is negative", src: `daysUntil(Created) == -9`, want: true},
		{name: "daysUntil of now plus days", src: `daysUntil(now() + days(3)) == 3`, want: true},
		{name: "hasAny one matches", src: `hasAny(Actor.Roles, "admin", "manager")`, want: true},
		{name: "hasAny none matches", src: `hasAny(Actor.Roles, "admin", "owner")`, want: false},
		{name: "hasAny without values", src: `hasAny(Actor.Roles)`, want: false},
		{name: "hasAny on nil list", src: `hasAny(Tags, "x")`, want: false},
		{name: "hasAll all match", src: `hasAll(Actor.Roles, "manager", "developer")`, want: true},
		{name: "hasAll one missing", src: `hasAll(Actor.Roles, "manager", "admin")`, want: false},
		{name: "hasAll without values", src: `hasAll(Actor.Roles)`, want: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cond, err := conditions.Compile(tt.src, Env{}, conditions.WithClock(pinnedClock))
			if err != nil {
				t.Fatalf("Compile: %v", err)
			}
			got, err := cond.Evaluate(context.Background(), env)
			if err != nil {
				t.Fatalf("Evaluate: %v", err)
			}
			if got != tt.want {
				t.Errorf("Evaluate(%s) = %v, want %v", tt.src, got, tt.want)
			}
		})
	}
}

func TestFunctionsTypeChecked(t *testing.T) {
	tests := []struct {
		name string
		src  string
	}{
		{name: "days of a string", src: `days("3") > hours(1)`},
		{name: "daysSince of an int", src: `daysSince(Priority) > 1`},
		{name: "hasAny of a literal list", src: `hasAny(["a"], "a")`},
		{name: "hasAll with an int value", src: `hasAll(Actor.Roles, 1)`},
		{name: "now with an argument", src: `now(1) > Created`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := conditions.Compile(tt.src, Env{})
			var ce *conditions.Error
			if !errors.As(err, &ce) {
				t.Fatalf("Compile(%q) error = %v, want a *conditions.Error", tt.src, err)
			}
			if ce.Line != 1 || ce.Column < 1 {
				t.Errorf("Compile(%q) position = %d:%d, want on line 1", tt.src, ce.Line, ce.Column)
			}
		})
	}
}

func TestClockIsReadAtEvaluation(t *testing.T) {
	var mu sync.Mutex
	now := pinned
	clock := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		return now
	}
	cond := conditions.MustCompile(`daysSince(Created) >= 7`, Env{}, conditions.WithClock(clock))
	env := Env{Created: pinned}
	for _, step := range []struct {
		advance time.Duration
		want    bool
	}{{0, false}, {6 * 24 * time.Hour, false}, {24 * time.Hour, true}} {
		mu.Lock()
		now = now.Add(step.advance)
		mu.Unlock()
		got, err := cond.Evaluate(context.Background(), env)
		if err != nil || got != step.want {
			t.Errorf("after %v: Evaluate = %v, %v, want %v", now.Sub(pinned), got, err, step.want)
		}
	}
}

var errNoSuchUser = errors.New("no such user")

func slugFunction() conditions.Option {
	return conditions.Function("slug", func(args ...any) (any, error) {
		return strings.ReplaceAll(strings.ToLower(args[0].(string)), " ", "-"), nil
	}, new(func(string) string))
}

func TestHostFunction(t *testing.T) {
	isMember := conditions.Function("isMember", func(args ...any) (any, error) {
		id, group := args[0].(string), args[1].(string)
		switch {
		case id == "":
			return nil, errNoSuchUser
		case id == "boom":
			panic("host bug")
		}
		return group == "staff" && strings.HasPrefix(id, "s-"), nil
	}, new(func(string, string) bool))

	tests := []struct {
		name string
		src  string
		env  Env
		want bool
	}{
		{name: "one argument", src: `slug(Status) == "in-progress"`, env: Env{Status: "In Progress"}, want: true},
		{name: "one argument false", src: `slug(Status) == "in-progress"`, env: Env{Status: "Done"}, want: false},
		{name: "two arguments", src: `isMember(Actor.ID, "staff")`, env: Env{Actor: Actor{ID: "s-1"}}, want: true},
		{name: "two arguments false", src: `isMember(Actor.ID, "staff")`, env: Env{Actor: Actor{ID: "c-1"}}, want: false},
		{name: "combined with built-ins", src: `isMember(Actor.ID, "staff") && hasAny(Actor.Roles, "manager")`, env: Env{Actor: Actor{ID: "s-1", Roles: []string{"manager"}}}, want: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cond, err := conditions.Compile(tt.src, Env{}, slugFunction(), isMember)
			if err != nil {
				t.Fatalf("Compile: %v", err)
			}
			got, err := cond.Evaluate(context.Background(), tt.env)
			if err != nil {
				t.Fatalf("Evaluate: %v", err)
			}
			if got != tt.want {
				t.Errorf("Evaluate = %v, want %v", got, tt.want)
			}
		})
	}

	t.Run("calls are type-checked", func(t *testing.T) {
		_, err := conditions.Compile(`isMember(Priority, "staff")`, Env{}, isMember)
		var ce *conditions.Error
		if !errors.As(err, &ce) {
			t.Fatalf("Compile error = %v, want a *conditions.Error", err)
		}
		if got, want := (position{ce.Line, ce.Column, ce.Snippet}), (position{1, 10, " | isMember(Priority, \"staff\")\n | .........^"}); got != want {
			t.Errorf("position = %+v, want %+v", got, want)
		}
	})
	t.Run("host error is the cause", func(t *testing.T) {
		cond := conditions.MustCompile(`isMember(Actor.ID, "staff")`, Env{}, isMember)
		_, err := cond.Evaluate(context.Background(), Env{})
		if !errors.Is(err, errNoSuchUser) {
			t.Errorf("Evaluate error = %v, want errNoSuchUser", err)
		}
		var ce *conditions.Error
		if !errors.As(err, &ce) {
			t.Errorf("Evaluate error %T is not a *conditions.Error", err)
		}
	})
	t.Run("host panic is an error", func(t *testing.T) {
		cond := conditions.MustCompile(`isMember(Actor.ID, "staff")`, Env{}, isMember)
		_, err := cond.Evaluate(context.Background(), Env{Actor: Actor{ID: "boom"}})
		var ce *conditions.Error
		if !errors.As(err, &ce) {
			t.Errorf("Evaluate error = %v, want a *conditions.Error", err)
		}
	})
}

func TestOptionErrors(t *testing.T) {
	fn := func(...any) (any, error) { return true, nil }
	tests := []struct {
		name string
		opt  conditions.Option
	}{
		{name: "MaxNodes zero", opt: conditions.MaxNodes(0)},
		{name: "MemoryBudget zero", opt: conditions.MemoryBudget(0)},
		{name: "WithClock nil", opt: conditions.WithClock(nil)},
		{name: "Function without name", opt: conditions.Function("", fn, new(func() bool))},
		{name: "Function without body", opt: conditions.Function("f", nil, new(func() bool))},
		{name: "Function signature not a pointer", opt: conditions.Function("f", fn, func() bool { return true })},
		{name: "Function signature pointer to non-func", opt: conditions.Function("f", fn, new(int))},
		{name: "Function signature nil", opt: conditions.Function("f", fn, nil)},
		{name: "Function signature func type value", opt: conditions.Function("f", fn, reflect.TypeFor[func() bool]())},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if cond, err := conditions.Compile(`true`, Env{}, tt.opt); err == nil {
				t.Errorf("Compile = %v, want an option error", cond)
			}
			if expr, err := conditions.CompileExpression(`1`, Env{}, tt.opt); err == nil {
				t.Errorf("CompileExpression = %v, want an option error", expr)
			}
		})
	}
}

func TestNilOptionIsIgnored(t *testing.T) {
	cond, err := conditions.Compile(`Priority > 1`, Env{}, nil, conditions.MaxNodes(10), nil)
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	if got, err := cond.Evaluate(context.Background(), Env{Priority: 2}); err != nil || !got {
		t.Errorf("Evaluate = %v, %v, want true, nil", got, err)
	}
}

func TestExplain(t *testing.T) {
	manager := Actor{ID: "u1", Roles: []string{"developer", "manager"}}
	tests := []struct {
		name string
		src  string
		env  Env
		want conditions.Explanation
	}{
		{
			name: "single clause false",
			src:  `Status in ["new", "open"]`,
			env:  Env{Status: "closed"},
			want: conditions.Explanation{Result: false, Clauses: []conditions.Clause{
				{Source: `Status in ["new", "open"]`, Result: false, Values: []conditions.Value{{Name: "Status", Value: "closed"}}},
			}},
		},
		{
			name: "and true lists every clause",
			src:  `Status == "new" && Priority >= 2`,
			env:  Env{Status: "new", Priority: 3},
			want: conditions.Explanation{Result: true, Clauses: []conditions.Clause{
				{Source: `Status == "new"`, Result: true, Values: []conditions.Value{{Name: "Status", Value: "new"}}},
				{Source: `Priority >= 2`, Result: true, Values: []conditions.Value{{Name: "Priority", Value: 3}}},
			}},
		},
		{
			name: "and false lists only the false clauses",
			src:  fourClauses,
			env:  Env{Status: "new", Type: "Feature", Priority: 1, Actor: manager},
			want: conditions.Explanation{Result: false, Clauses: []conditions.Clause{
				{Source: `Type in ["Bug", "Task"]`, Result: false, Values: []conditions.Value{{Name: "Type", Value: "Feature"}}},
				{Source: `Priority >= 2`, Result: false, Values: []conditions.Value{{Name: "Priority", Value: 1}}},
			}},
		},
		{
			name: "clause whose value is a list",
			src:  fourClauses,
			env:  Env{Status: "new", Type: "Bug", Priority: 2, Actor: Actor{ID: "u2", Roles: []string{"developer"}}},
			want: conditions.Explanation{Result: false, Clauses: []conditions.Clause{
				{Source: `"manager" in Actor.Roles`, Result: false, Values: []conditions.Value{{Name: "Actor.Roles", Value: []string{"developer"}}}},
			}},
		},
		{
			name: "or true lists only the true clauses",
			src:  `Status == "new" || Priority > 5 || Type == "Bug"`,
			env:  Env{Status: "closed", Priority: 9, Type: "Bug"},
			want: conditions.Explanation{Result: true, Clauses: []conditions.Clause{
				{Source: `Priority > 5`, Result: true, Values: []conditions.Value{{Name: "Priority", Value: 9}}},
				{Source: `Type == "Bug"`, Result: true, Values: []conditions.Value{{Name: "Type", Value: "Bug"}}},
			}},
		},
		{
			name: "or false lists every clause",
			src:  `Status == "new" || Priority > 5`,
			env:  Env{Status: "closed", Priority: 1},
			want: conditions.Explanation{Result: false, Clauses: []conditions.Clause{
				{Source: `Status == "new"`, Result: false, Values: []conditions.Value{{Name: "Status", Value: "closed"}}},
				{Source: `Priority > 5`, Result: false, Values: []conditions.Value{{Name: "Priority", Value: 1}}},
			}},
		},
		{
			name: "nested and inside or, true through the and",
			src:  `Status == "new" && Priority > 2 || "admin" in Actor.Roles`,
			env:  Env{Status: "new", Priority: 3, Actor: manager},
			want: conditions.Explanation{Result: true, Clauses: []conditions.Clause{
				{Source: `Status == "new"`, Result: true, Values: []conditions.Value{{Name: "Status", Value: "new"}}},
				{Source: `Priority > 2`, Result: true, Values: []conditions.Value{{Name: "Priority", Value: 3}}},
			}},
		},
		{
			name: "nested and inside or, true through the other side",
			src:  `Status == "new" && Priority > 2 || "manager" in Actor.Roles`,
			env:  Env{Status: "new", Priority: 1, Actor: manager},
			want: conditions.Explanation{Result: true, Clauses: []conditions.Clause{
				{Source: `"manager" in Actor.Roles`, Result: true, Values: []conditions.Value{{Name: "Actor.Roles", Value: []string{"developer", "manager"}}}},
			}},
		},
		{
			name: "nested and inside or, false",
			src:  `Status == "new" && Priority > 2 || "admin" in Actor.Roles`,
			env:  Env{Status: "new", Priority: 1, Actor: manager},
			want: conditions.Explanation{Result: false, Clauses: []conditions.Clause{
				{Source: `Priority > 2`, Result: false, Values: []conditions.Value{{Name: "Priority", Value: 1}}},
				{Source: `"admin" in Actor.Roles`, Result: false, Values: []conditions.Value{{Name: "Actor.Roles", Value: []string{"developer", "manager"}}}},
			}},
		},
		{
			name: "parenthesised or inside and",
			src:  `(Status == "new" || Status == "open") && Priority > 2`,
			env:  Env{Status: "closed", Priority: 3},
			want: conditions.Explanation{Result: false, Clauses: []conditions.Clause{
				{Source: `Status == "new"`, Result: false, Values: []conditions.Value{{Name: "Status", Value: "closed"}}},
				{Source: `Status == "open"`, Result: false, Values: []conditions.Value{{Name: "Status", Value: "closed"}}},
			}},
		},
		{
			name: "and and or keywords",
			src:  `Status == "new" and Priority > 2 or Type == "Bug"`,
			env:  Env{Status: "open", Priority: 3, Type: "Task"},
			want: conditions.Explanation{Result: false, Clauses: []conditions.Clause{
				{Source: `Status == "new"`, Result: false, Values: []conditions.Value{{Name: "Status", Value: "open"}}},
				{Source: `Type == "Bug"`, Result: false, Values: []conditions.Value{{Name: "Type", Value: "Task"}}},
			}},
		},
		{
			name: "not keyword stays one clause",
			src:  `not (Status == "new") or Priority > 1`,
			env:  Env{Status: "new", Priority: 0},
			want: conditions.Explanation{Result: false, Clauses: []conditions.Clause{
				{Source: `not (Status == "new")`, Result: false, Values: []conditions.Value{{Name: "Status", Value: "new"}}},
				{Source: `Priority > 1`, Result: false, Values: []conditions.Value{{Name: "Priority", Value: 0}}},
			}},
		},
		{
			name: "field read twice is listed once",
			src:  `Priority * Priority > 10 && Priority < 100`,
			env:  Env{Priority: 3},
			want: conditions.Explanation{Result: false, Clauses: []conditions.Clause{
				{Source: `Priority * Priority > 10`, Result: false, Values: []conditions.Value{{Name: "Priority", Value: 3}}},
			}},
		},
		{
			name: "several fields in order of appearance",
			src:  `Priority > len(Tags) && Type != Status`,
			env:  Env{Priority: 1, Tags: []string{"a", "b"}, Type: "x", Status: "y"},
			want: conditions.Explanation{Result: false, Clauses: []conditions.Clause{
				{Source: `Priority > len(Tags)`, Result: false, Values: []conditions.Value{{Name: "Priority", Value: 1}, {Name: "Tags", Value: []string{"a", "b"}}}},
			}},
		},
		{
			name: "receiver of a method call is a value",
			src:  `Due.After(Created) && Status == "new"`,
			env:  Env{Status: "new", Created: pinned, Due: pinned.Add(-time.Hour)},
			want: conditions.Explanation{Result: false, Clauses: []conditions.Clause{
				{Source: `Due.After(Created)`, Result: false, Values: []conditions.Value{{Name: "Due", Value: pinned.Add(-time.Hour)}, {Name: "Created", Value: pinned}}},
			}},
		},
		{
			name: "map indexed by a field",
			src:  `Data[Type] == 1 || Priority > 5`,
			env:  Env{Type: "Bug", Data: map[string]any{"Bug": 2}},
			want: conditions.Explanation{Result: false, Clauses: []conditions.Clause{
				{Source: `Data[Type] == 1`, Result: false, Values: []conditions.Value{{Name: "Data", Value: map[string]any{"Bug": 2}}, {Name: "Type", Value: "Bug"}}},
				{Source: `Priority > 5`, Result: false, Values: []conditions.Value{{Name: "Priority", Value: 0}}},
			}},
		},
		{
			name: "map member is a path",
			src:  `Data.team == "core"`,
			env:  Env{Data: map[string]any{"team": "ops"}},
			want: conditions.Explanation{Result: false, Clauses: []conditions.Clause{
				{Source: `Data.team == "core"`, Result: false, Values: []conditions.Value{{Name: "Data.team", Value: "ops"}}},
			}},
		},
		{
			name: "clause without fields",
			src:  `Status == "x" || 1 > 2`,
			env:  Env{},
			want: conditions.Explanation{Result: false, Clauses: []conditions.Clause{
				{Source: `Status == "x"`, Result: false, Values: []conditions.Value{{Name: "Status", Value: ""}}},
				{Source: `1 > 2`, Result: false},
			}},
		},
		{
			name: "function names are not values",
			src:  `hasAny(Actor.Roles, "admin") && daysSince(Created) > 3`,
			env:  Env{Created: pinned},
			want: conditions.Explanation{Result: false, Clauses: []conditions.Clause{
				{Source: `hasAny(Actor.Roles, "admin")`, Result: false, Values: []conditions.Value{{Name: "Actor.Roles", Value: []string(nil)}}},
				{Source: `daysSince(Created) > 3`, Result: false, Values: []conditions.Value{{Name: "Created", Value: pinned}}},
			}},
		},
		{
			name: "failing clause after the decision is left out",
			src:  `Status == "new" && Owner.Name == "ann"`,
			env:  Env{Status: "closed"},
			want: conditions.Explanation{Result: false, Clauses: []conditions.Clause{
				{Source: `Status == "new"`, Result: false, Values: []conditions.Value{{Name: "Status", Value: "closed"}}},
			}},
		},
		{
			name: "nil pointer path has no value",
			src:  `Owner == nil || Owner.Name == "ann"`,
			env:  Env{},
			want: conditions.Explanation{Result: true, Clauses: []conditions.Clause{
				{Source: `Owner == nil`, Result: true, Values: []conditions.Value{{Name: "Owner", Value: (*Owner)(nil)}}},
			}},
		},
		{
			name: "variable declaration is one clause",
			src:  `let p = Priority; p > 1 && Status == "x"`,
			env:  Env{Priority: 2, Status: "y"},
			want: conditions.Explanation{Result: false, Clauses: []conditions.Clause{
				{Source: `let p = Priority; p > 1 && Status == "x"`, Result: false, Values: []conditions.Value{{Name: "Priority", Value: 2}, {Name: "Status", Value: "y"}}},
			}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cond, err := conditions.Compile(tt.src, Env{}, conditions.WithClock(pinnedClock))
			if err != nil {
				t.Fatalf("Compile: %v", err)
			}
			got, err := cond.Explain(context.Background(), tt.env)
			if err != nil {
				t.Fatalf("Explain: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Explain(%s) mismatch (-want +got):\n%s", tt.src, diff)
			}
			res, err := cond.Evaluate(context.Background(), tt.env)
			if err != nil || res != got.Result {
				t.Errorf("Evaluate = %v, %v; Explain.Result = %v", res, err, got.Result)
			}
		})
	}
}

func TestExplainError(t *testing.T) {
	cond := conditions.MustCompile(`Owner.Name == "ann" || Status == "new"`, Env{})
	_, err := cond.Explain(context.Background(), Env{Status: "new"})
	var ce *conditions.Error
	if !errors.As(err, &ce) {
		t.Fatalf("Explain error = %v, want a *conditions.Error", err)
	}
	if got, want := (position{ce.Line, ce.Column, ce.Snippet}), (position{1, 1, " | Owner.Name == \"ann\" || Status == \"new\"\n | ^"}); got != want {
		t.Errorf("position = %+v, want %+v", got, want)
	}
}

func TestExplanationString(t *testing.T) {
	tests := []struct {
		name string
		give fmt.Stringer
		want string
	}{
		{
			name: "clause with a string",
			give: conditions.Clause{Source: `Status in ["new", "open"]`, Result: false, Values: []conditions.Value{{Name: "Status", Value: "closed"}}},
			want: `Status in ["new", "open"] is false: Status = "closed"`,
		},
		{
			name: "clause with several values",
			give: conditions.Clause{Source: `Priority > len(Tags)`, Result: true, Values: []conditions.Value{{Name: "Priority", Value: 3}, {Name: "Tags", Value: []string{"a", "b"}}}},
			want: `Priority > len(Tags) is true: Priority = 3, Tags = ["a","b"]`,
		},
		{
			name: "clause without values",
			give: conditions.Clause{Source: `1 > 2`},
			want: `1 > 2 is false`,
		},
		{
			name: "value types",
			give: conditions.Clause{Source: `x`, Values: []conditions.Value{
				{Name: "Nil", Value: nil},
				{Name: "Bool", Value: true},
				{Name: "Float", Value: 2.5},
				{Name: "Time", Value: pinned},
				{Name: "Duration", Value: 36 * time.Hour},
				{Name: "Map", Value: map[string]any{"b": 1, "a": "x"}},
				{Name: "Struct", Value: Owner{Name: "ann"}},
				{Name: "Complex", Value: complex(1, 2)},
			}},
			want: `x is false: Nil = nil, Bool = true, Float = 2.5, Time = "2025-03-10T12:00:00Z", Duration = "36h0m0s", Map = {"a":"x","b":1}, Struct = {"Name":"ann"}, Complex = (1+2i)`,
		},
		{
			name: "explanation joins clauses",
			give: conditions.Explanation{Result: false, Clauses: []conditions.Clause{
				{Source: `Status == "new"`, Values: []conditions.Value{{Name: "Status", Value: "closed"}}},
				{Source: `"manager" in Actor.Roles`, Values: []conditions.Value{{Name: "Actor.Roles", Value: []string{"developer"}}}},
			}},
			want: `Status == "new" is false: Status = "closed"; "manager" in Actor.Roles is false: Actor.Roles = ["developer"]`,
		},
		{
			name: "empty explanation",
			give: conditions.Explanation{},
			want: ``,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tt.give.String()); diff != "" {
				t.Errorf("String() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMaxNodes(t *testing.T) {
	tests := []struct {
		name    string
		src     string
		opts    []conditions.Option
		tooMany bool
	}{
		{name: "small expression under a small limit", src: `Priority > 1`, opts: []conditions.Option{conditions.MaxNodes(5)}},
		{name: "bigger expression over a small limit", src: `Status == "a" && Priority > 1 && Type == "x"`, opts: []conditions.Option{conditions.MaxNodes(5)}, tooMany: true},
		{name: "four clauses under the default", src: fourClauses},
		{name: "5000 terms over the default", src: strings.Repeat("1 + ", 5000) + "1 > 0", tooMany: true},
		{name: "5000 negations over the default", src: strings.Repeat("!", 5000) + "true", tooMany: true},
		{name: "5000 ands over the default", src: strings.Repeat("Priority > 1 && ", 5000) + "true", tooMany: true},
		{name: "5000 terms under a raised limit", src: strings.Repeat("1 + ", 5000) + "1 > 0", opts: []conditions.Option{conditions.MaxNodes(20000)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			done := make(chan error, 1)
			go func() {
				_, err := conditions.Compile(tt.src, Env{}, tt.opts...)
				done <- err
			}()
			var err error
			select {
			case err = <-done:
			case <-time.After(30 * time.Second):
				t.Fatal("Compile did not return within 30s")
			}
			if !tt.tooMany {
				if err != nil {
					t.Fatalf("Compile: %.200v", err)
				}
				return
			}
			if !errors.Is(err, conditions.ErrTooManyNodes) {
				t.Fatalf("Compile error = %.200v, want ErrTooManyNodes", err)
			}
			var ce *conditions.Error
			if !errors.As(err, &ce) {
				t.Errorf("Compile error %T is not a *conditions.Error", err)
			}
		})
	}
}

func TestDeepNestingDoesNotHang(t *testing.T) {
	srcs := map[string]string{
		"parentheses": strings.Repeat("(", 5000) + "true" + strings.Repeat(")", 5000),
		"arrays":      strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + " != nil",
		"unbalanced":  strings.Repeat("(", 100000),
	}
	for name, src := range srcs {
		t.Run(name, func(t *testing.T) {
			done := make(chan struct{})
			go func() {
				defer close(done)
				if cond, err := conditions.Compile(src, Env{}); err == nil {
					_, _ = cond.Explain(context.Background(), Env{})
				}
			}()
			select {
			case <-done:
			case <-time.After(30 * time.Second):
				t.Fatal("Compile did not return within 30s")
			}
		})
	}
}

func TestMemoryBudget(t *testing.T) {
	tests := []struct {
		name string
		src  string
		opts []conditions.Option
		over bool
	}{
		{name: "range over a small budget", src: `len(1..1000) > 0`, opts: []conditions.Option{conditions.MemoryBudget(10)}, over: true},
		{name: "map over a small budget", src: `len(map(Tags, # + "!")) >= 0 && len(1..Priority) > 0`, opts: []conditions.Option{conditions.MemoryBudget(10)}, over: true},
		{name: "array literal over a tiny budget", src: `len([Status, Type, Status, Type]) == 4`, opts: []conditions.Option{conditions.MemoryBudget(3)}, over: true},
		{name: "range under the default", src: `len(1..1000) > 0`},
		{name: "range over the default", src: `len(1..2000000) > 0`, over: true},
		{name: "nested ranges over the default", src: `all(1..2000, all(1..2000, # > 0))`, over: true},
		{name: "no allocation under a tiny budget", src: `Priority > 1 && Status == "new"`, opts: []conditions.Option{conditions.MemoryBudget(1)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cond, err := conditions.Compile(tt.src, Env{}, tt.opts...)
			if err != nil {
				t.Fatalf("Compile: %v (the budget must apply at evaluation)", err)
			}
			env := Env{Priority: 50, Status: "new"}
			_, err = cond.Evaluate(context.Background(), env)
			if !tt.over {
				if err != nil {
					t.Fatalf("Evaluate: %v", err)
				}
				return
			}
			if !errors.Is(err, conditions.ErrMemoryBudget) {
				t.Fatalf("Evaluate error = %v, want ErrMemoryBudget", err)
			}
			var ce *conditions.Error
			if !errors.As(err, &ce) || ce.Line != 1 {
				t.Errorf("Evaluate error = %#v, want a *conditions.Error on line 1", err)
			}
			if _, err := cond.Explain(context.Background(), env); !errors.Is(err, conditions.ErrMemoryBudget) {
				t.Errorf("Explain error = %v, want ErrMemoryBudget", err)
			}
		})
	}
}

func TestMemoryBudgetIsPerEvaluation(t *testing.T) {
	// VMs are pooled: a second evaluation must start from zero.
	cond := conditions.MustCompile(`len(1..Priority) > 0`, Env{}, conditions.MemoryBudget(100))
	for i := range 50 {
		if _, err := cond.Evaluate(context.Background(), Env{Priority: 60}); err != nil {
			t.Fatalf("evaluation %d: %v", i, err)
		}
	}
	// A tight budget on one condition does not leak into another one run on
	// the same pooled VM.
	tight := conditions.MustCompile(`len(1..Priority) > 0`, Env{}, conditions.MemoryBudget(10))
	if _, err := tight.Evaluate(context.Background(), Env{Priority: 60}); !errors.Is(err, conditions.ErrMemoryBudget) {
		t.Fatalf("tight Evaluate error = %v, want ErrMemoryBudget", err)
	}
	if _, err := cond.Evaluate(context.Background(), Env{Priority: 60}); err != nil {
		t.Fatalf("Evaluate after tight: %v", err)
	}
}

func TestCancelledContext(t *testing.T) {
	cond := conditions.MustCompile(fourClauses, Env{})
	expr, err := conditions.CompileExpression(`Priority + 1`, Env{})
	if err != nil {
		t.Fatal(err)
	}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	expired, cancel2 := context.WithDeadline(context.Background(), time.Unix(0, 0))
	defer cancel2()

	tests := []struct {
		name string
		ctx  context.Context
		want error
	}{
		{name: "cancelled", ctx: cancelled, want: context.Canceled},
		{name: "deadline exceeded", ctx: expired, want: context.DeadlineExceeded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := Env{Status: "new"}
			checks := map[string]error{}
			_, checks["Evaluate"] = cond.Evaluate(tt.ctx, env)
			_, checks["Explain"] = cond.Explain(tt.ctx, env)
			_, checks["Run"] = expr.Run(tt.ctx, env)
			for method, err := range checks {
				if !errors.Is(err, tt.want) {
					t.Errorf("%s error = %v, want %v", method, err, tt.want)
				}
				var ce *conditions.Error
				if !errors.As(err, &ce) {
					t.Errorf("%s error %T is not a *conditions.Error", method, err)
				}
			}
		})
	}
}

func TestRuntimeErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		env  Env
		want position
	}{
		{
			name: "nil pointer dereference",
			src:  `Owner.Name == "x"`,
			env:  Env{},
			want: position{Line: 1, Column: 1, Snippet: " | Owner.Name == \"x\"\n | ^"},
		},
		{
			name: "map value of the wrong dynamic type",
			src:  `Data.count + 1 > 0`,
			env:  Env{Data: map[string]any{"count": "three"}},
			want: position{Line: 1, Column: 12, Snippet: " | Data.count + 1 > 0\n | ...........^"},
		},
		{
			name: "map value compared with the wrong type",
			src:  `Status == "new" &&` + "\n" + `Data["count"] > 1`,
			env:  Env{Status: "new", Data: map[string]any{"count": "three"}},
			want: position{Line: 2, Column: 15, Snippet: " | Data[\"count\"] > 1\n | ..............^"},
		},
		{
			name: "map value that is not bool",
			src:  `Data.flag`,
			env:  Env{Data: map[string]any{"flag": "yes"}},
			want: position{Line: 1, Column: 1, Snippet: " | Data.flag\n | ^"},
		},
		{
			name: "int of a non-numeric string",
			src:  `int(Status) > 0`,
			env:  Env{Status: "abc"},
			want: position{Line: 1, Column: 1, Snippet: " | int(Status) > 0\n | ^"},
		},
		{
			name: "index out of range",
			src:  `Tags[3] == "x"`,
			env:  Env{Tags: []string{"a"}},
			want: position{Line: 1, Column: 5, Snippet: " | Tags[3] == \"x\"\n | ....^"},
		},
		{
			name: "integer division by zero",
			src:  `10 % Priority > 1`,
			env:  Env{},
			want: position{Line: 1, Column: 4, Snippet: " | 10 % Priority > 1\n | ...^"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cond, err := conditions.Compile(tt.src, Env{})
			if err != nil {
				t.Fatalf("Compile: %v", err)
			}
			for method, run := range map[string]func() error{
				"Evaluate": func() error { _, err := cond.Evaluate(context.Background(), tt.env); return err },
				"Explain":  func() error { _, err := cond.Explain(context.Background(), tt.env); return err },
			} {
				err := run()
				var ce *conditions.Error
				if !errors.As(err, &ce) {
					t.Fatalf("%s error = %v, want a *conditions.Error", method, err)
				}
				got := position{Line: ce.Line, Column: ce.Column, Snippet: ce.Snippet}
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("%s position mismatch (-want +got):\n%s", method, diff)
				}
			}
		})
	}
}

func TestConcurrentEvaluate(t *testing.T) {
	cond := conditions.MustCompile(fourClauses, Env{})
	envs := []struct {
		env  Env
		want bool
	}{
		{Env{Status: "new", Type: "Bug", Priority: 2, Actor: Actor{Roles: []string{"manager"}}}, true},
		{Env{Status: "new", Type: "Bug", Priority: 1, Actor: Actor{Roles: []string{"manager"}}}, false},
		{Env{Status: "closed", Type: "Task", Priority: 5, Actor: Actor{Roles: []string{"manager"}}}, false},
		{Env{Status: "new", Type: "Task", Priority: 5, Actor: Actor{Roles: []string{"dev", "manager"}}}, true},
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			ctx := context.Background()
			for i := range 500 {
				tc := envs[(g+i)%len(envs)]
				got, err := cond.Evaluate(ctx, tc.env)
				if err != nil || got != tc.want {
					t.Errorf("goroutine %d: Evaluate(%+v) = %v, %v, want %v", g, tc.env, got, err, tc.want)
					return
				}
				if i%50 == 0 {
					why, err := cond.Explain(ctx, tc.env)
					if err != nil || why.Result != tc.want || len(why.Clauses) == 0 {
						t.Errorf("goroutine %d: Explain = %v, %v, want result %v", g, why, err, tc.want)
						return
					}
				}
			}
		})
	}
	wg.Wait()
}

func TestCompileExpression(t *testing.T) {
	env := Env{
		Status:   "new",
		Priority: 3,
		Score:    1.5,
		Created:  pinned.Add(-48 * time.Hour),
		Actor:    Actor{Roles: []string{"manager"}},
		Data:     map[string]any{"n": 7, "team": "core"},
	}
	tests := []struct {
		name     string
		src      string
		wantType reflect.Type
		want     any
	}{
		{name: "string field", src: `Status`, wantType: reflect.TypeFor[string](), want: "new"},
		{name: "string concatenation", src: `Status + "!"`, wantType: reflect.TypeFor[string](), want: "new!"},
		{name: "int arithmetic", src: `Priority * 2`, wantType: reflect.TypeFor[int](), want: 6},
		{name: "int function", src: `daysSince(Created)`, wantType: reflect.TypeFor[int](), want: 2},
		{name: "float field", src: `Score`, wantType: reflect.TypeFor[float64](), want: 1.5},
		{name: "float division", src: `Priority / 2`, wantType: reflect.TypeFor[float64](), want: 1.5},
		{name: "bool", src: `Priority > 1`, wantType: reflect.TypeFor[bool](), want: true},
		{name: "time now", src: `now()`, wantType: reflect.TypeFor[time.Time](), want: pinned},
		{name: "time arithmetic", src: `Created + days(1)`, wantType: reflect.TypeFor[time.Time](), want: pinned.Add(-24 * time.Hour)},
		{name: "duration", src: `days(2)`, wantType: reflect.TypeFor[time.Duration](), want: 48 * time.Hour},
		{name: "list field", src: `Actor.Roles`, wantType: reflect.TypeFor[[]string](), want: []string{"manager"}},
		{name: "map[string]any member", src: `Data.n`, wantType: nil, want: 7},
		{name: "map[string]any index", src: `Data["team"]`, wantType: nil, want: "core"},
		{name: "map[string]any missing key", src: `Data.missing`, wantType: nil, want: nil},
		{name: "mixed ternary", src: `Priority > 1 ? "high" : 0`, wantType: nil, want: "high"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := conditions.CompileExpression(tt.src, Env{}, conditions.WithClock(pinnedClock))
			if err != nil {
				t.Fatalf("CompileExpression: %v", err)
			}
			if got := e.Type(); got != tt.wantType {
				t.Errorf("Type() = %v, want %v", got, tt.wantType)
			}
			if got := e.Source(); got != tt.src {
				t.Errorf("Source() = %q, want %q", got, tt.src)
			}
			got, err := e.Run(context.Background(), env)
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Run mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCompileExpressionError(t *testing.T) {
	_, err := conditions.CompileExpression("Priority +\n  Statu", Env{})
	var ce *conditions.Error
	if !errors.As(err, &ce) {
		t.Fatalf("CompileExpression error = %v, want a *conditions.Error", err)
	}
	if got, want := (position{ce.Line, ce.Column, ce.Snippet}), (position{2, 3, " |   Statu\n | ..^"}); got != want {
		t.Errorf("position = %+v, want %+v", got, want)
	}
}
