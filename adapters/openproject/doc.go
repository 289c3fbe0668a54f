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
//		Authenticate: func(r *http.Request) (actions.Actor, bool) {
//			token, ok := openproject.APIKey(r)
//			if !ok {
//				return actions.Actor{}, false
//			}
//			return users.ByToken(token) // the host's own lookup
//		},
//		AttributeNames: map[string]string{"percentageDone": "% Complete"},
//	})
//	mux := http.NewServeMux()
//	mux.Handle("/api/v3/", h) // next to the host's own routes
//
// # Endpoints
//
//	GET  /api/v3/custom_actions/{id}          the CustomAction: name, description, links
//	POST /api/v3/custom_actions/{id}/execute  execute it on a work package at a lockVersion
//	GET  /api/v3/work_packages/{id}           the work package and its customActions links
//
// Custom actions are the catalog's actions, by id; work packages are the
// store's objects, by id, and a work package's lockVersion is its version in
// the store. An execute request names the work package by link and states
// the lockVersion the client saw, as a string (as documented) or an integer:
//
//	{"_links": {"workPackage": {"href": "/api/v3/work_packages/42"}}, "lockVersion": "3"}
//
// The action runs through [actions.Engine.Execute]: the version is checked,
// then the permission and the conditions, then the changes are applied to a
// copy and validated, and only a valid result is saved. It is all or
// nothing: a refused execution leaves the work package exactly as it was. The
// answer is the changed work package, its lockVersion one higher and its
// customActions recomputed.
//
// # Rendering
//
// By default a work package is rendered as _type "WorkPackage", id (a JSON
// number when the id is one), lockVersion, the JSON fields of T in their
// order, and _links with self, the links [Config.Links] adds, and
// customActions: one {"href", "title"} per action applicable to the work
// package for the user, in position order. [Config.Render] replaces the
// whole rendering. Reserved actions are never linked, though they can be
// executed by id.
//
// # Actors, roles and permissions
//
// [Config.Authenticate] maps a request to an [actions.Actor]; without it
// every request is a 401. [APIKey] reads the token the ways OpenProject
// accepts it: Basic apikey:<token> and Bearer <token>.
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
//	401 Unauthenticated              no or bad credentials
//	406 (plain text)                 no Content-Type: "Missing content-type header"
//	415 TypeNotSupported             neither application/json nor application/hal+json
//	403 MissingPermission            may not edit work packages in any project
//	400 InvalidRequestBody           the body is not a single JSON object
//	404 NotFound                     no such custom action
//	422 PropertyConstraintViolation  no work package link, or one the user cannot see
//	                                 (_embedded.details.attribute "workPackage")
//	409 UpdateConflict               lockVersion missing or not the current one
//	403 MissingPermission            may not edit this work package (CanEdit of the scoped
//	                                 actor), or the action's permission or conditions do not hold
//	422 PropertyConstraintViolation  the changed work package is invalid, with
//	    or MultipleErrors            _embedded.details.attribute or _embedded.errors
//
// Validation messages are worded as OpenProject's: a violated lte=100 on
// percentageDone reads "% Complete must be less than or equal to 100." with
// the attribute names of [Config.AttributeNames] (others are humanized:
// "startDate" reads "Start date"). A post-condition's message is its own.
// Unknown paths are 404 NotFound and other methods 405, both in HAL; errors
// the client did not cause (a store that fails, a rule that fails at run
// time) are 500 InternalServerError and logged, never a panic.
//
// # Concurrency
//
// A [Handler] is safe for concurrent use; the functions of [Config] may be
// called concurrently.
package openproject
