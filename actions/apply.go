package actions

import (
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
	"sync"

	"github.com/actionable-go/actionable/internal/eval"
	"github.com/go-playground/validator/v10"
)

// FieldChange is one field an action changed.
type FieldChange struct {
	Field string // the field's JSON name
	Old   any
	New   any
}

// Applied is the result of applying an action to a value.
type Applied[T any] struct {
	Object  T             // the changed copy
	Changes []FieldChange // the fields whose value changed, in change-set order
}

// ApplyOption configures Catalog.Apply.
type ApplyOption func(*applyConfig)

type applyConfig struct{ inputs Inputs }

// WithInputs gives the action's inputs, as an Execute request would.
func WithInputs(in Inputs) ApplyOption {
	return func(c *applyConfig) { c.inputs = in }
}

// Apply applies the action id to obj for actor and validates the result. It
// is pure: it neither checks whether the action is applicable nor stores
// anything, and obj is not modified. Every change expression is evaluated
// against obj as it was before any change. When validation fails, Apply
// returns the changed value and a *ValidationError with every violation;
// rule tests use this to check both. Inputs (WithInputs) are validated as
// Execute validates them; if any is invalid, nothing is applied and the
// *ValidationError lists the inputs' violations.
func (c *Catalog[T]) Apply(ctx context.Context, id string, obj T, actor Actor, opts ...ApplyOption) (Applied[T], error) {
	a, err := c.Action(id)
	if err != nil {
		return Applied[T]{}, err
	}
	var cfg applyConfig
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	in, _, vs := a.inputs.values(c.validate, cfg.inputs)
	if len(vs) > 0 {
		return Applied[T]{Object: obj}, newValidationError(a.def.ID, vs)
	}
	r := request[T]{ctx: ctx, cat: c, obj: obj, actor: actor}
	defer r.release()
	return c.apply(ctx, a, obj, &actor, &r, in)
}

// apply runs the change set and the validation; r evaluates expressions
// against obj, and in is the value of the action's Input (invalid for an
// action without inputs).
func (c *Catalog[T]) apply(ctx context.Context, a *Action, obj T, actor *Actor, r *request[T], in reflect.Value) (Applied[T], error) {
	batch := r.eval()
	if a.inputs != nil {
		batch = eval.NewBatch(ctx, envWithInputs(a.inputs.shape, &obj, actor, in))
		defer batch.Release()
	}
	next := obj // fields are assigned whole: shared slices and maps are never written
	after := reflect.ValueOf(&next).Elem()
	var changes []FieldChange
	var moves []Violation // of fields with declared states
	record := func(f fieldInfo, old, nv any, dst reflect.Value) {
		if changes == nil { // room for every change the action may make
			changes = make([]FieldChange, 0, len(a.changes)+1)
		}
		changes = append(changes, FieldChange{Field: f.jsonName, Old: old, New: nv})
		if v, bad := c.states.checkMove(f, reflect.ValueOf(old), dst); bad {
			moves = append(moves, v)
		}
	}
	set := func(f fieldInfo, v any) error {
		dst := after.FieldByIndex(f.index)
		if src := reflect.ValueOf(v); src.IsValid() && src.Type() == dst.Type() && scalar(src.Kind()) {
			// What the general case below does, without boxing values
			// that do not change (DeepEqual is == on these kinds) or
			// boxing v again.
			if src.Equal(dst) {
				return nil
			}
			old := boxScalar(dst)
			dst.Set(src)
			record(f, old, v, dst)
			return nil
		}
		old := dst.Interface()
		if err := assign(dst, v); err != nil {
			return fmt.Errorf("actions: action %q: field %q: %w", a.def.ID, f.jsonName, err)
		}
		if nv := dst.Interface(); !reflect.DeepEqual(old, nv) {
			record(f, old, nv, dst)
		}
		return nil
	}
	// Evaluate every expression before assigning anything, so that changes
	// do not see each other.
	var buf [8]any // most change sets are small
	vals := buf[:0]
	if len(a.changes) > len(buf) {
		vals = make([]any, 0, len(a.changes))
	}
	vals = vals[:len(a.changes)]
	for i, ch := range a.changes {
		v, err := batch.Run(ch.expr)
		if err != nil {
			return Applied[T]{}, fmt.Errorf("actions: action %q: change of %q: %w", a.def.ID, ch.field.jsonName, err)
		}
		vals[i] = v
	}
	if a.state != nil && a.def.Workflow.To != "" {
		if err := set(*a.state, a.def.Workflow.To); err != nil {
			return Applied[T]{}, err
		}
	}
	for i, ch := range a.changes {
		if err := set(ch.field, vals[i]); err != nil {
			return Applied[T]{}, err
		}
	}
	out := Applied[T]{Object: next, Changes: changes}
	vs, err := c.violations(ctx, a, after, actor, in)
	if err != nil {
		return Applied[T]{}, err
	}
	return out, newValidationError(a.def.ID, append(moves, vs...))
}

