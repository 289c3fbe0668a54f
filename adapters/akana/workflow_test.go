package akana_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/actionable-go/actionable/actions"
	"github.com/actionable-go/actionable/adapters/akana"
	"github.com/actionable-go/actionable/conditions"
	"github.com/google/go-cmp/cmp"
)

func TestDefinitions(t *testing.T) {
	wf, err := akana.NewWorkflows(akana.Fields{Key: "Flow", State: "Step"}, []akana.Workflow{
		{Key: "doc", Title: "Documents", States: []string{"Draft", "Final"}, Permission: "doc.edit",
			Actions: []akana.WorkflowAction{
				{Name: "finish", Description: "Make it final", From: []string{"Draft"}, To: "Final"},
				{Name: "@Modify"},
				{Name: "reopen", To: "Draft", Permission: "doc.admin", Condition: `Owner == Actor.ID`},
				{Name: "archive-quietly", Reserved: true},
			}},
		{Key: "open", Actions: []akana.WorkflowAction{{Name: "reserved-touch"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []actions.Definition{
		{ID: "doc/finish", Name: "finish", Description: "Make it final", Position: 1, Guards: []actions.Guard{{Name: "workflow", Expr: `Flow == "doc"`}},
			Permission: "doc.edit", Workflow: &actions.Workflow{Field: "Step", From: []string{"Draft"}, To: "Final"}},
		{ID: "doc/@Modify", Name: "@Modify", Position: 2, Guards: []actions.Guard{{Name: "workflow", Expr: `Flow == "doc"`}}, Permission: "doc.edit",
			Workflow: &actions.Workflow{Field: "Step", From: []string{"Draft", "Final"}}, Reserved: true},
		{ID: "doc/reopen", Name: "reopen", Position: 3, Guards: []actions.Guard{{Name: "workflow", Expr: `Flow == "doc"`}, {Name: "condition", Expr: `Owner == Actor.ID`}}, Permission: "doc.admin",
			Workflow: &actions.Workflow{Field: "Step", From: []string{"Draft", "Final"}, To: "Draft"}},
		{ID: "doc/archive-quietly", Name: "archive-quietly", Position: 4, Guards: []actions.Guard{{Name: "workflow", Expr: `Flow == "doc"`}}, Permission: "doc.edit",
			Workflow: &actions.Workflow{Field: "Step", From: []string{"Draft", "Final"}}, Reserved: true},
		{ID: "open/reserved-touch", Name: "reserved-touch", Position: 5, Guards: []actions.Guard{{Name: "workflow", Expr: `Flow == "open"`}},
			Workflow: &actions.Workflow{Field: "Step"}, Reserved: true},
	}
	if diff := cmp.Diff(want, wf.Definitions()); diff != "" {
		t.Errorf("Definitions mismatch (-want +got):\n%s", diff)
	}
	// They are ordinary definitions: the core compiles them.
	type doc struct{ Flow, Step, Owner string }
	if _, err := actions.Compile[doc](wf.Definitions()); err != nil {
		t.Fatal(err)
	}
	// The name is recoverable from the id.
	for _, d := range wf.Definitions() {
		key, name, ok := wf.Action(d.ID)
		if id, _ := wf.ActionID(key, name); !ok || name != d.Name || id != d.ID {
			t.Errorf("Action(%q) = %q, %q, %v", d.ID, key, name, ok)
		}
	}
}

// TestWorkflowKeyQuoting checks that a key with quotes and backslashes
// compiles to a condition that selects exactly that key.
func TestWorkflowKeyQuoting(t *testing.T) {
	key := `a "quoted" \ key é`
	wf, err := akana.NewWorkflows(akana.Fields{}, []akana.Workflow{{Key: key, Actions: []akana.WorkflowAction{{Name: "go", To: "Gone"}}}})
	if err != nil {
		t.Fatal(err)
	}
	type obj struct{ WorkflowKey, State string }
	cat, err := actions.Compile[obj](wf.Definitions())
	if err != nil {
		t.Fatal(err)
	}
	engine, err := actions.New(cat, actions.NewMemoryStore[obj]())
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		key  string
		want int
	}{{key, 1}, {`a "quoted" \\ key é`, 0}, {"other", 0}} {
		list, err := engine.Resolve(context.Background(), "x", obj{WorkflowKey: tt.key}, actions.Actor{})
		if err != nil || len(list) != tt.want {
			t.Errorf("Resolve(%q) = %d actions, %v; want %d", tt.key, len(list), err, tt.want)
		}
	}
}

func TestNewWorkflowsProblems(t *testing.T) {
	tests := []struct {
		name      string
		fields    akana.Fields
		workflows []akana.Workflow
		want      []string
	}{
		{"missing key and name", akana.Fields{}, []akana.Workflow{{Actions: []akana.WorkflowAction{{To: "x"}}}},
			[]string{"workflow #0: key: missing", "workflow #0 action #0: name: missing"}},
		{"duplicates", akana.Fields{}, []akana.Workflow{
			{Key: "w", States: []string{"A", "A"}, Actions: []akana.WorkflowAction{{Name: "go"}, {Name: "go"}}},
			{Key: "w"}},
			[]string{`workflow w: states: duplicate state "A"`, "workflow w action go: name: duplicate action name", "workflow w: key: duplicate workflow key"}},
		{"unknown states", akana.Fields{}, []akana.Workflow{
			{Key: "w", States: []string{"A"}, Actions: []akana.WorkflowAction{{Name: "go", From: []string{"B"}, To: "C"}}}},
			[]string{`workflow w action go: from: "B" is not a state of the workflow`, `workflow w action go: to: "C" is not a state of the workflow`}},
		{"control characters", akana.Fields{}, []akana.Workflow{{Key: "w\n", Actions: []akana.WorkflowAction{{Name: "a\x00"}}}},
			[]string{`workflow w` + "\n" + `: key: "w\n" contains a control character`, `workflow w` + "\n" + ` action a` + "\x00" + `: name: "a\x00" contains a control character`}},
		{"colliding ids", akana.Fields{}, []akana.Workflow{
			{Key: "a/b", Actions: []akana.WorkflowAction{{Name: "c"}}},
			{Key: "a", Actions: []akana.WorkflowAction{{Name: "b/c"}}}},
			[]string{`workflow a action b/c: name: action id "a/b/c" is also the id of action "c" of workflow "a/b"`}},
		{"condition that is not a whole expression", akana.Fields{}, []akana.Workflow{
			{Key: "w", Actions: []akana.WorkflowAction{{Name: "go", Condition: "true) || (true"}}}},
			[]string{"workflow w action go: condition: unexpected token Bracket(\")\") (1:5)\n | true) || (true\n | ....^"}},
		{"bad fields", akana.Fields{Key: "workflow", State: "workflow"}, nil,
			[]string{`workflow *: fields.key: "workflow" is not an exported Go field name`,
				`workflow *: fields.state: "workflow" is not an exported Go field name`,
				"workflow *: fields: the key and the state must be different fields"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := akana.NewWorkflows(tt.fields, tt.workflows)
			var de *akana.DefinitionError
			if !errors.As(err, &de) {
				t.Fatalf("err = %v, want a *DefinitionError", err)
			}
			var got []string
			for _, p := range de.Problems {
				got = append(got, p.Error())
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("problems mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseWorkflows(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []akana.Workflow
		wantErr string
	}{
		{"ok", `{"workflows": [{"key": "w", "title": "W", "states": ["A", "B"], "permission": "p",
			"actions": [{"name": "go", "from": ["A"], "to": "B", "reserved": true}]}]}`,
			[]akana.Workflow{{Key: "w", Title: "W", States: []string{"A", "B"}, Permission: "p",
				Actions: []akana.WorkflowAction{{Name: "go", From: []string{"A"}, To: "B", Reserved: true}}}}, ""},
		{"unknown key", `{"workflows": [{"key": "w", "titel": "W"}]}`, nil, `akana: workflow file: json: unknown field "titel"`},
		{"wrong type", `{"workflows": {}}`, nil, "akana: workflow file: json: cannot unmarshal"},
		{"trailing data", `{"workflows": []} []`, nil, "akana: workflow file: unexpected data after the JSON value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := akana.ParseWorkflows(strings.NewReader(tt.in))
			if tt.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one starting with %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseWorkflows mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDemoWorkflowsFile loads the example server's workflow file: it must
// match the workflows the tests define in Go.
func TestDemoWorkflowsFile(t *testing.T) {
	wf, err := akana.LoadWorkflowsFile("../../testdata/akana/workflows.json", akana.Fields{})
	if err != nil {
		t.Fatal(err)
	}
	var got []akana.Workflow
	for _, w := range wf.List() {
		for i := range w.Actions {
			w.Actions[i].Description = ""
		}
		got = append(got, w)
	}
	if diff := cmp.Diff(testWorkflows, got); diff != "" {
		t.Errorf("testdata/akana/workflows.json differs from the tests' workflows (-go +file):\n%s", diff)
	}
}

func TestIsReserved(t *testing.T) {
	for name, want := range map[string]bool{
		"@Modify": true, "reserved-allow-cert-upload": true, "reserved-connect-to-api.Sandbox": true,
		"discussion.action.unpublish": false, "Change to managed users": false, "reserved": false, "x@y": false,
	} {
		if got := akana.IsReserved(name); got != want {
			t.Errorf("IsReserved(%q) = %v, want %v", name, got, want)
		}
	}
}

// flowDoc is an object type of the guard tests.
type flowDoc struct {
	Flow, Step, Owner string
}

// TestConditionIsAGuard: an action's condition is a guard of its own, so a
// typo in it is reported at its own line and column (not at a column of a
// condition the adapter built around it), and a refusal names the guard.
func TestConditionIsAGuard(t *testing.T) {
	wf, err := akana.NewWorkflows(akana.Fields{Key: "Flow", State: "Step"}, []akana.Workflow{{
		Key: "doc", States: []string{"Draft"},
		Actions: []akana.WorkflowAction{{Name: "reopen", Condition: "Ownr == Actor.ID"}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = actions.Compile[flowDoc](wf.Definitions())
	var le *actions.LoadError
	var ce *conditions.Error
	if !errors.As(err, &le) || len(le.Problems) != 1 || le.Problems[0].Key != "guards[1].expr" || !errors.As(le.Problems[0].Err, &ce) {
		t.Fatalf("Compile: %v, want one problem at guards[1].expr", err)
	}
	if ce.Line != 1 || ce.Column != 1 || ce.Source != "Ownr == Actor.ID" {
		t.Errorf("the error is at %d:%d of %q, want 1:1 of the author's condition", ce.Line, ce.Column, ce.Source)
	}

	wf, _ = akana.NewWorkflows(akana.Fields{Key: "Flow", State: "Step"}, []akana.Workflow{{
		Key: "doc", States: []string{"Draft"},
		Actions: []akana.WorkflowAction{{Name: "reopen", Condition: "Owner == Actor.ID"}},
	}})
	cat, err := actions.Compile[flowDoc](wf.Definitions())
	if err != nil {
		t.Fatal(err)
	}
	engine, _ := actions.New(cat, actions.NewMemoryStore[flowDoc]())
	ctx := context.Background()
	for _, tt := range []struct {
		doc   flowDoc
		guard string
	}{
		{flowDoc{Flow: "other", Step: "Draft", Owner: "ann"}, akana.GuardWorkflow},
		{flowDoc{Flow: "doc", Step: "Draft", Owner: "bob"}, akana.GuardCondition},
	} {
		reasons, err := engine.Explain(ctx, akana.ActionID("doc", "reopen"), "d", tt.doc, actions.Actor{ID: "ann"})
		if err != nil || len(reasons) != 1 || reasons[0].Guard != tt.guard {
			t.Errorf("Explain(%+v) = %+v, %v; want one reason naming guard %q", tt.doc, reasons, err, tt.guard)
		}
	}
}
