package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/actionable-go/actionable/actions"
	"github.com/google/go-cmp/cmp"
)

// TestSoak drives the example server's handler from many goroutines for a
// while (16 s, 2 s with -short) with a mix of valid, invalid and
// conflicting requests to all four adapters, then checks that:
//   - no request got a 5xx or failed in transport, and every request whose
//     answer does not depend on the others got exactly its answer;
//   - every object executed on moved by exactly as many versions, and has
//     exactly as many execution records, as the successful executions the
//     test counted; every Salesforce link made exactly the callouts its
//     policy allows (one per Once link, one per user for OncePerUser),
//     however many PATCHes raced, and its journal holds exactly one
//     execution and one recorded answer per callout;
//   - once the server is closed, the goroutines are back to their number
//     before the test;
//   - the heap in use, after a GC, grew from the end of the warm-up to the
//     end by less than 8 MiB plus 1 KiB per execution recorded meanwhile
//     (the journals keep every record and its indexes, by design: about
//     600 bytes each, measured).
func TestSoak(t *testing.T) {
	duration, workers := 16*time.Second, 32
	if testing.Short() {
		duration, workers = 2*time.Second, 8
	}
	warmUp := duration / 4
	goroutines := runtime.NumGoroutine()

	srv, err := newServer("../../testdata", nil)
	if err != nil {
		t.Fatal(err)
	}
	callouts := &calloutCount{byLink: map[string]int{}}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/demo/callouts/") {
			callouts.add(r.URL.Query().Get("link"))
		}
		srv.ServeHTTP(w, r)
	}))
	defer ts.Close()
	transport := &http.Transport{MaxIdleConnsPerHost: workers}
	s := &soak{
		base:     ts.URL,
		client:   &http.Client{Transport: transport, Timeout: time.Minute},
		execs:    map[string]int{},
		statuses: map[string]map[int]int{},
		users4:   map[string]bool{},
	}
	start := srv.versions(t)

	ops := soakOps()
	ctx, stop := context.WithTimeout(context.Background(), duration)
	defer stop()
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for ctx.Err() == nil {
				ops[rand.IntN(len(ops))].fn(s)
			}
		})
	}

	time.Sleep(warmUp)
	warmHeap, warmExecs := heapInUse(), srv.executions(t)
	wg.Wait()
	endHeap, endExecs := heapInUse(), srv.executions(t)

	for _, f := range s.failures {
		t.Error(f)
	}
	if s.nfail > len(s.failures) {
		t.Errorf("and %d more failures", s.nfail-len(s.failures))
	}

	// Versions and journals.
	want := map[string]int64{}
	for obj, v := range start {
		want[obj] = v + int64(s.execs[obj])
	}
	if diff := cmp.Diff(want, srv.versions(t)); diff != "" {
		t.Errorf("versions mismatch (-start+successes +final):\n%s", diff)
	}
	records, wantRecords := map[string]int{}, map[string]int{}
	for obj := range start {
		records[obj], wantRecords[obj] = srv.records(t, obj), s.execs[obj]
	}
	if diff := cmp.Diff(wantRecords, records); diff != "" {
		t.Errorf("execution records mismatch (-successes +journal):\n%s", diff)
	}

	// Callouts: one per Once link executed, one per user for the
	// OncePerUser link 0An000000000004AAA.
	wantCallouts := map[string]int{}
	for _, id := range s.onceLinks {
		wantCallouts[id] = 1
	}
	if n := len(s.users4); n > 0 {
		wantCallouts["0An000000000004AAA"] = n
	}
	if diff := cmp.Diff(wantCallouts, callouts.byLink); diff != "" {
		t.Errorf("callouts mismatch (-want +got):\n%s", diff)
	}
	// The Salesforce journal: one execution per callout, each with the
	// answer its callout received, however many PATCHes raced.
	wantRecords, gotRecords := map[string]int{}, map[string]int{}
	for id, n := range wantCallouts {
		for _, action := range []string{"execute-once", "execute-once-per-user", "callout-answer"} {
			if k := srv.sfRecords(t, id, action); k > 0 {
				gotRecords[id+" "+action] = k
			}
		}
		execute := "execute-once"
		if id == "0An000000000004AAA" {
			execute = "execute-once-per-user"
		}
		wantRecords[id+" "+execute], wantRecords[id+" callout-answer"] = n, n
	}
	if diff := cmp.Diff(wantRecords, gotRecords); diff != "" {
		t.Errorf("Salesforce execution records mismatch (-callouts +journal):\n%s", diff)
	}

	ts.Close()
	transport.CloseIdleConnections()
	settled := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > goroutines && time.Now().Before(settled) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > goroutines {
		buf := make([]byte, 1<<20)
		t.Errorf("%d goroutines after the test, %d before:\n%s", n, goroutines, buf[:runtime.Stack(buf, true)])
	}

	recorded := endExecs - warmExecs
	if bound := warmHeap + 8<<20 + uint64(recorded)<<10; endHeap > bound {
		t.Errorf("heap in use grew from %d to %d bytes after the warm-up, with %d executions recorded meanwhile; bound %d", warmHeap, endHeap, recorded, bound)
	}

	var requests int
	for _, byStatus := range s.statuses {
		for _, n := range byStatus {
			requests += n
		}
	}
	t.Logf("%d requests by %d goroutines in %v, %d successful executions, %d callouts; heap in use %d KiB after %v, %d KiB at the end (%d executions recorded between)",
		requests, workers, duration, endExecs, callouts.total(), warmHeap>>10, warmUp, endHeap>>10, recorded)
	if testing.Verbose() {
		kinds := make([]string, 0, len(s.statuses))
		for k := range s.statuses {
			kinds = append(kinds, k)
		}
		slices.Sort(kinds)
		for _, k := range kinds {
			t.Logf("%-28s %v", k, s.statuses[k])
		}
	}
}

