package main

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/actionable-go/actionable/actions"
	"github.com/actionable-go/actionable/adapters/postgres"
	"github.com/actionable-go/actionable/adapters/salesforce"
)

// send serves one request on h and returns the status and body.
func send(t *testing.T, h http.Handler, method, path, auth, body string) (int, string) {
	t.Helper()
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	if auth != "" {
		r.Header.Set("Authorization", auth)
	}
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Code, w.Body.String()
}

// TestServersInMemoryConcurrently starts two example servers at once in
// one process, in memory: both start (under -race, no shared state is
// written by both), and each has its own data: what is done on one is not
// seen on the other.
func TestServersInMemoryConcurrently(t *testing.T) {
	servers := make([]*server, 2)
	errs := make([]error, 2)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range servers {
		wg.Go(func() {
			<-start
			servers[i], errs[i] = newServer("../../testdata", nil)
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("server %d: %v", i, err)
		}
	}
	a, b := servers[0], servers[1]
	if status, body := send(t, a, "POST", "/api/v3/custom_actions/1/execute", "Bearer op-member", closeWP42); status != 200 {
		t.Fatalf("closing 42 on the first: %d %s", status, body)
	}
	if status, body := send(t, a, "PATCH", sfLinks+"0An000000000003AAA?status=PendingStatus", "Bearer sf-alice", ""); status != 200 {
		t.Fatalf("Alice opening the Once link on the first: %d %s", status, body)
	}
	if status, body := send(t, b, "GET", "/api/v3/work_packages/42", "Bearer op-member", ""); status != 200 || !strings.Contains(body, `"lockVersion":3`) {
		t.Errorf("42 on the second: %d %s, want it untouched at lockVersion 3", status, body)
	}
	if status, body := send(t, b, "GET", sfLinks+"0An000000000003AAA", "Bearer sf-bob", ""); status != 200 || !strings.Contains(body, `"status":"NewStatus"`) {
		t.Errorf("the Once link on the second: %d %s, want NewStatus", status, body)
	}
}

// TestSalesforceExpiredLink: a link of a group whose expirationDate has
// passed (the demo's groups expire 30 days after start-up) cannot be
// executed: 400 INVALID_OPERATION saying when it expired, and no
// execution is recorded. It is still shown, at its status.
//
// Source: Connect REST API Developer Guide, Action Link Group Definition
// Input, expirationDate: "The date on which the action link group
// definition expires. After this date the action link group can no
// longer be executed" (the code is this server's, see the adapter's doc).
func TestSalesforceExpiredLink(t *testing.T) {
	s, err := newServer("../../testdata", nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	// A group that expired while stored, as the demo's will: written to
	// the stores, since creation refuses a date that has passed.
	expired := time.Now().Add(-time.Hour).UTC().Truncate(time.Millisecond)
	const group, link = "0Ag00000000000XAAA", "0An00000000000XAAA"
	if _, err := s.sfStores.Links.Create(ctx, link, salesforce.Link{
		ID: link, GroupID: group, ActionType: salesforce.TypeUI, ActionURL: "https://www.example.com/expired", Method: "HttpGet",
		LabelKey: "View", ExecutionsAllowed: salesforce.ExecutionsOnce, ExpirationDate: expired, Created: expired.AddDate(0, 0, -30),
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.sfStores.Groups.Create(ctx, group, salesforce.Group{
		ID: group, Category: salesforce.CategoryPrimary, ExecutionsAllowed: salesforce.ExecutionsOnce, ExpirationDate: expired,
		CreatedBy: "005000000000001AAA", Created: expired.AddDate(0, 0, -30), LinkIDs: []string{link},
	}); err != nil {
		t.Fatal(err)
	}
	status, body := send(t, s, "PATCH", sfLinks+link, "Bearer sf-alice", `{"status":"PendingStatus"}`)
	want := `[{"errorCode":"INVALID_OPERATION","message":"The action link group expired on ` + expired.Format("2006-01-02T15:04:05.000Z") +
		`; its action links can no longer be executed."}]` + "\n"
	if status != http.StatusBadRequest || body != want {
		t.Errorf("PATCH of the expired link: %d %s\nwant 400 %s", status, body, want)
	}
	recs, err := s.sf.Engine().Executions(ctx, actions.Filter{ObjectID: link})
	if err != nil || len(recs) != 0 {
		t.Errorf("executions of the expired link: %+v (%v), want none", recs, err)
	}
	if status, body := send(t, s, "GET", sfLinks+link, "Bearer sf-alice", ""); status != 200 || !strings.Contains(body, `"status":"NewStatus"`) {
		t.Errorf("GET of the expired link: %d %s, want it at NewStatus", status, body)
	}
	// A demo link that has not expired is executed.
	if status, body := send(t, s, "PATCH", sfLinks+"0An000000000003AAA", "Bearer sf-alice", `{"status":"PendingStatus"}`); status != 200 {
		t.Errorf("PATCH of a demo link: %d %s", status, body)
	}
}

// openTestStorage opens the storage of -postgres in schema, migrated, and
// closes it when the test ends.
func openTestStorage(t *testing.T, url, schema string) *storage {
	t.Helper()
	st, closeStorage, err := openStorage(context.Background(), url, schema)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(closeStorage)
	return st
}

// demoState is what the demo data is in a store: the versions of the
// work packages, how many records the journals hold, the Salesforce
// groups and the definitions each user is counted with.
type demoState struct {
	WorkPackages map[string]int64
	Records      int
	SFGroups     []string
	SFOwned      map[string][]string
}

func (s *server) demoState(t *testing.T) demoState {
	t.Helper()
	ctx := context.Background()
	st := demoState{WorkPackages: map[string]int64{}, SFOwned: map[string][]string{}}
	for _, id := range s.op.ids {
		_, v, err := s.workPackages.Load(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		st.WorkPackages[id] = v
	}
	for _, j := range []interface {
		Executions(context.Context, actions.Filter) ([]actions.Execution, error)
	}{s.op.engine, s.ak.engine, s.wf.engine, s.sf.Engine()} {
		recs, err := j.Executions(ctx, actions.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		st.Records += len(recs)
	}
	for _, id := range []string{"0Ag000000000001AAA", "0Ag000000000002AAA", "0Ag00000000000XAAA"} {
		if _, _, err := s.sfStores.Groups.Load(ctx, id); err == nil {
			st.SFGroups = append(st.SFGroups, id)
		} else if !errors.Is(err, actions.ErrNotFound) {
			t.Fatal(err)
		}
	}
	for _, user := range []string{"005000000000001AAA", "005000000000002AAA"} {
		o, _, err := s.sfStores.Owners.Load(ctx, user)
		if errors.Is(err, actions.ErrNotFound) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range o.Groups {
			st.SFOwned[user] = append(st.SFOwned[user], g.ID)
		}
	}
	return st
}

// TestPostgresHandlerRestart starts the server's handler on a PostgreSQL
// schema, changes the demo data through the adapters, and starts a second
// handler on the same schema, as a restart does: a lockVersion advanced
// stays advanced, a Once link executed stays executed (Bob is refused),
// and the demo data is loaded once: the second start fails on nothing,
// and duplicates no work package, record, group or count (before,
// re-creating a demo group released its creator's count of it).
func TestPostgresHandlerRestart(t *testing.T) {
	url, schema := postgresURL(t)
	ctx := context.Background()
	first, err := newServerOn(ctx, "../../testdata", nil, openTestStorage(t, url, schema))
	if err != nil {
		t.Fatal(err)
	}
	fresh := first.demoState(t)
	if status, body := send(t, first, "POST", "/api/v3/custom_actions/4/execute", "Bearer op-member", closeWP42); status != 200 || !strings.Contains(body, `"lockVersion":4`) {
		t.Fatalf("making progress on 42: %d %s", status, body)
	}
	if status, body := send(t, first, "PATCH", sfLinks+"0An000000000003AAA", "Bearer sf-alice", `{"status":"PendingStatus"}`); status != 200 || !strings.Contains(body, `"status":"PendingStatus"`) {
		t.Fatalf("Alice opening the Once link: %d %s", status, body)
	}
	changed := first.demoState(t)

	second, err := newServerOn(ctx, "../../testdata", nil, openTestStorage(t, url, schema))
	if err != nil {
		t.Fatalf("the second start on the same schema: %v", err)
	}
	if diff := cmp.Diff(changed, second.demoState(t)); diff != "" {
		t.Errorf("the demo data after the restart mismatch (-before +after):\n%s", diff)
	}
	wantFresh := demoState{
		WorkPackages: map[string]int64{"42": 3, "43": 1, "44": 1},
		SFGroups:     []string{"0Ag000000000001AAA", "0Ag000000000002AAA"},
		SFOwned:      map[string][]string{"005000000000001AAA": {"0Ag000000000001AAA", "0Ag000000000002AAA"}},
	}
	if diff := cmp.Diff(wantFresh, fresh); diff != "" {
		t.Errorf("the demo data as loaded mismatch (-want +got):\n%s", diff)
	}
	if status, body := send(t, second, "GET", "/api/v3/work_packages/42", "Bearer op-member", ""); status != 200 || !strings.Contains(body, `"lockVersion":4`) || !strings.Contains(body, `"percentageDone":50`) {
		t.Errorf("42 after the restart: %d %s, want lockVersion 4 and 50%% done", status, body)
	}
	if status, body := send(t, second, "POST", "/api/v3/custom_actions/4/execute", "Bearer op-member", closeWP42); status != 409 {
		t.Errorf("the stale lockVersion 3 after the restart: %d %s, want 409", status, body)
	}
	if status, body := send(t, second, "GET", sfLinks+"0An000000000003AAA", "Bearer sf-bob", ""); status != 200 || !strings.Contains(body, `"status":"PendingStatus"`) {
		t.Errorf("the Once link after the restart: %d %s, want Alice's PendingStatus", status, body)
	}
	if status, body := send(t, second, "PATCH", sfLinks+"0An000000000003AAA", "Bearer sf-bob", `{"status":"PendingStatus"}`); status != 400 {
		t.Errorf("Bob executing the Once link after the restart: %d %s, want 400", status, body)
	}
}

// TestPostgresOpenProjectLoadIdempotent: the OpenProject demo data is
// loaded once on a database: a second load (a second start) neither fails
// nor adds anything, and leaves each work package at its lockVersion, even
// one a user changed since.
func TestPostgresOpenProjectLoadIdempotent(t *testing.T) {
	url, schema := postgresURL(t)
	ctx := context.Background()
	st := openTestStorage(t, url, schema)
	store, err := newStore[opWorkPackage](ctx, st, "openproject.work_packages")
	if err != nil {
		t.Fatal(err)
	}
	load := func() []string {
		t.Helper()
		ids, err := opLoadWorkPackages(ctx, store, "../../testdata/openproject/work_packages.json")
		if err != nil {
			t.Fatalf("loading the work packages: %v", err)
		}
		return ids
	}
	versions := func() map[string]int64 {
		t.Helper()
		out := map[string]int64{}
		for _, id := range []string{"42", "43", "44"} {
			_, v, err := store.Load(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			out[id] = v
		}
		return out
	}
	first := load()
	if diff := cmp.Diff(map[string]int64{"42": 3, "43": 1, "44": 1}, versions()); diff != "" {
		t.Errorf("versions after the first load mismatch (-want +got):\n%s", diff)
	}
	wp, v, err := store.Load(ctx, "43")
	if err != nil {
		t.Fatal(err)
	}
	wp.Status = "Closed"
	if _, err := store.Save(ctx, "43", wp, v, nil); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(first, load()); diff != "" {
		t.Errorf("the ids of the second load mismatch (-first +second):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]int64{"42": 3, "43": 2, "44": 1}, versions()); diff != "" {
		t.Errorf("versions after the second load mismatch (-want +got):\n%s", diff)
	}
	if wp, _, _ := store.Load(ctx, "43"); wp.Status != "Closed" {
		t.Errorf("43 after the second load: %+v, want it as the user left it (Closed)", wp)
	}
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	docs, err := postgres.NewDocumentStore[opWorkPackage](ctx, pool, "openproject.work_packages", postgres.WithSchema(schema))
	if err != nil {
		t.Fatal(err)
	}
	recs, err := docs.Executions(ctx, actions.Filter{})
	if err != nil || len(recs) != 0 {
		t.Errorf("records after two loads: %d (%v), want none (loading records nothing)", len(recs), err)
	}
}
