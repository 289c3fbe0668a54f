package salesforce_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/actionable-go/actionable/actions"
	"github.com/actionable-go/actionable/actionstest"
	"github.com/actionable-go/actionable/adapters/salesforce"
	"github.com/google/go-cmp/cmp"
)

// TestRestart: everything a Handler knows is in the stores the host gives
// it, callout details included (in the execution journal, not in a map
// beside the engine), so that a new Handler over the same stores, as after
// a restart, serves the same answers, and the per-user limit still counts
// what was created before.
func TestRestart(t *testing.T) {
	e := newEnv(t, func(c *salesforce.Config) { c.Limits.DefinitionsPerUser = 3 })
	api := e.oneLink("Once", "Api", "HttpPost", urlOK, `,"headers":[{"name":"X-User","value":"{!userId}"}]`)
	async := e.oneLink("OncePerUser", "ApiAsync", "HttpPost", urlOK, `,"requestBody":"{!communityId}"`)
	for _, id := range []string{api, async} {
		if code, body := e.do("PATCH", "/connect/action-links/"+id+"?status=PendingStatus", "sf-bob", ""); code != http.StatusOK {
			t.Fatalf("PATCH %s: %d %s", id, code, body)
		}
	}
	paths := []struct{ path, token string }{
		{"/connect/action-links/" + api, "sf-bob"},
		{"/connect/action-links/" + api + "/diagnostic-info", "sf-bob"},
		{"/connect/action-links/" + api + "/diagnostic-info", "sf-alice"},
		{"/connect/action-links/" + async, "sf-bob"},
		{"/connect/action-links/" + async + "/diagnostic-info", "sf-alice"},
		{"/connect/action-link-group-definitions/0Ag000000000001AAA", "sf-alice"},
		{"/connect/action-link-groups/0Ag000000000002AAA", "sf-bob"},
	}
	answers := func() []string {
		var out []string
		for _, p := range paths {
			code, body := e.do("GET", p.path, p.token, "")
			out = append(out, http.StatusText(code)+" "+body)
		}
		return out
	}
	before := answers()
	calls := e.callouts.count.Load()

	// A new handler over the same stores, and another set of ids.
	e.mount(salesforce.Config{
		Stores:       e.stores,
		Authenticate: authenticate,
		BasePath:     base,
		Client:       e.callouts.client(),
		Clock:        e.clock.Now,
		UserSummary:  userSummary,
		Limits:       salesforce.Limits{DefinitionsPerUser: 3},
		NewID:        func(prefix string) string { return prefix + "00000000000RAAA" },
	})
	if diff := cmp.Diff(before, answers()); diff != "" {
		t.Errorf("answers after the restart mismatch (-before +after):\n%s", diff)
	}
	// Bob's ApiAsync execution is still pending, and he completes it; the
	// Once link is still executed.
	if code, body := e.do("PATCH", "/connect/action-links/"+async, "sf-bob", `{"status":"SuccessfulStatus"}`); code != http.StatusOK {
		t.Errorf("completing after the restart: %d %s", code, body)
	}
	if code, body := e.do("PATCH", "/connect/action-links/"+api+"?status=PendingStatus", "sf-carol", ""); code != http.StatusBadRequest {
		t.Errorf("the Once link after the restart: %d %s", code, body)
	}
	if n := e.callouts.count.Load(); n != calls {
		t.Errorf("%d callouts after the restart, want none", n-calls)
	}
	// Alice created two definitions before: one more, then the limit.
	want := []int{http.StatusCreated, http.StatusBadRequest}
	var got []int
	for range want {
		code, _ := e.do("POST", "/connect/action-link-group-definitions", "sf-alice", definition("Ui", urlUI, ""))
		got = append(got, code)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("POSTs after the restart mismatch (-want +got):\n%s", diff)
	}
}

