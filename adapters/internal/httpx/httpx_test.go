package httpx_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/actionable-go/actionable/actions"
	"github.com/actionable-go/actionable/adapters/internal/adaptertest"
	"github.com/actionable-go/actionable/adapters/internal/httpx"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestAuthenticate(t *testing.T) {
	alice := actions.Actor{ID: "alice"}
	returns := func(a actions.Actor, err error) func(*http.Request) (actions.Actor, error) {
		return func(*http.Request) (actions.Actor, error) { return a, err }
	}
	tests := []struct {
		name      string
		fn        func(*http.Request) (actions.Actor, error)
		want      actions.Actor
		wantErr   error
		wantHost  bool // a *HostError: the adapters' 500
		notUnwrap error
	}{
		{name: "no function", fn: nil, wantErr: httpx.ErrNoCredentials},
		{name: "accepted", fn: returns(alice, nil), want: alice},
		{name: "no credentials", fn: returns(alice, httpx.ErrNoCredentials), wantErr: httpx.ErrNoCredentials},
		{name: "bad credentials, wrapped", fn: returns(alice, fmt.Errorf("token expired: %w", httpx.ErrBadCredentials)), wantErr: httpx.ErrBadCredentials},
		{name: "forbidden", fn: returns(alice, fmt.Errorf("banned: %w", actions.ErrForbidden)), wantErr: actions.ErrForbidden},
		{name: "actor without an ID", fn: returns(actions.Actor{Permissions: []string{"*"}}, nil), wantErr: httpx.ErrBadCredentials},
		{name: "other error", fn: returns(alice, errors.New("directory down")), wantHost: true},
		{name: "other error wrapping a core sentinel", fn: returns(alice, fmt.Errorf("directory: %w", actions.ErrNotFound)),
			wantHost: true, notUnwrap: actions.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := httpx.Authenticate(httptest.NewRequest("GET", "/", nil), tt.fn)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("actor mismatch (-want +got):\n%s", diff)
			}
			var host *httpx.HostError
			switch {
			case tt.wantHost:
				if !errors.As(err, &host) || host.Hook != "Authenticate" {
					t.Errorf("err = %v, want a *HostError of Authenticate", err)
				}
			default:
				if diff := cmp.Diff(tt.wantErr, err, cmpopts.EquateErrors()); diff != "" {
					t.Errorf("err mismatch (-want +got):\n%s", diff)
				}
			}
			if tt.notUnwrap != nil && errors.Is(err, tt.notUnwrap) {
				t.Errorf("err = %v unwraps to %v", err, tt.notUnwrap)
			}
		})
	}
}

