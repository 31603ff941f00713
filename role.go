package warroom

import (
	"context"
	"regexp"
	"time"
	"unicode/utf8"
)

// The built-in incident roles (seed 001). Teams add their own, such as
// product manager, architect, customer service, PR or legal.
const (
	RoleCommander      = "commander"
	RoleCommunications = "communications"
	RoleScribe         = "scribe"
)

// IncidentRole is a role people can hold on an incident.
type IncidentRole struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	// Builtin roles cannot be removed.
	Builtin   bool      `json:"builtin"`
	CreatedAt time.Time `json:"created_at"`
}

var roleName = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,39}$`)

// Validate checks the role fields.
func (r *IncidentRole) Validate() error {
	if !roleName.MatchString(r.Name) {
		return FieldErrorf("name", "must be 1 to 40 lowercase letters, digits, '_' or '-', starting with a letter")
	} else if utf8.RuneCountInString(r.Description) > MaxTitleLen {
		return FieldErrorf("description", "must be at most %d characters", MaxTitleLen)
	}
	return nil
}

// RoleAssignment records that a user held a role on an incident. Ended
// assignments are kept: they are the assignment history.
type RoleAssignment struct {
	ID         int64      `json:"id"`
	IncidentID int64      `json:"incident_id"`
	Role       string     `json:"role"`
	UserID     int64      `json:"user_id"`
	UserName   string     `json:"user_name"`
	AssignedBy int64      `json:"assigned_by"`
	AssignedAt time.Time  `json:"assigned_at"`
	EndedAt    *time.Time `json:"ended_at"`
}

// RoleService manages the role catalog and who holds which role.
type RoleService interface {
	// FindIncidentRoles lists the role catalog, built-in roles first.
	FindIncidentRoles(ctx context.Context) ([]*IncidentRole, error)

	// CreateIncidentRole adds a team-defined role.
	// Returns EINVALID, ECONFLICT when it exists.
	CreateIncidentRole(ctx context.Context, r *IncidentRole) error

	// DeleteIncidentRole removes a team-defined role; past assignments keep
	// its name.
	// Returns ENOTFOUND, ECONFLICT for a built-in role.
	DeleteIncidentRole(ctx context.Context, name string) error

	// AssignRole gives role to a user on an incident. A role held by one
	// person at a time (commander, communications, scribe) ends the previous
	// holder's assignment; other roles may be held by several people.
	// Returns ENOTFOUND for the incident, the role or the user, ECONFLICT
	// when closed.
	AssignRole(ctx context.Context, incidentID int64, role string, userID int64) (*RoleAssignment, error)

	// EndRoleAssignment ends an assignment.
	// Returns ENOTFOUND, ECONFLICT when already ended.
	EndRoleAssignment(ctx context.Context, incidentID, assignmentID int64) error

	// FindRoleAssignments lists an incident's assignments, current ones only
	// unless history is true, oldest first.
	// Returns ENOTFOUND for the incident.
	FindRoleAssignments(ctx context.Context, incidentID int64, history bool) ([]*RoleAssignment, error)
}

// SingleHolderRole reports whether a role is held by one person at a time.
func SingleHolderRole(role string) bool {
	return role == RoleCommander || role == RoleCommunications || role == RoleScribe
}
