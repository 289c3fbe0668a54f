package actionstest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/actionable-go/actionable/actions"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// ObjectID is the object id the assertions pass to Engine.Resolve and
// Engine.Explain. It matters only to execution policies: to test that an
// action with a policy is no longer applicable, execute it on an
// [actions.Engine] for the object stored under ObjectID, then pass that
// engine as the rules.
const ObjectID = "actionstest-object"

// Rules is what the assertions check: a catalog, or an engine.
//
// A *[actions.Catalog] is resolved by an engine over an empty
// [actions.MemoryStore], built for each call: no action has been executed,
// so execution policies never refuse. An *[actions.Engine] is resolved as it
// is, with its own journal, for the object id [ObjectID].
type Rules[T any] interface {
	*actions.Catalog[T] | *actions.Engine[T]
}

// engineOf returns the engine the assertions resolve with.
func engineOf[T any, R Rules[T]](t testing.TB, rules R) *actions.Engine[T] {
	t.Helper()
	switch r := any(rules).(type) {
	case *actions.Engine[T]:
		if r != nil {
			return r
		}
	case *actions.Catalog[T]:
		if r != nil {
			e, err := actions.New(r, actions.NewMemoryStore[T]())
			if err != nil {
				t.Fatalf("actionstest: building an engine: %v", err)
			}
			return e
		}
	}
	t.Fatalf("actionstest: the rules are nil")
	return nil
}

// catalogOf returns the catalog the apply assertions use.
func catalogOf[T any, R Rules[T]](t testing.TB, rules R) *actions.Catalog[T] {
	t.Helper()
	switch r := any(rules).(type) {
	case *actions.Engine[T]:
		if r != nil {
			return r.Catalog()
		}
	case *actions.Catalog[T]:
		if r != nil {
			return r
		}
	}
	t.Fatalf("actionstest: the rules are nil")
	return nil
}

// Applicable checks that the actions applicable to obj for actor are exactly
// want, in any order. It asks Engine.Resolve, so reserved actions are left
// out, as they are from a client's list. On a mismatch it reports a diff
// (-want +got) and, for every wanted action that is not applicable, the
// resolver's reasons.
func Applicable[T any, R Rules[T]](t testing.TB, rules R, obj T, actor actions.Actor, want ...string) {
	t.Helper()
	e := engineOf[T](t, rules)
	ctx := context.Background()
	list, err := e.Resolve(ctx, ObjectID, obj, actor)
	if err != nil {
		t.Errorf("resolving for actor %q: %v", actor.ID, err)
		return
	}
	got := make([]string, len(list))
	for i, a := range list {
		got[i] = a.ID()
	}
	if msg := applicableMismatch(ctx, e, obj, actor, want, got); msg != "" {
		t.Errorf("applicable actions for actor %q mismatch (-want +got):\n%s", actor.ID, msg)
	}
}

