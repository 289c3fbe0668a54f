package salesforce_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/actionable-go/actionable/actions"
	"github.com/actionable-go/actionable/adapters/internal/adaptertest"
	"github.com/actionable-go/actionable/adapters/salesforce"
)

// trap panics once when armed.
type trap struct{ armed atomic.Bool }

func (tr *trap) spring() {
	if tr.armed.Swap(false) {
		panic("boom")
	}
}

// TestPanics: a panic of the host's code (a Config function) is answered
// 500 UNKNOWN_EXCEPTION in the error array, logged with its stack, and the
// handler goes on serving.
func TestPanics(t *testing.T) {
	tests := []struct {
		name               string
		configure          func(c *salesforce.Config, tr *trap)
		method, path, body string
		wantAgain          int // the status of the same request once the hook returns
	}{
		{"Authenticate", func(c *salesforce.Config, tr *trap) {
			c.Authenticate = func(r *http.Request) (actions.Actor, error) { tr.spring(); return authenticate(r) }
		}, "GET", "/connect/action-links/{id}", "", http.StatusOK},
		{"Variables", func(c *salesforce.Config, tr *trap) {
			vars := c.Variables
			c.Variables = func(r *http.Request) salesforce.Variables { tr.spring(); return vars(r) }
		}, "PATCH", "/connect/action-links/{id}", `{"status":"PendingStatus"}`, http.StatusOK},
		{"UserSummary", func(c *salesforce.Config, tr *trap) {
			c.UserSummary = func(ctx context.Context, id string) (salesforce.UserSummary, error) {
				tr.spring()
				return userSummary(ctx, id)
			}
		}, "PATCH", "/connect/action-links/{id}", `{"status":"PendingStatus"}`, http.StatusOK},
		{"NewID", func(c *salesforce.Config, tr *trap) {
			newID := c.NewID
			c.NewID = func(prefix string) string { tr.spring(); return newID(prefix) }
		}, "POST", "/connect/action-link-group-definitions", `{"category":"Primary","executionsAllowed":"Once","expirationDate":"2026-12-31T00:00:00.000Z",
			"actionLinks":[{"actionType":"Ui","actionUrl":"https://a.example","method":"HttpGet","labelKey":"View","requiresConfirmation":false}]}`, http.StatusCreated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var tr trap
			log, lines := adaptertest.NewLogger()
			e := newEnv(t, func(c *salesforce.Config) {
				tt.configure(c, &tr)
				c.Logger = log
			})
			path := strings.ReplaceAll(tt.path, "{id}", e.oneLink("Once", "Ui", "HttpGet", "https://a.example", ""))
			tr.armed.Store(true)
			code, body := e.do(tt.method, path, "sf-alice", tt.body)
			if code != http.StatusInternalServerError {
				t.Errorf("status = %d, want 500", code)
			}
			golden(t, "panic.golden", pretty(t, body))
			want := `level=ERROR msg="salesforce: internal error" method=` + tt.method + ` path=` + path + ` error="panic: boom" stack=…` + "\n"
			if got := lines.String(); got != want {
				t.Errorf("log = %q, want %q", got, want)
			}
			if code, body := e.do(tt.method, path, "sf-alice", tt.body); code != tt.wantAgain {
				t.Errorf("the request again: status %d, want %d: %s", code, tt.wantAgain, body)
			}
		})
	}
}

