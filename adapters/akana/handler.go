package akana

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/textproto"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"github.com/actionable-go/actionable/actions"
	"github.com/actionable-go/actionable/adapters/internal/httpx"
)

// Defaults of the fields of [Config].
const (
	// DefaultMaxBodyBytes bounds a POST body unless Config.MaxBodyBytes
	// says otherwise.
	DefaultMaxBodyBytes = 64 << 10
	// DefaultMaxRetries is how many times a POST that met a concurrent
	// change is retried unless Config.MaxRetries says otherwise.
	DefaultMaxRetries = 3
)

// The refusals of Config.Authenticate, answered 401 "missing or invalid
// login"; an error matching actions.ErrForbidden is a 403. They are the
// same values in every adapter of this module (openproject, salesforce,
// workfront), so that one user lookup serves them all.
var (
	// ErrNoCredentials: the request carries no login (no
	// AtmoAuthToken_{fedmemberid} cookie).
	ErrNoCredentials = httpx.ErrNoCredentials
	// ErrBadCredentials: the login is not (or no longer) valid.
	ErrBadCredentials = httpx.ErrBadCredentials
)

// AuthToken returns the value of the request's login cookie,
// AtmoAuthToken_{fedMember}, for Config.Authenticate to look up; an empty
// fedMember is the tenant of the request's ObjectID (what follows its last
// dot), as for the CSRF header. No such cookie, or an empty one, is
// ErrNoCredentials.
func AuthToken(r *http.Request, fedMember string) (string, error) {
	if fedMember == "" {
		fedMember = tenant(r.PathValue("ObjectID"))
	}
	if fedMember == "" {
		return "", ErrNoCredentials
	}
	name := "AtmoAuthToken_" + fedMember
	value, ok := oneCookie(r.Header["Cookie"], name)
	if !ok {
		c, err := r.Cookie(name)
		if err != nil {
			return "", ErrNoCredentials
		}
		value = c.Value
	}
	if value == "" {
		return "", ErrNoCredentials
	}
	return value, nil
}

// oneCookie reads the cookie name as r.Cookie does, without allocating,
// if lines are one Cookie header of one cookie (no ";"), the usual login
// request: it returns its value, "" if it is not there or malformed, and
// true; otherwise false, for r.Cookie to read. (The GODEBUG limit of
// httpcookiemaxnum counts cookies: any limit but a negative one allows one.)
func oneCookie(lines []string, name string) (string, bool) {
	if len(lines) != 1 || strings.IndexByte(lines[0], ';') >= 0 {
		return "", false
	}
	part := textproto.TrimString(lines[0])
	k, v, _ := strings.Cut(part, "=")
	if part == "" || textproto.TrimString(k) != name || !isToken(name) {
		return "", true
	}
	// As parseCookieValue: quotes stripped, then every byte valid.
	if len(v) > 1 && v[0] == '"' && v[len(v)-1] == '"' {
		v = v[1 : len(v)-1]
	}
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < 0x20 || c >= 0x7f || c == '"' || c == ';' || c == '\\' {
			return "", true
		}
	}
	return v, true
}

// isToken reports whether s is an RFC 7230 token, as a cookie name must be.
func isToken(s string) bool {
	for i := 0; i < len(s); i++ {
		if !tokenByte[s[i]] {
			return false
		}
	}
	return s != ""
}

// tokenByte holds the bytes of a token (tchar): letters, digits and
// !#$%&'*+-.^_`|~.
var tokenByte = func() (t [256]bool) {
	for c := range t {
		t[c] = 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", byte(c)) >= 0
	}
	return t
}()

// tenant is the part of an ObjectID after its last dot
// ("acmepaymentscorp" in "discussion10121.acmepaymentscorp"), or "".
func tenant(objectID string) string {
	if i := strings.LastIndexByte(objectID, '.'); i >= 0 {
		return objectID[i+1:]
	}
	return ""
}

