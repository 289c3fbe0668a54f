package openproject_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strconv"
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
func tokenAuth(r *http.Request) (actions.Actor, error) {
	token, err := openproject.APIKey(r)
	if err != nil {
		return actions.Actor{}, err // none, or Basic credentials that are no API key
	}
	if token != "secret-token" {
		return actions.Actor{}, openproject.ErrBadCredentials
	}
	return actions.Actor{ID: "alice", Permissions: []string{
		openproject.PermissionViewWorkPackages, openproject.PermissionEditWorkPackages,
	}}, nil
}

func send(h http.Handler, method, path, body string) {
	fmt.Printf("%s %s → %s", method, path, do(h, method, path, body, false))
}

// sendIndented is send with the JSON body indented.
func sendIndented(h http.Handler, method, path, body string) {
	fmt.Printf("%s %s → %s", method, path, do(h, method, path, body, true))
}

func do(h http.Handler, method, path, body string, indent bool) string {
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	r.Header.Set("Authorization", "Bearer secret-token")
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	out, _ := io.ReadAll(w.Result().Body)
	var b bytes.Buffer
	if !indent || json.Indent(&b, out, "", "  ") != nil {
		return fmt.Sprintf("%d %s", w.Code, out)
	}
	return fmt.Sprintf("%d %s", w.Code, b.Bytes())
}

// statusIDs are the host's statuses, by name: OpenProject links a status
// by its integer id.
var statusIDs = map[string]int64{"New": 1, "Closed": 12}

// ticketLinks render a ticket's status as OpenProject's linked property.
var ticketLinks = []openproject.LinkedProperty[Ticket]{{
	Name: "status",
	Link: func(_ context.Context, t Ticket) (openproject.Link, error) {
		return openproject.Statuses.Link(statusIDs[t.Status], t.Status), nil
	},
}}

// The handler serves /api/v3/ on the host's own ServeMux, next to the
// host's routes. A work package is rendered as OpenProject renders one: its
// linked properties (here status) under _links, self titled with the
// subject, and the custom actions the user may execute on it both linked
// and embedded.
func Example() {
	h, err := openproject.New(ticketEngine(), openproject.Config[Ticket]{
		Authenticate:     tokenAuth,
		LinkedProperties: ticketLinks,
	})
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "ok") })
	mux.Handle("/api/v3/", h)

	send(mux, "GET", "/healthz", "")
	send(mux, "GET", "/api/v3/custom_actions/1", "")
	sendIndented(mux, "GET", "/api/v3/work_packages/7", "")
	// Output:
	// GET /healthz → 200 ok
	// GET /api/v3/custom_actions/1 → 200 {"_type":"CustomAction","name":"Close","description":null,"_links":{"executeImmediately":{"href":"/api/v3/custom_actions/1/execute","title":"Execute Close","method":"post"},"self":{"href":"/api/v3/custom_actions/1","title":"Close"}}}
	// GET /api/v3/work_packages/7 → 200 {
	//   "_type": "WorkPackage",
	//   "id": 7,
	//   "lockVersion": 1,
	//   "subject": "Fix the login page",
	//   "percentageDone": 50,
	//   "_embedded": {
	//     "customActions": [
	//       {
	//         "_type": "CustomAction",
	//         "name": "Close",
	//         "description": null,
	//         "_links": {
	//           "executeImmediately": {
	//             "href": "/api/v3/custom_actions/1/execute",
	//             "title": "Execute Close",
	//             "method": "post"
	//           },
	//           "self": {
	//             "href": "/api/v3/custom_actions/1",
	//             "title": "Close"
	//           }
	//         }
	//       },
	//       {
	//         "_type": "CustomAction",
	//         "name": "Make progress",
	//         "description": "Adds 60 % done",
	//         "_links": {
	//           "executeImmediately": {
	//             "href": "/api/v3/custom_actions/2/execute",
	//             "title": "Execute Make progress",
	//             "method": "post"
	//           },
	//           "self": {
	//             "href": "/api/v3/custom_actions/2",
	//             "title": "Make progress"
	//           }
	//         }
	//       }
	//     ]
	//   },
	//   "_links": {
	//     "self": {
	//       "href": "/api/v3/work_packages/7",
	//       "title": "Fix the login page"
	//     },
	//     "status": {
	//       "href": "/api/v3/statuses/1",
	//       "title": "New"
	//     },
	//     "customActions": [
	//       {
	//         "href": "/api/v3/custom_actions/1",
	//         "title": "Close"
	//       },
	//       {
	//         "href": "/api/v3/custom_actions/2",
	//         "title": "Make progress"
	//       }
	//     ]
	//   }
	// }
}

