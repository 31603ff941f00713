package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"github.com/warroomhq/warroom"
)

// IssueToken issues a token of a kind and scopes for a user and returns it
// with its secret.
func (c *Client) IssueToken(ctx context.Context, userID int64, in warroom.TokenInput) (*warroom.Token, string, error) {
	var out struct {
		Token  *warroom.Token `json:"token"`
		Secret string         `json:"secret"`
	}
	if err := c.do(ctx, http.MethodPost, fmt.Sprintf("/api/v1/users/%d/tokens", userID), nil, in, &out); err != nil {
		return nil, "", err
	}
	return out.Token, out.Secret, nil
}

// RevokeAllTokens revokes every active token of a user, or of everyone for
// userID 0, and returns how many.
func (c *Client) RevokeAllTokens(ctx context.Context, userID int64) (int, error) {
	var out struct{ Revoked int }
	in := map[string]any{"user_id": userID}
	if userID == 0 {
		in = map[string]any{"all": true}
	}
	if err := c.do(ctx, http.MethodPost, "/api/v1/tokens/revoke-all", nil, in, &out); err != nil {
		return 0, err
	}
	return out.Revoked, nil
}

// FindTeams lists every team with its members.
func (c *Client) FindTeams(ctx context.Context) ([]*warroom.Team, error) {
	var out struct{ Teams []*warroom.Team }
	if err := c.do(ctx, http.MethodGet, "/api/v1/teams", nil, nil, &out); err != nil {
		return nil, err
	}
	return out.Teams, nil
}

// CreateTeam adds a team and fills in its ID.
func (c *Client) CreateTeam(ctx context.Context, t *warroom.Team) error {
	return c.do(ctx, http.MethodPost, "/api/v1/teams", nil, map[string]string{"name": t.Name, "description": t.Description}, t)
}

// AddTeamMember adds a user to a team.
func (c *Client) AddTeamMember(ctx context.Context, teamID, userID int64) error {
	return c.do(ctx, http.MethodPost, fmt.Sprintf("/api/v1/teams/%d/members", teamID), nil, map[string]int64{"user_id": userID}, nil)
}

// RemoveTeamMember takes a user off a team.
func (c *Client) RemoveTeamMember(ctx context.Context, teamID, userID int64) error {
	return c.do(ctx, http.MethodDelete, fmt.Sprintf("/api/v1/teams/%d/members/%d", teamID, userID), nil, nil, nil)
}

// GrantService gives a user of a scoped role access to a service.
func (c *Client) GrantService(ctx context.Context, userID, serviceID int64) error {
	return c.do(ctx, http.MethodPost, fmt.Sprintf("/api/v1/users/%d/grants", userID), nil, map[string]int64{"service_id": serviceID}, nil)
}

// RevokeService takes a service grant away.
func (c *Client) RevokeService(ctx context.Context, userID, serviceID int64) error {
	return c.do(ctx, http.MethodDelete, fmt.Sprintf("/api/v1/users/%d/grants/%d", userID, serviceID), nil, nil, nil)
}

// FindApprovals returns a page of two-person rule requests and the total.
func (c *Client) FindApprovals(ctx context.Context, f warroom.ApprovalFilter) ([]*warroom.Approval, int, error) {
	q := url.Values{}
	if f.State != nil {
		q.Set("state", string(*f.State))
	}
	page(q, f.Offset, f.Limit)
	var out struct {
		Approvals []*warroom.Approval
		Total     int
	}
	if err := c.do(ctx, http.MethodGet, "/api/v1/approvals", q, nil, &out); err != nil {
		return nil, 0, err
	}
	return out.Approvals, out.Total, nil
}

// RequestApproval asks a second admin to run a guarded operation.
func (c *Client) RequestApproval(ctx context.Context, op warroom.ApprovalOp, params any, reason string) (*warroom.Approval, error) {
	raw, err := json.Marshal(params)
	if err != nil {
		return nil, fmt.Errorf("request approval: %w", err)
	}
	var a warroom.Approval
	in := map[string]any{"op": op, "params": json.RawMessage(raw), "reason": reason}
	if err := c.do(ctx, http.MethodPost, "/api/v1/approvals", nil, in, &a); err != nil {
		return nil, err
	}
	return &a, nil
}

// Approve approves and runs a pending request.
func (c *Client) Approve(ctx context.Context, id int64) (*warroom.Approval, error) {
	var a warroom.Approval
	if err := c.do(ctx, http.MethodPost, fmt.Sprintf("/api/v1/approvals/%d/approve", id), nil, nil, &a); err != nil {
		return nil, err
	}
	return &a, nil
}

// Reject refuses a pending request.
func (c *Client) Reject(ctx context.Context, id int64) (*warroom.Approval, error) {
	var a warroom.Approval
	if err := c.do(ctx, http.MethodPost, fmt.Sprintf("/api/v1/approvals/%d/reject", id), nil, nil, &a); err != nil {
		return nil, err
	}
	return &a, nil
}

// VerifyAudit asks the server to check the audit hash chain.
func (c *Client) VerifyAudit(ctx context.Context) (*warroom.AuditVerification, error) {
	var v warroom.AuditVerification
	if err := c.do(ctx, http.MethodGet, "/api/v1/audit/verify", nil, nil, &v); err != nil {
		return nil, err
	}
	return &v, nil
}
