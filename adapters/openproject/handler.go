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
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/actionable-go/actionable/actions"
	"github.com/actionable-go/actionable/adapters/internal/httpx"
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

// The page sizes of GET /api/v3/work_packages, OpenProject's defaults: the
// first of the per_page_options setting ("20, 100") and the
// apiv3_max_page_size setting (config/constants/settings/definition.rb).
const (
	DefaultPageSize    = 20
	DefaultMaxPageSize = 1000
)

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
	// Authenticate maps a request to the actor it acts for. It returns
	// ErrNoCredentials when the request carries none and ErrBadCredentials
	// when it refuses them (both a 401, worded and challenged as
	// OpenProject does), or an error matching actions.ErrForbidden for an
	// actor who may not use the API at all (403 MissingPermission); an
	// actor without an ID counts as ErrBadCredentials, and any other error
	// is a 500 and logged. Nil treats every request as carrying no
	// credentials. APIKey reads the token the ways OpenProject accepts it.
	Authenticate func(r *http.Request) (actions.Actor, error)

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
	// the work package. One it may not see is a 404 on GET, a 422
	// "Work package does not exist." on execute, exactly like a work package
	// that does not exist, and is not listed. Nil checks
	// actor.Can(PermissionViewWorkPackages).
	CanView func(ctx context.Context, actor actions.Actor, id string, wp T) bool

	// CanList reports whether the authenticated actor may view work
	// packages in some project, which GET /api/v3/work_packages asks before
	// it lists anything: false is a 403 MissingPermission. Nil checks
	// actor.Can(PermissionViewWorkPackages).
	CanList func(ctx context.Context, actor actions.Actor) bool

	// List returns the ids of the work packages GET /api/v3/work_packages
	// lists, in the order it lists them (OpenProject's default is by id,
	// ascending). It may return ids the actor may not see: each is loaded
	// and checked with CanView, and only the visible ones are counted and
	// paged. An id that is not a decimal integer, or an error, is a 500.
	// Nil serves no collection (404).
	List func(ctx context.Context, actor actions.Actor) ([]string, error)

	// Render returns the HAL representation of a work package, any value
	// encoding/json encodes as an object. Nil renders the JSON fields of T
	// after _type, id and lockVersion, then _embedded and _links (see
	// LinkedProperties and Links).
	Render func(ctx context.Context, wp WorkPackage[T]) (any, error)

	// AppendProperties, when set, writes the properties of the default
	// rendering, instead of encoding/json encoding T and the adapter leaving
	// out the linked and reserved names: a work package type on a hot path
	// can render itself without reflection and without the pass over
	// encoding/json's output. It appends to b each property as a member,
	// preceded by a comma (`,"subject":"Fix it","percentageDone":50`), and
	// returns the extended slice and the subject that titles the self link
	// ("" for none). It must write exactly what the default rendering writes
	// without it: the JSON fields of T in their order, compact and encoded
	// as encoding/json encodes them without HTML escaping, but
	// LinkedProperties and _type, id, lockVersion, _embedded and _links; and
	// the subject is the string field "subject". New compares the two on
	// the zero T when it encodes as an object, and refuses a difference;
	// hosts should compare them on their own work packages in a test.
	// AppendString writes a string as the default rendering does. An
	// error is a 500 and logged. Unused with Render.
	AppendProperties func(b []byte, wp T) ([]byte, string, error)

	// LinkedProperties are the fields of T the default rendering renders as
	// linked properties, under _links in this order, instead of among the
	// properties. New checks that each names a JSON field of T.
	LinkedProperties []LinkedProperty[T]

	// Links adds links to the default rendering's _links, by relation name
	// ("schema", ...), after the linked properties. A "self" link replaces
	// the default one (titled with the subject); "customActions" and the
	// linked properties are always the adapter's.
	Links func(id string, wp T) map[string]Link

	// AttributeNames maps the JSON name of a field to the name messages use
	// ("percentageDone" → "% Complete"). A field not listed is humanized
	// ("startDate" → "Start date").
	AttributeNames map[string]string

	// MaxBodyBytes bounds the body of an execute request; 0 means
	// DefaultMaxBodyBytes, and a negative value is an error of New.
	MaxBodyBytes int64

	// MaxPageSize bounds the pageSize of GET /api/v3/work_packages; 0 means
	// DefaultMaxPageSize, and a negative value is an error of New.
	MaxPageSize int64

	// Logger receives what the client is not told: the cause of every 500
	// (a panic of a Config function or of the store included, with its
	// stack) and effects that failed after a successful save. Nil uses
	// slog.Default().
	Logger *slog.Logger
}

