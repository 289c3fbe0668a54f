package salesforce_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// patch is one PATCH of a link's status by the user of token.
type patch struct{ token, status string }

func (p patch) String() string { return p.token + " → " + p.status }

const (
	urlOK   = "http://callouts.example/ok"
	urlFail = "http://callouts.example/fail"
	urlSlow = "http://callouts.example/slow"
	urlUI   = "https://app.example/orders/42"
)

var (
	aliceNew        = patch{"sf-alice", "NewStatus"}
	alicePending    = patch{"sf-alice", "PendingStatus"}
	aliceSuccessful = patch{"sf-alice", "SuccessfulStatus"}
	aliceFailed     = patch{"sf-alice", "FailedStatus"}
	bobPending      = patch{"sf-bob", "PendingStatus"}
	bobSuccessful   = patch{"sf-bob", "SuccessfulStatus"}
)

// TestTransitions checks every rule of the status workflow, allowed and
// refused, for the user who PATCHes and for the other one.
//
// Source: "Update the Status of an Action Link or Invoke an Action Link"
// (seed 003: the workflows of Api, ApiAsync, Download and Ui, and the four
// refusals); the rules beyond it (terminal to the other terminal status, a
// terminal status by another user in a Once group) are the adapter's own.
func TestTransitions(t *testing.T) {
	tests := []struct {
		name       string
		executions string // of the group
		actionType string
		url        string
		before     []patch // earlier PATCHes, each answered 200
		patch      patch   // the PATCH under test
		want       int     // its HTTP status
		alice, bob string  // the status each user sees afterwards
		callouts   int64   // callouts made in all
	}{
		// Api: the callout decides the status.
		{"Api Once: PendingStatus calls out, 2xx is SuccessfulStatus", "Once", "Api", urlOK, nil, alicePending, 200, "SuccessfulStatus", "SuccessfulStatus", 1},
		{"Api Once: non-2xx is FailedStatus", "Once", "Api", urlFail, nil, alicePending, 200, "FailedStatus", "FailedStatus", 1},
		{"Api Once: same user PendingStatus again gets the link, no second callout", "Once", "Api", urlOK, []patch{alicePending}, alicePending, 200, "SuccessfulStatus", "SuccessfulStatus", 1},
		{"Api Once: same user again after a failed callout gets the link", "Once", "Api", urlFail, []patch{alicePending}, alicePending, 200, "FailedStatus", "FailedStatus", 1},
		{"Api Once: another user PendingStatus is refused, no second callout", "Once", "Api", urlOK, []patch{alicePending}, bobPending, 400, "SuccessfulStatus", "SuccessfulStatus", 1},
		{"Api: a terminal status is set by the callout only", "Once", "Api", urlOK, nil, aliceSuccessful, 400, "NewStatus", "NewStatus", 0},
		{"Api OncePerUser: each user calls out once", "OncePerUser", "Api", urlOK, []patch{alicePending}, bobPending, 200, "SuccessfulStatus", "SuccessfulStatus", 2},
		{"Api OncePerUser: terminal to PendingStatus is refused", "OncePerUser", "Api", urlOK, []patch{alicePending}, alicePending, 400, "SuccessfulStatus", "NewStatus", 1},
		// ApiAsync: pending until the provider PATCHes.
		{"ApiAsync OncePerUser: PendingStatus calls out and stays pending", "OncePerUser", "ApiAsync", urlOK, nil, alicePending, 200, "PendingStatus", "NewStatus", 1},
		{"ApiAsync OncePerUser: a failing callout is FailedStatus", "OncePerUser", "ApiAsync", urlFail, nil, alicePending, 200, "FailedStatus", "NewStatus", 1},
		{"ApiAsync OncePerUser: PendingStatus again gets the link, no second callout", "OncePerUser", "ApiAsync", urlOK, []patch{alicePending}, alicePending, 200, "PendingStatus", "NewStatus", 1},
		{"ApiAsync OncePerUser: the provider PATCHes SuccessfulStatus", "OncePerUser", "ApiAsync", urlOK, []patch{alicePending}, aliceSuccessful, 200, "SuccessfulStatus", "NewStatus", 1},
		{"ApiAsync OncePerUser: the provider PATCHes FailedStatus", "OncePerUser", "ApiAsync", urlOK, []patch{alicePending}, aliceFailed, 200, "FailedStatus", "NewStatus", 1},
		{"ApiAsync OncePerUser: each user has their own execution", "OncePerUser", "ApiAsync", urlOK, []patch{alicePending, aliceSuccessful}, bobPending, 200, "SuccessfulStatus", "PendingStatus", 2},
		{"ApiAsync OncePerUser: terminal to PendingStatus is refused", "OncePerUser", "ApiAsync", urlOK, []patch{alicePending, aliceSuccessful}, alicePending, 400, "SuccessfulStatus", "NewStatus", 1},
		{"ApiAsync: a terminal status before PendingStatus is refused", "OncePerUser", "ApiAsync", urlOK, nil, aliceSuccessful, 400, "NewStatus", "NewStatus", 0},
		{"ApiAsync Once: another user PendingStatus is refused, no second callout", "Once", "ApiAsync", urlOK, []patch{alicePending}, bobPending, 400, "PendingStatus", "PendingStatus", 1},
		{"ApiAsync Once: same user PendingStatus after success gets the link", "Once", "ApiAsync", urlOK, []patch{alicePending, aliceSuccessful}, alicePending, 200, "SuccessfulStatus", "SuccessfulStatus", 1},
		{"ApiAsync Once: the user whose execution is pending completes it", "Once", "ApiAsync", urlOK, []patch{alicePending}, aliceSuccessful, 200, "SuccessfulStatus", "SuccessfulStatus", 1},
		{"ApiAsync Once: another user may not complete the shared execution", "Once", "ApiAsync", urlOK, []patch{alicePending}, bobSuccessful, 400, "PendingStatus", "PendingStatus", 1},
		// Ui and Download: the app PATCHes.
		{"Ui Once: NewStatus to PendingStatus", "Once", "Ui", urlUI, nil, alicePending, 200, "PendingStatus", "PendingStatus", 0},
		{"Ui Once: PendingStatus to SuccessfulStatus", "Once", "Ui", urlUI, []patch{alicePending}, aliceSuccessful, 200, "SuccessfulStatus", "SuccessfulStatus", 0},
		{"Ui Once: NewStatus to SuccessfulStatus", "Once", "Ui", urlUI, nil, aliceSuccessful, 200, "SuccessfulStatus", "SuccessfulStatus", 0},
		{"Ui Once: another user PendingStatus is refused", "Once", "Ui", urlUI, []patch{alicePending}, bobPending, 400, "PendingStatus", "PendingStatus", 0},
		{"Ui Once: PendingStatus to FailedStatus by another user is refused", "Once", "Ui", urlUI, []patch{alicePending}, patch{"sf-bob", "FailedStatus"}, 400, "PendingStatus", "PendingStatus", 0},
		{"Ui Once: another user sets the status the link has already", "Once", "Ui", urlUI, []patch{aliceSuccessful}, bobSuccessful, 200, "SuccessfulStatus", "SuccessfulStatus", 0},
		{"Ui: back to NewStatus from PendingStatus is refused", "Once", "Ui", urlUI, []patch{alicePending}, aliceNew, 400, "PendingStatus", "PendingStatus", 0},
		{"Ui: back to NewStatus from SuccessfulStatus is refused", "OncePerUser", "Ui", urlUI, []patch{aliceSuccessful}, aliceNew, 400, "SuccessfulStatus", "NewStatus", 0},
		{"Ui: NewStatus to NewStatus changes nothing", "Once", "Ui", urlUI, nil, aliceNew, 200, "NewStatus", "NewStatus", 0},
		{"Ui: terminal to PendingStatus is refused", "OncePerUser", "Ui", urlUI, []patch{aliceFailed}, alicePending, 400, "FailedStatus", "NewStatus", 0},
		{"Ui: terminal to the other terminal status is refused", "OncePerUser", "Ui", urlUI, []patch{aliceSuccessful}, aliceFailed, 400, "SuccessfulStatus", "NewStatus", 0},
		{"Ui: terminal to the same terminal status changes nothing", "OncePerUser", "Ui", urlUI, []patch{aliceSuccessful}, aliceSuccessful, 200, "SuccessfulStatus", "NewStatus", 0},
		{"Download OncePerUser: NewStatus to FailedStatus", "OncePerUser", "Download", urlUI, nil, aliceFailed, 200, "FailedStatus", "NewStatus", 0},
		{"Download OncePerUser: each user has their own status", "OncePerUser", "Download", urlUI, []patch{aliceSuccessful}, bobSuccessful, 200, "SuccessfulStatus", "SuccessfulStatus", 0},
		// Unlimited: no PATCH at all.
		{"Unlimited: PendingStatus is refused", "Unlimited", "Ui", urlUI, nil, alicePending, 400, "NewStatus", "NewStatus", 0},
		{"Unlimited: SuccessfulStatus is refused", "Unlimited", "Download", urlUI, nil, aliceSuccessful, 400, "NewStatus", "NewStatus", 0},
		{"Unlimited: NewStatus is refused", "Unlimited", "Ui", urlUI, nil, aliceNew, 400, "NewStatus", "NewStatus", 0},
	}
	var tr transcript
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			method := "HttpPost"
			if tt.actionType == "Ui" || tt.actionType == "Download" {
				method = "HttpGet"
			}
			id := e.oneLink(tt.executions, tt.actionType, method, tt.url, "")
			for _, p := range tt.before {
				if code, body := e.do("PATCH", "/connect/action-links/"+id, p.token, `{"status":"`+p.status+`"}`); code != http.StatusOK {
					t.Fatalf("before: %v: %d %s", p, code, body)
				}
			}
			code, body := e.do("PATCH", "/connect/action-links/"+id, tt.patch.token, `{"status":"`+tt.patch.status+`"}`)
			if code != tt.want {
				t.Errorf("%v: status %d, want %d: %s", tt.patch, code, tt.want, body)
			}
			got := []string{e.status(id, "sf-alice"), e.status(id, "sf-bob")}
			if diff := cmp.Diff([]string{tt.alice, tt.bob}, got); diff != "" {
				t.Errorf("statuses of alice and bob mismatch (-want +got):\n%s", diff)
			}
			if n := e.callouts.count.Load(); n != tt.callouts {
				t.Errorf("%d callouts, want %d", n, tt.callouts)
			}
			tr.add(t, fmt.Sprintf("%s\n%s %s %s, after %v: PATCH %v", tt.name, tt.executions, tt.actionType, tt.url, tt.before, tt.patch), code, body)
		})
	}
	golden(t, "transitions.golden", tr.b.String())
}

