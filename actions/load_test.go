package actions_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"strings"
	"testing"

	"github.com/actionable-go/actionable/actions"
	"github.com/actionable-go/actionable/conditions"
)

var notify = actions.WithEffect("notify", actions.EffectFunc[Ticket](func(context.Context, actions.EffectInput[Ticket]) error { return nil }))

func TestCompileProblems(t *testing.T) {
	tests := []struct {
		name string
		defs []actions.Definition
		want []problem
		// exprKeys are the keys whose problem must carry a *conditions.Error.
		exprKeys []string
	}{
		{
			name: "missing id and name",
			defs: []actions.Definition{{Description: "nameless"}},
			want: []problem{{0, "", "id"}, {0, "", "name"}},
		},
		{
			name: "duplicate id",
			defs: []actions.Definition{{ID: "a", Name: "A"}, {ID: "b", Name: "B"}, {ID: "a", Name: "A again"}},
			want: []problem{{2, "a", "id"}},
		},
		{
			name:     "condition does not compile",
			defs:     []actions.Definition{{ID: "a", Name: "A", Condition: `Statu == "new"`}},
			want:     []problem{{0, "a", "condition"}},
			exprKeys: []string{"condition"},
		},
		{
			name:     "condition is not a bool",
			defs:     []actions.Definition{{ID: "a", Name: "A", Condition: `Priority + 1`}},
			want:     []problem{{0, "a", "condition"}},
			exprKeys: []string{"condition"},
		},
		{
			name: "change of a missing field",
			defs: []actions.Definition{{ID: "a", Name: "A", Changes: []actions.Change{{Field: "title", Expr: `"x"`}, {Field: "colour", Expr: `"red"`}}}},
			want: []problem{{0, "a", "changes[1].field"}},
		},
		{
			name: "change of the wrong type",
			defs: []actions.Definition{{ID: "a", Name: "A", Changes: []actions.Change{
				{Field: "priority", Expr: `"high"`},
				{Field: "Title", Expr: "Priority"},
				{Field: "tags", Expr: `"x"`},
				{Field: "labels", Expr: "Tags"},
				{Field: "email", Expr: "Labels"},
			}}},
			want: []problem{{0, "a", "changes[0].expr"}, {0, "a", "changes[1].expr"}, {0, "a", "changes[2].expr"}, {0, "a", "changes[3].expr"}, {0, "a", "changes[4].expr"}},
		},
		{
			name:     "change expression does not compile",
			defs:     []actions.Definition{{ID: "a", Name: "A", Changes: []actions.Change{{Field: "priority", Expr: "Priority +"}}}},
			want:     []problem{{0, "a", "changes[0].expr"}},
			exprKeys: []string{"changes[0].expr"},
		},
		{
			name: "field changed twice",
			defs: []actions.Definition{{
				ID: "a", Name: "A", Workflow: &actions.Workflow{Field: "status", To: "open"},
				Changes: []actions.Change{{Field: "Status", Expr: `"closed"`}, {Field: "title", Expr: `"a"`}, {Field: "Title", Expr: `"b"`}},
			}},
			want: []problem{{0, "a", "changes[0].field"}, {0, "a", "changes[2].field"}},
		},
		{
			name: "workflow on a missing or non-string field",
			defs: []actions.Definition{
				{ID: "a", Name: "A", Workflow: &actions.Workflow{Field: "state", From: []string{"new"}}},
				{ID: "b", Name: "B", Workflow: &actions.Workflow{Field: "priority", From: []string{"1"}}},
			},
			want: []problem{{0, "a", "workflow.field"}, {1, "b", "workflow.field"}},
		},
		{
			name:     "post-conditions",
			defs:     []actions.Definition{{ID: "a", Name: "A", PostConditions: []actions.PostCondition{{Expr: "Progress <= 100"}, {Expr: "Progres <= 100", Message: "m"}}}},
			want:     []problem{{0, "a", "postConditions[0].message"}, {0, "a", "postConditions[1].expr"}},
			exprKeys: []string{"postConditions[1].expr"},
		},
		{
			name: "unknown effect",
			defs: []actions.Definition{{ID: "a", Name: "A", Effects: []string{"notify", "sendMail"}}},
			want: []problem{{0, "a", "effects[1]"}},
		},
		{
			name: "bad policy",
			defs: []actions.Definition{{ID: "a", Name: "A", Policy: 7}, {ID: "b", Name: "B", Policy: -1}},
			want: []problem{{0, "a", "policy"}, {1, "b", "policy"}},
		},
		{
			name: "every problem at once",
			defs: []actions.Definition{
				{ID: "a", Name: "A", Condition: "Priority >"},
				{Name: "no id"},
				{ID: "a", Name: "A again", Changes: []actions.Change{{Field: "colour", Expr: `"red"`}}},
				{ID: "c", Name: "C", Effects: []string{"sendMail"}, Policy: 3},
			},
			want: []problem{
				{0, "a", "condition"},
				{1, "", "id"},
				{2, "a", "id"},
				{2, "a", "changes[0].field"},
				{3, "c", "policy"},
				{3, "c", "effects[0]"},
			},
			exprKeys: []string{"condition"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cat, err := actions.Compile[Ticket](tt.defs, notify)
			if cat != nil {
				t.Errorf("Compile returned a catalog with an error")
			}
			diff(t, "problems", tt.want, problemsOf(t, err))
			checkExprProblems(t, err, tt.exprKeys)
		})
	}
}

