package salesforce

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/actionable-go/actionable/actions"
)

// CreateGroup validates g.Input as POST does and stores it as a new group
// created by g.CreatedBy, with the ids g fixes. A host uses it to load demo
// or fixture data. Errors: an *InputError listing every violation, an error
// matching actions.ErrConflict for an id already taken.
func (h *Handler) CreateGroup(ctx context.Context, g NewGroup) (GroupDefinition, error) {
	var ps problems
	if g.ID != "" && !validID(g.ID, groupPrefix) {
		ps.invalid("id", "%q is not an action link group id (prefix %s)", g.ID, groupPrefix)
	}
	if len(g.LinkIDs) > len(g.Input.ActionLinks) {
		ps.invalid("linkIds", "%d ids for %d action links", len(g.LinkIDs), len(g.Input.ActionLinks))
	}
	for i, id := range g.LinkIDs {
		if id != "" && !validID(id, linkPrefix) {
			ps.invalid(fmt.Sprintf("linkIds[%d]", i), "%q is not an action link id (prefix %s)", id, linkPrefix)
		}
	}
	if err := newInputError(ps); err != nil {
		return GroupDefinition{}, err
	}
	return h.create(ctx, g)
}

// create validates and stores a group and its links. The links are stored
// first, so that a group is never seen without them.
func (h *Handler) create(ctx context.Context, g NewGroup) (GroupDefinition, error) {
	now := h.cfg.Clock()
	expires, err := validateGroup(&g.Input, now)
	if err != nil {
		return GroupDefinition{}, err
	}
	in := &g.Input
	grp := group{
		ID: g.ID, Category: in.Category, ExecutionsAllowed: in.ExecutionsAllowed, ExpirationDate: expires,
		CreatedBy: g.CreatedBy, Created: now, LinkIDs: make([]string, len(in.ActionLinks)),
	}
	if grp.ID == "" {
		grp.ID = h.cfg.NewID(groupPrefix)
	}
	created := make([]string, 0, len(in.ActionLinks))
	undo := func() {
		for _, id := range created {
			_ = h.links.Delete(context.WithoutCancel(ctx), id)
		}
	}
	for i, def := range in.ActionLinks {
		id := ""
		if i < len(g.LinkIDs) {
			id = g.LinkIDs[i]
		}
		if id == "" {
			id = h.cfg.NewID(linkPrefix)
		}
		l := link{
			ID: id, GroupID: grp.ID, ActionType: def.ActionType, ActionURL: def.ActionURL, Method: def.Method,
			LabelKey: def.LabelKey, RequiresConfirmation: *def.RequiresConfirmation, GroupDefault: def.GroupDefault,
			Headers: slices.Clone(def.Headers), RequestBody: def.RequestBody, UserID: def.UserID,
			ExcludedUserID: def.ExcludedUserID, ExecutionsAllowed: grp.ExecutionsAllowed,
			ExpirationDate: expires, Created: now,
		}
		if _, err := h.links.Create(ctx, id, l); err != nil {
			undo()
			return GroupDefinition{}, fmt.Errorf("salesforce: action link %s: %w", id, err)
		}
		created = append(created, id)
		grp.LinkIDs[i] = id
	}
	if _, err := h.groups.Create(ctx, grp.ID, grp); err != nil {
		undo()
		return GroupDefinition{}, fmt.Errorf("salesforce: action link group %s: %w", grp.ID, err)
	}
	return h.definition(ctx, &grp)
}

// definition renders a stored group as a GroupDefinition.
func (h *Handler) definition(ctx context.Context, g *group) (GroupDefinition, error) {
	out := GroupDefinition{
		ActionLinks:       make([]ActionLinkDefinition, 0, len(g.LinkIDs)),
		Category:          g.Category,
		CreatedDate:       formatTime(g.Created),
		ExecutionsAllowed: g.ExecutionsAllowed,
		ID:                g.ID,
		ModifiedDate:      formatTime(g.Created),
		URL:               h.cfg.BasePath + pathDefinitions + "/" + g.ID,
	}
	if !g.ExpirationDate.IsZero() {
		out.ExpirationDate = nullable(formatTime(g.ExpirationDate))
	}
	for _, id := range g.LinkIDs {
		l, _, err := h.links.Load(ctx, id)
		if err != nil {
			return GroupDefinition{}, err
		}
		headers := l.Headers
		if headers == nil {
			headers = []RequestHeader{}
		}
		out.ActionLinks = append(out.ActionLinks, ActionLinkDefinition{
			ActionType: l.ActionType, ActionURL: l.ActionURL, CreatedDate: formatTime(l.Created),
			ExcludedUserID: nullable(l.ExcludedUserID), GroupDefault: l.GroupDefault, Headers: headers,
			ID: l.ID, LabelKey: l.LabelKey, Method: l.Method, ModifiedDate: formatTime(l.Created),
			RequestBody: nullable(l.RequestBody), RequiresConfirmation: l.RequiresConfirmation,
			URL: h.cfg.BasePath + pathLinks + "/" + l.ID, UserID: nullable(l.UserID),
		})
	}
	return out, nil
}

