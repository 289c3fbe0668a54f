package actionstest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/actionable-go/actionable/actions"
)

// MaxTableSize bounds the decision tables RunTable reads.
const MaxTableSize = 8 << 20

// TableOption configures RunTable.
type TableOption func(*tableConfig)

type tableConfig struct{ update bool }

// Update makes RunTable rewrite the table's expectations from the current
// behaviour, instead of checking them, when on is true. Hosts wire it to
// their own -update flag:
//
//	var update = flag.Bool("update", false, "rewrite golden files")
//
//	func TestDecisions(t *testing.T) {
//		actionstest.RunTable(t, rules, "testdata/decisions.json", actionstest.Update(*update))
//	}
func Update(on bool) TableOption {
	return func(c *tableConfig) { c.update = on }
}

// RunTable runs the decision table in the JSON file at path (by convention
// under the package's testdata/) against the rules, each case as a subtest
// named after it. See the package documentation for the format. A table
// has no history: it is resolved over an empty store, where execution
// policies never refuse.
//
// A case with "applicable" checks the set of applicable actions, as
// [Applicable] does. A case with "apply" checks what executing the action
// would do, without a store: if the action is not applicable the outcome is
// the error Engine.Execute would return (forbidden or not applicable, with
// the reasons); otherwise it is the changes Catalog.Apply makes and the
// violations of the result. Changes are compared as JSON values. The
// engine's record limits ([actions.RecordLimits]) bound what a request may
// ask a journal to keep; a table keeps nothing, so it does not apply them.
//
// With [Update](true) nothing is checked: the expectations of every case are
// rewritten from the current behaviour (a case with neither key gets
// "applicable") and the file is written back in a stable format, one case
// key per line, so that a change of the rules shows up as a reviewable diff.
//
// When t has a Run method (a *testing.T) the cases are subtests; otherwise
// (a *testing.B, a fake testing.TB) they run one after the other and each
// failure starts with the case's name.
func RunTable[T any](t testing.TB, rules *actions.Catalog[T], path string, opts ...TableOption) {
	t.Helper()
	var cfg tableConfig
	for _, o := range opts {
		o(&cfg)
	}
	e := engineOf[T](t, rules)
	data, err := readTable(path)
	if err != nil {
		t.Fatalf("actionstest: %v", err)
	}
	tab, actors, err := parseTable(data)
	if err != nil {
		t.Fatalf("actionstest: %s: %v", path, err)
	}
	for i := range tab.Cases {
		c := &tab.Cases[i]
		subtest(t, c.Name, func(t testing.TB) {
			t.Helper()
			runCase(t, e, c, actors, cfg.update)
		})
	}
	if !cfg.update {
		if t.Failed() {
			t.Logf("to accept the current behaviour as expected, rewrite %s with actionstest.Update(true) (usually: go test -update)", path)
		}
		return
	}
	out, err := formatTable(tab)
	if err != nil {
		t.Fatalf("actionstest: formatting %s: %v", path, err)
	}
	if bytes.Equal(out, data) {
		return
	}
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatalf("actionstest: %v", err)
	}
	t.Logf("rewrote %s", path)
}

// subtest runs f as a subtest of t if t can run subtests, and otherwise
// inline with failures prefixed by name.
func subtest(t testing.TB, name string, f func(testing.TB)) {
	t.Helper()
	if r, ok := t.(interface {
		Run(string, func(*testing.T)) bool
	}); ok {
		r.Run(name, func(t *testing.T) {
			t.Helper() // report the line of the call to RunTable or TestStore
			f(t)
		})
		return
	}
	f(&prefixed{TB: t, prefix: name + ": "})
}

// prefixed is a testing.TB whose messages start with a prefix.
type prefixed struct {
	testing.TB
	prefix string
}

func (p *prefixed) Errorf(format string, args ...any) {
	p.TB.Helper()
	p.TB.Errorf("%s%s", p.prefix, fmt.Sprintf(format, args...))
}

func (p *prefixed) Fatalf(format string, args ...any) {
	p.TB.Helper()
	p.TB.Fatalf("%s%s", p.prefix, fmt.Sprintf(format, args...))
}

func (p *prefixed) Logf(format string, args ...any) {
	p.TB.Helper()
	p.TB.Logf("%s%s", p.prefix, fmt.Sprintf(format, args...))
}

// table is a decision table file.
type table struct {
	// Actors names actors that cases refer to by name, in file order.
	Actors json.RawMessage `json:"actors,omitempty"`
	Cases  []tableCase     `json:"cases"`
}