// With List, GET /api/v3/work_packages is OpenProject's
// WorkPackageCollection: a page of the work packages the user may see
// (offset is a page number from 1), each with its customActions links but
// nothing embedded.
func ExampleConfig_list() {
	h, err := openproject.New(ticketEngine(), openproject.Config[Ticket]{
		Authenticate:     tokenAuth,
		LinkedProperties: ticketLinks,
		List: func(context.Context, actions.Actor) ([]string, error) {
			return []string{"7"}, nil // the host's query, in its order
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	sendIndented(h, "GET", "/api/v3/work_packages?pageSize=1", "")
	// Output:
	// GET /api/v3/work_packages?pageSize=1 → 200 {
	//   "_type": "WorkPackageCollection",
	//   "total": 1,
	//   "count": 1,
	//   "pageSize": 1,
	//   "offset": 1,
	//   "_embedded": {
	//     "elements": [
	//       {
	//         "_type": "WorkPackage",
	//         "id": 7,
	//         "lockVersion": 1,
	//         "subject": "Fix the login page",
	//         "percentageDone": 50,
	//         "_links": {
	//           "self": {
	//             "href": "/api/v3/work_packages/7",
	//             "title": "Fix the login page"
	//           },
	//           "status": {
	//             "href": "/api/v3/statuses/1",
	//             "title": "New"
	//           },
	//           "customActions": [
	//             {
	//               "href": "/api/v3/custom_actions/1",
	//               "title": "Close"
	//             },
	//             {
	//               "href": "/api/v3/custom_actions/2",
	//               "title": "Make progress"
	//             }
	//           ]
	//         }
	//       }
	//     ]
	//   },
	//   "_links": {
	//     "self": {
	//       "href": "/api/v3/work_packages?offset=1&pageSize=1"
	//     },
	//     "jumpTo": {
	//       "href": "/api/v3/work_packages?offset=%7Boffset%7D&pageSize=1",
	//       "templated": true
	//     },
	//     "changeSize": {
	//       "href": "/api/v3/work_packages?offset=1&pageSize=%7Bsize%7D",
	//       "templated": true
	//     }
	//   }
	// }
}

// A linked property links a resource by its integer id; one that is not
// set (id 0) is OpenProject's {"href": null}.
func ExampleResource_Link() {
	for _, l := range []openproject.Link{
		openproject.Users.Link(2, "Max Member"),
		openproject.Users.Link(0, ""),
	} {
		b, _ := json.Marshal(l)
		fmt.Println(string(b))
	}
	// Output:
	// {"href":"/api/v3/users/2","title":"Max Member"}
	// {"href":null}
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
	// POST /api/v3/custom_actions/1/execute → 200 {"_type":"WorkPackage","id":7,"lockVersion":2,"subject":"Fix the login page","status":"Closed","percentageDone":50,"_embedded":{"customActions":[{"_type":"CustomAction","name":"Make progress","description":"Adds 60 % done","_links":{"executeImmediately":{"href":"/api/v3/custom_actions/2/execute","title":"Execute Make progress","method":"post"},"self":{"href":"/api/v3/custom_actions/2","title":"Make progress"}}}]},"_links":{"self":{"href":"/api/v3/work_packages/7","title":"Fix the login page"},"customActions":[{"href":"/api/v3/custom_actions/2","title":"Make progress"}]}}
	// POST /api/v3/custom_actions/1/execute → 409 {"_type":"Error","errorIdentifier":"urn:openproject-org:api:v3:errors:UpdateConflict","message":"Couldn't update the resource because of conflicting modifications."}
}

// AppendProperties lets a work package type write its own properties, the
// ones between lockVersion and _embedded, without encoding/json's
// reflection: here subject and percentageDone (status is a linked
// property). The answer is the same, byte for byte.
func ExampleConfig_appendProperties() {
	appendProperties := func(b []byte, t Ticket) ([]byte, string, error) {
		b = append(b, `,"subject":`...)
		b = openproject.AppendString(b, t.Subject)
		b = append(b, `,"percentageDone":`...)
		b = strconv.AppendInt(b, int64(t.PercentageDone), 10)
		return b, t.Subject, nil
	}
	engine := ticketEngine()
	var bodies []string
	for _, props := range []func([]byte, Ticket) ([]byte, string, error){nil, appendProperties} {
		h, err := openproject.New(engine, openproject.Config[Ticket]{
			Authenticate:     tokenAuth,
			LinkedProperties: ticketLinks,
			AppendProperties: props,
		})
		if err != nil {
			log.Fatal(err)
		}
		bodies = append(bodies, do(h, "GET", "/api/v3/work_packages/7", "", false))
	}
	properties, _, _ := strings.Cut(bodies[1], `,"_embedded"`)
	fmt.Println(properties, "...")
	fmt.Println("the same as with encoding/json:", bodies[0] == bodies[1])
	// Output:
	// 200 {"_type":"WorkPackage","id":7,"lockVersion":1,"subject":"Fix the login page","percentageDone":50 ...
	// the same as with encoding/json: true
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
	// GET /api/v3/work_packages/1 → 200 {"_type":"WorkPackage","id":1,"lockVersion":1,"project":"demo","status":"New","_embedded":{"customActions":[{"_type":"CustomAction","name":"Start work","description":null,"_links":{"executeImmediately":{"href":"/api/v3/custom_actions/5/execute","title":"Execute Start work","method":"post"},"self":{"href":"/api/v3/custom_actions/5","title":"Start work"}}}]},"_links":{"self":{"href":"/api/v3/work_packages/1"},"customActions":[{"href":"/api/v3/custom_actions/5","title":"Start work"}]}}
	// GET /api/v3/work_packages/2 → 200 {"_type":"WorkPackage","id":2,"lockVersion":1,"project":"secret","status":"New","_embedded":{"customActions":[]},"_links":{"self":{"href":"/api/v3/work_packages/2"},"customActions":[]}}
}

func ExampleAPIKey() {
	for _, auth := range []string{"Basic YXBpa2V5OnNlY3JldC10b2tlbg==", "Bearer secret-token", "Basic dXNlcjpwYXNz", ""} {
		r := httptest.NewRequest("GET", "/api/v3/work_packages/7", nil)
		r.Header.Set("Authorization", auth) // YXBp... is apikey:secret-token, dXNl... user:pass
		token, err := openproject.APIKey(r)
		fmt.Printf("%q %v\n", token, err)
	}
	// Output:
	// "secret-token" <nil>
	// "secret-token" <nil>
	// "" adapters: bad credentials
	// "" adapters: no credentials
}
