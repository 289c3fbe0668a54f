package console

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
)

// csrfField is the form field that carries the CSRF token.
const csrfField = "csrf"

// csrfKey signs CSRF tokens. A token is bound to the id of the actor the
// host authorized: a page of another site cannot read it (the console's
// pages are same-origin and cannot be framed), and a token taken from one
// user's page is worth nothing in another's request.
type csrfKey []byte

// token returns the CSRF token of the actor with id.
func (k csrfKey) token(id string) string {
	m := hmac.New(sha256.New, k)
	m.Write([]byte("actionable console csrf\x00"))
	m.Write([]byte(id))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// valid reports whether got is the CSRF token of the actor with id.
func (k csrfKey) valid(id, got string) bool {
	return got != "" && hmac.Equal([]byte(k.token(id)), []byte(got))
}
