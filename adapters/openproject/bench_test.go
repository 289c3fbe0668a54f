package openproject_test

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/actionable-go/actionable/adapters/openproject"
)

// BenchmarkHandler serves the hot requests through the handler, with the
// fixture of the tests:
//
//	go test -run '^$' -bench Handler -benchmem ./adapters/openproject/
//
// GET_collection lists a full page of 20 work packages.
func BenchmarkHandler(b *testing.B) {
	fx := newFixture(b)
	// A full first page (20) for the collection: 42, 43 and these.
	for i := range 18 {
		wp := WorkPackage{Subject: "Listed " + strconv.Itoa(i), Project: "demo", Type: "Task", Status: "New", Assignee: "member"}
		if _, err := fx.store.Create(b.Context(), strconv.Itoa(1000+i), wp); err != nil {
			b.Fatal(err)
		}
	}
	get := func(b *testing.B, path, token string) {
		b.ReportAllocs()
		for b.Loop() {
			r := httptest.NewRequest(http.MethodGet, path, nil)
			r.Header.Set("Authorization", "Bearer "+token)
			w := httptest.NewRecorder()
			fx.handler.ServeHTTP(w, r)
			if w.Code != http.StatusOK {
				b.Fatalf("status %d: %s", w.Code, w.Body)
			}
		}
	}
	b.Run("GET_work_package", func(b *testing.B) { get(b, "/api/v3/work_packages/42", member) })
	b.Run("GET_work_package_AppendProperties", func(b *testing.B) {
		fx := newFixture(b, func(cfg *openproject.Config[WorkPackage]) { cfg.AppendProperties = appendProperties })
		b.ReportAllocs()
		for b.Loop() {
			r := httptest.NewRequest(http.MethodGet, "/api/v3/work_packages/42", nil)
			r.Header.Set("Authorization", "Bearer "+member)
			w := httptest.NewRecorder()
			fx.handler.ServeHTTP(w, r)
			if w.Code != http.StatusOK {
				b.Fatalf("status %d: %s", w.Code, w.Body)
			}
		}
	})
	b.Run("GET_custom_action", func(b *testing.B) { get(b, "/api/v3/custom_actions/2", member) })
	b.Run("GET_collection", func(b *testing.B) { get(b, "/api/v3/work_packages", member) })
	b.Run("POST_execute", func(b *testing.B) {
		// Custom action 2 applies to any work package; each execution
		// saves a new version, whose lockVersion the next request sends.
		lockVersion := regexp.MustCompile(`"lockVersion":(\d+)`)
		_, lock, err := fx.engine.Load(b.Context(), "43")
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			r := httptest.NewRequest(http.MethodPost, "/api/v3/custom_actions/2/execute", strings.NewReader(executeBody("43", lock)))
			r.Header.Set("Authorization", "Bearer "+admin)
			r.Header.Set("Content-Type", "application/json")
			w := httptest.NewRecorder()
			fx.handler.ServeHTTP(w, r)
			if w.Code != http.StatusOK {
				b.Fatalf("status %d: %s", w.Code, w.Body)
			}
			m := lockVersion.FindSubmatch(w.Body.Bytes())
			lock, _ = strconv.ParseInt(string(m[1]), 10, 64)
		}
	})
}