// heapInUse is runtime.MemStats.HeapInuse after a GC.
func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

// soakObjects are the objects the soak test executes actions on, by store.
var soakObjects = map[string][]string{
	"openproject": {"42", "43", "44"},
	"akana": {"discussion11018.acmepaymentscorp", "apiversion1.acmepaymentscorp", "user1.acmepaymentscorp",
		"4pg3oSwgEuGZruzwORllQY8XsYYo4KBMMqcnOjru.acmepaymentscorp"},
	"workfront": {"5502082c003a4f30ddec2fb2b739cb7c", "9a3f1c7e2b6d4e8f0a1b2c3d4e5f6a7b", "1f2e3d4c5b6a79880716253443526170"},
}

// versions returns the version of each of soakObjects, by "store/id".
func (s *server) versions(t *testing.T) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	ctx := context.Background()
	for store, ids := range soakObjects {
		for _, id := range ids {
			var v int64
			var err error
			switch store {
			case "openproject":
				_, v, err = s.workPackages.Load(ctx, id)
			case "akana":
				_, v, err = s.akanaObjects.Load(ctx, id)
			case "workfront":
				_, v, err = s.documents.Load(ctx, id)
			}
			if err != nil {
				t.Fatal(err)
			}
			out[store+"/"+id] = v
		}
	}
	return out
}

// records returns how many execution records the journal of obj
// ("store/id") holds for it.
func (s *server) records(t *testing.T, obj string) int {
	t.Helper()
	store, id, _ := strings.Cut(obj, "/")
	journal := map[string]actions.Journal{"openproject": s.workPackages, "akana": s.akanaObjects, "workfront": s.documents}[store]
	recs, err := journal.Executions(context.Background(), actions.Filter{ObjectID: id})
	if err != nil {
		t.Fatal(err)
	}
	return len(recs)
}

// sfRecords returns how many records of action the Salesforce journal
// holds for the link id.
func (s *server) sfRecords(t *testing.T, id, action string) int {
	t.Helper()
	recs, err := s.sfStores.Links.(actions.Journal).Executions(context.Background(), actions.Filter{ObjectID: id, ActionID: action})
	if err != nil {
		t.Fatal(err)
	}
	return len(recs)
}