// platformAction renders l as user sees it.
func (h *Handler) platformAction(ctx context.Context, l *link, user actions.Actor) (PlatformAction, error) {
	status, rec, err := h.statusOf(ctx, l, user.ID)
	if err != nil {
		return PlatformAction{}, err
	}
	out := PlatformAction{
		GroupDefault:        l.GroupDefault,
		ID:                  l.ID,
		Label:               label(l.LabelKey, status),
		ModifiedDate:        formatTime(l.Created),
		PlatformActionGroup: Reference{ID: l.GroupID, URL: h.cfg.BasePath + pathGroups + "/" + l.GroupID},
		Status:              status,
		Subtype:             l.ActionType,
		Type:                "ActionLink",
		URL:                 h.cfg.BasePath + pathLinks + "/" + l.ID,
	}
	if l.ActionType != TypeAPI && l.ActionType != TypeAPIAsync {
		vars, _ := ctx.Value(variablesKey{}).(Variables)
		out.ActionURL = nullable(replacer(l, user.ID, vars).Replace(l.ActionURL))
	}
	if l.RequiresConfirmation && status == StatusNew {
		out.ConfirmationMessage = nullable(fmt.Sprintf("Are you sure you want to %s?", label(l.LabelKey, StatusNew)))
	}
	if rec != nil {
		out.ExecutingUser = &Reference{ID: rec.ActorID, URL: h.cfg.BasePath + "/chatter/users/" + rec.ActorID}
	}
	return out, nil
}

// loadGroup returns the group with the request's id.
func (h *Handler) loadGroup(r *http.Request) (group, error) {
	id, err := pathID(r, groupPrefix)
	if err != nil {
		return group{}, err
	}
	g, _, err := h.groups.Load(r.Context(), id)
	return g, err
}

// loadLink returns the link with the request's id, if user may see it.
func (h *Handler) loadLink(r *http.Request, user actions.Actor) (link, error) {
	id, err := pathID(r, linkPrefix)
	if err != nil {
		return link{}, err
	}
	l, _, err := h.engine.Load(r.Context(), id)
	if err != nil {
		return link{}, err
	}
	return l, h.visible(r.Context(), &l, user)
}

func (h *Handler) postDefinition(r *http.Request, user actions.Actor) (int, any, error) {
	var in GroupDefinitionInput
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	out, err := h.create(r.Context(), NewGroup{CreatedBy: user.ID, Input: in})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, out, nil
}

func (h *Handler) getDefinition(r *http.Request, user actions.Actor) (int, any, error) {
	g, err := h.loadGroup(r)
	if err != nil {
		return 0, nil, err
	}
	if g.CreatedBy != user.ID {
		return 0, nil, errNotCreator
	}
	out, err := h.definition(r.Context(), &g)
	return http.StatusOK, out, err
}

func (h *Handler) deleteDefinition(r *http.Request, user actions.Actor) (int, any, error) {
	g, err := h.loadGroup(r)
	if err != nil {
		return 0, nil, err
	}
	if g.CreatedBy != user.ID {
		return 0, nil, errNotCreator
	}
	ctx := context.WithoutCancel(r.Context()) // all or nothing
	if err := h.groups.Delete(ctx, g.ID); err != nil {
		return 0, nil, err
	}
	var execs []string
	for _, id := range g.LinkIDs {
		if err := h.links.Delete(ctx, id); err != nil && !errors.Is(err, actions.ErrNotFound) {
			return 0, nil, err
		}
		recs, err := h.engine.Executions(ctx, actions.Filter{ObjectID: id})
		if err != nil {
			return 0, nil, err
		}
		for _, rec := range recs {
			execs = append(execs, rec.ID)
		}
	}
	h.forget(execs)
	return http.StatusNoContent, nil, nil
}

