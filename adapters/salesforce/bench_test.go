package salesforce_test

import (
	"net/http"
	"testing"
)

// BenchmarkHandler serves GET .../action-links/{id} through the handler,
// with the environment of the tests:
//
//	go test -run '^$' -bench Handler -benchmem ./adapters/salesforce/
func BenchmarkHandler(b *testing.B) {
	e := newEnv(b)
	id := e.oneLink("Once", "Api", "HttpPost", urlOK, "")
	b.Run("GET_action_link", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if code, body := e.do(http.MethodGet, "/connect/action-links/"+id, "sf-alice", ""); code != http.StatusOK {
				b.Fatalf("status %d: %s", code, body)
			}
		}
	})
}
