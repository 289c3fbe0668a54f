package openproject_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/actionable-go/actionable/actions"
	"github.com/actionable-go/actionable/adapters/openproject"
	"github.com/google/go-cmp/cmp"
)

// TestConfig shows what each option of Config changes.
func TestConfig(t *testing.T) {
	tests := []struct {
		name      string
		configure func(*openproject.Config[WorkPackage])
		req       request
		status    int
	}{
		{"zero config denies", func(c *openproject.Config[WorkPackage]) { *c = openproject.Config[WorkPackage]{} },
			request{"GET", "/api/v3/work_packages/42", admin, "", ""}, 401},
		{"zero config denies execute", func(c *openproject.Config[WorkPackage]) { *c = openproject.Config[WorkPackage]{} },
			request{"POST", "/api/v3/custom_actions/1/execute", admin, json_, executeBody("42", "3")}, 401},
		{"can edit refuses", func(c *openproject.Config[WorkPackage]) {
			c.CanEdit = func(context.Context, actions.Actor) bool { return false }
		}, request{"POST", "/api/v3/custom_actions/1/execute", admin, json_, executeBody("42", "3")}, 403},
		{"can edit refuses no links", func(c *openproject.Config[WorkPackage]) {
			c.CanEdit = func(context.Context, actions.Actor) bool { return false }
		}, request{"GET", "/api/v3/work_packages/42", admin, "", ""}, 200},
		{"can view hides bugs", func(c *openproject.Config[WorkPackage]) {
			c.CanView = func(_ context.Context, _ actions.Actor, _ string, wp WorkPackage) bool { return wp.Type != "Bug" }
		}, request{"GET", "/api/v3/work_packages/43", admin, "", ""}, 404},
		{"can view hides bugs on execute", func(c *openproject.Config[WorkPackage]) {
			c.CanView = func(_ context.Context, _ actions.Actor, _ string, wp WorkPackage) bool { return wp.Type != "Bug" }
		}, request{"POST", "/api/v3/custom_actions/1/execute", admin, json_, executeBody("43", "1")}, 422},
		{"no actor for", func(c *openproject.Config[WorkPackage]) { c.ActorFor = nil },
			// Unscoped, the member holds view and edit everywhere, even in secret.
			request{"GET", "/api/v3/work_packages/44", member, "", ""}, 200},
		{"links", func(c *openproject.Config[WorkPackage]) {
			c.Links = func(id string, wp WorkPackage) map[string]openproject.Link {
				return map[string]openproject.Link{
					"self":          {Href: "/api/v3/work_packages/" + id, Title: wp.Subject},
					"project":       {Href: "/api/v3/projects/" + wp.Project, Title: wp.Project},
					"assignee":      {Href: "/api/v3/users/" + wp.Assignee},
					"customActions": {Href: "/ignored"},
				}
			}
		}, request{"GET", "/api/v3/work_packages/42", member, "", ""}, 200},
		{"render", func(c *openproject.Config[WorkPackage]) {
			c.Render = func(_ context.Context, wp openproject.WorkPackage[WorkPackage]) (any, error) {
				return map[string]any{"_type": "WorkPackage", "id": wp.ID, "lockVersion": wp.LockVersion,
					"subject": wp.Object.Subject, "_links": map[string]any{"customActions": wp.CustomActions}}, nil
			}
		}, request{"GET", "/api/v3/work_packages/42", member, "", ""}, 200},
		{"render fails", func(c *openproject.Config[WorkPackage]) {
			c.Render = func(context.Context, openproject.WorkPackage[WorkPackage]) (any, error) {
				return nil, errors.New("template missing")
			}
		}, request{"GET", "/api/v3/work_packages/42", member, "", ""}, 500},
		{"render unencodable", func(c *openproject.Config[WorkPackage]) {
			c.Render = func(context.Context, openproject.WorkPackage[WorkPackage]) (any, error) {
				return make(chan int), nil
			}
		}, request{"GET", "/api/v3/work_packages/42", member, "", ""}, 500},
		{"render not an object", func(c *openproject.Config[WorkPackage]) {
			c.Render = func(context.Context, openproject.WorkPackage[WorkPackage]) (any, error) {
				return nil, nil
			}
		}, request{"GET", "/api/v3/work_packages/42", member, "", ""}, 500},
		{"attribute names humanized", func(c *openproject.Config[WorkPackage]) { c.AttributeNames = nil },
			request{"POST", "/api/v3/custom_actions/4/execute", member, json_, executeBody("43", "1")}, 422},
		{"max body bytes", func(c *openproject.Config[WorkPackage]) { c.MaxBodyBytes = 10 },
			request{"POST", "/api/v3/custom_actions/1/execute", member, json_, executeBody("42", "3")}, 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, tt.configure)
			res := f.do(t, tt.req)
			if res.StatusCode != tt.status {
				t.Errorf("status = %d, want %d", res.StatusCode, tt.status)
			}
			golden(t, "config_"+strings.ReplaceAll(tt.name, " ", "_"), dump(t, res))
		})
	}
}

