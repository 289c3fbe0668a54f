package akana

import (
	"bytes"
	"errors"
	"fmt"
	"go/token"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/actionable-go/actionable/actions"
	"github.com/actionable-go/actionable/adapters/internal/httpx"
	"github.com/actionable-go/actionable/conditions"
)

// Workflow is an Akana workflow definition: a key (the
// WorkflowDefinitionKey of the channel), a title, its states and its
// actions, in the order the channel lists them.
type Workflow struct {
	// Key identifies the workflow ("manage-user-workflow", or a UUID).
	Key string `json:"key"`
	// Title is the channel's title.
	Title string `json:"title,omitempty"`
	// States lists the workflow's states. When it is not empty, every From
	// and To of the actions must be one of them, and an action without
	// From states accepts every one of them.
	States []string `json:"states,omitempty"`
	// Permission is the default permission of the workflow's actions.
	Permission string `json:"permission,omitempty"`
	// Actions are the workflow's actions, in channel order.
	Actions []WorkflowAction `json:"actions"`
}

// WorkflowAction is one action of a Workflow.
type WorkflowAction struct {
	// Name is the Akana ActionName ("discussion.action.unpublish",
	// "@Modify"). Names starting with "@" or "reserved-" are reserved.
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	// From lists the states the action is valid in; empty means every
	// state of the workflow.
	From []string `json:"from,omitempty"`
	// To is the state the action moves the object to; empty leaves it.
	To string `json:"to,omitempty"`
	// Permission overrides the workflow's permission.
	Permission string `json:"permission,omitempty"`
	// Condition is an extra expr condition, as in actions.Definition.
	Condition string `json:"condition,omitempty"`
	// Reserved marks a reserved action whose name does not say so.
	Reserved bool `json:"reserved,omitempty"`
}

// IsReserved reports whether an ActionName is reserved by its form: it
// starts with "@" (@Modify, @Delete, ...) or "reserved-".
func IsReserved(name string) bool {
	return strings.HasPrefix(name, "@") || strings.HasPrefix(name, "reserved-")
}

// The names of the guards of the definitions of workflow actions (see
// Workflows.Definitions).
const (
	// GuardWorkflow holds when the object is in the action's workflow.
	GuardWorkflow = "workflow"
	// GuardCondition is the action's own condition.
	GuardCondition = "condition"
)

// ActionID is the id of the actions.Definition compiled from the action
// name of the workflow key: key + "/" + name.
func ActionID(key, name string) string { return key + "/" + name }

// Fields names, by their Go names, the two string fields of the host's
// object type that hold an object's workflow key and its workflow state.
// The zero value names WorkflowKey and State.
type Fields struct {
	Key   string // default "WorkflowKey"
	State string // default "State"
}

func (f Fields) withDefaults() Fields {
	if f.Key == "" {
		f.Key = "WorkflowKey"
	}
	if f.State == "" {
		f.State = "State"
	}
	return f
}

// Problem is one fault in a set of workflow definitions.
type Problem struct {
	Workflow string // the workflow's key, or "#i" if it has none
	Action   string // the action's name, or "#i"; "" for the workflow itself
	Key      string // the key at fault: "key", "from", "to", ...
	Err      error
}

// Error says where the problem is (workflow, action, key) and what it is.
func (p Problem) Error() string {
	where := "workflow " + p.Workflow
	if p.Action != "" {
		where += " action " + p.Action
	}
	if p.Key != "" {
		where += ": " + p.Key
	}
	return fmt.Sprintf("%s: %v", where, p.Err)
}

// Unwrap returns the cause.
func (p Problem) Unwrap() error { return p.Err }

// DefinitionError reports every problem found in a set of workflow
// definitions. Nothing is compiled when it is returned.
type DefinitionError struct {
	Problems []Problem
	errs     error
}

// Error counts the problems and lists them all.
func (e *DefinitionError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.Error()
	}
	return fmt.Sprintf("akana: %d problem(s) in workflows: %s", len(e.Problems), strings.Join(parts, "; "))
}

// Unwrap returns the collected problems.
func (e *DefinitionError) Unwrap() error { return e.errs }

func newDefinitionError(ps []Problem) error {
	return httpx.Collect(ps, func(ps []Problem, errs error) *DefinitionError { return &DefinitionError{Problems: ps, errs: errs} })
}

// Workflows is a validated, immutable set of workflow definitions. It
// compiles to ordinary action definitions ([Workflows.Definitions]) and maps
// between Akana action names and action ids for the [Handler]. It is safe
// for concurrent use.
type Workflows struct {
	fields Fields
	list   []Workflow
	byKey  map[string]int
	byID   map[string]actionRef
	ids    map[string]map[string]string // key → name → id
}