// Config configures a Handler. The zero value is valid: it refuses every
// request (no Authenticate), with CSRF protection on. Every function may be
// called concurrently.
type Config struct {
	// Authenticate maps a request to the logged-in user, typically from
	// the AtmoAuthToken_{fedmemberid} cookie, which AuthToken reads. It
	// returns ErrNoCredentials or ErrBadCredentials to refuse the request
	// (401), or an error matching actions.ErrForbidden for a user who is
	// logged in but not allowed (403); an actor without an ID counts as
	// ErrBadCredentials, and any other error is a 500, logged. Nil refuses
	// every request with 401.
	Authenticate func(r *http.Request) (actions.Actor, error)
	// CSRFToken returns the CSRF token of the session of r, which
	// Authenticate accepted as actor: the value the
	// X-Csrf-Token_{fedmemberid} header of a POST must carry when CSRF
	// protection is on. It is asked only then. "" refuses the POST (401),
	// and so does a nil CSRFToken; an error is a 500, logged.
	CSRFToken func(r *http.Request, actor actions.Actor) (string, error)
	// FedMember names the CSRF header X-Csrf-Token_{FedMember}. Empty takes
	// the tenant of the ObjectID, the part after its last dot
	// ("acmepaymentscorp" in "discussion10121.acmepaymentscorp").
	FedMember string
	// DisableCSRF turns CSRF protection off: a POST then needs no header.
	DisableCSRF bool
	// MaxBodyBytes bounds a POST body: 0 means DefaultMaxBodyBytes, and a
	// negative value is an error of New.
	MaxBodyBytes int64
	// MaxRetries bounds how many times a POST reloads the object and tries
	// again after a version conflict: 0 means DefaultMaxRetries, and a
	// negative value no retry (the first conflict is a 409).
	MaxRetries int
	// Logger receives the cause of every 500 (a panic of a Config function
	// or of the store included, with its stack). Nil means slog.Default().
	Logger *slog.Logger
}

// Handler serves the Akana workflow API over an actions.Engine. It is safe
// for concurrent use.
type Handler[T any] struct {
	engine   *actions.Engine[T]
	wf       *Workflows
	cfg      Config
	log      *slog.Logger
	retries  int
	keyIdx   []int
	stateIdx []int
	mux      *http.ServeMux
}

// The routes, relative to where the handler is mounted.
const (
	routeList    = "GET /api/workflow/objects/{ObjectID}/actions"
	routePerform = "POST /api/workflow/objects/{ObjectID}/actions"
)

// New returns a handler serving the workflows wf over engine. T must be a
// struct with the string fields wf.Fields() names, and engine's catalog must
// hold every action of wf (compile it from wf.Definitions()).
func New[T any](engine *actions.Engine[T], wf *Workflows, cfg Config) (*Handler[T], error) {
	if engine == nil || wf == nil {
		return nil, errors.New("akana: New needs an engine and workflows")
	}
	var err error
	if cfg.MaxBodyBytes, err = httpx.Limit("akana", "MaxBodyBytes", cfg.MaxBodyBytes, DefaultMaxBodyBytes); err != nil {
		return nil, err
	}
	h := &Handler[T]{engine: engine, wf: wf, cfg: cfg, log: httpx.Logger(cfg.Logger), retries: httpx.Retries(cfg.MaxRetries, DefaultMaxRetries)}
	if h.keyIdx, err = stringField[T](wf.Fields().Key); err != nil {
		return nil, err
	}
	if h.stateIdx, err = stringField[T](wf.Fields().State); err != nil {
		return nil, err
	}
	cat := engine.Catalog()
	for id := range wf.byID {
		if _, err := cat.Action(id); err != nil {
			return nil, fmt.Errorf("akana: the engine's catalog lacks action %q of the workflows", id)
		}
	}
	h.mux = http.NewServeMux()
	h.mux.HandleFunc(routeList, h.list)
	h.mux.HandleFunc(routePerform, h.perform)
	return h, nil
}

