package httpx

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
)

// HostError is an error of a host's function that is not one of the
// refusals it may return: the adapters answer it with their 500 and log
// it. It does not unwrap, on purpose: a host error wrapping a sentinel of
// the core (a user directory answering actions.ErrNotFound, say) must not
// be answered as the adapter's own not-found.
type HostError struct {
	Hook string // the function: "Authenticate", "CSRFToken", ...
	Err  error
}

// Error names the function and its error.
func (e *HostError) Error() string { return e.Hook + ": " + e.Err.Error() }

// PanicError is a panic of host code that [Recover] stopped. Like
// HostError it does not unwrap: whatever was thrown, the answer is a 500.
type PanicError struct {
	Value any    // what was thrown
	Stack []byte // the goroutine's stack where it was thrown
}

// Error says what was thrown.
func (e *PanicError) Error() string { return fmt.Sprintf("panic: %v", e.Value) }

// Recover is deferred by an adapter's ServeHTTP: a panic below it (in a
// hook, a store, or the adapter itself) is handed to fail as a
// *PanicError, which fail answers with the vendor's 500, and the server
// goes on serving. http.ErrAbortHandler, which aborts a response on
// purpose, is thrown on.
//
//	func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
//		defer httpx.Recover(func(err error) { h.writeError(w, r, err) })
//		h.mux.ServeHTTP(w, r)
//	}
func Recover(fail func(err error)) {
	v := recover()
	if v == nil {
		return
	}
	if v == http.ErrAbortHandler {
		panic(v)
	}
	fail(&PanicError{Value: v, Stack: debug.Stack()})
}

// LogInternal logs err, the cause of a 500, at level Error: msg, the
// request's method and path (not its query or headers, which may carry
// credentials), the error, and for a *PanicError the stack. An error that
// is the request's own context ending (its client went away, or the
// server is shutting down) is no fault of the server's: it is logged at
// level Info, as "<msg's prefix>: request ended before its answer".
func LogInternal(ctx context.Context, log *slog.Logger, msg string, r *http.Request, err error) {
	attrs := []any{"method", r.Method, "path", r.URL.Path, "error", err}
	if done := r.Context().Err(); done != nil && errors.Is(err, done) {
		prefix, _, _ := strings.Cut(msg, ": ")
		log.InfoContext(ctx, prefix+": request ended before its answer", attrs...)
		return
	}
	var pe *PanicError
	if errors.As(err, &pe) {
		attrs = append(attrs, "stack", string(pe.Stack))
	}
	log.ErrorContext(ctx, msg, attrs...)
}
