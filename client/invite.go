package client

import (
	"context"
	"fmt"
	"net/http"

	"github.com/warroomhq/warroom"
)

// CreateInvite invites an email address with a role. It returns the invite
// and the link's path on the web UI (/invite/…), which the server never
// shows again.
func (c *Client) CreateInvite(ctx context.Context, email string, role warroom.UserRole) (*warroom.Invite, string, error) {
	var out struct {
		Invite *warroom.Invite `json:"invite"`
		Path   string          `json:"path"`
	}
	in := map[string]any{"email": email, "role": role}
	if err := c.do(ctx, http.MethodPost, "/api/v1/invites", nil, in, &out); err != nil {
		return nil, "", err
	}
	return out.Invite, out.Path, nil
}

// FindInvites lists invitations, newest first.
func (c *Client) FindInvites(ctx context.Context) ([]*warroom.Invite, error) {
	var out struct{ Invites []*warroom.Invite }
	if err := c.do(ctx, http.MethodGet, "/api/v1/invites", nil, nil, &out); err != nil {
		return nil, err
	}
	return out.Invites, nil
}

// RevokeInvite withdraws a pending invitation.
func (c *Client) RevokeInvite(ctx context.Context, id int64) error {
	return c.do(ctx, http.MethodPost, fmt.Sprintf("/api/v1/invites/%d/revoke", id), nil, nil, nil)
}

// FindTeamByID returns one team with its members.
func (c *Client) FindTeamByID(ctx context.Context, id int64) (*warroom.Team, error) {
	var t warroom.Team
	if err := c.do(ctx, http.MethodGet, fmt.Sprintf("/api/v1/teams/%d", id), nil, nil, &t); err != nil {
		return nil, err
	}
	return &t, nil
}

// FindUserServiceIDs returns the services a user of a scoped role reaches:
// those granted to it and those owned by its teams.
func (c *Client) FindUserServiceIDs(ctx context.Context, userID int64) ([]int64, error) {
	var out struct {
		ServiceIDs []int64 `json:"service_ids"`
	}
	if err := c.do(ctx, http.MethodGet, fmt.Sprintf("/api/v1/users/%d/grants", userID), nil, nil, &out); err != nil {
		return nil, err
	}
	return out.ServiceIDs, nil
}