// stringField returns the index of the string field name of T, which must
// not be reached through a pointer.
func stringField[T any](name string) ([]int, error) {
	t := reflect.TypeFor[T]()
	if t.Kind() != reflect.Struct {
		return nil, fmt.Errorf("akana: object type %v is not a struct", t)
	}
	f, ok := t.FieldByName(name)
	if !ok || !f.IsExported() {
		return nil, fmt.Errorf("akana: object type %v has no exported field %s", t, name)
	}
	if f.Type.Kind() != reflect.String {
		return nil, fmt.Errorf("akana: field %s of %v is %v, not a string", name, t, f.Type)
	}
	for i := range f.Index[:len(f.Index)-1] {
		if t.FieldByIndex(f.Index[:i+1]).Type.Kind() == reflect.Pointer {
			return nil, fmt.Errorf("akana: field %s of %v is reached through a pointer", name, t)
		}
	}
	return f.Index, nil
}

// ServeHTTP implements http.Handler. A path or a method the API does not
// serve is answered in its error shape, as every other error: 404, or 405
// with an Allow header. A panic of host code (a Config function, the store)
// is answered 500 and logged.
func (h *Handler[T]) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer httpx.Recover(func(err error) { h.fail(w, r, errorType(r), err) })
	if id, ok := routedID(r); ok {
		// The request the mux would route to one of the two routes, as it
		// would: the pattern and the ObjectID are set for host code.
		switch r.Method {
		case http.MethodGet, http.MethodHead:
			r.Pattern = routeList
			r.SetPathValue("ObjectID", id)
			h.list(w, r)
			return
		case http.MethodPost:
			r.Pattern = routePerform
			r.SetPathValue("ObjectID", id)
			h.perform(w, r)
			return
		}
	}
	h.serveMux(w, r)
}

// serveMux routes r through the mux: every request that routedID does not
// take (other methods, other paths, paths the mux cleans or redirects).
func (h *Handler[T]) serveMux(w http.ResponseWriter, r *http.Request) {
	if _, pattern := h.mux.Handler(r); pattern == "" {
		h.unrouted(w, r)
		return
	}
	h.mux.ServeHTTP(w, r)
}

// The path of both routes, around the ObjectID.
const (
	routePrefix = "/api/workflow/objects/"
	routeSuffix = "/actions"
)

// routedID returns the ObjectID of r if the mux would route r's path to
// the routes' pattern as it is (no cleaning, no redirect): the escaped
// path is routePrefix, one segment other than "." and "..", and
// routeSuffix. The ObjectID is that segment unescaped, as the mux
// unescapes it (left as it is if it does not unescape). It answers false
// for some paths the mux routes too (an escaped letter in "objects", say),
// which the mux then serves.
func routedID(r *http.Request) (string, bool) {
	if r.RequestURI == "*" || r.URL == nil { // the mux answers these itself
		return "", false
	}
	seg, ok := strings.CutPrefix(r.URL.EscapedPath(), routePrefix)
	if !ok {
		return "", false
	}
	if seg, ok = strings.CutSuffix(seg, routeSuffix); !ok || seg == "" || seg == "." || seg == ".." || strings.IndexByte(seg, '/') >= 0 {
		return "", false
	}
	if strings.IndexByte(seg, '%') < 0 { // nothing to unescape
		return seg, true
	}
	id, err := url.PathUnescape(seg)
	if err != nil {
		return seg, true
	}
	return id, true
}

// unrouted answers a request no route matched.
func (h *Handler[T]) unrouted(w http.ResponseWriter, r *http.Request) {
	mediaType, ok := negotiate(r.Header.Values("Accept"), mediaTypes, true)
	if !ok {
		mediaType = mediaJSON
	}
	probe := r.Clone(r.Context())
	for _, m := range []string{http.MethodGet, http.MethodPost} {
		probe.Method = m
		if _, pattern := h.mux.Handler(probe); pattern != "" {
			// The path is one of the API's: the method is not.
			w.Header().Set("Allow", "GET, HEAD, POST")
			h.fail(w, r, mediaType, public(errMethod, "method %s is not allowed on %s (allowed: GET, HEAD, POST)", r.Method, r.URL.Path))
			return
		}
	}
	h.fail(w, r, mediaType, public(errNoRoute, "no resource at %s", r.URL.Path))
}

