package salesforce

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/actionable-go/actionable/actions"
	"github.com/actionable-go/actionable/adapters/internal/httpx"
)

// Defaults of Config.
const (
	// DefaultCalloutTimeout bounds every callout unless
	// Config.CalloutTimeout says otherwise.
	DefaultCalloutTimeout = 10 * time.Second
	// DefaultMaxBodyBytes bounds a request body unless Config.MaxBodyBytes
	// says otherwise.
	DefaultMaxBodyBytes = 1 << 20
	// DefaultMaxRetries is how many times a status change that met a
	// concurrent change of the link is retried unless Config.MaxRetries
	// says otherwise: every round of concurrent PATCHes of one link lets
	// one of them through, so with OncePerUser, where each user's execution
	// changes the link, a few users PATCHing at once need a few rounds.
	DefaultMaxRetries = 7
)

// Defaults of Limits. Salesforce documents no length limit for the Connect
// REST input: DefaultLabelKeyBytes and DefaultRequestBodyBytes are the
// lengths of the LabelKey and RequestBody fields of the ActionLinkTemplate
// object, which stores the same data, and the others are this server's own.
// Salesforce documents no per-user limit on group definitions either.
const (
	DefaultLabelKeyBytes      = 128
	DefaultActionURLBytes     = 4096
	DefaultRequestBodyBytes   = 32000
	DefaultHeaderNameBytes    = 256
	DefaultHeaderValueBytes   = 4096
	DefaultHeaders            = 16
	DefaultDefinitionsPerUser = 100
)

// Limits bound what users may store. A zero field takes its default; a
// negative one is an error of New. Over a length limit, POST answers 400
// STRING_TOO_LONG for the field; over DefinitionsPerUser, 400
// LIMIT_EXCEEDED. Lengths are in bytes.
type Limits struct {
	// LabelKey bounds labelKey (default DefaultLabelKeyBytes).
	LabelKey int
	// ActionURL bounds actionUrl as defined, before its context variables
	// are filled (default DefaultActionURLBytes).
	ActionURL int
	// RequestBody bounds requestBody (default DefaultRequestBodyBytes).
	RequestBody int
	// HeaderName and HeaderValue bound each header's name and value
	// (defaults DefaultHeaderNameBytes, DefaultHeaderValueBytes).
	HeaderName  int
	HeaderValue int
	// Headers bounds how many headers one link has (default
	// DefaultHeaders).
	Headers int
	// DefinitionsPerUser bounds how many group definitions one user may
	// have created and not deleted, expired ones included, since they are
	// kept until deleted (default DefaultDefinitionsPerUser). Definitions
	// a host creates with Handler.CreateGroup count but are never refused.
	DefinitionsPerUser int
}

// withDefaults returns l with its zero fields set to their defaults; a
// negative one is an error.
func (l Limits) withDefaults() (Limits, error) {
	for _, f := range []struct {
		name  string
		v     *int
		value int
	}{
		{"LabelKey", &l.LabelKey, DefaultLabelKeyBytes},
		{"ActionURL", &l.ActionURL, DefaultActionURLBytes},
		{"RequestBody", &l.RequestBody, DefaultRequestBodyBytes},
		{"HeaderName", &l.HeaderName, DefaultHeaderNameBytes},
		{"HeaderValue", &l.HeaderValue, DefaultHeaderValueBytes},
		{"Headers", &l.Headers, DefaultHeaders},
		{"DefinitionsPerUser", &l.DefinitionsPerUser, DefaultDefinitionsPerUser},
	} {
		var err error
		if *f.v, err = httpx.Limit("salesforce", "Limits."+f.name, *f.v, f.value); err != nil {
			return l, err
		}
	}
	return l, nil
}