// Handler serves OpenProject's API v3 custom actions over an actions.Engine:
//
//	GET  /api/v3/custom_actions/{id}
//	POST /api/v3/custom_actions/{id}/execute
//	GET  /api/v3/work_packages/{id}
//	GET  /api/v3/work_packages           (with Config.List)
//
// A Handler is safe for concurrent use.
type Handler[T any] struct {
	engine *actions.Engine[T]
	cfg    Config[T]
	log    *slog.Logger
	mux    *http.ServeMux
	linked map[string]bool // the names of cfg.LinkedProperties
	views  atomic.Pointer[actionViews[T]]
}

// actionView is what a work package shows of a custom action: its link
// and, embedded, its resource, also encoded.
type actionView struct {
	link                   Link
	resource               CustomAction
	linkJSON, resourceJSON []byte
}

func newActionView(a *actions.Action) actionView {
	v := actionView{link: Link{Href: customActionHref(a.ID()), Title: a.Name()}, resource: customActionOf(a)}
	// Clipped: a writer appending to them (writeHAL) copies them first.
	v.linkJSON, v.resourceJSON = slices.Clip(appendLink(nil, v.link)), slices.Clip(appendCustomAction(nil, v.resource))
	return v
}

// actionViews are the views of the linkable actions of one catalog (those
// with a canonical id), made once per catalog.
type actionViews[T any] struct {
	cat      *actions.Catalog[T]
	byAction map[*actions.Action]*actionView
}

// actionViews returns the views of the engine's current catalog.
func (h *Handler[T]) actionViews() *actionViews[T] {
	cat := h.engine.Catalog()
	if v := h.views.Load(); v != nil && v.cat == cat {
		return v
	}
	v := &actionViews[T]{cat: cat, byAction: map[*actions.Action]*actionView{}}
	for _, a := range cat.Actions() {
		if canonical(a.ID()) {
			view := newActionView(a)
			v.byAction[a] = &view
		}
	}
	h.views.Store(v)
	return v
}

var _ http.Handler = (*Handler[struct{}])(nil)

