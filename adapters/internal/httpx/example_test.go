package httpx_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/actionable-go/actionable/actions"
	"github.com/actionable-go/actionable/adapters/internal/httpx"
)

// An adapter runs the host's Authenticate through httpx.Authenticate and
// answers the refusals in its vendor's words.
func ExampleAuthenticate() {
	tokens := map[string]actions.Actor{"t0k": {ID: "alice"}}
	authenticate := func(r *http.Request) (actions.Actor, error) {
		token, ok := httpx.BearerToken(r, "Bearer")
		if !ok {
			return actions.Actor{}, httpx.ErrNoCredentials
		}
		a, ok := tokens[token]
		if !ok {
			return actions.Actor{}, httpx.ErrBadCredentials
		}
		return a, nil
	}
	for _, header := range []string{"", "Bearer nope", "Bearer t0k"} {
		r := httptest.NewRequest("GET", "/", nil)
		if header != "" {
			r.Header.Set("Authorization", header)
		}
		actor, err := httpx.Authenticate(r, authenticate)
		switch {
		case errors.Is(err, httpx.ErrNoCredentials):
			fmt.Println("401: log in")
		case errors.Is(err, httpx.ErrBadCredentials):
			fmt.Println("401: wrong credentials")
		default:
			fmt.Println("200 for", actor.ID)
		}
	}
	// Output:
	// 401: log in
	// 401: wrong credentials
	// 200 for alice
}

// ServeHTTP defers Recover, so that a panic in a hook is the vendor's 500.
func ExampleRecover() {
	hook := func() { panic("the host's bug") }
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer httpx.Recover(func(err error) {
			http.Error(w, "internal error", http.StatusInternalServerError)
			fmt.Println("logged:", err)
		})
		hook()
	})
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
	fmt.Println(w.Code)
	// Output:
	// logged: panic: the host's bug
	// 500
}

// Retry executes at the version it loads, again after a conflict.
func ExampleRetry() {
	races := 2 // two concurrent changes win the race first
	attempts, err := httpx.Retry(3, func() error {
		if races > 0 {
			races--
			return actions.ErrConflict
		}
		return nil
	})
	fmt.Println(attempts, err)
	// Output: 3 <nil>
}
