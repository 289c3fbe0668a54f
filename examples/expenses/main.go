// Command expenses walks expense reports through an approval flow whose
// rules live in rules.json: draft → submitted → approved or rejected →
// paid, and a rejected report back to draft. The actions take inputs (a
// reason, an amount, a user, a date), refuse by named guards
// ("not-own-report"), and move between declared states.
//
//	go run ./examples/expenses
//	go test ./examples/expenses
//	go test ./examples/expenses -update   # then review the diff of testdata/
package main

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/actionable-go/actionable/actions"
)

//go:embed rules.json
var rulesJSON []byte

// Report is an expense report. The rules read its fields by Go name
// (Claimed, Submitter) and change them by JSON name (approved, dueDate).
// Amounts are in cents.
type Report struct {
	Title     string    `json:"title" validate:"required"`
	Submitter string    `json:"submitter" validate:"required"`
	Status    string    `json:"status"`
	Claimed   int64     `json:"claimed" validate:"gt=0"`
	Tags      []string  `json:"tags,omitempty"`
	Assignee  string    `json:"assignee,omitempty"`
	Approver  string    `json:"approver,omitempty"`
	Approved  int64     `json:"approved,omitempty" validate:"gte=0"`
	Reason    string    `json:"reason,omitempty"`
	DueDate   time.Time `json:"dueDate,omitzero"`
	PaidOn    time.Time `json:"paidOn,omitzero"`
}

// today is the demo's clock: rules read it as now() and executions are
// stamped with it, so that the output does not depend on the day it runs. A
// host leaves the default clock (time.Now).
var today = time.Date(2025, 6, 2, 9, 0, 0, 0, time.UTC)

// loadRules compiles rules.json against Report, with now as the catalog's
// clock. Its states are declared in the file.
func loadRules(now func() time.Time) (*actions.Catalog[Report], error) {
	return actions.LoadJSON[Report](bytes.NewReader(rulesJSON), actions.WithClock(now))
}

var (
	sam   = actions.Actor{ID: "sam", Roles: []string{"employee"}}
	alex  = actions.Actor{ID: "alex", Roles: []string{"employee", "approver"}, Permissions: []string{"approve"}}
	fiona = actions.Actor{ID: "fiona", Roles: []string{"approver", "finance"}, Permissions: []string{"approve", "pay"}}
)

func main() {
	log.SetFlags(0)
	if err := run(context.Background(), os.Stdout); err != nil {
		log.Fatal(err)
	}
}

// demo runs the walk-through: each step prints to w, and after an error
// that is not the engine refusing a request (a bug of the demo) the steps
// do nothing and err keeps it.
type demo struct {
	engine *actions.Engine[Report]
	w      io.Writer
	err    error
}

func run(ctx context.Context, w io.Writer) error {
	cat, err := loadRules(func() time.Time { return today })
	if err != nil {
		return err
	}
	store := actions.NewMemoryStore[Report]()
	for _, r := range []struct {
		id     string
		report Report
	}{
		{"R-1", Report{Title: "Train to Lyon", Submitter: "sam", Status: "draft", Claimed: 12000}},
		{"R-2", Report{Title: "Conference in Berlin", Submitter: "sam", Status: "submitted", Claimed: 89000, Tags: []string{"travel", "lodging"}}},
		{"R-3", Report{Title: "Team offsite", Submitter: "alex", Status: "submitted", Claimed: 30000, Tags: []string{"meals"}}},
	} {
		if _, err := store.Create(ctx, r.id, r.report); err != nil {
			return err
		}
	}
	outcomes := map[actions.Outcome]int{}
	count := actions.ObserverFunc(func(_ context.Context, ev actions.Event) {
		if ev.Kind == actions.EventExecute {
			outcomes[ev.Outcome]++ // the demo runs one request at a time
		}
	})
	n := 0
	ids := actions.WithExecutionIDs(func() string { n++; return fmt.Sprintf("x%02d", n) })
	engine, err := actions.New(cat, store, ids, actions.WithObserver(count))
	if err != nil {
		return err
	}
	d := &demo{engine: engine, w: w}
	fmt.Fprintf(w, "states of %s: %s\n", cat.States()[0].Field, strings.Join(cat.States()[0].States, ", "))

	// R-1 goes the whole way, with a rejection on the way.
	d.show(ctx, "R-1", sam, alex)
	d.do(ctx, sam, "submit", "R-1", actions.Inputs{"tags": []string{"travel"}})
	d.show(ctx, "R-1", sam, alex)
	d.do(ctx, alex, "reject", "R-1", actions.Inputs{"reason": "no taxi"})
	d.do(ctx, alex, "reject", "R-1", actions.Inputs{"reason": "the taxi receipt is missing"})
	d.do(ctx, sam, "revise", "R-1", nil)
	d.do(ctx, sam, "submit", "R-1", actions.Inputs{"tags": []string{"travel"}})
	d.do(ctx, alex, "approve", "R-1", actions.Inputs{"amount": 150})
	// A client's request, decoded from its JSON body; the host sets the
	// actor it authenticated.
	d.doJSON(ctx, alex, `{"actionId": "approve", "objectId": "R-1", "inputs": {"amount": 118.5}}`)
	d.do(ctx, alex, "pay", "R-1", nil)
	d.do(ctx, fiona, "pay", "R-1", nil)

	// R-2 is above the approval limit: only finance approves it.
	d.show(ctx, "R-2", alex, fiona)
	d.do(ctx, alex, "reassign", "R-2", actions.Inputs{"to": "fiona"})
	d.do(ctx, alex, "reassign", "R-2", actions.Inputs{"to": "alex"})
	d.do(ctx, fiona, "postpone", "R-2", actions.Inputs{"until": "next week", "note": "after the audit"})
	d.do(ctx, fiona, "postpone", "R-2", actions.Inputs{"until": "2025-06-16"})

	// R-3 is alex's own.
	d.show(ctx, "R-3", alex)
	d.do(ctx, alex, "reassign", "R-3", actions.Inputs{"to": "alex"})

	d.journal(ctx)
	if d.err != nil {
		return d.err
	}
	fmt.Fprintf(w, "\noutcomes: applied %d, invalid %d, refused %d\n",
		outcomes[actions.OutcomeApplied], outcomes[actions.OutcomeInvalid], outcomes[actions.OutcomeRefused])
	return nil
}