func TestNew(t *testing.T) {
	engine, _ := newEngine(t)
	tests := []struct {
		name   string
		engine *actions.Engine[WorkPackage]
		cfg    openproject.Config[WorkPackage]
	}{
		{"nil engine", nil, openproject.Config[WorkPackage]{}},
		{"negative max body bytes", engine, openproject.Config[WorkPackage]{MaxBodyBytes: -1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := openproject.New(tt.engine, tt.cfg); err == nil {
				t.Error("New succeeded, want an error")
			}
		})
	}
}

// TestIDs: a numeric id renders as a number, any other as a string, and ids
// are escaped in links.
func TestIDs(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for _, id := range []string{"WP-7", "007", "a b"} {
		if _, err := f.store.Create(ctx, id, WorkPackage{Subject: "Odd id", Project: "demo", Status: "Closed"}); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name string
		path string
	}{
		{"id string", "/api/v3/work_packages/WP-7"},
		{"id leading zero", "/api/v3/work_packages/007"},
		{"id escaped", "/api/v3/work_packages/a%20b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := f.do(t, request{"GET", tt.path, member, "", ""})
			golden(t, strings.ReplaceAll(tt.name, " ", "_"), dump(t, res))
		})
	}
	t.Run("execute by escaped link", func(t *testing.T) {
		res := f.do(t, request{"POST", "/api/v3/custom_actions/4/execute", member, json_,
			`{"_links": {"workPackage": {"href": "http://example.com/api/v3/work_packages/a%20b"}}, "lockVersion": 1}`})
		if res.StatusCode != http.StatusOK {
			t.Errorf("status = %d, want 200", res.StatusCode)
		}
	})
}

// failing is a work package whose rule fails at run time while its subject
// is "one": a host bug, which is a 500 and a log line, never a panic.
type failing struct {
	Subject string `json:"subject"`
}

