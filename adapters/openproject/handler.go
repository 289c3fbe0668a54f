package openproject

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/actionable-go/actionable/actions"
)

// The permissions the default checks ask for, named as in OpenProject.
const (
	// PermissionViewWorkPackages lets an actor see a work package.
	PermissionViewWorkPackages = "view_work_packages"
	// PermissionEditWorkPackages lets an actor execute custom actions.
	PermissionEditWorkPackages = "edit_work_packages"
)

// DefaultMaxBodyBytes bounds the body of an execute request unless
// Config.MaxBodyBytes says otherwise. An execute body is a few dozen bytes.
const DefaultMaxBodyBytes = 64 << 10

// The paths the handler serves. Custom actions and work packages are
// addressed by their ids in the catalog and in the store.
const (
	customActionsPath = "/api/v3/custom_actions/"
	workPackagesPath  = "/api/v3/work_packages/"
)

// Config configures a Handler. Its zero value is valid and denies every
// request (401): a host must at least say how a request maps to an actor.
// Every function may be called concurrently.
type Config[T any] struct {
	// Authenticate maps a request to the actor it acts for, or reports
	// false (401 Unauthenticated). Nil denies every request. APIKey extracts
	// the token the way OpenProject accepts it.
	Authenticate func(r *http.Request) (actions.Actor, bool)

	// ActorFor returns the actor as it stands towards one work package: its
	// Roles and Permissions in the work package's project. Conditions
	// (`"Member" in Actor.Roles`), the action's Permission, CanView and the
	// customActions links all see this actor. Nil uses the authenticated
	// actor as it is.
	ActorFor func(ctx context.Context, actor actions.Actor, id string, wp T) actions.Actor

	// CanEdit reports whether an actor may edit work packages. It is asked
	// twice. For the authenticated actor, on execute, before anything is
	// looked up ("may it edit in some project?"): false is a 403
	// MissingPermission. For the actor ActorFor scoped to one work package
	// ("may it edit this one?"): false is a 403 MissingPermission on execute
	// (after the lockVersion check) and an empty customActions list on the
	// work package. Nil checks actor.Can(PermissionEditWorkPackages).
	CanEdit func(ctx context.Context, actor actions.Actor) bool

	// CanView reports whether the actor (as ActorFor returned it) may see
	// the work package. One it may not see is a 404 on GET and a 422
	// "Work package does not exist." on execute, exactly like a work package
	// that does not exist. Nil checks actor.Can(PermissionViewWorkPackages).
	CanView func(ctx context.Context, actor actions.Actor, id string, wp T) bool

	// Render returns the HAL representation of a work package, any value
	// encoding/json encodes as an object. Nil renders the JSON fields of T
	// after _type, id and lockVersion, then _links (see Links).
	Render func(ctx context.Context, wp WorkPackage[T]) (any, error)

	// Links adds links to the default rendering's _links, by relation name
	// ("project", "assignee", ...). A "self" link replaces the default one
	// (which has no title); "customActions" is always the adapter's.
	Links func(id string, wp T) map[string]Link

	// AttributeNames maps the JSON name of a field to the name messages use
	// ("percentageDone" → "% Complete"). A field not listed is humanized
	// ("startDate" → "Start date").
	AttributeNames map[string]string

	// MaxBodyBytes bounds the body of an execute request; 0 means
	// DefaultMaxBodyBytes.
	MaxBodyBytes int64

	// Logger receives what the client is not told: internal errors (500)
	// and effects that failed after a successful save. Nil uses
	// slog.Default().
	Logger *slog.Logger
}

// Handler serves OpenProject's API v3 custom actions over an actions.Engine:
//
//	GET  /api/v3/custom_actions/{id}
//	POST /api/v3/custom_actions/{id}/execute
//	GET  /api/v3/work_packages/{id}
//
// A Handler is safe for concurrent use.
type Handler[T any] struct {
	engine *actions.Engine[T]
	cfg    Config[T]
	log    *slog.Logger
	mux    *http.ServeMux
}

var _ http.Handler = (*Handler[struct{}])(nil)

// New returns a handler executing the custom actions of engine's catalog on
// the work packages of engine's store. Custom actions are the catalog's
// actions and work packages the store's objects, both by id; a work
// package's lockVersion is its version in the store.
func New[T any](engine *actions.Engine[T], cfg Config[T]) (*Handler[T], error) {
	if engine == nil {
		return nil, errors.New("openproject: New needs an engine")
	}
	if cfg.MaxBodyBytes < 0 {
		return nil, fmt.Errorf("openproject: MaxBodyBytes must not be negative, got %d", cfg.MaxBodyBytes)
	}
	if cfg.MaxBodyBytes == 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	h := &Handler[T]{engine: engine, cfg: cfg, log: cfg.Logger, mux: http.NewServeMux()}
	if h.log == nil {
		h.log = slog.Default()
	}
	h.mux.HandleFunc("GET "+customActionsPath+"{id}", h.getCustomAction)
	h.mux.HandleFunc("POST "+customActionsPath+"{id}/execute", h.execute)
	h.mux.HandleFunc("GET "+workPackagesPath+"{id}", h.getWorkPackage)
	// Other methods and paths get HAL errors too, not the mux's plain text.
	h.mux.HandleFunc(customActionsPath+"{id}", h.methodNotAllowed("GET, HEAD"))
	h.mux.HandleFunc(customActionsPath+"{id}/execute", h.methodNotAllowed("POST"))
	h.mux.HandleFunc(workPackagesPath+"{id}", h.methodNotAllowed("GET, HEAD"))
	h.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { h.writeError(w, r, errNotFound) })
	return h, nil
}