// New returns a handler executing the custom actions of engine's catalog on
// the work packages of engine's store. Custom actions are the catalog's
// actions and work packages the store's objects, both by id; a work
// package's lockVersion is its version in the store. Ids are decimal
// integers, as OpenProject's are: New refuses a catalog with another id (a
// catalog swapped in later should keep to this; an action with another id
// is never linked).
func New[T any](engine *actions.Engine[T], cfg Config[T]) (*Handler[T], error) {
	if engine == nil {
		return nil, errors.New("openproject: New needs an engine")
	}
	var err error
	if cfg.MaxBodyBytes, err = httpx.Limit("openproject", "MaxBodyBytes", cfg.MaxBodyBytes, DefaultMaxBodyBytes); err != nil {
		return nil, err
	}
	if cfg.MaxPageSize, err = httpx.Limit("openproject", "MaxPageSize", cfg.MaxPageSize, DefaultMaxPageSize); err != nil {
		return nil, err
	}
	cat := engine.Catalog()
	for _, a := range cat.Actions() {
		if !canonical(a.ID()) {
			return nil, fmt.Errorf("openproject: custom action %q: ids must be decimal integers without leading zeros", a.ID())
		}
	}
	seen := map[string]bool{}
	for i, p := range cfg.LinkedProperties {
		if p.Link == nil {
			return nil, fmt.Errorf("openproject: LinkedProperties[%d] %q has no Link function", i, p.Name)
		}
		if _, jsonName, _, ok := cat.Field(p.Name); !ok || jsonName != p.Name || p.Name == "self" || p.Name == "customActions" {
			return nil, fmt.Errorf("openproject: LinkedProperties[%d]: %q is not the JSON name of a field of the work package", i, p.Name)
		}
		if seen[p.Name] {
			return nil, fmt.Errorf("openproject: LinkedProperties[%d]: %q is declared twice", i, p.Name)
		}
		seen[p.Name] = true
	}
	if cfg.AppendProperties != nil {
		if err := checkProperties(cfg.AppendProperties, seen); err != nil {
			return nil, fmt.Errorf("openproject: AppendProperties: %w", err)
		}
	}
	cfg.LinkedProperties = append([]LinkedProperty[T](nil), cfg.LinkedProperties...)
	h := &Handler[T]{engine: engine, cfg: cfg, log: httpx.Logger(cfg.Logger), mux: http.NewServeMux(), linked: seen}
	h.mux.HandleFunc("GET "+customActionsPath+"{id}", h.getCustomAction)
	h.mux.HandleFunc("POST "+customActionsPath+"{id}/execute", h.execute)
	h.mux.HandleFunc("GET "+workPackagesPath+"{id}", h.getWorkPackage)
	// Other methods and paths get HAL errors too, not the mux's plain text.
	h.mux.HandleFunc(customActionsPath+"{id}", h.methodNotAllowed("GET, HEAD"))
	h.mux.HandleFunc(customActionsPath+"{id}/execute", h.methodNotAllowed("POST"))
	h.mux.HandleFunc(workPackagesPath+"{id}", h.methodNotAllowed("GET, HEAD"))
	if cfg.List != nil {
		collection := strings.TrimSuffix(workPackagesPath, "/")
		h.mux.HandleFunc("GET "+collection, h.listWorkPackages)
		h.mux.HandleFunc(collection, h.methodNotAllowed("GET, HEAD"))
	}
	h.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { h.writeError(w, r, errNotFound) })
	return h, nil
}

func (h *Handler[T]) methodNotAllowed(allow string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { h.writeError(w, r, &methodError{allow: allow}) }
}

// ServeHTTP implements http.Handler. A panic of host code (a Config
// function, the store) is answered 500 InternalServerError and logged.
func (h *Handler[T]) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer httpx.Recover(func(err error) { h.writeError(w, r, err) })
	h.mux.ServeHTTP(w, r)
}

func (h *Handler[T]) authenticate(r *http.Request) (actions.Actor, error) {
	return httpx.Authenticate(r, h.cfg.Authenticate)
}

func (h *Handler[T]) canEdit(ctx context.Context, actor actions.Actor) bool {
	if h.cfg.CanEdit == nil {
		return actor.Can(PermissionEditWorkPackages)
	}
	return h.cfg.CanEdit(ctx, actor)
}

func (h *Handler[T]) canList(ctx context.Context, actor actions.Actor) bool {
	if h.cfg.CanList == nil {
		return actor.Can(PermissionViewWorkPackages)
	}
	return h.cfg.CanList(ctx, actor)
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

// canonical reports whether id is a decimal integer in its canonical form:
// ASCII digits, no leading zero.
func canonical(id string) bool {
	c, ok := integerID(id)
	return ok && c == id
}

// integerID reads an id as OpenProject reads the ids of its paths (Grape's
// `route_param :id, type: Integer`): ASCII digits, leading zeros ignored
// ("007" is 7). Signs, blanks, underscores and anything else are not an
// integer here.
func integerID(s string) (string, bool) {
	if s == "" {
		return "", false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return "", false
		}
	}
	if s = strings.TrimLeft(s, "0"); s == "" {
		s = "0"
	}
	return s, true
}

