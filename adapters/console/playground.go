package console

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/actionable-go/actionable/actions"
	"github.com/actionable-go/actionable/conditions"
)

// The playground's form fields.
const (
	fieldObject      = "object"
	fieldID          = "id"
	fieldVersion     = "version"
	fieldActorID     = "actor.id"
	fieldActorName   = "actor.name"
	fieldRoles       = "actor.roles"
	fieldPermissions = "actor.permissions"
	fieldAttributes  = "actor.attributes"
	fieldPreset      = "preset" // a preset actor's index: replaces the actor's fields
	fieldDryRun      = "dryrun"
	fieldExecute     = "execute"
	fieldComment     = "comment"
	inputPrefix      = "in." // in.<action id>.<input name>
)

type playgroundBody struct {
	ObjectID    string
	Version     int64 // of the stored object the JSON was loaded from; 0 for none
	FromStore   bool  // the JSON is the stored object, as loaded
	ObjectJSON  string
	ObjectError *sourceError
	LoadError   string
	Objects     []string // ids to suggest
	Samples     []string
	Sample      string // the sample the JSON was taken from
	Actor       actorForm
	ActorError  string
	Presets     []presetView
	Evaluated   bool
	Applicable  []pgAction
	Refused     []pgAction
	DryRun      *dryRunView
	Executed    *executedView
	Comment     string
}

// actorForm is an actor as the form edits it.
type actorForm struct {
	ID, Name, Roles, Permissions, Attributes string
}

type presetView struct {
	Index int
	Label string
}

// pgAction is an action in the playground's lists.
type pgAction struct {
	ID, Name   string
	Anchor     string
	Reserved   bool
	Inputs     []inputField
	Reasons    []reasonView
	Executable bool   // applicable, the host enabled execution, and the object is a stored one
	ObjectID   string // the stored object Execute acts on
}

type inputField struct {
	actions.Input
	Field string // the form field: in.<action id>.<name>
	DOMID string
	Value string
	Lines bool // a list: one value a line
}

// Kind is the HTML control of the input.
func (f inputField) Kind() string {
	switch f.Type {
	case actions.InputBool:
		return "select"
	case actions.InputStrings:
		return "textarea"
	case actions.InputNumber, actions.InputInteger:
		return "number"
	}
	return "text"
}

// Step is the number input's step attribute.
func (f inputField) Step() string {
	if f.Type == actions.InputInteger {
		return "1"
	}
	return "any"
}

type reasonView struct {
	Kind    string
	Guard   string
	Message string // the whole message
	// The message around the guard's quoted name, when it names one:
	// Before + <code>Guard</code> + After.
	Before, After string
	Clauses       []clauseView
	Error         *sourceError
}

type clauseView struct {
	Source string
	Result bool
	Values []valueView
}

type valueView struct{ Name, Value string }

// sourceError is an error at a position of a source text: an expression,
// a rule file or the object's JSON.
type sourceError struct {
	Message      string
	Source       string // the expression, when the error is in one
	Line, Column int    // 1-based; 0 when unknown
	Snippet      string
}

type dryRunView struct {
	ActionID, Name string
	Applicable     bool
	Changes        []changeView
	Violations     []actions.Violation
	Err            string
	After          string // the changed object as JSON
}

type changeView struct{ Field, Old, New string }

type executedView struct {
	ActionID, Name string
	OK             bool
	Version        int64
	Changes        []changeView
	Execution      *executionView
	Violations     []actions.Violation
	Reasons        []reasonView
	Err            string
	Conflict       bool
}

type executionView struct {
	Seq        int64
	ID, Status string
	Detail     string
	From, To   int64
	ActorID    string
}

