// Package openproject serves the actions of an [actions.Engine] as
// OpenProject's API v3 custom actions, in HAL+JSON, so that clients written
// for OpenProject can discover and execute them on the host's own work
// packages.
//
// # Quick start
//
// A host has its own work package type, a catalog of actions compiled
// against it and a store; New wraps the engine in an http.Handler:
//
//	type WorkPackage struct {
//		Subject        string `json:"subject"`
//		Project        string `json:"project"`
//		Status         string `json:"status"`
//		PercentageDone int    `json:"percentageDone" validate:"gte=0,lte=100"`
//	}
//
//	cat, err := actions.LoadFile[WorkPackage]("custom_actions.json")
//	engine, err := actions.New(cat, store)
//	h, err := openproject.New(engine, openproject.Config[WorkPackage]{
//		Authenticate: func(r *http.Request) (actions.Actor, error) {
//			token, err := openproject.APIKey(r)
//			if err != nil {
//				return actions.Actor{}, err // none, or not an API key
//			}
//			return users.ByToken(token) // the host's own lookup; ErrBadCredentials if unknown
//		},
//		LinkedProperties: []openproject.LinkedProperty[WorkPackage]{{
//			Name: "status",
//			Link: func(ctx context.Context, wp WorkPackage) (openproject.Link, error) {
//				return openproject.Statuses.Link(statuses.ID(wp.Status), wp.Status), nil
//			},
//		}},
//		List:           tickets.IDs, // GET /api/v3/work_packages
//		AttributeNames: map[string]string{"percentageDone": "% Complete"},
//	})
//	mux := http.NewServeMux()
//	mux.Handle("/api/v3/", h) // next to the host's own routes
//
// # Endpoints
//
//	GET  /api/v3/custom_actions/{id}          the CustomAction: name, description, links
//	POST /api/v3/custom_actions/{id}/execute  execute it on a work package at a lockVersion
//	GET  /api/v3/work_packages/{id}           the work package and its custom actions
//	GET  /api/v3/work_packages                a page of them (with Config.List)
//
// Custom actions are the catalog's actions, by id; work packages are the
// store's objects, by id, and a work package's lockVersion is its version in
// the store. Ids are decimal integers, as OpenProject's are: an id in a path
// that is not one is a 400 BadRequest "Bad request: id is invalid", answered
// before authentication as Grape answers it (OpenProject declares
// `route_param :id, type: Integer`); leading zeros read as the integer
// ("0042" is 42). An execute request names the work package by link and
// states the lockVersion the client saw, as a string (as documented) or an
// integer:
//
//	{"_links": {"workPackage": {"href": "/api/v3/work_packages/42"}}, "lockVersion": "3"}
//
// The action runs through [actions.Engine.Execute]: the version is checked,
// then the permission and the conditions, then the changes are applied to a
// copy and validated, and only a valid result is saved. It is all or
// nothing: a refused execution leaves the work package exactly as it was. The
// answer is the changed work package, its lockVersion one higher and its
// custom actions recomputed.
//
// # Rendering
//
// A work package is rendered as OpenProject renders one
// (lib/api/v3/work_packages/work_package_representer.rb): _type
// "WorkPackage", id, lockVersion, the JSON fields of T in their order, then
// _embedded and _links. The fields named in [Config.LinkedProperties] are
// linked properties: they are not among the properties but under _links,
// {"href": "/api/v3/statuses/1", "title": "New"}, or {"href": null} when not
// set ([Link]'s zero value; [Resource.Link] builds the usual ones). _links
// starts with self, titled with the subject (the string field "subject"),
// then the linked properties in their order, the links of [Config.Links] by
// name, and customActions: one {"href", "title"} per action applicable to the
// work package for the user, in position order. On GET and execute,
// _embedded.customActions holds the full [CustomAction] resources of the
// same actions in the same order; the elements of a collection embed
// nothing, as OpenProject's do. [Config.Render] replaces the whole rendering
// and receives both lists in [WorkPackage]. Reserved actions are never
// linked, though they can be executed by id.
//
// The default rendering encodes T with encoding/json and leaves out the
// linked properties and the names it writes itself. A type on a hot path
// can write its properties itself instead, without reflection:
// [Config.AppendProperties] appends them to the response as it is being
// written, and must write the same bytes (New compares the two on the zero
// T; a host's test should compare them on its own work packages).
//
// What OpenProject renders and this package does not, because the host's
// type carries it or not: the properties OpenProject always has
// (description, dates, durations, createdAt, ...) are the host's fields;
// the linked resources themselves under _embedded (status, type, project,
// ...), the schema link and the permission-dependent links (update, delete,
// watch, ...) are not rendered, and none of these resources is served.
//
// # The collection
//
// With [Config.List], GET /api/v3/work_packages is OpenProject's
// WorkPackageCollection: _type, total (the work packages the user may see),
// count, pageSize, offset, _embedded.elements and the links self, jumpTo,
// changeSize, previousByOffset and nextByOffset. As OpenProject reads them,
// offset is a page number from 1 (below 1 reads 1) and pageSize defaults to
// [DefaultPageSize], -1 or more than [Config.MaxPageSize] reads the maximum
// and 0 lists nothing but counts; both are read as Ruby's to_i reads them
// ("2abc" is 2, "abc" is 0). Unlike OpenProject, which lists only open work
// packages unless filters say otherwise, it lists every work package the
// user may see, in List's order; the filters, sortBy and groupBy parameters
// are refused with 400 InvalidQuery (filters=[] is accepted: it asks for no
// filter), other parameters are ignored, and a negative pageSize other
// than -1 lists nothing. A user who may view work packages in no project
// ([Config.CanList]) gets a 403.
//
// # Actors, roles and permissions
//
// [Config.Authenticate] maps a request to an [actions.Actor] or refuses it
// with [ErrNoCredentials] or [ErrBadCredentials], which OpenProject answers
// differently (spec/requests/api/v3/authentication_spec.rb):
//
//	no credentials       401 "You need to be authenticated to access this resource."
//	                     WWW-Authenticate: Basic realm="OpenProject API"
//	refused credentials  401 "You did not provide the correct credentials."
//	                     WWW-Authenticate: Basic realm="OpenProject API", or for a
//	                     Bearer token: Bearer realm="OpenProject API" error="invalid_token"
//
// A client that sends X-Authentication-Scheme: Session gets a Session
// challenge instead of Basic, as OpenProject's front end does. [APIKey]
// reads the token the ways OpenProject accepts it, Basic apikey:<token> and
// Bearer <token>, and tells the two refusals apart. Without Authenticate
// every request is unauthenticated. An error matching actions.ErrForbidden
// (an account that may not use the API) is a 403 MissingPermission; an
// actor without an ID counts as refused credentials; any other error is a
// 500. The two sentinels are the same values in every adapter of this
// module, so one user lookup can serve this handler and the others.
//
// OpenProject's roles and permissions belong to a project. First, of the
// actor as authenticated, the adapter asks whether it may edit work packages
// in some project ([Config.CanEdit], by default the permission
// [PermissionEditWorkPackages]); this is asked before any id is looked up.
// Then, for one work package, [Config.ActorFor] returns the actor as it
// stands in that work package's project (its Roles and Permissions there),
// and [Config.CanView] (by default the permission
// [PermissionViewWorkPackages]) says whether that actor may see it.
// Conditions such as `"Member" in Actor.Roles` and the actions' Permission
// are checked against this scoped actor, and so is CanEdit a second time: a
// member of one project who only reads another is offered and may execute no
// custom action on the other's work packages, even one that names no
// permission.
//
// # Errors
//
// Every error is HAL (application/hal+json; charset=utf-8):
//
//	{"_type": "Error", "errorIdentifier": "urn:openproject-org:api:v3:errors:<Id>", "message": "..."}
//
// An execute request is checked in this order, and the first failed check
// answers:
//
//	400 BadRequest                   the id in the path is not an integer
//	401 Unauthenticated              no or refused credentials
//	406 (plain text)                 no Content-Type: "Missing content-type header"
//	415 TypeNotSupported             neither application/json nor application/hal+json
//	403 MissingPermission            may not edit work packages in any project
//	400 InvalidRequestBody           the body is not a single JSON object; when it is
//	                                 not JSON, _embedded.details.parseError says why
//	422 ResourceTypeMismatch         the workPackage href is not a work package link
//	404 NotFound                     no such custom action
//	422 PropertyConstraintViolation  no work package link, or one the user cannot see
//	                                 (_embedded.details.attribute "workPackage")
//	409 UpdateConflict               lockVersion missing or not the current one
//	403 MissingPermission            may not edit this work package (CanEdit of the scoped
//	                                 actor), or the action's permission or conditions do not hold
//	422 PropertyConstraintViolation  the changed work package is invalid, with
//	    or MultipleErrors            _embedded.details.attribute or _embedded.errors
//
// A workPackage href is a work package link when it ends in
// /api/v3/work_packages/<id> (an absolute URL is one), as OpenProject's
// ResourceLinkParser reads it; another, or an empty one, is
// "For property 'work_package' a link like '/api/v3/work_packages/:id' is
// expected, but got '<href>'.". A null href is no link; one whose id is not
// an integer, or that is not a string, links a work package that does not
// exist.
//
// Validation messages are worded as OpenProject's: a violated lte=100 on
// percentageDone reads "% Complete must be less than or equal to 100." with
// the attribute names of [Config.AttributeNames] (others are humanized:
// "startDate" reads "Start date"). A post-condition's message is its own.
// A work package that does not exist or that the user may not see is a 404
// "The work package you are looking for cannot be found or has been
// deleted."; an unknown custom action or path a 404 "The requested resource
// could not be found."; other methods a 405, all in HAL. Errors the client
// did not cause (a store that fails, a rule that fails at run time, an
// error of a Config function, a panic in one of them or in the store) are
// 500 InternalServerError and logged through [Config.Logger] (a panic with
// its stack); a panic never reaches the server.
//
// # Where this package follows its contract rather than OpenProject
//
// The seed and the contract this package implements predate some of
// OpenProject's current behaviour; where they disagree, they win:
//
//   - A body that is not JSON says "The request body was not a single JSON
//     object." (the seed, and OpenProject's OpenAPI documents); OpenProject's
//     parser says "The request could not be parsed as JSON.". The
//     parseError is encoding/json's message with OpenProject's
//     "at line L, column C".
//   - Unmet conditions are a 403 after the lockVersion check (409 first) and
//     say "The conditions of this custom action are not met for this work
//     package."; OpenProject's newest sources check them in the execute
//     contract (app/contracts/automations/execute_contract.rb), before the
//     lockVersion is compared, and say "You are not authorized to access
//     this resource.".
//   - A 415 names the one type "application/json" in "Expected CONTENT-TYPE
//     to be ... but got ..."; OpenProject's lib/api/root_api.rb fills in
//     both accepted types.
//   - An error in the body (400) is answered after authentication (401), as
//     the contract orders it; OpenProject's JSON parser runs before.
//   - MethodNotAllowed is this package's own identifier.
//
// # Concurrency
//
// A [Handler] is safe for concurrent use; the functions of [Config] may be
// called concurrently.
package openproject
