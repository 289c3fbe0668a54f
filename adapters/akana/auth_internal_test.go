package akana

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestAuthTokenIsCookie checks that AuthToken reads what r.Cookie reads,
// for Cookie headers of one cookie (which it reads itself) and others.
func TestAuthTokenIsCookie(t *testing.T) {
	values := []string{
		"", "akana-admin", `"akana-admin"`, `"`, `""`, `"a`, `a"`, " akana-admin", "akana admin", "a=b", "a\\b",
		"a\x7fb", "a\x1fb", "ünï", "a,b",
	}
	names := []string{
		"AtmoAuthToken_acmepaymentscorp", " AtmoAuthToken_acmepaymentscorp ", "AtmoAuthToken_acmepaymentscorp\t",
		"atmoauthtoken_acmepaymentscorp", "AtmoAuthToken_other", "AtmoAuthToken_acmepaymentscorp x", "",
		"AtmoAuthToken_acme payments", // not a token: no cookie has that name
	}
	var headers [][]string
	for _, n := range names {
		for _, v := range values {
			headers = append(headers, []string{n + "=" + v}, []string{" " + n + "=" + v + " "}, []string{n + "=" + v + "; other=1"},
				[]string{"other=1", n + "=" + v})
		}
		headers = append(headers, []string{n})
	}
	headers = append(headers, nil, []string{""}, []string{" "}, []string{";"}, []string{"="})
	for _, fed := range []string{"acmepaymentscorp", "", "acme payments", "other"} {
		for _, h := range headers {
			r := httptest.NewRequest(http.MethodGet, "/api/workflow/objects/discussion10121.acmepaymentscorp/actions", nil)
			r.SetPathValue("ObjectID", "discussion10121.acmepaymentscorp")
			r.Header["Cookie"] = h
			got, gotErr := AuthToken(r, fed)
			want, wantErr := "", ErrNoCredentials
			tfed := fed
			if tfed == "" {
				tfed = "acmepaymentscorp"
			}
			if c, err := r.Cookie("AtmoAuthToken_" + tfed); err == nil && c.Value != "" {
				want, wantErr = c.Value, nil
			}
			if got != want || gotErr != wantErr {
				t.Errorf("AuthToken(Cookie %q, %q) = %q, %v; r.Cookie reads %q, %v", h, fed, got, gotErr, want, wantErr)
			}
		}
	}
}
