package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// BenchmarkHotEndpoints serves the requests of bench/http (the endpoints
// its wrk runs measure) through the example server's handler, without the
// network: what the server itself spends on each, and its allocations.
//
//	go test -run '^$' -bench HotEndpoints -benchmem ./examples/server/
func BenchmarkHotEndpoints(b *testing.B) {
	h, err := newServer("../../testdata", nil)
	if err != nil {
		b.Fatal(err)
	}
	getOn := func(ctx context.Context, target string, header ...string) func() *http.Request {
		return func() *http.Request {
			r := httptest.NewRequestWithContext(ctx, http.MethodGet, target, nil)
			for i := 0; i < len(header); i += 2 {
				r.Header.Set(header[i], header[i+1])
			}
			return r
		}
	}
	get := func(target string, header ...string) func() *http.Request {
		return getOn(context.Background(), target, header...)
	}
	// A request the server accepted on its listener, as those of wrk are:
	// the Salesforce demo reads the address for {!communityUrl}.
	accepted := context.WithValue(context.Background(), http.LocalAddrContextKey,
		&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080})
	for _, bc := range []struct {
		name string
		req  func() *http.Request
	}{
		{"openproject/GET_work_package", get("/api/v3/work_packages/42", "Authorization", "Bearer op-member")},
		{"openproject/GET_custom_action", get("/api/v3/custom_actions/2", "Authorization", "Bearer op-member")},
		{"openproject/GET_collection", get("/api/v3/work_packages", "Authorization", "Bearer op-member")},
		{"akana/GET_actions", get("/api/workflow/objects/discussion10121.acmepaymentscorp/actions",
			"Cookie", "AtmoAuthToken_acmepaymentscorp=akana-admin", "Accept", "application/json")},
		{"salesforce/GET_action_link", getOn(accepted, "/services/data/v62.0/connect/action-links/0An000000000001AAA", "Authorization", "Bearer sf-alice")},
		{"workfront/GET_serviceInfo", get("/webhooks/serviceInfo")},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				w := httptest.NewRecorder()
				h.ServeHTTP(w, bc.req())
				if w.Code != http.StatusOK {
					b.Fatalf("status %d: %s", w.Code, w.Body)
				}
			}
		})
		// The yardstick of bench/http without the network: a handler that
		// writes the recorded answer, through the same request and
		// recorder, so that the difference is what the server spends.
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, bc.req())
		bare := bareAnswer(rec)
		b.Run("bare/"+bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				bare.ServeHTTP(httptest.NewRecorder(), bc.req())
			}
		})
	}
	// Custom action 2 applies to any work package; each execution saves a
	// new version, whose lockVersion the next request sends.
	lockVersion := regexp.MustCompile(`"lockVersion":(\d+)`)
	execute := func(lock int) *http.Request {
		body := fmt.Sprintf(`{"_links":{"workPackage":{"href":"/api/v3/work_packages/42"}},"lockVersion":%d}`, lock)
		r := httptest.NewRequest(http.MethodPost, "/api/v3/custom_actions/2/execute", strings.NewReader(body))
		r.Header.Set("Authorization", "Bearer op-admin")
		r.Header.Set("Content-Type", "application/json")
		return r
	}
	currentLock := func() int {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, get("/api/v3/work_packages/42", "Authorization", "Bearer op-admin")())
		m := lockVersion.FindSubmatch(w.Body.Bytes())
		lock, _ := strconv.Atoi(string(m[1]))
		return lock
	}
	b.Run("openproject/POST_execute", func(b *testing.B) {
		lock := currentLock()
		b.ReportAllocs()
		for b.Loop() {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, execute(lock))
			if w.Code != http.StatusOK {
				b.Fatalf("status %d: %s", w.Code, w.Body)
			}
			m := lockVersion.FindSubmatch(w.Body.Bytes())
			lock, _ = strconv.Atoi(string(m[1]))
		}
	})
	// The yardstick, as for the GETs: an answer of the server written to
	// the same request, whose body it leaves unread as bench/http's bare
	// does; it reads the lockVersion from the answer as the loop above.
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, execute(currentLock()))
	if rec.Code != http.StatusOK {
		b.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	bare := bareAnswer(rec)
	b.Run("bare/openproject/POST_execute", func(b *testing.B) {
		lock := 1
		b.ReportAllocs()
		for b.Loop() {
			w := httptest.NewRecorder()
			bare.ServeHTTP(w, execute(lock))
			m := lockVersion.FindSubmatch(w.Body.Bytes())
			lock, _ = strconv.Atoi(string(m[1]))
		}
	})
}

// bareAnswer is the yardstick handler: it writes the answer rec recorded,
// its headers and body with a 200, and does nothing else.
func bareAnswer(rec *httptest.ResponseRecorder) http.Handler {
	header, body := rec.Header().Clone(), rec.Body.Bytes()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for k, v := range header {
			w.Header().Set(k, v[0])
		}
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(body)
	})
}
