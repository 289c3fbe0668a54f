package actions

import (
	"errors"
	"fmt"
	"strings"

	"github.com/actionable-go/actionable/conditions"
	"github.com/hashicorp/go-multierror"
)

// Sentinel errors. Every error the engine returns for these conditions
// matches one of them with errors.Is; the typed errors below carry detail.
var (
	// ErrNotFound: the action or the object does not exist (see *NotFoundError).
	ErrNotFound = errors.New("actions: not found")
	// ErrForbidden: the actor lacks the action's permission.
	ErrForbidden = errors.New("actions: forbidden")
	// ErrConflict: the expected version is missing or stale, or the object
	// changed between load and save. Reload and retry.
	ErrConflict = errors.New("actions: version conflict")
	// ErrNotApplicable: the action does not apply to the object in its
	// current state for this actor (see *NotApplicableError for the reasons).
	ErrNotApplicable = errors.New("actions: not applicable")
	// ErrPending is returned by an Effect that finishes later; the execution
	// stays pending until the host calls Engine.Complete.
	ErrPending = errors.New("actions: effect pending")
	// ErrEffectFailed: an effect failed after the object was saved (see
	// *EffectError).
	ErrEffectFailed = errors.New("actions: effect failed")
)

// NotFoundError says what was not found. It matches ErrNotFound.
type NotFoundError struct {
	Kind string // "action", "object" or "execution"
	ID   string
}

// Error implements the error interface.
func (e *NotFoundError) Error() string {
	return fmt.Sprintf("actions: %s %q not found", e.Kind, e.ID)
}

// Is makes errors.Is(err, ErrNotFound) true.
func (e *NotFoundError) Is(target error) bool { return target == ErrNotFound }

// ReasonKind classifies why an action is not applicable.
type ReasonKind string

// The kinds of Reason, in the order the resolver checks them. Reserved
// actions are not a reason: they are left out of Resolve unless asked for,
// and they can be executed like any other.
const (
	ReasonPermission ReasonKind = "permission"
	ReasonState      ReasonKind = "state"
	ReasonCondition  ReasonKind = "condition"
	// ReasonError: the condition failed at run time (Reason.Err says how),
	// so the action is not applicable. It is a fault of the rule or of the
	// data, not a decision: the engine's Observer is told.
	ReasonError  ReasonKind = "error"
	ReasonPolicy ReasonKind = "policy"
)

// Reason is one reason an action is not applicable.
type Reason struct {
	Kind ReasonKind
	// Guard names the guard the reason is about (Kind ReasonCondition or
	// ReasonError); "" for the action's Condition.
	Guard   string
	Message string
	// Clauses are the condition's deciding clauses (Kind == ReasonCondition),
	// each with the values of the fields it read.
	Clauses []conditions.Clause
	// Err is the run-time failure of the condition (Kind == ReasonError),
	// a *conditions.Error.
	Err error
}

// String returns the message followed by the deciding clauses.
func (r Reason) String() string {
	if len(r.Clauses) == 0 {
		return r.Message
	}
	return r.Message + ": " + conditions.Explanation{Clauses: r.Clauses}.String()
}

// NotApplicableError lists why an action cannot be executed. It matches
// ErrNotApplicable, and unwraps to the Err of its ReasonError reasons, so
// that errors.As finds the *conditions.Error of a condition that failed.
type NotApplicableError struct {
	ActionID string
	Reasons  []Reason
}

// Error implements the error interface.
func (e *NotApplicableError) Error() string {
	parts := make([]string, len(e.Reasons))
	for i, r := range e.Reasons {
		parts[i] = r.String()
	}
	return fmt.Sprintf("actions: action %q not applicable: %s", e.ActionID, strings.Join(parts, "; "))
}

// Is makes errors.Is(err, ErrNotApplicable) true.
func (e *NotApplicableError) Is(target error) bool { return target == ErrNotApplicable }

