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

// Roles, from most to least privileged.
const (
	UserRoleOwner     UserRole = "owner"
	UserRoleAdmin     UserRole = "admin"
	UserRoleResponder UserRole = "responder"
	UserRoleViewer    UserRole = "viewer"
)

// UserRoles lists every role, most privileged first.
var UserRoles = []UserRole{UserRoleOwner, UserRoleAdmin, UserRoleResponder, UserRoleViewer}

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

// Permissions lists every permission.
var Permissions = []Permission{PermRead, PermRespond, PermAdmin}

var rolePerms = map[UserRole][]Permission{
	UserRoleOwner:     {PermRead, PermRespond, PermAdmin},
	UserRoleAdmin:     {PermRead, PermRespond, PermAdmin},
	UserRoleResponder: {PermRead, PermRespond},
	UserRoleViewer:    {PermRead},
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
		return FieldErrorf("role", "unknown role %q (want owner, admin, responder or viewer)", u.Role)
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
	Prefix     string     `json:"prefix"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  *time.Time `json:"expires_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
}

// TokenPrefix starts every token so that secret scanners can find leaked
// ones.
const TokenPrefix = "wr_"

// MinPasswordLen is the shortest password accepted.
const MinPasswordLen = 12

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

	// Bootstrap creates the first admin when there are no users at all and
	// gives it a token: token if non-empty, else a new one. It returns the
	// admin and the secret, or (nil, "", nil) when users already exist.
	Bootstrap(ctx context.Context, name, email, token string) (*User, string, error)
}