func (h *Handler[T]) workflowOf(obj *T) (key, state string) {
	v := reflect.ValueOf(obj).Elem()
	return v.FieldByIndex(h.keyIdx).String(), v.FieldByIndex(h.stateIdx).String()
}

// The errors the handler itself raises; status maps them.
var (
	errUnauthorized   = errors.New("unauthorized")
	errBadRequest     = errors.New("bad request")
	errNotAcceptable  = errors.New("not acceptable")
	errUnsupported    = errors.New("unsupported media type")
	errTooLarge       = errors.New("request body too large")
	errUnknownAction  = errors.New("unknown action")
	errObjectNotFound = errors.New("object not found")
	errNoRoute        = errors.New("no such resource")
	errMethod         = errors.New("method not allowed")
)

// msgInternal is the message of a 500, as Akana's documentation words it
// for every operation ("500 An error occurred processing the call.").
const msgInternal = "An error occurred processing the call."

// publicError carries the message a client sees; err decides the status.
type publicError struct {
	msg string
	err error
}

func (e *publicError) Error() string { return e.msg + ": " + e.err.Error() }
func (e *publicError) Unwrap() error { return e.err }

func public(err error, format string, args ...any) error {
	return &publicError{msg: fmt.Sprintf(format, args...), err: err}
}

// status maps an error to its HTTP status and the message the client sees.
// It is the only place where errors become statuses.
func status(err error) (int, string) {
	code := http.StatusInternalServerError
	var nf *actions.NotFoundError
	var ve *actions.ValidationError
	switch {
	case errors.Is(err, actions.ErrEffectFailed):
		// First: the action was saved, whatever the effect's cause wraps.
		code = http.StatusInternalServerError
	case errors.Is(err, errUnauthorized):
		code = http.StatusUnauthorized
	case errors.Is(err, actions.ErrForbidden):
		code = http.StatusForbidden
	case errors.Is(err, errObjectNotFound), errors.Is(err, errNoRoute):
		code = http.StatusNotFound
	case errors.Is(err, errMethod):
		code = http.StatusMethodNotAllowed
	case errors.As(err, &nf) && nf.Kind == "object":
		code = http.StatusNotFound
	case errors.As(err, &nf) && nf.Kind == "action", errors.Is(err, errUnknownAction),
		errors.Is(err, actions.ErrNotApplicable), errors.Is(err, errBadRequest), errors.As(err, &ve):
		code = http.StatusBadRequest
	case errors.Is(err, errNotAcceptable):
		code = http.StatusNotAcceptable
	case errors.Is(err, errUnsupported):
		code = http.StatusUnsupportedMediaType
	case errors.Is(err, errTooLarge):
		code = http.StatusRequestEntityTooLarge
	case errors.Is(err, actions.ErrConflict):
		code = http.StatusConflict
	}
	var pe *publicError
	switch {
	case errors.As(err, &pe):
		return code, pe.msg
	case code == http.StatusInternalServerError:
		return code, msgInternal
	}
	return code, strings.ToLower(http.StatusText(code))
}

// fail writes err as an Error body in mediaType.
func (h *Handler[T]) fail(w http.ResponseWriter, r *http.Request, mediaType string, err error) {
	code, msg := status(err)
	if code == http.StatusInternalServerError {
		httpx.LogInternal(r.Context(), h.log, "akana: internal error", r, err)
	}
	h.write(w, r, code, mediaType, Error{Code: code, Message: msg})
}

