package warroom

import (
	"context"
	"time"
)

// Invite asks a person to create their own account: an admin names the
// email and the role, and the person sets their name and password through a
// single-use link, so that no admin ever knows another person's password.
// Only a hash of the link's secret is stored.
type Invite struct {
	ID        int64     `json:"id"`
	Email     string    `json:"email"`
	Role      UserRole  `json:"role"`
	InvitedBy int64     `json:"invited_by"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
	// AcceptedAt and UserID are set once the invite is used.
	AcceptedAt *time.Time `json:"accepted_at"`
	UserID     int64      `json:"user_id"`
	RevokedAt  *time.Time `json:"revoked_at"`
}

// InviteState is where an invite stands.
type InviteState string

// Invite states.
const (
	InvitePending  InviteState = "pending"
	InviteAccepted InviteState = "accepted"
	InviteRevoked  InviteState = "revoked"
	InviteExpired  InviteState = "expired"
)

// State reports the invite's state at now.
func (i *Invite) State(now time.Time) InviteState {
	switch {
	case i.AcceptedAt != nil:
		return InviteAccepted
	case i.RevokedAt != nil:
		return InviteRevoked
	case !now.Before(i.ExpiresAt):
		return InviteExpired
	}
	return InvitePending
}

// InviteTTL is how long an invite link works: long enough for a weekend,
// short enough that a forgotten link in a mailbox soon stops working.
const InviteTTL = 7 * 24 * time.Hour

// InviteService manages invitations.
type InviteService interface {
	// CreateInvite invites an email address with a role and returns the
	// invite with its secret, which is never retrievable again.
	// Returns EINVALID, ECONFLICT when the email already has an account.
	CreateInvite(ctx context.Context, email string, role UserRole) (*Invite, string, error)

	// FindInvites lists invites, newest first.
	FindInvites(ctx context.Context) ([]*Invite, error)

	// FindInviteBySecret returns a pending invite.
	// Returns ENOTFOUND for an unknown, used, revoked or expired one,
	// without saying which.
	FindInviteBySecret(ctx context.Context, secret string) (*Invite, error)

	// RevokeInvite withdraws a pending invite.
	// Returns ENOTFOUND, ECONFLICT when it is no longer pending.
	RevokeInvite(ctx context.Context, id int64) error

	// AcceptInvite creates the invited account with a name and password
	// and uses the invite up, in one transaction.
	// Returns ENOTFOUND as FindInviteBySecret, EINVALID, ECONFLICT when the
	// email got an account meanwhile.
	AcceptInvite(ctx context.Context, secret, name, password string) (*User, error)
}

// Invite audit actions.
const (
	AuditInviteCreate AuditAction = "invite.create"
	AuditInviteRevoke AuditAction = "invite.revoke"
	AuditInviteAccept AuditAction = "invite.accept"
)