// scalar reports whether values of kind k are compared by DeepEqual as by
// ==, and hold no references.
func scalar(k reflect.Kind) bool {
	switch k {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128, reflect.String:
		return true
	}
	return false
}

var (
	intType     = reflect.TypeFor[int]()
	int64Type   = reflect.TypeFor[int64]()
	float64Type = reflect.TypeFor[float64]()
	boolType    = reflect.TypeFor[bool]()
	stringType  = reflect.TypeFor[string]()
)

// boxScalar is v.Interface() for a scalar: for the predeclared types a
// conversion, which the runtime boxes without allocating for small numbers,
// booleans and the empty string (reflect always allocates).
func boxScalar(v reflect.Value) any {
	switch v.Type() {
	case intType:
		return int(v.Int())
	case int64Type:
		return v.Int()
	case float64Type:
		return v.Float()
	case boolType:
		return v.Bool()
	case stringType:
		return v.String()
	}
	return v.Interface()
}

// violations validates the changed object: validator/v10 struct tags of T
// first, then the action's post-conditions. All are collected.
func (c *Catalog[T]) violations(ctx context.Context, a *Action, after reflect.Value, actor *Actor, in reflect.Value) ([]Violation, error) {
	var vs []Violation
	err := guardValidator(func() error { return c.validate.StructCtx(ctx, after.Interface()) })
	fes, isFieldErrors := validationErrors(err)
	switch {
	case isFieldErrors:
		for _, fe := range fes {
			vs = append(vs, violationOf(fe))
		}
	case err != nil:
		return nil, fmt.Errorf("actions: validating %v: %w", c.objType, err)
	}
	if len(a.post) > 0 {
		changed := after.Addr().Interface().(*T)
		env := envOf(c.shape, changed, actor)
		if a.inputs != nil {
			env = envWithInputs(a.inputs.shape, changed, actor, in)
		}
		b := eval.NewBatch(ctx, env)
		defer b.Release()
		for _, p := range a.post {
			ok, err := b.Evaluate(p.cond)
			if err != nil {
				return nil, fmt.Errorf("actions: action %q: post-condition %q: %w", a.def.ID, p.def.Expr, err)
			}
			if !ok {
				vs = append(vs, Violation{Field: p.def.Field, Rule: "post-condition", Message: p.def.Message})
			}
		}
	}
	return vs, nil
}

// validationErrors is errors.As(err, &fes) for validator's field errors,
// without sending fes to the heap when err is one (as validator returns it).
func validationErrors(err error) (validator.ValidationErrors, bool) {
	if fes, ok := err.(validator.ValidationErrors); ok {
		return fes, true
	}
	if err == nil {
		return nil, false
	}
	var fes validator.ValidationErrors
	ok := errors.As(err, &fes)
	return fes, ok
}

var defaultValidator = sync.OnceValue(func() *validator.Validate {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		if flattened(f) {
			return flatName
		}
		if n := jsonName(f); n != "-" {
			return n
		}
		return f.Name
	})
	return v
})

// flatName names, in validator namespaces, an embedded struct whose fields
// encoding/json flattens into the embedding one; violationOf drops it.
const flatName = "\x00"

// flattened reports whether encoding/json promotes the fields of f into the
// struct holding it: f is an embedded struct, or pointer to one, without a
// JSON name.
func flattened(f reflect.StructField) bool {
	t := f.Type
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	return f.Anonymous && t.Kind() == reflect.Struct && name == ""
}

// violationOf turns a validator field error into a Violation named by the
// field's JSON path (without the root type).
func violationOf(fe validator.FieldError) Violation {
	field := fe.Namespace()
	if _, rest, ok := strings.Cut(field, "."); ok {
		field = rest
	}
	field = strings.ReplaceAll(field, flatName+".", "")
	if strings.HasSuffix(field, flatName) { // a rule on the embedded struct itself
		field = strings.TrimSuffix(field, flatName) + fe.StructField()
	}
	return Violation{Field: field, Rule: fe.Tag(), Param: fe.Param(), Message: field + " " + ruleMessage(fe)}
}

func ruleMessage(fe validator.FieldError) string {
	p := fe.Param()
	number := isNumber(fe.Type()) || fe.Kind() >= reflect.Int && fe.Kind() <= reflect.Float64
	unit := ""
	if !number {
		unit = " in length"
	}
	switch fe.Tag() {
	case "required", "required_if", "required_unless", "required_with", "required_without":
		return "is required"
	case "lte", "max":
		return "must be at most " + p + unit
	case "gte", "min":
		return "must be at least " + p + unit
	case "lt":
		return "must be less than " + p + unit
	case "gt":
		return "must be greater than " + p + unit
	case "len":
		return "must be exactly " + p + unit
	case "eq":
		return "must be equal to " + p
	case "ne":
		return "must not be equal to " + p
	case "oneof":
		return "must be one of: " + strings.Join(strings.Fields(p), ", ")
	case "email":
		return "must be a valid email address"
	case "url", "uri", "http_url":
		return "must be a valid URL"
	}
	if p != "" {
		return fmt.Sprintf("fails the %s=%s rule", fe.Tag(), p)
	}
	return fmt.Sprintf("fails the %s rule", fe.Tag())
}