func (h *Handler[T]) write(w http.ResponseWriter, r *http.Request, code int, mediaType string, v any) {
	body, err := encode(mediaType, v)
	if err != nil { // cannot happen with the wire types; never a crash
		httpx.LogInternal(r.Context(), h.log, "akana: internal error", r, fmt.Errorf("akana: encoding the response: %w", err))
		code, mediaType, body = http.StatusInternalServerError, mediaJSON, []byte(`{"code": 500, "message": "`+msgInternal+`"}`+"\n")
	}
	writeBody(w, code, mediaType, body)
}

// bodies are the buffers lists are written into, given back once written
// (a ResponseWriter, like any io.Writer, does not keep what Write is
// given).
var bodies = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// maxPooledBody is the largest buffer bodies keeps.
const maxPooledBody = 64 << 10

// writeBody writes body, in mediaType, with its length.
func writeBody(w http.ResponseWriter, code int, mediaType string, body []byte) {
	w.Header().Set("Content-Type", mediaType)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(code)
	_, _ = w.Write(body)
}

// authenticate runs the host's function; nil refuses.
func (h *Handler[T]) authenticate(r *http.Request) (actions.Actor, error) {
	if h.cfg.Authenticate == nil {
		return actions.Actor{}, public(errUnauthorized, "login required")
	}
	actor, err := httpx.Authenticate(r, h.cfg.Authenticate)
	switch {
	case err == nil:
		return actor, nil
	case errors.Is(err, ErrNoCredentials), errors.Is(err, ErrBadCredentials):
		return actions.Actor{}, public(errUnauthorized, "missing or invalid login")
	case errors.Is(err, actions.ErrForbidden):
		return actions.Actor{}, public(err, "not allowed")
	}
	return actor, err
}

// checkCSRF compares the X-Csrf-Token_{fedmemberid} header with the
// session's token.
func (h *Handler[T]) checkCSRF(r *http.Request, actor actions.Actor, objectID string) error {
	if h.cfg.DisableCSRF {
		return nil
	}
	fed := h.cfg.FedMember
	if fed == "" {
		fed = tenant(objectID)
	}
	header := "X-Csrf-Token_" + fed
	want := ""
	if h.cfg.CSRFToken != nil {
		var err error
		if want, err = h.cfg.CSRFToken(r, actor); err != nil {
			return &httpx.HostError{Hook: "CSRFToken", Err: err}
		}
	}
	got := r.Header.Get(header)
	if fed == "" || want == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
		return public(errUnauthorized, "missing or invalid CSRF token (header %s)", header)
	}
	return nil
}

// includeReserved reads the IncludeReservedActions flag: absent is false,
// present without a value is true, else a boolean (the last one counts).
// It reads the raw query: url.Values silently drops a pair it cannot
// unescape, which would turn a malformed value into "absent".
func includeReserved(r *http.Request) (bool, error) {
	if r.URL.RawQuery == "" {
		return false, nil
	}
	v, found := "", false
	for pair := range strings.SplitSeq(r.URL.RawQuery, "&") {
		k, val, _ := strings.Cut(pair, "=")
		if k, err := url.QueryUnescape(k); err == nil && k == "IncludeReservedActions" {
			v, found = val, true
		}
	}
	if !found {
		return false, nil
	}
	s, err := url.QueryUnescape(v)
	switch {
	case err != nil:
		s = v // quoted raw in the message
	case s == "":
		return true, nil
	default:
		if b, err := strconv.ParseBool(s); err == nil {
			return b, nil
		}
	}
	return false, public(errBadRequest, "IncludeReservedActions must be true or false, not %q", s)
}

