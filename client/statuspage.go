package client

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/warroomhq/warroom"
)

// PostStatusUpdate posts a status update on an incident ("INC-42" or
// "42"); on success u holds the stored fields.
func (c *Client) PostStatusUpdate(ctx context.Context, ref string, u *warroom.StatusUpdate) error {
	p, err := incidentPath(ref)
	if err != nil {
		return err
	}
	req := statusUpdateRequest{Audience: u.Audience, WhatHappened: u.WhatHappened, Impact: u.Impact, Actions: u.Actions,
		NextUpdateBy: u.NextUpdateBy, PublicStatus: u.PublicStatus, PublicTitle: u.PublicTitle, Components: u.Components, RealWorld: u.RealWorld}
	return c.do(ctx, http.MethodPost, p+"/status-updates", nil, req, u)
}

// statusUpdateRequest is the body the API takes: the fields a caller sets.
type statusUpdateRequest struct {
	Audience     warroom.Audience          `json:"audience"`
	WhatHappened string                    `json:"what_happened"`
	Impact       string                    `json:"impact,omitempty"`
	Actions      string                    `json:"actions,omitempty"`
	NextUpdateBy *time.Time                `json:"next_update_by,omitempty"`
	PublicStatus warroom.PublicStatus      `json:"public_status,omitempty"`
	PublicTitle  string                    `json:"public_title,omitempty"`
	Components   []warroom.ComponentImpact `json:"components,omitempty"`
	RealWorld    bool                      `json:"real_world,omitempty"`
}

// FindStatusUpdates lists an incident's status updates, newest first.
func (c *Client) FindStatusUpdates(ctx context.Context, ref string) ([]*warroom.StatusUpdate, error) {
	p, err := incidentPath(ref)
	if err != nil {
		return nil, err
	}
	var out struct {
		StatusUpdates []*warroom.StatusUpdate `json:"status_updates"`
	}
	err = c.do(ctx, http.MethodGet, p+"/status-updates", nil, nil, &out)
	return out.StatusUpdates, err
}

// FindComponents lists the status page's components.
func (c *Client) FindComponents(ctx context.Context) ([]*warroom.Component, error) {
	var out struct {
		Components []*warroom.Component `json:"components"`
	}
	err := c.do(ctx, http.MethodGet, "/api/v1/components", nil, nil, &out)
	return out.Components, err
}

// CreateComponent adds a component; on success cp holds the stored fields.
func (c *Client) CreateComponent(ctx context.Context, cp *warroom.Component) error {
	req := componentRequest{Name: cp.Name, Description: cp.Description, Group: cp.Group, ServiceID: cp.ServiceID, Status: cp.Status, Position: cp.Position}
	return c.do(ctx, http.MethodPost, "/api/v1/components", nil, req, cp)
}

type componentRequest struct {
	Name        string                  `json:"name"`
	Description string                  `json:"description,omitempty"`
	Group       string                  `json:"group,omitempty"`
	ServiceID   *int64                  `json:"service_id,omitempty"`
	Status      warroom.ComponentStatus `json:"status,omitempty"`
	Position    int                     `json:"position,omitempty"`
}

// UpdateComponent changes the fields set in upd.
func (c *Client) UpdateComponent(ctx context.Context, id int64, upd warroom.ComponentUpdate) (*warroom.Component, error) {
	var out warroom.Component
	if err := c.do(ctx, http.MethodPatch, "/api/v1/components/"+itoa(id), nil, upd, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// FindMaintenances lists the windows not cancelled that end after after.
func (c *Client) FindMaintenances(ctx context.Context, after time.Time) ([]*warroom.Maintenance, error) {
	q := url.Values{}
	if !after.IsZero() {
		q.Set("after", after.UTC().Format(time.RFC3339))
	}
	var out struct {
		Maintenances []*warroom.Maintenance `json:"maintenances"`
	}
	err := c.do(ctx, http.MethodGet, "/api/v1/maintenances", q, nil, &out)
	return out.Maintenances, err
}

// CreateMaintenance schedules a window; on success m holds the stored
// fields.
func (c *Client) CreateMaintenance(ctx context.Context, m *warroom.Maintenance) error {
	req := maintenanceRequest{Title: m.Title, Body: m.Body, StartsAt: m.StartsAt, EndsAt: m.EndsAt, ComponentIDs: m.ComponentIDs}
	return c.do(ctx, http.MethodPost, "/api/v1/maintenances", nil, req, m)
}

type maintenanceRequest struct {
	Title        string    `json:"title"`
	Body         string    `json:"body,omitempty"`
	StartsAt     time.Time `json:"starts_at"`
	EndsAt       time.Time `json:"ends_at"`
	ComponentIDs []int64   `json:"component_ids,omitempty"`
}

// CancelMaintenance cancels a window.
func (c *Client) CancelMaintenance(ctx context.Context, id int64) error {
	return c.do(ctx, http.MethodPost, "/api/v1/maintenances/"+itoa(id)+"/cancel", nil, nil, nil)
}

// FindStakeholderGroups lists the stakeholder groups.
func (c *Client) FindStakeholderGroups(ctx context.Context) ([]*warroom.StakeholderGroup, error) {
	var out struct {
		Groups []*warroom.StakeholderGroup `json:"groups"`
	}
	err := c.do(ctx, http.MethodGet, "/api/v1/stakeholder-groups", nil, nil, &out)
	return out.Groups, err
}

// CreateStakeholderGroup adds a group; on success g holds the stored
// fields.
func (c *Client) CreateStakeholderGroup(ctx context.Context, g *warroom.StakeholderGroup) error {
	return c.do(ctx, http.MethodPost, "/api/v1/stakeholder-groups", nil, g, g)
}

// DeleteStakeholderGroup removes a group and the rules naming it.
func (c *Client) DeleteStakeholderGroup(ctx context.Context, id int64) error {
	return c.do(ctx, http.MethodDelete, "/api/v1/stakeholder-groups/"+itoa(id), nil, nil, nil)
}

type scopeRules struct {
	Rules []warroom.ScopeRule `json:"rules"`
}

// FindScopeRules returns the scope rules in force.
func (c *Client) FindScopeRules(ctx context.Context) ([]warroom.ScopeRule, error) {
	var out scopeRules
	err := c.do(ctx, http.MethodGet, "/api/v1/scope-rules", nil, nil, &out)
	return out.Rules, err
}

// ReplaceScopeRules replaces every scope rule.
func (c *Client) ReplaceScopeRules(ctx context.Context, rules []warroom.ScopeRule) error {
	if rules == nil {
		rules = []warroom.ScopeRule{}
	}
	return c.do(ctx, http.MethodPut, "/api/v1/scope-rules", nil, scopeRules{Rules: rules}, nil)
}
