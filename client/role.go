package client

import (
	"context"
	"net/http"
	"net/url"

	"github.com/warroomhq/warroom"
)

type assignRequest struct {
	Role   string `json:"role"`
	UserID int64  `json:"user_id"`
}

// AssignRole gives role to a user on an incident.
func (c *Client) AssignRole(ctx context.Context, ref, role string, userID int64) (*warroom.RoleAssignment, error) {
	p, err := incidentPath(ref)
	if err != nil {
		return nil, err
	}
	var a warroom.RoleAssignment
	if err := c.do(ctx, http.MethodPost, p+"/roles", nil, assignRequest{Role: role, UserID: userID}, &a); err != nil {
		return nil, err
	}
	return &a, nil
}

// EndRoleAssignment ends an assignment on an incident.
func (c *Client) EndRoleAssignment(ctx context.Context, ref string, assignmentID int64) error {
	p, err := incidentPath(ref)
	if err != nil {
		return err
	}
	return c.do(ctx, http.MethodDelete, p+"/roles/"+itoa(assignmentID), nil, nil, nil)
}

type assignmentList struct {
	Roles []*warroom.RoleAssignment `json:"roles"`
}

// FindRoleAssignments lists an incident's current assignments, or every
// assignment ever made when history is true.
func (c *Client) FindRoleAssignments(ctx context.Context, ref string, history bool) ([]*warroom.RoleAssignment, error) {
	p, err := incidentPath(ref)
	if err != nil {
		return nil, err
	}
	q := url.Values{}
	if history {
		q.Set("history", "true")
	}
	var out assignmentList
	if err := c.do(ctx, http.MethodGet, p+"/roles", q, nil, &out); err != nil {
		return nil, err
	}
	return out.Roles, nil
}

type incidentRoleList struct {
	Roles []*warroom.IncidentRole `json:"roles"`
}

// FindIncidentRoles lists the role catalog.
func (c *Client) FindIncidentRoles(ctx context.Context) ([]*warroom.IncidentRole, error) {
	var out incidentRoleList
	if err := c.do(ctx, http.MethodGet, "/api/v1/incident-roles", nil, nil, &out); err != nil {
		return nil, err
	}
	return out.Roles, nil
}

type incidentRoleRequest struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

// CreateIncidentRole adds a team-defined role; on success r holds the
// stored fields.
func (c *Client) CreateIncidentRole(ctx context.Context, r *warroom.IncidentRole) error {
	return c.do(ctx, http.MethodPost, "/api/v1/incident-roles", nil, incidentRoleRequest{Name: r.Name, Description: r.Description}, r)
}

// DeleteIncidentRole removes a team-defined role.
func (c *Client) DeleteIncidentRole(ctx context.Context, name string) error {
	return c.do(ctx, http.MethodDelete, "/api/v1/incident-roles/"+pathEscape(name), nil, nil, nil)
}