// executions returns how many execution records the four journals hold.
func (s *server) executions(t *testing.T) int {
	t.Helper()
	n := 0
	for _, j := range []actions.Journal{s.workPackages, s.akanaObjects, s.documents, s.sfStores.Links.(actions.Journal)} {
		recs, err := j.Executions(context.Background(), actions.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		n += len(recs)
	}
	return n
}

// calloutCount counts the callouts the server receives, by link id.
type calloutCount struct {
	mu     sync.Mutex
	byLink map[string]int
}

func (c *calloutCount) add(link string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.byLink[link]++
}

func (c *calloutCount) total() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, v := range c.byLink {
		n += v
	}
	return n
}

// soak is the state the goroutines of TestSoak share: what they sent and
// what succeeded.
type soak struct {
	base   string
	client *http.Client

	mu        sync.Mutex
	statuses  map[string]map[int]int // kind of request → status → count
	execs     map[string]int         // "store/id" → successful executions
	onceLinks []string               // the Once links created and executed
	users4    map[string]bool        // the users who PATCHed 0An000000000004AAA
	failures  []string               // the first ones
	nfail     int
}

func (s *soak) fail(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nfail++
	if len(s.failures) < 20 {
		s.failures = append(s.failures, fmt.Sprintf(format, args...))
	}
}

func (s *soak) succeeded(obj string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.execs[obj]++
}

// do sends one request of the given kind and returns its status and body;
// a transport error or a 5xx is a failure, and so is a status not in want.
func (s *soak) do(kind, method, path string, header http.Header, body string, want ...int) (int, []byte) {
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, s.base+path, r)
	if err != nil {
		s.fail("%s: %v", kind, err)
		return 0, nil
	}
	req.Header = header.Clone()
	if req.Header == nil {
		req.Header = http.Header{}
	}
	resp, err := s.client.Do(req)
	if err != nil {
		s.fail("%s: %s %s: %v", kind, method, path, err)
		return 0, nil
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		s.fail("%s: %s %s: reading the body: %v", kind, method, path, err)
	}
	s.mu.Lock()
	if s.statuses[kind] == nil {
		s.statuses[kind] = map[int]int{}
	}
	s.statuses[kind][resp.StatusCode]++
	s.mu.Unlock()
	if resp.StatusCode >= 500 || !slices.Contains(want, resp.StatusCode) {
		s.fail("%s: %s %s: %d %s, want %v", kind, method, path, resp.StatusCode, b, want)
	}
	return resp.StatusCode, b
}

// The demo credentials.
var (
	opAdmin  = http.Header{"Authorization": {"Bearer op-admin"}}
	opMember = http.Header{"Authorization": {"Bearer op-member"}}
	opViewer = http.Header{"Authorization": {"Bearer op-viewer"}}
	akAdmin  = http.Header{"Cookie": {"AtmoAuthToken_acmepaymentscorp=akana-admin"}, "X-Csrf-Token_acmepaymentscorp": {"akana-admin"}, "Content-Type": {"application/json"}}
	akViewer = http.Header{"Cookie": {"AtmoAuthToken_acmepaymentscorp=akana-viewer"}, "X-Csrf-Token_acmepaymentscorp": {"akana-viewer"}, "Content-Type": {"application/json"}}
	wfAPIKey = http.Header{"Apikey": {"wf-key"}, "Username": {"johndoe@foo.com"}}
	wfToken  = http.Header{"Authorization": {"Bearer wf-token"}}
	sfTokens = []string{"sf-alice", "sf-bob"}
)

func sfHeader(token string) http.Header {
	return http.Header{"Authorization": {"Bearer " + token}, "Content-Type": {"application/json"}}
}

func withJSON(h http.Header) http.Header {
	h = h.Clone()
	h.Set("Content-Type", "application/json")
	return h
}

func pick[T any](xs ...T) T { return xs[rand.IntN(len(xs))] }