// checkExprProblems checks that the problems of keys carry a
// *conditions.Error, reachable with errors.As from the problem and, for the
// first, from the *LoadError itself.
func checkExprProblems(t *testing.T, err error, keys []string) {
	t.Helper()
	le, _ := errorAs[*actions.LoadError](err)
	for _, key := range keys {
		found := false
		for _, p := range le.Problems {
			if p.Key != key {
				continue
			}
			found = true
			if _, ok := errorAs[*conditions.Error](p); !ok {
				t.Errorf("problem %q: %v is not a *conditions.Error", key, p.Err)
			}
		}
		if !found {
			t.Errorf("no problem with key %q", key)
		}
	}
	if len(keys) > 0 {
		if _, ok := errorAs[*conditions.Error](err); !ok {
			t.Errorf("errors.As(%v, *conditions.Error) = false", err)
		}
	}
}

func TestLoadJSONProblems(t *testing.T) {
	tests := []struct {
		name     string
		json     string
		want     []problem
		exprKeys []string
	}{
		{
			name: "unknown key",
			json: `{"actions": [{"id": "a", "name": "A", "colour": "red", "ID": "b"}]}`,
			want: []problem{{0, "a", "ID"}, {0, "a", "colour"}},
		},
		{
			name: "unknown nested key",
			json: `{"actions": [{"id": "a", "name": "A", "workflow": {"field": "status", "form": ["new"]}, "changes": [{"field": "title", "exp": "1"}]}]}`,
			want: []problem{{0, "a", "changes[0].exp"}, {0, "a", "workflow.form"}},
		},
		{
			// encoding/json matches keys case-insensitively and keeps the
			// last of two equal keys: a strict file must say so.
			name: "nested keys in the wrong case",
			json: `{"actions": [{"id": "a", "name": "A", "changes": [{"field": "title", "expr": "\"x\""}, {"Field": "title", "expr": "\"y\""}], "postConditions": [{"EXPR": "true", "message": "m"}]}]}`,
			want: []problem{{0, "a", "changes[1].Field"}, {0, "a", "postConditions[0].EXPR"}},
		},
		{
			name: "duplicate keys",
			json: `{"actions": [{"id": "a", "name": "A", "condition": "true", "condition": "false", "workflow": {"field": "status", "to": "x", "to": "y"}}]}`,
			want: []problem{{0, "a", "condition"}, {0, "a", "workflow.to"}},
		},
		{
			name: "nested values of the wrong JSON type",
			json: `{"actions": [{"id": "a", "name": "A", "changes": [{"field": "title", "expr": "\"x\""}, {"field": 7, "expr": "1"}], "effects": ["notify", 3]}]}`,
			want: []problem{{0, "a", "changes[1].field"}, {0, "a", "effects[1]"}},
		},
		{
			name: "values of the wrong JSON type",
			json: `{"actions": [{"id": "a", "name": "A", "position": "first", "reserved": "yes", "workflow": {"field": "status", "from": "new"}}]}`,
			want: []problem{{0, "a", "position"}, {0, "a", "reserved"}, {0, "a", "workflow.from"}},
		},
		{
			name: "bad policy name",
			json: `{"actions": [{"id": "a", "name": "A", "policy": "Sometimes"}, {"id": "b", "name": "B", "policy": 1}]}`,
			want: []problem{{0, "a", "policy"}, {1, "b", "policy"}},
		},
		{
			name: "not an object",
			json: `{"actions": [{"id": "a", "name": "A"}, 42, null]}`,
			want: []problem{{1, "", ""}, {2, "", ""}},
		},
		{
			name: "not a rule file",
			json: `{"rules": []}`,
			want: []problem{{-1, "", ""}},
		},
		{
			name: "rule file key in the wrong case",
			json: `{"Actions": [{"id": "a", "name": "A"}]}`,
			want: []problem{{-1, "", ""}},
		},
		{
			name: "rule file key twice",
			json: `{"actions": [{"id": "a", "name": "A"}], "actions": []}`,
			want: []problem{{-1, "", ""}},
		},
		{
			name: "trailing data",
			json: `{"actions": []} {}`,
			want: []problem{{-1, "", ""}},
		},
		{
			name: "syntax error",
			json: `{"actions": [`,
			want: []problem{{-1, "", ""}},
		},
		{
			name:     "parse and compile problems together",
			json:     `{"actions": [{"id": "a", "name": "A", "extra": 1, "condition": "Statu == 1"}, {"id": "b", "name": "B", "policy": "Twice"}, {"id": "a", "name": "A"}]}`,
			want:     []problem{{0, "a", "extra"}, {1, "b", "policy"}, {0, "a", "condition"}, {2, "a", "id"}},
			exprKeys: []string{"condition"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cat, err := actions.LoadJSON[Ticket](strings.NewReader(tt.json), notify)
			if cat != nil {
				t.Errorf("LoadJSON returned a catalog with an error")
			}
			diff(t, "problems", tt.want, problemsOf(t, err))
			checkExprProblems(t, err, tt.exprKeys)
		})
	}
}

