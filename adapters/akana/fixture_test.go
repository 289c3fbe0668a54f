package akana_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/actionable-go/actionable/actions"
	"github.com/actionable-go/actionable/adapters/akana"
	"github.com/actionable-go/actionable/adapters/internal/adaptertest"
)

// Object is the test's object type: the workflow key and state, by the
// default field names.
type Object struct {
	Name        string `json:"name"`
	WorkflowKey string `json:"workflowKey"`
	State       string `json:"state"`
}

// The demo data of the issue, defined in Go.
var testWorkflows = []akana.Workflow{
	{
		Key: "discussion-workflow", Title: "Discussion workflow", States: []string{"Published", "Pending"},
		Permission: "discussion.moderate",
		Actions: []akana.WorkflowAction{
			{Name: "discussion.action.unpublish", From: []string{"Published"}, To: "Pending"},
			{Name: "discussion.action.publish", From: []string{"Pending"}, To: "Published"},
		},
	},
	{
		Key: "aba30718-a086-407c-99e9-76a1f07060a2", Title: "v1",
		States:     []string{"Draft", "Pending Approval", "Approved", "Rejected"},
		Permission: "apiversion.admin",
		Actions: []akana.WorkflowAction{
			{Name: "apiversion.action.submit.approval", From: []string{"Draft", "Rejected"}, To: "Pending Approval"},
			{Name: "apiversion.action.approve", From: []string{"Pending Approval"}, To: "Approved"},
			{Name: "apiversion.action.reject", From: []string{"Pending Approval"}, To: "Rejected"},
		},
	},
	{
		Key: "manage-user-workflow", Title: "Custom workflow for managing users",
		States: []string{"Setup", "Managed", "Unmanaged"}, Permission: "user.manage",
		Actions: []akana.WorkflowAction{
			{Name: "Change to managed users", From: []string{"Setup", "Unmanaged"}, To: "Managed"},
			{Name: "Change to unmanaged users", From: []string{"Setup", "Managed"}, To: "Unmanaged"},
		},
	},
	{
		Key: "26ff0d25-2176-4e11-82d1-5acb3078cef3", Title: "v1", States: []string{"Setup"}, Permission: "app.admin",
		Actions: []akana.WorkflowAction{
			{Name: "@Modify"}, {Name: "@Delete"}, {Name: "@KeyInfoSaved"}, {Name: "@KeyInfoRemoved"},
			{Name: "@RegeneratedSecret"}, {Name: "reserved-allow-cert-upload"},
			{Name: "reserved-connect-to-api.Sandbox"}, {Name: "reserved-connect-to-api.Production"},
		},
	},
}

const (
	discussion11018 = "discussion11018.acmepaymentscorp"
	discussion10121 = "discussion10121.acmepaymentscorp"
	apiVersion1     = "apiversion1.acmepaymentscorp"
	user1           = "user1.acmepaymentscorp"
	appVersion      = "4pg3oSwgEuGZruzwORllQY8XsYYo4KBMMqcnOjru.acmepaymentscorp"

	csrfHeader = "X-Csrf-Token_acmepaymentscorp"
	adminAuth  = "AtmoAuthToken_acmepaymentscorp=akana-admin"
	viewerAuth = "AtmoAuthToken_acmepaymentscorp=akana-viewer"
	bannedAuth = "AtmoAuthToken_acmepaymentscorp=akana-banned"
)

var testObjects = map[string]Object{
	discussion11018:           {Name: "Rate limits", WorkflowKey: "discussion-workflow", State: "Published"},
	discussion10121:           {Name: "Sandbox keys", WorkflowKey: "discussion-workflow", State: "Published"},
	apiVersion1:               {Name: "Payments API v1", WorkflowKey: "aba30718-a086-407c-99e9-76a1f07060a2", State: "Draft"},
	user1:                     {Name: "user1", WorkflowKey: "manage-user-workflow", State: "Setup"},
	appVersion:                {Name: "Checkout app v1", WorkflowKey: "26ff0d25-2176-4e11-82d1-5acb3078cef3", State: "Setup"},
	"orphan.acmepaymentscorp": {Name: "no workflow", WorkflowKey: "unknown-workflow", State: "Limbo"},
}