// Config configures a Handler. Stores is required; with only Stores set, the
// handler refuses every request with 401 until Authenticate is set. Every
// function may be called concurrently.
type Config struct {
	// Stores is where the handler keeps its data (required;
	// NewMemoryStores keeps it in memory).
	Stores Stores
	// EngineOptions are given to actions.New when the handler builds the
	// engine over Stores.Links: a journal other than the store
	// (actions.WithJournal), an observer, record limits, execution ids.
	EngineOptions []actions.Option
	// Authenticate maps a request to the user making it; Actor.ID is the
	// user's Salesforce id (005...). BearerToken reads the token of its
	// "Authorization: Bearer <token>" (or "OAuth <token>") header. It
	// returns ErrNoCredentials or ErrBadCredentials to refuse the request
	// (401 INVALID_SESSION_ID), or an error matching actions.ErrForbidden
	// for a user who may not use the API (403 INSUFFICIENT_ACCESS); an
	// actor without an ID counts as ErrBadCredentials, and any other error
	// is a 500, logged. Nil refuses every request.
	Authenticate func(r *http.Request) (actions.Actor, error)
	// BasePath prefixes the url fields of responses: the path the host
	// mounts the handler under, such as "/services/data/v62.0".
	BasePath string
	// Client makes the callouts of Api and ApiAsync links. Their URLs come
	// from group definitions that any authenticated user may POST, so the
	// client decides where users can make the server send requests, and
	// diagnostic-info shows the answers. Nil means a client that connects
	// directly (no proxy) to public addresses only: never to loopback,
	// private, shared (100.64.0.0/10), link-local (cloud metadata),
	// multicast, 0.0.0.0/8 or IPv4-embedding IPv6 (64:ff9b::/96, ::/96)
	// addresses, whatever a name resolves to and whatever a redirect says.
	// A host that calls out to its own network, or through a proxy,
	// supplies its own client; it should still allow only the providers it
	// trusts, checked when connecting (net.Dialer.Control or
	// Transport.DialContext) so that redirects are checked too.
	Client *http.Client
	// CalloutTimeout bounds every callout, whatever the client: 0 means
	// DefaultCalloutTimeout, and a negative value is an error of New.
	CalloutTimeout time.Duration
	// Clock is the time of creation dates, of executions and of expiry
	// (default time.Now).
	Clock func() time.Time
	// Variables returns the values of {!orgId}, {!communityId} and
	// {!communityUrl} for a request. Nil leaves {!orgId} and
	// {!communityUrl} empty, and {!communityId} is the internal org's
	// 000000000000000000 when empty, as Salesforce documents. Values derived
	// from the request (its Host, say) are chosen by the client: use them
	// only when callouts to where the client points are acceptable. An
	// execution records the values it was made with.
	Variables func(r *http.Request) Variables
	// AllowHTTP reports whether an absolute http:// actionUrl u is
	// acceptable, as Salesforce accepts only https:// ones. It is asked when
	// a definition is created (with placeholders for the context variables,
	// an https URL for {!communityUrl}), and again with their values before
	// every callout and for the actionUrl of every Ui and Download link
	// shown. Nil refuses every http:// URL. A development server sets it to
	// accept its own address and the plain-HTTP providers a developer runs.
	AllowHTTP func(ctx context.Context, u *url.URL) bool
	// Provider reports whether user speaks for the provider of link l: may
	// set the terminal status of an execution that another user started
	// in a group whose executionsAllowed is Once (an ApiAsync provider
	// calling back, say). Nil means nobody: only the user whose execution
	// is pending may complete it. With OncePerUser every user has their
	// own execution and a PATCH names none, so a provider completes one by
	// PATCHing as its user.
	Provider func(ctx context.Context, user actions.Actor, l Link) bool
	// UserSummary returns what Platform Actions show of the user with id
	// as their executingUser; the handler sets the summary's ID, Type and
	// URL. An error matching actions.ErrNotFound, or a nil UserSummary,
	// shows the id, type and URL only, every other property null; any
	// other error fails the request (500).
	UserSummary func(ctx context.Context, id string) (UserSummary, error)
	// NewID returns a new id starting with prefix (0Ag for groups, 0An for
	// links). Nil generates random 18-character ids.
	NewID func(prefix string) string
	// MaxBodyBytes bounds request bodies: 0 means DefaultMaxBodyBytes, and
	// a negative value is an error of New.
	MaxBodyBytes int64
	// MaxRetries bounds how many times a PATCH that met a concurrent
	// change of its link is retried against the link as it is then: 0
	// means DefaultMaxRetries, and a negative value no retry (the first
	// conflict is a 409 UNABLE_TO_LOCK_ROW).
	MaxRetries int
	// Limits bound what users may store (see Limits for the defaults).
	Limits Limits
	// Logger receives the cause of every 500 (a panic of a Config function
	// or of a store included, with its stack). Nil means slog.Default().
	Logger *slog.Logger
}

// Handler serves the action link resources of the Connect REST API,
// relative to its mount point. It is safe for concurrent use.
type Handler struct {
	cfg     Config
	log     *slog.Logger
	retries int
	mux     *http.ServeMux
	engine  *actions.Engine[Link]
	links   Store[Link]
	groups  Store[Group]
	owners  Store[Owner]
	client  *http.Client
	timeout time.Duration
}