// Unwrap returns the run-time failures among the reasons.
func (e *NotApplicableError) Unwrap() []error {
	var errs []error
	for _, r := range e.Reasons {
		if r.Err != nil {
			errs = append(errs, r.Err)
		}
	}
	return errs
}

// Violation is one failed validation rule of a changed object.
type Violation struct {
	Field   string // the field's JSON name ("" for the object as a whole)
	Rule    string // the validator tag ("lte", "required", ...) or "post-condition"
	Param   string // the rule's parameter ("100" for lte=100), if any
	Message string // a sentence a user can read: "percentageDone must be at most 100"
}

// Error implements the error interface.
func (v Violation) Error() string { return v.Message }

// ValidationError carries every violation of one execution, collected with
// go-multierror. Use errors.As to retrieve it.
type ValidationError struct {
	ActionID   string
	Violations []Violation
	errs       error
}

func newValidationError(actionID string, vs []Violation) error {
	var all *multierror.Error
	for _, v := range vs {
		all = multierror.Append(all, v)
	}
	errs := all.ErrorOrNil()
	if errs == nil {
		return nil
	}
	return &ValidationError{ActionID: actionID, Violations: vs, errs: errs}
}

// Error implements the error interface.
func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Violations))
	for i, v := range e.Violations {
		parts[i] = v.Message
	}
	return fmt.Sprintf("actions: action %q: validation failed: %s", e.ActionID, strings.Join(parts, "; "))
}

// Unwrap returns the collected violations, so that errors.As can reach a
// single Violation.
func (e *ValidationError) Unwrap() error { return e.errs }

// EffectError reports an effect that failed after the object was saved. The
// execution record keeps the failure; the object is not rolled back.
type EffectError struct {
	Effect    string
	Execution Execution
	Err       error
}

// Error implements the error interface.
func (e *EffectError) Error() string {
	return fmt.Sprintf("actions: effect %q of execution %s failed: %v", e.Effect, e.Execution.ID, e.Err)
}

// Unwrap returns the effect's own error.
func (e *EffectError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrEffectFailed) true.
func (e *EffectError) Is(target error) bool { return target == ErrEffectFailed }

// Problem is one fault in a set of definitions.
type Problem struct {
	Index    int    // position of the definition in its list; -1 for the rule file or the catalog's states
	ActionID string // its id, if it has one
	Key      string // the key at fault: "condition", "changes[1].expr", ...
	Err      error
}

// Error implements the error interface.
func (p Problem) Error() string {
	if p.Index < 0 { // the rule file or the catalog as a whole
		if p.Key == "" {
			return p.Err.Error()
		}
		return fmt.Sprintf("%s: %v", p.Key, p.Err)
	}
	id := p.ActionID
	if id == "" {
		id = fmt.Sprintf("#%d", p.Index)
	}
	if p.Key == "" {
		return fmt.Sprintf("action %s: %v", id, p.Err)
	}
	return fmt.Sprintf("action %s: %s: %v", id, p.Key, p.Err)
}

// Unwrap returns the cause (a *conditions.Error for an expression).
func (p Problem) Unwrap() error { return p.Err }

// LoadError reports every problem found while compiling or loading
// definitions. Nothing is loaded when it is returned.
type LoadError struct {
	Problems []Problem
	errs     error
}

func newLoadError(ps []Problem) error {
	var all *multierror.Error
	for _, p := range ps {
		all = multierror.Append(all, p)
	}
	errs := all.ErrorOrNil()
	if errs == nil {
		return nil
	}
	return &LoadError{Problems: ps, errs: errs}
}

// Error implements the error interface.
func (e *LoadError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.Error()
	}
	return fmt.Sprintf("actions: %d problem(s) in definitions: %s", len(e.Problems), strings.Join(parts, "; "))
}

// Unwrap returns the collected problems.
func (e *LoadError) Unwrap() error { return e.errs }