// tableCase is one row of a decision table.
type tableCase struct {
	Name       string           `json:"name"`
	Object     json.RawMessage  `json:"object,omitempty"`
	Actor      json.RawMessage  `json:"actor,omitempty"`
	Applicable *[]string        `json:"applicable,omitempty"`
	Apply      string           `json:"apply,omitempty"`
	Inputs     json.RawMessage  `json:"inputs,omitempty"`
	Changes    []tableChange    `json:"changes,omitempty"`
	Violations []tableViolation `json:"violations,omitempty"`
	Error      string           `json:"error,omitempty"`
}

type tableChange struct {
	Field string          `json:"field"`
	Old   json.RawMessage `json:"old"`
	New   json.RawMessage `json:"new"`
}

type tableViolation struct {
	Field   string `json:"field"`
	Rule    string `json:"rule"`
	Message string `json:"message,omitempty"`
}

// tableActor is an actions.Actor as a table writes it.
type tableActor struct {
	ID          string            `json:"id"`
	Name        string            `json:"name,omitempty"`
	Roles       []string          `json:"roles,omitempty"`
	Permissions []string          `json:"permissions,omitempty"`
	Attributes  map[string]string `json:"attributes,omitempty"`
}

func readTable(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxTableSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxTableSize {
		return nil, fmt.Errorf("%s: larger than %d bytes", path, MaxTableSize)
	}
	return data, nil
}

// namedActor is an entry of a table's actors, in file order.
type namedActor struct {
	name string
	raw  json.RawMessage
}

func parseTable(data []byte) (*table, []namedActor, error) {
	var tab table
	if err := strictUnmarshal(data, &tab); err != nil {
		return nil, nil, err
	}
	actors, err := parseActors(tab.Actors)
	if err != nil {
		return nil, nil, err
	}
	seen := map[string]bool{}
	for i, c := range tab.Cases {
		switch {
		case c.Name == "":
			return nil, nil, fmt.Errorf("case %d has no name", i)
		case seen[c.Name]:
			return nil, nil, fmt.Errorf("two cases are named %q", c.Name)
		}
		seen[c.Name] = true
	}
	return &tab, actors, nil
}

// parseActors reads the actors object keeping the order of its keys.
func parseActors(raw json.RawMessage) ([]namedActor, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, errors.New(`"actors" must be an object of actors by name`)
	}
	var out []namedActor
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("actors: %w", err)
		}
		name := tok.(string) // an object's keys are strings
		var a json.RawMessage
		if err := dec.Decode(&a); err != nil {
			return nil, fmt.Errorf("actor %q: %w", name, err)
		}
		if seen[name] {
			return nil, fmt.Errorf("actor %q is defined twice", name)
		}
		seen[name] = true
		if _, err := decodeActor(a); err != nil {
			return nil, fmt.Errorf("actor %q: %w", name, err)
		}
		out = append(out, namedActor{name, a})
	}
	return out, nil
}

func decodeActor(raw json.RawMessage) (actions.Actor, error) {
	var a tableActor
	if err := strictUnmarshal(raw, &a); err != nil {
		return actions.Actor{}, err
	}
	return actions.Actor{ID: a.ID, Name: a.Name, Roles: a.Roles, Permissions: a.Permissions, Attributes: a.Attributes}, nil
}

// actorOf returns the case's actor: a name from the table's actors, an
// actor object, or, when missing, the zero Actor.
func actorOf(raw json.RawMessage, actors []namedActor) (actions.Actor, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return actions.Actor{}, nil
	}
	if raw[0] == '"' {
		var name string
		if err := json.Unmarshal(raw, &name); err != nil {
			return actions.Actor{}, fmt.Errorf("actor: %w", err)
		}
		for _, a := range actors {
			if a.name == name {
				return decodeActor(a.raw)
			}
		}
		return actions.Actor{}, fmt.Errorf("actor %q is not in the table's actors", name)
	}
	a, err := decodeActor(raw)
	if err != nil {
		return actions.Actor{}, fmt.Errorf("actor: %w", err)
	}
	return a, nil
}

func strictUnmarshal(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("unexpected data after the JSON value")
	}
	return nil
}

// outcome is what a case observed, in the form it is compared.
type outcome struct {
	Changes    []string // "field: old -> new", values in JSON
	Violations []string // "field (rule): message", the message if expected
	Error      string
}

