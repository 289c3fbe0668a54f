package openproject_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/actionable-go/actionable/actions"
	"github.com/actionable-go/actionable/adapters/internal/adaptertest"
	"github.com/actionable-go/actionable/adapters/openproject"
	"github.com/google/go-cmp/cmp"
)

// WorkPackage is the host's own type in these tests.
type WorkPackage struct {
	Subject        string  `json:"subject" validate:"required"`
	Project        string  `json:"project"`
	Type           string  `json:"type"`
	Status         string  `json:"status"`
	Assignee       string  `json:"assignee"`
	PercentageDone int     `json:"percentageDone" validate:"gte=0,lte=100"`
	StartDate      *string `json:"startDate"`
}

// The custom actions of the issue (1..5), plus reserved ones (never linked,
// executable by id: 6 move, 7 overfill, 8 wipe, 9 rename) that reach the
// remaining rows of the error table. Ids are integers, as OpenProject's are.
var definitions = []actions.Definition{
	{ID: "1", Name: "Close", Position: 1, Permission: openproject.PermissionEditWorkPackages,
		Condition: `Status in ["New", "In progress"]`,
		Changes:   []actions.Change{{Field: "status", Expr: `"Closed"`}}},
	{ID: "2", Name: "Change project and type", Description: "Changes project and type in one go", Position: 2,
		Permission: openproject.PermissionEditWorkPackages,
		Changes:    []actions.Change{{Field: "project", Expr: `"archive"`}, {Field: "type", Expr: `"Bug"`}}},
	{ID: "3", Name: "Unassign", Position: 3, Permission: openproject.PermissionEditWorkPackages,
		Condition: `Assignee != ""`,
		Changes:   []actions.Change{{Field: "assignee", Expr: `""`}}},
	{ID: "4", Name: "Make progress", Position: 4, Permission: openproject.PermissionEditWorkPackages,
		Changes: []actions.Change{{Field: "percentageDone", Expr: `PercentageDone + 50`}}},
	{ID: "5", Name: "Start work", Position: 5, Permission: openproject.PermissionEditWorkPackages,
		Condition: `"Member" in Actor.Roles && Status == "New"`,
		Changes: []actions.Change{
			{Field: "status", Expr: `"In progress"`},
			{Field: "assignee", Expr: `Actor.ID`},
			{Field: "startDate", Expr: `now().Format("2006-01-02")`},
		}},
	{ID: "6", Name: "Move to archive", Position: 6, Reserved: true, Permission: "move_work_packages",
		Changes: []actions.Change{{Field: "project", Expr: `"archive"`}}},
	{ID: "7", Name: "Reopen overfilled", Position: 7, Reserved: true, Permission: openproject.PermissionEditWorkPackages,
		Condition: `Status == "Closed"`,
		Changes:   []actions.Change{{Field: "status", Expr: `"New"`}, {Field: "percentageDone", Expr: `150`}}},
	{ID: "8", Name: "Wipe", Position: 8, Reserved: true, Permission: openproject.PermissionEditWorkPackages,
		Changes: []actions.Change{{Field: "subject", Expr: `""`}, {Field: "percentageDone", Expr: `PercentageDone - 100`}}},
	{ID: "9", Name: "Rename", Position: 9, Reserved: true, Permission: openproject.PermissionEditWorkPackages,
		Changes:        []actions.Change{{Field: "subject", Expr: `"x"`}},
		PostConditions: []actions.PostCondition{{Expr: `len(Subject) >= 3`, Field: "subject", Message: "Subject is too short for a work package"}}},
}

var today = time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC)

// user is a token's owner: global permissions, and a role per project.
type user struct {
	id          string
	permissions []string
	roles       map[string]string // project → role
}

var (
	users = map[string]user{
		"op-admin":  {id: "admin", permissions: []string{actions.AllPermissions}},
		"op-member": {id: "member", roles: map[string]string{"demo": "Member"}},
		"op-viewer": {id: "viewer", roles: map[string]string{"demo": "Reader"}},
		// A user with no role anywhere: may view no work package.
		"op-outsider": {id: "outsider"},
	}
	rolePermissions = map[string][]string{
		"Member": {openproject.PermissionViewWorkPackages, openproject.PermissionEditWorkPackages},
		"Reader": {openproject.PermissionViewWorkPackages},
	}
)