// soakOps are the requests of TestSoak, each as likely as the others.
func soakOps() []struct {
	name string
	fn   func(*soak)
} {
	type op = struct {
		name string
		fn   func(*soak)
	}
	wfDocs := map[string]string{
		"5502082c003a4f30ddec2fb2b739cb7c": "54b598a700e2342d6971597a5df1a8d3",
		"9a3f1c7e2b6d4e8f0a1b2c3d4e5f6a7b": "3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f",
		"1f2e3d4c5b6a79880716253443526170": "0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d",
	}
	wfIDs := []string{"5502082c003a4f30ddec2fb2b739cb7c", "9a3f1c7e2b6d4e8f0a1b2c3d4e5f6a7b", "1f2e3d4c5b6a79880716253443526170"}
	return []op{
		// OpenProject: read the lockVersion, then execute at it. Another
		// goroutine may have moved it (409); the action may no longer apply
		// (403) or its result be invalid (422).
		{"openproject: admin changes 44", func(s *soak) { s.opExecute("44", "2", opAdmin) }},
		{"openproject: member on 42", func(s *soak) { s.opExecute("42", pick("1", "3", "4", "5"), opMember) }},
		{"openproject: member on 43", func(s *soak) { s.opExecute("43", pick("1", "3", "4"), opMember) }},
		{"openproject: stale lockVersion", func(s *soak) {
			s.do("openproject stale", "POST", "/api/v3/custom_actions/2/execute", withJSON(opMember),
				`{"_links": {"workPackage": {"href": "/api/v3/work_packages/42"}}, "lockVersion": 2}`, 409)
		}},
		{"openproject: viewer", func(s *soak) {
			s.do("openproject viewer", "POST", "/api/v3/custom_actions/1/execute", withJSON(opViewer),
				`{"_links": {"workPackage": {"href": "/api/v3/work_packages/42"}}, "lockVersion": 3}`, 403)
		}},
		{"openproject: invalid", func(s *soak) {
			switch rand.IntN(4) {
			case 0:
				s.do("openproject no auth", "GET", "/api/v3/work_packages/42", nil, "", 401)
			case 1:
				s.do("openproject bad JSON", "POST", "/api/v3/custom_actions/1/execute", withJSON(opMember), `{"lockVersion": `, 400)
			case 2:
				s.do("openproject no such action", "GET", "/api/v3/custom_actions/99", opMember, "", 404)
			case 3:
				s.do("openproject no content type", "POST", "/api/v3/custom_actions/1/execute", opMember, `{}`, 406)
			}
		}},

		// Akana: the admin moves objects through their workflows.
		{"akana: discussion", func(s *soak) {
			s.akPerform("discussion11018.acmepaymentscorp", pick("discussion.action.unpublish", "discussion.action.publish"))
		}},
		{"akana: api version", func(s *soak) {
			s.akPerform("apiversion1.acmepaymentscorp", pick("apiversion.action.submit.approval", "apiversion.action.approve", "apiversion.action.reject"))
		}},
		{"akana: user", func(s *soak) {
			s.akPerform("user1.acmepaymentscorp", pick("Change to managed users", "Change to unmanaged users"))
		}},
		{"akana: app version", func(s *soak) {
			s.akPerform("4pg3oSwgEuGZruzwORllQY8XsYYo4KBMMqcnOjru.acmepaymentscorp", pick("@Modify", "@KeyInfoSaved"))
		}},
		{"akana: invalid", func(s *soak) {
			const discussion = "/api/workflow/objects/discussion11018.acmepaymentscorp/actions"
			switch rand.IntN(5) {
			case 0:
				s.do("akana viewer", "POST", discussion, akViewer, `{"ActionName": "discussion.action.unpublish"}`, 403)
			case 1:
				h := akAdmin.Clone()
				h.Del("X-Csrf-Token_acmepaymentscorp")
				s.do("akana no CSRF", "POST", discussion, h, `{"ActionName": "discussion.action.unpublish"}`, 401)
			case 2:
				s.do("akana unknown object", "GET", "/api/workflow/objects/discussion1.acmepaymentscorp/actions", akAdmin, "", 404)
			case 3:
				s.do("akana unknown action", "POST", discussion, akAdmin, `{"ActionName": "discussion.action.delete"}`, 400)
			case 4:
				s.do("akana list", "GET", discussion, akViewer, "", 200)
			}
		}},

		// Workfront: archive and restore, by API key or token.
		{"workfront: archive or restore", func(s *soak) {
			id := pick(wfIDs...)
			s.wfRun(id, wfDocs[id], pick("archive", "restore"), pick(wfAPIKey, wfToken))
		}},
		{"workfront: invalid", func(s *soak) {
			switch rand.IntN(3) {
			case 0:
				s.do("workfront old version", "GET", "/webhooks/customAction?name=archive&documentId=9a3f1c7e2b6d4e8f0a1b2c3d4e5f6a7b&documentVersionId=54b598a700e2342d6971597a5df1a8d3", wfAPIKey, "", 404)
			case 1:
				s.do("workfront no credentials", "GET", "/webhooks/customAction?name=archive&documentId=5502082c003a4f30ddec2fb2b739cb7c&documentVersionId=54b598a700e2342d6971597a5df1a8d3", nil, "", 403)
			case 2:
				s.do("workfront serviceInfo", "GET", "/webhooks/serviceInfo", nil, "", 200)
			}
		}},

		// Salesforce: a new Once link PATCHed by three requests at once
		// (one callout), the demo links, and requests that are refused.
		{"salesforce: once, raced", (*soak).sfRace},
		{"salesforce: demo links", func(s *soak) {
			token := pick(sfTokens...)
			switch link := pick("0An000000000001AAA", "0An000000000002AAA", "0An000000000004AAA"); link {
			case "0An000000000004AAA": // OncePerUser, ApiAsync
				s.mu.Lock()
				s.users4[token] = true
				s.mu.Unlock()
				s.do("salesforce demo PATCH", "PATCH", sfBasePath+"/connect/action-links/"+link, sfHeader(token), `{"status":"PendingStatus"}`, 200, 400)
			default: // Once, Api
				s.mu.Lock()
				if !slices.Contains(s.onceLinks, link) {
					s.onceLinks = append(s.onceLinks, link)
				}
				s.mu.Unlock()
				s.do("salesforce demo PATCH", "PATCH", sfBasePath+"/connect/action-links/"+link, sfHeader(token), `{"status":"PendingStatus"}`, 200, 400)
			}
		}},
		{"salesforce: invalid", func(s *soak) {
			switch rand.IntN(5) {
			case 0:
				s.do("salesforce no token", "GET", sfBasePath+"/connect/action-links/0An000000000001AAA", nil, "", 401)
			case 1:
				s.do("salesforce unknown link", "PATCH", sfBasePath+"/connect/action-links/0An000000000099AAA", sfHeader("sf-bob"), `{"status":"PendingStatus"}`, 404)
			case 2:
				s.do("salesforce Unlimited Api", "POST", sfBasePath+"/connect/action-link-group-definitions", sfHeader("sf-bob"),
					`{"category":"Primary","executionsAllowed":"Unlimited","expirationDate":"`+time.Now().AddDate(0, 1, 0).UTC().Format(time.RFC3339)+`",
					"actionLinks":[{"actionType":"Api","actionUrl":"{!communityUrl}/demo/callouts/approve","method":"HttpPost","labelKey":"Approve","requiresConfirmation":false}]}`, 400)
			case 3:
				s.do("salesforce not the creator", "GET", sfBasePath+"/connect/action-link-group-definitions/0Ag000000000001AAA", sfHeader("sf-bob"), "", 403)
			case 4:
				s.do("salesforce group", "GET", sfBasePath+"/connect/action-link-groups/0Ag000000000002AAA", sfHeader(pick(sfTokens...)), "", 200)
			}
		}},
	}
}

