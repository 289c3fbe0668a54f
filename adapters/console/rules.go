package console

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"

	"github.com/actionable-go/actionable/actions"
	"github.com/actionable-go/actionable/conditions"
)

// fieldRules is the rule check's text area.
const fieldRules = "rules"

type rulesBody struct {
	Source   string
	Checked  bool
	Problems []problemView
	Err      string
	Actions  []actionView // of a file that compiles
	States   []actions.StateSet
	Pictures []picture
}

// problemView is one problem of a rule file.
type problemView struct {
	Path     string // the key at fault: actions[2].changes[0].expr; "" for the file as a whole
	ActionID string
	Message  string
	Where    *sourceError // the position: in the expression, or in the file
}

func (h *Handler[T]) rulesGet(*http.Request) view {
	return view{page: "rules", heading: "Rule check", body: rulesBody{}}
}

// rulesPost compiles the pasted rule file with actions.LoadJSON, as the
// host's catalog is compiled, and lists every problem. Nothing is
// installed: the catalog it compiles is dropped.
func (h *Handler[T]) rulesPost(r *http.Request) view {
	src := r.PostForm.Get(fieldRules)
	b := rulesBody{Source: src, Checked: true}
	v := view{page: "rules", heading: "Rule check", body: &b}
	cat, err := actions.LoadJSON[T](strings.NewReader(src), h.opts.CompileOptions...)
	var le *actions.LoadError
	switch {
	case errors.As(err, &le):
		problems := slices.Clone(le.Problems) // by action, the file's own first
		sort.SliceStable(problems, func(i, j int) bool { return problems[i].Index < problems[j].Index })
		for _, p := range problems {
			b.Problems = append(b.Problems, problemOf(src, p))
		}
		v.status = http.StatusUnprocessableEntity
	case err != nil:
		b.Err, v.status = err.Error(), http.StatusUnprocessableEntity
	default:
		b.Actions, b.States, b.Pictures = actionViews(cat.Actions()), cat.States(), pictures(cat)
	}
	return v
}

// problemOf words p with its key path and, for an expression, its
// position and caret snippet; a file that is not JSON is pointed at in
// src itself.
func problemOf(src string, p actions.Problem) problemView {
	out := problemView{ActionID: p.ActionID, Message: p.Err.Error()}
	switch {
	case p.Index >= 0 && p.Key != "":
		out.Path = fmt.Sprintf("actions[%d].%s", p.Index, p.Key)
	case p.Index >= 0:
		out.Path = fmt.Sprintf("actions[%d]", p.Index)
	default:
		out.Path = p.Key
	}
	var (
		ce *conditions.Error
		se *json.SyntaxError
		te *json.UnmarshalTypeError
	)
	switch {
	case errors.As(p.Err, &ce):
		out.Message = ce.Message
		out.Where = &sourceError{Message: ce.Message, Source: ce.Source, Line: ce.Line, Column: ce.Column, Snippet: ce.Snippet}
	case p.Index < 0 && errors.As(p.Err, &se):
		out.Where = positioned(src, se.Error(), int(se.Offset))
	case p.Index < 0 && errors.As(p.Err, &te) && te.Offset > 0:
		out.Where = positioned(src, te.Error(), int(te.Offset))
	}
	return out
}
