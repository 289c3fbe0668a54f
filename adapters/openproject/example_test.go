package openproject_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/actionable-go/actionable/actions"
	"github.com/actionable-go/actionable/adapters/openproject"
)

// Ticket is a host's own work package type.
type Ticket struct {
	Subject        string `json:"subject"`
	Status         string `json:"status"`
	PercentageDone int    `json:"percentageDone" validate:"gte=0,lte=100"`
}

// ticketEngine is the host's engine: two custom actions and ticket 7 at
// lockVersion 1.
func ticketEngine() *actions.Engine[Ticket] {
	cat := actions.MustCompile[Ticket]([]actions.Definition{
		{ID: "1", Name: "Close", Permission: openproject.PermissionEditWorkPackages,
			Condition: `Status != "Closed"`,
			Changes:   []actions.Change{{Field: "status", Expr: `"Closed"`}}},
		{ID: "2", Name: "Make progress", Description: "Adds 60 % done", Permission: openproject.PermissionEditWorkPackages,
			Changes: []actions.Change{{Field: "percentageDone", Expr: `PercentageDone + 60`}}},
	})
	store := actions.NewMemoryStore[Ticket]()
	if _, err := store.Create(context.Background(), "7", Ticket{Subject: "Fix the login page", Status: "New", PercentageDone: 50}); err != nil {
		log.Fatal(err)
	}
	engine, err := actions.New(cat, store)
	if err != nil {
		log.Fatal(err)
	}
	return engine
}

// tokenAuth accepts one API token, as Basic apikey:<token> or Bearer.
func tokenAuth(r *http.Request) (actions.Actor, bool) {
	if token, ok := openproject.APIKey(r); ok && token == "secret-token" {
		return actions.Actor{ID: "alice", Permissions: []string{
			openproject.PermissionViewWorkPackages, openproject.PermissionEditWorkPackages,
		}}, true
	}
	return actions.Actor{}, false
}

func send(h http.Handler, method, path, body string) {
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	r.Header.Set("Authorization", "Bearer secret-token")
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	out, _ := io.ReadAll(w.Result().Body)
	fmt.Printf("%s %s → %d %s", method, path, w.Code, out)
}

// The handler serves /api/v3/ on the host's own ServeMux, next to the
// host's routes.
func Example() {
	h, err := openproject.New(ticketEngine(), openproject.Config[Ticket]{Authenticate: tokenAuth})
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "ok") })
	mux.Handle("/api/v3/", h)

	send(mux, "GET", "/healthz", "")
	send(mux, "GET", "/api/v3/custom_actions/1", "")
	send(mux, "GET", "/api/v3/work_packages/7", "")
	// Output:
	// GET /healthz → 200 ok
	// GET /api/v3/custom_actions/1 → 200 {"_type":"CustomAction","name":"Close","description":null,"_links":{"executeImmediately":{"href":"/api/v3/custom_actions/1/execute","title":"Execute Close","method":"post"},"self":{"href":"/api/v3/custom_actions/1","title":"Close"}}}
	// GET /api/v3/work_packages/7 → 200 {"_type":"WorkPackage","id":7,"lockVersion":1,"subject":"Fix the login page","status":"New","percentageDone":50,"_links":{"self":{"href":"/api/v3/work_packages/7"},"customActions":[{"href":"/api/v3/custom_actions/1","title":"Close"},{"href":"/api/v3/custom_actions/2","title":"Make progress"}]}}
}

