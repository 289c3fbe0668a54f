// Package httpx is the machinery the HTTP adapters of this module share,
// so that each of them (openproject, akana, salesforce, workfront) has the
// same shape: the same authentication hook and refusals, the same options
// with the same zero values, the same handling of panics and of 500s, and
// one strict JSON decoder, one retry loop and one way to collect problems.
// It is internal: hosts see it only through what the adapters re-export.
//
// # Authentication
//
// Every adapter's Config has
//
//	Authenticate func(r *http.Request) (actions.Actor, error)
//
// run through [Authenticate]: nil treats every request as carrying no
// credentials, and the function's refusals are [ErrNoCredentials] (no
// credentials the API reads), [ErrBadCredentials] (credentials it refuses)
// and an error matching [actions.ErrForbidden] (authenticated, but not
// allowed to use the API). Each adapter answers these as its vendor does
// and re-exports the two sentinels, which are the same values in every
// adapter: a host that mounts two adapters writes its user lookup once. An
// actor without an ID counts as ErrBadCredentials (deny by default); any
// other error is a [HostError], a 500. Each adapter has a helper that
// reads its vendor's credentials from a request and returns these
// sentinels (openproject.APIKey, akana.AuthToken, salesforce.BearerToken,
// workfront.ReadCredentials), built on [BearerToken] where the vendor
// sends a token in the Authorization header.
//
// # Options
//
// The options the adapters share have one name and one meaning each:
//
//	MaxBodyBytes int64        0: the adapter's DefaultMaxBodyBytes; negative: an error of New ([Limit])
//	MaxRetries   int          0: the adapter's DefaultMaxRetries; negative: no retry ([Retries])
//	Logger       *slog.Logger nil: slog.Default() ([Logger])
//
// MaxBodyBytes is in the adapters that read a body (not workfront: its
// requests are GETs), MaxRetries in those that execute at the version they
// load because the vendor sends none (akana, workfront) or that retry a
// status change that lost a race (salesforce); openproject's clients send
// the lockVersion, and a conflict is theirs to retry (409). Every other
// size, count or duration follows the rule of MaxBodyBytes ([Limit]:
// openproject's MaxPageSize, salesforce's CalloutTimeout and Limits).
//
// # Errors, panics and 500s
//
// Each adapter maps errors to its vendor's statuses and bodies in one
// function. Its ServeHTTP defers [Recover], which turns a panic of host
// code (a hook, a store) into a [PanicError] for that function; its 500
// branch logs through [LogInternal], so that every 500, a panic's
// included, is one log line with the method, the path and the cause (and
// the stack of a panic). Effects run by the engine are recovered by the
// engine itself.
//
// # A fifth adapter
//
// Copy adapters/workfront, the smallest of the four: a doc.go that lists
// the endpoints, the authentication and the status table; a Config[T]
// whose zero value denies every request, with Authenticate, Logger and,
// where they apply, MaxBodyBytes and MaxRetries, defaulted in New with
// [Limit], [Retries] and [Logger]; a credential helper for the
// vendor's scheme that returns [ErrNoCredentials] and [ErrBadCredentials];
// a private http.ServeMux with method-and-path patterns whose handlers
// call [Authenticate] first; a ServeHTTP that defers [Recover]; one
// function that writes every error in the vendor's shape, whose default
// branch is a 500 logged with [LogInternal]; request bodies decoded with
// [DecodeJSON] within the body limit; executions at the version the
// adapter loads retried with [Retry] when the vendor sends no version.
// Its tests compare whole responses with golden files through package
// adapters/internal/adaptertest (go test -update rewrites them), test a hook
// that panics (the vendor's 500 and the log line), and fuzz every body the
// adapter parses.
package httpx