var _ http.Handler = (*Handler)(nil)

// New returns a Handler over cfg.Stores. It builds an engine over
// Stores.Links with the handler's own rules (see Engine).
func New(cfg Config) (*Handler, error) {
	if cfg.Stores.Links == nil || cfg.Stores.Groups == nil || cfg.Stores.Owners == nil {
		return nil, errors.New("salesforce: Config.Stores needs Links, Groups and Owners (NewMemoryStores gives all three)")
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	var err error
	if cfg.CalloutTimeout, err = httpx.Limit("salesforce", "CalloutTimeout", cfg.CalloutTimeout, DefaultCalloutTimeout); err != nil {
		return nil, err
	}
	if cfg.MaxBodyBytes, err = httpx.Limit("salesforce", "MaxBodyBytes", cfg.MaxBodyBytes, DefaultMaxBodyBytes); err != nil {
		return nil, err
	}
	if cfg.NewID == nil {
		cfg.NewID = randomID
	}
	if cfg.Limits, err = cfg.Limits.withDefaults(); err != nil {
		return nil, err
	}
	cfg.BasePath = strings.TrimSuffix(cfg.BasePath, "/")
	h := &Handler{
		cfg:     cfg,
		log:     httpx.Logger(cfg.Logger),
		retries: httpx.Retries(cfg.MaxRetries, DefaultMaxRetries),
		links:   cfg.Stores.Links,
		groups:  cfg.Stores.Groups,
		owners:  cfg.Stores.Owners,
		client:  cfg.Client,
		timeout: cfg.CalloutTimeout,
	}
	if h.client == nil {
		h.client = defaultClient(cfg.CalloutTimeout)
	}
	cat, err := newCatalog(cfg.Clock, actions.EffectFunc[Link](h.callout))
	if err != nil {
		return nil, fmt.Errorf("salesforce: %w", err)
	}
	if h.engine, err = actions.New(cat, h.links, cfg.EngineOptions...); err != nil {
		return nil, fmt.Errorf("salesforce: %w", err)
	}
	h.routes()
	return h, nil
}

// Engine returns the engine the handler executes action links with: its
// objects are the Links of Stores.Links, its actions the rules of the
// status workflow, and its journal holds every execution (a host reads it
// for an audit trail).
func (h *Handler) Engine() *actions.Engine[Link] { return h.engine }

const (
	pathDefinitions = "/connect/action-link-group-definitions"
	pathGroups      = "/connect/action-link-groups"
	pathLinks       = "/connect/action-links"
)

func (h *Handler) routes() {
	h.mux = http.NewServeMux()
	h.handle("POST "+pathDefinitions, h.postDefinition)
	h.handle("GET "+pathDefinitions+"/{id}", h.getDefinition)
	h.handle("DELETE "+pathDefinitions+"/{id}", h.deleteDefinition)
	h.handle("GET "+pathGroups+"/{id}", h.getGroup)
	h.serve("GET "+pathLinks+"/{id}", h.getLink)
	h.serve("PATCH "+pathLinks+"/{id}", h.patchLink)
	h.handle("GET "+pathLinks+"/{id}/diagnostic-info", h.getDiagnostic)
	// Any other method on a known resource is a 405, anything else a 404,
	// both with the error array.
	for path, allow := range map[string]string{
		pathDefinitions:                     "POST",
		pathDefinitions + "/{id}":           "GET, HEAD, DELETE",
		pathGroups + "/{id}":                "GET, HEAD",
		pathLinks + "/{id}":                 "GET, HEAD, PATCH",
		pathLinks + "/{id}/diagnostic-info": "GET, HEAD",
	} {
		h.mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) { h.writeError(w, r, &methodError{allow: allow}) })
	}
	h.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { h.writeError(w, r, actions.ErrNotFound) })
}

// call is what an endpoint knows of its request besides the request
// itself: the authenticated user and the request's context variables
// (Config.Variables, {!communityId} defaulted).
type call struct {
	user actions.Actor
	vars Variables
}

// endpoint serves one resource for an authenticated user: it returns the
// status and body of the answer, or an error for writeError.
type endpoint func(r *http.Request, c call) (int, any, error)