// TestCalloutRequest: the callout sends the method, actionUrl, headers and
// requestBody with every context variable filled in (unknown ones left as
// they are), and diagnostic-info shows it to the definition's creator.
//
// Source: Connect REST API Developer Guide, Action Link Definition Input
// (Usage: the context variables) and Action Link Diagnostic Information.
func TestCalloutRequest(t *testing.T) {
	e := newEnv(t)
	g := e.group("sf-alice", `{"category":"Primary","executionsAllowed":"OncePerUser","expirationDate":"2026-12-31T00:00:00.000Z",
		"actionLinks":[{"actionType":"Api","actionUrl":"http://callouts.example/ok?link={!actionLinkId}&community={!communityId}","method":"HttpPut",
		"labelKey":"Approve","requiresConfirmation":true,
		"headers":[{"name":"Content-Type","value":"application/json"},{"name":"X-Context","value":"{!orgId} {!userId} {!communityUrl}"}],
		"requestBody":"{\"link\":\"{!actionLinkId}\",\"group\":\"{!actionLinkGroupId}\",\"user\":\"{!userId}\",\"unknown\":\"{!other}\"}"}]}`)
	id := g.ActionLinks[0].ID
	var tr transcript
	code, body := e.do("PATCH", "/connect/action-links/"+id+"?status=PendingStatus", "sf-bob", "")
	tr.add(t, "bob invokes the Api link", code, body)
	sent := e.callouts.lastRequest("Content-Type", "X-Context")
	want := `PUT /ok?link=0An000000000001AAA&community=0DB000000000001AAA
Content-Type: application/json
X-Context: 00D000000000001AAA 005000000000002AAA https://community.example
{"link":"0An000000000001AAA","group":"0Ag000000000001AAA","user":"005000000000002AAA","unknown":"{!other}"}`
	if diff := cmp.Diff(want, sent); diff != "" {
		t.Errorf("callout mismatch (-want +got):\n%s", diff)
	}
	code, body = e.do("GET", "/connect/action-links/"+id+"/diagnostic-info", "sf-bob", "")
	tr.add(t, "bob's diagnostic", code, body)
	code, body = e.do("GET", "/connect/action-links/"+id+"/diagnostic-info", "sf-alice", "")
	tr.add(t, "alice has not executed it", code, body)
	golden(t, "callout_request.golden", tr.b.String())
}

