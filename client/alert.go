package client

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/warroomhq/warroom"
)

// FindIntegrations returns a page of integration keys (admin) and the total.
// service is a service name or ID; "" lists every service's.
func (c *Client) FindIntegrations(ctx context.Context, service string, offset, limit int) ([]*warroom.Integration, int, error) {
	q := url.Values{}
	if service != "" {
		q.Set("service", service)
	}
	page(q, offset, limit)
	var out struct {
		Integrations []*warroom.Integration `json:"integrations"`
		Total        int                    `json:"total"`
	}
	err := c.do(ctx, http.MethodGet, "/api/v1/integrations", q, nil, &out)
	return out.Integrations, out.Total, err
}

// CreateIntegration adds a key of kind to a service (a name or ID).
// rateLimit nil takes the server's default.
func (c *Client) CreateIntegration(ctx context.Context, service, name string, kind warroom.IntegrationKind, secret string, rateLimit *int) (*warroom.Integration, error) {
	var in warroom.Integration
	body := map[string]any{"service": service, "name": name, "kind": kind, "secret": secret}
	if rateLimit != nil {
		body["rate_limit"] = *rateLimit
	}
	err := c.do(ctx, http.MethodPost, "/api/v1/integrations", nil, body, &in)
	return &in, err
}

// RotateIntegrationKey replaces an integration's key.
func (c *Client) RotateIntegrationKey(ctx context.Context, id int64) (*warroom.Integration, error) {
	var in warroom.Integration
	err := c.do(ctx, http.MethodPost, "/api/v1/integrations/"+itoa(id)+"/rotate", nil, nil, &in)
	return &in, err
}

// RevokeIntegration stops an integration's key for good.
func (c *Client) RevokeIntegration(ctx context.Context, id int64) (*warroom.Integration, error) {
	var in warroom.Integration
	err := c.do(ctx, http.MethodPost, "/api/v1/integrations/"+itoa(id)+"/revoke", nil, nil, &in)
	return &in, err
}

// FindAlerts returns a page of alerts, newest first, and the total.
// service is a name or ID, "" for all.
func (c *Client) FindAlerts(ctx context.Context, service string, filter warroom.AlertFilter) ([]*warroom.Alert, int, error) {
	q := url.Values{}
	if service != "" {
		q.Set("service", service)
	}
	for _, s := range filter.Statuses {
		q.Add("status", string(s))
	}
	if filter.IncidentID != nil {
		q.Set("incident", itoa(*filter.IncidentID))
	}
	if filter.Query != nil {
		q.Set("q", *filter.Query)
	}
	page(q, filter.Offset, filter.Limit)
	var out struct {
		Alerts     []*warroom.Alert `json:"alerts"`
		Total      int              `json:"total"`
		TotalExact *bool            `json:"total_exact"`
	}
	err := c.do(ctx, http.MethodGet, "/api/v1/alerts", q, nil, &out)
	if out.TotalExact != nil && !*out.TotalExact {
		// As the store says it: more than the server counts.
		out.Total = warroom.AlertCountLimit + 1
	}
	return out.Alerts, out.Total, err
}

// ResolveAlert resolves an alert by hand.
func (c *Client) ResolveAlert(ctx context.Context, id int64) (*warroom.Alert, error) {
	var a warroom.Alert
	err := c.do(ctx, http.MethodPost, "/api/v1/alerts/"+itoa(id)+"/resolve", nil, nil, &a)
	return &a, err
}

// FindRoutingRules returns a service's rules in the order they are tried.
func (c *Client) FindRoutingRules(ctx context.Context, service string) ([]*warroom.RoutingRule, error) {
	var out struct {
		Rules []*warroom.RoutingRule `json:"routing_rules"`
	}
	err := c.do(ctx, http.MethodGet, "/api/v1/services/"+pathEscape(service)+"/routing-rules", nil, nil, &out)
	return out.Rules, err
}

