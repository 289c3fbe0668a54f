package akana_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/actionable-go/actionable/actions"
	"github.com/actionable-go/actionable/adapters/akana"
	"github.com/actionable-go/actionable/adapters/internal/adaptertest"
)

// panickyStore panics in its first Load.
type panickyStore struct {
	*actions.MemoryStore[Object]
	thrown *atomic.Bool
}

func (s panickyStore) Load(ctx context.Context, id string) (Object, int64, error) {
	if !s.thrown.Swap(true) {
		panic("boom")
	}
	return s.MemoryStore.Load(ctx, id)
}

// TestPanics: a panic of the host's code (a Config function, the store)
// is answered 500 in the error shape of the negotiated media type, logged
// with its stack, and the handler goes on serving.
func TestPanics(t *testing.T) {
	tests := []struct {
		name string
		cfg  func(boom func()) fixtureConfig
		exchange
	}{
		{"Authenticate", func(boom func()) fixtureConfig {
			return fixtureConfig{cfg: akana.Config{Authenticate: func(r *http.Request) (actions.Actor, error) { boom(); return authenticate(r) }}}
		}, exchange{method: "GET", header: hdr("Cookie", adminAuth), wantStatus: 500, wantType: typeJSON, golden: "error-500.json"}},
		{"CSRFToken", func(boom func()) fixtureConfig {
			return fixtureConfig{cfg: akana.Config{CSRFToken: func(r *http.Request, a actions.Actor) (string, error) { boom(); return csrfToken(r, a) }}}
		}, exchange{method: "POST", header: hdr("Cookie", adminAuth, csrfHeader, "akana-admin", "Content-Type", typeXML),
			body: "<Action><ActionName>discussion.action.unpublish</ActionName></Action>", wantStatus: 500, wantType: typeXML, golden: "error-500.xml"}},
		{"the store", func(func()) fixtureConfig {
			var thrown atomic.Bool
			return fixtureConfig{store: func(m *actions.MemoryStore[Object]) actions.Store[Object] {
				return panickyStore{MemoryStore: m, thrown: &thrown}
			}}
		}, exchange{method: "GET", header: hdr("Cookie", adminAuth, "Accept", typeXML), wantStatus: 500, wantType: typeXML, golden: "error-500.xml"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var thrown atomic.Bool // the first call panics, the next ones return
			cfg := tt.cfg(func() {
				if !thrown.Swap(true) {
					panic("boom")
				}
			})
			log, lines := adaptertest.NewLogger()
			cfg.cfg.Logger = log
			f := newFixture(t, cfg)
			tt.target = actionsURL(discussion11018)
			tt.stateOf, tt.wantState = discussion11018, "Published"
			f.check(t, tt.exchange)
			want := `level=ERROR msg="akana: internal error" method=` + tt.method + ` path=` + tt.target + ` error="panic: boom" stack=…` + "\n"
			if got := lines.String(); got != want {
				t.Errorf("log = %q, want %q", got, want)
			}
			// Still serving: the same request, now that the hook returns.
			if res := f.do(t, tt.method, tt.target, tt.header, tt.body); res.StatusCode != http.StatusOK {
				t.Errorf("the request again: status %d, want 200", res.StatusCode)
			}
		})
	}
}

// TestAuthToken reads the login cookie, of the configured fedmember or of
// the ObjectID's tenant.
func TestAuthToken(t *testing.T) {
	tests := []struct {
		name, fedMember, cookie string
		want                    string
		wantErr                 error
	}{
		{"fedmember given", "acmepaymentscorp", "AtmoAuthToken_acmepaymentscorp=akana-admin", "akana-admin", nil},
		{"fedmember of the ObjectID", "", "AtmoAuthToken_acmepaymentscorp=akana-admin", "akana-admin", nil},
		{"another fedmember's cookie", "otherfed", "AtmoAuthToken_acmepaymentscorp=akana-admin", "", akana.ErrNoCredentials},
		{"no cookie", "acmepaymentscorp", "", "", akana.ErrNoCredentials},
		{"empty cookie", "acmepaymentscorp", "AtmoAuthToken_acmepaymentscorp=", "", akana.ErrNoCredentials},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got string
			var err error
			mux := http.NewServeMux() // AuthToken runs where Authenticate runs: with the path's values
			mux.HandleFunc("GET /api/workflow/objects/{ObjectID}/actions", func(_ http.ResponseWriter, r *http.Request) {
				got, err = akana.AuthToken(r, tt.fedMember)
			})
			r, _ := http.NewRequest("GET", actionsURL(discussion10121), nil)
			if tt.cookie != "" {
				r.Header.Set("Cookie", tt.cookie)
			}
			mux.ServeHTTP(httptest.NewRecorder(), r)
			if got != tt.want || err != tt.wantErr {
				t.Errorf("AuthToken = %q, %v; want %q, %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

// TestNilCSRFToken: without CSRFToken, CSRF protection refuses every POST.
func TestNilCSRFToken(t *testing.T) {
	wf, err := akana.NewWorkflows(akana.Fields{}, testWorkflows)
	if err != nil {
		t.Fatal(err)
	}
	store := actions.NewMemoryStore[Object]()
	if _, err := store.Create(context.Background(), discussion11018, testObjects[discussion11018]); err != nil {
		t.Fatal(err)
	}
	engine, err := actions.New(actions.MustCompile[Object](wf.Definitions()), store)
	if err != nil {
		t.Fatal(err)
	}
	h, err := akana.New(engine, wf, akana.Config{Authenticate: authenticate})
	if err != nil {
		t.Fatal(err)
	}
	f := fixture{h: h, store: store}
	f.check(t, exchange{method: "POST", target: actionsURL(discussion11018),
		header: hdr("Cookie", adminAuth, csrfHeader, "akana-admin", "Content-Type", typeJSON), body: `{"ActionName": "discussion.action.unpublish"}`,
		wantStatus: 401, wantType: typeJSON, golden: "error-401-csrf.json", stateOf: discussion11018, wantState: "Published"})
}
