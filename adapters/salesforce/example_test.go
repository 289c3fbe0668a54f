package salesforce_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"time"

	"github.com/actionable-go/actionable/actions"
	"github.com/actionable-go/actionable/adapters/salesforce"
)

// An Api action link with executionsAllowed Once: the first PATCH to
// PendingStatus makes the callout, whose 2xx answer makes the link
// SuccessfulStatus for everyone; another user's PATCH is refused.
func ExampleNew() {
	provider := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Printf("callout: %s %s by %s\n", r.Method, r.URL.Path, r.Header.Get("X-User"))
	}))
	defer provider.Close()

	users := map[string]actions.Actor{
		"sf-alice": {ID: "005000000000001AAA"},
		"sf-bob":   {ID: "005000000000002AAA"},
	}
	h, err := salesforce.New(salesforce.Config{
		// In memory here; a host keeps them in its database to survive a
		// restart.
		Stores: salesforce.NewMemoryStores(),
		Authenticate: func(r *http.Request) (actions.Actor, error) {
			token, err := salesforce.BearerToken(r)
			if err != nil {
				return actions.Actor{}, err // no token: 401
			}
			u, ok := users[token]
			if !ok {
				return actions.Actor{}, salesforce.ErrBadCredentials // 401
			}
			return u, nil
		},
		BasePath: "/services/data/v62.0",
		// The default client calls public addresses only; this provider
		// listens on loopback, with a certificate only its client trusts.
		Client: provider.Client(),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	do := func(method, path, token, body string) {
		r := httptest.NewRequest(method, path, strings.NewReader(body))
		r.Header.Set("Authorization", "Bearer "+token)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		var out any
		_ = json.Unmarshal(w.Body.Bytes(), &out)
		if list, ok := out.([]any); ok { // the error array
			fmt.Printf("%d %s\n", w.Code, list[0].(map[string]any)["message"])
			return
		}
		m, _ := out.(map[string]any)
		fmt.Printf("%d %s %s\n", w.Code, m["status"], m["label"])
	}

	// Fixed ids for the example; POST /connect/action-link-group-definitions
	// creates groups the same way, with generated ids.
	_, err = h.CreateGroup(context.Background(), salesforce.NewGroup{
		ID: "0Ag000000000001AAA", LinkIDs: []string{"0An000000000001AAA"}, CreatedBy: "005000000000001AAA",
		Input: salesforce.GroupDefinitionInput{
			Category: "Primary", ExecutionsAllowed: "Once", ExpirationDate: time.Now().AddDate(0, 1, 0).Format(time.RFC3339),
			ActionLinks: []salesforce.ActionLinkDefinitionInput{{
				ActionType: "Api", ActionURL: provider.URL + "/approve/{!actionLinkId}", Method: "HttpPost",
				LabelKey: "Approve", RequiresConfirmation: new(salesforce.Boolean),
				Headers: []salesforce.RequestHeader{{Name: "X-User", Value: "{!userId}"}},
			}},
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	link := "/connect/action-links/0An000000000001AAA"

	do("GET", link, "sf-bob", "")
	do("PATCH", link, "sf-alice", `{"status": "PendingStatus"}`)
	do("GET", link, "sf-bob", "")
	do("PATCH", link+"?status=PendingStatus", "sf-bob", "")
	// Output:
	// 200 NewStatus Approve
	// callout: POST /approve/0An000000000001AAA by 005000000000001AAA
	// 200 SuccessfulStatus Approved
	// 200 SuccessfulStatus Approved
	// 400 This action link can be executed only once (executionsAllowed Once) and user 005000000000001AAA already executed it. The callout is not sent again.
}

// CreateGroup (like POST) reports every violation of a definition at once.
func ExampleHandler_CreateGroup() {
	h, err := salesforce.New(salesforce.Config{Stores: salesforce.NewMemoryStores()})
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = h.CreateGroup(context.Background(), salesforce.NewGroup{Input: salesforce.GroupDefinitionInput{
		Category: "Primary", ExecutionsAllowed: "Unlimited",
		ActionLinks: []salesforce.ActionLinkDefinitionInput{{ActionType: "Api", ActionURL: "https://example.com", Method: "POST"}},
	}})
	var ie *salesforce.InputError
	if errors.As(err, &ie) {
		for _, p := range ie.Problems {
			fmt.Printf("%s: %s\n", p.Code, p.Message)
		}
	}
	// Output:
	// REQUIRED_FIELD_MISSING: Missing required field: expirationDate
	// INVALID_API_INPUT: actionLinks[0].method: "POST" is not a method; use HttpDelete, HttpGet, HttpHead, HttpPatch, HttpPost or HttpPut
	// REQUIRED_FIELD_MISSING: Missing required field: actionLinks[0].labelKey
	// REQUIRED_FIELD_MISSING: Missing required field: actionLinks[0].requiresConfirmation
	// INVALID_API_INPUT: actionLinks[0]: executionsAllowed Unlimited is not allowed for Api action links; use Once or OncePerUser
}

// Callouts go wherever the definitions that users POST say. A host whose
// providers are on its own network supplies a client that connects to them
// and to nothing else; checking when connecting covers redirects too.
func ExampleConfig_client() {
	provider := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Println("callout:", r.URL.Path)
	}))
	defer provider.Close()
	allowed := provider.Listener.Addr().String() // host:port

	transport := provider.Client().Transport.(*http.Transport).Clone() // trusts the provider's certificate
	transport.Proxy = nil                                              // a proxy would connect on the client's behalf
	transport.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		if addr != allowed {
			return nil, fmt.Errorf("callouts to %s are not allowed", addr)
		}
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}
	h, err := salesforce.New(salesforce.Config{
		Stores: salesforce.NewMemoryStores(),
		Authenticate: func(*http.Request) (actions.Actor, error) {
			return actions.Actor{ID: "005000000000001AAA"}, nil
		},
		Client: &http.Client{Transport: transport},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for i, target := range []string{provider.URL + "/approve", "https://10.0.0.1:8080/admin"} {
		_, err := h.CreateGroup(context.Background(), salesforce.NewGroup{
			ID: fmt.Sprintf("0Ag00000000000%dAAA", i+1), LinkIDs: []string{fmt.Sprintf("0An00000000000%dAAA", i+1)},
			Input: salesforce.GroupDefinitionInput{
				Category: "Primary", ExecutionsAllowed: "Once", ExpirationDate: time.Now().AddDate(0, 1, 0).Format(time.RFC3339),
				ActionLinks: []salesforce.ActionLinkDefinitionInput{{
					ActionType: "Api", ActionURL: target, Method: "HttpPost", LabelKey: "Approve", RequiresConfirmation: new(salesforce.Boolean),
				}},
			},
		})
		if err != nil {
			fmt.Println(err)
			return
		}
		link := fmt.Sprintf("/connect/action-links/0An00000000000%dAAA", i+1)
		for _, r := range []*http.Request{
			httptest.NewRequest("PATCH", link+"?status=PendingStatus", nil),
			httptest.NewRequest("GET", link+"/diagnostic-info", nil),
		} {
			r.Header.Set("Authorization", "Bearer token")
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			var out struct{ Status, DiagnosticInfo string }
			_ = json.Unmarshal(w.Body.Bytes(), &out)
			if out.Status != "" {
				fmt.Println(out.Status)
			}
			if _, detail, ok := strings.Cut(out.DiagnosticInfo, "detail: "); ok {
				fmt.Print("detail: ", detail)
			}
		}
	}
	// Output:
	// callout: /approve
	// SuccessfulStatus
	// FailedStatus
	// detail: callout failed: callouts to 10.0.0.1:8080 are not allowed
}

// Salesforce accepts only https:// action URLs (or relative ones for Ui and
// Download links). A development host that calls a plain-HTTP provider on
// its own machine allows http:// for that provider only.
func ExampleConfig_allowHTTP() {
	provider := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Println("callout:", r.URL.Path)
	}))
	defer provider.Close()
	self, err := url.Parse(provider.URL)
	if err != nil {
		fmt.Println(err)
		return
	}
	h, err := salesforce.New(salesforce.Config{
		Stores: salesforce.NewMemoryStores(),
		Authenticate: func(*http.Request) (actions.Actor, error) {
			return actions.Actor{ID: "005000000000001AAA"}, nil
		},
		AllowHTTP: func(_ context.Context, u *url.URL) bool { return u.Host == self.Host },
		Client:    provider.Client(), // the default client calls public addresses only
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, target := range []string{provider.URL + "/approve", "http://provider.example/approve", "javascript:alert(1)"} {
		body := fmt.Sprintf(`{"category":"Primary","executionsAllowed":"Once","expirationDate":%q,
			"actionLinks":[{"actionType":"Api","actionUrl":%q,"method":"HttpPost","labelKey":"Approve","requiresConfirmation":"false"}]}`,
			time.Now().AddDate(0, 1, 0).Format(time.RFC3339), target)
		r := httptest.NewRequest("POST", "/connect/action-link-group-definitions", strings.NewReader(body))
		r.Header.Set("Authorization", "Bearer token")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		var out struct {
			ActionLinks []struct{ ID string }
		}
		if w.Code != http.StatusCreated || json.Unmarshal(w.Body.Bytes(), &out) != nil {
			var errs []struct{ Message string }
			_ = json.Unmarshal(w.Body.Bytes(), &errs)
			fmt.Println(w.Code, strings.ReplaceAll(errs[0].Message, provider.URL, "{provider}"))
			continue
		}
		r = httptest.NewRequest("PATCH", "/connect/action-links/"+out.ActionLinks[0].ID+"?status=PendingStatus", nil)
		r.Header.Set("Authorization", "Bearer token")
		w = httptest.NewRecorder()
		h.ServeHTTP(w, r)
		var pa struct{ Status string }
		_ = json.Unmarshal(w.Body.Bytes(), &pa)
		fmt.Println(w.Code, pa.Status)
	}
	// Output:
	// callout: /approve
	// 200 SuccessfulStatus
	// 400 actionLinks[0].actionUrl: "http://provider.example/approve" is an http:// URL; give an https:// URL
	// 400 actionLinks[0].actionUrl: "javascript:alert(1)" has the scheme "javascript"; give an absolute https:// URL
}

// In a group whose executionsAllowed is Once, only the user whose execution
// is pending may set its terminal status, unless the host names the caller
// a provider: here, the account an ApiAsync provider calls back with.
func ExampleConfig_provider() {
	provider := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusAccepted) // started; the provider calls back later
	}))
	defer provider.Close()
	users := map[string]actions.Actor{
		"sf-alice":    {ID: "005000000000001AAA"},
		"sf-bob":      {ID: "005000000000002AAA"},
		"sf-provider": {ID: "005000000000009AAA", Roles: []string{"provider"}},
	}
	h, err := salesforce.New(salesforce.Config{
		Stores: salesforce.NewMemoryStores(),
		Authenticate: func(r *http.Request) (actions.Actor, error) {
			token, err := salesforce.BearerToken(r)
			if err != nil {
				return actions.Actor{}, err // no token: 401
			}
			u, ok := users[token]
			if !ok {
				return actions.Actor{}, salesforce.ErrBadCredentials // 401
			}
			return u, nil
		},
		Client: provider.Client(),
		Provider: func(_ context.Context, user actions.Actor, l salesforce.Link) bool {
			return user.HasRole("provider") && l.ActionType == salesforce.TypeAPIAsync
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = h.CreateGroup(context.Background(), salesforce.NewGroup{
		ID: "0Ag000000000001AAA", LinkIDs: []string{"0An000000000001AAA"}, CreatedBy: "005000000000001AAA",
		Input: salesforce.GroupDefinitionInput{
			Category: "Primary", ExecutionsAllowed: "Once", ExpirationDate: time.Now().AddDate(0, 1, 0).Format(time.RFC3339),
			ActionLinks: []salesforce.ActionLinkDefinitionInput{{
				ActionType: "ApiAsync", ActionURL: provider.URL + "/jobs", Method: "HttpPost", LabelKey: "Accept",
				RequiresConfirmation: new(salesforce.Boolean),
			}},
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range []struct{ token, status string }{
		{"sf-alice", "PendingStatus"}, {"sf-bob", "FailedStatus"}, {"sf-provider", "SuccessfulStatus"},
	} {
		r := httptest.NewRequest("PATCH", "/connect/action-links/0An000000000001AAA?status="+p.status, nil)
		r.Header.Set("Authorization", "Bearer "+p.token)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		var pa struct{ Status string }
		_ = json.Unmarshal(w.Body.Bytes(), &pa)
		fmt.Printf("%s %s: %d %s\n", p.token, p.status, w.Code, strings.TrimSpace(pa.Status+" "+errorMessage(w.Body.Bytes())))
	}
	// Output:
	// sf-alice PendingStatus: 200 PendingStatus
	// sf-bob FailedStatus: 400 The execution of this action link (executionsAllowed Once) is pending for user 005000000000001AAA; only that user can set FailedStatus.
	// sf-provider SuccessfulStatus: 200 SuccessfulStatus
}

// errorMessage returns the message of the first entry of an error array,
// or "".
func errorMessage(body []byte) string {
	var errs []struct{ Message string }
	if json.Unmarshal(body, &errs) != nil || len(errs) == 0 {
		return ""
	}
	return errs[0].Message
}

// BearerToken reads the access token Config.Authenticate looks up.
func ExampleBearerToken() {
	for _, auth := range []string{"Bearer 00Dx0000000BV7z!AR8AQAxo", "OAuth 00Dx0000000BV7z!AR8AQAxo", "Basic dXNlcjpwYXNz", ""} {
		r := httptest.NewRequest("GET", "/connect/action-links/0An000000000001AAA", nil)
		r.Header.Set("Authorization", auth)
		token, err := salesforce.BearerToken(r)
		fmt.Printf("%q %v\n", token, err)
	}
	// Output:
	// "00Dx0000000BV7z!AR8AQAxo" <nil>
	// "00Dx0000000BV7z!AR8AQAxo" <nil>
	// "" adapters: no credentials
	// "" adapters: no credentials
}