// TestCalloutOutcomes: what a callout's answer, failure or timeout makes
// of an Api and an ApiAsync link, and what diagnostic-info says of it.
//
// Source: seed 003 ("Salesforce sets the status to SuccessfulStatus or
// FailedStatus based on the HTTP status code returned by your server";
// ApiAsync: "PendingStatus unless the call returned an error status code"),
// Action Link Diagnostic Information ("Any diagnostic information that is
// returned from the REST endpoint when an action link has been executed").
func TestCalloutOutcomes(t *testing.T) {
	tests := []struct {
		name       string
		actionType string
		url        string
		want       string
	}{
		{"Api success", "Api", urlOK, "SuccessfulStatus"},
		{"Api failure", "Api", urlFail, "FailedStatus"},
		{"Api timeout", "Api", urlSlow, "FailedStatus"},
		{"Api network error", "Api", "http://callouts.example:1/ok", "FailedStatus"},
		{"ApiAsync success", "ApiAsync", urlOK, "PendingStatus"},
		{"ApiAsync failure", "ApiAsync", urlFail, "FailedStatus"},
		{"ApiAsync timeout", "ApiAsync", urlSlow, "FailedStatus"},
	}
	var tr transcript
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			if tt.name == "Api network error" {
				e.callouts.srv.Close() // nothing answers any more
			}
			id := e.oneLink("Once", tt.actionType, "HttpPost", tt.url, "")
			began := time.Now()
			code, body := e.do("PATCH", "/connect/action-links/"+id, "sf-alice", `{"status":"PendingStatus"}`)
			if code != http.StatusOK {
				t.Fatalf("PATCH: %d %s", code, body)
			}
			if took := time.Since(began); took >= slowAnswer {
				t.Errorf("the callout took %v, beyond its timeout", took)
			}
			if got := e.status(id, "sf-alice"); got != tt.want {
				t.Errorf("status %s, want %s", got, tt.want)
			}
			tr.add(t, tt.name+": PATCH", code, body)
			code, body = e.do("GET", "/connect/action-links/"+id+"/diagnostic-info", "sf-alice", "")
			body = strings.ReplaceAll(body, e.callouts.srv.Listener.Addr().String(), "{callout server}")
			tr.add(t, tt.name+": diagnostic-info", code, body)
		})
	}
	golden(t, "callout_outcomes.golden", tr.b.String())
}

