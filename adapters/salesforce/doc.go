// Package salesforce serves Salesforce Connect REST API action links over
// the actions engine: group definitions, the status workflow of each link
// and the HTTP callouts of Api and ApiAsync links.
//
// # Quick start
//
//	h, err := salesforce.New(salesforce.Config{
//		Stores: salesforce.NewMemoryStores(), // or the host's database stores
//		Authenticate: func(r *http.Request) (actions.Actor, error) {
//			token, err := salesforce.BearerToken(r)
//			if err != nil {
//				return actions.Actor{}, err // ErrNoCredentials: 401
//			}
//			return sessions.User(token) // the host's own; ErrBadCredentials if unknown.
//			                            // Actor.ID is the Salesforce user id, 005...
//		},
//		BasePath: "/services/data/v62.0",
//	})
//	mux.Handle("/services/data/v62.0/", http.StripPrefix("/services/data/v62.0", h))
//
// The handler serves, relative to its mount point:
//
//	POST   /connect/action-link-group-definitions           create a group (201)
//	GET    /connect/action-link-group-definitions/{id}      the definition (its creator only)
//	DELETE /connect/action-link-group-definitions/{id}      delete it (204)
//	GET    /connect/action-link-groups/{id}                 the Platform Action Group, as the user sees it
//	GET    /connect/action-links/{id}                       the Platform Action: status and label for the user
//	PATCH  /connect/action-links/{id}                       {"status": "PendingStatus"} or ?status=...
//	GET    /connect/action-links/{id}/diagnostic-info       what the user's callout sent and received
//
// Every request carries "Authorization: Bearer <token>", which
// [Config.Authenticate] maps to a user ([BearerToken] reads it). Its
// refusals are those of every adapter of this module: [ErrNoCredentials]
// and [ErrBadCredentials] (and an actor without an ID) are 401
// INVALID_SESSION_ID, as Salesforce answers a missing and an expired
// session alike; an error matching actions.ErrForbidden is 403
// INSUFFICIENT_ACCESS "You do not have access to this API."; any other
// error is a 500. The two sentinels are the same values in every adapter,
// so one user lookup can serve this handler and the others. A link with a userId
// is seen and executed by that user only, one with an excludedUserId by
// everyone else; to anyone else it does not exist (404).
//
// Not served: action link templates (templateId is refused), the
// community-scoped paths (/connect/communities/{communityId}/...), XML
// bodies, and the filterGroup, include and exclude parameters: every
// response carries every property of its body, nulls included, as
// Salesforce's default filter group, Big, does.
//
// # Stores
//
// Everything a Handler knows lives in the [Stores] the host gives it: the
// links (the engine's objects, and its execution journal), the group
// definitions, and for each user the definitions they created. A Handler
// over the stores of another, after a restart or on another instance
// sharing a database, answers as that one would. An execution records
// the context variables it was made with (as its inputs), and what its
// callout received is recorded as an execution of the reserved action
// callout-answer on the same link, so that diagnostic-info is rebuilt from
// the journal; [Handler.Engine] reads it for an audit trail.
//
// # Group definitions
//
// POST validates every documented constraint of the Action Link Group
// Definition Input at once (required fields, at most 3 Primary or 4
// Overflow links, at most one groupDefault, no Unlimited with Api or
// ApiAsync links, an expirationDate at most a year ahead, userId and
// excludedUserId exclusive, the method and actionType enums, an actionUrl
// that is absolute https:// or, where allowed, relative) and the server's
// own rules (an expirationDate that has not passed, the lengths of
// [Limits], no NUL character in a labelKey, requestBody or header value,
// which no database text column holds), and answers 400 with one entry per violation in the error
// array:
//
//	[{"errorCode":"REQUIRED_FIELD_MISSING","message":"Missing required field: category"},
//	 {"errorCode":"INVALID_API_INPUT","message":"actionLinks[0].method: \"Post\" is not a method; ..."}]
//
// Booleans may be given as JSON booleans or as the strings "true" and
// "false", as the developer guide's own examples give them (see
// [Boolean]). A user may have at most [Limits].DefinitionsPerUser
// definitions they created and have not deleted (400 LIMIT_EXCEEDED); a
// host loads fixed data with [Handler.CreateGroup], which validates the
// same way, returns an [*InputError], and is never refused for that limit.
//
// # Action URLs
//
// Salesforce's rule is "Links to Salesforce can be relative. All other
// links must be absolute and start with https://". The handler accepts an
// absolute https:// URL for every link type, a path starting with one /
// for Ui and Download links (the client resolves it against this server;
// a callout has nowhere to go with one), and an http:// URL only where
// [Config.AllowHTTP] says so. It refuses other schemes (javascript:,
// data:), scheme-relative URLs, user names and passwords, spaces, control
// characters and backslashes. Context variables are filled in only when a
// link is executed or shown, so a URL is checked at creation with
// placeholders (an https URL for {!communityUrl}), and again with the real
// values: a callout whose URL fails is not sent (FailedStatus), a Ui or
// Download URL that fails is shown as null.
//
// # Status workflow
//
// Each action link is an object of the engine. Its group's
// executionsAllowed is the execution policy of the action that executes it
// (one action per policy, selected by a guard on the link's
// executionsAllowed), so the engine checks Once and OncePerUser against its
// execution journal. The status a user sees is derived from that journal: no
// execution is NewStatus, a pending one PendingStatus, a succeeded or failed
// one SuccessfulStatus or FailedStatus. With Once the execution, and so the
// status, is shared by everyone; with OncePerUser each user has their own.
// The actions' rules are named guards (visible, not-expired,
// executions-allowed), and a refusal is answered by the guard that failed.
//
// PATCH PendingStatus executes the link; the execution's effect is the
// callout. A terminal status completes the user's pending execution
// (engine.Complete). Refused, with 400 and a message naming the rule: back to
// NewStatus from another status; from a terminal status to any other status
// (Salesforce documents terminal to NewStatus or PendingStatus; terminal to
// the other terminal status is refused here too); any PATCH in a group
// whose executionsAllowed is Unlimited; a terminal status for an Api link
// (its callout sets it) or for an ApiAsync link still at NewStatus (it must
// be invoked first); with Once, a terminal status set by another user than
// the one whose execution is pending, unless [Config.Provider] says they
// speak for the link's provider. With Once, a user PATCHing PendingStatus
// on a link they executed already gets the current link back with no second
// callout, and any other user an error (Salesforce documents this for Api
// and ApiAsync links; it holds for every type here). Links of an expired
// group (expirationDate passed, by [Config.Clock]) can no longer be
// executed.
//
// Concurrent PATCHes of one link are serialized by the link's version: the
// loser of a race is retried against the winner's execution, so two users
// PATCHing a Once link at the same time make one callout. A PATCH is
// retried up to [Config.MaxRetries] times ([DefaultMaxRetries]; a negative
// MaxRetries tries once), then answered 409 UNABLE_TO_LOCK_ROW.
//
// # Callouts
//
// An Api or ApiAsync link going to PendingStatus sends its method, actionUrl,
// headers and requestBody, with the context variables {!actionLinkId},
// {!actionLinkGroupId}, {!communityId}, {!communityUrl}, {!orgId} and
// {!userId} substituted, through [Config.Client] within
// [Config.CalloutTimeout]. Api: a 2xx answer is SuccessfulStatus; any other
// answer, a network error or a timeout is FailedStatus. ApiAsync: the link
// stays PendingStatus (the effect returns actions.ErrPending) unless the
// callout fails; the provider later PATCHes the terminal status. The PATCH
// answers with the status after the callout, and diagnostic-info shows what
// the endpoint answered (or the error) and, to the definition's creator
// only, the request, whose URL, headers and body may hold credentials.
//
// Any authenticated user may POST a definition, and so choose where the
// server sends requests and read the answers in diagnostic-info. Without a
// [Config.Client] the callouts connect directly (no proxy) to public
// addresses only, never to loopback, private, link-local (cloud metadata)
// or other internal addresses, checked for every connection after name
// resolution. A host that calls its own network supplies a client that
// connects to its trusted providers only (see the example of Config).
//
// # Responses
//
// A Platform Action ([PlatformAction]) carries every property of its body:
// createdRecords (always empty: these links create no records) and
// executingUser, a [UserSummary] that [Config.UserSummary] fills in. An
// Action Link Definition ([ActionLinkDefinition]) has label (null: there
// are no templates) and the action type as type; its url is the server's
// addition.
//
// # Errors
//
// Errors are the Connect error array with 400 (JSON_PARSER_ERROR,
// REQUIRED_FIELD_MISSING, INVALID_API_INPUT, STRING_TOO_LONG for a field
// over its limit, LIMIT_EXCEEDED for a user with too many definitions,
// INVALID_ID_FIELD for a malformed id or one of another object type,
// INVALID_OPERATION for a refused status change, DUPLICATE_VALUE for a
// group or link id that Config.NewID made and that is taken, as Salesforce
// answers a duplicate), 401 (INVALID_SESSION_ID),
// 403 (INSUFFICIENT_ACCESS: a group definition read or deleted by another
// user than its creator, or a user Config.Authenticate forbids), 404
// (NOT_FOUND), 405, 409 (UNABLE_TO_LOCK_ROW, when a link keeps changing
// under a request) and 500 (UNKNOWN_EXCEPTION: a store that fails, an error
// or a panic of a Config function; logged through [Config.Logger], a panic
// with its stack).
// Salesforce documents the array and the statuses, not the codes of the
// action link rules: INVALID_OPERATION, STRING_TOO_LONG and LIMIT_EXCEEDED
// are Salesforce codes this server chose for them.
//
// # Concurrency
//
// A Handler is safe for concurrent use, and so must its stores be.
package salesforce
