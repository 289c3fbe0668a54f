package actions

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"time"

	"github.com/go-playground/validator/v10"

	"github.com/actionable-go/actionable/conditions"
	"github.com/actionable-go/actionable/internal/eval"
)

// Action is a compiled action of a Catalog: an immutable handle. Its
// accessors return copies, so that nothing a caller does with what it reads
// can change how the catalog resolves or executes.
type Action struct {
	def Definition // private deep copy: the engine reads nothing else a caller could reach

	cond    *eval.Condition
	guards  []compiledGuard
	inputs  *compiledInputs // nil without inputs
	changes []compiledChange
	state   *fieldInfo      // workflow state field, if any
	from    map[string]bool // accepted states; empty accepts any
	post    []compiledPost
}

type compiledGuard struct {
	name string
	cond *eval.Condition
	fast *fastCond // see fastCond; set by buildIndex on the probes' copies
}

// ID returns the action's id.
func (a *Action) ID() string { return a.def.ID }

// Name returns the name users see.
func (a *Action) Name() string { return a.def.Name }

// Description returns the action's description.
func (a *Action) Description() string { return a.def.Description }

// Position returns the action's position (see Definition.Position).
func (a *Action) Position() int { return a.def.Position }

// Permission returns the permission the actor must hold ("" for none).
func (a *Action) Permission() string { return a.def.Permission }

// Reserved reports whether the action is listed only when asked for.
func (a *Action) Reserved() bool { return a.def.Reserved }

// Policy returns the action's execution policy.
func (a *Action) Policy() Policy { return a.def.Policy }

// Definition returns a copy of the definition the action was compiled
// from, sharing no memory with the catalog.
func (a *Action) Definition() Definition { return a.def.clone() }

// String returns the action's id.
func (a *Action) String() string { return a.def.ID }

type compiledChange struct {
	field fieldInfo
	expr  *eval.Expression
}

type compiledPost struct {
	def  PostCondition
	cond *eval.Condition
}

// Catalog is an immutable set of actions compiled against the object type T.
// It is safe for concurrent use.
type Catalog[T any] struct {
	shape    *envShape
	objType  reflect.Type
	actions  []*Action // position order
	byID     map[string]*Action
	effects  map[string]Effect[T]
	validate *validator.Validate
	clock    func() time.Time // what rules read as now(), and what stamps executions
	states   *declaredStates

	all   []probe // position order
	index index   // see index.go

	// The actor-only conjuncts of the catalog's conditions, each compiled
	// once, and where each is by its source (see fastCond).
	memo         []*eval.Condition
	memoBySource map[string]int

	// What decides the actions of an object, for ResolveAll to decide once
	// per distinct value; nil when not only T's fields do (see batchkey.go).
	batchKey *batchKey

	defIndex []int // while compiling: the definition index of each action
}

// CompileOption configures Compile and LoadJSON.
type CompileOption func(*compileConfig) error

type compileConfig struct {
	states   []StateSet
	condOpts []conditions.Option
	effects  map[string]any // of Effect[T], checked against T by Compile
	validate *validator.Validate
}

// WithConditionOptions passes options (limits, host functions, a clock) to
// every expression the catalog compiles. A clock given here is the
// catalog's one clock, as with [WithClock].
func WithConditionOptions(opts ...conditions.Option) CompileOption {
	return func(c *compileConfig) error {
		c.condOpts = append(c.condOpts, opts...)
		return nil
	}
}

// WithClock sets the catalog's clock (default time.Now): what rules read as
// now() and through the date functions, and what stamps the executions of
// an engine running the catalog. Tests use it to pin time.
func WithClock(now func() time.Time) CompileOption {
	return func(c *compileConfig) error {
		if now == nil {
			return errors.New("actions: clock must not be nil")
		}
		c.condOpts = append(c.condOpts, conditions.WithClock(now))
		return nil
	}
}

// WithEffect registers an effect that definitions name in their Effects. T
// is the catalog's object type; an effect for another type is a compile
// error.
func WithEffect[T any](name string, e Effect[T]) CompileOption {
	return func(c *compileConfig) error {
		if name == "" || e == nil {
			return errors.New("actions: an effect needs a name and an implementation")
		}
		if _, dup := c.effects[name]; dup {
			return fmt.Errorf("actions: effect %q registered twice", name)
		}
		c.effects[name] = e
		return nil
	}
}

