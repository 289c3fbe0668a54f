package akana_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/actionable-go/actionable/actions"
	"github.com/actionable-go/actionable/adapters/akana"
)

// Discussion is a host's own type: the adapter reads its workflow key and
// state from the fields akana.Fields names (WorkflowKey and State by
// default).
type Discussion struct {
	Title       string
	WorkflowKey string
	State       string
}

// Example mounts the adapter on an http.ServeMux under the prefix /akana,
// lists the actions of a discussion and performs one.
func Example() {
	ctx := context.Background()
	wf, err := akana.NewWorkflows(akana.Fields{}, []akana.Workflow{{
		Key: "discussion-workflow", Title: "Discussions", States: []string{"Published", "Pending"},
		Actions: []akana.WorkflowAction{
			{Name: "discussion.action.unpublish", From: []string{"Published"}, To: "Pending"},
			{Name: "discussion.action.publish", From: []string{"Pending"}, To: "Published"},
			{Name: "@Delete"},
		},
	}})
	if err != nil {
		log.Fatal(err)
	}
	cat, err := actions.Compile[Discussion](wf.Definitions())
	if err != nil {
		log.Fatal(err)
	}
	store := actions.NewMemoryStore[Discussion]()
	id := "discussion11018.acmepaymentscorp"
	if _, err := store.Create(ctx, id, Discussion{Title: "Rate limits", WorkflowKey: "discussion-workflow", State: "Published"}); err != nil {
		log.Fatal(err)
	}
	engine, err := actions.New(cat, store)
	if err != nil {
		log.Fatal(err)
	}
	h, err := akana.New(engine, wf, akana.Config{
		Authenticate: func(r *http.Request) (actions.Actor, error) {
			token, err := akana.AuthToken(r, "acmepaymentscorp")
			if err != nil {
				return actions.Actor{}, err // no login cookie
			}
			if token != "secret" {
				return actions.Actor{}, akana.ErrBadCredentials
			}
			return actions.Actor{ID: "jo"}, nil
		},
		CSRFToken: func(r *http.Request, actor actions.Actor) (string, error) {
			return "csrf-secret", nil // the session's token, which login sent in the Csrf-Token cookie
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/akana/", http.StripPrefix("/akana", h))

	call := func(method, body string, header ...string) {
		req := httptest.NewRequest(method, "/akana/api/workflow/objects/"+id+"/actions", strings.NewReader(body))
		req.Header.Set("Cookie", "AtmoAuthToken_acmepaymentscorp=secret")
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		out, _ := io.ReadAll(rec.Body)
		fmt.Printf("%d %s\n%s\n", rec.Code, rec.Header().Get("Content-Type"), out)
	}
	call("GET", "", "Accept", "application/xml")
	call("POST", `{"ActionName": "discussion.action.unpublish", "Comments": "Unpublishing while I edit."}`,
		"Content-Type", "application/json", "X-Csrf-Token_acmepaymentscorp", "csrf-secret")
	call("POST", `{"ActionName": "discussion.action.unpublish"}`,
		"Content-Type", "application/json", "X-Csrf-Token_acmepaymentscorp", "csrf-secret")
	// Output:
	// 200 application/xml
	// <?xml version="1.0" encoding="UTF-8"?>
	// <rss>
	//   <channel>
	//     <title>Discussions</title>
	//     <WorkflowObject>
	//       <WorkflowDefinitionKey>discussion-workflow</WorkflowDefinitionKey>
	//       <State>Published</State>
	//     </WorkflowObject>
	//     <item>
	//       <guid>discussion.action.unpublish</guid>
	//     </item>
	//   </channel>
	// </rss>
	//
	// 200 text/plain; charset=utf-8
	// Pending
	// 400 application/json
	// {
	//   "code": 400,
	//   "message": "action \"discussion.action.unpublish\" is not valid for \"discussion11018.acmepaymentscorp\" in state \"Pending\""
	// }
}

// ExampleWorkflows_Definitions shows what a workflow compiles to: ordinary
// action definitions, with a condition on the workflow key and the state
// as workflow sugar.
func ExampleWorkflows_Definitions() {
	wf, err := akana.NewWorkflows(akana.Fields{}, []akana.Workflow{{
		Key: "aba30718-a086-407c-99e9-76a1f07060a2", Title: "v1",
		States: []string{"Draft", "Pending Approval"}, Permission: "apiversion.admin",
		Actions: []akana.WorkflowAction{
			{Name: "apiversion.action.submit.approval", From: []string{"Draft"}, To: "Pending Approval"},
			{Name: "@Modify"},
		},
	}})
	if err != nil {
		log.Fatal(err)
	}
	for _, d := range wf.Definitions() {
		fmt.Printf("%s\n  name %q, guards %v, permission %s\n  state %s: %q -> %q, reserved %v\n",
			d.ID, d.Name, d.Guards, d.Permission, d.Workflow.Field, d.Workflow.From, d.Workflow.To, d.Reserved)
	}
	// Output:
	// aba30718-a086-407c-99e9-76a1f07060a2/apiversion.action.submit.approval
	//   name "apiversion.action.submit.approval", guards [{workflow WorkflowKey == "aba30718-a086-407c-99e9-76a1f07060a2"}], permission apiversion.admin
	//   state State: ["Draft"] -> "Pending Approval", reserved false
	// aba30718-a086-407c-99e9-76a1f07060a2/@Modify
	//   name "@Modify", guards [{workflow WorkflowKey == "aba30718-a086-407c-99e9-76a1f07060a2"}], permission apiversion.admin
	//   state State: ["Draft" "Pending Approval"] -> "", reserved true
}

// ExampleParseWorkflows loads workflows from JSON.
func ExampleParseWorkflows() {
	ws, err := akana.ParseWorkflows(strings.NewReader(`{"workflows": [{
		"key": "manage-user-workflow", "title": "Custom workflow for managing users",
		"states": ["Setup", "Managed", "Unmanaged"],
		"actions": [
			{"name": "Change to managed users", "from": ["Setup", "Unmanaged"], "to": "Managed"},
			{"name": "Change to unmanaged users", "from": ["Setup", "Managed"], "to": "Unmanaged"}
		]}]}`))
	if err != nil {
		log.Fatal(err)
	}
	wf, err := akana.NewWorkflows(akana.Fields{}, ws)
	if err != nil {
		log.Fatal(err)
	}
	id, _ := wf.ActionID("manage-user-workflow", "Change to managed users")
	fmt.Println(id)
	// Output:
	// manage-user-workflow/Change to managed users
}

// AuthToken reads the login cookie Config.Authenticate looks up, of the
// fedmember given or, when none is, of the ObjectID's tenant.
func ExampleAuthToken() {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/workflow/objects/{ObjectID}/actions", func(_ http.ResponseWriter, r *http.Request) {
		token, err := akana.AuthToken(r, "") // "acmepaymentscorp", from the ObjectID
		fmt.Printf("%q %v\n", token, err)
	})
	for _, cookie := range []string{"AtmoAuthToken_acmepaymentscorp=akana-admin", "AtmoAuthToken_otherfed=akana-admin", ""} {
		r := httptest.NewRequest("GET", "/api/workflow/objects/discussion10121.acmepaymentscorp/actions", nil)
		if cookie != "" {
			r.Header.Set("Cookie", cookie)
		}
		mux.ServeHTTP(httptest.NewRecorder(), r)
	}
	// Output:
	// "akana-admin" <nil>
	// "" adapters: no credentials
	// "" adapters: no credentials
}
