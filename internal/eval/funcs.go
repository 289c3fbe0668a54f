package eval

import (
	"slices"
	"time"

	"github.com/expr-lang/expr"
)

const day = 24 * time.Hour

// builtins returns the functions business rules need beyond expr's own. The
// clock is read through now so that tests can pin it with WithClock.
//
//	now() time.Time                       the clock's current time
//	days(n int) time.Duration             n×24h, for date arithmetic: now() - days(3)
//	hours(n int) time.Duration            n hours
//	daysSince(t time.Time) int            whole days from t to now (negative if t is ahead)
//	daysUntil(t time.Time) int            whole days from now to t
//	hasAny(list []string, v ...string)    some v is in list (an actor's roles, say)
//	hasAll(list []string, v ...string)    every v is in list
func builtins(now func() time.Time) []expr.Option {
	return []expr.Option{
		expr.DisableBuiltin("now"),
		expr.Function("now", func(...any) (any, error) { return now(), nil }, new(func() time.Time)),
		expr.Function("days", func(a ...any) (any, error) { return time.Duration(a[0].(int)) * day, nil }, new(func(int) time.Duration)),
		expr.Function("hours", func(a ...any) (any, error) { return time.Duration(a[0].(int)) * time.Hour, nil }, new(func(int) time.Duration)),
		expr.Function("daysSince", func(a ...any) (any, error) { return int(now().Sub(a[0].(time.Time)) / day), nil }, new(func(time.Time) int)),
		expr.Function("daysUntil", func(a ...any) (any, error) { return int(a[0].(time.Time).Sub(now()) / day), nil }, new(func(time.Time) int)),
		expr.Function("hasAny", func(a ...any) (any, error) {
			list := a[0].([]string)
			for _, v := range a[1:] {
				if slices.Contains(list, v.(string)) {
					return true, nil
				}
			}
			return false, nil
		}, new(func([]string, ...string) bool)),
		expr.Function("hasAll", func(a ...any) (any, error) {
			list := a[0].([]string)
			for _, v := range a[1:] {
				if !slices.Contains(list, v.(string)) {
					return false, nil
				}
			}
			return true, nil
		}, new(func([]string, ...string) bool)),
	}
}
