package openproject_test

import (
	"net/http/httptest"
	"strings"
	"testing"
)

// TestAuthenticationScheme: a client may ask for another challenge than
// Basic with X-Authentication-Scheme, as OpenProject's own front end does to
// keep browsers from prompting; the value must name one of the API's
// schemes exactly (lib/open_project/authentication.rb,
// WWWAuthenticate.pick_auth_scheme; spec/requests/api/v3/authentication_spec.rb
// 'with invalid credentials an X-Authentication-Scheme "Session"'). A refused
// Bearer token keeps OAuth's challenge.
func TestAuthenticationScheme(t *testing.T) {
	tests := []struct {
		name   string
		auth   string
		scheme string
	}{
		{"auth session without credentials", "", "Session"},
		{"auth session with bad credentials", "Basic " + basic("apikey", "op-nobody"), "Session"},
		{"auth session is matched exactly", "Basic " + basic("apikey", "op-nobody"), "session"},
		{"auth session with a refused bearer token", "Bearer op-nobody", "Session"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			r := httptest.NewRequest("GET", "/api/v3/work_packages/42", nil)
			if tt.auth != "" {
				r.Header.Set("Authorization", tt.auth)
			}
			r.Header.Set("X-Authentication-Scheme", tt.scheme)
			w := httptest.NewRecorder()
			f.handler.ServeHTTP(w, r)
			if w.Code != 401 {
				t.Errorf("status = %d, want 401", w.Code)
			}
			golden(t, strings.ReplaceAll(tt.name, " ", "_"), dump(t, w.Result()))
		})
	}
}