// WithValidator sets the validator used for the struct tags of T, for hosts
// that register their own rules. Its tag name function should return JSON
// names; by default the catalog uses a validator that does.
func WithValidator(v *validator.Validate) CompileOption {
	return func(c *compileConfig) error {
		if v == nil {
			return errors.New("actions: validator must not be nil")
		}
		c.validate = v
		return nil
	}
}

// Compile compiles definitions against the object type T. Every problem
// (a missing or duplicate id, an expression that does not compile, a change
// of an unknown field or of the wrong type, an unknown effect) is reported in
// one *LoadError, and no catalog is returned.
func Compile[T any](defs []Definition, opts ...CompileOption) (*Catalog[T], error) {
	cfg := &compileConfig{effects: map[string]any{}}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(cfg); err != nil {
			return nil, err
		}
	}
	ec := eval.NewConfig()
	for _, o := range cfg.condOpts {
		if o == nil {
			continue
		}
		if err := o(ec); err != nil {
			return nil, err
		}
	}
	effects := make(map[string]Effect[T], len(cfg.effects))
	for name, e := range cfg.effects {
		eff, ok := e.(Effect[T])
		if !ok {
			return nil, fmt.Errorf("actions: effect %q is a %T, not an Effect[%v]", name, e, reflect.TypeFor[T]())
		}
		effects[name] = eff
	}
	objType := reflect.TypeFor[T]()
	shape, err := newEnvShape(objType)
	if err != nil {
		return nil, err
	}
	if cfg.validate == nil {
		cfg.validate = defaultValidator()
	}
	c := &Catalog[T]{shape: shape, objType: objType, byID: map[string]*Action{}, effects: effects, validate: cfg.validate, clock: ec.Clock}
	states, problems := compileStates(shape, cfg.states)
	c.states = states
	// Conditions and guards first, all together, so that the programs the
	// resolver runs sit close in memory (see eval.Condition.PrepareExplain).
	conds := make([]*eval.Condition, len(defs))
	guards := make([][]compiledGuard, len(defs))
	for i, d := range defs {
		if d.Condition != "" {
			cond, err := compileCondition(d.Condition, c.shape.typ, ec)
			if err != nil {
				problems = append(problems, Problem{Index: i, ActionID: d.ID, Key: "condition", Err: err})
			}
			conds[i] = cond
		}
		names := map[string]bool{}
		for j, g := range d.Guards {
			key := fmt.Sprintf("guards[%d]", j)
			switch {
			case g.Name == "":
				problems = append(problems, Problem{Index: i, ActionID: d.ID, Key: key + ".name", Err: errors.New("missing")})
			case names[g.Name]:
				problems = append(problems, Problem{Index: i, ActionID: d.ID, Key: key + ".name", Err: fmt.Errorf("guard %q is declared twice", g.Name)})
			}
			names[g.Name] = true
			cond, err := compileCondition(g.Expr, c.shape.typ, ec)
			if err != nil {
				problems = append(problems, Problem{Index: i, ActionID: d.ID, Key: key + ".expr", Err: err})
				continue
			}
			guards[i] = append(guards[i], compiledGuard{name: g.Name, cond: cond})
		}
	}
	failed := map[int]bool{}
	for _, p := range problems {
		failed[p.Index] = true
	}
	seen := map[string]bool{}
	for i, d := range defs {
		if d.ID != "" && seen[d.ID] {
			problems = append(problems, Problem{Index: i, ActionID: d.ID, Key: "id", Err: errors.New("duplicate id")})
		}
		seen[d.ID] = true
		a, ps := c.compileAction(i, d, ec, effects)
		problems = append(problems, ps...)
		if a == nil || c.byID[d.ID] != nil || failed[i] {
			continue
		}
		a.guards = guards[i]
		c.byID[d.ID] = a
		c.actions = append(c.actions, a)
		c.defIndex = append(c.defIndex, i)
	}
	sort.SliceStable(problems, func(x, y int) bool { return problems[x].Index < problems[y].Index })
	if err := newLoadError(problems); err != nil {
		return nil, err
	}
	for i, a := range c.actions {
		a.cond = conds[c.defIndex[i]]
		if a.cond != nil {
			a.cond.PrepareExplain()
		}
		for _, g := range a.guards {
			g.cond.PrepareExplain()
		}
		for _, p := range a.post {
			p.cond.PrepareExplain()
		}
	}
	c.defIndex = nil
	sort.SliceStable(c.actions, func(i, j int) bool { return c.actions[i].def.Position < c.actions[j].def.Position })
	c.buildIndex(ec)
	c.batchKey = newBatchKey(c.shape, c.actions, ec)
	return c, nil
}