// opExecute reads work package wp and executes action on it at the
// lockVersion read.
func (s *soak) opExecute(wp, action string, auth http.Header) {
	code, b := s.do("openproject GET", "GET", "/api/v3/work_packages/"+wp, auth, "", 200)
	var got struct{ LockVersion int64 }
	if code != 200 || json.Unmarshal(b, &got) != nil {
		return
	}
	body := fmt.Sprintf(`{"_links": {"workPackage": {"href": "/api/v3/work_packages/%s"}}, "lockVersion": %d}`, wp, got.LockVersion)
	if code, _ := s.do("openproject execute", "POST", "/api/v3/custom_actions/"+action+"/execute", withJSON(auth), body, 200, 403, 409, 422); code == 200 {
		s.succeeded("openproject/" + wp)
	}
}

// akPerform performs action on obj as the Akana admin.
func (s *soak) akPerform(obj, action string) {
	body, _ := json.Marshal(map[string]string{"ActionName": action, "Comments": "soak"})
	if code, _ := s.do("akana POST", "POST", "/api/workflow/objects/"+obj+"/actions", akAdmin, string(body), 200, 400, 409); code == 200 {
		s.succeeded("akana/" + obj)
	}
}

// wfRun runs the custom action name on a document.
func (s *soak) wfRun(id, version, name string, auth http.Header) {
	_, b := s.do("workfront customAction", "GET", "/webhooks/customAction?name="+name+"&documentId="+id+"&documentVersionId="+version, auth, "", 200)
	switch body := string(b); {
	case body == `{"status":"success"}`:
		s.succeeded("workfront/" + id)
	case !strings.HasPrefix(body, `{"status":"error","error":`):
		s.fail("workfront customAction: %s", body)
	}
}