// authenticate gives the actor its roles and permissions in every project;
// actorFor narrows them to one work package's project.
func authenticate(r *http.Request) (actions.Actor, error) {
	token, err := openproject.APIKey(r)
	if err != nil {
		return actions.Actor{}, err
	}
	u, ok := users[token]
	if !ok {
		return actions.Actor{}, openproject.ErrBadCredentials
	}
	a := actions.Actor{ID: u.id, Permissions: slices.Clone(u.permissions), Attributes: map[string]string{}}
	for project, role := range u.roles {
		a.Attributes["role:"+project] = role
		a.Roles = append(a.Roles, role)
		a.Permissions = append(a.Permissions, rolePermissions[role]...)
	}
	slices.Sort(a.Roles)
	return a, nil
}

func actorFor(_ context.Context, a actions.Actor, _ string, wp WorkPackage) actions.Actor {
	scoped := actions.Actor{ID: a.ID, Name: a.Name, Attributes: a.Attributes}
	if slices.Contains(a.Permissions, actions.AllPermissions) {
		scoped.Permissions = []string{actions.AllPermissions}
	}
	if role, ok := a.Attributes["role:"+wp.Project]; ok {
		scoped.Roles = []string{role}
		scoped.Permissions = append(scoped.Permissions, rolePermissions[role]...)
	}
	return scoped
}

// ids are the integer ids of what work packages link to, by the names the
// work packages hold; names are the users' names, their links' titles.
var (
	ids = map[openproject.Resource]map[string]int64{
		openproject.Projects: {"demo": 1, "archive": 2, "secret": 3},
		openproject.Types:    {"Task": 1, "Bug": 7},
		openproject.Statuses: {"New": 1, "In progress": 7, "Closed": 12},
		openproject.Users:    {"admin": 1, "member": 2, "viewer": 3},
	}
	names = map[string]string{"admin": "Ada Admin", "member": "Max Member", "viewer": "Vera Viewer"}
)

// linkedProperties render project, type, status and assignee as
// OpenProject does; an unassigned work package links no assignee.
func linkedProperties() []openproject.LinkedProperty[WorkPackage] {
	by := func(r openproject.Resource, value func(WorkPackage) string) func(context.Context, WorkPackage) (openproject.Link, error) {
		return func(_ context.Context, wp WorkPackage) (openproject.Link, error) {
			v := value(wp)
			title := v
			if r == openproject.Users {
				title = names[v]
			}
			return r.Link(ids[r][v], title), nil
		}
	}
	return []openproject.LinkedProperty[WorkPackage]{
		{Name: "type", Link: by(openproject.Types, func(wp WorkPackage) string { return wp.Type })},
		{Name: "project", Link: by(openproject.Projects, func(wp WorkPackage) string { return wp.Project })},
		{Name: "status", Link: by(openproject.Statuses, func(wp WorkPackage) string { return wp.Status })},
		{Name: "assignee", Link: by(openproject.Users, func(wp WorkPackage) string { return wp.Assignee })},
	}
}

// appendProperties is Config.AppendProperties for WorkPackage with the
// linked properties of linkedProperties: subject, percentageDone and
// startDate, as encoding/json encodes them.
func appendProperties(b []byte, wp WorkPackage) ([]byte, string, error) {
	b = append(b, `,"subject":`...)
	b = openproject.AppendString(b, wp.Subject)
	b = append(b, `,"percentageDone":`...)
	b = strconv.AppendInt(b, int64(wp.PercentageDone), 10)
	b = append(b, `,"startDate":`...)
	if wp.StartDate == nil {
		b = append(b, "null"...)
	} else {
		b = openproject.AppendString(b, *wp.StartDate)
	}
	return b, wp.Subject, nil
}

// renderings are the fixture's two ways of rendering a work package's
// properties, which must write the same bytes: encoding/json, and
// Config.AppendProperties.
var renderings = []struct {
	name      string
	configure func(*openproject.Config[WorkPackage])
}{
	{"encoding/json", func(*openproject.Config[WorkPackage]) {}},
	{"AppendProperties", func(cfg *openproject.Config[WorkPackage]) { cfg.AppendProperties = appendProperties }},
}

// listIDs lists every work package of the store by id, ascending, as
// OpenProject's collection is sorted by default.
func listIDs(store *actions.MemoryStore[WorkPackage]) func(context.Context, actions.Actor) ([]string, error) {
	return func(context.Context, actions.Actor) ([]string, error) {
		list := store.IDs()
		slices.SortFunc(list, func(a, b string) int { // canonical integers: shorter is smaller
			if len(a) != len(b) {
				return len(a) - len(b)
			}
			return strings.Compare(a, b)
		})
		return list, nil
	}
}