// writer serves one resource for an authenticated user: it writes the
// answer itself, or returns an error for writeError having written
// nothing.
type writer func(w http.ResponseWriter, r *http.Request, c call) error

// handle serves pattern with e, whose body writeJSON writes.
func (h *Handler) handle(pattern string, e endpoint) {
	h.serve(pattern, func(w http.ResponseWriter, r *http.Request, c call) error {
		status, body, err := e(r, c)
		switch {
		case err != nil:
			return err
		case body == nil:
			w.WriteHeader(status)
		default:
			h.writeJSON(w, r, status, body)
		}
		return nil
	})
}

// serve serves pattern with s, for the users Config.Authenticate accepts.
func (h *Handler) serve(pattern string, s writer) {
	// Only POST and PATCH endpoints read the body: the others need no
	// limit on it.
	limit := strings.HasPrefix(pattern, http.MethodPost+" ") || strings.HasPrefix(pattern, http.MethodPatch+" ")
	h.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		var c call
		var err error
		if c.user, err = httpx.Authenticate(r, h.cfg.Authenticate); err != nil {
			h.writeError(w, r, authError(err))
			return
		}
		if h.cfg.Variables != nil {
			c.vars = h.cfg.Variables(r)
		}
		if c.vars.CommunityID == "" {
			c.vars.CommunityID = defaultCommunityID
		}
		if limit {
			r.Body = http.MaxBytesReader(w, r.Body, h.cfg.MaxBodyBytes)
		}
		if err := s(w, r, c); err != nil {
			h.writeError(w, r, err)
		}
	})
}

// ServeHTTP implements http.Handler. A panic of host code (a Config
// function, a store) is answered 500 UNKNOWN_EXCEPTION and logged.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer httpx.Recover(func(err error) { h.writeError(w, r, err) })
	h.mux.ServeHTTP(w, r)
}

// pathID returns the {id} of the request if it is an id with prefix.
func pathID(r *http.Request, prefix string) (string, error) {
	id := r.PathValue("id")
	if !validID(id, prefix) {
		return "", &idError{id: id}
	}
	return id, nil
}

// decode reads a JSON body strictly into v.
func decode(r *http.Request, v any) error {
	data, err := readBody(r)
	if err != nil {
		return err
	}
	return decodeJSON(data, v)
}

// readBody reads the request body, within the handler's limit.
func readBody(r *http.Request) ([]byte, error) {
	data, err := io.ReadAll(r.Body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, &parseError{msg: fmt.Sprintf("The request body is larger than %d bytes.", tooBig.Limit)}
		}
		return nil, &parseError{msg: "The request body could not be read."}
	}
	return data, nil
}

func decodeJSON(data []byte, v any) error {
	if len(bytes.TrimSpace(data)) == 0 {
		return &parseError{msg: "The request body is empty; it must be a JSON object."}
	}
	if err := httpx.DecodeJSON(bytes.NewReader(data), v); err != nil {
		return &parseError{msg: jsonMessage(err)}
	}
	return nil
}

// jsonMessage describes a decoding error to the client.
func jsonMessage(err error) string {
	var (
		syntax *json.SyntaxError
		typ    *json.UnmarshalTypeError
	)
	switch {
	case errors.Is(err, httpx.ErrTrailingData):
		return "Unexpected data after the JSON object."
	case errors.As(err, &syntax):
		return fmt.Sprintf("Malformed JSON at offset %d: %v", syntax.Offset, syntax)
	case errors.As(err, &typ):
		if typ.Field == "" {
			return fmt.Sprintf("The request body must be a JSON object, not %s.", typ.Value)
		}
		return fmt.Sprintf("Field %s must be %s, not %s.", typ.Field, jsonType(typ.Type.String()), typ.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return "Unrecognized field " + strings.TrimPrefix(err.Error(), "json: unknown field ") + "."
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "Unexpected end of the JSON input."
	}
	return "The request body is not valid JSON."
}

func jsonType(goType string) string {
	switch {
	case goType == "string":
		return "a string"
	case goType == "bool" || goType == "*bool" || strings.HasSuffix(goType, ".Boolean"):
		return "a boolean"
	case strings.HasPrefix(goType, "[]"):
		return "an array"
	}
	return "an object"
}

// randomID returns prefix followed by random letters and digits, 18
// characters in all.
func randomID(prefix string) string {
	const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	b := make([]byte, 18-len(prefix))
	_, _ = rand.Read(b) // never fails (crypto/rand)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return prefix + string(b)
}