// playgroundGet prefills the playground from the store (?object=id), from
// a sample (?sample=name) or with the object type's zero value, for the
// viewer or a preset actor (?actor=id), and evaluates it.
func (h *Handler[T]) playgroundGet(r *http.Request) view {
	ctx := r.Context()
	q := r.URL.Query()
	who := viewer(r)
	b := h.newPlayground(ctx, who, formActor(who))
	preset := -1
	if id := q.Get("actor"); id != "" {
		preset = slices.IndexFunc(h.opts.Actors, func(a actions.Actor) bool { return a.ID == id })
	}
	var obj T
	switch id, sample := q.Get(fieldObject), q.Get("sample"); {
	case id != "":
		b.ObjectID = id
		stored, version, err := h.load(ctx, who, id)
		if err != nil {
			b.LoadError = loadMessage(id, err)
			b.ObjectJSON = "{}"
			return view{status: statusOf(err), page: "playground", heading: "Playground", body: b}
		}
		obj, b.Version, b.FromStore = stored, version, true
		b.Actor = formActor(h.actorFor(ctx, who, id, stored))
	case sample != "":
		i := slices.IndexFunc(h.opts.Samples, func(s Sample[T]) bool { return s.Name == sample })
		if i < 0 {
			b.LoadError = fmt.Sprintf("There is no sample %q.", sample)
			b.ObjectJSON = "{}"
			return view{status: http.StatusNotFound, page: "playground", heading: "Playground", body: b}
		}
		obj, b.Sample = h.opts.Samples[i].Object, sample
	case len(h.opts.Samples) > 0:
		obj, b.Sample = h.opts.Samples[0].Object, h.opts.Samples[0].Name
	}
	if preset >= 0 {
		b.Actor = formActor(h.opts.Actors[preset])
	}
	b.ObjectJSON = indentJSON(obj)
	actor, _ := b.Actor.actor()
	h.evaluate(ctx, &b, b.ObjectID, obj, actor, nil)
	return view{page: "playground", heading: "Playground", body: b}
}

// playgroundPost evaluates the form's object for the form's actor and,
// with dryrun=<action id>, applies that action to it with Catalog.Apply.
func (h *Handler[T]) playgroundPost(r *http.Request) view {
	ctx := r.Context()
	form := r.PostForm
	b := h.newPlayground(ctx, viewer(r), actorForm{
		ID: form.Get(fieldActorID), Name: form.Get(fieldActorName), Roles: form.Get(fieldRoles),
		Permissions: form.Get(fieldPermissions), Attributes: form.Get(fieldAttributes),
	})
	b.ObjectID, b.ObjectJSON, b.Comment = form.Get(fieldID), form.Get(fieldObject), form.Get(fieldComment)
	b.Version, _ = strconv.ParseInt(form.Get(fieldVersion), 10, 64)
	if form.Get(fieldPreset) != "" {
		if i, err := strconv.Atoi(form.Get(fieldPreset)); err == nil && i >= 0 && i < len(h.opts.Actors) {
			b.Actor = formActor(h.opts.Actors[i])
		}
	}
	return h.evaluateForm(ctx, viewer(r), b, form, nil)
}

// evaluateForm decodes the form's object and actor, evaluates them, and
// runs the dry run the form asks for. The object is the stored one
// (FromStore) if the form holds it unchanged at the version it was loaded
// at; only then can it be executed. The executions of the form's object
// id are read only if the viewer may see that object, when the host
// limits what it sees: for anyone else the id names nothing.
func (h *Handler[T]) evaluateForm(ctx context.Context, who actions.Actor, b playgroundBody, form url.Values, executed *executedView) view {
	b.Executed = executed
	v := view{page: "playground", heading: "Playground"}
	obj, err := decodeObject[T](b.ObjectJSON)
	if err != nil {
		b.ObjectError = err
		v.status = http.StatusBadRequest
	}
	actor, aerr := b.Actor.actor()
	if aerr != nil {
		b.ActorError = aerr.Error()
		v.status = http.StatusBadRequest
	}
	if v.status == 0 {
		journalID := b.ObjectID
		b.FromStore = false
		if b.ObjectID != "" && (h.restricted() || b.Version > 0) {
			stored, version, err := h.load(ctx, who, b.ObjectID)
			switch {
			case err != nil && h.restricted():
				journalID = ""
			case err == nil:
				b.FromStore = version == b.Version && sameJSON(stored, obj)
			}
		}
		h.evaluate(ctx, &b, journalID, obj, actor, form)
		if id := form.Get(fieldDryRun); id != "" {
			b.DryRun = h.dryRun(ctx, &b, id, obj, actor, form)
		}
	}
	v.body = b
	return v
}

func (h *Handler[T]) newPlayground(ctx context.Context, who actions.Actor, actor actorForm) playgroundBody {
	b := playgroundBody{Actor: actor, Objects: h.suggested(ctx, who)}
	for _, s := range h.opts.Samples {
		b.Samples = append(b.Samples, s.Name)
	}
	for i, a := range h.opts.Actors {
		label := a.ID
		if a.Name != "" {
			label = a.Name + " (" + a.ID + ")"
		}
		b.Presets = append(b.Presets, presetView{Index: i, Label: label})
	}
	return b
}