// TestLoadFileProblems loads a rule file with one of every problem: all are
// reported together, each with the action id and the key.
func TestLoadFileProblems(t *testing.T) {
	cat, err := actions.LoadFile[Ticket]("testdata/problems.json", notify)
	if cat != nil {
		t.Errorf("LoadFile returned a catalog with an error")
	}
	want := []problem{
		// Found while parsing.
		{0, "start", "colour"},
		{7, "sometimes", "policy"},
		{8, "nested", "workflow.form"},
		// Found while compiling what parsed.
		{1, "start", "id"},
		{2, "typo", "condition"},
		{3, "ghost", "changes[1].field"},
		{4, "mistyped", "changes[0].expr"},
		{5, "mail", "effects[0]"},
		{6, "", "id"},
		{6, "", "name"},
	}
	diff(t, "problems", want, problemsOf(t, err))
	checkExprProblems(t, err, []string{"condition"})
	ce, _ := errorAs[*conditions.Error](err)
	diff(t, "expression error", &conditions.Error{
		Source: `Status == "new" && Priorty > 2`, Line: 1, Column: 20,
		Snippet: " | Status == \"new\" && Priorty > 2\n | ...................^",
		Message: "unknown name Priorty",
	}, ce, ignoreErr)
}

func TestLoadFile(t *testing.T) {
	cat, err := actions.LoadFile[Ticket]("testdata/rules.json", notify)
	if err != nil {
		t.Fatalf("LoadFile: %v", err)
	}
	var ids []string
	for _, a := range cat.Actions() {
		ids = append(ids, a.ID())
	}
	diff(t, "actions", []string{"start", "progress", "close", "approve", "escalate", "modify"}, ids)
	a, err := cat.Action("escalate")
	if err != nil {
		t.Fatalf("Action: %v", err)
	}
	diff(t, "definition", actions.Definition{
		ID: "escalate", Name: "Escalate", Position: 5,
		Condition: `Status != "closed" && Priority < 5`,
		Changes:   []actions.Change{{Field: "priority", Expr: "Priority + 1"}, {Field: "due", Expr: "now() + days(2)"}},
		Policy:    actions.OncePerUser,
	}, a.Definition())

	// The parsed definitions compile to the same catalog.
	f, err := os.Open("testdata/rules.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	defs, err := actions.ParseJSON(f)
	if err != nil {
		t.Fatalf("ParseJSON: %v", err)
	}
	var got []actions.Definition
	for _, a := range cat.Actions() {
		got = append(got, a.Definition())
	}
	diff(t, "definitions", defs, got)
}

func TestLoadFileMissing(t *testing.T) {
	_, err := actions.LoadFile[Ticket]("testdata/missing.json")
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("LoadFile error = %v, want fs.ErrNotExist", err)
	}
}