// MustCompile is like Compile but panics on error; for definitions written
// in Go source only.
func MustCompile[T any](defs []Definition, opts ...CompileOption) *Catalog[T] {
	c, err := Compile[T](defs, opts...)
	if err != nil {
		panic(err)
	}
	return c
}

func (c *Catalog[T]) compileAction(i int, d Definition, ec *eval.Config, effects map[string]Effect[T]) (*Action, []Problem) {
	var ps []Problem
	bad := func(key string, err error) { ps = append(ps, Problem{Index: i, ActionID: d.ID, Key: key, Err: err}) }
	if d.ID == "" {
		bad("id", errors.New("missing"))
	}
	if d.Name == "" {
		bad("name", errors.New("missing"))
	}
	if d.Policy < Unlimited || d.Policy > OncePerUser {
		bad("policy", fmt.Errorf("invalid policy %d", int(d.Policy)))
	}
	a := &Action{def: d.clone()}
	a.inputs = compileInputs(c.shape, d.Inputs, c.validate, bad)
	// When the declarations of the inputs have a problem, an expression
	// reading Input would only repeat it as "unknown name Input".
	brokenInputs := len(d.Inputs) > 0 && a.inputs == nil
	badExpr := func(key, src string, err error) {
		if _, _, reads := eval.Uses(src, inputField); !brokenInputs || !reads {
			bad(key, a.inputs.nameInput(err))
		}
	}
	env := c.shape.typ // what changes and post-conditions read: the object, Actor and Input
	if a.inputs != nil {
		env = a.inputs.shape.typ
	}
	changed := map[string]bool{}
	if w := d.Workflow; w != nil {
		f, ok := c.shape.fields[w.Field]
		switch {
		case !ok:
			bad("workflow.field", fmt.Errorf("unknown field %q", w.Field))
		case f.typ.Kind() != reflect.String:
			bad("workflow.field", fmt.Errorf("field %q is %v, not a string", w.Field, f.typ))
		default:
			c.states.checkWorkflow(f, w, bad)
			a.state = &f
			a.from = map[string]bool{}
			for _, s := range w.From {
				a.from[s] = true
			}
			if w.To != "" {
				changed[f.goName] = true
			}
		}
	}
	for j, ch := range d.Changes {
		key := fmt.Sprintf("changes[%d]", j)
		f, ok := c.shape.fields[ch.Field]
		if !ok {
			bad(key+".field", fmt.Errorf("unknown field %q", ch.Field))
			continue
		}
		if changed[f.goName] {
			bad(key+".field", fmt.Errorf("field %q is changed twice", ch.Field))
			continue
		}
		changed[f.goName] = true
		e, err := eval.CompileExpression(ch.Expr, env, ec)
		if err != nil {
			badExpr(key+".expr", ch.Expr, err)
			continue
		}
		if !assignableType(e.Type(), f.typ) {
			bad(key+".expr", fmt.Errorf("%s is %v, field %q is %v", ch.Expr, e.Type(), ch.Field, f.typ))
			continue
		}
		if lossy(e.Type(), f.typ) && !explicitConversion[eval.OuterCall(ch.Expr)] {
			bad(key+".expr", fmt.Errorf("%s is %v, field %q is %v: the value may not be a whole number; convert it explicitly, with int(...), round(...), floor(...) or ceil(...)", ch.Expr, e.Type(), ch.Field, f.typ))
			continue
		}
		if err := c.states.checkChange(f, ch.Expr); err != nil {
			bad(key+".expr", err)
			continue
		}
		a.changes = append(a.changes, compiledChange{field: f, expr: e})
	}
	for j, pc := range d.PostConditions {
		key := fmt.Sprintf("postConditions[%d]", j)
		if pc.Message == "" {
			bad(key+".message", errors.New("missing"))
		}
		cond, err := eval.Compile(pc.Expr, env, ec)
		if err != nil {
			badExpr(key+".expr", pc.Expr, err)
			continue
		}
		a.post = append(a.post, compiledPost{def: pc, cond: cond})
	}
	for j, name := range d.Effects {
		if _, ok := effects[name]; !ok {
			bad(fmt.Sprintf("effects[%d]", j), fmt.Errorf("unknown effect %q", name))
		}
	}
	if len(ps) > 0 {
		return nil, ps
	}
	return a, nil
}

