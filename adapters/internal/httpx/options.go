package httpx

import (
	"fmt"
	"log/slog"
)

// Limit returns the value of the option name (a size, a count, a
// duration: MaxBodyBytes, say) set to v: def when v is 0, v when it is
// positive. A negative v is an error (of the adapter's New, prefixed with
// prefix): a limit below zero is a mistake, and no limit at all is not
// offered.
func Limit[N ~int | ~int64](prefix, name string, v, def N) (N, error) {
	switch {
	case v < 0:
		return 0, fmt.Errorf("%s: %s must not be negative, got %v", prefix, name, v)
	case v == 0:
		return def, nil
	}
	return v, nil
}

// Retries returns how many times a conflicting execution is retried for
// the option MaxRetries set to v: def when v is 0, none when v is
// negative, else v.
func Retries(v, def int) int {
	switch {
	case v < 0:
		return 0
	case v == 0:
		return def
	}
	return v
}

// Logger returns l, or slog.Default() when l is nil.
func Logger(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.Default()
	}
	return l
}
