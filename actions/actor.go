package actions

import "slices"

// AllPermissions in Actor.Permissions grants every permission.
const AllPermissions = "*"

// Actor is who acts: the user the host authenticated. Conditions read it as
// Actor (Actor.ID, "manager" in Actor.Roles, Actor.Attributes.team).
type Actor struct {
	ID          string
	Name        string
	Roles       []string
	Permissions []string
	Attributes  map[string]string
}

// Can reports whether the actor holds permission. The empty permission is
// held by everyone; AllPermissions grants all.
func (a Actor) Can(permission string) bool {
	return permission == "" || slices.Contains(a.Permissions, permission) || slices.Contains(a.Permissions, AllPermissions)
}

// HasRole reports whether the actor has role.
func (a Actor) HasRole(role string) bool { return slices.Contains(a.Roles, role) }
