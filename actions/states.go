package actions

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// StateSet declares the states of a workflow field, and optionally the
// transitions between them. Once a field's states are declared, an action
// whose workflow (or a change setting the field to a literal) names another
// state is a compile error, instead of an action that silently never
// applies. A change computed at run time (from an input, say) is checked
// when the action is applied: a state that is not declared is a Violation
// with Rule "state", a move that is not declared one with Rule
// "transition". A field leaving a state older than the declarations is
// checked for the state it moves to only.
type StateSet struct {
	// Field is the string field holding the state (Go or JSON name).
	Field string `json:"field"`
	// States lists every state, in the order a UI shows them.
	States []string `json:"states"`
	// Transitions, if any, are the only moves allowed: an action moving
	// the object from one state to another must be one of them.
	Transitions []Transition `json:"transitions,omitempty"`
}

// Transition is a move from one state to another.
type Transition struct {
	From string `json:"from"`
	To   string `json:"to"`
}

func (s StateSet) clone() StateSet {
	s.States = slices.Clone(s.States)
	s.Transitions = slices.Clone(s.Transitions)
	return s
}

// WithStates declares the states of workflow fields (see StateSet). A rule
// file declares them under its "states" key.
func WithStates(sets ...StateSet) CompileOption {
	return func(c *compileConfig) error {
		for _, s := range sets {
			c.states = append(c.states, s.clone())
		}
		return nil
	}
}

// declaredStates are the state sets of a catalog, checked, by the Go name
// of their field.
type declaredStates struct {
	sets    []StateSet // as declared, in order
	byField map[string]*stateIndex
}

type stateIndex struct {
	set         *StateSet
	states      map[string]bool
	transitions map[Transition]bool // nil when any move is allowed
}

// compileStates checks the state sets against the object type; problems
// have Index -1 and keys such as "states[0].transitions[1].to".
func compileStates(shape *envShape, sets []StateSet) (*declaredStates, []Problem) {
	var ps []Problem
	bad := func(key string, err error) { ps = append(ps, Problem{Index: -1, Key: key, Err: err}) }
	out := &declaredStates{byField: map[string]*stateIndex{}}
	for i := range sets {
		s := &sets[i]
		key := fmt.Sprintf("states[%d]", i)
		f, ok := shape.fields[s.Field]
		switch {
		case !ok:
			bad(key+".field", fmt.Errorf("unknown field %q", s.Field))
			continue
		case f.typ.Kind() != reflect.String:
			bad(key+".field", fmt.Errorf("field %q is %v, not a string", s.Field, f.typ))
			continue
		case out.byField[f.goName] != nil:
			bad(key+".field", fmt.Errorf("the states of %q are declared twice", s.Field))
			continue
		case len(s.States) == 0:
			bad(key+".states", errors.New("missing"))
			continue
		}
		idx := &stateIndex{set: s, states: map[string]bool{}}
		for j, st := range s.States {
			if idx.states[st] {
				bad(fmt.Sprintf("%s.states[%d]", key, j), fmt.Errorf("state %q is declared twice", st))
			}
			idx.states[st] = true
		}
		if len(s.Transitions) > 0 {
			idx.transitions = map[Transition]bool{}
		}
		for j, tr := range s.Transitions {
			tkey := fmt.Sprintf("%s.transitions[%d]", key, j)
			if !idx.states[tr.From] {
				bad(tkey+".from", fmt.Errorf("state %q is not declared", tr.From))
			}
			if !idx.states[tr.To] {
				bad(tkey+".to", fmt.Errorf("state %q is not declared", tr.To))
			}
			idx.transitions[tr] = true
		}
		out.byField[f.goName] = idx
		out.sets = append(out.sets, *s)
	}
	return out, ps
}

// checkWorkflow reports the states and moves of an action's workflow that
// the declarations of its field do not allow.
func (d *declaredStates) checkWorkflow(field fieldInfo, w *Workflow, bad func(key string, err error)) {
	idx := d.byField[field.goName]
	if idx == nil {
		return
	}
	undeclared := func(s string) error {
		return fmt.Errorf("state %q is not declared for %s (declared: %s)", s, field.jsonName, quoteAll(idx.set.States))
	}
	for k, s := range w.From {
		if !idx.states[s] {
			bad(fmt.Sprintf("workflow.from[%d]", k), undeclared(s))
		}
	}
	if w.To == "" {
		return
	}
	if !idx.states[w.To] {
		bad("workflow.to", undeclared(w.To))
		return
	}
	if idx.transitions == nil {
		return
	}
	if len(w.From) == 0 {
		bad("workflow.from", fmt.Errorf("the transitions of %s are declared: name the states the action moves from", field.jsonName))
		return
	}
	for k, s := range w.From {
		if idx.states[s] && !idx.transitions[Transition{From: s, To: w.To}] {
			bad(fmt.Sprintf("workflow.from[%d]", k), fmt.Errorf("the transition %q → %q is not declared for %s", s, w.To, field.jsonName))
		}
	}
}

// checkChange reports a change that sets a field with declared states to a
// string literal that is not one of them.
func (d *declaredStates) checkChange(field fieldInfo, expr string) error {
	idx := d.byField[field.goName]
	if idx == nil {
		return nil
	}
	s, err := strconv.Unquote(strings.TrimSpace(expr))
	if err != nil || idx.states[s] {
		return nil // not a literal: the value is known at run time only
	}
	return fmt.Errorf("state %q is not declared for %s (declared: %s)", s, field.jsonName, quoteAll(idx.set.States))
}

// checkMove checks, when an action is applied, a change of a field with
// declared states: the compile-time checks see literals only, so a change
// computed at run time (an input, a lookup) is checked here. A field
// leaving a state that is not declared (data older than the declarations)
// is checked for its new state only.
//
// oldValue and newValue are the field's values; they are read as strings
// only for a field with declared states (reading another kind as a string
// allocates a description of it).
func (d *declaredStates) checkMove(field fieldInfo, oldValue, newValue reflect.Value) (Violation, bool) {
	if d == nil {
		return Violation{}, false
	}
	idx := d.byField[field.goName]
	if idx == nil {
		return Violation{}, false
	}
	from, to := oldValue.String(), newValue.String()
	if !idx.states[to] {
		return Violation{Field: field.jsonName, Rule: "state", Param: to,
			Message: fmt.Sprintf("%s %q is not a declared state (declared: %s)", field.jsonName, to, quoteAll(idx.set.States))}, true
	}
	if idx.transitions != nil && idx.states[from] && !idx.transitions[Transition{From: from, To: to}] {
		return Violation{Field: field.jsonName, Rule: "transition", Param: from + "→" + to,
			Message: fmt.Sprintf("the transition %q → %q is not declared for %s", from, to, field.jsonName)}, true
	}
	return Violation{}, false
}

func quoteAll(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = strconv.Quote(s)
	}
	return strings.Join(q, ", ")
}

// States returns the declared state sets, in declaration order: what a UI
// or an adapter lists. The values are the caller's.
func (c *Catalog[T]) States() []StateSet {
	out := make([]StateSet, len(c.states.sets))
	for i, s := range c.states.sets {
		out[i] = s.clone()
	}
	return out
}
