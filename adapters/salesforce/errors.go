package salesforce

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/actionable-go/actionable/actions"
	"github.com/actionable-go/actionable/adapters/internal/httpx"
)

// Error codes of the error array.
const (
	codeRequired      = "REQUIRED_FIELD_MISSING"
	codeInvalidInput  = "INVALID_API_INPUT"
	codeTooLong       = "STRING_TOO_LONG"
	codeLimit         = "LIMIT_EXCEEDED"
	codeInvalidID     = "INVALID_ID_FIELD"
	codeJSON          = "JSON_PARSER_ERROR"
	codeInvalidOp     = "INVALID_OPERATION"
	codeSession       = "INVALID_SESSION_ID"
	codeAccess        = "INSUFFICIENT_ACCESS"
	codeNotFound      = "NOT_FOUND"
	codeConflict      = "UNABLE_TO_LOCK_ROW"
	codeMethod        = "METHOD_NOT_ALLOWED"
	codeDuplicate     = "DUPLICATE_VALUE"
	codeUnknown       = "UNKNOWN_EXCEPTION"
	msgNotFound       = "The requested resource does not exist"
	msgSession        = "Session expired or invalid"
	msgAPIAccess      = "You do not have access to this API."
	msgUnknown        = "An unexpected error occurred. Please include this ErrorId if you contact support."
	msgConflictRetry  = "The action link changed while the request ran; retry the request."
	msgDefinitionUser = "Only the user who created an action link group definition can read or delete it."
)

// Problem is one violation of an Action Link Group Definition Input.
type Problem struct {
	// Field is the path of the offending input field
	// ("actionLinks[1].method"), or "" for the input as a whole.
	Field string
	// Code is the error code POST answers with: REQUIRED_FIELD_MISSING,
	// INVALID_API_INPUT, or STRING_TOO_LONG for a field over its Limits.
	Code    string
	Message string
}

// Error returns the message.
func (p Problem) Error() string { return p.Message }

// InputError reports every violation of an Action Link Group Definition
// Input at once. POST answers it with 400 and one error per problem.
type InputError struct {
	Problems []Problem
	errs     error
}

func newInputError(ps []Problem) error {
	return httpx.Collect(ps, func(ps []Problem, errs error) *InputError { return &InputError{Problems: ps, errs: errs} })
}

// Error lists every message.
func (e *InputError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.Message
	}
	return "salesforce: invalid action link group definition: " + strings.Join(parts, "; ")
}

// Unwrap returns the collected problems.
func (e *InputError) Unwrap() error { return e.errs }

// Errors of requests, rendered by writeError.
var (
	// errHidden: the link exists but the user may not see it; answered as
	// an unknown id.
	errHidden = errors.New("salesforce: action link not visible to the user")
	// errNotCreator: only the creator of a group definition may read or
	// delete it.
	errNotCreator = fmt.Errorf("%w: not the creator of the definition", actions.ErrForbidden)
)

// accessError is a user whom Config.Authenticate refused with
// actions.ErrForbidden: known, but not allowed to use the API.
type accessError struct{ err error }

func (e *accessError) Error() string { return "salesforce: no access to the API: " + e.err.Error() }
func (e *accessError) Unwrap() error { return e.err }

// authError returns the refusal of httpx.Authenticate as writeError
// answers it: a forbidden user is an *accessError, not a refusal of one
// resource.
func authError(err error) error {
	if errors.Is(err, actions.ErrForbidden) {
		return &accessError{err: err}
	}
	return err
}

// idError is a malformed id, or one of another kind of object.
type idError struct{ id string }

func (e *idError) Error() string { return "salesforce: invalid identifier " + e.id }

// parseError is a body that is not the expected JSON.
type parseError struct{ msg string }

func (e *parseError) Error() string { return "salesforce: " + e.msg }

// refusedError is a status change the workflow refuses.
type refusedError struct{ msg string }

func (e *refusedError) Error() string { return "salesforce: " + e.msg }

func refused(format string, args ...any) error {
	return &refusedError{msg: fmt.Sprintf(format, args...)}
}

// limitError is a group definition over Limits.DefinitionsPerUser.
type limitError struct {
	user  string
	limit int
}

func (e *limitError) Error() string {
	return fmt.Sprintf("salesforce: user %s has %d action link group definitions, the most this server allows; delete one to create another", e.user, e.limit)
}

// duplicateError is a group or link id that is taken already. It matches
// actions.ErrConflict.
type duplicateError struct{ id string }

