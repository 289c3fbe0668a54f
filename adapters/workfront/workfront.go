package workfront

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"sync/atomic"

	"github.com/actionable-go/actionable/actions"
	"github.com/actionable-go/actionable/adapters/internal/httpx"
)

// Defaults of the fields of [Config].
const (
	// DefaultWebhookVersion is the version of the Document Webhooks API
	// that /serviceInfo announces.
	DefaultWebhookVersion = "1.2"
	// DefaultVersion is the provider's own version in /serviceInfo.
	DefaultVersion = "1.0"
	// DefaultPublisher is the publisher in /serviceInfo.
	DefaultPublisher = "actionable"
	// DefaultMaxRetries is how many times an execution that met a
	// concurrent change is retried unless Config.MaxRetries says
	// otherwise.
	DefaultMaxRetries = 3
)

// The endpoints the handler serves, always listed first in
// availableEndpoints.
const (
	EndpointServiceInfo  = "serviceInfo"
	EndpointCustomAction = "customAction"
)

// The refusals of Config.Authenticate, both answered 403 "Invalid or
// missing credentials." (on which Workfront refreshes its OAuth2 token and
// tries again). They are the same values in every adapter of this module
// (openproject, akana, salesforce), so that one user lookup serves them
// all.
var (
	// ErrNoCredentials: the request carries no credentials.
	ErrNoCredentials = httpx.ErrNoCredentials
	// ErrBadCredentials: the credentials are refused.
	ErrBadCredentials = httpx.ErrBadCredentials
)

// Credentials are what a request presented to authenticate, read from its
// headers only: apiKey and username (Workfront's ApiKey mode), and the token
// of an "Authorization: Bearer" header (its OAuth2 mode). Fields not sent
// are empty. Credentials in the query string are never read.
type Credentials struct {
	APIKey   string // the apiKey header: the key the administrator configured
	Username string // the username header: the Workfront user's e-mail
	Token    string // the access token of an Authorization: Bearer header
}

// ReadCredentials returns the credentials of a request, for
// Config.Authenticate to check; a request with none (no apiKey, no
// username, no Bearer token) is ErrNoCredentials.
func ReadCredentials(r *http.Request) (Credentials, error) {
	c := Credentials{APIKey: r.Header.Get("apiKey"), Username: r.Header.Get("username")}
	c.Token, _ = httpx.BearerToken(r, "Bearer")
	if c == (Credentials{}) {
		return c, ErrNoCredentials
	}
	return c, nil
}

// Config configures a [Handler]. The zero value is valid: it serves
// /serviceInfo with the defaults and denies every /customAction with 403,
// because it has no Authenticate function. Every function may be called
// concurrently. Workfront sends no request body, so there is no body
// limit.
type Config[T any] struct {
	// Authenticate maps a /customAction request to the actor the action
	// runs as; ReadCredentials reads what Workfront sends. It returns
	// ErrNoCredentials or ErrBadCredentials to refuse the request (403
	// "Invalid or missing credentials."), or an error matching
	// actions.ErrForbidden for a user who may run no custom action (403);
	// an actor without an ID counts as ErrBadCredentials, and any other
	// error is a 500, logged. Nil denies every request.
	Authenticate func(r *http.Request) (actions.Actor, error)

	// WebhookVersion, Version and Publisher are announced by /serviceInfo;
	// empty means DefaultWebhookVersion, DefaultVersion, DefaultPublisher.
	WebhookVersion string
	Version        string
	Publisher      string
	// Endpoints are the endpoints the host serves itself (files, metadata,
	// download, ...), listed in availableEndpoints after serviceInfo and
	// customAction.
	Endpoints []string
	// IncludeReserved lists reserved actions in customActions too. They can
	// be executed by name either way.
	IncludeReserved bool

	// ObjectID maps Workfront's documentId and documentVersionId to the id
	// of the object in the engine's store. Nil uses the documentId as it
	// is. It returns an error matching actions.ErrNotFound for a document
	// it does not know (404); any other error is answered with 500.
	ObjectID func(ctx context.Context, documentID, documentVersionID string) (string, error)
	// DocumentVersion, if set, returns the Workfront version id of a stored
	// document; the documentVersionId of a request must then equal it, or
	// the request is answered 404 (the action runs on the current version
	// of a document only). Nil accepts any documentVersionId.
	DocumentVersion func(doc T) string

	// MaxRetries is how many times an execution that met a concurrent
	// change (actions.ErrConflict) is retried against the version then
	// stored: 0 means DefaultMaxRetries, and a negative value no retry.
	MaxRetries int

	// ErrorMessage, if set, writes the message shown to the Workfront user
	// when an action fails (not applicable, validation failed, effect
	// failed, conflicts exhausted, permission missing); err is the
	// engine's. Returning "" keeps the default message. Use it to
	// translate or to word a rule's refusal for your users.
	ErrorMessage func(a *actions.Action, err error) string

	// Logger receives the cause of every 500 (a panic of a Config function
	// or of the store included, with its stack) and of every failed effect.
	// Nil means slog.Default().
	Logger *slog.Logger
}