func TestInternalErrors(t *testing.T) {
	cat, err := actions.Compile[failing]([]actions.Definition{
		{ID: "1", Name: "Number", Condition: `Subject == "one" && int(Subject) > 0`},
		{ID: "2", Name: "Notify", Effects: []string{"notify"}, Changes: []actions.Change{{Field: "subject", Expr: `Subject + "!"`}}},
	}, actions.WithEffect("notify", actions.EffectFunc[failing](func(context.Context, actions.EffectInput[failing]) error {
		return errors.New("mail server down")
	})))
	if err != nil {
		t.Fatal(err)
	}
	store := actions.NewMemoryStore[failing]()
	if _, err := store.Create(context.Background(), "1", failing{Subject: "one"}); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey {
			return slog.Attr{}
		}
		return a
	}}))
	// The engine logs its rule failures to the same logger (and only those,
	// so that each case's log starts with the line it is about).
	ruleFailures := actions.ObserverFunc(func(ctx context.Context, ev actions.Event) {
		if ev.Kind == actions.EventRuleFailed {
			actions.LogObserver(logger).Observe(ctx, ev)
		}
	})
	engine, err := actions.New(cat, store, actions.WithObserver(ruleFailures))
	if err != nil {
		t.Fatal(err)
	}
	h, err := openproject.New(engine, openproject.Config[failing]{
		Authenticate: func(*http.Request) (actions.Actor, bool) {
			return actions.Actor{ID: "admin", Permissions: []string{actions.AllPermissions}}, true
		},
		Logger: logger,
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		req    *http.Request
		status int
		log    string
	}{
		// A rule that fails at run time takes its own action out of the
		// list, and only that one; the engine's observer logs it.
		{"rule fails at run time", httptest.NewRequest("GET", "/api/v3/work_packages/1", nil), 200, "level=WARN msg=\"actions: rule failed\" action=1 object=1 actor=admin"},
		{"rule fails at run time on execute", postJSON("/api/v3/custom_actions/1/execute", `{"_links": {"workPackage": {"href": "/api/v3/work_packages/1"}}, "lockVersion": 1}`), 403, "level=WARN msg=\"actions: rule failed\" action=1 object=1 actor=admin"},
		{"effect fails after the save", postJSON("/api/v3/custom_actions/2/execute", `{"_links": {"workPackage": {"href": "/api/v3/work_packages/1"}}, "lockVersion": 1}`), 200, "level=WARN msg=\"openproject: effect failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logs.Reset()
			w := httptest.NewRecorder()
			h.ServeHTTP(w, tt.req)
			res := w.Result()
			if res.StatusCode != tt.status {
				t.Errorf("status = %d, want %d", res.StatusCode, tt.status)
			}
			golden(t, "internal_"+strings.ReplaceAll(tt.name, " ", "_"), dump(t, res))
			if !strings.HasPrefix(logs.String(), tt.log) {
				t.Errorf("log = %q, want it to start with %q", logs.String(), tt.log)
			}
		})
	}
	recs, err := engine.Executions(context.Background(), actions.Filter{ActionID: "2"})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1 || recs[0].Status != actions.StatusFailed {
		t.Errorf("execution records = %+v, want one failed", recs)
	}
}

func postJSON(path, body string) *http.Request {
	r := httptest.NewRequest("POST", path, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	return r
}

func TestAPIKey(t *testing.T) {
	tests := []struct {
		name  string
		auth  string
		token string
		ok    bool
	}{
		{"basic apikey", "Basic " + basic("apikey", "op-admin"), "op-admin", true},
		{"basic other user", "Basic " + basic("admin", "op-admin"), "", false},
		{"basic empty token", "Basic " + basic("apikey", ""), "", false},
		{"bearer", "Bearer op-member", "op-member", true},
		{"bearer lower case", "bearer op-member", "op-member", true},
		{"bearer spaces", "Bearer   op-member  ", "op-member", true},
		{"bearer empty", "Bearer ", "", false},
		{"other scheme", "Token op-member", "", false},
		{"bare token", "op-member", "", false},
		{"none", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			if tt.auth != "" {
				r.Header.Set("Authorization", tt.auth)
			}
			token, ok := openproject.APIKey(r)
			if diff := cmp.Diff([]any{tt.token, tt.ok}, []any{token, ok}); diff != "" {
				t.Errorf("APIKey mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestNilBody: a hand-made request without a body is a 400, not a panic.
func TestNilBody(t *testing.T) {
	f := newFixture(t)
	r := httptest.NewRequest("POST", "/api/v3/custom_actions/1/execute", nil)
	r.Body = nil
	r.SetBasicAuth("apikey", member)
	r.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	f.handler.ServeHTTP(w, r)
	if w.Code != http.StatusBadRequest {
		t.Errorf("status = %d, want 400", w.Code)
	}
}