func (e *duplicateError) Error() string { return "salesforce: the id " + e.id + " is taken" }
func (e *duplicateError) Unwrap() error { return actions.ErrConflict }

// methodError is a method the resource does not serve.
type methodError struct{ allow string }

func (e *methodError) Error() string { return "salesforce: method not allowed" }

// apiError is one entry of the error array.
type apiError struct {
	ErrorCode string `json:"errorCode"`
	Message   string `json:"message"`
}

// writeError maps err to its status code and error array: the one place
// where errors become HTTP.
func (h *Handler) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var (
		status int
		body   []apiError
		ae     *accessError
		in     *InputError
		ide    *idError
		pe     *parseError
		re     *refusedError
		le     *limitError
		me     *methodError
		de     *duplicateError
	)
	switch {
	case errors.Is(err, ErrNoCredentials), errors.Is(err, ErrBadCredentials):
		status, body = http.StatusUnauthorized, []apiError{{codeSession, msgSession}}
		w.Header().Set("WWW-Authenticate", `Bearer realm="salesforce"`)
	case errors.As(err, &ae):
		status, body = http.StatusForbidden, []apiError{{codeAccess, msgAPIAccess}}
	case errors.As(err, &in):
		status = http.StatusBadRequest
		for _, p := range in.Problems {
			body = append(body, apiError{p.Code, p.Message})
		}
	case errors.As(err, &ide):
		status, body = http.StatusBadRequest, []apiError{{codeInvalidID, "Invalid identifier: " + ide.id}}
	case errors.As(err, &pe):
		status, body = http.StatusBadRequest, []apiError{{codeJSON, pe.msg}}
	case errors.As(err, &re):
		status, body = http.StatusBadRequest, []apiError{{codeInvalidOp, re.msg}}
	case errors.As(err, &le):
		status, body = http.StatusBadRequest, []apiError{{codeLimit, fmt.Sprintf("User %s has %d action link group definitions, the most this server allows; delete one to create another.", le.user, le.limit)}}
	case errors.As(err, &de):
		// Salesforce's answer to a record whose unique field is taken.
		status, body = http.StatusBadRequest, []apiError{{codeDuplicate, "duplicate value found: id duplicates value on record with id: " + de.id}}
	case errors.As(err, &me):
		w.Header().Set("Allow", me.allow)
		status, body = http.StatusMethodNotAllowed, []apiError{{codeMethod, "HTTP method not allowed. Allowed are " + me.allow}}
	case errors.Is(err, errHidden), errors.Is(err, actions.ErrNotFound):
		status, body = http.StatusNotFound, []apiError{{codeNotFound, msgNotFound}}
	case errors.Is(err, errNotCreator):
		status, body = http.StatusForbidden, []apiError{{codeAccess, msgDefinitionUser}}
	case errors.Is(err, actions.ErrForbidden):
		status, body = http.StatusForbidden, []apiError{{codeAccess, "You do not have access to this action link."}}
	case errors.Is(err, actions.ErrConflict):
		status, body = http.StatusConflict, []apiError{{codeConflict, msgConflictRetry}}
	default:
		httpx.LogInternal(r.Context(), h.log, "salesforce: internal error", r, err)
		status, body = http.StatusInternalServerError, []apiError{{codeUnknown, msgUnknown}}
	}
	h.writeJSON(w, r, status, body)
}

// writeJSON writes v as the response body, encoded by encoding/json.
func (h *Handler) writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	e := httpx.NewEncoder()
	defer e.Release()
	b, err := e.Encode(v)
	if err != nil { // the adapter's own types always encode
		httpx.LogInternal(r.Context(), h.log, "salesforce: internal error", r, fmt.Errorf("salesforce: encoding the response: %w", err))
		status = http.StatusInternalServerError
		b = []byte(`[{"errorCode":"UNKNOWN_EXCEPTION","message":"encoding the response failed"}]` + "\n")
	}
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// writeLinkAction writes a as writeJSON writes its Platform Action, by
// appendLinkAction.
func (h *Handler) writeLinkAction(w http.ResponseWriter, r *http.Request, status int, a *linkAction) {
	buf := bodies.Get().(*[]byte)
	b, err := appendLinkAction((*buf)[:0], h.cfg.BasePath, a)
	if err != nil { // cannot happen: writeJSON says what
		bodies.Put(buf)
		h.writeJSON(w, r, status, h.platformActionOf(a))
		return
	}
	b = append(b, '\n')
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
	if cap(b) <= maxPooledBody {
		*buf = b[:0]
		bodies.Put(buf)
	}
}