// TestAuthenticateRefusals: the refusals every adapter's Authenticate may
// return, as Salesforce answers them.
//
// Source: Connect REST API Developer Guide, Status Codes and Error
// Responses (401: the session ID or OAuth token has expired or is invalid;
// 403: the request has been refused).
func TestAuthenticateRefusals(t *testing.T) {
	tests := []struct {
		name string
		auth func(*http.Request) (actions.Actor, error)
		want int
	}{
		{"no credentials", func(*http.Request) (actions.Actor, error) { return actions.Actor{}, salesforce.ErrNoCredentials }, http.StatusUnauthorized},
		{"bad credentials", func(*http.Request) (actions.Actor, error) {
			return actions.Actor{}, fmt.Errorf("token revoked: %w", salesforce.ErrBadCredentials)
		}, http.StatusUnauthorized},
		{"no actor id", func(*http.Request) (actions.Actor, error) { return actions.Actor{Name: "Alice"}, nil }, http.StatusUnauthorized},
		{"forbidden", func(*http.Request) (actions.Actor, error) {
			return actions.Actor{}, fmt.Errorf("API not enabled for the user: %w", actions.ErrForbidden)
		}, http.StatusForbidden},
		{"fails", func(*http.Request) (actions.Actor, error) {
			return actions.Actor{}, fmt.Errorf("directory: %w", actions.ErrNotFound) // not the resource's 404
		}, http.StatusInternalServerError},
		{"nil", nil, http.StatusUnauthorized},
	}
	var tr transcript
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, func(c *salesforce.Config) { c.Authenticate = tt.auth })
			code, body := e.do("GET", "/connect/action-links/0An000000000001AAA", "sf-alice", "")
			if code != tt.want {
				t.Errorf("status %d, want %d: %s", code, tt.want, body)
			}
			tr.add(t, tt.name, code, body)
		})
	}
	golden(t, "authenticate.golden", tr.b.String())
}

func TestBearerToken(t *testing.T) {
	tests := []struct {
		header, want string
		wantErr      error
	}{
		{"Bearer 00Dx!AQ4", "00Dx!AQ4", nil},
		{"OAuth 00Dx!AQ4", "00Dx!AQ4", nil},
		{"Basic YTpi", "", salesforce.ErrNoCredentials},
		{"Bearer", "", salesforce.ErrNoCredentials},
		{"", "", salesforce.ErrNoCredentials},
	}
	for _, tt := range tests {
		r, _ := http.NewRequest("GET", "/", nil)
		r.Header.Set("Authorization", tt.header)
		got, err := salesforce.BearerToken(r)
		if got != tt.want || !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
			t.Errorf("BearerToken(%q) = %q, %v; want %q, %v", tt.header, got, err, tt.want, tt.wantErr)
		}
	}
}

// TestMaxRetries: a PATCH that meets a concurrent change is retried
// against the link as it is then, Config.MaxRetries times.
func TestMaxRetries(t *testing.T) {
	tests := []struct {
		name      string
		retries   int
		conflicts int32
		want      int
	}{
		{"default, within", 0, salesforce.DefaultMaxRetries, http.StatusOK},
		{"default, beyond", 0, salesforce.DefaultMaxRetries + 1, http.StatusConflict},
		{"one", 1, 1, http.StatusOK},
		{"none", -1, 1, http.StatusConflict},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			links := adaptertest.NewConflictingStore(actions.NewMemoryStore[salesforce.Link](), 0)
			e := newEnv(t, func(c *salesforce.Config) {
				c.Stores.Links = links
				c.MaxRetries = tt.retries
			})
			id := e.oneLink("Once", "Ui", "HttpGet", "https://a.example", "")
			links.Conflicts.Store(tt.conflicts)
			if code, body := e.do("PATCH", "/connect/action-links/"+id, "sf-alice", `{"status":"PendingStatus"}`); code != tt.want {
				t.Errorf("status %d, want %d: %s", code, tt.want, body)
			}
		})
	}
}

// TestNewRefusesNegativeOptions: a negative size, count or duration is a
// mistake.
func TestNewRefusesNegativeOptions(t *testing.T) {
	tests := []struct {
		name string
		cfg  salesforce.Config
		want string
	}{
		{"body limit", salesforce.Config{MaxBodyBytes: -1}, "salesforce: MaxBodyBytes must not be negative, got -1"},
		{"callout timeout", salesforce.Config{CalloutTimeout: -time.Second}, "salesforce: CalloutTimeout must not be negative, got -1s"},
		{"a limit", salesforce.Config{Limits: salesforce.Limits{Headers: -1}}, "salesforce: Limits.Headers must not be negative, got -1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.cfg.Stores = salesforce.NewMemoryStores()
			_, err := salesforce.New(tt.cfg)
			if err == nil || err.Error() != tt.want {
				t.Errorf("New: %v, want %q", err, tt.want)
			}
		})
	}
}