type actionRef struct{ key, name string }

// NewWorkflows validates workflow definitions for objects whose workflow
// key and state are held in fields. Every problem (a missing or duplicate
// key or action name, a From or To that is not a state of the workflow, a
// field name that is not an exported Go identifier) is reported in one
// *DefinitionError.
func NewWorkflows(fields Fields, workflows []Workflow) (*Workflows, error) {
	fields = fields.withDefaults()
	var ps []Problem
	for _, f := range []struct{ key, name string }{{"fields.key", fields.Key}, {"fields.state", fields.State}} {
		if !token.IsIdentifier(f.name) || !token.IsExported(f.name) {
			ps = append(ps, Problem{Workflow: "*", Key: f.key, Err: fmt.Errorf("%q is not an exported Go field name", f.name)})
		}
	}
	if fields.Key == fields.State {
		ps = append(ps, Problem{Workflow: "*", Key: "fields", Err: errors.New("the key and the state must be different fields")})
	}
	s := &Workflows{fields: fields, byKey: map[string]int{}, byID: map[string]actionRef{}, ids: map[string]map[string]string{}}
	for i, w := range workflows {
		label := w.Key
		if label == "" {
			label = fmt.Sprintf("#%d", i)
		}
		bad := func(action, key string, err error) {
			ps = append(ps, Problem{Workflow: label, Action: action, Key: key, Err: err})
		}
		if err := checkText(w.Key); err != nil {
			bad("", "key", err)
		} else if _, dup := s.byKey[w.Key]; dup {
			bad("", "key", errors.New("duplicate workflow key"))
		}
		if err := checkText(w.Title); err != nil && w.Title != "" {
			bad("", "title", err)
		}
		states := map[string]bool{}
		for _, st := range w.States {
			if err := checkText(st); err != nil {
				bad("", "states", err)
			} else if states[st] {
				bad("", "states", fmt.Errorf("duplicate state %q", st))
			}
			states[st] = true
		}
		known := func(st string) error {
			if err := checkText(st); err != nil {
				return err
			}
			if len(w.States) > 0 && !states[st] {
				return fmt.Errorf("%q is not a state of the workflow", st)
			}
			return nil
		}
		names := map[string]string{}
		for j, a := range w.Actions {
			aLabel := a.Name
			if aLabel == "" {
				aLabel = fmt.Sprintf("#%d", j)
			}
			if err := checkText(a.Name); err != nil {
				bad(aLabel, "name", err)
			} else if _, dup := names[a.Name]; dup {
				bad(aLabel, "name", errors.New("duplicate action name"))
			}
			for _, st := range a.From {
				if err := known(st); err != nil {
					bad(aLabel, "from", err)
				}
			}
			if a.To != "" {
				if err := known(a.To); err != nil {
					bad(aLabel, "to", err)
				}
			}
			if a.Condition != "" {
				// A syntax error is reported here, with the workflow and the
				// action; a type error when the definitions are compiled, at
				// the guard named "condition".
				if err := conditions.Parse(a.Condition); err != nil {
					bad(aLabel, "condition", err)
				}
			}
			id := ActionID(w.Key, a.Name)
			if ref, dup := s.byID[id]; dup && (ref.key != w.Key || ref.name != a.Name) {
				bad(aLabel, "name", fmt.Errorf("action id %q is also the id of action %q of workflow %q", id, ref.name, ref.key))
			}
			names[a.Name] = id
			s.byID[id] = actionRef{key: w.Key, name: a.Name}
		}
		s.byKey[w.Key] = len(s.list)
		s.ids[w.Key] = names
		s.list = append(s.list, cloneWorkflow(w))
	}
	if err := newDefinitionError(ps); err != nil {
		return nil, err
	}
	return s, nil
}

// checkText rejects what cannot be a key, a state or an action name: the
// empty string, invalid UTF-8 and control characters (which XML cannot
// carry).
func checkText(s string) error {
	switch {
	case s == "":
		return errors.New("missing")
	case !utf8.ValidString(s):
		return errors.New("not valid UTF-8")
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		return fmt.Errorf("%q contains a control character", s)
	}
	return nil
}

func cloneWorkflow(w Workflow) Workflow {
	w.States = slices.Clone(w.States)
	w.Actions = slices.Clone(w.Actions)
	for i := range w.Actions {
		w.Actions[i].From = slices.Clone(w.Actions[i].From)
	}
	return w
}

// Fields returns the fields the workflows read, with defaults filled in.
func (s *Workflows) Fields() Fields { return s.fields }

