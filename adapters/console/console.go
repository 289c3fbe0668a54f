package console

import (
	"context"
	"crypto/rand"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"slices"

	"github.com/actionable-go/actionable/actions"
)

// ErrUnauthenticated is what an AuthorizeFunc returns (or wraps) for a
// request that carries no credentials or unknown ones: the console answers
// 401, with the Challenge header if one is set. Any other error is a 403.
var ErrUnauthenticated = errors.New("console: unauthenticated")

// AuthorizeFunc decides who may use a console. It returns the actor the
// request is made by, or an error to refuse it: ErrUnauthenticated (401)
// or any other (403). It runs before every page, form and asset, and may
// be called concurrently.
type AuthorizeFunc func(r *http.Request) (actions.Actor, error)

// Defaults and bounds of Options.
const (
	// DefaultTitle names a console whose Options have no Title.
	DefaultTitle = "actionable console"
	// DefaultPageSize is the number of journal records on one page.
	DefaultPageSize = 20
	// MaxPageSize bounds Options.PageSize.
	MaxPageSize = 500
	// MaxFormBytes bounds the body of a playground or execute request.
	MaxFormBytes = 1 << 20
	// MaxRuleFormBytes bounds the body of a rule check: a rule file of
	// actions.MaxRuleFileSize, form-encoded.
	MaxRuleFormBytes = 3*actions.MaxRuleFileSize + 4<<10
)

// Sample is an object the playground can start from.
type Sample[T any] struct {
	Name   string
	Object T
}

// Options configures a Handler. Its zero value is valid: it refuses every
// request (403) and never executes anything. Every function may be called
// concurrently.
type Options[T any] struct {
	// Title names the console in every page (default DefaultTitle).
	Title string
	// Authorize maps a request to the actor making it, or refuses it (see
	// AuthorizeFunc). Nil refuses every request. The actor is the one
	// shown as signed in, the one the CSRF tokens are bound to (by its ID)
	// and the one Execute runs as (scoped by ActorFor); the playground's
	// actor form starts with it but can describe anyone, for what-if
	// questions only.
	Authorize AuthorizeFunc
	// Challenge, if set, is the WWW-Authenticate header of a 401
	// (`Basic realm="console", charset="UTF-8"`).
	Challenge string
	// Objects lists the ids of stored objects the playground suggests;
	// nil, or an error, suggests none (any id can still be typed in).
	// With Visible set, only those the viewer may see are suggested.
	Objects func(ctx context.Context) ([]string, error)
	// ActorFor returns the actor the viewer (the actor Authorize returned)
	// is towards the stored object id, whose value is obj: its roles and
	// permissions in the object's project, say, as the host's adapter
	// scopes it (openproject.Config.ActorFor). Visible is asked with this
	// actor, Execute runs as it, and the playground's actor form starts
	// with it for a stored object. Nil: the viewer as it is.
	ActorFor func(ctx context.Context, viewer actions.Actor, id string, obj T) actions.Actor
	// Visible reports whether actor (the viewer as ActorFor returned it)
	// may see the stored object id, whose value is obj. An object it may
	// not see is, on every page, an object that does not exist: the
	// playground does not load it, suggest it or read its executions,
	// Execute refuses it (404), and the journal does not list its records
	// unless VisibleRecord says otherwise. Nil: every object is visible to
	// everyone Authorize lets in.
	Visible func(ctx context.Context, actor actions.Actor, id string, obj T) bool
	// VisibleRecord reports whether viewer (the actor Authorize returned)
	// may see the execution record x. The journal lists only the records
	// it may see and pages over them (reading at most MaxJournalScan
	// records a page). Nil: with Visible set, a record is visible when its
	// object is stored and visible, so a record of a deleted object is
	// hidden; without Visible, every record is visible. It filters the
	// journal only: the playground's reasons for an object the viewer may
	// see still name who executed a Once action on it (as Explain does);
	// hide the object with Visible to hide that too.
	VisibleRecord func(ctx context.Context, viewer actions.Actor, x actions.Execution) bool
	// Samples are objects the playground can start from, in order.
	Samples []Sample[T]
	// Actors are actors the playground's actor form offers (a host's
	// test users, its roles), in order.
	Actors []actions.Actor
	// Execute lets the playground execute an action on a stored object,
	// as the authorized actor (scoped by ActorFor), through
	// Engine.Execute. It is off by default: the console then stores
	// nothing. Only a stored object can be executed, as it was loaded: a
	// form whose JSON was edited or pasted is refused (422), since what
	// would be executed is not what the page shows.
	Execute bool
	// CompileOptions are what the rule check compiles a pasted rule file
	// with: those of the host's own catalog (effects, states, condition
	// options), so that a file the host would load is found sound.
	CompileOptions []actions.CompileOption
	// CSRFKey signs the CSRF tokens of the forms; at least 32 bytes. By
	// default a random key made by New: tokens then do not survive a
	// restart, and several instances behind one address need one key.
	CSRFKey []byte
	// PageSize is the number of journal records on a page (default
	// DefaultPageSize, at most MaxPageSize).
	PageSize int
	// MenuURL, if set, is linked from every page as "All consoles": a
	// Menu listing the host's consoles.
	MenuURL string
}

