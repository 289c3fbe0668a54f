package compare

import (
	"context"
	"errors"
	"fmt"

	"cel.dev/cel-go/cel"
	"github.com/Knetic/govaluate"
	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/vm"

	"github.com/actionable-go/actionable/actions"
)

// resultCap is the capacity every engine's result starts with, as in
// actions.Engine.Resolve: min(candidates, 8), grown by append.
func resultCap(n int) int { return min(n, 8) }

// actionableEngine resolves through the SDK's public API: a compiled
// catalog and an Engine over a MemoryStore. Every action carries the
// permission edit, as in actions/bench_test.go, so Resolve also checks the
// actor's permissions; the other engines do not.
type actionableEngine struct {
	engine *actions.Engine[Ticket]
}

func newActionable(rules []rule) (*actionableEngine, error) {
	defs := make([]actions.Definition, len(rules))
	for i, r := range rules {
		defs[i] = actions.Definition{
			ID: actionID(i), Name: fmt.Sprintf("Action %d", i), Position: i,
			Permission: "edit", Condition: r.exprSource(),
		}
	}
	cat, err := actions.Compile[Ticket](defs)
	if err != nil {
		return nil, err
	}
	engine, err := actions.New(cat, actions.NewMemoryStore[Ticket]())
	if err != nil {
		return nil, err
	}
	return &actionableEngine{engine: engine}, nil
}

func (e *actionableEngine) resolve(ctx context.Context, t Ticket, actor actions.Actor) ([]*actions.Action, error) {
	return e.engine.Resolve(ctx, "B-1", t, actor)
}

// ids is resolve with the actions' ids, for the agreement test.
func (e *actionableEngine) ids(ctx context.Context, t Ticket, actor actions.Actor) ([]string, error) {
	list, err := e.resolve(ctx, t, actor)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(list))
	for i, a := range list {
		ids[i] = a.ID()
	}
	return ids, nil
}

// exprEnv is the environment of the expr floor: the ticket's fields at the
// top level, plus Actor, the shape actions.Compile gives conditions.
type exprEnv struct {
	Title    string
	Status   string
	Type     string
	Priority int
	Progress int
	Estimate float64
	Assignee string
	Email    string
	Count    int
	Tags     []string
	Actor    actions.Actor
}

// exprEngine is the floor: the same conditions compiled with expr, run in a
// loop on one reused vm.VM, with the environment boxed once per call. It is
// not safe for concurrent use (the VM is shared).
type exprEngine struct {
	ids      []string
	programs []*vm.Program
	vm       vm.VM
}

func newExpr(rules []rule) (*exprEngine, error) {
	e := &exprEngine{ids: make([]string, len(rules)), programs: make([]*vm.Program, len(rules))}
	for i, r := range rules {
		p, err := expr.Compile(r.exprSource(), expr.Env(exprEnv{}), expr.AsBool())
		if err != nil {
			return nil, fmt.Errorf("expr: action %d: %w", i, err)
		}
		e.ids[i], e.programs[i] = actionID(i), p
	}
	return e, nil
}

func (e *exprEngine) resolve(t Ticket, actor actions.Actor) ([]string, error) {
	var env any = exprEnv{
		Title: t.Title, Status: t.Status, Type: t.Type, Priority: t.Priority, Progress: t.Progress, Estimate: t.Estimate,
		Assignee: t.Assignee, Email: t.Email, Count: t.Count, Tags: t.Tags, Actor: actor,
	}
	out := make([]string, 0, resultCap(len(e.programs)))
	for i, p := range e.programs {
		v, err := e.vm.Run(p, env)
		if err != nil {
			return nil, fmt.Errorf("expr: action %s: %w", e.ids[i], err)
		}
		if v.(bool) {
			out = append(out, e.ids[i])
		}
	}
	return out, nil
}

// celEngine runs the same conditions, in CEL, as cel-go programs
// type-checked against declared variables (Actor as a map from string to
// dyn) and built with cel.OptOptimize, which folds constants and turns in
// over a literal list into a set lookup, as expr's optimizer does. Each call
// builds one activation from a map of the object's fields and the actor; it
// is safe for concurrent use.
type celEngine struct {
	ids      []string
	programs []cel.Program
}