// sfRace creates a Once group with one Api link, PATCHes it to
// PendingStatus from three goroutines at once (its creator twice, the
// other user once), checks that the answers show one user's execution
// (to that user, pending or done) and refuse the other, and deletes the
// group.
func (s *soak) sfRace() {
	creator := pick(sfTokens...)
	other := "sf-alice"
	if creator == other {
		other = "sf-bob"
	}
	code, b := s.do("salesforce POST", "POST", sfBasePath+"/connect/action-link-group-definitions", sfHeader(creator),
		`{"category":"Primary","executionsAllowed":"Once","expirationDate":"`+time.Now().AddDate(0, 1, 0).UTC().Format(time.RFC3339)+`",
		"actionLinks":[{"actionType":"Api","actionUrl":"{!communityUrl}/demo/callouts/approve?link={!actionLinkId}","method":"HttpPost",
		"labelKey":"Approve","requiresConfirmation":false,"requestBody":"{\"userId\":\"{!userId}\"}"}]}`, 201)
	var g struct {
		ID          string
		ActionLinks []struct{ ID string } `json:"actionLinks"`
	}
	if code != 201 || json.Unmarshal(b, &g) != nil || len(g.ActionLinks) != 1 {
		s.fail("salesforce POST: %s", b)
		return
	}
	link := g.ActionLinks[0].ID
	s.mu.Lock()
	s.onceLinks = append(s.onceLinks, link)
	s.mu.Unlock()
	type answer struct {
		token string
		code  int
		body  string
	}
	answers := make(chan answer, 3)
	var wg sync.WaitGroup
	for _, token := range []string{creator, other, creator} {
		wg.Go(func() {
			code, b := s.do("salesforce PATCH", "PATCH", sfBasePath+"/connect/action-links/"+link, sfHeader(token), `{"status":"PendingStatus"}`, 200, 400)
			answers <- answer{token, code, sfSummary(b)}
		})
	}
	wg.Wait()
	close(answers)
	var winners []string
	for a := range answers {
		switch {
		case a.code == 200 && (a.body == "SuccessfulStatus Approved" || a.body == "PendingStatus Approval Pending"):
			// Pending: the winner's callout is still running.
			winners = append(winners, a.token)
		case a.code == 400 && strings.HasPrefix(a.body, "This action link can be executed only once"):
		default:
			s.fail("salesforce PATCH by %s: %d %s", a.token, a.code, a.body)
		}
	}
	slices.Sort(winners)
	if winners = slices.Compact(winners); len(winners) != 1 {
		s.fail("salesforce PATCH: link %s executed for %v, want one user", link, winners)
	}
	s.do("salesforce DELETE", "DELETE", sfBasePath+"/connect/action-link-group-definitions/"+g.ID, sfHeader(creator), "", 204)
}
