// Package workfront lets Adobe Workfront run the actions of an
// [actions.Engine] on documents, as a document-webhook provider's custom
// actions.
//
// Workfront calls a webhook provider at the base URL an administrator
// registered. A [Handler] serves two of the provider's endpoints there:
//
//	GET /serviceInfo                                          (no authentication)
//	GET /customAction?name=&documentId=&documentVersionId=    (authenticated)
//
// /serviceInfo announces every action of the engine's current catalog as a
// custom action, in position order: the action's ID is its name, the
// action's Name its displayName, shown in Workfront's Document Actions menu.
// /customAction executes the named action on the document for the
// authenticated user.
//
// # Quick start
//
//	engine, err := actions.New(catalog, store) // objects of your type Document
//	h, err := workfront.New(engine, workfront.Config[Document]{
//		Publisher: "Acme, LLC",
//		Authenticate: func(r *http.Request) (actions.Actor, error) {
//			c, err := workfront.ReadCredentials(r) // apiKey and username, or a Bearer token
//			if err != nil {
//				return actions.Actor{}, err // ErrNoCredentials: 403
//			}
//			return lookUp(r.Context(), c) // your users; ErrBadCredentials if unknown
//		},
//	})
//	mux.Handle("/webhooks/", http.StripPrefix("/webhooks", h))
//
// Workfront, with https://example.com/webhooks as the provider's base URL,
// then calls https://example.com/webhooks/customAction?name=archive&....
// (Workfront's page on /customAction shows /webhooks/customName in its
// example URL, and a space inside the document id: both are typos of that
// page.)
//
// # Responses
//
// Every /customAction answer is JSON: {"status":"success"} or
// {"status":"error","error":"<message>"}, where the message is shown to the
// Workfront user and never reveals an internal error. The status codes:
//
//	200  success
//	200  an action failure: the action does not apply to the document
//	     (actions.ErrNotApplicable), the changed document fails validation
//	     (*actions.ValidationError), an effect failed after the save
//	     (*actions.EffectError), or concurrent changes exhausted the retries
//	400  name, documentId or documentVersionId is missing, empty or given
//	     twice, or the query string is malformed
//	403  missing or refused credentials, a user Config.Authenticate forbids,
//	     or the user lacks the action's permission (actions.ErrForbidden)
//	404  an unknown action name, an unknown document, or (with
//	     Config.DocumentVersion) a documentVersionId that is not the
//	     document's current version
//	500  anything else, a panic of host code included; the cause goes to
//	     Config.Logger
//
// An action failure is answered with 200 because the page on /customAction
// carries the outcome in the body's status field, while the API's error
// table keeps 403, 404 and 500 for requests that could not be served;
// Workfront shows the message either way. An unknown action name is 404,
// like an unknown document: the resource the request names does not exist.
// Config.ErrorMessage rewords the message of an action failure, for
// example to translate it.
//
// An effect runs after the document was saved, so when it fails the
// document keeps the change and the execution is recorded as failed; in
// every other error case nothing was stored.
//
// # Authentication
//
// Credentials are read from the headers only, as Workfront sends them:
// apiKey and username in its ApiKey mode, Authorization: Bearer <token> in
// its OAuth2 mode; [ReadCredentials] reads them. Credentials in the query
// string are ignored (Workfront appends the administrator's extra
// parameters to every query string; they are ignored too). The host's
// Config.Authenticate maps a request to an actions.Actor; without it every
// request is denied. Its refusals are those of every adapter of this
// module: [ErrNoCredentials] and [ErrBadCredentials] (and an actor without
// an ID) are 403 "Invalid or missing credentials.", on which Workfront
// refreshes its OAuth2 token and retries; an error matching
// actions.ErrForbidden is 403 "You are not allowed to run custom
// actions."; any other error is a 500. The two sentinels are the same
// values in every adapter, so one user lookup can serve this handler and
// the others.
//
// # Documents and versions
//
// By default the documentId is the object's id in the engine's store and the
// documentVersionId is only recorded (in the execution's comment).
// Config.ObjectID maps the two to another id; Config.DocumentVersion reads
// the Workfront version id held by a stored document, and then a request for
// any other version is answered 404.
//
// # Concurrency
//
// Workfront sends no version the client saw, so /customAction has no
// optimistic check from the client: the handler executes the action against
// the version it loads. If a concurrent change is saved between that load and
// the action's save (actions.ErrConflict), it loads the document again,
// checks it again and re-executes, up to Config.MaxRetries times
// ([DefaultMaxRetries]; a negative MaxRetries tries once), then answers with
// an action failure. The action is therefore always decided on the document
// as it is saved, never on a stale copy. An effect that failed after the
// save is never retried, whatever its cause: the change is saved already.
//
// A Handler is safe for concurrent use. It reads the engine's catalog on
// every request, so a catalog installed with Engine.Swap changes both
// customActions and what /customAction accepts.
package workfront
