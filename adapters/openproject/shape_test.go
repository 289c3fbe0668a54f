package openproject_test

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/actionable-go/actionable/actions"
	"github.com/actionable-go/actionable/adapters/internal/adaptertest"
	"github.com/actionable-go/actionable/adapters/openproject"
	"github.com/google/go-cmp/cmp"
)

// TestPanics: a panic of the host's code is answered as any internal
// error, 500 InternalServerError in HAL, logged with its stack, and the
// handler goes on serving.
func TestPanics(t *testing.T) {
	tests := []struct {
		name      string
		configure func(c *openproject.Config[WorkPackage], boom func())
		req       request
	}{
		{"authenticate", func(c *openproject.Config[WorkPackage], boom func()) {
			c.Authenticate = func(r *http.Request) (actions.Actor, error) { boom(); return authenticate(r) }
		}, request{"GET", "/api/v3/work_packages/42", member, "", ""}},
		{"actor for", func(c *openproject.Config[WorkPackage], boom func()) {
			c.ActorFor = func(ctx context.Context, a actions.Actor, id string, wp WorkPackage) actions.Actor {
				boom()
				return actorFor(ctx, a, id, wp)
			}
		}, request{"POST", "/api/v3/custom_actions/1/execute", member, json_, executeBody("42", "3")}},
		{"can edit", func(c *openproject.Config[WorkPackage], boom func()) {
			c.CanEdit = func(_ context.Context, a actions.Actor) bool {
				boom()
				return a.Can(openproject.PermissionEditWorkPackages)
			}
		}, request{"GET", "/api/v3/custom_actions/1", member, "", ""}},
		{"linked property", func(c *openproject.Config[WorkPackage], boom func()) {
			link := c.LinkedProperties[0].Link
			c.LinkedProperties[0].Link = func(ctx context.Context, wp WorkPackage) (openproject.Link, error) {
				boom()
				return link(ctx, wp)
			}
		}, request{"GET", "/api/v3/work_packages/42", member, "", ""}},
		{"list", func(c *openproject.Config[WorkPackage], boom func()) {
			list := c.List
			c.List = func(ctx context.Context, a actions.Actor) ([]string, error) { boom(); return list(ctx, a) }
		}, request{"GET", "/api/v3/work_packages", member, "", ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			log, lines := adaptertest.NewLogger()
			var thrown atomic.Bool // the first call panics, the next ones return
			boom := func() {
				if !thrown.Swap(true) {
					panic("boom")
				}
			}
			f := newFixture(t, func(c *openproject.Config[WorkPackage]) {
				tt.configure(c, boom)
				c.Logger = log
			})
			before := f.snapshot(t)
			res := f.do(t, tt.req)
			if res.StatusCode != http.StatusInternalServerError {
				t.Errorf("status = %d, want 500", res.StatusCode)
			}
			golden(t, "panic", dump(t, res))
			path, _, _ := strings.Cut(tt.req.path, "?")
			want := `level=ERROR msg="openproject: internal error" method=` + tt.req.method + ` path=` + path + ` error="panic: boom" stack=…` + "\n"
			if got := lines.String(); got != want {
				t.Errorf("log = %q, want %q", got, want)
			}
			if diff := cmp.Diff(before, f.snapshot(t)); diff != "" {
				t.Errorf("work packages changed (-before +after):\n%s", diff)
			}
			// Still serving: the same request, now that the hook returns.
			if res := f.do(t, tt.req); res.StatusCode != http.StatusOK {
				t.Errorf("the request again: status %d, want 200", res.StatusCode)
			}
		})
	}
}