// pathID returns the canonical id of the request's path, or errInvalidID:
// OpenProject's 400, which Grape answers while validating the parameters,
// before any callback authenticates (lib/api/v3/custom_actions/
// custom_actions_api.rb and lib/api/v3/work_packages/work_packages_api.rb:
// route_param :id, type: Integer).
func pathID(r *http.Request) (string, error) {
	id, ok := integerID(r.PathValue("id"))
	if !ok {
		return "", errInvalidID
	}
	return id, nil
}

// getCustomAction serves GET /api/v3/custom_actions/{id}.
func (h *Handler[T]) getCustomAction(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	actor, err := h.authenticate(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if !h.canEdit(r.Context(), actor) {
		h.writeError(w, r, errMissingPermission)
		return
	}
	a, err := h.engine.Catalog().Action(id)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	v, ok := h.actionViews().byAction[a]
	if !ok {
		view := newActionView(a)
		v = &view
	}
	h.writeValue(w, r, halBody(v.resourceJSON))
}

// getWorkPackage serves GET /api/v3/work_packages/{id}. A work package that
// does not exist and one the actor may not see get the same 404
// (work_packages_api.rb: NotFound with model: :work_package).
func (h *Handler[T]) getWorkPackage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := pathID(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	actor, err := h.authenticate(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	wp, version, err := h.engine.Load(ctx, id)
	if errors.Is(err, actions.ErrNotFound) {
		err = errWorkPackageNotFound
	}
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	scoped, visible := h.scope(ctx, actor, id, wp)
	if !visible {
		h.writeError(w, r, errWorkPackageNotFound)
		return
	}
	s := newScratch()
	defer s.release()
	body, err := h.renderWorkPackage(ctx, s, scoped, id, wp, version, true)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeHAL(w, http.StatusOK, body)
}

// execute serves POST /api/v3/custom_actions/{id}/execute. The checks run in
// the order of OpenProject's API; each refusal happens before anything is
// stored, and the engine applies the action all or nothing.
func (h *Handler[T]) execute(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	actionID, err := pathID(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	actor, err := h.authenticate(r)
	if err != nil {
		h.writeError(w, r, err)
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
	// The body is read into the buffer the response is rendered into
	// later: decodeExecute keeps nothing of it.
	s := newScratch()
	defer s.release()
	body, buf, err := decodeExecute(http.MaxBytesReader(w, in, h.cfg.MaxBodyBytes), s.buf)
	s.buf = buf[:0]
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	a, err := h.engine.Catalog().Action(actionID)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if !body.link {
		h.writeError(w, r, &workPackageError{blank: true})
		return
	}
	id := body.id
	if id == "" {
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
	out, err := h.renderWorkPackage(ctx, s, after, id, res.Object, res.Version, true)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeHAL(w, http.StatusOK, out)
}

// renderWorkPackage renders a work package with the custom actions the
// actor (scoped to it) may execute on it; embed adds their resources under
// _embedded, as OpenProject does for a work package on its own (GET and
// execute render with embed_links: true, a collection's elements without).
func (h *Handler[T]) renderWorkPackage(ctx context.Context, s *scratch, scoped actions.Actor, id string, wp T, version int64, embed bool) ([]byte, error) {
	var list []*actions.Action
	if h.canEdit(ctx, scoped) {
		var err error
		if list, err = h.engine.Resolve(ctx, id, wp, scoped); err != nil {
			return nil, err
		}
	}
	return h.renderResolved(ctx, s, scoped, id, wp, version, embed, list)
}

// renderResolved is renderWorkPackage with the custom actions resolved
// already: list is what the engine resolved for the scoped actor, nil when
// the actor may not edit the work package. It returns the encoded JSON
// object; the default rendering is appended to s.buf, valid until s is
// released, and may be appended to in place.
func (h *Handler[T]) renderResolved(ctx context.Context, s *scratch, scoped actions.Actor, id string, wp T, version int64, embed bool, list []*actions.Action) ([]byte, error) {
	// One list for both, so that _links and _embedded agree in content and
	// order (work_package_representer.rb: ordered_custom_actions, memoised).
	views := h.actionViews()
	shown := s.views[:0]
	for _, a := range list {
		v, ok := views.byAction[a]
		if !ok { // the catalog changed since the list was resolved
			if !canonical(a.ID()) {
				continue // a path could not reach it
			}
			view := newActionView(a)
			v = &view
		}
		shown = append(shown, v)
	}
	s.views = shown
	if h.cfg.Render != nil {
		rep := WorkPackage[T]{ID: id, LockVersion: version, Object: wp, CustomActions: make([]Link, len(shown))}
		if embed {
			rep.EmbeddedCustomActions = make([]CustomAction, len(shown))
		}
		for i, v := range shown {
			rep.CustomActions[i] = v.link
			if embed {
				c := v.resource
				if c.Description != nil { // the host's to change
					d := *c.Description
					c.Description = &d
				}
				rep.EmbeddedCustomActions[i] = c
			}
		}
		v, err := h.cfg.Render(ctx, rep)
		if err != nil {
			return nil, fmt.Errorf("openproject: rendering work package %s: %w", id, err)
		}
		body, err := encodeObject(v)
		if err != nil {
			return nil, fmt.Errorf("openproject: encoding work package %s: %w", id, err)
		}
		return body, nil
	}
	links, resources := s.links[:0], s.resources[:0]
	for _, v := range shown {
		links = append(links, v.linkJSON)
		if embed {
			resources = append(resources, v.resourceJSON)
		}
	}
	s.links, s.resources = links, resources
	switch {
	case !embed:
		resources = nil // no _embedded
	case resources == nil:
		resources = [][]byte{} // an empty list
	}
	linked := s.linked[:0]
	for _, p := range h.cfg.LinkedProperties {
		l, err := p.Link(ctx, wp)
		if err != nil {
			return nil, fmt.Errorf("openproject: rendering work package %s: link %s: %w", id, p.Name, err)
		}
		linked = append(linked, namedLink{name: p.Name, link: l})
	}
	s.linked = linked
	var extra map[string]Link
	if h.cfg.Links != nil {
		extra = h.cfg.Links(id, wp)
	}
	start := len(s.buf)
	b, err := appendParts(s.buf, id, version, wp, h.cfg.AppendProperties, links, resources, linked, h.linked, extra)
	if err != nil {
		return nil, fmt.Errorf("openproject: rendering work package %s: %w", id, err)
	}
	s.buf = b
	return b[start:], nil
}

// writeValue writes v as a 200 HAL response. A value that cannot be encoded
// (a Render returning a channel, say) or that is not a JSON object (a Render
// returning nil) is a 500.
func (h *Handler[T]) writeValue(w http.ResponseWriter, r *http.Request, v any) {
	body, err := encodeObject(v)
	if err != nil {
		h.writeError(w, r, fmt.Errorf("openproject: encoding the response: %w", err))
		return
	}
	writeHAL(w, http.StatusOK, body)
}

// encodeObject encodes v, which must encode as a JSON object.
func encodeObject(v any) ([]byte, error) {
	if b, ok := v.(halBody); ok {
		return b, nil
	}
	body, err := marshal(v)
	if err == nil && !bytes.HasPrefix(body, []byte("{")) {
		err = errors.New("not a JSON object")
	}
	return body, err
}

// checkContentType accepts application/json and application/hal+json.
func checkContentType(header string) error {
	header = strings.TrimSpace(header)
	switch header {
	case "":
		return errMissingContentType
	case "application/json", "application/hal+json": // what clients send, without parsing it
		return nil
	}
	mt, _, err := mime.ParseMediaType(header)
	if err != nil || mt != "application/json" && mt != "application/hal+json" {
		return &contentTypeError{got: header}
	}
	return nil
}

// executeBody is what an execute request says.
type executeBody struct {
	link        bool   // _links.workPackage.href is there and not null
	id          string // the canonical id it links; "" when no work package can have it
	lockVersion int64  // 0 when absent or not an integer
}

// decodeExecute reads a body that must be a single JSON object:
//
//	{"_links": {"workPackage": {"href": "/api/v3/work_packages/42"}}, "lockVersion": "3"}
//
// A body that is not JSON is a *bodyError with the parser's message, which
// OpenProject answers in _embedded.details.parseError (lib/api/v3/parser.rb,
// lib/api/errors/parse_error.rb); one that is JSON but not an object, an
// empty one and one over the size limit are a *bodyError without it. A
// string href that is not a link to a work package resource is a
// *linkTypeError. Inside the object it is lenient otherwise: a missing or
// malformed link is "no work package" and a missing or malformed
// lockVersion is "no lockVersion", which the later checks refuse with their
// own errors.
//
// It reads the body into buf's memory (growing it as needed) and returns
// that buffer for reuse: what it returns otherwise keeps nothing of it.
func decodeExecute(r io.Reader, buf []byte) (executeBody, []byte, error) {
	data, err := readAll(r, buf)
	if err != nil { // the size limit: the reader's error, not the parser's
		return executeBody{}, data, &bodyError{err: err}
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return executeBody{}, data, &bodyError{err: errors.New("empty body")}
	}
	if href, lockVersion, ok := plainExecute(data); ok {
		id, err := plainHrefID(href)
		if err != nil {
			return executeBody{}, data, err
		}
		return executeBody{link: true, id: id, lockVersion: lockVersion}, data, nil
	}
	body, err := decodeExecuteJSON(data)
	return body, data, err
}

// readAll is io.ReadAll into buf's memory, from its start: it returns what
// it read, in buf or in a larger buffer, and the reader's error but io.EOF.
func readAll(r io.Reader, buf []byte) ([]byte, error) {
	b := buf[:0]
	if cap(b) < 512 {
		b = make([]byte, 0, 512) // as io.ReadAll starts
	}
	for {
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err != nil {
			if err == io.EOF {
				err = nil
			}
			return b, err
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)] // let append pick the capacity
		}
	}
}

// decodeExecuteJSON is decodeExecute for any body that is not empty, with
// encoding/json.
func decodeExecuteJSON(data []byte) (executeBody, error) {
	// A valid object is split into its members without decoding it; the
	// decoder says what is wrong with anything else.
	top, ok := topMembers(data)
	if !ok {
		if err := json.Unmarshal(data, &top); err != nil {
			var syntax *json.SyntaxError
			if errors.As(err, &syntax) {
				return executeBody{}, &bodyError{parseError: parseMessage(data, syntax), err: err}
			}
			return executeBody{}, &bodyError{err: err} // JSON, but not an object
		}
		if top == nil {
			return executeBody{}, &bodyError{err: errors.New("null")}
		}
	}
	var body executeBody
	var links struct {
		WorkPackage struct {
			Href json.RawMessage `json:"href"`
		} `json:"workPackage"`
	}
	if json.Unmarshal(top["_links"], &links) == nil {
		raw := links.WorkPackage.Href
		var href string
		switch {
		case len(raw) == 0 || string(raw) == "null": // no link
		case raw[0] == '"' && json.Unmarshal(raw, &href) == nil:
			id, err := workPackageID(href)
			if err != nil {
				return executeBody{}, err
			}
			body.link, body.id = true, id
		default:
			body.link = true // not a string: links nothing
		}
	}
	body.lockVersion = parseLockVersion(top["lockVersion"])
	return body, nil
}

// plainExecute reads the body clients send, without a JSON decoder: an
// object of exactly the two members "_links", holding only a workPackage
// link with only an href, and "lockVersion", in either order, with JSON
// white space anywhere between the tokens:
//
//	{"_links":{"workPackage":{"href":"/api/v3/work_packages/42"}},"lockVersion":3}
//
// The keys are spelled exactly so, the href is a string of printable ASCII
// without escapes, and the lockVersion a positive integer of up to 18
// digits, as a number or a string of digits. It returns the href's bytes
// (inside data) and the lockVersion as parseLockVersion reads it; false for
// any other body, which decodeExecute then decodes as it decodes any:
// every body plainExecute accepts is a valid JSON object for which that
// gives the same answer (FuzzDecodeExecuteIsReference compares the two).
func plainExecute(data []byte) (href []byte, lockVersion int64, ok bool) {
	s := plainScanner{data: data}
	if !s.byte('{') {
		return nil, 0, false
	}
	var links, lock bool
	for n := range 2 {
		if n > 0 && !s.byte(',') {
			return nil, 0, false
		}
		key, ok := s.string()
		if !ok || !s.byte(':') {
			return nil, 0, false
		}
		switch string(key) {
		case "_links":
			if links || !s.byte('{') || !s.key("workPackage") || !s.byte('{') || !s.key("href") {
				return nil, 0, false
			}
			if href, ok = s.string(); !ok || !s.byte('}') || !s.byte('}') {
				return nil, 0, false
			}
			links = true
		case "lockVersion":
			if lock {
				return nil, 0, false
			}
			if lockVersion, ok = s.lockVersion(); !ok {
				return nil, 0, false
			}
			lock = true
		default:
			return nil, 0, false
		}
	}
	if !s.byte('}') || skipSpace(data, s.i) != len(data) {
		return nil, 0, false
	}
	return href, lockVersion, true
}

// plainScanner reads the tokens plainExecute accepts; each method skips the
// white space before its token and reports whether the token is there.
type plainScanner struct {
	data []byte
	i    int
}

// byte reads the structural character c.
func (s *plainScanner) byte(c byte) bool {
	s.i = skipSpace(s.data, s.i)
	if s.i < len(s.data) && s.data[s.i] == c {
		s.i++
		return true
	}
	return false
}

// string reads a string of printable ASCII without escapes and returns
// what is between its quotes.
func (s *plainScanner) string() ([]byte, bool) {
	if !s.byte('"') {
		return nil, false
	}
	start := s.i
	for ; s.i < len(s.data); s.i++ {
		switch c := s.data[s.i]; {
		case c == '"':
			s.i++
			return s.data[start : s.i-1], true
		case c < 0x20 || c > 0x7e || c == '\\':
			return nil, false
		}
	}
	return nil, false
}

// key reads the member name name and the colon after it.
func (s *plainScanner) key(name string) bool {
	k, ok := s.string()
	return ok && string(k) == name && s.byte(':')
}

// lockVersion reads 1 to 18 digits, as a JSON number (without leading
// zeros) or in a string (with any), and returns their value, 0 for zero as
// parseLockVersion has it.
func (s *plainScanner) lockVersion() (int64, bool) {
	quoted := s.byte('"')
	if !quoted {
		s.i = skipSpace(s.data, s.i)
	}
	start := s.i
	var v int64
	for ; s.i < len(s.data) && s.data[s.i] >= '0' && s.data[s.i] <= '9'; s.i++ {
		v = v*10 + int64(s.data[s.i]-'0')
	}
	n := s.i - start
	switch {
	case n == 0 || n > 18:
		return 0, false
	case quoted:
		if s.i == len(s.data) || s.data[s.i] != '"' {
			return 0, false
		}
		s.i++
	case n > 1 && s.data[start] == '0': // not a JSON number
		return 0, false
	}
	return v, true
}

// plainHrefID is workPackageID for the bytes of an href, without the
// regular expression for the href a client sends,
// /api/v3/work_packages/{digits}.
func plainHrefID(href []byte) (string, error) {
	digits, ok := bytes.CutPrefix(href, []byte(workPackagesPath))
	if !ok || len(digits) == 0 {
		return workPackageID(string(href))
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return workPackageID(string(href))
		}
	}
	if digits = bytes.TrimLeft(digits, "0"); len(digits) == 0 {
		return "0", nil
	}
	return string(digits), nil
}

// topMembers returns the "_links" and "lockVersion" members of data, the
// last of each as a decoder into a map[string]json.RawMessage keeps them,
// when data is a valid JSON object; false otherwise.
func topMembers(data []byte) (map[string]json.RawMessage, bool) {
	if !json.Valid(data) {
		return nil, false
	}
	i := skipSpace(data, 0)
	if data[i] != '{' {
		return nil, false
	}
	top := map[string]json.RawMessage{}
	for i = skipSpace(data, i+1); data[i] != '}'; i = skipSpace(data, i) {
		if data[i] == ',' {
			i = skipSpace(data, i+1)
		}
		end := endOfValue(data, i)
		rawKey := data[i:end]
		i = skipSpace(data, end) // at the colon
		i = skipSpace(data, i+1) // at the value
		end = endOfValue(data, i)
		val := data[i:end:end]
		i = end
		var key string
		if plainString(rawKey) {
			key = string(rawKey[1 : len(rawKey)-1])
		} else if json.Unmarshal(rawKey, &key) != nil {
			return nil, false
		}
		if key == "_links" || key == "lockVersion" {
			top[key] = json.RawMessage(val)
		}
	}
	return top, true
}

// skipSpace returns the index of the first byte from i on that is not
// JSON white space.
func skipSpace(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r') {
		i++
	}
	return i
}

// endOfValue returns the end of the value that starts at data[i], in valid
// JSON.
func endOfValue(data []byte, i int) int {
	depth := 0
	for ; i < len(data); i++ {
		switch data[i] {
		case '"':
			for i++; data[i] != '"'; i++ {
				if data[i] == '\\' {
					i++
				}
			}
			if depth == 0 {
				return i + 1
			}
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				return i // a number, true, false or null ends here
			}
			if depth--; depth == 0 {
				return i + 1
			}
		case ',', ' ', '\t', '\n', '\r':
			if depth == 0 {
				return i
			}
		}
	}
	return i
}

