package actions

import (
	"context"
	"fmt"
	"time"
	"unsafe"
)

// Item is one object of a batch: its id and its current value.
type Item[T any] struct {
	ID     string
	Object T
}

// ResolveAll resolves every item for actor, as Resolve resolves each one,
// and returns the applicable actions of each, in the order of items: what a
// list view (a table of work packages with each row's actions) needs. It
// shares what one Resolve per object would repeat: one catalog snapshot, the
// actor's permission answers, one VM, and one journal call for the
// execution policies of the whole batch. When the catalog's rules read
// only the object's fields and the actor (no host function, no clock: see
// "Resolving many actions quickly" in the package documentation), objects
// that agree on every field the rules read are decided once: a page of
// rows in a few states and types costs a few Resolves and a lookup per
// row.
func (e *Engine[T]) ResolveAll(ctx context.Context, items []Item[T], actor Actor, opts ...ResolveOption) ([][]*Action, error) {
	var start time.Time
	if e.observed {
		start = time.Now()
	}
	out, err := e.resolveAll(ctx, items, actor, opts)
	if e.observed {
		ev := Event{Kind: EventResolve, Outcome: OutcomeResolved, ActorID: actor.ID, Duration: time.Since(start), Err: err}
		for _, l := range out {
			ev.Applicable += len(l)
		}
		if err != nil {
			ev.Outcome = OutcomeError
		}
		e.observer.Observe(ctx, ev)
	}
	return out, err
}

func (e *Engine[T]) resolveAll(ctx context.Context, items []Item[T], actor Actor, opts []ResolveOption) ([][]*Action, error) {
	var cfg resolveConfig
	if len(opts) > 0 {
		cfg = resolveOptions(opts)
	}
	cat := e.catalog.Load()
	r := request[T]{ctx: ctx, engine: e, cat: cat, actor: actor}
	defer r.release()
	// Every item's actions in one backing array; ends[i] is where item i's
	// end.
	var all []*Action
	ends := make([]int, len(items))
	var pairs []policyPair
	var pairAt []int // index in all of each pair's action
	// What was decided of an object, by its key (see batchkey.go): the
	// actions all[span[0]:span[1]] of the first object with that key.
	key := cat.batchKey
	if len(items) < 2 {
		key = nil
	}
	var (
		buf  []byte
		at   map[string][2]int
		hits int
	)
	if key != nil {
		at = map[string][2]int{}
	}
	for i := range items {
		if key != nil {
			buf = key.append(buf[:0], unsafe.Pointer(&items[i].Object))
			if span, ok := at[string(buf)]; ok {
				// A reused decision evaluates nothing, so nothing else
				// would see the context end.
				if hits++; hits%16 == 0 {
					if err := ctx.Err(); err != nil {
						return nil, fmt.Errorf("actions: resolving %q: %w", items[i].ID, err)
					}
				}
				for _, a := range all[span[0]:span[1]] {
					if a.def.Policy != Unlimited {
						pairs = append(pairs, policyPair{objectID: items[i].ID, action: a})
						pairAt = append(pairAt, len(all))
					}
					all = append(all, a)
				}
				ends[i] = len(all)
				continue
			}
		}
		r.next(items[i].ID, &items[i].Object)
		failures, from := r.failures, len(all)
		it := cat.candidates(&r.obj)
		if cfg.noIndex {
			it = cat.allCandidates()
		}
		for p := it.next(); p != nil; p = it.next() {
			if p.reserved && !cfg.reserved {
				continue
			}
			v, err := r.decide(p, nil, !cfg.noIndex)
			if err != nil {
				return nil, err
			}
			switch v {
			case allowed:
				all = append(all, p.action)
			case policyPending:
				pairs = append(pairs, policyPair{objectID: items[i].ID, action: p.action})
				pairAt = append(pairAt, len(all))
				all = append(all, p.action)
			}
		}
		ends[i] = len(all)
		// A decision that heard of a failure is made again, so that the
		// observer hears of it for every object.
		if key != nil && r.failures == failures {
			at[string(buf)] = [2]int{from, len(all)}
		}
	}
	if len(pairs) > 0 {
		why, err := policies(ctx, e.journal, actor.ID, pairs)
		if err != nil {
			return nil, err
		}
		for k, w := range why {
			if w != "" {
				all[pairAt[k]] = nil // exhausted: dropped below
			}
		}
	}
	out := make([][]*Action, len(items))
	begin, kept := 0, 0
	for i, end := range ends {
		from := kept
		for _, a := range all[begin:end] {
			if a != nil {
				all[kept] = a
				kept++
			}
		}
		out[i] = all[from:kept:kept]
		begin = end
	}
	return out, nil
}