// TestExpiredGroup: after its expirationDate a group's links can no longer
// be executed, but a pending execution can still be completed.
//
// Source: Connect REST API Developer Guide, Action Links Overview,
// Authentication, and Security ("After that date, the action links in the
// group can't be executed").
func TestExpiredGroup(t *testing.T) {
	e := newEnv(t)
	ui := e.oneLink("OncePerUser", "Ui", "HttpGet", urlUI, "")
	async := e.oneLink("OncePerUser", "ApiAsync", "HttpPost", urlOK, "")
	if code, body := e.do("PATCH", "/connect/action-links/"+async, "sf-alice", `{"status":"PendingStatus"}`); code != http.StatusOK {
		t.Fatalf("PATCH before expiry: %d %s", code, body)
	}
	e.clock.Set(time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)) // the expirationDate
	tests := []struct {
		name  string
		id    string
		patch patch
		want  int
	}{
		{"Ui to PendingStatus", ui, alicePending, http.StatusBadRequest},
		{"Ui to SuccessfulStatus", ui, aliceSuccessful, http.StatusBadRequest},
		{"ApiAsync to PendingStatus", async, bobPending, http.StatusBadRequest},
		{"the pending ApiAsync execution may still complete", async, aliceSuccessful, http.StatusOK},
	}
	var tr transcript
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body := e.do("PATCH", "/connect/action-links/"+tt.id, tt.patch.token, `{"status":"`+tt.patch.status+`"}`)
			if code != tt.want {
				t.Errorf("status %d, want %d: %s", code, tt.want, body)
			}
			tr.add(t, tt.name, code, body)
		})
	}
	if n := e.callouts.count.Load(); n != 1 {
		t.Errorf("%d callouts, want 1", n)
	}
	golden(t, "expired.golden", tr.b.String())
}

