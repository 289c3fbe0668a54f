package eval

import "reflect"

// Rebind makes the batch evaluate against env from now on, keeping its VM:
// a list view resolves many objects with one batch. Values handed out
// before stay valid: the old environment is not written.
func (b *Batch) Rebind(env any) {
	b.env, b.typ = env, reflect.TypeOf(env)
}
