package actions

import (
	"fmt"
	"slices"
)

// Definition is an action as written by a host, in Go or in a JSON rule
// file. Compile turns definitions into a Catalog.
type Definition struct {
	// ID is stable and unique within a catalog.
	ID string `json:"id"`
	// Name is what users see.
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	// Position orders actions (ascending; ties keep definition order).
	Position int `json:"position,omitempty"`
	// Condition is an expr boolean expression over the object's fields and
	// Actor; empty means always. It cannot read Input: whether an action
	// applies is decided before anyone fills in its inputs.
	Condition string `json:"condition,omitempty"`
	// Guards are named conditions that must all hold, besides Condition.
	// A refusal names the guard that failed, so that hosts and adapters
	// can tell the rules apart without reading their text.
	Guards []Guard `json:"guards,omitempty"`
	// Inputs are the values an actor gives when executing the action (a
	// reason, a date, an amount). Changes and post-conditions read them as
	// Input.<name>.
	Inputs []Input `json:"inputs,omitempty"`
	// Changes are applied in order, each evaluated against the object
	// before any change.
	Changes []Change `json:"changes,omitempty"`
	// Permission the actor must hold (see Actor.Can); empty means none.
	Permission string `json:"permission,omitempty"`
	// Workflow, if set, restricts the action to objects in one of the From
	// states and moves them to the To state.
	Workflow *Workflow `json:"workflow,omitempty"`
	// Reserved actions are listed only when asked for (IncludeReserved).
	Reserved bool `json:"reserved,omitempty"`
	// Policy limits how often the action may be executed on one object.
	Policy Policy `json:"policy,omitempty"`
	// PostConditions must hold for the changed object.
	PostConditions []PostCondition `json:"postConditions,omitempty"`
	// Effects name host code (registered with WithEffect) that runs after a
	// successful save, in order.
	Effects []string `json:"effects,omitempty"`
}

// Guard is a named condition of an action.
type Guard struct {
	// Name identifies the guard in reasons ("not-own-report"); unique
	// within the action.
	Name string `json:"name"`
	// Expr is an expr boolean expression, like Definition.Condition.
	Expr string `json:"expr"`
}

// Change assigns the value of an expression to a field: Field := Expr.
type Change struct {
	// Field is the Go name or the JSON name of a field of the object.
	Field string `json:"field"`
	// Expr is evaluated against the object before any change of the action.
	Expr string `json:"expr"`
}

// Workflow is sugar for a condition on a state field plus a change of it.
type Workflow struct {
	// Field is the string field holding the state (Go or JSON name).
	Field string `json:"field"`
	// From lists the states the action may start from; empty means any.
	From []string `json:"from,omitempty"`
	// To is the state the action moves the object to; empty leaves it.
	To string `json:"to,omitempty"`
}

// PostCondition is a rule the changed object must satisfy.
type PostCondition struct {
	// Expr is a boolean expression over the changed object and Actor.
	Expr string `json:"expr"`
	// Field is the JSON name of the attribute the rule concerns.
	Field string `json:"field,omitempty"`
	// Message is shown when the rule fails.
	Message string `json:"message"`
}

// Policy limits how often an action may be executed on one object, after
// Salesforce's executionsAllowed.
type Policy int

// The execution policies.
const (
	// Unlimited: any number of executions (the zero value).
	Unlimited Policy = iota
	// Once: one execution per object, by anyone.
	Once
	// OncePerUser: one execution per object and actor. An actor without an
	// ID cannot be told apart from others and is refused.
	OncePerUser
)

var policyNames = [...]string{"Unlimited", "Once", "OncePerUser"}

// String returns the policy's name.
func (p Policy) String() string {
	if p < 0 || int(p) >= len(policyNames) {
		return fmt.Sprintf("Policy(%d)", int(p))
	}
	return policyNames[p]
}

// MarshalText encodes the policy by name.
func (p Policy) MarshalText() ([]byte, error) {
	if p < 0 || int(p) >= len(policyNames) {
		return nil, fmt.Errorf("actions: invalid policy %d", int(p))
	}
	return []byte(policyNames[p]), nil
}

// UnmarshalText decodes "Unlimited", "Once" or "OncePerUser".
func (p *Policy) UnmarshalText(b []byte) error {
	for i, n := range policyNames {
		if n == string(b) {
			*p = Policy(i)
			return nil
		}
	}
	return fmt.Errorf("unknown policy %q (want Unlimited, Once or OncePerUser)", b)
}

// clone returns a copy of d that shares no memory with it.
func (d Definition) clone() Definition {
	d.Guards = slices.Clone(d.Guards)
	d.Inputs = slices.Clone(d.Inputs)
	d.Changes = slices.Clone(d.Changes)
	d.PostConditions = slices.Clone(d.PostConditions)
	d.Effects = slices.Clone(d.Effects)
	if w := d.Workflow; w != nil {
		d.Workflow = &Workflow{Field: w.Field, From: slices.Clone(w.From), To: w.To}
	}
	return d
}