// evaluate lists the applicable actions and, for every other one, the
// reasons Engine.Explain gives, with the executions of the object
// journalID ("": none); form holds the inputs typed so far.
func (h *Handler[T]) evaluate(ctx context.Context, b *playgroundBody, journalID string, obj T, actor actions.Actor, form url.Values) {
	b.Evaluated = true
	for i, a := range h.engine.Catalog().Actions() {
		pa := pgAction{
			ID: a.ID(), Name: a.Name(), Anchor: fmt.Sprintf("pg-action-%d", i+1), Reserved: a.Reserved(),
			ObjectID: b.ObjectID,
		}
		for j, in := range a.Definition().Inputs {
			f := inputField{Input: in, Field: inputPrefix + a.ID() + "." + in.Name, DOMID: fmt.Sprintf("pg-input-%d-%d", i+1, j+1)}
			f.Value, f.Lines = form.Get(f.Field), in.Type == actions.InputStrings
			pa.Inputs = append(pa.Inputs, f)
		}
		reasons, err := h.engine.Explain(ctx, a.ID(), journalID, obj, actor)
		switch {
		case err != nil:
			pa.Reasons = []reasonView{{Kind: "error", Message: err.Error()}}
		case len(reasons) == 0:
			pa.Executable = h.opts.Execute && b.FromStore
			b.Applicable = append(b.Applicable, pa)
			continue
		}
		for _, r := range reasons {
			pa.Reasons = append(pa.Reasons, reasonOf(r))
		}
		b.Refused = append(b.Refused, pa)
	}
}

func reasonOf(r actions.Reason) reasonView {
	out := reasonView{Kind: string(r.Kind), Guard: r.Guard, Message: r.Message}
	if r.Guard != "" {
		if before, after, ok := strings.Cut(r.Message, strconv.Quote(r.Guard)); ok {
			out.Before, out.After = before, after
		}
	}
	for _, c := range r.Clauses {
		cv := clauseView{Source: c.Source, Result: c.Result}
		for _, v := range c.Values {
			cv.Values = append(cv.Values, valueView{Name: v.Name, Value: strings.TrimPrefix(v.String(), v.Name+" = ")})
		}
		out.Clauses = append(out.Clauses, cv)
	}
	var ce *conditions.Error
	if errors.As(r.Err, &ce) {
		out.Error = &sourceError{Message: ce.Message, Source: ce.Source, Line: ce.Line, Column: ce.Column, Snippet: ce.Snippet}
	}
	return out
}

// dryRun applies the action id to obj with Catalog.Apply: it stores
// nothing, and applies the action whether it is applicable or not.
func (h *Handler[T]) dryRun(ctx context.Context, b *playgroundBody, id string, obj T, actor actions.Actor, form url.Values) *dryRunView {
	cat := h.engine.Catalog()
	a, err := cat.Action(id)
	if err != nil {
		return &dryRunView{ActionID: id, Err: err.Error()}
	}
	out := &dryRunView{ActionID: id, Name: a.Name(), Applicable: slices.ContainsFunc(b.Applicable, func(p pgAction) bool { return p.ID == id })}
	applied, err := cat.Apply(ctx, id, obj, actor, actions.WithInputs(formInputs(a, form)))
	var ve *actions.ValidationError
	switch {
	case errors.As(err, &ve):
		out.Violations = ve.Violations
	case err != nil:
		out.Err = err.Error()
		return out
	}
	out.Changes = changeViews(applied.Changes)
	out.After = indentJSON(applied.Object)
	return out
}