func TestVisibility(t *testing.T) {
	e := newEnv(t)
	onlyBob := e.oneLink("Once", "Api", "HttpPost", urlOK, `,"userId":"`+bob+`"`)
	notBob := e.oneLink("Once", "Api", "HttpPost", urlOK, `,"excludedUserId":"`+bob+`"`)
	tests := []struct {
		name, method, path, token string
		want                      int
	}{
		{"alice may not see bob's link", "GET", "/connect/action-links/" + onlyBob, "sf-alice", http.StatusNotFound},
		{"alice may not execute bob's link", "PATCH", "/connect/action-links/" + onlyBob + "?status=PendingStatus", "sf-alice", http.StatusNotFound},
		{"alice may not read its diagnostic", "GET", "/connect/action-links/" + onlyBob + "/diagnostic-info", "sf-alice", http.StatusNotFound},
		{"bob executes his link", "PATCH", "/connect/action-links/" + onlyBob + "?status=PendingStatus", "sf-bob", http.StatusOK},
		{"bob may not execute a link excluding him", "PATCH", "/connect/action-links/" + notBob + "?status=PendingStatus", "sf-bob", http.StatusNotFound},
		{"carol executes it", "PATCH", "/connect/action-links/" + notBob + "?status=PendingStatus", "sf-carol", http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if code, body := e.do(tt.method, tt.path, tt.token, ""); code != tt.want {
				t.Errorf("status %d, want %d: %s", code, tt.want, body)
			}
		})
	}
	if n := e.callouts.count.Load(); n != 2 {
		t.Errorf("%d callouts, want 2", n)
	}
}

// TestConcurrentOnce: two users PATCHing one Once link to PendingStatus at
// the same time make exactly one callout; one gets the link, the other an
// error. Every round is a real race: the engine reads the clock when it
// checks the execute action's condition and when it timestamps the
// execution, after the policy check and before the save, and the clock
// holds both requests at each of these two points until both are there, so
// both pass the policy check before either saves. Run with -race.
func TestConcurrentOnce(t *testing.T) {
	e := newEnv(t)
	e.callouts.delay = 5 * time.Millisecond
	const rounds = 20
	for i := range rounds {
		id := e.oneLink("Once", "Api", "HttpPost", urlOK, "")
		before := e.callouts.count.Load()
		var (
			wg    sync.WaitGroup
			ready = make(chan struct{})
			codes [2]int
		)
		met := e.clock.meet(2, 2)
		for j, token := range []string{"sf-alice", "sf-bob"} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-ready
				codes[j], _ = e.do("PATCH", "/connect/action-links/"+id, token, `{"status":"PendingStatus"}`)
			}()
		}
		close(ready)
		wg.Wait()
		if !met() {
			t.Errorf("round %d: the two PATCHes did not pass the policy check together", i)
		}
		if n := e.callouts.count.Load() - before; n != 1 {
			t.Errorf("round %d: %d callouts, want 1", i, n)
		}
		ok := 0
		for _, c := range codes {
			if c == http.StatusOK {
				ok++
			} else if c != http.StatusBadRequest {
				t.Errorf("round %d: status %d, want 200 or 400", i, c)
			}
		}
		if ok != 1 {
			t.Errorf("round %d: statuses %v, want one 200 and one 400", i, codes)
		}
		if a, b := e.status(id, "sf-alice"), e.status(id, "sf-bob"); a != "SuccessfulStatus" || b != a {
			_, d := e.do("GET", "/connect/action-links/"+id+"/diagnostic-info", "sf-alice", "")
			t.Errorf("round %d: statuses %s and %s, want SuccessfulStatus for both: %s", i, a, b, d)
		}
	}
}
