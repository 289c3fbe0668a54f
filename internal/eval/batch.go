package eval

import (
	"context"
	"reflect"
	"sync"
)

// Batch evaluates many conditions and expressions against one environment
// with one VM, so that the VM pool and the environment's type are visited
// once per batch rather than once per condition. This is what a resolver
// listing the applicable actions of one object needs.
//
// A Batch is not safe for concurrent use. Release it when done; it must not
// be used after that.
type Batch struct {
	ctx  context.Context
	env  any
	typ  reflect.Type
	r    *runner
	runs uint
}

// ctxCheckEvery is how often a batch looks at its context: Err takes a lock
// on a cancellable context, which would cost more than a short condition.
// A metered program (one with loops, say) also reads it as it runs.
const ctxCheckEvery = 16

// vms holds the VMs of single evaluations, batches those of batches (each
// with its VM): a vm.VM is not safe for concurrent use, a program is.
var (
	vms     = sync.Pool{New: func() any { return newRunner() }}
	batches = sync.Pool{New: func() any { return &Batch{r: newRunner()} }}
)

// NewBatch returns a batch evaluating against env (a struct value; see
// [Expression.Run]). ctx is checked before the first evaluation and before
// every 16th after it.
func NewBatch(ctx context.Context, env any) *Batch {
	b := batches.Get().(*Batch)
	b.ctx, b.env, b.typ, b.runs = ctx, env, reflect.TypeOf(env), 0
	return b
}

// Env returns the batch's environment.
func (b *Batch) Env() any { return b.env }

// Release returns the batch to its pool.
func (b *Batch) Release() {
	b.ctx, b.env, b.typ = nil, nil, nil
	batches.Put(b)
}

// Evaluate reports whether c holds for the batch's environment.
func (b *Batch) Evaluate(c *Condition) (bool, error) {
	// Run and asBool written out: a resolver calls this once per action.
	e := &c.expr
	if b.runs%ctxCheckEvery == 0 || b.typ != e.envType {
		if err := e.check(b.ctx, b.typ); err != nil {
			return false, err
		}
	}
	b.runs++
	if e.vars > 0 {
		out, err := e.execMetered(b.ctx, b.r, b.env)
		if err != nil {
			return false, err
		}
		return e.asBool(out)
	}
	b.r.vm.MemoryBudget = e.budget
	out, err := b.r.vm.Run(e.program, b.env)
	if err != nil {
		return false, wrapError(e.source, err)
	}
	if v, ok := out.(bool); ok {
		return v, nil
	}
	return e.asBool(out)
}

// Run evaluates e against the batch's environment.
func (b *Batch) Run(e *Expression) (any, error) {
	if b.runs%ctxCheckEvery == 0 || b.typ != e.envType {
		if err := e.check(b.ctx, b.typ); err != nil {
			return nil, err
		}
	}
	b.runs++
	return e.exec(b.ctx, b.r, b.env)
}