func (h *Handler[T]) methodNotAllowed(allow string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { h.writeError(w, r, &methodError{allow: allow}) }
}

// ServeHTTP implements http.Handler.
func (h *Handler[T]) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mux.ServeHTTP(w, r)
}

func (h *Handler[T]) authenticate(r *http.Request) (actions.Actor, bool) {
	if h.cfg.Authenticate == nil {
		return actions.Actor{}, false
	}
	return h.cfg.Authenticate(r)
}

func (h *Handler[T]) canEdit(ctx context.Context, actor actions.Actor) bool {
	if h.cfg.CanEdit == nil {
		return actor.Can(PermissionEditWorkPackages)
	}
	return h.cfg.CanEdit(ctx, actor)
}

// scope returns the actor towards the work package and whether it may see
// it.
func (h *Handler[T]) scope(ctx context.Context, actor actions.Actor, id string, wp T) (actions.Actor, bool) {
	if h.cfg.ActorFor != nil {
		actor = h.cfg.ActorFor(ctx, actor, id, wp)
	}
	if h.cfg.CanView == nil {
		return actor, actor.Can(PermissionViewWorkPackages)
	}
	return actor, h.cfg.CanView(ctx, actor, id, wp)
}

// getCustomAction serves GET /api/v3/custom_actions/{id}.
func (h *Handler[T]) getCustomAction(w http.ResponseWriter, r *http.Request) {
	actor, ok := h.authenticate(r)
	if !ok {
		h.writeError(w, r, errUnauthenticated)
		return
	}
	if !h.canEdit(r.Context(), actor) {
		h.writeError(w, r, errMissingPermission)
		return
	}
	a, err := h.engine.Catalog().Action(r.PathValue("id"))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	h.writeValue(w, r, customActionOf(a))
}

// getWorkPackage serves GET /api/v3/work_packages/{id}.
func (h *Handler[T]) getWorkPackage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	actor, ok := h.authenticate(r)
	if !ok {
		h.writeError(w, r, errUnauthenticated)
		return
	}
	id := r.PathValue("id")
	wp, version, err := h.engine.Load(ctx, id)
	if errors.Is(err, actions.ErrNotFound) {
		err = errNotFound
	}
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	scoped, visible := h.scope(ctx, actor, id, wp)
	if !visible {
		h.writeError(w, r, errNotFound)
		return
	}
	h.writeWorkPackage(w, r, actor, scoped, id, wp, version)
}

// execute serves POST /api/v3/custom_actions/{id}/execute. The checks run in
// the order of OpenProject's API; each refusal happens before anything is
// stored, and the engine applies the action all or nothing.
func (h *Handler[T]) execute(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	actor, ok := h.authenticate(r)
	if !ok {
		h.writeError(w, r, errUnauthenticated)
		return
	}
	if err := checkContentType(r.Header.Get("Content-Type")); err != nil {
		h.writeError(w, r, err)
		return
	}
	if !h.canEdit(ctx, actor) {
		h.writeError(w, r, errMissingPermission)
		return
	}
	in := r.Body
	if in == nil { // a server request always has one; a hand-made one may not
		in = http.NoBody
	}
	body, err := decodeExecute(http.MaxBytesReader(w, in, h.cfg.MaxBodyBytes))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	a, err := h.engine.Catalog().Action(r.PathValue("id"))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if body.href == "" {
		h.writeError(w, r, &workPackageError{blank: true})
		return
	}
	id, ok := workPackageID(body.href)
	if !ok {
		h.writeError(w, r, &workPackageError{})
		return
	}
	wp, version, err := h.engine.Load(ctx, id)
	if errors.Is(err, actions.ErrNotFound) {
		err = &workPackageError{}
	}
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	scoped, visible := h.scope(ctx, actor, id, wp)
	if !visible {
		h.writeError(w, r, &workPackageError{})
		return
	}
	// Checked here as well as by the engine, so that the actor scoped above
	// belongs to the very version the engine will apply the action to.
	if body.lockVersion != version {
		h.writeError(w, r, fmt.Errorf("%w: work package %s is at lockVersion %d", actions.ErrConflict, id, version))
		return
	}
	// Editing somewhere (checked above) is not editing here: an action that
	// names no permission must still not run for a reader of this project.
	if !h.canEdit(ctx, scoped) {
		h.writeError(w, r, errMissingPermission)
		return
	}
	res, err := h.engine.Execute(ctx, actions.Request{ActionID: a.ID(), ObjectID: id, Version: body.lockVersion, Actor: scoped})
	if errors.Is(err, actions.ErrEffectFailed) {
		// The work package is saved and the failure is on the execution
		// record; the client gets the changed work package.
		h.log.WarnContext(ctx, "openproject: effect failed after a custom action was executed", "action", a.ID(), "workPackage", id, "error", err)
		err = nil
	}
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	after, _ := h.scope(ctx, actor, id, res.Object)
	h.writeWorkPackage(w, r, actor, after, id, res.Object, res.Version)
}