// Handler serves Workfront's document-webhook custom actions over an
// engine. It is safe for concurrent use, and reads the engine's current
// catalog on every request, so that [actions.Engine.Swap] changes what
// /serviceInfo lists.
type Handler[T any] struct {
	engine    *actions.Engine[T]
	cfg       Config[T]
	log       *slog.Logger
	endpoints []string
	retries   int
	mux       *http.ServeMux
	info      atomic.Pointer[encodedInfo[T]]
}

// encodedInfo is the /serviceInfo body of one catalog, encoded once.
type encodedInfo[T any] struct {
	cat  *actions.Catalog[T]
	body []byte
}

// New returns a Handler that runs the actions of engine. Mount it at the
// base URL registered in Workfront, for example under a prefix with
// http.StripPrefix.
func New[T any](engine *actions.Engine[T], cfg Config[T]) (*Handler[T], error) {
	if engine == nil {
		return nil, errors.New("workfront: New needs an engine")
	}
	h := &Handler[T]{engine: engine, cfg: cfg, log: httpx.Logger(cfg.Logger), retries: httpx.Retries(cfg.MaxRetries, DefaultMaxRetries)}
	if h.cfg.WebhookVersion == "" {
		h.cfg.WebhookVersion = DefaultWebhookVersion
	}
	if h.cfg.Version == "" {
		h.cfg.Version = DefaultVersion
	}
	if h.cfg.Publisher == "" {
		h.cfg.Publisher = DefaultPublisher
	}
	h.endpoints = []string{EndpointServiceInfo, EndpointCustomAction}
	for _, e := range cfg.Endpoints {
		if e != "" && !slices.Contains(h.endpoints, e) {
			h.endpoints = append(h.endpoints, e)
		}
	}
	h.mux = http.NewServeMux()
	h.mux.HandleFunc("GET /serviceInfo", h.serviceInfo)
	h.mux.HandleFunc("GET /customAction", h.customAction)
	// A GET pattern also matches HEAD; a HEAD must not run an action.
	h.mux.HandleFunc("HEAD /customAction", getOnly)
	h.mux.HandleFunc("/serviceInfo", methodNotAllowed)
	h.mux.HandleFunc("/customAction", methodNotAllowed)
	h.mux.HandleFunc("/", notFound)
	return h, nil
}

// ServeHTTP implements http.Handler. A panic of host code (a Config
// function, the store) is answered 500, as any unexpected error, and
// logged; the engine stores nothing partly, so there is nothing to undo.
func (h *Handler[T]) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer httpx.Recover(func(err error) { h.fail(w, r, nil, err) })
	h.mux.ServeHTTP(w, r)
}

// serviceInfo is the body of GET /serviceInfo.
type serviceInfo struct {
	WebhookVersion     string         `json:"webhookVersion"`
	Version            string         `json:"version"`
	Publisher          string         `json:"publisher"`
	AvailableEndpoints []string       `json:"availableEndpoints"`
	CustomActions      []customAction `json:"customActions"`
}

type customAction struct {
	Name        string `json:"name"`
	DisplayName string `json:"displayName"`
}

func (h *Handler[T]) serviceInfo(w http.ResponseWriter, r *http.Request) {
	cat := h.engine.Catalog()
	info := h.info.Load()
	if info == nil || info.cat != cat {
		body, err := h.encodeInfo(cat)
		if err != nil {
			writeBody(w, http.StatusInternalServerError, internalError) // only plain strings are encoded: this cannot happen
			return
		}
		info = &encodedInfo[T]{cat: cat, body: body}
		h.info.Store(info)
	}
	writeBody(w, http.StatusOK, info.body)
}

