package openproject

import (
	"errors"
	"net/http"
	"reflect"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/actionable-go/actionable/actions"
	"github.com/actionable-go/actionable/adapters/internal/httpx"
)

// urnPrefix begins every errorIdentifier.
const urnPrefix = "urn:openproject-org:api:v3:errors:"

// The messages of the contract, verbatim.
const (
	msgUnauthenticated    = "You need to be authenticated to access this resource."
	msgMissingContentType = "Missing content-type header"
	msgMissingPermission  = "You are not authorized to access this resource."
	msgInvalidBody        = "The request body was not a single JSON object."
	msgNotFound           = "The requested resource could not be found."
	msgWorkPackageBlank   = "Work package can't be blank."
	msgWorkPackageMissing = "Work package does not exist."
	msgConflict           = "Couldn't update the resource because of conflicting modifications."
	msgConditions         = "The conditions of this custom action are not met for this work package."
	msgMultipleErrors     = "Multiple field constraints have been violated."
	msgMethodNotAllowed   = "The HTTP method is not allowed for this resource."
	msgInternal           = "An internal error has occurred."
)

// The messages of OpenProject's own sources, for what the contract does not
// word.
const (
	// spec/requests/api/v3/authentication_spec.rb, "with invalid credentials"
	// and "oauth".
	msgBadCredentials = "You did not provide the correct credentials."
	// lib/api/errors/bad_request.rb with Grape's message for a parameter
	// declared `type: Integer` (the spec's shared example "param validation
	// error": /Bad request: .+? is invalid/; no full stop).
	msgInvalidID = "Bad request: id is invalid"
	// api_v3.errors.not_found.work_package, as the work package request
	// specs quote it.
	msgWorkPackageNotFound = "The work package you are looking for cannot be found or has been deleted."
)

// The adapter's own refusals; the engine's errors are mapped as they are.
var (
	errMissingContentType  = errors.New("openproject: missing Content-Type")
	errMissingPermission   = errors.New("openproject: may not edit work packages in any project")
	errMayNotView          = errors.New("openproject: may not view work packages in any project")
	errInvalidBody         = errors.New("openproject: the request body is not a single JSON object")
	errNotFound            = errors.New("openproject: resource not found")
	errWorkPackageNotFound = errors.New("openproject: work package not found")
	errInvalidID           = errors.New("openproject: the id in the path is not an integer")
)

// bodyError is a body that is not a single JSON object; parseError is the
// parser's message when it is not JSON at all.
type bodyError struct {
	parseError string
	err        error
}

func (e *bodyError) Error() string {
	return "openproject: the request body is not a single JSON object: " + e.err.Error()
}

func (e *bodyError) Unwrap() []error { return []error{errInvalidBody, e.err} }

// linkTypeError is a workPackage href that is not a link to a work package
// resource.
type linkTypeError struct{ href string }

func (e *linkTypeError) Error() string {
	return "openproject: the workPackage link is not a work package resource link: " + e.href
}

// queryError is a query parameter of the collection that the adapter does
// not honour.
type queryError struct{ message string }

func (e *queryError) Error() string { return "openproject: " + e.message }

// contentTypeError is a Content-Type the API does not read.
type contentTypeError struct{ got string }

func (e *contentTypeError) Error() string { return "openproject: unsupported Content-Type " + e.got }

// workPackageError is an execute request without a usable work package.
type workPackageError struct{ blank bool }

func (e *workPackageError) Error() string {
	if e.blank {
		return "openproject: no work package link"
	}
	return "openproject: the work package does not exist or is not visible"
}

// methodError is a method the path does not serve.
type methodError struct{ allow string }

func (e *methodError) Error() string { return "openproject: method not allowed; allowed: " + e.allow }

// halError is OpenProject's error representation.
type halError struct {
	Type            string       `json:"_type"`
	ErrorIdentifier string       `json:"errorIdentifier"`
	Message         string       `json:"message"`
	Embedded        *halEmbedded `json:"_embedded,omitempty"`
}

type halEmbedded struct {
	Details *halDetails `json:"details,omitempty"`
	Errors  []halError  `json:"errors,omitempty"`
}

