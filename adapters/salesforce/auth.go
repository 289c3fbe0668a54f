package salesforce

import (
	"net/http"

	"github.com/actionable-go/actionable/adapters/internal/httpx"
)

// The refusals of Config.Authenticate, both answered 401
// INVALID_SESSION_ID "Session expired or invalid", as Salesforce answers a
// missing and an invalid session alike. They are the same values in every
// adapter of this module (openproject, akana, workfront), so that one user
// lookup serves them all.
var (
	// ErrNoCredentials: the request carries no access token.
	ErrNoCredentials = httpx.ErrNoCredentials
	// ErrBadCredentials: the token is unknown, expired or revoked.
	ErrBadCredentials = httpx.ErrBadCredentials
)

// BearerToken returns the access token of the request's
// "Authorization: Bearer <token>" header (or "OAuth <token>", which
// Salesforce accepts too), for Config.Authenticate to look up. A request
// without one is ErrNoCredentials.
func BearerToken(r *http.Request) (string, error) {
	token, ok := httpx.BearerToken(r, "Bearer", "OAuth")
	if !ok {
		return "", ErrNoCredentials
	}
	return token, nil
}
