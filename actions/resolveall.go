package actions

import (
	"context"
	"time"
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
// execution policies of the whole batch.
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
	for i := range items {
		r.next(items[i].ID, &items[i].Object)
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
