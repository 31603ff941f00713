package api_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

// TestAlertIngestionAPI walks the management routes of alert ingestion:
// keys, routing rules and the match endpoint, monitors, maintenance
// windows and the alert list.
func TestAlertIngestionAPI(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		h := newHarness(t, engine)
		h.ok(h.adminToken, "POST", "/api/v1/services", map[string]any{"name": "payments", "tier": 1}, http.StatusCreated, nil)

		var in warroom.Integration
		h.ok(h.adminToken, "POST", "/api/v1/integrations", map[string]any{"service": "payments", "name": "prom", "kind": "alertmanager"}, http.StatusCreated, &in)
		if len(in.Key) != 32 || in.RateLimit != warroom.DefaultRateLimit {
			t.Fatalf("integration = %+v", in)
		}
		h.fail(h.adminToken, "POST", "/api/v1/integrations", map[string]any{"service": "payments", "name": "x", "kind": "nagios"}, http.StatusUnprocessableEntity, "kind")
		h.fail(h.adminToken, "POST", "/api/v1/integrations", map[string]any{"service": "nope", "name": "x", "kind": "generic"}, http.StatusNotFound, "")
		h.fail(h.responderToken, "GET", "/api/v1/integrations", nil, http.StatusForbidden, "")
		var rotated warroom.Integration
		h.ok(h.adminToken, "POST", "/api/v1/integrations/"+strconv.FormatInt(in.ID, 10)+"/rotate", nil, http.StatusOK, &rotated)
		if rotated.Key == in.Key {
			t.Errorf("rotate kept the key")
		}

		var rule warroom.RoutingRule
		h.ok(h.adminToken, "POST", "/api/v1/services/payments/routing-rules", map[string]any{
			"name": "warnings stay quiet", "auto_open": false,
			"matchers": []map[string]string{{"field": ".severity", "op": "=~", "value": "warning|info"}},
		}, http.StatusCreated, &rule)
		h.fail(h.adminToken, "POST", "/api/v1/services/payments/routing-rules", map[string]any{
			"name": "bad", "matchers": []map[string]string{{"field": "a", "op": "=~", "value": "("}}}, http.StatusUnprocessableEntity, "matchers.value")
		// Grouping is set through the API; "none" with labels is refused.
		var each warroom.RoutingRule
		h.ok(h.adminToken, "POST", "/api/v1/services/payments/routing-rules", map[string]any{
			"name": "each alert alone", "grouping": "none", "matchers": []map[string]string{{"field": "team", "op": "=", "value": "batch"}},
		}, http.StatusCreated, &each)
		if each.Grouping != warroom.GroupNone {
			t.Errorf("grouping = %q, want none", each.Grouping)
		}
		h.fail(h.adminToken, "POST", "/api/v1/services/payments/routing-rules", map[string]any{
			"name": "bad grouping", "grouping": "none", "group_by": []string{"alertname"}}, http.StatusUnprocessableEntity, "group_by")
		h.fail(h.adminToken, "POST", "/api/v1/services/payments/routing-rules", map[string]any{
			"name": "bad grouping", "grouping": "sometimes"}, http.StatusUnprocessableEntity, "grouping")
		var match struct {
			Rule          warroom.RoutingRule
			Default       bool
			Severity      warroom.Severity
			OpensIncident bool `json:"opens_incident"`
		}
		h.ok(h.viewerToken, "POST", "/api/v1/services/payments/routing-rules/match", map[string]any{"summary": "x", "severity": "warning"}, http.StatusOK, &match)
		if match.Rule.ID != rule.ID || match.OpensIncident {
			t.Errorf("match warning = %+v, want the quiet rule", match)
		}
		h.ok(h.viewerToken, "POST", "/api/v1/services/payments/routing-rules/match", map[string]any{"summary": "x", "severity": "critical"}, http.StatusOK, &match)
		if !match.Default || match.Severity != warroom.P1 || !match.OpensIncident {
			t.Errorf("match critical = %+v, want the default rule at P1", match)
		}

		var m warroom.Monitor
		h.ok(h.adminToken, "POST", "/api/v1/monitors", map[string]any{"service": "payments", "name": "backup", "kind": "heartbeat", "period_seconds": 3600}, http.StatusCreated, &m)
		var seen warroom.Monitor
		h.ok(h.viewerToken, "GET", "/api/v1/monitors/"+strconv.FormatInt(m.ID, 10), nil, http.StatusOK, &seen)
		if m.Token == "" || seen.Token != "" {
			t.Errorf("token to admin %q, to viewer %q: want shown to admins only", m.Token, seen.Token)
		}

		now := time.Now().UTC()
		var mw warroom.MaintenanceWindow
		h.ok(h.responderToken, "POST", "/api/v1/maintenance-windows", map[string]any{"service": "payments", "starts_at": now, "ends_at": now.Add(time.Hour), "reason": "db upgrade"}, http.StatusCreated, &mw)
		h.ok(h.responderToken, "POST", "/api/v1/maintenance-windows/"+strconv.FormatInt(mw.ID, 10)+"/end", nil, http.StatusOK, nil)
		h.fail(h.responderToken, "POST", "/api/v1/maintenance-windows/"+strconv.FormatInt(mw.ID, 10)+"/end", nil, http.StatusConflict, "")

		b := &warroom.AlertBatch{IntegrationID: in.ID, ServiceID: in.ServiceID, Events: []*warroom.AlertEvent{
			{Action: warroom.ActionTrigger, DedupKey: "a", Summary: "card payments failing", Severity: warroom.AlertCritical}}}
		if err := h.db.IngestAlerts(context.Background(), []*warroom.AlertBatch{b}); err != nil {
			t.Fatal(err)
		}
		var alerts struct {
			Alerts []*warroom.Alert
			Total  int
		}
		h.ok(h.viewerToken, "GET", "/api/v1/alerts?service=payments&status=firing", nil, http.StatusOK, &alerts)
		if alerts.Total != 1 || alerts.Alerts[0].Summary != "card payments failing" {
			t.Fatalf("alerts = %+v", alerts)
		}
		h.fail(h.viewerToken, "POST", "/api/v1/alerts/"+strconv.FormatInt(alerts.Alerts[0].ID, 10)+"/resolve", nil, http.StatusForbidden, "")
		var resolved warroom.Alert
		h.ok(h.responderToken, "POST", "/api/v1/alerts/"+strconv.FormatInt(alerts.Alerts[0].ID, 10)+"/resolve", nil, http.StatusOK, &resolved)
		if resolved.Status != warroom.AlertResolved {
			t.Errorf("resolved = %s", resolved.Status)
		}
		h.fail(h.viewerToken, "GET", "/api/v1/alerts?status=sleeping", nil, http.StatusUnprocessableEntity, "status")
	})
}