// list serves GET: the actions valid for the object's current state.
func (h *Handler[T]) list(w http.ResponseWriter, r *http.Request) {
	mediaType, ok := negotiate(r.Header.Values("Accept"), mediaTypes, true)
	if !ok {
		h.fail(w, r, mediaJSON, public(errNotAcceptable, "Accept must allow one of %s", strings.Join(mediaTypes, ", ")))
		return
	}
	l, err := h.listing(r)
	if err != nil {
		w.Header().Set("Vary", "Accept")
		h.fail(w, r, mediaType, err)
		return
	}
	if isXML(mediaType) {
		w.Header().Set("Vary", "Accept")
		h.write(w, r, http.StatusOK, mediaType, RSS{Channel: Channel{
			Title:          l.title,
			WorkflowObject: WorkflowObject{WorkflowDefinitionKey: l.key, State: []string{l.state}},
			Items:          l.items(nil),
		}})
		return
	}
	// What encode writes, without boxing the RSS: the channel does not
	// outlive appendRSS, so its state and (most) items stay on the stack.
	var state [1]string
	var items [16]Item
	state[0] = l.state
	ch := Channel{
		Title:          l.title,
		WorkflowObject: WorkflowObject{WorkflowDefinitionKey: l.key, State: state[:]},
		Items:          l.items(items[:0]),
	}
	buf := bodies.Get().(*[]byte)
	body := appendRSS((*buf)[:0], RSS{Channel: ch})
	// The headers writeBody and Set("Vary", "Accept") set, their values
	// in one allocation.
	values := make([]string, 3)
	values[0], values[1], values[2] = "Accept", mediaType, strconv.Itoa(len(body))
	header := w.Header()
	header["Vary"] = values[0:1:1]
	header["Content-Type"] = values[1:2:2]
	header["Content-Length"] = values[2:3:3]
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
	if cap(body) <= maxPooledBody {
		*buf = body[:0]
		bodies.Put(buf)
	}
}

// listing is what a channel says: the object's workflow and state, and
// the actions resolved for it.
type listing struct {
	wf                *Workflows
	title, key, state string
	actions           []*actions.Action
}

// items appends the channel's items to dst, which it returns non-nil: one
// per resolved action of the object's workflow, in order.
func (l *listing) items(dst []Item) []Item {
	if dst == nil {
		dst = []Item{}
	}
	for _, a := range l.actions {
		if k, name, ok := l.wf.Action(a.ID()); ok && k == l.key {
			dst = append(dst, Item{GUID: GUID{Value: name}})
		}
	}
	return dst
}

func (h *Handler[T]) listing(r *http.Request) (listing, error) {
	ctx := r.Context()
	actor, err := h.authenticate(r)
	if err != nil {
		return listing{}, err
	}
	include, err := includeReserved(r)
	if err != nil {
		return listing{}, err
	}
	id := r.PathValue("ObjectID")
	obj, _, err := h.load(ctx, id)
	if err != nil {
		return listing{}, err
	}
	key, state := h.workflowOf(&obj)
	var list []*actions.Action
	if include {
		list, err = h.engine.Resolve(ctx, id, obj, actor, actions.IncludeReserved(true))
	} else { // the default, without the option's allocation
		list, err = h.engine.Resolve(ctx, id, obj, actor)
	}
	if err != nil {
		return listing{}, err
	}
	return listing{wf: h.wf, title: h.wf.title(key), key: key, state: state, actions: list}, nil
}

func (h *Handler[T]) load(ctx context.Context, id string) (T, int64, error) {
	obj, version, err := h.engine.Load(ctx, id)
	if errors.Is(err, actions.ErrNotFound) {
		return obj, 0, public(errObjectNotFound, "object %q not found", id)
	}
	return obj, version, err
}

// perform serves POST: performs the action and answers the new state.
func (h *Handler[T]) perform(w http.ResponseWriter, r *http.Request) {
	ctype, ctErr := requestMediaType(r)
	errType := errorType(r)
	if _, ok := negotiate(r.Header.Values("Accept"), []string{"text/plain"}, true); !ok {
		h.fail(w, r, errType, public(errNotAcceptable, "Accept must allow text/plain"))
		return
	}
	state, err := h.execute(w, r, ctype, ctErr)
	if err != nil {
		h.fail(w, r, errType, err)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(state)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(state))
}