// writeWorkPackage renders a work package with the custom actions the actor
// may execute on it.
func (h *Handler[T]) writeWorkPackage(w http.ResponseWriter, r *http.Request, actor, scoped actions.Actor, id string, wp T, version int64) {
	ctx := r.Context()
	links := []Link{}
	if h.canEdit(ctx, scoped) {
		list, err := h.engine.Resolve(ctx, id, wp, scoped)
		if err != nil {
			h.writeError(w, r, err)
			return
		}
		for _, a := range list {
			links = append(links, Link{Href: customActionHref(a.ID()), Title: a.Name()})
		}
	}
	rep := WorkPackage[T]{ID: id, LockVersion: version, Object: wp, CustomActions: links}
	var body any
	var err error
	if h.cfg.Render != nil {
		body, err = h.cfg.Render(ctx, rep)
	} else {
		body, err = renderDefault(rep, h.cfg.Links)
	}
	if err != nil {
		h.writeError(w, r, fmt.Errorf("openproject: rendering work package %s: %w", id, err))
		return
	}
	h.writeValue(w, r, body)
}

// writeValue writes v as a 200 HAL response. A value that cannot be encoded
// (a Render returning a channel, say) or that is not a JSON object (a Render
// returning nil) is a 500.
func (h *Handler[T]) writeValue(w http.ResponseWriter, r *http.Request, v any) {
	body, err := marshal(v)
	if err == nil && !bytes.HasPrefix(body, []byte("{")) {
		err = errors.New("not a JSON object")
	}
	if err != nil {
		h.writeError(w, r, fmt.Errorf("openproject: encoding the response: %w", err))
		return
	}
	writeHAL(w, http.StatusOK, body)
}

// checkContentType accepts application/json and application/hal+json.
func checkContentType(header string) error {
	header = strings.TrimSpace(header)
	if header == "" {
		return errMissingContentType
	}
	mt, _, err := mime.ParseMediaType(header)
	if err != nil || mt != "application/json" && mt != "application/hal+json" {
		return &contentTypeError{got: header}
	}
	return nil
}

// executeBody is what an execute request says.
type executeBody struct {
	href        string // _links.workPackage.href; "" when absent
	lockVersion int64  // 0 when absent or not an integer
}

// decodeExecute reads a body that must be a single JSON object:
//
//	{"_links": {"workPackage": {"href": "/api/v3/work_packages/42"}}, "lockVersion": "3"}
//
// Inside the object it is lenient: a missing or malformed link is "no work
// package" and a missing or malformed lockVersion is "no lockVersion", which
// the later checks refuse with their own errors.
func decodeExecute(r io.Reader) (executeBody, error) {
	dec := json.NewDecoder(r)
	var top map[string]json.RawMessage
	if err := dec.Decode(&top); err != nil {
		return executeBody{}, fmt.Errorf("%w: %w", errInvalidBody, err)
	}
	if top == nil {
		return executeBody{}, fmt.Errorf("%w: null", errInvalidBody)
	}
	if _, err := dec.Token(); err != io.EOF {
		if err == nil {
			err = errors.New("data after the object")
		}
		return executeBody{}, fmt.Errorf("%w: %w", errInvalidBody, err)
	}
	var body executeBody
	var links struct {
		WorkPackage struct {
			Href json.RawMessage `json:"href"`
		} `json:"workPackage"`
	}
	if json.Unmarshal(top["_links"], &links) == nil {
		var href string
		switch err := json.Unmarshal(links.WorkPackage.Href, &href); {
		case err == nil:
			body.href = href
		case len(links.WorkPackage.Href) > 0 && string(links.WorkPackage.Href) != "null":
			body.href = string(links.WorkPackage.Href) // not a string: resolves to nothing
		}
	}
	body.lockVersion = parseLockVersion(top["lockVersion"])
	return body, nil
}

// parseLockVersion accepts "3" (as documented) and 3; anything else is 0,
// which no stored version has.
func parseLockVersion(raw json.RawMessage) int64 {
	var s string
	if json.Unmarshal(raw, &s) != nil {
		var n json.Number
		if json.Unmarshal(raw, &n) != nil {
			return 0
		}
		s = string(n)
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v < 1 {
		return 0
	}
	return v
}

// workPackageID returns the id in a work package link: a path (or an
// absolute URL whose path is) /api/v3/work_packages/{id}.
func workPackageID(href string) (string, bool) {
	u, err := url.Parse(href)
	if err != nil {
		return "", false
	}
	id, ok := strings.CutPrefix(u.Path, workPackagesPath)
	if !ok || id == "" || strings.Contains(id, "/") {
		return "", false
	}
	return id, true
}
