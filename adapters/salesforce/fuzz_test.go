package salesforce_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/actionable-go/actionable/actions"
	"github.com/actionable-go/actionable/adapters/salesforce"
)

// roundTripper answers every callout itself: fuzzing never touches the
// network.
type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// FuzzGroupDefinition: no body makes POST panic or answer anything but 201
// or 400, and a group it creates can be read and its first link PATCHed
// without a 500.
func FuzzGroupDefinition(f *testing.F) {
	for _, seed := range []string{
		validGroup,
		`{}`,
		`{"category":"Primary","executionsAllowed":"Once","expirationDate":"2026-12-01T00:00:00Z","actionLinks":[{"actionType":"Api","actionUrl":"http://x.example/{!userId}","method":"HttpPost","labelKey":"Approve","requiresConfirmation":true,"headers":[{"name":"A","value":"{!orgId}"}],"requestBody":"{!actionLinkId}"}]}`,
		`{"category":"Overflow","executionsAllowed":"Unlimited","expirationDate":"2026-12-01T00:00:00.000+0000","actionLinks":[{"actionType":"Download","actionUrl":"x","method":"HttpGet","labelKey":"Download","requiresConfirmation":false,"groupDefault":true}]}`,
		`{"category":"Primary","executionsAllowed":"OncePerUser","expirationDate":"2026-12-01T00:00:00Z","actionLinks":[{"actionType":"ApiAsync","actionUrl":"{!communityUrl}","method":"HttpDelete","labelKey":"X","requiresConfirmation":false,"userId":"005000000000001AAA"}]}`,
		`{"actionLinks":[null,{}],"templateId":"x"}`,
		`{"expirationDate":"9999-12-31T23:59:59Z"}`,
		`[]`, `null`, `"x"`, `{"category":1}`, `{"actionLinks":[{"requiresConfirmation":"yes"}]}`,
		guideExample,
		`{"category":"Primary","executionsAllowed":"Once","expirationDate":"2026-12-01T00:00:00Z","actionLinks":[{"actionType":"Ui","actionUrl":"javascript:alert('{!userId}')","method":"HttpGet","labelKey":"View","requiresConfirmation":"false","groupDefault":"true"}]}`,
		`{"category":"Primary","executionsAllowed":"Once","expirationDate":"2026-12-01T00:00:00Z","actionLinks":[{"actionType":"ApiAsync","actionUrl":"http://deny.example/{!orgId}","method":"HttpPut","labelKey":"Approve","requiresConfirmation":true}]}`,
		`{"category":"Primary","executionsAllowed":"Once","expirationDate":"2026-12-01T00:00:00Z","actionLinks":[{"actionType":"Download","actionUrl":"/files/{!userId}.pdf","method":"HttpGet","labelKey":"Download","requiresConfirmation":false}]}`,
		`{"category":"Primary","executionsAllowed":"Once","expirationDate":"2001-12-01T00:00:00Z","actionLinks":[{"actionType":"Api","actionUrl":"https://x.example","method":"HttpGet","labelKey":"Approve","requiresConfirmation":{}}]}`,
	} {
		f.Add(seed)
	}
	h, err := salesforce.New(salesforce.Config{
		Stores:       salesforce.NewMemoryStores(),
		Authenticate: func(*http.Request) (actions.Actor, error) { return actions.Actor{ID: alice}, nil },
		AllowHTTP:    func(_ context.Context, u *url.URL) bool { return u.Hostname() != "deny.example" },
		Client: &http.Client{Transport: roundTripper(func(r *http.Request) (*http.Response, error) {
			if r.Body != nil {
				_, _ = io.Copy(io.Discard, r.Body)
			}
			return &http.Response{StatusCode: 200, Status: "200 OK", Body: io.NopCloser(strings.NewReader("ok")), Header: http.Header{}, Request: r}, nil
		})},
		Clock: func() time.Time { return start },
	})
	if err != nil {
		f.Fatal(err)
	}
	do := func(method, path, body string) (int, string) {
		r := httptest.NewRequest(method, path, strings.NewReader(body))
		r.Header.Set("Authorization", "Bearer token")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Code, w.Body.String()
	}
	f.Fuzz(func(t *testing.T, body string) {
		code, out := do("POST", "/connect/action-link-group-definitions", body)
		if code != http.StatusCreated && code != http.StatusBadRequest {
			t.Fatalf("POST %q: status %d: %s", body, code, out)
		}
		if !json.Valid([]byte(out)) {
			t.Fatalf("POST %q: the answer is not JSON: %s", body, out)
		}
		if code != http.StatusCreated {
			return
		}
		var g salesforce.GroupDefinition
		if err := json.Unmarshal([]byte(out), &g); err != nil {
			t.Fatal(err)
		}
		for _, path := range []string{
			"/connect/action-link-group-definitions/" + g.ID,
			"/connect/action-link-groups/" + g.ID,
			"/connect/action-links/" + g.ActionLinks[0].ID,
		} {
			if code, out := do("GET", path, ""); code != http.StatusOK && code != http.StatusNotFound {
				t.Fatalf("GET %s after POST %q: status %d: %s", path, body, code, out)
			}
		}
		for _, status := range []string{"PendingStatus", "SuccessfulStatus"} {
			code, out := do("PATCH", "/connect/action-links/"+g.ActionLinks[0].ID+"?status="+status, "")
			if code != http.StatusOK && code != http.StatusBadRequest && code != http.StatusNotFound {
				t.Fatalf("PATCH %s after POST %q: status %d: %s", status, body, code, out)
			}
		}
		if code, out := do("DELETE", "/connect/action-link-group-definitions/"+g.ID, ""); code != http.StatusNoContent {
			t.Fatalf("DELETE after POST %q: status %d: %s", body, code, out)
		}
	})
}
