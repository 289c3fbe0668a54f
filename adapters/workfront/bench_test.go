package workfront_test

import (
	"net/http"
	"testing"

	"github.com/actionable-go/actionable/actions"
	"github.com/actionable-go/actionable/adapters/workfront"
)

// BenchmarkHandler serves GET /serviceInfo through the handler:
//
//	go test -run '^$' -bench Handler -benchmem ./adapters/workfront/
func BenchmarkHandler(b *testing.B) {
	h := newHandler(b, newEngine(b, actions.NewMemoryStore[Doc]()), workfront.Config[Doc]{Authenticate: authenticate})
	b.Run("GET_serviceInfo", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if w := serve(h, http.MethodGet, "/serviceInfo", nil); w.Code != http.StatusOK {
				b.Fatalf("status %d: %s", w.Code, w.Body)
			}
		}
	})
}
