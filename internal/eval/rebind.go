package eval

import "reflect"

// Rebind makes the batch evaluate against env from now on, keeping its VM:
// a list view resolves many objects with one batch. Values handed out
// before stay valid: the old environment is not written.
func (b *Batch) Rebind(env any) {
	b.env, b.typ = env, reflect.TypeOf(env)
}

// Metered reports whether evaluations of c count steps or memory of their
// own (it has loops or builds strings): such a condition cannot be split
// into parts evaluated apart, each of which would get the whole budget.
func (c *Condition) Metered() bool { return c.expr.vars > 0 }
