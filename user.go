package warroom

import (
	"context"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"
)

// UserRole is a person's role in warroom itself (not on an incident).
type UserRole string

// Roles, from most to least privileged. The permission matrix is in
// docs/identity.md.
const (
	UserRoleOwner     UserRole = "owner"
	UserRoleAdmin     UserRole = "admin"
	UserRoleResponder UserRole = "responder"
	UserRoleViewer    UserRole = "viewer"
	// UserRoleStakeholder reads the briefs of incidents on the services it
	// follows (granted directly or through a team), and nothing else.
	UserRoleStakeholder UserRole = "stakeholder"
	// UserRoleContractor works incidents like a responder, but only those
	// whose services are all granted to it (seed 000 cases 5 and 6). It
	// cannot export, see the audit log or administer anything.
	UserRoleContractor UserRole = "contractor"
)

// UserRoles lists every role, most privileged first.
var UserRoles = []UserRole{UserRoleOwner, UserRoleAdmin, UserRoleResponder, UserRoleViewer, UserRoleStakeholder, UserRoleContractor}

// Valid reports whether r is a known role.
func (r UserRole) Valid() bool {
	for _, v := range UserRoles {
		if v == r {
			return true
		}
	}
	return false
}

// Permission is what a route or action requires. Every route declares one.
type Permission string

// Permissions.
const (
	// PermRead: see incidents, timelines, the catalog and settings.
	PermRead Permission = "read"
	// PermRespond: declare and work incidents.
	PermRespond Permission = "respond"
	// PermAdmin: change the catalog, the matrix, SLAs, SOPs and users.
	PermAdmin Permission = "admin"
)

// PermIngest: send alerts and heartbeats. Only a token with the ingest
// scope carries it, so that a monitoring system's credential can do nothing
// else.
const PermIngest Permission = "ingest"

// Permissions lists every permission.
var Permissions = []Permission{PermRead, PermRespond, PermAdmin, PermIngest}

var rolePerms = map[UserRole][]Permission{
	UserRoleOwner:       {PermRead, PermRespond, PermAdmin, PermIngest},
	UserRoleAdmin:       {PermRead, PermRespond, PermAdmin, PermIngest},
	UserRoleResponder:   {PermRead, PermRespond, PermIngest},
	UserRoleViewer:      {PermRead},
	UserRoleStakeholder: {PermRead},
	UserRoleContractor:  {PermRead, PermRespond},
}

// Scoped reports whether the role's permissions hold only on the services
// granted to the user: such a user reaches only routes about one incident
// it may see, or about itself, and everything else is refused.
func (r UserRole) Scoped() bool { return r == UserRoleStakeholder || r == UserRoleContractor }

// SeesIncident reports whether a user of a scoped role may see an incident
// on serviceIDs, given the services granted to it. A contractor needs every
// service granted, so that an incident spanning a system it was never given
// reveals nothing of it; a stakeholder follows services, so one followed
// service is enough. An incident on no service is visible to neither.
// Unscoped roles see every incident.
func (r UserRole) SeesIncident(serviceIDs, granted []int64) bool {
	if !r.Scoped() {
		return true
	}
	if len(serviceIDs) == 0 {
		return false
	}
	in := func(id int64) bool {
		for _, g := range granted {
			if g == id {
				return true
			}
		}
		return false
	}
	for _, id := range serviceIDs {
		switch ok := in(id); {
		case ok && r == UserRoleStakeholder:
			return true
		case !ok && r == UserRoleContractor:
			return false
		}
	}
	return r == UserRoleContractor
}

// Can reports whether role r grants permission p.
func (r UserRole) Can(p Permission) bool {
	for _, v := range rolePerms[r] {
		if v == p {
			return true
		}
	}
	return false
}

