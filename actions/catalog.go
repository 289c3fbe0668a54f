package actions

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sort"

	"github.com/actionable-go/actionable/conditions"
	"github.com/go-playground/validator/v10"
)

// Action is a compiled action of a Catalog. Its Definition is for reading
// only: the catalog shares it with every caller.
type Action struct {
	Definition

	cond    *conditions.Condition
	changes []compiledChange
	state   *fieldInfo      // workflow state field, if any
	from    map[string]bool // accepted states; empty accepts any
	post    []compiledPost
}

type compiledChange struct {
	field fieldInfo
	expr  *conditions.Expression
}

type compiledPost struct {
	def  PostCondition
	cond *conditions.Condition
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

	// The index of actions by the workflow state they accept: byState[s]
	// lists, in position order, the actions that accept s, including those
	// that accept any state. Used when every workflow uses one state field.
	stateField *fieldInfo
	byState    map[string][]probe
	anyState   []probe
	all        []probe

	index []int // while compiling: the definition index of each action
}

// CompileOption configures Compile and LoadJSON.
type CompileOption[T any] func(*compileConfig[T]) error

type compileConfig[T any] struct {
	condOpts []conditions.Option
	effects  map[string]Effect[T]
	validate *validator.Validate
}

// WithConditionOptions passes options (a clock, limits, host functions) to
// every expression the catalog compiles.
func WithConditionOptions[T any](opts ...conditions.Option) CompileOption[T] {
	return func(c *compileConfig[T]) error {
		c.condOpts = append(c.condOpts, opts...)
		return nil
	}
}