func workPackages() map[string]struct {
	wp      WorkPackage
	version int64
} {
	return map[string]struct {
		wp      WorkPackage
		version int64
	}{
		"42": {WorkPackage{Subject: "Write the release notes", Project: "demo", Type: "Task", Status: "New", Assignee: "member"}, 3},
		"43": {WorkPackage{Subject: "Login fails on Safari", Project: "demo", Type: "Bug", Status: "In progress", PercentageDone: 80}, 1},
		"44": {WorkPackage{Subject: "Rotate the signing keys", Project: "secret", Type: "Task", Status: "New"}, 1},
	}
}

type fixture struct {
	handler http.Handler
	engine  *actions.Engine[WorkPackage]
	store   *actions.MemoryStore[WorkPackage]
}

func newEngine(t testing.TB) (*actions.Engine[WorkPackage], *actions.MemoryStore[WorkPackage]) {
	t.Helper()
	cat, err := actions.Compile[WorkPackage](definitions, actions.WithClock(func() time.Time { return today }))
	if err != nil {
		t.Fatal(err)
	}
	store := actions.NewMemoryStore[WorkPackage]()
	ctx := context.Background()
	for id, w := range workPackages() {
		if _, err := store.Create(ctx, id, w.wp); err != nil {
			t.Fatal(err)
		}
		for v := int64(1); v < w.version; v++ { // bring it to its lockVersion
			if _, err := store.Save(ctx, id, w.wp, v, nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	engine, err := actions.New(cat, store)
	if err != nil {
		t.Fatal(err)
	}
	return engine, store
}

func newFixture(t testing.TB, configure ...func(*openproject.Config[WorkPackage])) fixture {
	t.Helper()
	engine, store := newEngine(t)
	cfg := openproject.Config[WorkPackage]{
		Authenticate:     authenticate,
		ActorFor:         actorFor,
		List:             listIDs(store),
		LinkedProperties: linkedProperties(),
		AttributeNames:   map[string]string{"percentageDone": "% Complete"},
		Logger:           slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	for _, c := range configure {
		c(&cfg)
	}
	h, err := openproject.New(engine, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return fixture{handler: h, engine: engine, store: store}
}

// snapshot is every work package with its version.
type snapshot map[string]struct {
	WP      WorkPackage
	Version int64
}

func (f fixture) snapshot(t *testing.T) snapshot {
	t.Helper()
	s := snapshot{}
	for _, id := range f.store.IDs() {
		wp, v, err := f.engine.Load(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		s[id] = struct {
			WP      WorkPackage
			Version int64
		}{wp, v}
	}
	return s
}

// request describes one HTTP request of a test.
type request struct {
	method      string
	path        string
	auth        string // the Authorization header; a bare token means Basic apikey:token
	contentType string
	body        string
}

const (
	admin  = "op-admin"
	member = "op-member"
	viewer = "op-viewer"
	json_  = "application/json"
)

func executeBody(wp string, lockVersion any) string {
	b, _ := json.Marshal(map[string]any{
		"_links":      map[string]any{"workPackage": map[string]string{"href": "/api/v3/work_packages/" + wp}},
		"lockVersion": lockVersion,
	})
	return string(b)
}

func (f fixture) do(t *testing.T, req request) *http.Response {
	t.Helper()
	r := httptest.NewRequest(req.method, req.path, strings.NewReader(req.body))
	switch {
	case req.auth == "":
	case strings.Contains(req.auth, " "):
		r.Header.Set("Authorization", req.auth)
	default:
		r.SetBasicAuth("apikey", req.auth)
	}
	if req.contentType != "" {
		r.Header.Set("Content-Type", req.contentType)
	}
	w := httptest.NewRecorder()
	f.handler.ServeHTTP(w, r)
	return w.Result()
}

// dump renders a response as its golden file holds it: the status, the
// headers a client reads, and the whole body (JSON indented).
func dump(t *testing.T, res *http.Response) string {
	t.Helper()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s\nContent-Type: %s\n", res.Status, res.Header.Get("Content-Type"))
	for _, h := range []string{"Allow", "WWW-Authenticate"} {
		if v := res.Header.Get(h); v != "" {
			fmt.Fprintf(&b, "%s: %s\n", h, v)
		}
	}
	b.WriteString("\n")
	if strings.HasPrefix(res.Header.Get("Content-Type"), "application/hal+json") {
		if !json.Valid(body) || !bytes.HasSuffix(body, []byte("}\n")) {
			t.Errorf("body is not one JSON object and a newline: %q", body)
		}
		var out bytes.Buffer
		if err := json.Indent(&out, bytes.TrimSpace(body), "", "  "); err != nil {
			t.Fatalf("indenting %q: %v", body, err)
		}
		body = out.Bytes()
	}
	b.Write(body)
	b.WriteString("\n")
	return b.String()
}

// golden compares got with testdata/name.golden, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	adaptertest.Golden(t, filepath.Join("testdata", name+".golden"), []byte(got))
}

// TestErrors covers every row of the contract's error table, and its order:
// each case that fails two checks shows which one wins. Every refused
// request leaves every work package as it was.
func TestErrors(t *testing.T) {
	tests := []struct {
		name   string
		req    request
		status int
	}{
		// 400 BadRequest: an id in the path that is not an integer, before
		// authentication: Grape validates `route_param :id, type: Integer`
		// before the callbacks that authenticate run
		// (lib/api/v3/custom_actions/custom_actions_api.rb,
		// lib/api/v3/work_packages/work_packages_api.rb; the message as
		// spec/requests/api/v3/support/response_examples.rb "param
		// validation error" matches it).
		{"400 id not an integer", request{"POST", "/api/v3/custom_actions/move/execute", member, json_, executeBody("42", "3")}, 400},
		{"400 id beats 401", request{"POST", "/api/v3/custom_actions/move/execute", "", json_, executeBody("42", "3")}, 400},
		{"400 id on get custom action", request{"GET", "/api/v3/custom_actions/2a", member, "", ""}, 400},
		{"400 id on get work package", request{"GET", "/api/v3/work_packages/WP-7", member, "", ""}, 400},
		// 401: before anything else. Missing and refused credentials are
		// answered differently, and a refused Bearer token with OAuth's
		// challenge (spec/requests/api/v3/authentication_spec.rb).
		{"401 no credentials", request{"POST", "/api/v3/custom_actions/1/execute", "", json_, executeBody("42", "3")}, 401},
		{"401 unknown token", request{"POST", "/api/v3/custom_actions/1/execute", "op-nobody", json_, executeBody("42", "3")}, 401},
		{"401 basic user is not apikey", request{"POST", "/api/v3/custom_actions/1/execute", "Basic " + basic("admin", admin), json_, executeBody("42", "3")}, 401},
		{"401 basic empty token", request{"GET", "/api/v3/work_packages/42", "Basic " + basic("apikey", ""), "", ""}, 401},
		{"401 beats 406", request{"POST", "/api/v3/custom_actions/1/execute", "", "", "not json"}, 401},
		{"401 on get custom action", request{"GET", "/api/v3/custom_actions/2", "Bearer op-nobody", "", ""}, 401},
		{"401 on get work package", request{"GET", "/api/v3/work_packages/42", "", "", ""}, 401},
		{"401 other scheme is no credentials", request{"GET", "/api/v3/work_packages/42", "Token op-member", "", ""}, 401},
		{"401 bearer without token is no credentials", request{"GET", "/api/v3/work_packages/42", "Bearer ", "", ""}, 401},
		{"401 bearer rejected on execute", request{"POST", "/api/v3/custom_actions/1/execute", "Bearer op-nobody", json_, executeBody("42", "3")}, 401},
		// 406: a POST without Content-Type, in plain text.
		{"406 missing content type", request{"POST", "/api/v3/custom_actions/1/execute", member, "", executeBody("42", "3")}, 406},
		{"406 beats 403", request{"POST", "/api/v3/custom_actions/1/execute", viewer, "", executeBody("42", "3")}, 406},
		{"406 beats 400", request{"POST", "/api/v3/custom_actions/1/execute", member, "", "not json"}, 406},
		// 415: a Content-Type the API does not read.
		{"415 text plain", request{"POST", "/api/v3/custom_actions/1/execute", member, "text/plain", executeBody("42", "3")}, 415},
		{"415 unparsable content type", request{"POST", "/api/v3/custom_actions/1/execute", member, "json;;", executeBody("42", "3")}, 415},
		{"415 beats 403", request{"POST", "/api/v3/custom_actions/1/execute", viewer, "text/xml", executeBody("42", "3")}, 415},
		{"415 beats 400", request{"POST", "/api/v3/custom_actions/1/execute", member, "text/plain", "not json"}, 415},
		// 403: may not edit work packages in any project, before the id is looked up.
		{"403 viewer", request{"POST", "/api/v3/custom_actions/1/execute", viewer, json_, executeBody("42", "3")}, 403},
		{"403 viewer beats 404", request{"POST", "/api/v3/custom_actions/99/execute", viewer, json_, executeBody("42", "3")}, 403},
		{"403 viewer beats 400", request{"POST", "/api/v3/custom_actions/1/execute", viewer, json_, "not json"}, 403},
		{"403 viewer on get custom action", request{"GET", "/api/v3/custom_actions/2", viewer, "", ""}, 403},
		{"403 viewer on get unknown custom action", request{"GET", "/api/v3/custom_actions/99", viewer, "", ""}, 403},
		// 400: not a single JSON object. What is not JSON at all carries the
		// parser's message in _embedded.details.parseError (lib/api/v3/parser.rb,
		// lib/api/errors/parse_error.rb); the message stays the seed's.
		{"400 not json", request{"POST", "/api/v3/custom_actions/1/execute", member, json_, "not json"}, 400},
		{"400 not json on line 2", request{"POST", "/api/v3/custom_actions/1/execute", member, json_, "{\n  \"lockVersion\": 3,\n}"}, 400},
		{"400 empty body", request{"POST", "/api/v3/custom_actions/1/execute", member, json_, ""}, 400},
		{"400 array", request{"POST", "/api/v3/custom_actions/1/execute", member, json_, "[]"}, 400},
		{"400 null", request{"POST", "/api/v3/custom_actions/1/execute", member, json_, "null"}, 400},
		{"400 two objects", request{"POST", "/api/v3/custom_actions/1/execute", member, "application/hal+json", "{} {}"}, 400},
		{"400 truncated", request{"POST", "/api/v3/custom_actions/1/execute", member, json_, `{"lockVersion": "3"`}, 400},
		{"400 too large", request{"POST", "/api/v3/custom_actions/1/execute", member, json_, `{"x": "` + strings.Repeat("a", openproject.DefaultMaxBodyBytes) + `"}`}, 400},
		{"400 beats 404", request{"POST", "/api/v3/custom_actions/99/execute", member, json_, "[]"}, 400},
		// 404: no such custom action.
		{"404 unknown custom action", request{"POST", "/api/v3/custom_actions/99/execute", member, json_, executeBody("42", "3")}, 404},
		{"404 beats 422 work package", request{"POST", "/api/v3/custom_actions/99/execute", member, json_, `{"lockVersion": "3"}`}, 404},
		{"404 get unknown custom action", request{"GET", "/api/v3/custom_actions/99", member, "", ""}, 404},
		// 422 workPackage: no link, or one the user cannot see.
		{"422 work package blank", request{"POST", "/api/v3/custom_actions/1/execute", member, json_, `{"lockVersion": "3"}`}, 422},
		{"422 work package empty href", request{"POST", "/api/v3/custom_actions/1/execute", member, json_, `{"_links": {"workPackage": {"href": ""}}, "lockVersion": "3"}`}, 422},
		{"422 work package null href", request{"POST", "/api/v3/custom_actions/1/execute", member, json_, `{"_links": {"workPackage": {"href": null}}, "lockVersion": "3"}`}, 422},
		{"422 work package links not an object", request{"POST", "/api/v3/custom_actions/1/execute", member, json_, `{"_links": 5, "lockVersion": "3"}`}, 422},
		{"422 work package unknown", request{"POST", "/api/v3/custom_actions/1/execute", member, json_, executeBody("99", "1")}, 422},
		{"422 work package invisible", request{"POST", "/api/v3/custom_actions/1/execute", member, json_, executeBody("44", "1")}, 422},
		// 422 ResourceTypeMismatch: a workPackage href that is not a work
		// package resource link of API v3, found while the body is parsed,
		// before the custom action is looked up
		// (lib/api/utilities/resource_link_parser.rb, lib/api/errors/invalid_resource_link.rb,
		// lib/api/decorators/link_object.rb: an empty href is parsed too).
		{"422 work package href elsewhere", request{"POST", "/api/v3/custom_actions/1/execute", member, json_, `{"_links": {"workPackage": {"href": "/api/v3/projects/42"}}, "lockVersion": "3"}`}, 422},
		{"422 work package href of api v2", request{"POST", "/api/v3/custom_actions/1/execute", member, json_, `{"_links": {"workPackage": {"href": "/api/v2/work_packages/42"}}, "lockVersion": "3"}`}, 422},
		{"422 work package href trailing slash", request{"POST", "/api/v3/custom_actions/1/execute", member, json_, `{"_links": {"workPackage": {"href": "/api/v3/work_packages/42/"}}, "lockVersion": "3"}`}, 422},
		{"422 work package href with query", request{"POST", "/api/v3/custom_actions/1/execute", member, json_, `{"_links": {"workPackage": {"href": "/api/v3/work_packages/42?x=1"}}, "lockVersion": "3"}`}, 422},
		{"422 resource type mismatch beats 404", request{"POST", "/api/v3/custom_actions/99/execute", member, json_, `{"_links": {"workPackage": {"href": "/api/v3/projects/42"}}, "lockVersion": "3"}`}, 422},
		{"422 work package href not an integer", request{"POST", "/api/v3/custom_actions/1/execute", member, json_, `{"_links": {"workPackage": {"href": "/api/v3/work_packages/abc"}}, "lockVersion": "3"}`}, 422},
		{"422 work package href not a string", request{"POST", "/api/v3/custom_actions/1/execute", member, json_, `{"_links": {"workPackage": {"href": 42}}, "lockVersion": "3"}`}, 422},
		{"422 work package beats 409", request{"POST", "/api/v3/custom_actions/1/execute", member, json_, `{}`}, 422},
		// 409: lockVersion missing or not the current one.
		{"409 lockVersion missing", request{"POST", "/api/v3/custom_actions/1/execute", member, json_, `{"_links": {"workPackage": {"href": "/api/v3/work_packages/42"}}}`}, 409},
		{"409 lockVersion stale string", request{"POST", "/api/v3/custom_actions/1/execute", member, json_, executeBody("42", "2")}, 409},
		{"409 lockVersion stale integer", request{"POST", "/api/v3/custom_actions/1/execute", member, json_, executeBody("42", 2)}, 409},
		{"409 lockVersion ahead", request{"POST", "/api/v3/custom_actions/1/execute", member, json_, executeBody("42", "4")}, 409},
		{"409 lockVersion not a number", request{"POST", "/api/v3/custom_actions/1/execute", member, json_, executeBody("42", "three")}, 409},
		{"409 lockVersion fraction", request{"POST", "/api/v3/custom_actions/1/execute", member, json_, executeBody("42", 3.5)}, 409},
		{"409 lockVersion object", request{"POST", "/api/v3/custom_actions/1/execute", member, json_, executeBody("42", map[string]int{"v": 3})}, 409},
		{"409 beats 403 conditions", request{"POST", "/api/v3/custom_actions/5/execute", admin, json_, executeBody("42", "2")}, 409},
		{"409 beats 422 validation", request{"POST", "/api/v3/custom_actions/4/execute", member, json_, executeBody("43", "2")}, 409},
		// 403: the action's permission or conditions do not hold.
		{"403 conditions unassign unassigned", request{"POST", "/api/v3/custom_actions/3/execute", member, json_, executeBody("43", "1")}, 403},
		{"403 conditions start work without role Member", request{"POST", "/api/v3/custom_actions/5/execute", admin, json_, executeBody("42", "3")}, 403},
		{"403 action permission", request{"POST", "/api/v3/custom_actions/6/execute", member, json_, executeBody("42", "3")}, 403},
		{"403 conditions beat 422 validation", request{"POST", "/api/v3/custom_actions/7/execute", member, json_, executeBody("43", "1")}, 403},
		// 422: the changed work package violates a constraint.
		{"422 percentage done over 100", request{"POST", "/api/v3/custom_actions/4/execute", member, json_, executeBody("43", "1")}, 422},
		{"422 post-condition", request{"POST", "/api/v3/custom_actions/9/execute", member, json_, executeBody("42", 3)}, 422},
		{"422 multiple errors", request{"POST", "/api/v3/custom_actions/8/execute", member, json_, executeBody("42", "3")}, 422},
		// Outside the table: GET of what the user may not see, other methods
		// and paths. A work package that does not exist and one the user may
		// not see get the same 404, with the work package's own message
		// (work_packages_api.rb: NotFound model: :work_package; the text as
		// the reminders request spec quotes it).
		{"404 get unknown work package", request{"GET", "/api/v3/work_packages/99", member, "", ""}, 404},
		{"404 get invisible work package", request{"GET", "/api/v3/work_packages/44", member, "", ""}, 404},
		{"404 unknown path", request{"GET", "/api/v3/statuses", member, "", ""}, 404},
		{"405 get execute", request{"GET", "/api/v3/custom_actions/1/execute", member, "", ""}, 405},
		{"405 delete custom action", request{"DELETE", "/api/v3/custom_actions/1", member, "", ""}, 405},
		{"405 patch work package", request{"PATCH", "/api/v3/work_packages/42", member, json_, "{}"}, 405},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			before := f.snapshot(t)
			res := f.do(t, tt.req)
			if res.StatusCode != tt.status {
				t.Errorf("status = %d, want %d", res.StatusCode, tt.status)
			}
			golden(t, strings.ReplaceAll(tt.name, " ", "_"), dump(t, res))
			if diff := cmp.Diff(before, f.snapshot(t)); diff != "" {
				t.Errorf("a refused request changed the work packages (-before +after):\n%s", diff)
			}
			if recs, err := f.engine.Executions(context.Background(), actions.Filter{}); err != nil || len(recs) > 0 {
				t.Errorf("a refused request recorded executions %+v (err %v)", recs, err)
			}
		})
	}
}

func basic(user, pass string) string {
	r := httptest.NewRequest("GET", "/", nil)
	r.SetBasicAuth(user, pass)
	_, enc, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	return enc
}

// TestSeed runs the examples of the seed and the issue: the custom action
// representation, and executing 1 on 42 with lockVersion "3".
func TestSeed(t *testing.T) {
	tests := []struct {
		name string
		req  request
	}{
		{"get custom action 2", request{"GET", "/api/v3/custom_actions/2", admin, "", ""}},
		{"get custom action without description", request{"GET", "/api/v3/custom_actions/1", "Bearer " + member, "", ""}},
		{"get work package 42 as member", request{"GET", "/api/v3/work_packages/42", member, "", ""}},
		{"get work package 43 as member", request{"GET", "/api/v3/work_packages/43", "Bearer " + member, "", ""}},
		{"get work package 42 as viewer", request{"GET", "/api/v3/work_packages/42", viewer, "", ""}},
		{"get work package 44 as admin", request{"GET", "/api/v3/work_packages/44", admin, "", ""}},
		{"execute 1 on 42", request{"POST", "/api/v3/custom_actions/1/execute", member, json_, executeBody("42", "3")}},
		{"execute 2 on 42 as admin", request{"POST", "/api/v3/custom_actions/2/execute", "Bearer " + admin, "application/hal+json; charset=utf-8", executeBody("42", "3")}},
		{"execute 3 on 42", request{"POST", "/api/v3/custom_actions/3/execute", member, json_, executeBody("42", 3)}},
		{"execute 4 on 42", request{"POST", "/api/v3/custom_actions/4/execute", member, json_, executeBody("42", "3")}},
		{"execute 5 on 42", request{"POST", "/api/v3/custom_actions/5/execute", member, json_, executeBody("42", "3")}},
	}
	for _, tt := range tests {
		for _, rd := range renderings {
			t.Run(tt.name+"/"+rd.name, func(t *testing.T) {
				f := newFixture(t, rd.configure)
				res := f.do(t, tt.req)
				if res.StatusCode != http.StatusOK {
					t.Errorf("status = %d, want 200", res.StatusCode)
				}
				golden(t, strings.ReplaceAll(tt.name, " ", "_"), dump(t, res))
			})
		}
	}
}

// TestLockVersion: the documented string and an integer are the same.
func TestLockVersion(t *testing.T) {
	const link = `"_links": {"workPackage": {"href": "/api/v3/work_packages/42"}}`
	var want string
	for _, lv := range []string{`"3"`, `3`} {
		f := newFixture(t)
		res := f.do(t, request{"POST", "/api/v3/custom_actions/1/execute", member, json_, `{` + link + `, "lockVersion": ` + lv + `}`})
		if res.StatusCode != http.StatusOK {
			t.Fatalf("lockVersion %s: status = %d, want 200", lv, res.StatusCode)
		}
		got := dump(t, res)
		if want == "" {
			want = got
			continue
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("lockVersion %s: response mismatch (-string +integer):\n%s", lv, diff)
		}
	}
}

// customActions returns the titles of a work package's customActions links
// and its lockVersion, and checks that _embedded.customActions holds the
// resources of the same actions in the same order
// (lib/api/v3/work_packages/work_package_representer.rb: both from
// ordered_custom_actions).
func customActions(t *testing.T, res *http.Response) (titles []string, lockVersion int64) {
	t.Helper()
	var wp struct {
		LockVersion int64 `json:"lockVersion"`
		Embedded    *struct {
			CustomActions []openproject.CustomAction `json:"customActions"`
		} `json:"_embedded"`
		Links struct {
			CustomActions []openproject.Link `json:"customActions"`
		} `json:"_links"`
	}
	if err := json.NewDecoder(res.Body).Decode(&wp); err != nil {
		t.Fatal(err)
	}
	titles = []string{}
	for _, l := range wp.Links.CustomActions {
		titles = append(titles, strings.TrimPrefix(l.Href, "/api/v3/custom_actions/")+" "+l.Title)
	}
	if wp.Embedded == nil {
		t.Fatal("the work package has no _embedded")
	}
	embedded := []string{}
	for _, a := range wp.Embedded.CustomActions {
		embedded = append(embedded, strings.TrimPrefix(a.Links.Self.Href, "/api/v3/custom_actions/")+" "+a.Name)
	}
	if diff := cmp.Diff(titles, embedded); diff != "" {
		t.Errorf("_embedded.customActions differ from _links.customActions (-links +embedded):\n%s", diff)
	}
	return titles, wp.LockVersion
}

// TestCustomActionsLinks follows a client: read the links, execute one,
// read them again.
func TestCustomActionsLinks(t *testing.T) {
	type step struct {
		req         request
		status      int
		links       []string // nil: not a work package
		lockVersion int64
	}
	get42 := request{"GET", "/api/v3/work_packages/42", member, "", ""}
	tests := []struct {
		name  string
		steps []step
	}{
		{"close", []step{
			{get42, 200, []string{"1 Close", "2 Change project and type", "3 Unassign", "4 Make progress", "5 Start work"}, 3},
			{request{"POST", "/api/v3/custom_actions/1/execute", member, json_, executeBody("42", "3")}, 200, []string{"2 Change project and type", "3 Unassign", "4 Make progress"}, 4},
			{get42, 200, []string{"2 Change project and type", "3 Unassign", "4 Make progress"}, 4},
			{request{"POST", "/api/v3/custom_actions/1/execute", member, json_, executeBody("42", "4")}, 403, nil, 0},
			{request{"POST", "/api/v3/custom_actions/3/execute", member, json_, executeBody("42", "3")}, 409, nil, 0},
			{request{"POST", "/api/v3/custom_actions/3/execute", member, json_, executeBody("42", "4")}, 200, []string{"2 Change project and type", "4 Make progress"}, 5},
		}},
		{"start work, then progress twice", []step{
			{request{"POST", "/api/v3/custom_actions/5/execute", member, json_, executeBody("42", "3")}, 200, []string{"1 Close", "2 Change project and type", "3 Unassign", "4 Make progress"}, 4},
			{request{"POST", "/api/v3/custom_actions/4/execute", member, json_, executeBody("42", "4")}, 200, []string{"1 Close", "2 Change project and type", "3 Unassign", "4 Make progress"}, 5},
			{request{"POST", "/api/v3/custom_actions/4/execute", member, json_, executeBody("42", "5")}, 200, []string{"1 Close", "2 Change project and type", "3 Unassign", "4 Make progress"}, 6},
			{request{"POST", "/api/v3/custom_actions/4/execute", member, json_, executeBody("42", "6")}, 422, nil, 0},
			{get42, 200, []string{"1 Close", "2 Change project and type", "3 Unassign", "4 Make progress"}, 6},
		}},
		{"moving out of the member's project", []step{
			{request{"POST", "/api/v3/custom_actions/2/execute", member, json_, executeBody("42", "3")}, 200, []string{}, 4},
			{get42, 404, nil, 0},
			{request{"POST", "/api/v3/custom_actions/1/execute", member, json_, executeBody("42", "4")}, 422, nil, 0},
			// The admin has every permission but no role: no "Start work".
			{request{"GET", "/api/v3/work_packages/42", admin, "", ""}, 200, []string{"1 Close", "2 Change project and type", "3 Unassign", "4 Make progress"}, 4},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			for i, s := range tt.steps {
				res := f.do(t, s.req)
				if res.StatusCode != s.status {
					t.Fatalf("step %d: %s %s: status = %d, want %d", i, s.req.method, s.req.path, res.StatusCode, s.status)
				}
				if s.links == nil {
					continue
				}
				links, lv := customActions(t, res)
				if diff := cmp.Diff(s.links, links); diff != "" {
					t.Errorf("step %d: customActions mismatch (-want +got):\n%s", i, diff)
				}
				if lv != s.lockVersion {
					t.Errorf("step %d: lockVersion = %d, want %d", i, lv, s.lockVersion)
				}
			}
		})
	}
}
