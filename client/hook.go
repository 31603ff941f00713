package client

import (
	"context"
	"net/http"
	"net/url"

	"github.com/warroomhq/warroom"
)

// FindHookSubscriptions lists every webhook subscription (admin).
func (c *Client) FindHookSubscriptions(ctx context.Context) ([]*warroom.HookSubscription, error) {
	var out struct {
		Webhooks []*warroom.HookSubscription `json:"webhooks"`
	}
	err := c.do(ctx, http.MethodGet, "/api/v1/webhooks", nil, nil, &out)
	return out.Webhooks, err
}

// FindHookSubscriptionByID returns one subscription.
func (c *Client) FindHookSubscriptionByID(ctx context.Context, id int64) (*warroom.HookSubscription, error) {
	var s warroom.HookSubscription
	err := c.do(ctx, http.MethodGet, "/api/v1/webhooks/"+itoa(id), nil, nil, &s)
	return &s, err
}

// CreateHookSubscription adds a subscription and fills it in, with the
// secret, shown this once.
func (c *Client) CreateHookSubscription(ctx context.Context, s *warroom.HookSubscription) error {
	body := map[string]any{"name": s.Name, "url": s.URL, "event_types": s.EventTypes, "severities": s.Severities,
		"incident_types": s.IncidentTypes, "service_ids": s.ServiceIDs, "drills": s.Drills, "active": s.Active}
	return c.do(ctx, http.MethodPost, "/api/v1/webhooks", nil, body, s)
}

// UpdateHookSubscription changes a subscription.
func (c *Client) UpdateHookSubscription(ctx context.Context, id int64, upd warroom.HookSubscriptionUpdate) (*warroom.HookSubscription, error) {
	var s warroom.HookSubscription
	err := c.do(ctx, http.MethodPatch, "/api/v1/webhooks/"+itoa(id), nil, upd, &s)
	return &s, err
}

// RotateHookSecret replaces a subscription's signing secret.
func (c *Client) RotateHookSecret(ctx context.Context, id int64) (*warroom.HookSubscription, error) {
	var s warroom.HookSubscription
	err := c.do(ctx, http.MethodPost, "/api/v1/webhooks/"+itoa(id)+"/rotate", nil, nil, &s)
	return &s, err
}

// DeleteHookSubscription removes a subscription.
func (c *Client) DeleteHookSubscription(ctx context.Context, id int64) error {
	return c.do(ctx, http.MethodDelete, "/api/v1/webhooks/"+itoa(id), nil, nil, nil)
}

// FindHookDeliveries returns a page of a subscription's deliveries,
// newest first, and the total; state "" means every state.
func (c *Client) FindHookDeliveries(ctx context.Context, id int64, state string, offset, limit int) ([]*warroom.HookDelivery, int, error) {
	q := url.Values{}
	if state != "" {
		q.Set("state", state)
	}
	page(q, offset, limit)
	var out struct {
		Deliveries []*warroom.HookDelivery `json:"deliveries"`
		Total      int                     `json:"total"`
	}
	err := c.do(ctx, http.MethodGet, "/api/v1/webhooks/"+itoa(id)+"/deliveries", q, nil, &out)
	return out.Deliveries, out.Total, err
}

// FindHookDeliveryByID returns a delivery with its body and attempts.
func (c *Client) FindHookDeliveryByID(ctx context.Context, id int64) (*warroom.HookDelivery, error) {
	var d warroom.HookDelivery
	err := c.do(ctx, http.MethodGet, "/api/v1/webhook-deliveries/"+itoa(id), nil, nil, &d)
	return &d, err
}

// RedeliverHook sends a settled delivery again.
func (c *Client) RedeliverHook(ctx context.Context, id int64) (*warroom.HookDelivery, error) {
	var d warroom.HookDelivery
	err := c.do(ctx, http.MethodPost, "/api/v1/webhook-deliveries/"+itoa(id)+"/redeliver", nil, nil, &d)
	return &d, err
}