// applicableMismatch compares two sets of action ids and returns, if they
// differ, the diff followed by why each missing action is not applicable.
func applicableMismatch[T any](ctx context.Context, e *actions.Engine[T], obj T, actor actions.Actor, want, got []string) string {
	d := diff(sorted(want), sorted(got))
	if d == "" {
		return ""
	}
	var b strings.Builder
	b.WriteString(d)
	b.WriteString("\n")
	for _, id := range sorted(want) {
		if slices.Contains(got, id) {
			continue
		}
		reasons, err := e.Explain(ctx, id, ObjectID, obj, actor)
		switch {
		case err != nil:
			fmt.Fprintf(&b, "%q: %v\n", id, err)
		case len(reasons) > 0:
			fmt.Fprintf(&b, "%q is not applicable:%s\n", id, reasonsText(reasons))
		default:
			fmt.Fprintf(&b, "%q is applicable but not listed (is it reserved?)\n", id)
		}
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// IsApplicable checks that the action is applicable to obj for actor. When it
// is not, the failure shows the resolver's reasons: the missing permission,
// the workflow state, the condition's failing clauses with the values they
// read (`Priority >= 2 is false: Priority = 1`), the exhausted policy.
func IsApplicable[T any, R Rules[T]](t testing.TB, rules R, actionID string, obj T, actor actions.Actor) {
	t.Helper()
	e := engineOf[T](t, rules)
	reasons, err := e.Explain(context.Background(), actionID, ObjectID, obj, actor)
	if err != nil {
		t.Errorf("explaining %q for actor %q: %v", actionID, actor.ID, err)
		return
	}
	if len(reasons) > 0 {
		t.Errorf("action %q is not applicable for actor %q, want applicable:%s", actionID, actor.ID, reasonsText(reasons))
	}
}

// NotApplicable checks that the action is not applicable to obj for actor.
// If because is given, the kinds of the resolver's reasons must be exactly
// those, in any order: NotApplicable(t, cat, "close", epic, admin,
// actions.ReasonCondition) fails if the admin lacks the permission too, so
// that a test cannot pass for a reason other than the rule it is about.
func NotApplicable[T any, R Rules[T]](t testing.TB, rules R, actionID string, obj T, actor actions.Actor, because ...actions.ReasonKind) {
	t.Helper()
	e := engineOf[T](t, rules)
	reasons, err := e.Explain(context.Background(), actionID, ObjectID, obj, actor)
	if err != nil {
		t.Errorf("explaining %q for actor %q: %v", actionID, actor.ID, err)
		return
	}
	if len(reasons) == 0 {
		t.Errorf("action %q is applicable for actor %q, want not applicable", actionID, actor.ID)
		return
	}
	if len(because) == 0 {
		return
	}
	kinds := make([]actions.ReasonKind, len(reasons))
	for i, r := range reasons {
		kinds[i] = r.Kind
	}
	if diff := diff(sorted(because), sorted(kinds)); diff != "" {
		t.Errorf("action %q is not applicable for actor %q, but for other reasons (-want +got):\n%s\nthe resolver says:%s", actionID, actor.ID, diff, reasonsText(reasons))
	}
}

// RefusedBy checks that the action is not applicable to obj for actor
// because of exactly the named guards (see actions.Guard), in any order,
// and for no other reason: RefusedBy(t, cat, "approve", report, sam,
// "not-own-report") fails if sam also lacks the permission, or if another
// guard fails too.
func RefusedBy[T any, R Rules[T]](t testing.TB, rules R, actionID string, obj T, actor actions.Actor, guards ...string) {
	t.Helper()
	e := engineOf[T](t, rules)
	reasons, err := e.Explain(context.Background(), actionID, ObjectID, obj, actor)
	if err != nil {
		t.Errorf("explaining %q for actor %q: %v", actionID, actor.ID, err)
		return
	}
	if len(reasons) == 0 {
		t.Errorf("action %q is applicable for actor %q, want it refused by guards %q", actionID, actor.ID, guards)
		return
	}
	got := make([]string, len(reasons))
	for i, r := range reasons {
		switch {
		case r.Guard != "" && r.Kind == actions.ReasonCondition:
			got[i] = r.Guard
		case r.Guard != "":
			got[i] = fmt.Sprintf("%s (%s)", r.Guard, r.Kind)
		default:
			got[i] = fmt.Sprintf("(%s)", r.Kind)
		}
	}
	if diff := diff(sorted(guards), sorted(got)); diff != "" {
		t.Errorf("action %q is not applicable for actor %q, but not for exactly those guards (-want +got):\n%s\nthe resolver says:%s", actionID, actor.ID, diff, reasonsText(reasons))
	}
}

// Changes applies the action to obj for actor with Catalog.Apply and checks
// the fields it changed (JSON name, old and new value, in change-set order)
// against want. Apply is pure: it does not check that the action is
// applicable (use IsApplicable for that) and stores nothing. A result that
// fails validation is a failure that lists the violations. opts give the
// action's inputs (actions.WithInputs).
func Changes[T any, R Rules[T]](t testing.TB, rules R, actionID string, obj T, actor actions.Actor, want []actions.FieldChange, opts ...actions.ApplyOption) {
	t.Helper()
	cat := catalogOf[T](t, rules)
	applied, err := cat.Apply(context.Background(), actionID, obj, actor, opts...)
	if err != nil {
		t.Errorf("applying %q for actor %q: %s", actionID, actor.ID, applyErrorText(err))
		return
	}
	if diff := diff(want, applied.Changes); diff != "" {
		t.Errorf("changes of %q for actor %q mismatch (-want +got):\n%s", actionID, actor.ID, diff)
	}
}

// Violations applies the action to obj for actor with Catalog.Apply and
// checks the violations of the result against want, in any order. Field and
// Rule are always compared; Param and Message only when some violation in
// want sets them, so that a test can name just the field and the rule:
//
//	actionstest.Violations(t, cat, "progress", task, alice, []actions.Violation{
//		{Field: "percentageDone", Rule: "lte"},
//	})
//
// An empty want checks that the result is valid. An error other than a
// *actions.ValidationError is a failure. opts give the action's inputs
// (actions.WithInputs), whose own violations are named input.<name>.
func Violations[T any, R Rules[T]](t testing.TB, rules R, actionID string, obj T, actor actions.Actor, want []actions.Violation, opts ...actions.ApplyOption) {
	t.Helper()
	cat := catalogOf[T](t, rules)
	_, err := cat.Apply(context.Background(), actionID, obj, actor, opts...)
	var ve *actions.ValidationError
	var got []actions.Violation
	switch {
	case errors.As(err, &ve):
		got = ve.Violations
	case err != nil:
		t.Errorf("applying %q for actor %q: %v", actionID, actor.ID, err)
		return
	}
	if diff := diff(violationsOf(want), violationsOf(comparableViolations(want, got))); diff != "" {
		t.Errorf("violations of %q for actor %q mismatch (-want +got):\n%s", actionID, actor.ID, diff)
	}
}

// comparableViolations blanks in got the parts of violations that want does
// not set.
func comparableViolations(want, got []actions.Violation) []actions.Violation {
	params := slices.ContainsFunc(want, func(v actions.Violation) bool { return v.Param != "" })
	messages := slices.ContainsFunc(want, func(v actions.Violation) bool { return v.Message != "" })
	out := slices.Clone(got)
	for i := range out {
		if !params {
			out[i].Param = ""
		}
		if !messages {
			out[i].Message = ""
		}
	}
	return out
}

// violation is an actions.Violation without its Error method, which would
// make go-cmp print it as an error.
type violation struct{ Field, Rule, Param, Message string }

// violationsOf returns vs as violations, sorted.
func violationsOf(vs []actions.Violation) []violation {
	out := make([]violation, len(vs))
	for i, v := range vs {
		out[i] = violation(v)
	}
	slices.SortFunc(out, func(a, b violation) int {
		if violationLess(a, b) {
			return -1
		}
		if violationLess(b, a) {
			return 1
		}
		return 0
	})
	return out
}

func violationLess(a, b violation) bool {
	if a.Field != b.Field {
		return a.Field < b.Field
	}
	if a.Rule != b.Rule {
		return a.Rule < b.Rule
	}
	if a.Param != b.Param {
		return a.Param < b.Param
	}
	return a.Message < b.Message
}

// reasonsText renders reasons one per line, each condition's clauses
// indented below it.
func reasonsText(reasons []actions.Reason) string {
	var b strings.Builder
	for _, r := range reasons {
		b.WriteString("\n    - ")
		b.WriteString(r.Message)
		if len(r.Clauses) > 0 {
			b.WriteString(":")
		}
		for _, c := range r.Clauses {
			b.WriteString("\n        ")
			b.WriteString(c.String())
		}
	}
	return b.String()
}

// applyErrorText renders an error of Catalog.Apply, with one line per
// violation for a *actions.ValidationError.
func applyErrorText(err error) string {
	var ve *actions.ValidationError
	if !errors.As(err, &ve) {
		return err.Error()
	}
	var b strings.Builder
	b.WriteString("the result is invalid:")
	for _, v := range ve.Violations {
		rule := v.Rule
		if v.Param != "" {
			rule += "=" + v.Param
		}
		field := v.Field
		if field == "" {
			field = "(object)"
		}
		fmt.Fprintf(&b, "\n    - %s (%s): %s", field, rule, v.Message)
	}
	return b.String()
}

// diff is cmp.Diff(want, got) with empty and nil slices equal, without the
// final newline.
func diff(want, got any) string {
	return strings.TrimSuffix(cmp.Diff(want, got, cmpopts.EquateEmpty()), "\n")
}

// sorted returns a sorted, non-nil copy of s.
func sorted[E ~string](s []E) []E {
	out := append([]E{}, s...)
	slices.Sort(out)
	return out
}
