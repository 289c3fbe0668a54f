package main

import (
	"net/http"
	"testing"
)

// demoHandler returns the example server's handler over the repository's
// demo data, as `go run ./examples/server` serves it.
func demoHandler(t *testing.T) http.Handler {
	t.Helper()
	h, err := newServer("../../testdata", nil)
	if err != nil {
		t.Fatal(err)
	}
	return h
}
