package console

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/actionable-go/actionable/actions"
)

type journalBody struct {
	Filter   journalFilter
	Actions  []actionOption
	Statuses []string
	Records  []recordView
	Older    string // the query of the next older page; "" on the oldest
	Newer    string // of the next newer page; "" on the newest
	Error    string
}

// journalFilter is the filter as the form shows it.
type journalFilter struct {
	Action, Object, Actor, Status string
	NoActor                       bool
}

type actionOption struct{ ID, Name string }

type recordView struct {
	actions.Execution
	ActionName string
	When       string
	InputsJSON string
}

// journal is the Journal page: the records matching the filter, newest
// first, a page at a time. ?before=seq pages back, ?after=seq forward,
// both with the journal's own paging (Filter.Before, Filter.After).
func (h *Handler[T]) journal(r *http.Request) view {
	ctx := r.Context()
	q := r.URL.Query()
	cat := h.engine.Catalog()
	b := journalBody{
		Filter: journalFilter{
			Action: q.Get("action"), Object: q.Get("object"), Actor: q.Get("actor"), Status: q.Get("status"),
			NoActor: q.Get("noactor") != "",
		},
		Statuses: []string{string(actions.StatusPending), string(actions.StatusSucceeded), string(actions.StatusFailed)},
	}
	for _, a := range cat.Actions() {
		b.Actions = append(b.Actions, actionOption{ID: a.ID(), Name: a.Name()})
	}
	v := view{page: "journal", heading: "Journal", body: &b}
	bad := func(msg string) view {
		b.Error, v.status = msg, http.StatusBadRequest
		return v
	}
	f := actions.Filter{
		ActionID: b.Filter.Action, ObjectID: b.Filter.Object, ActorID: b.Filter.Actor, NoActor: b.Filter.NoActor,
		Status: actions.Status(b.Filter.Status),
	}
	if f.Status != "" && !slices.Contains(b.Statuses, b.Filter.Status) {
		return bad(fmt.Sprintf("There is no status %q: choose pending, succeeded or failed.", b.Filter.Status))
	}
	before, msg1 := seqParam(q, "before")
	after, msg2 := seqParam(q, "after")
	switch {
	case msg1 != "":
		return bad(msg1)
	case msg2 != "":
		return bad(msg2)
	case before > 0 && after > 0:
		return bad("Page with before or with after, not both.")
	}
	if err := f.Validate(); err != nil {
		return bad("The filter cannot be answered: " + err.Error())
	}
	failed := func(err error) view {
		b.Error, v.status = "Reading the journal failed: "+err.Error(), http.StatusInternalServerError
		return v
	}
	size := h.opts.PageSize
	keep := h.recordFilter(ctx, viewer(r))
	var recs []actions.Execution
	if after > 0 { // the page just newer than after: read oldest first, shown newest first
		page := f
		page.After = after
		got, last, done, err := h.scan(ctx, page, size+1, keep)
		if err != nil {
			return failed(err)
		}
		switch {
		case len(got) > size:
			recs = got[:size]
			b.Newer = pageQuery(b.Filter, "after", recs[size-1].Seq)
		case !done: // the scan stopped early: go on from where it did
			recs = got
			b.Newer = pageQuery(b.Filter, "after", last)
		default:
			recs = got
		}
		slices.Reverse(recs)
		older := after + 1 // records from after on, the shown ones included
		if len(recs) > 0 {
			older = recs[len(recs)-1].Seq
		}
		if ok, err := h.exists(ctx, f, 0, older, keep); err != nil {
			return failed(err)
		} else if ok {
			b.Older = pageQuery(b.Filter, "before", older)
		}
	} else {
		page := f
		page.Before, page.Newest = before, true
		got, last, done, err := h.scan(ctx, page, size+1, keep)
		if err != nil {
			return failed(err)
		}
		switch {
		case len(got) > size:
			recs = got[:size]
			b.Older = pageQuery(b.Filter, "before", recs[size-1].Seq)
		case !done:
			recs = got
			b.Older = pageQuery(b.Filter, "before", last)
		default:
			recs = got
		}
		if before > 0 {
			newer := before - 1
			if len(recs) > 0 {
				newer = recs[0].Seq
			}
			if ok, err := h.exists(ctx, f, newer, 0, keep); err != nil {
				return failed(err)
			} else if ok {
				b.Newer = pageQuery(b.Filter, "after", newer)
			}
		}
	}
	for _, x := range recs {
		rv := recordView{Execution: x, When: x.Time.Format(time.RFC3339)}
		if a, err := cat.Action(x.ActionID); err == nil {
			rv.ActionName = a.Name()
		}
		if len(x.Inputs) > 0 {
			rv.InputsJSON = compactJSON(x.Inputs)
		}
		b.Records = append(b.Records, rv)
	}
	return v
}

// exists reports whether a record matching f that keep lets through (nil:
// any) lies after after and before before; a scan that stopped early
// counts as one.
func (h *Handler[T]) exists(ctx context.Context, f actions.Filter, after, before int64, keep func(actions.Execution) bool) (bool, error) {
	f.After, f.Before = after, before
	got, _, done, err := h.scan(ctx, f, 1, keep)
	return len(got) > 0 || !done, err
}

// seqParam reads the paging bound name, or says why it cannot.
func seqParam(q url.Values, name string) (int64, string) {
	s := q.Get(name)
	if s == "" {
		return 0, ""
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Sprintf("%s=%q is not a positive sequence number.", name, s)
	}
	return n, ""
}

// pageQuery is the link to another page of the same filter.
func pageQuery(f journalFilter, bound string, seq int64) string {
	q := url.Values{}
	for k, v := range map[string]string{"action": f.Action, "object": f.Object, "actor": f.Actor, "status": f.Status} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if f.NoActor {
		q.Set("noactor", "1")
	}
	q.Set(bound, strconv.FormatInt(seq, 10))
	return "journal?" + q.Encode()
}