// execute runs Engine.Execute on the stored object the form names, as the
// viewer (not the form's actor) scoped by ActorFor, and shows the
// playground again with the object as stored now. The form must hold the
// object as it was loaded: an object the viewer may not see is one that
// does not exist (404), and edited or pasted JSON is refused (422).
func (h *Handler[T]) execute(r *http.Request) view {
	ctx := r.Context()
	form := r.PostForm
	who := viewer(r)
	b := h.newPlayground(ctx, who, actorForm{
		ID: form.Get(fieldActorID), Name: form.Get(fieldActorName), Roles: form.Get(fieldRoles),
		Permissions: form.Get(fieldPermissions), Attributes: form.Get(fieldAttributes),
	})
	b.ObjectID, b.ObjectJSON = form.Get(fieldID), form.Get(fieldObject)
	b.Version, _ = strconv.ParseInt(form.Get(fieldVersion), 10, 64)
	id := form.Get(fieldExecute)
	out := &executedView{ActionID: id}
	cat := h.engine.Catalog()
	a, err := cat.Action(id)
	if err != nil {
		out.Err = err.Error()
		return h.evaluateForm(ctx, who, b, form, out)
	}
	out.Name = a.Name()
	stored, version, err := h.load(ctx, who, b.ObjectID)
	if err == nil && (b.Version <= 0 || version == b.Version) { // at another version: a conflict
		if obj, perr := decodeObject[T](b.ObjectJSON); b.Version <= 0 || perr != nil || !sameJSON(stored, obj) {
			err = errEdited
		}
	}
	var res actions.Result[T]
	if err == nil {
		res, err = h.engine.Execute(ctx, actions.Request{
			ActionID: id, ObjectID: b.ObjectID, Version: b.Version, Actor: h.actorFor(ctx, who, b.ObjectID, stored),
			Inputs: formInputs(a, form), Comment: form.Get(fieldComment),
		})
	}
	var (
		ve *actions.ValidationError
		na *actions.NotApplicableError
		ee *actions.EffectError
	)
	status := 0
	switch {
	case err == nil:
		out.OK = true
	case errors.As(err, &ee): // saved; an effect failed after
		out.OK, out.Err = true, err.Error()
	case errors.Is(err, errEdited):
		out.Err = "The object in the form is not the stored object " + strconv.Quote(b.ObjectID) + " as loaded: Execute acts on stored objects only. Load the object again to execute an action on it; a dry run shows what an action does to the edited object."
		status = http.StatusUnprocessableEntity
	case errors.As(err, &ve):
		out.Violations = ve.Violations
	case errors.As(err, &na):
		for _, r := range na.Reasons {
			out.Reasons = append(out.Reasons, reasonOf(r))
		}
	case errors.Is(err, actions.ErrConflict):
		out.Conflict, out.Err = true, err.Error()
	default:
		out.Err = err.Error()
	}
	if out.OK {
		out.Version, out.Changes = res.Version, changeViews(res.Changes)
		x := res.Execution
		out.Execution = &executionView{Seq: x.Seq, ID: x.ID, Status: string(x.Status), Detail: x.Detail, From: x.FromVersion, To: x.ToVersion, ActorID: x.ActorID}
	}
	// Show the object as stored now, at its version now.
	if stored, version, err := h.load(ctx, who, b.ObjectID); err == nil {
		b.ObjectJSON, b.Version = indentJSON(stored), version
	}
	v := h.evaluateForm(ctx, who, b, form, out)
	if !out.OK && v.status == 0 {
		v.status = status
		if status == 0 {
			v.status = statusOf(err)
		}
	}
	return v
}

// formInputs reads the inputs of a from the form, each converted as its
// type says; a value that does not convert is passed as typed, so that
// the engine names it in a violation. An empty field is not given.
func formInputs(a *actions.Action, form url.Values) actions.Inputs {
	in := actions.Inputs{}
	for _, d := range a.Definition().Inputs {
		raw := form.Get(inputPrefix + a.ID() + "." + d.Name)
		if strings.TrimSpace(raw) == "" {
			continue
		}
		switch d.Type {
		case actions.InputNumber, actions.InputInteger:
			if f, err := strconv.ParseFloat(strings.TrimSpace(raw), 64); err == nil {
				in[d.Name] = f
				continue
			}
			in[d.Name] = raw
		case actions.InputBool:
			if v, err := strconv.ParseBool(raw); err == nil {
				in[d.Name] = v
				continue
			}
			in[d.Name] = raw
		case actions.InputStrings:
			var list []any
			for line := range strings.SplitSeq(raw, "\n") {
				if s := strings.TrimSpace(line); s != "" {
					list = append(list, s)
				}
			}
			in[d.Name] = list
		case actions.InputTime:
			in[d.Name] = strings.TrimSpace(raw)
		default:
			in[d.Name] = raw
		}
	}
	return in
}

func changeViews(cs []actions.FieldChange) []changeView {
	out := make([]changeView, len(cs))
	for i, c := range cs {
		out[i] = changeView{Field: c.Field, Old: compactJSON(c.Old), New: compactJSON(c.New)}
	}
	return out
}

