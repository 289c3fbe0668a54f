package salesforce

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/actionable-go/actionable/actions"
)

// Store keeps values of type T for a Handler: an actions.Store that can
// also create and delete them. actions.MemoryStore is one, and so is a
// database store with the same methods. It must be safe for concurrent
// use.
type Store[T any] interface {
	actions.Store[T]
	actions.Creator[T]
	// Delete removes a value; an unknown id matches actions.ErrNotFound.
	Delete(ctx context.Context, id string) error
}

var (
	_ Store[Link]  = (*actions.MemoryStore[Link])(nil)
	_ Store[Group] = (*actions.MemoryStore[Group])(nil)
	_ Store[Owner] = (*actions.MemoryStore[Owner])(nil)
)

// Stores are where a Handler keeps its data. Everything it knows is in
// them, so a Handler built over the stores of another (after a restart,
// or on another instance sharing a database) serves the same groups,
// links, statuses and diagnostics.
type Stores struct {
	// Links keeps the action links, the objects of the handler's engine,
	// and its execution journal: the store must be an actions.Journal too
	// unless Config.EngineOptions gives one (actions.WithJournal). An
	// execution record keeps what its callout needs and what it answered
	// (see Handler).
	Links Store[Link]
	// Groups keeps the group definitions.
	Groups Store[Group]
	// Owners keeps, for each user, the definitions they created and have
	// not deleted, which Limits.DefinitionsPerUser counts.
	Owners Store[Owner]
}

// NewMemoryStores returns empty in-memory stores (actions.MemoryStore).
func NewMemoryStores() Stores {
	return Stores{
		Links:  actions.NewMemoryStore[Link](),
		Groups: actions.NewMemoryStore[Group](),
		Owners: actions.NewMemoryStore[Owner](),
	}
}

// maxOwnerAttempts bounds the retries of a change of one user's Owner
// that lost a race: every round of concurrent changes lets one through.
const maxOwnerAttempts = 1000

// orphanAge is how old an entry of an Owner whose group does not exist
// must be before it stops counting: younger ones are groups being created.
const orphanAge = time.Minute

// reserve counts the group id among those user created; with enforce it
// first refuses the group if the user has Limits.DefinitionsPerUser
// already (a *limitError).
func (h *Handler) reserve(ctx context.Context, user, id string, enforce bool) error {
	if user == "" {
		return nil // a host's group that nobody may read or delete
	}
	for range maxOwnerAttempts {
		o, version, err := h.owners.Load(ctx, user)
		switch {
		case errors.Is(err, actions.ErrNotFound):
			o, version = Owner{UserID: user}, 0
		case err != nil:
			return err
		}
		if i := slices.IndexFunc(o.Groups, func(g OwnedGroup) bool { return g.ID == id }); i >= 0 {
			// Created already, or being created by another request: the
			// entry is that group's, which release must not remove. An
			// entry left by a creation that stopped half-way is dropped.
			if orphan, err := h.orphan(ctx, o.Groups[i]); err != nil {
				return err
			} else if !orphan {
				return &duplicateError{id: id}
			}
			o.Groups = slices.Delete(o.Groups, i, i+1)
		}
		limit := h.cfg.Limits.DefinitionsPerUser
		if enforce && len(o.Groups) >= limit {
			if o.Groups, err = h.live(ctx, o.Groups); err != nil {
				return err
			}
			if len(o.Groups) >= limit {
				return &limitError{user: user, limit: limit}
			}
		}
		o.Groups = append(o.Groups, OwnedGroup{ID: id, Since: h.cfg.Clock()})
		if version == 0 {
			_, err = h.owners.Create(ctx, user, o)
		} else {
			_, err = h.owners.Save(ctx, user, o, version, nil)
		}
		if !errors.Is(err, actions.ErrConflict) {
			return err
		}
	}
	return fmt.Errorf("%w: the definitions of user %s changed %d times during the request", actions.ErrConflict, user, maxOwnerAttempts)
}

// release stops counting the group id among those user created.
func (h *Handler) release(ctx context.Context, user, id string) error {
	if user == "" {
		return nil
	}
	for range maxOwnerAttempts {
		o, version, err := h.owners.Load(ctx, user)
		if errors.Is(err, actions.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		n := len(o.Groups)
		o.Groups = slices.DeleteFunc(o.Groups, func(g OwnedGroup) bool { return g.ID == id })
		if len(o.Groups) == n {
			return nil
		}
		if _, err = h.owners.Save(ctx, user, o, version, nil); !errors.Is(err, actions.ErrConflict) {
			return err
		}
	}
	return fmt.Errorf("%w: the definitions of user %s changed %d times during the request", actions.ErrConflict, user, maxOwnerAttempts)
}

// live returns the entries of groups that are not orphans.
func (h *Handler) live(ctx context.Context, groups []OwnedGroup) ([]OwnedGroup, error) {
	out := groups[:0:0]
	for _, g := range groups {
		orphan, err := h.orphan(ctx, g)
		if err != nil {
			return nil, err
		}
		if !orphan {
			out = append(out, g)
		}
	}
	return out, nil
}

// orphan reports whether g was left by a creation or a deletion that
// stopped half-way (a crash, a store error): its group does not exist,
// and it is older than orphanAge (a younger one is a group being
// created). An orphan no longer counts.
func (h *Handler) orphan(ctx context.Context, g OwnedGroup) (bool, error) {
	_, _, err := h.groups.Load(ctx, g.ID)
	switch {
	case err == nil:
		return false, nil
	case !errors.Is(err, actions.ErrNotFound):
		return false, err
	}
	return h.cfg.Clock().Sub(g.Since) >= orphanAge, nil
}
