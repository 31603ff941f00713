package ui_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/warroomhq/warroom"
)

// TestAlertPages sets up ingestion through the pages in English and
// Chinese: a key with its ingest URL and snippet, a routing rule and the
// "which rule would match" form, a monitor, a maintenance window, and an
// alert in the list.
func TestAlertPages(t *testing.T) {
	e := newEnv(t, "sqlite")
	for _, locale := range []string{"en", "zh-CN"} {
		t.Run(locale, func(t *testing.T) {
			u, ctx := e.user(t, warroom.UserRoleAdmin, locale)
			svc := &warroom.Service{Name: "pay-" + strings.ToLower(locale), Tier: 1}
			if err := e.db.CreateService(ctx, svc); err != nil {
				t.Fatal(err)
			}
			sid := strconv.FormatInt(svc.ID, 10)
			c := e.client(t)
			c.login(u.Email)

			res, body := c.post("/integrations", url.Values{"service_id": {sid}, "name": {"prom"}, "kind": {"alertmanager"}})
			wantStatus(t, res, body, http.StatusSeeOther)
			is, _, _ := e.db.FindIntegrations(context.Background(), warroom.IntegrationFilter{ServiceID: &svc.ID})
			if len(is) != 1 {
				t.Fatalf("integrations = %d", len(is))
			}
			res, body = c.get("/integrations")
			wantStatus(t, res, body, http.StatusOK)
			for _, want := range []string{"/ingest/alertmanager?key=" + is[0].Key, "webhook_configs", "send_resolved: true", `class="copy"`} {
				if !strings.Contains(body, want) {
					t.Errorf("integrations page lacks %q", want)
				}
			}

			res, body = c.post("/services/"+sid+"/routing", url.Values{"name": {"quiet"}, "match_field": {".severity", ""}, "match_op": {"=~", "="}, "match_value": {"warning|info", ""}, "window_minutes": {"0"}})
			wantStatus(t, res, body, http.StatusSeeOther)
			res, body = c.post("/services/"+sid+"/routing/test", url.Values{"summary": {"disk"}, "severity": {"warning"}})
			wantStatus(t, res, body, http.StatusOK)
			if !strings.Contains(body, "quiet") || !strings.Contains(body, `class="highlight"`) {
				t.Errorf("routing test does not show the matching rule")
			}
			res, body = c.post("/services/"+sid+"/routing", url.Values{"name": {"bad"}, "match_field": {"a"}, "match_op": {"=~"}, "match_value": {"("}})
			wantStatus(t, res, body, http.StatusUnprocessableEntity)

			res, body = c.post("/monitors", url.Values{"service_id": {sid}, "name": {"backup"}, "kind": {"heartbeat"}, "period_minutes": {"60"}, "grace_minutes": {"5"}})
			wantStatus(t, res, body, http.StatusSeeOther)
			res, body = c.get("/monitors")
			wantStatus(t, res, body, http.StatusOK)
			if !strings.Contains(body, "/ingest/heartbeat/") {
				t.Errorf("monitors page lacks the check-in URL")
			}
			res, body = c.post("/maintenance", url.Values{"service_id": {sid}, "hours": {"2"}, "reason": {"upgrade"}})
			wantStatus(t, res, body, http.StatusSeeOther)
			res, body = c.get("/maintenance")
			wantStatus(t, res, body, http.StatusOK)
			if !strings.Contains(body, "upgrade") {
				t.Errorf("maintenance page lacks the window")
			}

			b := &warroom.AlertBatch{IntegrationID: is[0].ID, ServiceID: svc.ID, Events: []*warroom.AlertEvent{
				{Action: warroom.ActionTrigger, DedupKey: "fp", Summary: "checkout 5xx " + locale, Severity: warroom.AlertCritical}}}
			if err := e.db.IngestAlerts(context.Background(), []*warroom.AlertBatch{b}); err != nil {
				t.Fatal(err)
			}
			res, body = c.get("/alerts")
			wantStatus(t, res, body, http.StatusOK)
			if !strings.Contains(body, "checkout 5xx "+locale) {
				t.Errorf("alerts page lacks the alert")
			}
			res, body = c.post("/alerts/"+strconv.FormatInt(b.Results[0].AlertID, 10)+"/resolve", nil)
			wantStatus(t, res, body, http.StatusSeeOther)
			if a, _ := e.db.FindAlertByID(context.Background(), b.Results[0].AlertID); a.Status != warroom.AlertResolved {
				t.Errorf("alert not resolved from the page")
			}
		})
	}
}

// TestAlertHandlingForm sets a service's storm control from its routing
// page; a responder sees the settings and cannot change them.
func TestAlertHandlingForm(t *testing.T) {
	e := newEnv(t, "sqlite")
	admin, ctx := e.user(t, warroom.UserRoleAdmin, "en")
	svc := &warroom.Service{Name: "edge", Tier: 1}
	if err := e.db.CreateService(ctx, svc); err != nil {
		t.Fatal(err)
	}
	sid := strconv.FormatInt(svc.ID, 10)
	c := e.client(t)
	c.login(admin.Email)
	res, body := c.get("/services/" + sid + "/routing")
	wantStatus(t, res, body, http.StatusOK)
	if !strings.Contains(body, `name="storm_threshold" min="0" max="100000" value="20"`) {
		t.Errorf("routing page lacks the default storm threshold")
	}
	form := url.Values{"flap_threshold": {"3"}, "flap_window_minutes": {"30"}, "storm_threshold": {"50"}, "storm_window_minutes": {"10"}}
	res, body = c.post("/services/"+sid+"/alert-handling", form)
	wantStatus(t, res, body, http.StatusSeeOther)
	got, _ := e.db.FindServiceByID(context.Background(), svc.ID)
	want := warroom.AlertHandling{ResolveIncidents: false, FlapThreshold: 3, FlapWindowSeconds: 1800, StormThreshold: 50, StormWindowSeconds: 600}
	if *got.AlertHandling != want {
		t.Errorf("alert handling = %+v, want %+v", *got.AlertHandling, want)
	}
	form.Set("storm_window_minutes", "0")
	res, body = c.post("/services/"+sid+"/alert-handling", form)
	wantStatus(t, res, body, http.StatusUnprocessableEntity)
	if !strings.Contains(body, "storm_window_seconds") {
		t.Errorf("refusal does not name the field")
	}

	responder, _ := e.user(t, warroom.UserRoleResponder, "en")
	rc := e.client(t)
	rc.login(responder.Email)
	res, _ = rc.post("/services/"+sid+"/alert-handling", url.Values{"storm_threshold": {"0"}})
	if res.StatusCode != http.StatusForbidden && res.StatusCode != http.StatusNotFound {
		t.Errorf("responder changing alert handling: %d, want refused", res.StatusCode)
	}
	if got, _ := e.db.FindServiceByID(context.Background(), svc.ID); got.AlertHandling.StormThreshold != 50 {
		t.Errorf("a responder changed the storm threshold")
	}
}