func (h *Handler) getGroup(r *http.Request, user actions.Actor) (int, any, error) {
	g, err := h.loadGroup(r)
	if err != nil {
		return 0, nil, err
	}
	out := PlatformActionGroup{
		Category: g.Category, ID: g.ID, ModifiedDate: formatTime(g.Created),
		PlatformActions: []PlatformAction{}, URL: h.cfg.BasePath + pathGroups + "/" + g.ID,
	}
	for _, id := range g.LinkIDs {
		l, _, err := h.engine.Load(r.Context(), id)
		if err != nil {
			return 0, nil, err
		}
		switch err := h.visible(r.Context(), &l, user); {
		case errors.Is(err, errHidden):
			continue
		case err != nil:
			return 0, nil, err
		}
		pa, err := h.platformAction(r.Context(), &l, user)
		if err != nil {
			return 0, nil, err
		}
		out.PlatformActions = append(out.PlatformActions, pa)
	}
	return http.StatusOK, out, nil
}

func (h *Handler) getLink(r *http.Request, user actions.Actor) (int, any, error) {
	l, err := h.loadLink(r, user)
	if err != nil {
		return 0, nil, err
	}
	out, err := h.platformAction(r.Context(), &l, user)
	return http.StatusOK, out, err
}

func (h *Handler) patchLink(r *http.Request, user actions.Actor) (int, any, error) {
	l, err := h.loadLink(r, user)
	if err != nil {
		return 0, nil, err
	}
	status, err := requestedStatus(r)
	if err != nil {
		return 0, nil, err
	}
	if err := h.setStatus(r.Context(), l.ID, user, status); err != nil {
		return 0, nil, err
	}
	l, _, err = h.engine.Load(r.Context(), l.ID)
	if err != nil {
		return 0, nil, err
	}
	out, err := h.platformAction(r.Context(), &l, user)
	return http.StatusOK, out, err
}

// requestedStatus reads the status of a PATCH from its body or its query.
func requestedStatus(r *http.Request) (string, error) {
	query := r.URL.Query().Get("status")
	var in StatusInput
	if r.ContentLength != 0 {
		data, err := readBody(r)
		if err != nil {
			return "", err
		}
		if len(data) > 0 || query == "" {
			if err := decodeJSON(data, &in); err != nil {
				return "", err
			}
		}
	}
	var ps problems
	switch {
	case in.Status != "" && query != "" && in.Status != query:
		ps.invalid("status", "the body says %s and the query says %s; give one", in.Status, query)
	case in.Status == "" && query == "":
		ps.missing("status")
	}
	status := in.Status
	if status == "" {
		status = query
	}
	switch status {
	case "", StatusNew, StatusPending, StatusSuccessful, StatusFailed:
	default:
		ps.invalid("status", "%q is not a status; use NewStatus, PendingStatus, SuccessfulStatus or FailedStatus", status)
	}
	return status, newInputError(ps)
}

func (h *Handler) getDiagnostic(r *http.Request, user actions.Actor) (int, any, error) {
	l, err := h.loadLink(r, user)
	if err != nil {
		return 0, nil, err
	}
	status, rec, err := h.statusOf(r.Context(), &l, user.ID)
	if err != nil {
		return 0, nil, err
	}
	out := DiagnosticInfo{URL: h.cfg.BasePath + pathLinks + "/" + l.ID + "/diagnostic-info"}
	if rec == nil {
		return http.StatusOK, out, nil
	}
	// The request comes from the definition, which may hold credentials:
	// only its creator, who may read the definition, sees it.
	d, _ := h.diagnostic(rec.ID)
	text := d.received
	if g, _, err := h.groups.Load(r.Context(), l.GroupID); err == nil && g.CreatedBy == user.ID {
		text = d.sent + text
	}
	text += fmt.Sprintf("status: %s (executed by %s at %s)\n", status, rec.ActorID, formatTime(rec.Time))
	if rec.Detail != "" {
		text += "detail: " + rec.Detail + "\n"
	}
	out.DiagnosticInfo = &text
	return http.StatusOK, out, nil
}