// compileCondition compiles a condition that decides applicability. Such a
// condition cannot read inputs: Resolve decides before anyone fills them
// in. That is said in so many words, at the position of the first Input.
func compileCondition(src string, env reflect.Type, ec *eval.Config) (*eval.Condition, error) {
	cond, err := eval.Compile(src, env, ec)
	if err != nil {
		if line, col, ok := eval.Uses(src, inputField); ok {
			return nil, eval.PositionError(src, line, col,
				"a condition cannot read Input: whether an action applies is decided before its inputs are given; read them in changes or postConditions")
		}
		return nil, err
	}
	return cond, nil
}

// probe holds what the resolver reads of an action, packed together: a
// resolve over many actions is bound by memory traffic more than by
// arithmetic, and an Action spans several cache lines.
type probe struct {
	cond     *eval.Condition
	guards   []compiledGuard
	state    *fieldInfo
	from     map[string]bool
	perm     string
	reserved bool
	policy   Policy
	pos      int32     // place in position order
	fast     *fastCond // cond as Resolve evaluates it through the index
	action   *Action
}

func newProbe(a *Action) probe {
	p := probe{cond: a.cond, guards: a.guards, perm: a.def.Permission, reserved: a.def.Reserved, policy: a.def.Policy, action: a}
	if a.state != nil && len(a.from) > 0 {
		p.state, p.from = a.state, a.from
	}
	return p
}

// sources returns the sources of a's condition and of its guards, in that
// order; the condition's is "" when a has none.
func (a *Action) sources() []string {
	out := make([]string, 0, 1+len(a.def.Guards))
	out = append(out, a.def.Condition)
	for _, g := range a.def.Guards {
		out = append(out, g.Expr)
	}
	return out
}

// Actions returns every action in position order. The slice is the
// caller's; the actions are immutable handles the catalog shares.
func (c *Catalog[T]) Actions() []*Action { return slices.Clone(c.actions) }

// Action returns the action with the given id, or a *NotFoundError.
func (c *Catalog[T]) Action(id string) (*Action, error) {
	a, ok := c.byID[id]
	if !ok {
		return nil, &NotFoundError{Kind: "action", ID: id}
	}
	return a, nil
}

// Now reads the catalog's clock (see WithClock).
func (c *Catalog[T]) Now() time.Time { return c.clock() }

// Field returns the Go name, the JSON name and the type of a field of T,
// found by either name. Adapters use it to map violations to attributes.
func (c *Catalog[T]) Field(name string) (goName, jsonName string, typ reflect.Type, ok bool) {
	f, ok := c.shape.fields[name]
	return f.goName, f.jsonName, f.typ, ok
}

func isNumber(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return true
	}
	return false
}

// lossy reports whether a value of static type from may lose its fraction
// when assigned to a field of type to: a float into an integer.
func lossy(from, to reflect.Type) bool {
	for to.Kind() == reflect.Pointer {
		to = to.Elem()
	}
	if from == nil {
		return false
	}
	isFloat := func(t reflect.Type) bool { return t.Kind() == reflect.Float32 || t.Kind() == reflect.Float64 }
	return isFloat(from) && isNumber(to) && !isFloat(to)
}

// explicitConversion lists the functions whose result a rule author means
// as a whole number.
var explicitConversion = map[string]bool{"int": true, "round": true, "floor": true, "ceil": true}

// assignableType reports whether an expression of static type from may be
// assigned to a field of type to. A nil from (known only at run time) is
// checked when the change is applied.
func assignableType(from, to reflect.Type) bool {
	if from == nil || from.Kind() == reflect.Interface || from.AssignableTo(to) || isNumber(from) && isNumber(to) {
		return true
	}
	switch to.Kind() {
	case reflect.Pointer:
		return assignableType(from, to.Elem())
	case reflect.Slice:
		// expr's lists are []any: their elements are checked when applied.
		return (from.Kind() == reflect.Slice || from.Kind() == reflect.Array) && assignableType(from.Elem(), to.Elem())
	case reflect.Map:
		return from.Kind() == reflect.Map && assignableType(from.Key(), to.Key()) && assignableType(from.Elem(), to.Elem())
	}
	return false
}