func runCase[T any](t testing.TB, e *actions.Engine[T], c *tableCase, actors []namedActor, update bool) {
	t.Helper()
	var obj T
	if len(c.Object) > 0 {
		if err := strictUnmarshal(c.Object, &obj); err != nil {
			t.Errorf("object: %v", err)
			return
		}
	}
	actor, err := actorOf(c.Actor, actors)
	if err != nil {
		t.Errorf("%v", err)
		return
	}
	ctx := context.Background()
	if c.Applicable == nil && c.Apply == "" && !update {
		t.Errorf(`the case has neither "applicable" nor "apply"`)
		return
	}
	if c.Applicable != nil || c.Apply == "" {
		list, err := e.Resolve(ctx, ObjectID, obj, actor)
		if err != nil {
			t.Errorf("resolving: %v", err)
			return
		}
		got := make([]string, len(list))
		for i, a := range list {
			got[i] = a.ID()
		}
		if update {
			c.Applicable = &got
		} else if msg := applicableMismatch(ctx, e, obj, actor, *c.Applicable, got); msg != "" {
			t.Errorf("applicable actions mismatch (-want +got):\n%s", msg)
		}
	}
	if c.Apply == "" {
		return
	}
	var inputs actions.Inputs
	if len(c.Inputs) > 0 {
		// Decoded as a client's JSON body is: numbers are float64s.
		if err := json.Unmarshal(c.Inputs, &inputs); err != nil {
			t.Errorf("inputs: %v", err)
			return
		}
	}
	changes, violations, errText, err := execute(ctx, e, c.Apply, obj, actor, inputs)
	if err != nil {
		t.Errorf("apply %q: %v", c.Apply, err)
		return
	}
	if update {
		c.Changes, c.Violations, c.Error = changes, violations, errText
		return
	}
	want, err := outcomeOf(c.Changes, c.Violations, c.Error, c.Violations)
	if err != nil {
		t.Errorf("%v", err)
		return
	}
	got, err := outcomeOf(changes, violations, errText, c.Violations)
	if err != nil {
		t.Errorf("apply %q: %v", c.Apply, err)
		return
	}
	if diff := diff(want, got); diff != "" {
		t.Errorf("outcome of %q mismatch (-want +got):\n%s", c.Apply, diff)
	}
}

// execute does what Engine.Execute would, without a store: Engine.Check,
// which is how Execute decides and words a refusal, then apply. It returns
// the outcome in table form; err is a fault of the kit (a value that cannot
// be written as JSON), not of the rules.
func execute[T any](ctx context.Context, e *actions.Engine[T], id string, obj T, actor actions.Actor, inputs actions.Inputs) ([]tableChange, []tableViolation, string, error) {
	if err := e.Check(ctx, id, ObjectID, obj, actor); err != nil {
		return nil, nil, err.Error(), nil
	}
	applied, err := e.Catalog().Apply(ctx, id, obj, actor, actions.WithInputs(inputs))
	var ve *actions.ValidationError
	var violations []tableViolation
	switch {
	case errors.As(err, &ve):
		for _, v := range ve.Violations {
			violations = append(violations, tableViolation{Field: v.Field, Rule: v.Rule, Message: v.Message})
		}
	case err != nil:
		return nil, nil, err.Error(), nil
	}
	var changes []tableChange
	for _, ch := range applied.Changes {
		old, err := json.Marshal(ch.Old)
		if err != nil {
			return nil, nil, "", fmt.Errorf("old value of %s: %w", ch.Field, err)
		}
		nv, err := json.Marshal(ch.New)
		if err != nil {
			return nil, nil, "", fmt.Errorf("new value of %s: %w", ch.Field, err)
		}
		changes = append(changes, tableChange{Field: ch.Field, Old: old, New: nv})
	}
	return changes, violations, "", nil
}

// outcomeOf renders changes, violations and an error for comparison.
// Violation messages are rendered only if some violation of want has one.
func outcomeOf(changes []tableChange, violations []tableViolation, errText string, want []tableViolation) (outcome, error) {
	messages := slices.ContainsFunc(want, func(v tableViolation) bool { return v.Message != "" })
	var o outcome
	for _, ch := range changes {
		old, err := canonical(ch.Old)
		if err != nil {
			return outcome{}, fmt.Errorf("old value of %s: %w", ch.Field, err)
		}
		nv, err := canonical(ch.New)
		if err != nil {
			return outcome{}, fmt.Errorf("new value of %s: %w", ch.Field, err)
		}
		o.Changes = append(o.Changes, fmt.Sprintf("%s: %s -> %s", ch.Field, old, nv))
	}
	for _, v := range violations {
		s := fmt.Sprintf("%s (%s)", v.Field, v.Rule)
		if messages {
			s += ": " + v.Message
		}
		o.Violations = append(o.Violations, s)
	}
	slices.Sort(o.Violations)
	o.Error = errText
	return o, nil
}