// parseMessage is the parser's message with the line and the column (of
// the byte at fault, from 1) where it stopped, in the manner of
// OpenProject's: "unexpected comma (after ) at line 1, column 3".
func parseMessage(data []byte, e *json.SyntaxError) string {
	off := int(min(max(e.Offset, 0), int64(len(data))))
	line := 1 + bytes.Count(data[:off], []byte("\n"))
	column := off - (bytes.LastIndexByte(data[:off], '\n') + 1)
	return fmt.Sprintf("%s at line %d, column %d", e.Error(), line, column)
}

// parseLockVersion accepts "3" (as documented) and 3; anything else is 0,
// which no stored version has.
func parseLockVersion(raw json.RawMessage) int64 {
	var s string
	switch {
	case len(raw) == 0: // absent
		return 0
	case raw[0] == '"' || raw[0] == 'n': // a string, or null
		if json.Unmarshal(raw, &s) != nil {
			return 0
		}
	case raw[0] == '-' || raw[0] >= '0' && raw[0] <= '9': // a number: its text
		s = string(raw)
	default: // an object, an array, a boolean
		return 0
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v < 1 {
		return 0
	}
	return v
}

// resourceLink is OpenProject's resource link: anything ending in
// /api/v<digit>/<namespace>/<one path segment> (lib/api/utilities/
// resource_link_parser.rb: RESOURCE_REGEX, not anchored at the start, \z at
// the end, SEGMENT_CHARACTER of RFC 3986). Ruby's \w and \d are ASCII, as
// RE2's are.
var resourceLink = regexp.MustCompile(`/api/v(\d)/(\w+)/((?:\w|[-~!$&'()*+.,:;=@]|%[0-9A-Fa-f]{2})+)\z`)

// workPackageID returns the id a workPackage href links: a
// *linkTypeError when it is not a link to a work package resource of API v3
// (ResourceLinkParser.parse_id with expected_version "3" and
// expected_namespace "work_packages", which fails with InvalidResourceLink:
// an empty href too), and "" when the id it links is not an integer, which
// no work package has.
func workPackageID(href string) (string, error) {
	m := resourceLink.FindStringSubmatch(href)
	if m == nil || m[1] != "3" || m[2] != "work_packages" {
		return "", &linkTypeError{href: href}
	}
	raw, err := url.PathUnescape(m[3])
	if err != nil {
		return "", nil
	}
	id, _ := integerID(raw)
	return id, nil
}