// WithEffect registers an effect that definitions name in their Effects.
func WithEffect[T any](name string, e Effect[T]) CompileOption[T] {
	return func(c *compileConfig[T]) error {
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
func WithValidator[T any](v *validator.Validate) CompileOption[T] {
	return func(c *compileConfig[T]) error {
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
func Compile[T any](defs []Definition, opts ...CompileOption[T]) (*Catalog[T], error) {
	cfg := &compileConfig[T]{effects: map[string]Effect[T]{}}
	for _, o := range opts {
		if err := o(cfg); err != nil {
			return nil, err
		}
	}
	objType := reflect.TypeFor[T]()
	shape, err := newEnvShape(objType)
	if err != nil {
		return nil, err
	}
	if cfg.validate == nil {
		cfg.validate = defaultValidator()
	}
	c := &Catalog[T]{shape: shape, objType: objType, byID: map[string]*Action{}, effects: cfg.effects, validate: cfg.validate}
	// Conditions first, all together, so that the programs the resolver
	// runs sit close in memory (see conditions.Condition.PrepareExplain).
	conds := make([]*conditions.Condition, len(defs))
	condErrs := make([]error, len(defs))
	for i, d := range defs {
		if d.Condition != "" {
			conds[i], condErrs[i] = conditions.Compile(d.Condition, c.shape.typ, cfg.condOpts...)
		}
	}
	var problems []Problem
	seen := map[string]bool{}
	for i, d := range defs {
		if d.ID != "" && seen[d.ID] {
			problems = append(problems, Problem{Index: i, ActionID: d.ID, Key: "id", Err: errors.New("duplicate id")})
		}
		seen[d.ID] = true
		if condErrs[i] != nil {
			problems = append(problems, Problem{Index: i, ActionID: d.ID, Key: "condition", Err: condErrs[i]})
		}
		a, ps := c.compileAction(i, d, cfg)
		problems = append(problems, ps...)
		if a == nil || c.byID[d.ID] != nil {
			continue
		}
		if condErrs[i] != nil {
			continue
		}
		c.byID[d.ID] = a
		c.actions = append(c.actions, a)
		c.index = append(c.index, i)
	}
	if err := newLoadError(problems); err != nil {
		return nil, err
	}
	for i, a := range c.actions {
		a.cond = conds[c.index[i]]
		if a.cond != nil {
			a.cond.PrepareExplain()
		}
		for _, p := range a.post {
			p.cond.PrepareExplain()
		}
	}
	c.index = nil
	sort.SliceStable(c.actions, func(i, j int) bool { return c.actions[i].Position < c.actions[j].Position })
	c.buildStateIndex()
	return c, nil
}

// MustCompile is like Compile but panics on error; for definitions written
// in Go source only.
func MustCompile[T any](defs []Definition, opts ...CompileOption[T]) *Catalog[T] {
	c, err := Compile(defs, opts...)
	if err != nil {
		panic(err)
	}
	return c
}

func (c *Catalog[T]) compileAction(i int, d Definition, cfg *compileConfig[T]) (*Action, []Problem) {
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
	a := &Action{Definition: d}
	a.Changes = slices.Clone(d.Changes)
	a.PostConditions = slices.Clone(d.PostConditions)
	a.Effects = slices.Clone(d.Effects)
	changed := map[string]bool{}
	if w := d.Workflow; w != nil {
		a.Workflow = &Workflow{Field: w.Field, From: slices.Clone(w.From), To: w.To}
		f, ok := c.shape.fields[w.Field]
		switch {
		case !ok:
			bad("workflow.field", fmt.Errorf("unknown field %q", w.Field))
		case f.typ.Kind() != reflect.String:
			bad("workflow.field", fmt.Errorf("field %q is %v, not a string", w.Field, f.typ))
		default:
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
		e, err := conditions.CompileExpression(ch.Expr, c.shape.typ, cfg.condOpts...)
		if err != nil {
			bad(key+".expr", err)
			continue
		}
		if !assignableType(e.Type(), f.typ) {
			bad(key+".expr", fmt.Errorf("%s is %v, field %q is %v", ch.Expr, e.Type(), ch.Field, f.typ))
			continue
		}
		a.changes = append(a.changes, compiledChange{field: f, expr: e})
	}
	for j, pc := range d.PostConditions {
		key := fmt.Sprintf("postConditions[%d]", j)
		if pc.Message == "" {
			bad(key+".message", errors.New("missing"))
		}
		cond, err := conditions.Compile(pc.Expr, c.shape.typ, cfg.condOpts...)
		if err != nil {
			bad(key+".expr", err)
			continue
		}
		a.post = append(a.post, compiledPost{def: pc, cond: cond})
	}
	for j, name := range d.Effects {
		if _, ok := cfg.effects[name]; !ok {
			bad(fmt.Sprintf("effects[%d]", j), fmt.Errorf("unknown effect %q", name))
		}
	}
	if len(ps) > 0 {
		return nil, ps
	}
	return a, nil
}

// probe holds what the resolver reads of an action, packed together: a
// resolve over many actions is bound by memory traffic more than by
// arithmetic, and an Action spans several cache lines.
type probe struct {
	cond     *conditions.Condition
	state    *fieldInfo
	from     map[string]bool
	perm     string
	reserved bool
	policy   Policy
	action   *Action
}

func newProbe(a *Action) probe {
	p := probe{cond: a.cond, perm: a.Permission, reserved: a.Reserved, policy: a.Policy, action: a}
	if a.state != nil && len(a.from) > 0 {
		p.state, p.from = a.state, a.from
	}
	return p
}

func (c *Catalog[T]) buildStateIndex() {
	for _, a := range c.actions {
		c.all = append(c.all, newProbe(a))
	}
	var field *fieldInfo
	for _, a := range c.actions {
		if a.state == nil || len(a.from) == 0 {
			continue
		}
		if field != nil && field.goName != a.state.goName {
			return // several state fields: no index, resolve scans all
		}
		field = a.state
	}
	if field == nil {
		return
	}
	c.stateField = field
	c.byState = map[string][]probe{}
	for _, p := range c.all {
		for s := range p.from {
			c.byState[s] = nil
		}
	}
	for _, p := range c.all {
		if p.from == nil {
			c.anyState = append(c.anyState, p)
		}
		for s := range c.byState {
			if p.from == nil || p.from[s] {
				c.byState[s] = append(c.byState[s], p)
			}
		}
	}
}

// candidates returns the actions worth checking for obj, in position order.
func (c *Catalog[T]) candidates(obj *T) []probe {
	if c.stateField == nil {
		return c.all
	}
	if list, ok := c.byState[stringAt(obj, c.stateField)]; ok {
		return list
	}
	return c.anyState
}

// Actions returns every action in position order. The slice is a copy; the
// actions are shared and must not be modified.
func (c *Catalog[T]) Actions() []*Action { return slices.Clone(c.actions) }

// Action returns the action with the given id.
func (c *Catalog[T]) Action(id string) (*Action, error) {
	a, ok := c.byID[id]
	if !ok {
		return nil, &NotFoundError{Kind: "action", ID: id}
	}
	return a, nil
}

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