func newCEL(rules []rule) (*celEngine, error) {
	env, err := cel.NewEnv(
		cel.Variable("Title", cel.StringType),
		cel.Variable("Status", cel.StringType),
		cel.Variable("Type", cel.StringType),
		cel.Variable("Priority", cel.IntType),
		cel.Variable("Progress", cel.IntType),
		cel.Variable("Estimate", cel.DoubleType),
		cel.Variable("Assignee", cel.StringType),
		cel.Variable("Email", cel.StringType),
		cel.Variable("Count", cel.IntType),
		cel.Variable("Tags", cel.ListType(cel.StringType)),
		cel.Variable("Actor", cel.MapType(cel.StringType, cel.DynType)),
	)
	if err != nil {
		return nil, err
	}
	e := &celEngine{ids: make([]string, len(rules)), programs: make([]cel.Program, len(rules))}
	for i, r := range rules {
		ast, iss := env.Compile(r.celSource())
		if err := iss.Err(); err != nil {
			return nil, fmt.Errorf("cel: action %d: %w", i, err)
		}
		if !ast.OutputType().IsExactType(cel.BoolType) {
			return nil, fmt.Errorf("cel: action %d: condition is %s, not bool", i, ast.OutputType())
		}
		p, err := env.Program(ast, cel.EvalOptions(cel.OptOptimize))
		if err != nil {
			return nil, fmt.Errorf("cel: action %d: %w", i, err)
		}
		e.ids[i], e.programs[i] = actionID(i), p
	}
	return e, nil
}

func (e *celEngine) resolve(t Ticket, actor actions.Actor) ([]string, error) {
	act, err := cel.NewActivation(map[string]any{
		"Title": t.Title, "Status": t.Status, "Type": t.Type, "Priority": t.Priority, "Progress": t.Progress,
		"Estimate": t.Estimate, "Assignee": t.Assignee, "Email": t.Email, "Count": t.Count, "Tags": t.Tags,
		"Actor": map[string]any{"ID": actor.ID, "Roles": actor.Roles, "Permissions": actor.Permissions},
	})
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, resultCap(len(e.programs)))
	for i, p := range e.programs {
		v, _, err := p.Eval(act)
		if err != nil {
			return nil, fmt.Errorf("cel: action %s: %w", e.ids[i], err)
		}
		ok, isBool := v.Value().(bool)
		if !isBool {
			return nil, fmt.Errorf("cel: action %s: result is %T, not bool", e.ids[i], v.Value())
		}
		if ok {
			out = append(out, e.ids[i])
		}
	}
	return out, nil
}

// govaluateEngine runs the same conditions, in govaluate's syntax, as
// parsed EvaluableExpressions. govaluate has no field access on structs (its
// v3.0.0 release) and its IN wants a []interface{}: each call builds one
// MapParameters with the object's fields and the actor's as
// "Actor.ID", "Actor.Roles" and "Actor.Permissions", the string slices
// copied into []interface{}. It is safe for concurrent use.
type govaluateEngine struct {
	ids   []string
	exprs []*govaluate.EvaluableExpression
}

func newGovaluate(rules []rule) (*govaluateEngine, error) {
	e := &govaluateEngine{ids: make([]string, len(rules)), exprs: make([]*govaluate.EvaluableExpression, len(rules))}
	for i, r := range rules {
		x, err := govaluate.NewEvaluableExpression(r.govaluateSource())
		if err != nil {
			return nil, fmt.Errorf("govaluate: action %d: %w", i, err)
		}
		e.ids[i], e.exprs[i] = actionID(i), x
	}
	return e, nil
}

func anySlice(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

var errNotBool = errors.New("result is not a bool")

func (e *govaluateEngine) resolve(t Ticket, actor actions.Actor) ([]string, error) {
	params := govaluate.MapParameters{
		"Title": t.Title, "Status": t.Status, "Type": t.Type, "Priority": t.Priority, "Progress": t.Progress,
		"Estimate": t.Estimate, "Assignee": t.Assignee, "Email": t.Email, "Count": t.Count, "Tags": anySlice(t.Tags),
		"Actor.ID": actor.ID, "Actor.Roles": anySlice(actor.Roles), "Actor.Permissions": anySlice(actor.Permissions),
	}
	out := make([]string, 0, resultCap(len(e.exprs)))
	for i, x := range e.exprs {
		v, err := x.Eval(params)
		if err != nil {
			return nil, fmt.Errorf("govaluate: action %s: %w", e.ids[i], err)
		}
		ok, isBool := v.(bool)
		if !isBool {
			return nil, fmt.Errorf("govaluate: action %s: %w (%T)", e.ids[i], errNotBool, v)
		}
		if ok {
			out = append(out, e.ids[i])
		}
	}
	return out, nil
}