// Executing a custom action names the work package by link and states the
// lockVersion the client saw; the answer is the changed work package.
func ExampleNew() {
	h, err := openproject.New(ticketEngine(), openproject.Config[Ticket]{Authenticate: tokenAuth})
	if err != nil {
		log.Fatal(err)
	}
	send(h, "POST", "/api/v3/custom_actions/1/execute",
		`{"_links": {"workPackage": {"href": "/api/v3/work_packages/7"}}, "lockVersion": "1"}`)
	// The same request again: the lockVersion is stale now.
	send(h, "POST", "/api/v3/custom_actions/1/execute",
		`{"_links": {"workPackage": {"href": "/api/v3/work_packages/7"}}, "lockVersion": "1"}`)
	// Output:
	// POST /api/v3/custom_actions/1/execute → 200 {"_type":"WorkPackage","id":7,"lockVersion":2,"subject":"Fix the login page","status":"Closed","percentageDone":50,"_links":{"self":{"href":"/api/v3/work_packages/7"},"customActions":[{"href":"/api/v3/custom_actions/2","title":"Make progress"}]}}
	// POST /api/v3/custom_actions/1/execute → 409 {"_type":"Error","errorIdentifier":"urn:openproject-org:api:v3:errors:UpdateConflict","message":"Couldn't update the resource because of conflicting modifications."}
}

// A change that breaks a validation rule of the host's type is refused as a
// whole, naming the attribute with the name the host gives it.
func ExampleConfig_attributeNames() {
	h, err := openproject.New(ticketEngine(), openproject.Config[Ticket]{
		Authenticate:   tokenAuth,
		AttributeNames: map[string]string{"percentageDone": "% Complete"},
	})
	if err != nil {
		log.Fatal(err)
	}
	send(h, "POST", "/api/v3/custom_actions/2/execute",
		`{"_links": {"workPackage": {"href": "/api/v3/work_packages/7"}}, "lockVersion": 1}`)
	// Output:
	// POST /api/v3/custom_actions/2/execute → 422 {"_type":"Error","errorIdentifier":"urn:openproject-org:api:v3:errors:PropertyConstraintViolation","message":"% Complete must be less than or equal to 100.","_embedded":{"details":{"attribute":"percentageDone"}}}
}

// Roles belong to projects: ActorFor gives the actor its roles in the work
// package's project, which conditions such as `"Member" in Actor.Roles` read.
func ExampleConfig_actorFor() {
	type Task struct {
		Project string `json:"project"`
		Status  string `json:"status"`
	}
	cat := actions.MustCompile[Task]([]actions.Definition{
		{ID: "5", Name: "Start work", Condition: `"Member" in Actor.Roles && Status == "New"`,
			Changes: []actions.Change{{Field: "status", Expr: `"In progress"`}}},
	})
	store := actions.NewMemoryStore[Task]()
	ctx := context.Background()
	for id, project := range map[string]string{"1": "demo", "2": "secret"} {
		if _, err := store.Create(ctx, id, Task{Project: project, Status: "New"}); err != nil {
			log.Fatal(err)
		}
	}
	engine, err := actions.New(cat, store)
	if err != nil {
		log.Fatal(err)
	}
	memberships := map[string]string{"demo": "Member", "secret": "Reader"} // alice's roles
	h, err := openproject.New(engine, openproject.Config[Task]{
		Authenticate: tokenAuth,
		ActorFor: func(_ context.Context, a actions.Actor, _ string, t Task) actions.Actor {
			a.Roles = []string{memberships[t.Project]}
			return a
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	send(h, "GET", "/api/v3/work_packages/1", "")
	send(h, "GET", "/api/v3/work_packages/2", "")
	// Output:
	// GET /api/v3/work_packages/1 → 200 {"_type":"WorkPackage","id":1,"lockVersion":1,"project":"demo","status":"New","_links":{"self":{"href":"/api/v3/work_packages/1"},"customActions":[{"href":"/api/v3/custom_actions/5","title":"Start work"}]}}
	// GET /api/v3/work_packages/2 → 200 {"_type":"WorkPackage","id":2,"lockVersion":1,"project":"secret","status":"New","_links":{"self":{"href":"/api/v3/work_packages/2"},"customActions":[]}}
}

func ExampleAPIKey() {
	for _, auth := range []string{"Basic YXBpa2V5OnNlY3JldC10b2tlbg==", "Bearer secret-token", "Basic dXNlcjpwYXNz"} {
		r := httptest.NewRequest("GET", "/api/v3/work_packages/7", nil)
		r.Header.Set("Authorization", auth) // YXBp... is apikey:secret-token
		fmt.Println(openproject.APIKey(r))
	}
	// Output:
	// secret-token true
	// secret-token true
	//  false
}