// encodeInfo encodes the /serviceInfo body of a catalog.
func (h *Handler[T]) encodeInfo(cat *actions.Catalog[T]) ([]byte, error) {
	info := serviceInfo{
		WebhookVersion:     h.cfg.WebhookVersion,
		Version:            h.cfg.Version,
		Publisher:          h.cfg.Publisher,
		AvailableEndpoints: h.endpoints,
		CustomActions:      []customAction{},
	}
	for _, a := range cat.Actions() {
		if a.Reserved() && !h.cfg.IncludeReserved {
			continue
		}
		info.CustomActions = append(info.CustomActions, customAction{Name: a.ID(), DisplayName: a.Name()})
	}
	return json.Marshal(info)
}

// result is the body of every /customAction answer.
type result struct {
	Status string `json:"status"`
	Error  string `json:"error,omitempty"`
}

var success = result{Status: "success"}

// params are the query parameters of /customAction.
type params struct {
	name, documentID, versionID string
}

func (h *Handler[T]) customAction(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	actor, err := httpx.Authenticate(r, h.cfg.Authenticate)
	if err != nil {
		h.fail(w, r, nil, err)
		return
	}
	p, err := parseParams(r.URL.RawQuery)
	if err != nil {
		h.fail(w, r, nil, err)
		return
	}
	a, err := h.engine.Catalog().Action(p.name)
	if err != nil {
		h.fail(w, r, nil, err)
		return
	}
	id := p.documentID
	if h.cfg.ObjectID != nil {
		if id, err = h.cfg.ObjectID(ctx, p.documentID, p.versionID); err != nil {
			h.fail(w, r, a, err)
			return
		}
	}
	if err := h.execute(ctx, a, id, p, actor); err != nil {
		h.fail(w, r, a, err)
		return
	}
	writeJSON(w, http.StatusOK, success)
}

// execute runs the action on the version of the document it loads; a
// conflict with a concurrent change is retried against the new version, at
// most h.retries times.
func (h *Handler[T]) execute(ctx context.Context, a *actions.Action, id string, p params, actor actions.Actor) error {
	req := actions.Request{
		ActionID: a.ID(), ObjectID: id, Actor: actor,
		Comment: fmt.Sprintf("Workfront custom action on document %s version %s", p.documentID, p.versionID),
	}
	attempts, err := httpx.Retry(h.retries, func() error {
		doc, version, err := h.engine.Load(ctx, id)
		if err != nil {
			return err
		}
		if h.cfg.DocumentVersion != nil {
			if current := h.cfg.DocumentVersion(doc); current != p.versionID {
				return &versionError{document: p.documentID, version: p.versionID}
			}
		}
		req.Version = version
		_, err = h.engine.Execute(ctx, req)
		return err
	})
	if errors.Is(err, actions.ErrConflict) && !errors.Is(err, actions.ErrEffectFailed) {
		return &conflictError{attempts: attempts, err: err}
	}
	return err
}

// parseParams reads name, documentId and documentVersionId: each must be
// present once and not empty. Other parameters (Workfront appends those the
// administrator configured) are ignored.
func parseParams(rawQuery string) (params, error) {
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return params{}, &paramError{"The query string is malformed."}
	}
	var p params
	for _, f := range []struct {
		key string
		dst *string
	}{{"name", &p.name}, {"documentId", &p.documentID}, {"documentVersionId", &p.versionID}} {
		switch vs := q[f.key]; {
		case len(vs) == 0 || vs[0] == "":
			return params{}, &paramError{fmt.Sprintf("The %s parameter is missing.", f.key)}
		case len(vs) > 1:
			return params{}, &paramError{fmt.Sprintf("The %s parameter is given more than once.", f.key)}
		default:
			*f.dst = vs[0]
		}
	}
	return p, nil
}

func methodNotAllowed(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Allow", "GET, HEAD")
	writeJSON(w, http.StatusMethodNotAllowed, result{Status: "error", Error: "Only GET is allowed here."})
}

// getOnly refuses a method other than GET on an endpoint that acts.
func getOnly(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Allow", "GET")
	writeJSON(w, http.StatusMethodNotAllowed, result{Status: "error", Error: "Only GET is allowed here."})
}

func notFound(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusNotFound, result{Status: "error", Error: "There is no such endpoint."})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		// Only plain strings are encoded: this cannot happen.
		status, body = http.StatusInternalServerError, internalError
	}
	writeBody(w, status, body)
}

// internalError is the body of a 500 that writeJSON answers itself.
var internalError = []byte(`{"status":"error","error":"Internal error."}`)

// writeBody writes a JSON body; body is not changed or kept.
func writeBody(w http.ResponseWriter, status int, body []byte) {
	hdr := w.Header()
	hdr.Set("Content-Type", "application/json; charset=utf-8")
	hdr.Set("Cache-Control", "no-store")
	hdr.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
