package warroom

import "context"

type contextKey int

const (
	userContextKey contextKey = iota + 1
	sourceContextKey
)

// NewContextWithUser returns ctx carrying the authenticated user, to whom
// every change made with it is attributed.
func NewContextWithUser(ctx context.Context, u *User) context.Context {
	return context.WithValue(ctx, userContextKey, u)
}

// UserFromContext returns the authenticated user, or nil for the system.
func UserFromContext(ctx context.Context) *User {
	u, _ := ctx.Value(userContextKey).(*User)
	return u
}

// UserIDFromContext returns the authenticated user's ID, or 0 for the system.
func UserIDFromContext(ctx context.Context) int64 {
	if u := UserFromContext(ctx); u != nil {
		return u.ID
	}
	return 0
}

// NewContextWithSource returns ctx carrying the client address recorded in
// the audit log.
func NewContextWithSource(ctx context.Context, addr string) context.Context {
	return context.WithValue(ctx, sourceContextKey, addr)
}

// SourceFromContext returns the client address, or "" when the change did
// not come over the network.
func SourceFromContext(ctx context.Context) string {
	s, _ := ctx.Value(sourceContextKey).(string)
	return s
}
