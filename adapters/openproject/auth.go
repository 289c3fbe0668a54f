package openproject

import (
	"net/http"
	"strings"
)

// APIKey returns the API token a request carries the ways OpenProject
// accepts one: HTTP Basic with the user name "apikey" and the token as the
// password, or "Authorization: Bearer <token>". Hosts call it from
// Config.Authenticate and look the token up; comparing tokens is theirs to
// do (in constant time, against hashes, ...).
func APIKey(r *http.Request) (token string, ok bool) {
	if user, pass, basic := r.BasicAuth(); basic {
		if user != "apikey" || pass == "" {
			return "", false
		}
		return pass, true
	}
	scheme, token, found := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	if !found || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}