// show prints a report, what each actor may do with it, and why they may
// not do the other actions its state offers.
func (d *demo) show(ctx context.Context, id string, actors ...actions.Actor) {
	if d.err != nil {
		return
	}
	r, version, err := d.engine.Load(ctx, id)
	if err != nil {
		d.err = err
		return
	}
	fmt.Fprintf(d.w, "\n%s %q by %s, claimed %s: %s (version %d)\n", id, r.Title, r.Submitter, euros(r.Claimed), r.Status, version)
	for _, actor := range actors {
		list, err := d.engine.Resolve(ctx, id, r, actor)
		if err != nil {
			d.err = err
			return
		}
		may := make([]string, len(list))
		for i, a := range list {
			may[i] = a.ID()
		}
		fmt.Fprintf(d.w, "  %s may: %s\n", actor.ID, orNone(strings.Join(may, ", ")))
		for _, a := range d.engine.Catalog().Actions() {
			why, err := d.engine.Explain(ctx, a.ID(), id, r, actor)
			if err != nil {
				d.err = err
				return
			}
			if len(why) == 0 || slices.ContainsFunc(why, func(r actions.Reason) bool { return r.Kind == actions.ReasonState }) {
				continue // applicable, or not offered in this state
			}
			text := make([]string, len(why))
			for i, r := range why {
				text[i] = r.String() // the guard's name, then its clauses with the values they read
			}
			fmt.Fprintf(d.w, "    not %s: %s\n", a.ID(), strings.Join(text, "; "))
		}
	}
}

// do executes an action on the current version of a report.
func (d *demo) do(ctx context.Context, actor actions.Actor, action, id string, in actions.Inputs) {
	d.execute(ctx, actions.Request{ActionID: action, ObjectID: id, Actor: actor, Inputs: in})
}

// doJSON executes a request decoded from a client's JSON body.
func (d *demo) doJSON(ctx context.Context, actor actions.Actor, body string) {
	var req actions.Request
	if err := json.Unmarshal([]byte(body), &req); err != nil && d.err == nil {
		d.err = err
	}
	req.Actor = actor
	d.execute(ctx, req)
}

// execute runs req at the report's current version (as if the client had
// just loaded it) and prints what happened: the changes, or why the engine
// refused.
func (d *demo) execute(ctx context.Context, req actions.Request) {
	if d.err != nil {
		return
	}
	_, version, err := d.engine.Load(ctx, req.ObjectID)
	if err != nil {
		d.err = err
		return
	}
	req.Version = version
	fmt.Fprintf(d.w, "%s: %s %s%s\n", req.Actor.ID, req.ActionID, req.ObjectID, inputsText(req.Inputs))
	res, err := d.engine.Execute(ctx, req)
	var invalid *actions.ValidationError
	switch {
	case errors.As(err, &invalid):
		for _, v := range invalid.Violations {
			fmt.Fprintf(d.w, "  refused: %s (%s): %s\n", v.Field, v.Rule, v.Message)
		}
		return
	case errors.Is(err, actions.ErrForbidden), errors.Is(err, actions.ErrNotApplicable):
		fmt.Fprintf(d.w, "  refused: %v\n", err)
		return
	case err != nil:
		d.err = err
		return
	}
	changes := make([]string, len(res.Changes))
	for i, ch := range res.Changes {
		changes[i] = fmt.Sprintf("%s %s", ch.Field, value(ch.New))
	}
	fmt.Fprintf(d.w, "  done, version %d: %s\n", res.Version, strings.Join(changes, ", "))
}

// journal prints every execution, oldest first, with the inputs it was
// given.
func (d *demo) journal(ctx context.Context) {
	if d.err != nil {
		return
	}
	recs, err := d.engine.Executions(ctx, actions.Filter{})
	if err != nil {
		d.err = err
		return
	}
	fmt.Fprintln(d.w, "\njournal:")
	for _, e := range recs {
		line := fmt.Sprintf("  %d %s %-4s %-8s %-6s%s", e.Seq, e.ID, e.ObjectID, e.ActionID, e.ActorID, inputsText(e.Inputs))
		fmt.Fprintln(d.w, strings.TrimRight(line, " "))
	}
}

// inputsText prints inputs as JSON (keys sorted) after a space; nothing
// when there are none.
func inputsText(in map[string]any) string {
	if len(in) == 0 {
		return ""
	}
	b, err := json.Marshal(in)
	if err != nil {
		return " " + fmt.Sprint(in)
	}
	return " " + string(b)
}

// value prints a changed field's new value.
func value(v any) string {
	switch x := v.(type) {
	case int64:
		return euros(x)
	case time.Time:
		return x.Format(time.DateOnly)
	case string:
		return fmt.Sprintf("%q", x)
	}
	return fmt.Sprint(v)
}

func euros(cents int64) string { return fmt.Sprintf("%d.%02d", cents/100, cents%100) }

func orNone(s string) string {
	if s == "" {
		return "nothing"
	}
	return s
}
