package salesforce_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/actionable-go/actionable/adapters/salesforce"
	"github.com/google/go-cmp/cmp"
)

// TestDefaultClientRefusesPrivateAddresses: the actionUrl of a callout is
// chosen by whoever POSTs the group definition, so without a Client from
// the host the callouts reach public addresses only: not the host's
// loopback, private network or cloud metadata service.
func TestDefaultClientRefusesPrivateAddresses(t *testing.T) {
	var hits atomic.Int64
	internal := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		fmt.Fprint(w, `{"secret":"internal"}`)
	}))
	defer internal.Close()
	h, err := salesforce.New(salesforce.Config{
		Stores:       salesforce.NewMemoryStores(),
		Authenticate: authenticate,
		// Every URL passes the actionUrl check: the client's check, when
		// it connects, is under test.
		AllowHTTP: func(context.Context, *url.URL) bool { return true },
		Clock:     func() time.Time { return start },
	})
	if err != nil {
		t.Fatal(err)
	}
	do := func(method, path, token, body string) (int, string) {
		r := httptest.NewRequest(method, path, strings.NewReader(body))
		r.Header.Set("Authorization", "Bearer "+token)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Code, w.Body.String()
	}
	port := internal.URL[strings.LastIndex(internal.URL, ":")+1:]
	for _, tt := range []struct{ name, target string }{
		{"loopback", internal.URL + "/admin"},
		{"a name resolving to loopback", "http://localhost:" + port + "/admin"},
		{"link-local: cloud metadata", "http://169.254.169.254/latest/meta-data/"},
		{"private", "http://10.0.0.1/"},
		{"loopback as an IPv4-mapped IPv6 address", "http://[::ffff:127.0.0.1]:" + port + "/"},
		{"unspecified", "http://0.0.0.0:" + port + "/"},
		{"this network (0.0.0.0/8), which Linux connects locally", "http://0.1.2.3:" + port + "/"},
		{"loopback through NAT64 (64:ff9b::/96)", "http://[64:ff9b::7f00:1]:" + port + "/"},
		{"loopback as an IPv4-compatible IPv6 address (::/96)", "http://[::7f00:1]:" + port + "/"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, out := do("POST", "/connect/action-link-group-definitions", "sf-alice", fmt.Sprintf(`{"category":"Primary","executionsAllowed":"Once",
				"expirationDate":"%s","actionLinks":[{"actionType":"Api","actionUrl":%q,"method":"HttpGet","labelKey":"View","requiresConfirmation":false}]}`,
				start.AddDate(0, 1, 0).Format("2006-01-02T15:04:05Z"), tt.target))
			if code != http.StatusCreated {
				t.Fatalf("POST: %d %s", code, out)
			}
			var g salesforce.GroupDefinition
			if err := json.Unmarshal([]byte(out), &g); err != nil {
				t.Fatal(err)
			}
			link := "/connect/action-links/" + g.ActionLinks[0].ID
			code, out = do("PATCH", link+"?status=PendingStatus", "sf-alice", "")
			var pa salesforce.PlatformAction
			if err := json.Unmarshal([]byte(out), &pa); err != nil || code != http.StatusOK {
				t.Fatalf("PATCH: %d %s", code, out)
			}
			if pa.Status != salesforce.StatusFailed {
				t.Errorf("status %s, want FailedStatus", pa.Status)
			}
			_, out = do("GET", link+"/diagnostic-info", "sf-alice", "")
			if !strings.Contains(out, "not a public address") {
				t.Errorf("diagnostic-info does not say why: %s", out)
			}
		})
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the internal server got %d requests, want 0", n)
	}
}

// TestDiagnosticHidesRequest: the request of a callout comes from the group
// definition, which may hold credentials (an Authorization header, say) and
// which only its creator may read; diagnostic-info shows it to the creator
// only, and to everyone else what the endpoint answered.
func TestDiagnosticHidesRequest(t *testing.T) {
	e := newEnv(t)
	id := e.oneLink("Once", "Api", "HttpPost", urlOK+"?key=query-secret",
		`,"headers":[{"name":"Authorization","value":"Bearer header-secret"}],"requestBody":"body-secret"`)
	if code, body := e.do("PATCH", "/connect/action-links/"+id+"?status=PendingStatus", "sf-bob", ""); code != http.StatusOK {
		t.Fatalf("PATCH: %d %s", code, body)
	}
	diag := func(id, token string) string {
		t.Helper()
		code, body := e.do("GET", "/connect/action-links/"+id+"/diagnostic-info", token, "")
		var d salesforce.DiagnosticInfo
		if err := json.Unmarshal([]byte(body), &d); err != nil || code != http.StatusOK || d.DiagnosticInfo == nil {
			t.Fatalf("diagnostic-info: %d %s", code, body)
		}
		return *d.DiagnosticInfo
	}
	want := map[string]string{
		"sf-bob": "response: 200 OK\nresponse body: {\"ok\":true}\n" +
			"status: SuccessfulStatus (executed by 005000000000002AAA at 2026-11-23T09:00:00.000Z)\n",
		"sf-alice": "request: POST http://callouts.example/ok?key=query-secret\n" +
			"request header: Authorization: Bearer header-secret\nrequest body: body-secret\n" +
			"response: 200 OK\nresponse body: {\"ok\":true}\n" +
			"status: SuccessfulStatus (executed by 005000000000002AAA at 2026-11-23T09:00:00.000Z)\n",
	}
	got := map[string]string{"sf-bob": diag(id, "sf-bob"), "sf-alice": diag(id, "sf-alice")}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("diagnostic-info mismatch (-want +got):\n%s", diff)
	}

	// A failed callout's error names its URL: not to bob either.
	for _, url := range []string{urlFail, urlSlow} {
		id := e.oneLink("Once", "Api", "HttpPost", url+"?key=query-secret", "")
		if code, body := e.do("PATCH", "/connect/action-links/"+id+"?status=PendingStatus", "sf-bob", ""); code != http.StatusOK {
			t.Fatalf("PATCH: %d %s", code, body)
		}
		if d := diag(id, "sf-bob"); strings.Contains(d, "secret") || !strings.Contains(d, "FailedStatus") {
			t.Errorf("diagnostic-info of a failed callout to %s for bob: %s", url, d)
		}
		if d := diag(id, "sf-alice"); !strings.Contains(d, "query-secret") {
			t.Errorf("diagnostic-info of a failed callout to %s for alice, its creator, lacks the request: %s", url, d)
		}
	}
}
