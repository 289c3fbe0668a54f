package httpx

import (
	"errors"
	"net/http"
	"strings"

	"github.com/actionable-go/actionable/actions"
)

// The refusals of an Authenticate function, which every adapter
// re-exports and answers as its vendor does.
var (
	// ErrNoCredentials: the request carries no credentials the API reads.
	ErrNoCredentials = errors.New("adapters: no credentials")
	// ErrBadCredentials: the request carries credentials and they are
	// refused (unknown, expired, revoked, malformed).
	ErrBadCredentials = errors.New("adapters: bad credentials")
)

// Authenticate runs the host's function fn on r. It returns the actor,
// or one of the refusals: ErrNoCredentials when fn is nil or says so,
// ErrBadCredentials when fn says so or returns an actor without an ID, an
// error matching actions.ErrForbidden as fn returned it. Any other error of
// fn is a *HostError, which the adapters answer with a 500.
func Authenticate(r *http.Request, fn func(*http.Request) (actions.Actor, error)) (actions.Actor, error) {
	if fn == nil {
		return actions.Actor{}, ErrNoCredentials
	}
	actor, err := fn(r)
	switch {
	case errors.Is(err, ErrNoCredentials), errors.Is(err, ErrBadCredentials), errors.Is(err, actions.ErrForbidden):
		return actions.Actor{}, err
	case err != nil:
		return actions.Actor{}, &HostError{Hook: "Authenticate", Err: err}
	case actor.ID == "":
		return actions.Actor{}, ErrBadCredentials
	}
	return actor, nil
}

// BearerToken returns the token of an Authorization header
// "<scheme> <token>" whose scheme is one of schemes (matched without
// regard to case), and whether the request has one; a token is never
// empty.
func BearerToken(r *http.Request, schemes ...string) (string, bool) {
	scheme, token, found := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	if !found {
		return "", false
	}
	for _, s := range schemes {
		if strings.EqualFold(scheme, s) {
			token = strings.TrimSpace(token)
			return token, token != ""
		}
	}
	return "", false
}
