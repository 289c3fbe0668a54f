package salesforce

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/actionable-go/actionable/actions"
)

// Defaults of Config.
const (
	DefaultCalloutTimeout = 10 * time.Second
	DefaultMaxBodyBytes   = 1 << 20
)

// Config configures a Handler. Its zero value is valid: it refuses every
// request with 401 until Authenticate is set.
type Config struct {
	// Authenticate maps the token of an "Authorization: Bearer <token>"
	// header to the user making the request; Actor.ID is the user's
	// Salesforce id (005...). It returns false for an unknown token (401).
	// Nil refuses every request.
	Authenticate func(ctx context.Context, token string) (actions.Actor, bool)
	// BasePath prefixes the url fields of responses: the path the host
	// mounts the handler under, such as "/services/data/v62.0".
	BasePath string
	// Client makes the callouts of Api and ApiAsync links. Their URLs come
	// from group definitions that any authenticated user may POST, so the
	// client decides where users can make the server send requests, and
	// diagnostic-info shows the answers. Nil means a client that connects
	// directly (no proxy) to public addresses only: never to loopback,
	// private, shared (100.64.0.0/10), link-local (cloud metadata) or
	// multicast addresses, whatever a name resolves to and whatever a
	// redirect says. A host that calls out to its own network, or through a
	// proxy, supplies its own client; it should still allow only the
	// providers it trusts, checked when connecting (net.Dialer.Control or
	// Transport.DialContext) so that redirects are checked too.
	Client *http.Client
	// CalloutTimeout bounds every callout, whatever the client
	// (default DefaultCalloutTimeout).
	CalloutTimeout time.Duration
	// Clock is the time of creation dates, of executions and of expiry
	// (default time.Now).
	Clock func() time.Time
	// Variables returns the values of {!orgId}, {!communityId} and
	// {!communityUrl} for a request. Nil leaves them empty. Values derived
	// from the request (its Host, say) are chosen by the client: use them
	// only when callouts to where the client points are acceptable.
	Variables func(r *http.Request) Variables
	// NewID returns a new id starting with prefix (0Ag for groups, 0An for
	// links). Nil generates random 18-character ids.
	NewID func(prefix string) string
	// MaxBodyBytes bounds request bodies (default DefaultMaxBodyBytes).
	MaxBodyBytes int64
}

// Handler serves the action link resources of the Connect REST API,
// relative to its mount point. It is safe for concurrent use.
type Handler struct {
	cfg     Config
	mux     *http.ServeMux
	engine  *actions.Engine[link]
	links   *actions.MemoryStore[link]
	groups  *actions.MemoryStore[group]
	client  *http.Client
	timeout time.Duration
	diag    diagnostics
}

var _ http.Handler = (*Handler)(nil)

// New returns a Handler with empty in-memory stores.
func New(cfg Config) (*Handler, error) {
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.CalloutTimeout <= 0 {
		cfg.CalloutTimeout = DefaultCalloutTimeout
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.NewID == nil {
		cfg.NewID = randomID
	}
	cfg.BasePath = strings.TrimSuffix(cfg.BasePath, "/")
	h := &Handler{
		cfg:     cfg,
		links:   actions.NewMemoryStore[link](),
		groups:  actions.NewMemoryStore[group](),
		client:  cfg.Client,
		timeout: cfg.CalloutTimeout,
		diag:    diagnostics{byID: map[string]diagnostic{}},
	}
	if h.client == nil {
		h.client = defaultClient(cfg.CalloutTimeout)
	}
	cat, err := newCatalog(cfg.Clock, actions.EffectFunc[link](h.callout))
	if err != nil {
		return nil, fmt.Errorf("salesforce: %w", err)
	}
	if h.engine, err = actions.New(cat, h.links); err != nil {
		return nil, fmt.Errorf("salesforce: %w", err)
	}
	h.routes()
	return h, nil
}

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
	h.handle("GET "+pathLinks+"/{id}", h.getLink)
	h.handle("PATCH "+pathLinks+"/{id}", h.patchLink)
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
		h.mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) { writeError(w, &methodError{allow: allow}) })
	}
	h.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { writeError(w, actions.ErrNotFound) })
}

// endpoint serves one resource for an authenticated user: it returns the
// status and body of the answer, or an error for writeError.
type endpoint func(r *http.Request, user actions.Actor) (int, any, error)

func (h *Handler) handle(pattern string, e endpoint) {
	h.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		user, err := h.authenticate(r)
		if err != nil {
			writeError(w, err)
			return
		}
		if h.cfg.Variables != nil {
			r = r.WithContext(context.WithValue(r.Context(), variablesKey{}, h.cfg.Variables(r)))
		}
		r.Body = http.MaxBytesReader(w, r.Body, h.cfg.MaxBodyBytes)
		status, body, err := e(r, user)
		switch {
		case err != nil:
			writeError(w, err)
		case body == nil:
			w.WriteHeader(status)
		default:
			writeJSON(w, status, body)
		}
	})
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

func (h *Handler) authenticate(r *http.Request) (actions.Actor, error) {
	scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	token = strings.TrimSpace(token)
	if h.cfg.Authenticate == nil || token == "" || !strings.EqualFold(scheme, "Bearer") && !strings.EqualFold(scheme, "OAuth") {
		return actions.Actor{}, errUnauthenticated
	}
	user, ok := h.cfg.Authenticate(r.Context(), token)
	if !ok || user.ID == "" {
		return actions.Actor{}, errUnauthenticated
	}
	return user, nil
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
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return &parseError{msg: jsonMessage(err)}
	}
	if _, err := dec.Token(); err != io.EOF {
		return &parseError{msg: "Unexpected data after the JSON object."}
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
	case goType == "bool" || goType == "*bool":
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
