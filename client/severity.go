package client

import (
	"context"
	"net/http"

	"github.com/warroomhq/warroom"
)

// FindSeverityMatrix returns the matrix in force.
func (c *Client) FindSeverityMatrix(ctx context.Context) (*warroom.SeverityMatrix, error) {
	var m warroom.SeverityMatrix
	if err := c.do(ctx, http.MethodGet, "/api/v1/severity-matrix", nil, nil, &m); err != nil {
		return nil, err
	}
	return &m, nil
}

// UpdateSeverityMatrix replaces the matrix; on success m holds what the
// server stored.
func (c *Client) UpdateSeverityMatrix(ctx context.Context, m *warroom.SeverityMatrix) error {
	return c.do(ctx, http.MethodPut, "/api/v1/severity-matrix", nil, m, m)
}

type slaPolicies struct {
	Policies []warroom.SLAPolicy `json:"policies"`
}

// FindSLAPolicies returns one policy per severity, worst first.
func (c *Client) FindSLAPolicies(ctx context.Context) ([]warroom.SLAPolicy, error) {
	var out slaPolicies
	if err := c.do(ctx, http.MethodGet, "/api/v1/sla-policies", nil, nil, &out); err != nil {
		return nil, err
	}
	return out.Policies, nil
}

// UpdateSLAPolicies replaces every policy and returns what was stored.
func (c *Client) UpdateSLAPolicies(ctx context.Context, ps []warroom.SLAPolicy) ([]warroom.SLAPolicy, error) {
	var out slaPolicies
	if err := c.do(ctx, http.MethodPut, "/api/v1/sla-policies", nil, slaPolicies{Policies: ps}, &out); err != nil {
		return nil, err
	}
	return out.Policies, nil
}
