package workfront

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/actionable-go/actionable/actions"
	"github.com/actionable-go/actionable/adapters/internal/httpx"
)

// paramError: a query parameter is missing, repeated or malformed.
type paramError struct{ msg string }

func (e *paramError) Error() string { return "workfront: " + e.msg }

// versionError: documentVersionId is not the document's current version.
type versionError struct{ document, version string }

func (e *versionError) Error() string {
	return fmt.Sprintf("workfront: version %q is not the current version of document %q", e.version, e.document)
}

// conflictError: every attempt met a concurrent change.
type conflictError struct {
	attempts int
	err      error
}

func (e *conflictError) Error() string {
	return fmt.Sprintf("workfront: gave up after %d attempts: %v", e.attempts, e.err)
}
func (e *conflictError) Unwrap() error { return e.err }

// fail answers a /customAction request that did not succeed. It is the one
// place where errors become status codes and messages:
//
//	400  missing, repeated or malformed parameters
//	403  no or refused credentials; a user Authenticate forbids; the actor
//	     lacks the action's permission
//	404  unknown action, unknown document, or not its current version
//	200  the action failed: not applicable, validation failed, effect
//	     failed, or conflicts with concurrent changes exhausted the retries
//	500  anything else (the cause is logged, never shown)
//
// a is the action when it is known.
func (h *Handler[T]) fail(w http.ResponseWriter, r *http.Request, a *actions.Action, err error) {
	var (
		param    *paramError
		version  *versionError
		notFound *actions.NotFoundError
		conflict *conflictError
		invalid  *actions.ValidationError
		effect   *actions.EffectError
	)
	status, msg := http.StatusOK, ""
	switch {
	case errors.Is(err, ErrNoCredentials), errors.Is(err, ErrBadCredentials):
		status, msg = http.StatusForbidden, "Invalid or missing credentials."
	case a == nil && errors.Is(err, actions.ErrForbidden): // Authenticate's
		status, msg = http.StatusForbidden, "You are not allowed to run custom actions."
	case errors.As(err, &param):
		status, msg = http.StatusBadRequest, param.msg
	case errors.As(err, &notFound) && notFound.Kind == "action":
		status, msg = http.StatusNotFound, fmt.Sprintf("There is no custom action named %q.", notFound.ID)
	case errors.Is(err, actions.ErrNotFound):
		status, msg = http.StatusNotFound, "The document was not found."
	case errors.As(err, &version):
		status, msg = http.StatusNotFound, fmt.Sprintf("Version %s is not the current version of this document; custom actions run on the current version only.", version.version)
	case a == nil:
		status = http.StatusInternalServerError
	case errors.Is(err, actions.ErrForbidden):
		status, msg = http.StatusForbidden, fmt.Sprintf("You are not allowed to run %s.", a.Name())
	case errors.Is(err, actions.ErrNotApplicable):
		msg = fmt.Sprintf("%s cannot be run on this document: %s.", a.Name(), reasons(err))
	case errors.As(err, &invalid):
		msgs := make([]string, len(invalid.Violations))
		for i, v := range invalid.Violations {
			msgs[i] = v.Message
		}
		msg = fmt.Sprintf("%s was not applied: %s.", a.Name(), strings.Join(msgs, "; "))
	case errors.As(err, &effect):
		h.log.WarnContext(r.Context(), "workfront: effect failed", "action", a.ID(), "effect", effect.Effect, "execution", effect.Execution.ID, "error", effect.Err)
		msg = fmt.Sprintf("%s was applied, but its follow-up step %q failed.", a.Name(), effect.Effect)
	case errors.As(err, &conflict):
		msg = fmt.Sprintf("%s was not applied: the document kept changing while it ran. Please try again.", a.Name())
	default:
		status = http.StatusInternalServerError
	}
	if status == http.StatusInternalServerError {
		httpx.LogInternal(r.Context(), h.log, "workfront: internal error", r, err)
		msg = "Internal error."
	} else if a != nil && (status == http.StatusOK || status == http.StatusForbidden) && h.cfg.ErrorMessage != nil {
		if m := h.cfg.ErrorMessage(a, err); m != "" {
			msg = m
		}
	}
	writeJSON(w, status, result{Status: "error", Error: msg})
}

// reasons words the reasons of a *actions.NotApplicableError.
func reasons(err error) string {
	var na *actions.NotApplicableError
	if !errors.As(err, &na) || len(na.Reasons) == 0 {
		return "it does not apply"
	}
	parts := make([]string, len(na.Reasons))
	for i, r := range na.Reasons {
		parts[i] = r.String()
	}
	return strings.Join(parts, "; ")
}