func TestBearerToken(t *testing.T) {
	tests := []struct {
		name, header string
		schemes      []string
		want         string
		ok           bool
	}{
		{"bearer", "Bearer t0k", []string{"Bearer"}, "t0k", true},
		{"scheme in any case, spaces trimmed", "bEARER   t0k ", []string{"Bearer"}, "t0k", true},
		{"second scheme", "OAuth t0k", []string{"Bearer", "OAuth"}, "t0k", true},
		{"other scheme", "Basic YTpi", []string{"Bearer"}, "", false},
		{"no token", "Bearer ", []string{"Bearer"}, "", false},
		{"scheme alone", "Bearer", []string{"Bearer"}, "", false},
		{"no header", "", []string{"Bearer"}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			if tt.header != "" {
				r.Header.Set("Authorization", tt.header)
			}
			got, ok := httpx.BearerToken(r, tt.schemes...)
			if got != tt.want || ok != tt.ok {
				t.Errorf("BearerToken = %q, %v; want %q, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestOptions(t *testing.T) {
	t.Run("Limit", func(t *testing.T) {
		tests := []struct {
			v, want int64
			wantErr string
		}{
			{0, 64, ""},
			{1, 1, ""},
			{1 << 30, 1 << 30, ""},
			{-1, 0, "x: MaxBodyBytes must not be negative, got -1"},
		}
		for _, tt := range tests {
			got, err := httpx.Limit("x", "MaxBodyBytes", tt.v, 64)
			gotErr := ""
			if err != nil {
				gotErr = err.Error()
			}
			if got != tt.want || gotErr != tt.wantErr {
				t.Errorf("Limit(%d) = %d, %q; want %d, %q", tt.v, got, gotErr, tt.want, tt.wantErr)
			}
		}
	})
	t.Run("Retries", func(t *testing.T) {
		for _, tt := range []struct{ v, want int }{{0, 3}, {1, 1}, {10, 10}, {-1, 0}, {-100, 0}} {
			if got := httpx.Retries(tt.v, 3); got != tt.want {
				t.Errorf("Retries(%d) = %d, want %d", tt.v, got, tt.want)
			}
		}
	})
	t.Run("Logger", func(t *testing.T) {
		if httpx.Logger(nil) != slog.Default() {
			t.Error("Logger(nil) is not slog.Default()")
		}
		l := slog.New(slog.DiscardHandler)
		if httpx.Logger(l) != l {
			t.Error("Logger(l) is not l")
		}
	})
}

func TestDecodeJSON(t *testing.T) {
	type body struct {
		Name string `json:"name"`
	}
	tests := []struct {
		name      string
		in        string
		want      body
		trailing  bool
		wantError string
	}{
		{name: "object", in: `{"name": "x"}`, want: body{Name: "x"}},
		{name: "white space after", in: "{\"name\": \"x\"}\n \t", want: body{Name: "x"}},
		{name: "another value after", in: `{"name": "x"} {}`, want: body{Name: "x"}, trailing: true,
			wantError: "unexpected data after the JSON value"},
		{name: "garbage after", in: `{"name": "x"} x`, want: body{Name: "x"}, trailing: true,
			wantError: "invalid character 'x' looking for beginning of value"},
		{name: "unknown field", in: `{"nom": "x"}`, wantError: `json: unknown field "nom"`},
		{name: "empty", in: ``, wantError: "EOF"},
		{name: "truncated", in: `{"name": `, wantError: "unexpected EOF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got body
			err := httpx.DecodeJSON(strings.NewReader(tt.in), &got)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("value mismatch (-want +got):\n%s", diff)
			}
			gotError := ""
			if err != nil {
				gotError = err.Error()
			}
			if gotError != tt.wantError {
				t.Errorf("err = %q, want %q", gotError, tt.wantError)
			}
			if errors.Is(err, httpx.ErrTrailingData) != tt.trailing {
				t.Errorf("errors.Is(%v, ErrTrailingData) = %v, want %v", err, !tt.trailing, tt.trailing)
			}
		})
	}
}

func TestRetry(t *testing.T) {
	conflict := fmt.Errorf("%w: simulated", actions.ErrConflict)
	effect := &actions.EffectError{Effect: "notify", Err: fmt.Errorf("crm: %w", actions.ErrConflict)}
	tests := []struct {
		name         string
		retries      int
		conflicts    int   // how many calls fail with a conflict first
		then         error // what the next call returns
		wantAttempts int
		wantErr      error
	}{
		{"no conflict", 3, 0, nil, 1, nil},
		{"conflicts within the retries", 3, 3, nil, 4, nil},
		{"conflicts beyond the retries", 3, 5, nil, 4, actions.ErrConflict},
		{"no retries", 0, 1, nil, 1, actions.ErrConflict},
		{"another error is not retried", 3, 1, actions.ErrForbidden, 2, actions.ErrForbidden},
		{"an effect that failed with a conflict is not retried", 3, 0, effect, 1, actions.ErrEffectFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls := 0
			attempts, err := httpx.Retry(tt.retries, func() error {
				calls++
				if calls <= tt.conflicts {
					return conflict
				}
				return tt.then
			})
			if attempts != tt.wantAttempts || calls != tt.wantAttempts {
				t.Errorf("attempts = %d (%d calls), want %d", attempts, calls, tt.wantAttempts)
			}
			if diff := cmp.Diff(tt.wantErr, err, cmpopts.EquateErrors()); diff != "" {
				t.Errorf("err mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// problem and problemsError are the shape of akana.Problem and
// akana.DefinitionError.
type problem struct{ msg string }

func (p problem) Error() string { return p.msg }

type problemsError struct {
	ps   []problem
	errs error
}

func (e *problemsError) Error() string { return e.errs.Error() }
func (e *problemsError) Unwrap() error { return e.errs }

func TestCollect(t *testing.T) {
	wrap := func(ps []problem, errs error) *problemsError { return &problemsError{ps: ps, errs: errs} }
	if err := httpx.Collect(nil, wrap); err != nil {
		t.Errorf("Collect(nil) = %#v, want nil (not a typed nil)", err)
	}
	ps := []problem{{"a is missing"}, {"b is not a number"}}
	err := httpx.Collect(ps, wrap)
	var pe *problemsError
	if !errors.As(err, &pe) {
		t.Fatalf("err = %v, want a *problemsError", err)
	}
	if diff := cmp.Diff(ps, pe.ps, cmp.AllowUnexported(problem{})); diff != "" {
		t.Errorf("problems mismatch (-want +got):\n%s", diff)
	}
	var p problem
	if !errors.As(err, &p) || p.msg != "a is missing" {
		t.Errorf("errors.As(err, problem) = %v, want the first problem", p)
	}
	if !strings.Contains(err.Error(), "2 errors occurred") {
		t.Errorf("err = %q, want go-multierror's list", err)
	}
}

func TestRecover(t *testing.T) {
	t.Run("a panic is handed over", func(t *testing.T) {
		var got error
		func() {
			defer httpx.Recover(func(err error) { got = err })
			panic(fmt.Errorf("boom: %w", actions.ErrNotFound))
		}()
		var pe *httpx.PanicError
		if !errors.As(got, &pe) || got.Error() != "panic: boom: actions: not found" {
			t.Fatalf("err = %v, want a *PanicError", got)
		}
		if errors.Is(got, actions.ErrNotFound) {
			t.Error("a panic unwraps to what it threw")
		}
		if !bytes.Contains(pe.Stack, []byte("TestRecover")) {
			t.Errorf("stack does not show where it was thrown:\n%s", pe.Stack)
		}
	})
	t.Run("no panic, no call", func(t *testing.T) {
		called := false
		func() {
			defer httpx.Recover(func(error) { called = true })
		}()
		if called {
			t.Error("fail was called without a panic")
		}
	})
	t.Run("ErrAbortHandler is thrown on", func(t *testing.T) {
		defer func() {
			if v := recover(); v != http.ErrAbortHandler {
				t.Errorf("recovered %v, want http.ErrAbortHandler", v)
			}
		}()
		func() {
			defer httpx.Recover(func(error) { t.Error("fail was called for ErrAbortHandler") })
			panic(http.ErrAbortHandler)
		}()
	})
}

func TestLogInternal(t *testing.T) {
	log, logs := adaptertest.NewLogger()
	r := httptest.NewRequest("GET", "/objects/1?apiKey=secret", nil)
	httpx.LogInternal(r.Context(), log, "x: internal error", r, errors.New("disk on fire"))
	httpx.LogInternal(r.Context(), log, "x: internal error", r, &httpx.PanicError{Value: "boom"})
	// The client went away: the evaluation it started was cancelled.
	ctx, cancel := context.WithCancel(r.Context())
	cancel()
	gone := r.WithContext(ctx)
	httpx.LogInternal(ctx, log, "x: internal error", gone, fmt.Errorf("condition: %w", context.Canceled))
	// A context error of something else, while the request lives, is the server's.
	httpx.LogInternal(r.Context(), log, "x: internal error", r, context.DeadlineExceeded)
	want := `level=ERROR msg="x: internal error" method=GET path=/objects/1 error="disk on fire"
level=ERROR msg="x: internal error" method=GET path=/objects/1 error="panic: boom" stack=…
level=INFO msg="x: request ended before its answer" method=GET path=/objects/1 error="condition: context canceled"
level=ERROR msg="x: internal error" method=GET path=/objects/1 error="context deadline exceeded"
`
	if diff := cmp.Diff(want, logs.String()); diff != "" {
		t.Errorf("log mismatch (-want +got):\n%s", diff)
	}
}

func TestAppendString(t *testing.T) {
	for _, s := range []string{"", "plain /api/v3?a=1&b=<2>", "quote \" back \\", "\x00\x1f\x7f", "tab\tnl\n", "\u2028\u2029", "ünï", "bad \xff\xfe utf-8"} {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(s); err != nil {
			t.Fatal(err)
		}
		got := httpx.AppendString([]byte("x"), s)
		if diff := cmp.Diff("x"+strings.TrimSuffix(want.String(), "\n"), string(got)); diff != "" {
			t.Errorf("%q mismatch (-want +got):\n%s", s, diff)
		}
	}
}

func TestEncoder(t *testing.T) {
	v := map[string]any{"html": "<a href=\"x\">&</a>", "n": 1.5, "list": []string{"ü", ""}}
	var want bytes.Buffer
	enc := json.NewEncoder(&want)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	for range 3 { // from the pool again: nothing of an earlier use shows
		e := httpx.NewEncoder()
		got, err := e.Encode(v)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want.String(), string(got)); diff != "" {
			t.Errorf("Encode (-want +got):\n%s", diff)
		}
		got, err = e.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(strings.TrimSuffix(want.String(), "\n"), string(got)); diff != "" {
			t.Errorf("Marshal (-want +got):\n%s", diff)
		}
		if _, err := e.Marshal(func() {}); err == nil {
			t.Error("Marshal of a func: no error")
		}
		e.Release()
	}
}