// CreateRoutingRule adds a rule to a service; on success r holds the
// stored rule.
func (c *Client) CreateRoutingRule(ctx context.Context, service string, r *warroom.RoutingRule) error {
	body := map[string]any{"name": r.Name, "position": r.Position, "matchers": r.Matchers, "severity_map": r.SeverityMap,
		"auto_open": r.AutoOpen, "grouping": r.Grouping, "group_by": r.GroupBy, "group_window_seconds": r.GroupWindowSeconds, "mitigate_on_resolve": r.MitigateOnResolve}
	return c.do(ctx, http.MethodPost, "/api/v1/services/"+pathEscape(service)+"/routing-rules", nil, body, r)
}

// DeleteRoutingRule deletes a rule.
func (c *Client) DeleteRoutingRule(ctx context.Context, id int64) error {
	return c.do(ctx, http.MethodDelete, "/api/v1/routing-rules/"+itoa(id), nil, nil, nil)
}

// RoutingMatch is the answer of MatchRoutingRule.
type RoutingMatch struct {
	Rule          *warroom.RoutingRule `json:"rule"`
	Default       bool                 `json:"default"`
	Severity      warroom.Severity     `json:"severity"`
	OpensIncident bool                 `json:"opens_incident"`
}

// MatchRoutingRule says which of a service's rules an alert would match.
func (c *Client) MatchRoutingRule(ctx context.Context, service string, ev *warroom.AlertEvent) (*RoutingMatch, error) {
	var out RoutingMatch
	err := c.do(ctx, http.MethodPost, "/api/v1/services/"+pathEscape(service)+"/routing-rules/match", nil, ev, &out)
	return &out, err
}

// FindMonitors returns a page of monitors; service "" lists all.
func (c *Client) FindMonitors(ctx context.Context, service string, offset, limit int) ([]*warroom.Monitor, int, error) {
	q := url.Values{}
	if service != "" {
		q.Set("service", service)
	}
	page(q, offset, limit)
	var out struct {
		Monitors []*warroom.Monitor `json:"monitors"`
		Total    int                `json:"total"`
	}
	err := c.do(ctx, http.MethodGet, "/api/v1/monitors", q, nil, &out)
	return out.Monitors, out.Total, err
}

// CreateMonitor adds a monitor to a service (a name or ID); on success m
// holds the stored monitor with its token.
func (c *Client) CreateMonitor(ctx context.Context, service string, m *warroom.Monitor) error {
	body := struct {
		*warroom.Monitor
		Service string `json:"service"`
	}{m, service}
	return c.do(ctx, http.MethodPost, "/api/v1/monitors", nil, body, m)
}

// DeleteMonitor deletes a monitor.
func (c *Client) DeleteMonitor(ctx context.Context, id int64) error {
	return c.do(ctx, http.MethodDelete, "/api/v1/monitors/"+itoa(id), nil, nil, nil)
}

// FindMaintenanceWindows returns the windows ending after after (zero for
// all), latest first; service "" lists all.
func (c *Client) FindMaintenanceWindows(ctx context.Context, service string, after time.Time) ([]*warroom.MaintenanceWindow, int, error) {
	q := url.Values{}
	if service != "" {
		q.Set("service", service)
	}
	if !after.IsZero() {
		q.Set("ended_after", after.UTC().Format(time.RFC3339))
	}
	var out struct {
		Windows []*warroom.MaintenanceWindow `json:"maintenance_windows"`
		Total   int                          `json:"total"`
	}
	err := c.do(ctx, http.MethodGet, "/api/v1/maintenance-windows", q, nil, &out)
	return out.Windows, out.Total, err
}

// CreateMaintenanceWindow silences a service (a name or ID) from start to end.
func (c *Client) CreateMaintenanceWindow(ctx context.Context, service string, start, end time.Time, reason string) (*warroom.MaintenanceWindow, error) {
	var w warroom.MaintenanceWindow
	err := c.do(ctx, http.MethodPost, "/api/v1/maintenance-windows", nil,
		map[string]any{"service": service, "starts_at": start.UTC(), "ends_at": end.UTC(), "reason": reason}, &w)
	return &w, err
}

// EndMaintenanceWindow ends a window now.
func (c *Client) EndMaintenanceWindow(ctx context.Context, id int64) (*warroom.MaintenanceWindow, error) {
	var w warroom.MaintenanceWindow
	err := c.do(ctx, http.MethodPost, "/api/v1/maintenance-windows/"+itoa(id)+"/end", nil, nil, &w)
	return &w, err
}
