package openproject

import (
	"net/http"

	"github.com/actionable-go/actionable/adapters/internal/httpx"
)

// The two refusals Config.Authenticate reports, which OpenProject answers
// differently (spec/requests/api/v3/authentication_spec.rb). Both are a 401
// Unauthenticated; an error matching actions.ErrForbidden is a 403
// MissingPermission, and any other error a 500, logged. They are the same
// values in every adapter of this module (akana, salesforce, workfront), so
// that one user lookup serves them all.
var (
	// ErrNoCredentials: the request carries no credentials the API reads
	// (no Authorization header, or one that is neither Basic nor a Bearer
	// token). OpenProject: "You need to be authenticated to access this
	// resource.", WWW-Authenticate: Basic realm="OpenProject API".
	ErrNoCredentials = httpx.ErrNoCredentials

	// ErrBadCredentials: the request carries credentials and they are
	// refused (an unknown or revoked token, a Basic user other than
	// "apikey", an empty password). OpenProject: "You did not provide the
	// correct credentials."; a refused Bearer token is answered with
	// WWW-Authenticate: Bearer realm="OpenProject API" error="invalid_token".
	ErrBadCredentials = httpx.ErrBadCredentials
)

// APIKey returns the API token a request carries the ways OpenProject
// accepts one: HTTP Basic with the user name "apikey" and the token as the
// password, or "Authorization: Bearer <token>". Hosts call it from
// Config.Authenticate and look the token up; comparing tokens is theirs to
// do (in constant time, against hashes, ...), and a token they do not know
// is ErrBadCredentials.
//
// The error is ErrNoCredentials when the request carries no Basic
// credentials and no Bearer token, and ErrBadCredentials for Basic
// credentials that cannot be an API key (another user name, an empty
// password): in OpenProject, any Basic header that does not authenticate is
// a failure, not an anonymous request (config/initializers/warden.rb, the
// basic_auth_failure strategy).
func APIKey(r *http.Request) (token string, err error) {
	if user, pass, basic := r.BasicAuth(); basic {
		if user != "apikey" || pass == "" {
			return "", ErrBadCredentials
		}
		return pass, nil
	}
	token, ok := httpx.BearerToken(r, "Bearer")
	if !ok {
		return "", ErrNoCredentials
	}
	return token, nil
}

// realm is the realm of every challenge
// (lib/open_project/authentication.rb, WWWAuthenticate.default_realm).
const realm = `realm="OpenProject API"`

// challenge is the WWW-Authenticate value of a 401. A refused Bearer token
// gets OAuth's challenge (authentication_spec.rb, "oauth": equal to
// `Bearer realm="OpenProject API" error="invalid_token"`); otherwise the
// scheme is Basic, or Session when the client asks for it with
// X-Authentication-Scheme, as OpenProject's own front end does
// (WWWAuthenticate.pick_auth_scheme: an exact match among the schemes of the
// API's strategies).
func challenge(r *http.Request, bad bool) string {
	if _, bearer := httpx.BearerToken(r, "Bearer"); bad && bearer {
		return "Bearer " + realm + ` error="invalid_token"`
	}
	scheme := "Basic"
	if r.Header.Get("X-Authentication-Scheme") == "Session" {
		scheme = "Session"
	}
	return scheme + " " + realm
}