// Handler serves the console of one engine: the pages Catalog (/),
// Playground (/playground), Journal (/journal) and Rule check (/rules),
// their forms and their assets (/assets/). Mount it with http.StripPrefix
// at a path ending in a slash; its links are relative. A Handler is safe
// for concurrent use.
type Handler[T any] struct {
	engine  *actions.Engine[T]
	opts    Options[T]
	csrf    csrfKey
	handler http.Handler
}

var _ http.Handler = (*Handler[struct{}])(nil)

//go:embed assets templates
var files embed.FS

// assets are the files under /assets/: the style sheet, and nothing that
// runs (the pages have no script).
var assets = func() fs.FS {
	sub, err := fs.Sub(files, "assets")
	if err != nil {
		panic(err) // the directory is embedded: unreachable
	}
	return sub
}()

// New returns the console of engine. It fails on options it cannot use: a
// short CSRF key or a page size out of bounds.
func New[T any](engine *actions.Engine[T], opts Options[T]) (*Handler[T], error) {
	if engine == nil {
		return nil, errors.New("console: New needs an engine")
	}
	if opts.Title == "" {
		opts.Title = DefaultTitle
	}
	switch {
	case opts.PageSize == 0:
		opts.PageSize = DefaultPageSize
	case opts.PageSize < 0 || opts.PageSize > MaxPageSize:
		return nil, fmt.Errorf("console: page size %d is not between 1 and %d", opts.PageSize, MaxPageSize)
	}
	key := slices.Clone(opts.CSRFKey)
	switch {
	case key == nil:
		key = make([]byte, 32)
		_, _ = rand.Read(key) // never fails (crypto/rand)
	case len(key) < 32:
		return nil, fmt.Errorf("console: the CSRF key has %d bytes; it needs at least 32", len(key))
	}
	opts.Samples = slices.Clone(opts.Samples)
	opts.Actors = slices.Clone(opts.Actors)
	opts.CompileOptions = slices.Clone(opts.CompileOptions)
	h := &Handler[T]{engine: engine, opts: opts, csrf: csrfKey(key)}
	mux := http.NewServeMux()
	mux.Handle("GET /assets/", http.StripPrefix("/assets", http.FileServerFS(assets)))
	mux.HandleFunc("GET /{$}", h.page(h.catalog))
	mux.HandleFunc("GET /playground", h.page(h.playgroundGet))
	mux.HandleFunc("POST /playground", h.form(MaxFormBytes, h.playgroundPost))
	if opts.Execute {
		mux.HandleFunc("POST /execute", h.form(MaxFormBytes, h.execute))
	} else {
		mux.HandleFunc("POST /execute", func(w http.ResponseWriter, _ *http.Request) {
			refuse(w, http.StatusForbidden, "This console does not execute actions: its host has not enabled execution.")
		})
	}
	mux.HandleFunc("GET /journal", h.page(h.journal))
	mux.HandleFunc("GET /rules", h.page(h.rulesGet))
	mux.HandleFunc("POST /rules", h.form(MaxRuleFormBytes, h.rulesPost))
	h.handler = gate(opts.Authorize, opts.Challenge, http.NewCrossOriginProtection().Handler(mux))
	return h, nil
}

// ServeHTTP implements http.Handler.
func (h *Handler[T]) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.handler.ServeHTTP(w, r) }

// contentSecurityPolicy allows the page's own style sheet and nothing
// else: no script at all, no frame, no form posting elsewhere.
const contentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// secure sets the headers every response carries.
func secure(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
}

type viewerKey struct{}

// gate sets the security headers and asks authorize before next; nil
// refuses every request.
func gate(authorize AuthorizeFunc, challenge string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		secure(w)
		if authorize == nil {
			refuse(w, http.StatusForbidden, "This console lets nobody in: its host has not said who may use it.")
			return
		}
		actor, err := authorize(r)
		switch {
		case errors.Is(err, ErrUnauthenticated):
			if challenge != "" {
				w.Header().Set("WWW-Authenticate", challenge)
			}
			refuse(w, http.StatusUnauthorized, "Sign in to use this console.")
			return
		case err != nil:
			refuse(w, http.StatusForbidden, "You may not use this console.")
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), viewerKey{}, actor)))
	})
}

// viewer returns the actor gate authorized.
func viewer(r *http.Request) actions.Actor {
	a, _ := r.Context().Value(viewerKey{}).(actions.Actor)
	return a
}

var refusalPage = template.Must(template.New("refusal").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Status}}</title></head>
<body><main><h1>{{.Status}}</h1><p>{{.Message}}</p></main></body></html>
`))

// refuse writes a page without anything of the console on it: the request
// was not authorized, so not even the style sheet is linked.
func refuse(w http.ResponseWriter, status int, message string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = refusalPage.Execute(w, struct {
		Status  string
		Message string
	}{fmt.Sprintf("%d %s", status, http.StatusText(status)), message})
}