// canonical re-encodes a JSON value so that equal values read the same:
// 80 and 80.0, keys in any order. A missing value is null.
func canonical(raw json.RawMessage) (string, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return "null", nil
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return "", err
	}
	return encode(v)
}

// encode writes v as one line of JSON with a space after every colon and
// comma, and without escaping <, > and &, which conditions are full of.
func encode(v any) (string, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return spaced(bytes.TrimSpace(b.Bytes())), nil
}

// spaced adds a space after the colons and commas of compact JSON.
func spaced(compact []byte) string {
	var b strings.Builder
	inString, escaped := false, false
	for _, c := range compact {
		b.WriteByte(c)
		switch {
		case escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case c == '"':
			inString = !inString
		case !inString && (c == ':' || c == ','):
			b.WriteByte(' ')
		}
	}
	return b.String()
}

// formatTable writes a table in its stable form: two-space indentation, one
// key of a case per line, each value (an object, an actor, a change) on one
// line.
func formatTable(tab *table) ([]byte, error) {
	actors, err := parseActors(tab.Actors)
	if err != nil {
		return nil, err
	}
	w := &tableWriter{}
	w.line("{")
	if len(actors) > 0 {
		w.line(`  "actors": {`)
		for i, a := range actors {
			w.item(4, a.name, json.RawMessage(a.raw), i == len(actors)-1)
		}
		w.line("  },")
	}
	w.line(`  "cases": [`)
	for i, c := range tab.Cases {
		w.line("    {")
		type kv struct {
			key string
			val any
		}
		kvs := []kv{{"name", c.Name}}
		if len(c.Object) > 0 {
			kvs = append(kvs, kv{"object", c.Object})
		}
		if len(c.Actor) > 0 {
			kvs = append(kvs, kv{"actor", c.Actor})
		}
		if c.Applicable != nil {
			kvs = append(kvs, kv{"applicable", *c.Applicable})
		}
		if c.Apply != "" {
			kvs = append(kvs, kv{"apply", c.Apply})
		}
		if len(c.Inputs) > 0 {
			kvs = append(kvs, kv{"inputs", c.Inputs})
		}
		if len(c.Changes) > 0 {
			kvs = append(kvs, kv{"changes", c.Changes})
		}
		if len(c.Violations) > 0 {
			kvs = append(kvs, kv{"violations", c.Violations})
		}
		if c.Error != "" {
			kvs = append(kvs, kv{"error", c.Error})
		}
		for j, p := range kvs {
			switch elems := p.val.(type) {
			case []tableChange:
				writeList(w, 6, p.key, elems, j == len(kvs)-1)
			case []tableViolation:
				writeList(w, 6, p.key, elems, j == len(kvs)-1)
			default:
				w.item(6, p.key, p.val, j == len(kvs)-1)
			}
		}
		if i == len(tab.Cases)-1 {
			w.line("    }")
		} else {
			w.line("    },")
		}
	}
	w.line("  ]")
	w.line("}")
	return w.b.Bytes(), w.err
}

type tableWriter struct {
	b   bytes.Buffer
	err error
}

func (w *tableWriter) line(s string) {
	w.b.WriteString(s)
	w.b.WriteByte('\n')
}

func (w *tableWriter) item(indent int, key string, v any, last bool) {
	k, _ := encode(key)
	s, err := encode(v)
	if err != nil && w.err == nil {
		w.err = fmt.Errorf("%s: %w", key, err)
	}
	w.line(strings.Repeat(" ", indent) + k + ": " + s + comma(last))
}

// writeList writes a list one element per line.
func writeList[E any](w *tableWriter, indent int, key string, elems []E, last bool) {
	k, _ := encode(key)
	w.line(strings.Repeat(" ", indent) + k + ": [")
	for i, e := range elems {
		s, err := encode(e)
		if err != nil && w.err == nil {
			w.err = fmt.Errorf("%s: %w", key, err)
		}
		w.line(strings.Repeat(" ", indent+2) + s + comma(i == len(elems)-1))
	}
	w.line(strings.Repeat(" ", indent) + "]" + comma(last))
}

func comma(last bool) string {
	if last {
		return ""
	}
	return ","
}