// formActor renders an actor for the form: lists comma-separated,
// attributes one key=value a line, sorted.
func formActor(a actions.Actor) actorForm {
	keys := make([]string, 0, len(a.Attributes))
	for k := range a.Attributes {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var attrs strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&attrs, "%s=%s\n", k, a.Attributes[k])
	}
	return actorForm{ID: a.ID, Name: a.Name, Roles: strings.Join(a.Roles, ", "), Permissions: strings.Join(a.Permissions, ", "), Attributes: attrs.String()}
}

// actor reads the form's actor.
func (f actorForm) actor() (actions.Actor, error) {
	a := actions.Actor{ID: strings.TrimSpace(f.ID), Name: strings.TrimSpace(f.Name), Roles: splitList(f.Roles), Permissions: splitList(f.Permissions)}
	for i, line := range strings.Split(f.Attributes, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return a, fmt.Errorf("attributes, line %d: %q is not key=value", i+1, line)
		}
		if a.Attributes == nil {
			a.Attributes = map[string]string{}
		}
		a.Attributes[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return a, nil
}

func splitList(s string) []string {
	var out []string
	for p := range strings.SplitSeq(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// decodeObject decodes src strictly into a T: an unknown key or trailing
// data is an error, with its position where the decoder knows it.
func decodeObject[T any](src string) (T, *sourceError) {
	var obj T
	dec := json.NewDecoder(strings.NewReader(src))
	dec.DisallowUnknownFields()
	err := dec.Decode(&obj)
	if err == nil {
		if _, terr := dec.Token(); terr != io.EOF {
			return obj, positioned(src, "unexpected data after the JSON value", int(dec.InputOffset())+1)
		}
		return obj, nil
	}
	var (
		se *json.SyntaxError
		te *json.UnmarshalTypeError
	)
	switch {
	case errors.Is(err, io.EOF):
		return obj, &sourceError{Message: "the object is empty: give a JSON object"}
	case errors.As(err, &se):
		return obj, positioned(src, se.Error(), int(se.Offset))
	case errors.As(err, &te):
		return obj, positioned(src, te.Error(), int(te.Offset))
	}
	return obj, &sourceError{Message: err.Error()}
}

// positioned is msg at the byte before offset in src (a decoder's offsets
// count the bytes read, the faulty one included).
func positioned(src, msg string, offset int) *sourceError {
	at := min(max(offset-1, 0), len(src))
	line := strings.Count(src[:at], "\n") + 1
	start := strings.LastIndexByte(src[:at], '\n') + 1
	end := strings.IndexByte(src[start:], '\n')
	if end < 0 {
		end = len(src) - start
	}
	col := utf8.RuneCountInString(src[start:at]) + 1
	text := strings.ReplaceAll(strings.TrimRight(src[start:start+end], "\r"), "\t", " ")
	return &sourceError{Message: msg, Line: line, Column: col, Snippet: " | " + text + "\n | " + strings.Repeat(".", col-1) + "^"}
}

// indentJSON and compactJSON render a value as JSON for a page; they do
// not escape <, > and &, which html/template escapes where it writes them.
func indentJSON(v any) string { return encodeJSON(v, "  ") }

func compactJSON(v any) string { return encodeJSON(v, "") }

// sameJSON reports whether a and b encode to the same JSON: whether an
// object decoded from a form is the stored one.
func sameJSON[T any](a, b T) bool {
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && bytes.Equal(x, y)
}

func encodeJSON(v any, indent string) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", indent)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprintf("%v", v)
	}
	return strings.TrimSuffix(buf.String(), "\n")
}

// loadMessage words a failed load of the object id.
func loadMessage(id string, err error) string {
	if errors.Is(err, actions.ErrNotFound) {
		return fmt.Sprintf("There is no stored object %q.", id)
	}
	return fmt.Sprintf("Loading object %q failed: %v", id, err)
}

// statusOf maps the engine's errors to status codes, in one place.
func statusOf(err error) int {
	switch {
	case err == nil:
		return http.StatusOK
	case errors.Is(err, actions.ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, actions.ErrConflict):
		return http.StatusConflict
	case errors.Is(err, actions.ErrForbidden):
		return http.StatusForbidden
	}
	var ve *actions.ValidationError
	if errors.Is(err, actions.ErrNotApplicable) || errors.As(err, &ve) {
		return http.StatusUnprocessableEntity
	}
	return http.StatusInternalServerError
}
