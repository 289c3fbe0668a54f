package console

import (
	"context"
	"errors"

	"github.com/actionable-go/actionable/actions"
)

// MaxJournalScan bounds how many execution records one journal page reads
// when the viewer may not see every record (Options.Visible or
// VisibleRecord set): a page that met the bound before it was full shows
// what it found, with an Older (or Newer) link that goes on from where it
// stopped.
const MaxJournalScan = 10 * MaxPageSize

// restricted reports whether the host limits what a viewer sees.
func (h *Handler[T]) restricted() bool {
	return h.opts.Visible != nil || h.opts.VisibleRecord != nil
}

// actorFor is the actor viewer is towards the stored object id.
func (h *Handler[T]) actorFor(ctx context.Context, viewer actions.Actor, id string, obj T) actions.Actor {
	if h.opts.ActorFor == nil {
		return viewer
	}
	return h.opts.ActorFor(ctx, viewer, id, obj)
}

// sees reports whether viewer may see the stored object id, whose value
// is obj.
func (h *Handler[T]) sees(ctx context.Context, viewer actions.Actor, id string, obj T) bool {
	if h.opts.Visible == nil {
		return true
	}
	return h.opts.Visible(ctx, h.actorFor(ctx, viewer, id, obj), id, obj)
}

// load returns the stored object id if viewer may see it; one it may not
// see is an error matching actions.ErrNotFound, as one that does not
// exist, so that no page tells the two apart.
func (h *Handler[T]) load(ctx context.Context, viewer actions.Actor, id string) (T, int64, error) {
	obj, version, err := h.engine.Load(ctx, id)
	if err != nil {
		return obj, version, err
	}
	if !h.sees(ctx, viewer, id, obj) {
		var zero T
		return zero, 0, &actions.NotFoundError{Kind: "object", ID: id}
	}
	return obj, version, nil
}

// suggested returns the ids of Options.Objects that viewer may see.
func (h *Handler[T]) suggested(ctx context.Context, viewer actions.Actor) []string {
	if h.opts.Objects == nil {
		return nil
	}
	ids, err := h.opts.Objects(ctx)
	if err != nil || h.opts.Visible == nil {
		return ids
	}
	var out []string
	for _, id := range ids {
		if _, _, err := h.load(ctx, viewer, id); err == nil {
			out = append(out, id)
		}
	}
	return out
}

// recordFilter returns whether viewer may see an execution record, or nil
// when it may see every one. Without VisibleRecord, a record is visible
// if its object is stored and visible (Visible), so that a host limiting
// the objects limits their records too; the answers for each object are
// kept for the request.
func (h *Handler[T]) recordFilter(ctx context.Context, viewer actions.Actor) func(actions.Execution) bool {
	switch {
	case h.opts.VisibleRecord != nil:
		return func(x actions.Execution) bool { return h.opts.VisibleRecord(ctx, viewer, x) }
	case h.opts.Visible == nil:
		return nil
	}
	seen := map[string]bool{}
	return func(x actions.Execution) bool {
		ok, known := seen[x.ObjectID]
		if !known {
			_, _, err := h.load(ctx, viewer, x.ObjectID)
			ok = err == nil
			seen[x.ObjectID] = ok
		}
		return ok
	}
}

// scan reads the records of f (its Newest, Before and After say where
// from and in which order) until want of them pass keep (nil: all pass),
// the journal has no more, or MaxJournalScan records were read. It
// returns them, the Seq of the last record read (0 if none) and whether
// the journal has no more records in that direction.
func (h *Handler[T]) scan(ctx context.Context, f actions.Filter, want int, keep func(actions.Execution) bool) (out []actions.Execution, last int64, done bool, err error) {
	if keep == nil {
		f.Limit = want
		out, err = h.engine.Executions(ctx, f)
		if len(out) > 0 {
			last = out[len(out)-1].Seq
		}
		return out, last, len(out) < want, err
	}
	batch := max(want, DefaultPageSize)
	for read := 0; read < MaxJournalScan; {
		f.Limit = min(batch, MaxJournalScan-read)
		recs, err := h.engine.Executions(ctx, f)
		if err != nil {
			return nil, 0, false, err
		}
		for _, x := range recs {
			last = x.Seq
			read++
			if keep(x) {
				out = append(out, x)
				if len(out) == want {
					return out, last, false, nil
				}
			}
		}
		if len(recs) < f.Limit {
			return out, last, true, nil
		}
		if f.Newest {
			f.Before = last
		} else {
			f.After = last
		}
	}
	return out, last, false, nil
}

// errEdited is what execute answers for a form that does not hold the
// stored object as it was loaded: edited, or pasted without a version.
var errEdited = errors.New("console: the form's object is not the stored object as loaded")