func TestLoadJSONTooLarge(t *testing.T) {
	big := `{"actions": [` + strings.Repeat(" ", actions.MaxRuleFileSize) + `]}`
	_, err := actions.LoadJSON[Ticket](strings.NewReader(big))
	if err == nil {
		t.Fatal("LoadJSON accepted a rule file over MaxRuleFileSize")
	}
	if _, ok := errorAs[*actions.LoadError](err); ok {
		t.Errorf("LoadJSON error %v is a *LoadError, want a size error", err)
	}
}

// Actorful has a field named Actor, which the environment reserves.
type Actorful struct{ Actor string }

// ActorTagged has a field expressions would read as Actor.
type ActorTagged struct {
	Owner string `expr:"Actor"`
}

// Twins has two fields expressions would read by one name.
type Twins struct {
	State  string
	Status string `expr:"State"`
}

// Hidden has a field expressions cannot read, and one that takes its name.
type Hidden struct {
	State  string `expr:"-"`
	Status string `expr:"State"`
}

func TestCompileSetupErrors(t *testing.T) {
	defs := []actions.Definition{{ID: "a", Name: "A", Condition: "true"}}
	noop := actions.EffectFunc[Ticket](func(context.Context, actions.EffectInput[Ticket]) error { return nil })
	tests := []struct {
		name    string
		compile func() error
	}{
		{"effect without a name", func() error {
			_, err := actions.Compile[Ticket](defs, actions.WithEffect[Ticket]("", noop))
			return err
		}},
		{"effect without code", func() error {
			_, err := actions.Compile[Ticket](defs, actions.WithEffect[Ticket]("x", nil))
			return err
		}},
		{"effect registered twice", func() error {
			_, err := actions.Compile[Ticket](defs, actions.WithEffect("x", noop), actions.WithEffect("x", noop))
			return err
		}},
		{"nil validator", func() error { _, err := actions.Compile[Ticket](defs, actions.WithValidator(nil)); return err }},
		{"bad condition option", func() error {
			_, err := actions.Compile[Ticket](defs, actions.WithConditionOptions(conditions.MaxNodes(0)))
			return err
		}},
		{"object is not a struct", func() error { _, err := actions.Compile[string](defs); return err }},
		{"object has a field Actor", func() error { _, err := actions.Compile[Actorful](defs); return err }},
		{"object has a field read as Actor", func() error { _, err := actions.Compile[ActorTagged](defs); return err }},
		{"two fields read by one name", func() error { _, err := actions.Compile[Twins](defs); return err }},
	}
	wantErrs := map[string]string{
		"object has a field Actor":         "actions: object type actions_test.Actorful has a field Actor that expressions read as Actor, a name the environment reserves for the actor",
		"object has a field read as Actor": "actions: object type actions_test.ActorTagged has a field Owner that expressions read as Actor, a name the environment reserves for the actor",
		"two fields read by one name":      "actions: object type actions_test.Twins has fields State and Status that expressions both read as State",
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.compile()
			if err == nil {
				t.Fatal("Compile succeeded")
			}
			if want, ok := wantErrs[tt.name]; ok && err.Error() != want {
				t.Errorf("Compile: %v, want %s", err, want)
			}
		})
	}
	// A field tagged expr:"-" gives its name up.
	cat, err := actions.Compile[Hidden]([]actions.Definition{{ID: "a", Name: "A", Condition: `State == "open"`}})
	if err != nil {
		t.Fatal(err)
	}
	e, err := actions.New(cat, &actions.MemoryStore[Hidden]{})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Check(context.Background(), "a", "h", Hidden{State: "closed", Status: "open"}, actions.Actor{}); err != nil {
		t.Errorf("State reads Status: %v", err)
	}
}

func TestMustCompilePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("MustCompile did not panic")
		}
	}()
	actions.MustCompile[Ticket]([]actions.Definition{{ID: "a"}})
}

func TestPolicyText(t *testing.T) {
	tests := []struct {
		policy actions.Policy
		text   string
	}{
		{actions.Unlimited, "Unlimited"},
		{actions.Once, "Once"},
		{actions.OncePerUser, "OncePerUser"},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			b, err := tt.policy.MarshalText()
			if err != nil {
				t.Fatalf("MarshalText: %v", err)
			}
			diff(t, "text", tt.text, string(b))
			diff(t, "String", tt.text, tt.policy.String())
			var p actions.Policy
			if err := p.UnmarshalText(b); err != nil {
				t.Fatalf("UnmarshalText: %v", err)
			}
			diff(t, "policy", tt.policy, p)
		})
	}
	if _, err := actions.Policy(5).MarshalText(); err == nil {
		t.Error("MarshalText(5) succeeded")
	}
	diff(t, "String", "Policy(5)", actions.Policy(5).String())
}