// authenticate reads the AtmoAuthToken_acmepaymentscorp cookie: akana-admin
// may do everything, akana-viewer nothing, akana-banned is refused with 403.
func authenticate(r *http.Request) (actions.Actor, error) {
	token, err := akana.AuthToken(r, "acmepaymentscorp")
	if err != nil {
		return actions.Actor{}, err
	}
	switch token {
	case "akana-admin":
		return actions.Actor{ID: "admin", Permissions: []string{"*"}}, nil
	case "akana-viewer":
		return actions.Actor{ID: "viewer"}, nil
	case "akana-banned":
		return actions.Actor{}, fmt.Errorf("user banned: %w", actions.ErrForbidden)
	}
	return actions.Actor{}, akana.ErrBadCredentials
}

// csrfToken is the session's CSRF token: each login token is its own.
func csrfToken(r *http.Request, _ actions.Actor) (string, error) {
	token, _ := akana.AuthToken(r, "acmepaymentscorp")
	return token, nil
}

// fixture is a handler over a fresh store holding testObjects.
type fixture struct {
	h     http.Handler
	store *actions.MemoryStore[Object]
}

type fixtureConfig struct {
	cfg      akana.Config
	store    func(*actions.MemoryStore[Object]) actions.Store[Object] // wraps the memory store if set
	catalog  []actions.CompileOption
	edit     func([]actions.Definition) []actions.Definition
	compiled *actions.Catalog[Object] // reused instead of compiling, if set
}

func newFixture(t testing.TB, cfg fixtureConfig) fixture {
	t.Helper()
	wf, err := akana.NewWorkflows(akana.Fields{}, testWorkflows)
	if err != nil {
		t.Fatal(err)
	}
	defs := wf.Definitions()
	if cfg.edit != nil {
		defs = cfg.edit(defs)
	}
	cat := cfg.compiled
	if cat == nil {
		if cat, err = actions.Compile[Object](defs, cfg.catalog...); err != nil {
			t.Fatal(err)
		}
	}
	mem := actions.NewMemoryStore[Object]()
	for id, o := range testObjects {
		if _, err := mem.Create(context.Background(), id, o); err != nil {
			t.Fatal(err)
		}
	}
	var store actions.Store[Object] = mem
	if cfg.store != nil {
		store = cfg.store(mem)
	}
	engine, err := actions.New(cat, store, actions.WithJournal(mem))
	if err != nil {
		t.Fatal(err)
	}
	c := cfg.cfg
	if c.Authenticate == nil {
		c.Authenticate = authenticate
	}
	if c.CSRFToken == nil {
		c.CSRFToken = csrfToken
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	h, err := akana.New(engine, wf, c)
	if err != nil {
		t.Fatal(err)
	}
	return fixture{h: h, store: mem}
}

func (f fixture) state(t testing.TB, id string) string {
	t.Helper()
	o, _, err := f.store.Load(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return o.State
}

// exchange is one HTTP request and the response it must get.
type exchange struct {
	name       string
	method     string
	target     string
	header     map[string]string
	body       string
	wantStatus int
	wantType   string
	golden     string // file under testdata holding the whole body
	stateOf    string // object whose state is checked afterwards
	wantState  string
}

func (f fixture) do(t testing.TB, method, target string, header map[string]string, body string) *http.Response {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, target, rd)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	return rec.Result()
}

// check runs e against f and compares status, content type, whole body
// (with the golden file) and the state afterwards.
func (f fixture) check(t *testing.T, e exchange) {
	t.Helper()
	res := f.do(t, e.method, e.target, e.header, e.body)
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != e.wantStatus {
		t.Errorf("status = %d, want %d; body:\n%s", res.StatusCode, e.wantStatus, body)
	}
	if got := res.Header.Get("Content-Type"); got != e.wantType {
		t.Errorf("Content-Type = %q, want %q", got, e.wantType)
	}
	golden(t, e.golden, body)
	if e.stateOf != "" {
		if got := f.state(t, e.stateOf); got != e.wantState {
			t.Errorf("state of %s = %q, want %q", e.stateOf, got, e.wantState)
		}
	}
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t testing.TB, name string, got []byte) {
	t.Helper()
	adaptertest.Golden(t, filepath.Join("testdata", name), got)
}

// hdr builds a header map from pairs.
func hdr(kv ...string) map[string]string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}