// User is a person with an account. Accounts are per person and never
// shared (seed 000); a departed user is deactivated, never deleted, so that
// history keeps its names.
type User struct {
	ID       int64    `json:"id"`
	Name     string   `json:"name"`
	Email    string   `json:"email"`
	Role     UserRole `json:"role"`
	Active   bool     `json:"active"`
	Locale   string   `json:"locale"`
	TimeZone string   `json:"time_zone"`

	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Can reports whether the user is active and its role grants p.
func (u *User) Can(p Permission) bool { return u != nil && u.Active && u.Role.Can(p) }

// Validate checks the user fields and normalises the email address.
func (u *User) Validate() error {
	if strings.TrimSpace(u.Name) == "" || utf8.RuneCountInString(u.Name) > MaxTitleLen {
		return FieldErrorf("name", "must be 1 to %d characters", MaxTitleLen)
	}
	addr, err := mail.ParseAddress(u.Email)
	if err != nil || addr.Address != strings.TrimSpace(u.Email) || len(u.Email) > 254 {
		return FieldErrorf("email", "must be a plain address such as ana@example.com")
	}
	u.Email = strings.ToLower(addr.Address)
	if !u.Role.Valid() {
		return FieldErrorf("role", "unknown role %q (want owner, admin, responder, viewer, stakeholder or contractor)", u.Role)
	}
	if u.Locale == "" {
		u.Locale = "en"
	}
	if u.Locale != "en" && u.Locale != "zh-CN" {
		return FieldErrorf("locale", "must be \"en\" or \"zh-CN\"")
	}
	if u.TimeZone == "" {
		u.TimeZone = "UTC"
	}
	if _, err := time.LoadLocation(u.TimeZone); err != nil || len(u.TimeZone) > 64 {
		return FieldErrorf("time_zone", "unknown time zone %q", u.TimeZone)
	}
	return nil
}

// UserFilter selects users.
type UserFilter struct {
	ID     *int64
	Email  *string
	Active *bool

	Offset int
	Limit  int
}

// UserUpdate changes a user; nil fields are left alone.
type UserUpdate struct {
	Name     *string   `json:"name"`
	Role     *UserRole `json:"role"`
	Active   *bool     `json:"active"`
	Locale   *string   `json:"locale"`
	TimeZone *string   `json:"time_zone"`
}

// Token is an API token. Only its hash is stored; the secret is shown once,
// when it is created.
type Token struct {
	ID     int64  `json:"id"`
	UserID int64  `json:"user_id"`
	Name   string `json:"name"`
	// Prefix is the token's first characters, enough to recognise it in a
	// list without revealing it.
	Prefix string `json:"prefix"`
	// Kind says whether the token is a person's own or a service token
	// issued by an admin for a system (CI, monitoring).
	Kind TokenKind `json:"kind"`
	// Scopes cap what the token may do below its owner's role.
	Scopes     []TokenScope `json:"scopes"`
	CreatedAt  time.Time    `json:"created_at"`
	ExpiresAt  *time.Time   `json:"expires_at"`
	LastUsedAt *time.Time   `json:"last_used_at"`
	RevokedAt  *time.Time   `json:"revoked_at"`
}

// TokenPrefix starts every token so that secret scanners can find leaked
// ones.
const TokenPrefix = "wr_"

// MinPasswordLen is the shortest password accepted.
const MinPasswordLen = 12

// Login protection: after MaxLoginFailures wrong passwords in a row an
// account is locked for LoginLockout, whoever tries.
const (
	MaxLoginFailures = 5
	LoginLockout     = 15 * time.Minute
)

// Identity audit actions.
const (
	AuditUserLoginFailed AuditAction = "user.login_failed"
	AuditUserLocked      AuditAction = "user.locked"
	AuditUserSSOLink     AuditAction = "user.sso_link"
	AuditUserSSOCreate   AuditAction = "user.sso_create"
	// AuditUserSSORole is a role changed at login by the SSO role mapping;
	// its actor is the system, not the person signing in.
	AuditUserSSORole AuditAction = "user.sso_role"
)

// ExternalIdentity is a person as an SSO provider vouches for them.
type ExternalIdentity struct {
	Issuer  string
	Subject string
	Email   string
	Name    string
	// Role is the role mapped from the provider's claims; it is applied at
	// every login, so that a change of group at the provider takes effect.
	Role UserRole
	// RoleClaim and RoleValues are the claim and its values Role was
	// mapped from, recorded in the audit log with the role.
	RoleClaim  string
	RoleValues []string
}

// UserService manages accounts, API tokens and passwords.
type UserService interface {
	// FindUserByID returns ENOTFOUND.
	FindUserByID(ctx context.Context, id int64) (*User, error)

	// FindUsers returns a page of users by name and the total.
	FindUsers(ctx context.Context, filter UserFilter) ([]*User, int, error)

	// CreateUser adds an active user.
	// Returns EINVALID, ECONFLICT when the email is taken.
	CreateUser(ctx context.Context, u *User) error

	// UpdateUser changes a user.
	// Returns ENOTFOUND, EINVALID, ECONFLICT when it would leave no active
	// owner or admin.
	UpdateUser(ctx context.Context, id int64, upd UserUpdate) (*User, error)

	// CreateToken issues a token for a user and returns its secret, which is
	// never retrievable again. expiresAt nil means no expiry.
	// Returns ENOTFOUND, EINVALID.
	CreateToken(ctx context.Context, userID int64, name string, expiresAt *time.Time) (*Token, string, error)

	// FindTokens lists a user's tokens, revoked ones included.
	FindTokens(ctx context.Context, userID int64) ([]*Token, error)

	// RevokeToken revokes a token of the given user.
	// Returns ENOTFOUND, ECONFLICT when already revoked.
	RevokeToken(ctx context.Context, userID, tokenID int64) error

	// Authenticate returns the active user owning a valid, unexpired,
	// unrevoked token and records its last use.
	// Returns EUNAUTHORIZED for anything else, without saying which.
	Authenticate(ctx context.Context, secret string) (*User, error)

	// SetPassword sets a user's password, hashed with a memory-hard KDF.
	// Returns ENOTFOUND, EINVALID when shorter than MinPasswordLen.
	SetPassword(ctx context.Context, userID int64, password string) error

	// AuthenticatePassword checks an email and password.
	// Returns EUNAUTHORIZED for an unknown email, a wrong password or an
	// inactive user, without saying which.
	AuthenticatePassword(ctx context.Context, email, password string) (*User, error)

	// IssueToken issues a token of a kind and scopes for a user and
	// returns its secret, which is never retrievable again.
	// Returns ENOTFOUND, EINVALID.
	IssueToken(ctx context.Context, userID int64, in TokenInput) (*Token, string, error)

	// AuthenticateToken is Authenticate returning the token too, so that
	// its scopes can be checked.
	// Returns EUNAUTHORIZED.
	AuthenticateToken(ctx context.Context, secret string) (*User, *Token, error)

	// LoginExternal signs in a person vouched for by the SSO provider:
	// the user with that issuer and subject, else the one with that email
	// (which is then linked), else a new user with the mapped role.
	// Returns EUNAUTHORIZED for a deactivated user, EINVALID.
	LoginExternal(ctx context.Context, id ExternalIdentity) (*User, error)

	// Bootstrap creates the first admin when there are no users at all and
	// gives it a token: token if non-empty, else a new one. It returns the
	// admin and the secret, or (nil, "", nil) when users already exist.
	Bootstrap(ctx context.Context, name, email, token string) (*User, string, error)
}