// assign sets dst to v, converting numbers, wrapping pointers and converting
// lists and maps element by element. nil sets the zero value (unassigning a
// user, clearing a date).
func assign(dst reflect.Value, v any) error {
	if v == nil {
		dst.SetZero()
		return nil
	}
	src := reflect.ValueOf(v)
	t := dst.Type()
	switch {
	case src.Type().AssignableTo(t):
		dst.Set(src)
		return nil
	case t.Kind() == reflect.Pointer && src.Type() != t:
		p := reflect.New(t.Elem())
		if err := assign(p.Elem(), v); err != nil {
			return err
		}
		dst.Set(p)
		return nil
	case isNumber(src.Type()) && isNumber(t):
		return assignNumber(dst, src)
	case t.Kind() == reflect.Slice && (src.Kind() == reflect.Slice || src.Kind() == reflect.Array):
		// expr builds lists as []any: convert element by element.
		out := reflect.MakeSlice(t, src.Len(), src.Len())
		for i := range src.Len() {
			if err := assign(out.Index(i), src.Index(i).Interface()); err != nil {
				return fmt.Errorf("element %d: %w", i, err)
			}
		}
		dst.Set(out)
		return nil
	case t.Kind() == reflect.Map && src.Kind() == reflect.Map:
		out := reflect.MakeMapWithSize(t, src.Len())
		it := src.MapRange()
		for it.Next() {
			k, e := reflect.New(t.Key()).Elem(), reflect.New(t.Elem()).Elem()
			if err := assign(k, it.Key().Interface()); err != nil {
				return fmt.Errorf("key %v: %w", it.Key(), err)
			}
			if err := assign(e, it.Value().Interface()); err != nil {
				return fmt.Errorf("value of %v: %w", it.Key(), err)
			}
			out.SetMapIndex(k, e)
		}
		dst.Set(out)
		return nil
	}
	return fmt.Errorf("cannot assign %T to %v", v, t)
}

func assignNumber(dst, src reflect.Value) error {
	var f float64
	switch {
	case src.CanInt():
		f = float64(src.Int())
	case src.CanUint():
		f = float64(src.Uint())
	default:
		f = src.Float()
	}
	switch {
	case dst.CanInt():
		if f != math.Trunc(f) || math.IsInf(f, 0) || math.IsNaN(f) {
			return fmt.Errorf("%v is not a whole number", f)
		}
		var i int64
		switch {
		case src.CanInt():
			i = src.Int()
		case src.CanUint():
			if src.Uint() > math.MaxInt64 {
				return fmt.Errorf("%v overflows %v", src.Uint(), dst.Type())
			}
			i = int64(src.Uint())
		default:
			// Converting a float outside int64's range is implementation
			// defined in Go, so the range is checked first: 2^63 itself is
			// exactly representable and already too big.
			if f < -(1<<63) || f >= 1<<63 {
				return fmt.Errorf("%v overflows %v", f, dst.Type())
			}
			i = int64(f)
		}
		if dst.OverflowInt(i) {
			return fmt.Errorf("%v overflows %v", f, dst.Type())
		}
		dst.SetInt(i)
	case dst.CanUint():
		if f != math.Trunc(f) || f < 0 || math.IsInf(f, 0) || math.IsNaN(f) {
			return fmt.Errorf("%v is not a non-negative whole number", f)
		}
		var u uint64
		switch {
		case src.CanUint():
			u = src.Uint()
		case src.CanInt():
			u = uint64(src.Int())
		default:
			if f >= 1<<64 {
				return fmt.Errorf("%v overflows %v", f, dst.Type())
			}
			u = uint64(f)
		}
		if dst.OverflowUint(u) {
			return fmt.Errorf("%v overflows %v", f, dst.Type())
		}
		dst.SetUint(u)
	default:
		if dst.OverflowFloat(f) {
			return fmt.Errorf("%v overflows %v", f, dst.Type())
		}
		dst.SetFloat(f)
	}
	return nil
}

// guardValidator runs validator code, which panics on tags it cannot parse
// and runs the host's custom validation functions: either panicking is a bug
// in the host's declarations, reported as an error rather than taking the
// server down.
func guardValidator(validate func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("validator panicked: %v", r)
		}
	}()
	return validate()
}