type halDetails struct {
	Attribute  string `json:"attribute,omitempty"`
	ParseError string `json:"parseError,omitempty"`
}

func newHALError(id, message string) halError {
	return halError{Type: "Error", ErrorIdentifier: urnPrefix + id, Message: message}
}

func attributeError(attribute, message string) halError {
	e := newHALError("PropertyConstraintViolation", message)
	if attribute != "" {
		e.Embedded = &halEmbedded{Details: &halDetails{Attribute: attribute}}
	}
	return e
}

// writeError is the one place where errors become statuses and bodies.
func (h *Handler[T]) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var (
		ctErr   *contentTypeError
		wpErr   *workPackageError
		bodyErr *bodyError
		linkErr *linkTypeError
		qErr    *queryError
		mErr    *methodError
		nfErr   *actions.NotFoundError
		valErr  *actions.ValidationError
		status  int
		body    halError
	)
	switch {
	case errors.Is(err, errInvalidID):
		status, body = http.StatusBadRequest, newHALError("BadRequest", msgInvalidID)
	case errors.Is(err, ErrNoCredentials):
		w.Header().Set("WWW-Authenticate", challenge(r, false))
		status, body = http.StatusUnauthorized, newHALError("Unauthenticated", msgUnauthenticated)
	case errors.Is(err, ErrBadCredentials):
		w.Header().Set("WWW-Authenticate", challenge(r, true))
		status, body = http.StatusUnauthorized, newHALError("Unauthenticated", msgBadCredentials)
	case errors.Is(err, errMissingContentType):
		// The one error OpenProject answers in plain text.
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusNotAcceptable)
		_, _ = w.Write([]byte(msgMissingContentType))
		return
	case errors.As(err, &ctErr):
		status, body = http.StatusUnsupportedMediaType, newHALError("TypeNotSupported",
			"Expected CONTENT-TYPE to be application/json but got "+ctErr.got+".")
	case errors.Is(err, errMissingPermission), errors.Is(err, errMayNotView), errors.Is(err, actions.ErrForbidden):
		status, body = http.StatusForbidden, newHALError("MissingPermission", msgMissingPermission)
	case errors.Is(err, errInvalidBody):
		status, body = http.StatusBadRequest, newHALError("InvalidRequestBody", msgInvalidBody)
		if errors.As(err, &bodyErr) && bodyErr.parseError != "" {
			body.Embedded = &halEmbedded{Details: &halDetails{ParseError: bodyErr.parseError}}
		}
	case errors.As(err, &qErr):
		status, body = http.StatusBadRequest, newHALError("InvalidQuery", qErr.message)
	case errors.As(err, &linkErr):
		status, body = http.StatusUnprocessableEntity, newHALError("ResourceTypeMismatch",
			"For property 'work_package' a link like '"+workPackagesPath+":id' is expected, but got '"+linkErr.href+"'.")
	case errors.Is(err, errWorkPackageNotFound):
		status, body = http.StatusNotFound, newHALError("NotFound", msgWorkPackageNotFound)
	case errors.Is(err, errNotFound), errors.As(err, &nfErr) && nfErr.Kind != "object":
		status, body = http.StatusNotFound, newHALError("NotFound", msgNotFound)
	case errors.As(err, &wpErr), nfErr != nil: // nfErr: the work package vanished before the engine loaded it
		msg := msgWorkPackageMissing
		if wpErr != nil && wpErr.blank {
			msg = msgWorkPackageBlank
		}
		status, body = http.StatusUnprocessableEntity, attributeError("workPackage", msg)
	case errors.Is(err, actions.ErrConflict):
		status, body = http.StatusConflict, newHALError("UpdateConflict", msgConflict)
	case errors.Is(err, actions.ErrNotApplicable):
		status, body = http.StatusForbidden, newHALError("MissingPermission", msgConditions)
	case errors.As(err, &valErr) && len(valErr.Violations) > 0:
		status, body = http.StatusUnprocessableEntity, h.violationsError(valErr.Violations)
	case errors.As(err, &mErr):
		w.Header().Set("Allow", mErr.allow)
		status, body = http.StatusMethodNotAllowed, newHALError("MethodNotAllowed", msgMethodNotAllowed)
	default:
		httpx.LogInternal(r.Context(), h.log, "openproject: internal error", r, err)
		status, body = http.StatusInternalServerError, newHALError("InternalServerError", msgInternal)
	}
	enc, _ := marshal(body) // plain strings and structs: cannot fail
	writeHAL(w, status, enc)
}