// TestJournal: the execution journal holds the whole story of a link: each
// execution with the context variables it was made with (its inputs), and
// what its callout received, recorded as an execution of the reserved
// action callout-answer, within the engine's default record limits.
func TestJournal(t *testing.T) {
	e := newEnv(t)
	id := e.oneLink("Once", "Api", "HttpPost", urlFail, "")
	if code, body := e.do("PATCH", "/connect/action-links/"+id+"?status=PendingStatus", "sf-alice", ""); code != http.StatusOK {
		t.Fatalf("PATCH: %d %s", code, body)
	}
	recs, err := e.h.Engine().Executions(context.Background(), actions.Filter{ObjectID: id})
	if err != nil {
		t.Fatal(err)
	}
	type record struct {
		Action, Actor, Comment string
		Inputs                 map[string]any
		Status                 actions.Status
		Detail                 string
	}
	var got []record
	for _, r := range recs {
		inputs := r.Inputs
		if r.ActionID == "callout-answer" {
			inputs = map[string]any{"execution": r.Inputs["execution"] == recs[0].ID, "answer": r.Inputs["answer"]}
		}
		got = append(got, record{r.ActionID, r.ActorID, r.Comment, inputs, r.Status, r.Detail})
	}
	want := []record{
		{"execute-once", alice, "PATCH status=PendingStatus",
			map[string]any{"orgId": "00D000000000001AAA", "communityId": "0DB000000000001AAA", "communityUrl": "https://community.example"},
			actions.StatusFailed, "callout answered 500 Internal Server Error"},
		{"callout-answer", alice, "",
			map[string]any{"execution": true, "answer": "response: 500 Internal Server Error\nresponse body: {\"error\":\"boom\"}\n"},
			actions.StatusSucceeded, ""},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("journal mismatch (-want +got):\n%s", diff)
	}
}

// TestMemoryLinks checks the store of links NewMemoryStores gives against
// the store contract of the engine (and of its journal and retention):
// Isolation mutates the headers of what was given and what was loaded.
func TestMemoryLinks(t *testing.T) {
	actionstest.TestStore(t,
		func() actionstest.Store[salesforce.Link] { return new(salesforce.MemoryLinks) },
		func(i int) salesforce.Link {
			return salesforce.Link{ID: fmt.Sprintf("0An%015dAAA", i), ActionType: salesforce.TypeAPI, LabelKey: "Approve",
				Headers:           []salesforce.RequestHeader{{Name: "X-User", Value: "{!userId}"}, {Name: "X-N", Value: fmt.Sprint(i)}},
				ExecutionsAllowed: salesforce.ExecutionsOnce, Created: time.Date(2025, 1, 2, 3, 4, 5, 6e6, time.UTC)}
		},
		func(l *salesforce.Link) { l.Headers[0].Value = "changed" })
}

// TestMemoryLinksHeaders: a link's headers come back as they were given,
// nil as nil and empty as empty, and a Load copies nothing but them.
func TestMemoryLinksHeaders(t *testing.T) {
	ctx := context.Background()
	var m salesforce.MemoryLinks
	for id, h := range map[string][]salesforce.RequestHeader{"nil": nil, "empty": {}, "two": {{Name: "A", Value: "1"}, {Name: "B", Value: "2"}}} {
		if _, err := m.Create(ctx, id, salesforce.Link{ID: id, Headers: h}); err != nil {
			t.Fatal(err)
		}
		l, _, err := m.Load(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if (l.Headers == nil) != (h == nil) {
			t.Errorf("%s: Headers = %#v, want %#v", id, l.Headers, h)
		}
		if diff := cmp.Diff(h, l.Headers); diff != "" {
			t.Errorf("%s: headers mismatch (-want +got):\n%s", id, diff)
		}
	}
	allocs := testing.AllocsPerRun(100, func() { _, _, _ = m.Load(ctx, "two") })
	if allocs != 1 {
		t.Errorf("Load allocates %v times, want once (the headers)", allocs)
	}
}
