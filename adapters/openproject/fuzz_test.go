package openproject_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
)

// fuzzActions are the custom actions the fuzzer executes: the catalog's,
// an unknown one, one with leading zeros and one that is no integer.
var fuzzActions = []string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "99", "007", "move"}

// FuzzExecuteBody: whatever the body, executing any custom action never
// panics, never answers 500, and answers one of the contract's statuses in
// HAL.
func FuzzExecuteBody(f *testing.F) {
	for _, seed := range []struct {
		action uint8
		body   string
	}{
		{0, executeBody("42", "3")},
		{0, executeBody("42", 3)},
		{3, executeBody("43", "1")},
		{4, executeBody("42", "3")},
		{7, executeBody("42", "3")},
		{8, executeBody("42", 3)},
		{9, executeBody("42", "3")},
		{0, `{"_links": {"workPackage": {"href": "/api/v3/work_packages/44"}}, "lockVersion": "1"}`},
		{0, `{"_links": {"workPackage": {"href": "http://x/api/v3/work_packages/42?x=1#f"}}, "lockVersion": 3}`},
		{0, `{"_links": {"workPackage": {"href": "%zz"}}, "lockVersion": 3}`},
		{0, `{"_links": {"workPackage": {"href": ["a"]}}, "lockVersion": [3]}`},
		{0, `{"lockVersion": "9223372036854775808"}`},
		{0, `{"lockVersion": -3}`},
		{0, `{} {}`},
		{0, `[]`},
		{0, `null`},
		{0, ``},
		{0, "{\"_links\": {\"workPackage\": {\"href\": \"\xff\"}}}"},
		{0, `{"_links": {"workPackage": {"href": "/api/v3/work_packages/%zz"}}, "lockVersion": 3}`},
		{0, `{"_links": {"workPackage": {"href": "/api/v3/work_packages/0042"}}, "lockVersion": 3}`},
		{0, `{"_links": {"workPackage": {"href": ""}}, "lockVersion": 3}`},
		{0, "{\n\"lockVersion\": 3,\n}"},
		// The fast path of the body and the bodies one step from it.
		{0, `{"lockVersion":"0003","_links":{"workPackage":{"href":"/api/v3/work_packages/0042"}}}`},
		{0, `{"_links":{"workPackage":{"href":"/api/v3/work_packages/42"}},"lockVersion":03}`},
		{0, `{"_links":{"workPackage":{"href":"/api/v3/work_packages/42"}},"lockVersion":3}}`},
		{0, `{"_links":{"workPackage":{"HREF":"/api/v3/work_packages/42"}},"lockVersion":3}`},
		{0, `{"_links":{"workPackage":{"href":"/api/v3/projects/42"}},"lockVersion":3}`},
	} {
		f.Add(seed.action, []byte(seed.body))
	}
	// Executions change the store: each input gets a fresh one.
	want := []int{http.StatusOK, http.StatusBadRequest, http.StatusForbidden, http.StatusNotFound,
		http.StatusConflict, http.StatusUnprocessableEntity}
	f.Fuzz(func(t *testing.T, action uint8, body []byte) {
		id := fuzzActions[int(action)%len(fuzzActions)]
		fx := newFixture(t)
		r := httptest.NewRequest("POST", "/api/v3/custom_actions/"+id+"/execute", bytes.NewReader(body))
		r.SetBasicAuth("apikey", admin)
		r.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		fx.handler.ServeHTTP(w, r)
		res := w.Result()
		got, _ := io.ReadAll(res.Body)
		if !slices.Contains(want, res.StatusCode) {
			t.Fatalf("status %d for id %q body %q: %s", res.StatusCode, id, body, got)
		}
		if ct := res.Header.Get("Content-Type"); ct != "application/hal+json; charset=utf-8" {
			t.Fatalf("Content-Type %q for id %q body %q", ct, id, body)
		}
		if !json.Valid(got) {
			t.Fatalf("invalid JSON for id %q body %q: %s", id, body, got)
		}
	})
}