// List returns a copy of the workflows, in definition order.
func (s *Workflows) List() []Workflow {
	out := make([]Workflow, len(s.list))
	for i, w := range s.list {
		out[i] = cloneWorkflow(w)
	}
	return out
}

// Workflow returns the workflow with the given key.
func (s *Workflows) Workflow(key string) (Workflow, bool) {
	i, ok := s.byKey[key]
	if !ok {
		return Workflow{}, false
	}
	return cloneWorkflow(s.list[i]), true
}

// title is the Title of the workflow key, "" for an unknown key: what
// Workflow(key).Title is, without copying the workflow.
func (s *Workflows) title(key string) string {
	if i, ok := s.byKey[key]; ok {
		return s.list[i].Title
	}
	return ""
}

// ActionID returns the id of the action named name in the workflow key.
func (s *Workflows) ActionID(key, name string) (string, bool) {
	id, ok := s.ids[key][name]
	return id, ok
}

// Action returns the workflow key and the Akana action name of an action id.
func (s *Workflows) Action(id string) (key, name string, ok bool) {
	ref, ok := s.byID[id]
	return ref.key, ref.name, ok
}

// Definitions compiles the workflows to ordinary action definitions, one
// per workflow action, in workflow order (Position 1, 2, ...):
//
//   - ID is ActionID(key, name) and Name the Akana action name;
//   - Guards are GuardWorkflow, `<Key field> == "<key>"`, and GuardCondition,
//     the action's own condition, if it has one: a refusal names the one
//     that failed, and a compile error in the author's condition points into
//     its own text;
//   - Workflow is {Field: <State field>, From: from, To: to}, where an
//     action without From states accepts every state of the workflow;
//   - Reserved is set for reserved names (IsReserved) and Reserved actions;
//   - Permission is the action's, or else the workflow's.
//
// The result is plain data the caller owns: add Changes, PostConditions or
// Effects before passing it to actions.Compile.
func (s *Workflows) Definitions() []actions.Definition {
	var defs []actions.Definition
	for _, w := range s.list {
		keyGuard := actions.Guard{Name: GuardWorkflow, Expr: s.fields.Key + " == " + strconv.Quote(w.Key)}
		for _, a := range w.Actions {
			guards := []actions.Guard{keyGuard}
			if a.Condition != "" {
				guards = append(guards, actions.Guard{Name: GuardCondition, Expr: a.Condition})
			}
			from := slices.Clone(a.From)
			if len(from) == 0 {
				from = slices.Clone(w.States)
			}
			perm := a.Permission
			if perm == "" {
				perm = w.Permission
			}
			defs = append(defs, actions.Definition{
				ID:          ActionID(w.Key, a.Name),
				Name:        a.Name,
				Description: a.Description,
				Position:    len(defs) + 1,
				Guards:      guards,
				Permission:  perm,
				Workflow:    &actions.Workflow{Field: s.fields.State, From: from, To: a.To},
				Reserved:    a.Reserved || IsReserved(a.Name),
			})
		}
	}
	return defs
}

// ParseWorkflows reads workflow definitions from JSON:
//
//	{"workflows": [{"key": "discussion-workflow", "title": "Discussions",
//	  "states": ["Published", "Pending"], "permission": "discussion.moderate",
//	  "actions": [{"name": "discussion.action.unpublish", "from": ["Published"], "to": "Pending"},
//	              {"name": "discussion.action.publish", "from": ["Pending"], "to": "Published"}]}]}
//
// It is strict: an unknown key, a value of the wrong type or trailing data
// is an error. Pass the result to NewWorkflows.
func ParseWorkflows(r io.Reader) ([]Workflow, error) {
	data, err := io.ReadAll(io.LimitReader(r, actions.MaxRuleFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("akana: reading workflows: %w", err)
	}
	if len(data) > actions.MaxRuleFileSize {
		return nil, fmt.Errorf("akana: workflow file larger than %d bytes", actions.MaxRuleFileSize)
	}
	var file struct {
		Workflows []Workflow `json:"workflows"`
	}
	switch err := httpx.DecodeJSON(bytes.NewReader(data), &file); {
	case errors.Is(err, httpx.ErrTrailingData):
		return nil, fmt.Errorf("akana: workflow file: %w", httpx.ErrTrailingData)
	case err != nil:
		return nil, fmt.Errorf("akana: workflow file: %w", err)
	}
	return file.Workflows, nil
}

// LoadWorkflowsFile parses a workflow file (see ParseWorkflows) and
// validates it with NewWorkflows.
func LoadWorkflowsFile(path string, fields Fields) (*Workflows, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("akana: %w", err)
	}
	defer f.Close()
	ws, err := ParseWorkflows(f)
	if err != nil {
		return nil, err
	}
	return NewWorkflows(fields, ws)
}
