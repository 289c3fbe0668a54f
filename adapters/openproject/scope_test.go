package openproject_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/actionable-go/actionable/actions"
	"github.com/actionable-go/actionable/adapters/openproject"
)

// TestEditPermissionIsScopedToTheWorkPackage: a user who may edit work
// packages in one project but only view them in another must not execute,
// nor be offered, a custom action on a work package of the second project,
// even an action that names no permission of its own.
func TestEditPermissionIsScopedToTheWorkPackage(t *testing.T) {
	ctx := context.Background()
	cat, err := actions.Compile[WorkPackage]([]actions.Definition{
		{ID: "1", Name: "Close", Workflow: &actions.Workflow{Field: "status", To: "Closed"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	store := actions.NewMemoryStore[WorkPackage]()
	if _, err := store.Create(ctx, "7", WorkPackage{Subject: "Elsewhere", Project: "other", Type: "Task", Status: "New"}); err != nil {
		t.Fatal(err)
	}
	engine, err := actions.New(cat, store)
	if err != nil {
		t.Fatal(err)
	}
	roles := map[string]string{"demo": "Member", "other": "Reader"}
	h, err := openproject.New(engine, openproject.Config[WorkPackage]{
		Authenticate: func(*http.Request) (actions.Actor, error) {
			return actions.Actor{ID: "mixed", Permissions: []string{openproject.PermissionViewWorkPackages, openproject.PermissionEditWorkPackages}}, nil
		},
		ActorFor: func(_ context.Context, a actions.Actor, _ string, wp WorkPackage) actions.Actor {
			a.Permissions = []string{openproject.PermissionViewWorkPackages}
			if roles[wp.Project] == "Member" {
				a.Permissions = append(a.Permissions, openproject.PermissionEditWorkPackages)
			}
			return a
		},
	})
	if err != nil {
		t.Fatal(err)
	}

	get := httptest.NewRequest("GET", "/api/v3/work_packages/7", nil)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, get)
	if w.Code != http.StatusOK {
		t.Fatalf("GET: status %d, body %s", w.Code, w.Body)
	}
	if !strings.Contains(w.Body.String(), `"customActions":[]`) {
		t.Errorf("GET offers custom actions to a reader of the project: %s", w.Body)
	}

	post := httptest.NewRequest("POST", "/api/v3/custom_actions/1/execute",
		strings.NewReader(`{"_links": {"workPackage": {"href": "/api/v3/work_packages/7"}}, "lockVersion": "1"}`))
	post.Header.Set("Content-Type", "application/json")
	w = httptest.NewRecorder()
	h.ServeHTTP(w, post)
	want := `{"_type":"Error","errorIdentifier":"urn:openproject-org:api:v3:errors:MissingPermission","message":"You are not authorized to access this resource."}`
	if w.Code != http.StatusForbidden || strings.TrimSpace(w.Body.String()) != want {
		t.Errorf("execute by a reader of the project: %d %s, want 403 %s", w.Code, w.Body, want)
	}
	wp, version, _ := store.Load(ctx, "7")
	if diff := cmp.Diff(WorkPackage{Subject: "Elsewhere", Project: "other", Type: "Task", Status: "New"}, wp); diff != "" || version != 1 {
		t.Errorf("work package changed (version %d) (-want +got):\n%s", version, diff)
	}
	if recs, _ := engine.Executions(ctx, actions.Filter{}); len(slices.Clip(recs)) != 0 {
		t.Errorf("executions recorded: %v", recs)
	}
}
