package warroom

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// Team is a group of people that owns services. A service belongs to the
// team whose name is in its Team field, so the catalog's JSON is unchanged.
type Team struct {
	ID          int64     `json:"id"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	MemberIDs   []int64   `json:"member_ids"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// Validate checks the team fields.
func (t *Team) Validate() error {
	t.Name = strings.TrimSpace(t.Name)
	if t.Name == "" || utf8.RuneCountInString(t.Name) > MaxTitleLen {
		return FieldErrorf("name", "must be 1 to %d characters", MaxTitleLen)
	} else if utf8.RuneCountInString(t.Description) > MaxTextLen {
		return FieldErrorf("description", "must be at most %d characters", MaxTextLen)
	}
	return nil
}

// ServiceGrant gives one user of a scoped role (contractor, stakeholder)
// access to one service.
type ServiceGrant struct {
	UserID    int64     `json:"user_id"`
	ServiceID int64     `json:"service_id"`
	GrantedBy int64     `json:"granted_by"`
	GrantedAt time.Time `json:"granted_at"`
}

// TeamService manages teams, their members and the services granted to
// people of scoped roles.
type TeamService interface {
	// FindTeams lists every team by name, with its members.
	FindTeams(ctx context.Context) ([]*Team, error)

	// FindTeamByID returns ENOTFOUND.
	FindTeamByID(ctx context.Context, id int64) (*Team, error)

	// CreateTeam adds a team.
	// Returns EINVALID, ECONFLICT when the name is taken.
	CreateTeam(ctx context.Context, t *Team) error

	// AddTeamMember adds an active user to a team.
	// Returns ENOTFOUND, EINVALID for a deactivated user, ECONFLICT when
	// already a member.
	AddTeamMember(ctx context.Context, teamID, userID int64) error

	// RemoveTeamMember takes a user off a team.
	// Returns ENOTFOUND when not a member.
	RemoveTeamMember(ctx context.Context, teamID, userID int64) error

	// GrantService gives a user access to a service.
	// Returns ENOTFOUND, ECONFLICT when already granted.
	GrantService(ctx context.Context, userID, serviceID int64) error

	// RevokeService takes a service grant away.
	// Returns ENOTFOUND when there is no such grant.
	RevokeService(ctx context.Context, userID, serviceID int64) error

	// FindUserServiceIDs returns the services a user may reach when its
	// role is scoped: those granted to it and those owned by its teams.
	FindUserServiceIDs(ctx context.Context, userID int64) ([]int64, error)
}

// Team audit actions.
const (
	AuditTeamCreate       AuditAction = "team.create"
	AuditTeamMemberAdd    AuditAction = "team.member.add"
	AuditTeamMemberRemove AuditAction = "team.member.remove"
	AuditServiceGrant     AuditAction = "service.grant"
	AuditServiceRevoke    AuditAction = "service.revoke"
)
