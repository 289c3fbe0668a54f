// Package akana serves the workflow actions of an [actions.Engine] in the
// style of the Akana API Platform workflow API:
//
//	GET  /api/workflow/objects/{ObjectID}/actions[?IncludeReservedActions[=true|false]]
//	POST /api/workflow/objects/{ObjectID}/actions   {"ActionName": "...", "Comments": "..."}
//
// GET answers the actions valid for the object's current workflow state as
// an RSS-style channel, in JSON or XML; POST performs one and answers the
// new state as text/plain.
//
// # Quick start
//
//	type Discussion struct {
//		Title       string
//		WorkflowKey string // the workflow the object is in
//		State       string // its state in that workflow
//	}
//
//	wf, err := akana.NewWorkflows(akana.Fields{}, []akana.Workflow{{
//		Key: "discussion-workflow", Title: "Discussions", States: []string{"Published", "Pending"},
//		Actions: []akana.WorkflowAction{
//			{Name: "discussion.action.unpublish", From: []string{"Published"}, To: "Pending"},
//			{Name: "discussion.action.publish", From: []string{"Pending"}, To: "Published"},
//		},
//	}})
//	cat, err := actions.Compile[Discussion](wf.Definitions())
//	engine, err := actions.New(cat, store)
//	h, err := akana.New(engine, wf, akana.Config{
//		Authenticate: func(r *http.Request) (actions.Actor, error) {
//			token, err := akana.AuthToken(r, "acmepaymentscorp") // the AtmoAuthToken_ cookie
//			if err != nil {
//				return actions.Actor{}, err // ErrNoCredentials: 401
//			}
//			return sessions.User(token) // the host's own; ErrBadCredentials if unknown
//		},
//		CSRFToken: func(r *http.Request, user actions.Actor) (string, error) {
//			token, _ := akana.AuthToken(r, "acmepaymentscorp")
//			return sessions.CSRFToken(token) // what login sent in the Csrf-Token_ cookie
//		},
//	})
//	mux.Handle("/api/workflow/", h)
//
// The handler serves absolute paths; to mount it under a prefix, strip the
// prefix: mux.Handle("/akana/", http.StripPrefix("/akana", h)).
// Mounting the routes' path too, with its wildcard,
// mux.Handle("/api/workflow/objects/{ObjectID}/actions", h), spares each
// request of the two routes a map: the mux then holds the ObjectID the
// handler sets for r.PathValue.
//
// # Workflows
//
// A [Workflow] has a key (the channel's WorkflowDefinitionKey), a title,
// states and actions, each with the states it is valid in (From, empty for
// all) and the state it leads to (To, empty to stay). Workflows are defined
// in Go or loaded from JSON ([ParseWorkflows], [LoadWorkflowsFile]) and
// validated by [NewWorkflows].
//
// They hold no logic of their own: [Workflows.Definitions] compiles them to
// ordinary [actions.Definition] values, one per workflow action, with the id
// [ActionID](key, name) = key + "/" + name, the Akana ActionName as Name, a
// condition on the object's workflow key field (WorkflowKey == "key") and
// the state as workflow sugar (Workflow{Field: "State", From, To}). The
// engine resolves and executes them like any other action, with
// permissions, conditions, validation, effects and an execution record. The
// fields are named by [Fields], by their Go names.
//
// Actions whose names start with "@" or "reserved-" are reserved
// ([IsReserved]): GET lists them only with IncludeReservedActions (present
// without a value, or true). Items are listed in workflow order.
//
// # Content negotiation
//
// The media types are application/json, application/xml and the versioned
// application/vnd.soa.v71+json, v71+xml, v72, v80 and v81 (JSON or XML by
// the suffix). A GET answers in the type its Accept header prefers (quality
// values and wildcards are honoured; */* or no Accept gives JSON), with that
// type as Content-Type; an Accept allowing none of them is 406.
//
// The XML is the same tree as the JSON ([RSS]):
//
//	<rss>
//	  <channel>
//	    <title>v1</title>
//	    <WorkflowObject>
//	      <WorkflowDefinitionKey>aba30718-a086-407c-99e9-76a1f07060a2</WorkflowDefinitionKey>
//	      <State>Draft</State>
//	    </WorkflowObject>
//	    <item>
//	      <guid>apiversion.action.submit.approval</guid>
//	    </item>
//	  </channel>
//	</rss>
//
// A POST body ([Action]) is JSON or XML according to its Content-Type (no
// Content-Type is JSON; another type is 415). Comments may be a string or
// an array of strings in JSON, and one or more <Comments> elements in XML;
// they are kept, joined by newlines, as the execution's comment
// (actions.Request.Comment): free text for the audit trail, which no rule
// reads (an action that needs a value from the user declares an input; Akana
// sends none). A comment longer than the engine's record limit is 400.
// UserID is accepted and ignored. Unknown fields
// or elements, trailing data, a missing ActionName or a body over
// Config.MaxBodyBytes ([DefaultMaxBodyBytes]; 413) are refused. The Accept header of a POST must
// allow text/plain (*/* does).
//
// # Authentication and CSRF
//
// The host's Config.Authenticate maps a request to the logged-in user (an
// [actions.Actor]), typically from the AtmoAuthToken_{fedmemberid} cookie,
// which [AuthToken] reads. Its refusals are those of every adapter of this
// module:
//
//	ErrNoCredentials, ErrBadCredentials     401 "missing or invalid login"
//	an actor without an ID                  401, as ErrBadCredentials
//	an error matching actions.ErrForbidden  403 "not allowed" (logged in, not allowed)
//	any other error                         500, logged
//
// Without Authenticate every request is 401 "login required". The two
// sentinels are the same values in every adapter of this module, so one
// user lookup can serve this handler and the others.
//
// With CSRF protection on (the default; Config.DisableCSRF turns it off),
// a POST must carry the header X-Csrf-Token_{fedmemberid} equal to the
// session's CSRF token, which Config.CSRFToken returns, else 401 (and
// without CSRFToken every POST is refused). The fedmemberid is
// Config.FedMember or, if empty, the tenant of the ObjectID (what follows
// its last dot). GET never needs the header.
//
// # Workflows as rules
//
// Each workflow action compiles to an ordinary actions.Definition whose
// guards are [GuardWorkflow] (the object is in the action's workflow) and,
// if the action has one, [GuardCondition] (its own condition): a refusal
// names the guard that failed, and a typo in a condition is reported at its
// own line and column.
//
// # Execution
//
// Akana sends no version: a POST loads the object, maps the ActionName of
// the object's workflow to its action id and executes it with the version it
// loaded. On a version conflict it reloads and tries again, up to
// Config.MaxRetries times ([DefaultMaxRetries]; a negative MaxRetries
// tries once), then answers 409.
//
// # Errors
//
// Akana publishes no error body. Every error is answered with this one, in
// the negotiated media type (for a POST: the type an Accept header names,
// else the request's Content-Type, else JSON):
//
//	{"code": 400, "message": "action \"discussion.action.publish\" is not valid for \"discussion11018.acmepaymentscorp\" in state \"Published\""}
//
//	<error><code>400</code><message>...</message></error>
//
// The statuses:
//
//	400  malformed body; ActionName unknown in the object's workflow; action not valid
//	     in the object's current state (the object keeps its state); validation failed;
//	     IncludeReservedActions not a boolean
//	401  missing or invalid login; missing or invalid CSRF token
//	403  logged in but not allowed (the action's permission, or Authenticate said so)
//	404  unknown object; a path the API does not serve
//	405  a method other than GET, HEAD or POST on /api/workflow/objects/{ObjectID}/actions
//	     (with an Allow header)
//	406  Accept allows none of the answer's media types
//	409  the object kept changing concurrently (after the retries)
//	413  body larger than Config.MaxBodyBytes
//	415  unsupported Content-Type
//	500  anything unexpected, a panic of host code included (the message is
//	     Akana's documented "An error occurred processing the call." and says no
//	     more; the error goes to Config.Logger), or an effect that failed after
//	     the action was saved (the message says so and gives the new state)
//
// # Concurrency
//
// A [Handler] and a [Workflows] are safe for concurrent use.
package akana
