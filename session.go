package warroom

import (
	"context"
	"time"
)

// Session is a browser login. Only the hash of its secret is stored; the
// secret lives in the user's cookie.
type Session struct {
	ID     int64 `json:"id"`
	UserID int64 `json:"user_id"`
	// CSRFToken is bound to the session and must accompany every form post.
	CSRFToken  string    `json:"-"`
	CreatedAt  time.Time `json:"created_at"`
	ExpiresAt  time.Time `json:"expires_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
	UserAgent  string    `json:"user_agent"`
	SourceIP   string    `json:"source_ip"`
}

// SessionTTL is how long a session lives without use.
const SessionTTL = 12 * time.Hour

// SessionService manages browser sessions.
type SessionService interface {
	// CreateSession starts a session for an active user and returns it with
	// its secret for the cookie.
	// Returns ENOTFOUND, EUNAUTHORIZED for an inactive user.
	CreateSession(ctx context.Context, userID int64, userAgent, sourceIP string) (*Session, string, error)

	// FindSession returns the session and its active user for a cookie
	// secret, extending the expiry (sliding, at most once a minute).
	// Returns EUNAUTHORIZED for an unknown or expired session or an inactive
	// user.
	FindSession(ctx context.Context, secret string) (*Session, *User, error)

	// DeleteSession ends a session (logout). Unknown secrets are ignored.
	DeleteSession(ctx context.Context, secret string) error

	// DeleteUserSessions ends every session of a user, e.g. after a
	// password change.
	DeleteUserSessions(ctx context.Context, userID int64) error
}