// errorType is the media type of an error answered to r. For a POST, it
// is the type an Accept header names (not by a wildcard), else the body's;
// otherwise it is the type Accept prefers, else JSON.
func errorType(r *http.Request) string {
	if r.Method == http.MethodPost {
		if m, ok := negotiate(r.Header.Values("Accept"), mediaTypes, false); ok {
			return m
		}
		t, _ := requestMediaType(r)
		return t
	}
	if m, ok := negotiate(r.Header.Values("Accept"), mediaTypes, true); ok {
		return m
	}
	return mediaJSON
}

// requestMediaType returns the media type of the body: one of mediaTypes
// (no Content-Type is JSON), or JSON and an error.
func requestMediaType(r *http.Request) (string, error) {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return mediaJSON, nil
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil || !supported(mt) {
		return mediaJSON, public(errUnsupported, "Content-Type must be one of %s", strings.Join(mediaTypes, ", "))
	}
	return mt, nil
}

func (h *Handler[T]) execute(w http.ResponseWriter, r *http.Request, ctype string, ctErr error) (string, error) {
	ctx := r.Context()
	actor, err := h.authenticate(r)
	if err != nil {
		return "", err
	}
	id := r.PathValue("ObjectID")
	if err := h.checkCSRF(r, actor, id); err != nil {
		return "", err
	}
	if ctErr != nil {
		return "", ctErr
	}
	body, err := decodeAction(http.MaxBytesReader(w, r.Body, h.cfg.MaxBodyBytes), isXML(ctype))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return "", public(errTooLarge, "request body larger than %d bytes", tooLarge.Limit)
	case errors.Is(err, io.EOF):
		return "", public(errBadRequest, "malformed Action body: the body is empty")
	case err != nil:
		return "", public(errBadRequest, "malformed Action body: %v", err)
	case body.ActionName == "":
		return "", public(errBadRequest, "malformed Action body: ActionName is required")
	}
	// Akana sends no version: the action runs at the version loaded, again
	// on the version stored after a concurrent change.
	var state string
	var res actions.Result[T]
	_, err = httpx.Retry(h.retries, func() error {
		obj, version, err := h.load(ctx, id)
		if err != nil {
			return err
		}
		var key string
		key, state = h.workflowOf(&obj)
		actionID, ok := h.wf.ActionID(key, body.ActionName)
		if !ok {
			return public(errUnknownAction, "unknown action %q for workflow %q", body.ActionName, key)
		}
		res, err = h.engine.Execute(ctx, actions.Request{
			ActionID: actionID, ObjectID: id, Version: version, Actor: actor,
			Comment: strings.Join(body.Comments, "\n"),
		})
		return err
	})
	var ee *actions.EffectError
	var ve *actions.ValidationError
	switch {
	case err == nil:
		_, next := h.workflowOf(&res.Object)
		return next, nil
	case errors.As(err, &ee):
		// Saved, but host code failed after: say so, the state did change.
		// Checked first: the effect's cause may wrap any sentinel below.
		_, next := h.workflowOf(&res.Object)
		return "", public(err, "action %q was performed on %q (new state %q), but effect %q failed", body.ActionName, id, next, ee.Effect)
	case errors.Is(err, actions.ErrConflict):
		return "", public(err, "object %q changed concurrently; try again", id)
	case errors.Is(err, actions.ErrForbidden):
		return "", public(err, "not allowed to perform %q on %q", body.ActionName, id)
	case errors.Is(err, actions.ErrNotApplicable):
		return "", public(err, "action %q is not valid for %q in state %q", body.ActionName, id, state)
	case errors.As(err, &ve):
		msgs := make([]string, len(ve.Violations))
		for i, v := range ve.Violations {
			msgs[i] = v.Message
		}
		return "", public(err, "action %q would leave %q invalid: %s", body.ActionName, id, strings.Join(msgs, "; "))
	}
	return "", err
}