// violationsError is one PropertyConstraintViolation, or MultipleErrors
// listing one per violation.
func (h *Handler[T]) violationsError(vs []actions.Violation) halError {
	errs := make([]halError, len(vs))
	for i, v := range vs {
		errs[i] = attributeError(v.Field, h.violationMessage(v))
	}
	if len(errs) == 1 {
		return errs[0]
	}
	e := newHALError("MultipleErrors", msgMultipleErrors)
	e.Embedded = &halEmbedded{Errors: errs}
	return e
}

// violationMessage words a violation as OpenProject does ("% Complete must
// be less than or equal to 100."). A post-condition's message is the rule
// author's.
func (h *Handler[T]) violationMessage(v actions.Violation) string {
	if v.Rule == "post-condition" || v.Field == "" {
		return sentence(v.Message)
	}
	return sentence(h.attributeName(v.Field) + " " + ruleText(v.Rule, v.Param, h.isNumber(v.Field)))
}

// attributeName is the name messages give a field.
func (h *Handler[T]) attributeName(field string) string {
	if name, ok := h.cfg.AttributeNames[field]; ok {
		return name
	}
	return humanize(field)
}

// isNumber reports whether the field holds a number (so that lte means a
// value, not a length). Fields the catalog does not know (nested ones) are
// taken for numbers.
func (h *Handler[T]) isNumber(field string) bool {
	_, _, t, ok := h.engine.Catalog().Field(field)
	if !ok {
		return true
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String, reflect.Slice, reflect.Array, reflect.Map:
		return false
	}
	return true
}

// ruleText words a validator/v10 rule in the manner of Rails' messages.
func ruleText(rule, param string, number bool) string {
	switch rule {
	case "required", "required_if", "required_unless", "required_with", "required_without":
		return "can't be blank"
	case "oneof":
		return "is not set to one of the allowed values"
	case "email", "url", "uri", "http_url":
		return "is invalid"
	}
	if param == "" {
		return "is invalid"
	}
	if !number {
		switch rule {
		case "lte", "max":
			return "is too long (maximum is " + param + " characters)"
		case "lt":
			return "is too long (must be shorter than " + param + " characters)"
		case "gte", "min":
			return "is too short (minimum is " + param + " characters)"
		case "gt":
			return "is too short (must be longer than " + param + " characters)"
		case "len":
			return "is the wrong length (should be " + param + " characters)"
		}
	}
	switch rule {
	case "lte", "max":
		return "must be less than or equal to " + param
	case "lt":
		return "must be less than " + param
	case "gte", "min":
		return "must be greater than or equal to " + param
	case "gt":
		return "must be greater than " + param
	case "eq", "len":
		return "must be equal to " + param
	case "ne":
		return "must be other than " + param
	}
	return "is invalid"
}

// humanize turns a JSON name into words: "percentageDone" and
// "percentage_done" become "Percentage done"; of a path, the last part.
func humanize(field string) string {
	if i := strings.LastIndexByte(field, '.'); i >= 0 {
		field = field[i+1:]
	}
	var b strings.Builder
	prev := ' '
	for _, r := range field {
		switch {
		case r == '_' || r == '-':
			r = ' '
		case unicode.IsUpper(r) && (unicode.IsLower(prev) || unicode.IsDigit(prev)):
			b.WriteByte(' ')
		}
		prev = r
		b.WriteRune(unicode.ToLower(r))
	}
	words := strings.Join(strings.Fields(b.String()), " ")
	first, size := utf8.DecodeRuneInString(words)
	if size == 0 {
		return ""
	}
	return string(unicode.ToUpper(first)) + words[size:]
}

// sentence ends s with a full stop, as every message of the API does.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || strings.HasSuffix(s, ".") || strings.HasSuffix(s, "!") || strings.HasSuffix(s, "?") {
		return s
	}
	return s + "."
}
