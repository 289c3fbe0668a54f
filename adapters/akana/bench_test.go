package akana_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkHandler serves GET .../actions through the handler, with the
// fixture of the tests:
//
//	go test -run '^$' -bench Handler -benchmem ./adapters/akana/
func BenchmarkHandler(b *testing.B) {
	fx := newFixture(b, fixtureConfig{})
	for _, accept := range []string{"application/json", "application/xml"} {
		b.Run("GET_actions/"+accept, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				r := httptest.NewRequest(http.MethodGet, "/api/workflow/objects/"+discussion10121+"/actions", nil)
				r.Header.Set("Cookie", adminAuth)
				r.Header.Set("Accept", accept)
				w := httptest.NewRecorder()
				fx.h.ServeHTTP(w, r)
				if w.Code != http.StatusOK {
					b.Fatalf("status %d: %s", w.Code, w.Body)
				}
			}
		})
	}
}
