package httpx

import (
	"errors"

	"github.com/actionable-go/actionable/actions"
	"github.com/hashicorp/go-multierror"
)

// Retry calls try until it returns anything but a version conflict
// (actions.ErrConflict), at most 1+retries times, and returns the number
// of calls and try's last error. An error matching actions.ErrEffectFailed
// is never retried, whatever its cause wraps: the action was saved, and
// trying again would apply it twice.
//
// It is how an adapter executes at the version it loads when its vendor
// sends none: try loads the object, checks it and executes at the version
// loaded, so that the action is always decided on the object as it is
// saved.
func Retry(retries int, try func() error) (attempts int, err error) {
	for {
		attempts++
		err = try()
		if attempts > retries || !errors.Is(err, actions.ErrConflict) || errors.Is(err, actions.ErrEffectFailed) {
			return attempts, err
		}
	}
}

// Collect returns nil when ps is empty, else wrap(ps, errs), where errs
// holds every problem, collected with go-multierror: the adapters' typed
// errors that list problems (akana.DefinitionError,
// salesforce.InputError) carry the problems as a slice for their callers
// and errs as what they unwrap to.
func Collect[P error, E error](ps []P, wrap func(ps []P, errs error) E) error {
	var all *multierror.Error
	for _, p := range ps {
		all = multierror.Append(all, p)
	}
	errs := all.ErrorOrNil()
	if errs == nil {
		return nil
	}
	return wrap(ps, errs)
}
