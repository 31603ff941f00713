package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

// integration creates a service with an integration key of the kind.
func (e *env) integration(t *testing.T, service string, kind warroom.IntegrationKind) *warroom.Integration {
	t.Helper()
	s := e.service(t, service)
	i := &warroom.Integration{ServiceID: s.ID, Name: string(kind), Kind: kind}
	if err := e.db.CreateIntegration(e.ctx, i); err != nil {
		t.Fatalf("CreateIntegration: %v", err)
	}
	return i
}

// ingest stores events for an integration and returns their results.
func (e *env) ingest(t *testing.T, i *warroom.Integration, events ...*warroom.AlertEvent) []warroom.IngestResult {
	t.Helper()
	b := &warroom.AlertBatch{IntegrationID: i.ID, ServiceID: i.ServiceID, Source: string(i.Kind), Events: events}
	if err := e.db.IngestAlerts(context.Background(), []*warroom.AlertBatch{b}); err != nil {
		t.Fatalf("IngestAlerts: %v", err)
	}
	return b.Results
}

// route runs routing until the outbox is empty.
func (e *env) route(t *testing.T) warroom.RoutingReport {
	t.Helper()
	rep, err := e.db.RouteAlerts(context.Background(), e.clock.Now(), 1000)
	if err != nil {
		t.Fatalf("RouteAlerts: %v", err)
	}
	return rep
}

func trigger(key, summary string, sev warroom.AlertSeverity, labels map[string]string) *warroom.AlertEvent {
	return &warroom.AlertEvent{Action: warroom.ActionTrigger, DedupKey: key, Summary: summary, Severity: sev, Labels: labels}
}

func act(a warroom.AlertAction, key string) *warroom.AlertEvent {
	return &warroom.AlertEvent{Action: a, DedupKey: key}
}

func (e *env) alert(t *testing.T, id int64) *warroom.Alert {
	t.Helper()
	a, err := e.db.FindAlertByID(context.Background(), id)
	if err != nil {
		t.Fatalf("FindAlertByID(%d): %v", id, err)
	}
	return a
}

func (e *env) kinds(t *testing.T, incidentID int64) map[warroom.EventKind]int {
	t.Helper()
	evs, _, err := e.db.FindEvents(context.Background(), warroom.EventFilter{IncidentID: incidentID, Limit: warroom.MaxPageSize})
	if err != nil {
		t.Fatalf("FindEvents: %v", err)
	}
	out := map[warroom.EventKind]int{}
	for _, ev := range evs {
		out[ev.Kind]++
	}
	return out
}

// TestIngestAlerts_PagerDutySemantics checks dedup as PagerDuty does it.
func TestIngestAlerts_PagerDutySemantics(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		pd := e.integration(t, "payments", warroom.IntegrationPagerDuty)

		r := e.ingest(t, pd, trigger("k", "disk full", warroom.AlertCritical, nil), trigger("k", "disk still full", warroom.AlertCritical, nil))
		if !r[0].Created || r[1].Created || r[0].AlertID != r[1].AlertID {
			t.Fatalf("two triggers of one key = %+v, want one alert created then updated", r)
		}
		a := e.alert(t, r[0].AlertID)
		if a.Occurrences != 2 || a.Summary != "disk still full" || a.Status != warroom.AlertFiring {
			t.Errorf("alert = %d occurrences, %q, %s; want 2, the latest summary, firing", a.Occurrences, a.Summary, a.Status)
		}

		r = e.ingest(t, pd, act(warroom.ActionAcknowledge, "k"), act(warroom.ActionResolve, "k"), act(warroom.ActionResolve, "k"), act(warroom.ActionAcknowledge, "nope"))
		if r[0].Dropped || r[1].Dropped || !r[2].Dropped || !r[3].Dropped {
			t.Errorf("ack, resolve, resolve again, ack unknown = %+v; want the last two dropped", r)
		}
		if a := e.alert(t, a.ID); a.Status != warroom.AlertResolved || a.AcknowledgedAt == nil || a.ResolvedAt == nil {
			t.Errorf("after resolve: %s ack %v resolved %v", a.Status, a.AcknowledgedAt, a.ResolvedAt)
		}

		r = e.ingest(t, pd, trigger("k", "disk full again", warroom.AlertError, nil))
		if !r[0].Created || r[0].AlertID == a.ID {
			t.Errorf("trigger after resolve = %+v, want a new alert", r[0])
		}

		other := e.integration(t, "search", warroom.IntegrationPagerDuty)
		if r2 := e.ingest(t, other, trigger("k", "same key elsewhere", warroom.AlertError, nil)); !r2[0].Created {
			t.Errorf("the same key on another routing key must be another alert")
		}
	})
}

func TestIngestAlerts_Invalid(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		pd := e.integration(t, "payments", warroom.IntegrationPagerDuty)
		b := &warroom.AlertBatch{IntegrationID: pd.ID, ServiceID: pd.ServiceID, Events: []*warroom.AlertEvent{
			trigger("ok", "fine", warroom.AlertInfo, nil), trigger("bad", "", warroom.AlertInfo, nil)}}
		err := e.db.IngestAlerts(context.Background(), []*warroom.AlertBatch{b})
		if warroom.ErrorField(err) != "summary" {
			t.Fatalf("err = %v, want EINVALID on summary", err)
		}
		if _, n, _ := e.db.FindAlerts(context.Background(), warroom.AlertFilter{}); n != 0 {
			t.Errorf("%d alerts stored from a refused batch, want none", n)
		}
	})
}

// TestRouteAlerts covers the default route, rules, grouping, mitigation and
// maintenance windows.
func TestRouteAlerts(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		t.Run("DefaultOpensIncident", func(t *testing.T) {
			e := newEnv(t, engine)
			pd := e.integration(t, "payments", warroom.IntegrationPagerDuty)
			r := e.ingest(t, pd, trigger("k", "checkout down", warroom.AlertCritical, nil))
			rep := e.route(t)
			if len(rep.Opened) != 1 {
				t.Fatalf("report = %+v, want one incident opened", rep)
			}
			inc, err := e.db.FindIncidentByID(context.Background(), rep.Opened[0])
			if err != nil {
				t.Fatal(err)
			}
			if inc.Title != "checkout down" || inc.Severity != warroom.P1 || len(inc.ServiceIDs) != 1 || inc.ServiceIDs[0] != pd.ServiceID {
				t.Errorf("incident = %q %s %v, want the summary, P1, the service", inc.Title, inc.Severity, inc.ServiceIDs)
			}
			if k := e.kinds(t, inc.ID); k[warroom.EventAlertOpened] != 1 {
				t.Errorf("timeline kinds = %v, want one %s", k, warroom.EventAlertOpened)
			}
			if a := e.alert(t, r[0].AlertID); a.IncidentID == nil || *a.IncidentID != inc.ID || !a.Routed {
				t.Errorf("alert incident = %v routed %v", a.IncidentID, a.Routed)
			}
			// A repeat of the same alert opens nothing more.
			e.ingest(t, pd, trigger("k", "checkout down", warroom.AlertCritical, nil))
			if rep := e.route(t); len(rep.Opened) != 0 {
				t.Errorf("repeat opened %v", rep.Opened)
			}
		})
		t.Run("GroupingAndMitigate", func(t *testing.T) {
			e := newEnv(t, engine)
			am := e.integration(t, "checkout", warroom.IntegrationAlertmanager)
			rule := &warroom.RoutingRule{ServiceID: am.ServiceID, Name: "errors by alertname", AutoOpen: true,
				Matchers:    []warroom.Matcher{{Field: "team", Op: warroom.MatchEqual, Value: "shop"}},
				SeverityMap: map[warroom.AlertSeverity]warroom.Severity{warroom.AlertCritical: warroom.P0},
				GroupBy:     []string{"alertname"}, GroupWindowSeconds: 600, MitigateOnResolve: true}
			if err := e.db.CreateRoutingRule(e.ctx, rule); err != nil {
				t.Fatal(err)
			}
			l := func(inst string) map[string]string {
				return map[string]string{"alertname": "HighErrorRate", "team": "shop", "instance": inst}
			}
			r := e.ingest(t, am, trigger("a", "errors", warroom.AlertCritical, l("a")), trigger("b", "errors", warroom.AlertCritical, l("b")))
			rep := e.route(t)
			if len(rep.Opened) != 1 || rep.Attached != 1 {
				t.Fatalf("report = %+v, want one opened and one attached", rep)
			}
			inc := rep.Opened[0]
			if got, _ := e.db.FindIncidentByID(context.Background(), inc); got.Severity != warroom.P0 {
				t.Errorf("severity = %s, want P0 from the rule's map", got.Severity)
			}
			if k := e.kinds(t, inc); k[warroom.EventAlertAttached] != 1 {
				t.Errorf("timeline = %v, want the attached alert", k)
			}
			// Past the window a new alert of the group opens a new incident.
			e.clock.Add(11 * time.Minute)
			e.ingest(t, am, trigger("c", "errors", warroom.AlertCritical, l("c")))
			if rep := e.route(t); len(rep.Opened) != 1 || rep.Opened[0] == inc {
				t.Errorf("after the window: %+v, want a new incident", rep)
			}
			e.ingest(t, am, act(warroom.ActionResolve, "a"))
			if rep := e.route(t); len(rep.Mitigated) != 0 {
				t.Errorf("mitigated %v with an alert still firing", rep.Mitigated)
			}
			e.ingest(t, am, act(warroom.ActionResolve, "b"))
			if rep := e.route(t); len(rep.Mitigated) != 1 || rep.Mitigated[0] != inc {
				t.Errorf("report = %+v, want incident %d mitigated", rep, inc)
			}
			if got, _ := e.db.FindIncidentByID(context.Background(), inc); got.State != warroom.StateMitigated {
				t.Errorf("state = %s, want mitigated", got.State)
			}
			_ = r
		})
		t.Run("RuleWithoutAutoOpen", func(t *testing.T) {
			e := newEnv(t, engine)
			g := e.integration(t, "reports", warroom.IntegrationGeneric)
			if err := e.db.CreateRoutingRule(e.ctx, &warroom.RoutingRule{ServiceID: g.ServiceID, Name: "info only",
				Matchers: []warroom.Matcher{{Field: ".severity", Op: warroom.MatchRegexp, Value: "info|warning"}}}); err != nil {
				t.Fatal(err)
			}
			r := e.ingest(t, g, trigger("w", "slow", warroom.AlertWarning, nil), trigger("c", "down", warroom.AlertCritical, nil))
			rep := e.route(t)
			if len(rep.Opened) != 1 {
				t.Fatalf("opened %v, want only the critical alert's incident", rep.Opened)
			}
			if a := e.alert(t, r[0].AlertID); a.IncidentID != nil || a.RuleID == nil {
				t.Errorf("warning alert: incident %v rule %v, want none and the rule", a.IncidentID, a.RuleID)
			}
		})
		t.Run("Maintenance", func(t *testing.T) {
			e := newEnv(t, engine)
			pd := e.integration(t, "db", warroom.IntegrationPagerDuty)
			now := e.clock.Now()
			w := &warroom.MaintenanceWindow{ServiceID: pd.ServiceID, StartsAt: now.Add(-time.Minute), EndsAt: now.Add(time.Hour), Reason: "upgrade"}
			if err := e.db.CreateMaintenanceWindow(e.ctx, w); err != nil {
				t.Fatal(err)
			}
			r := e.ingest(t, pd, trigger("m", "replica lag", warroom.AlertCritical, nil))
			if rep := e.route(t); len(rep.Opened) != 0 || rep.Suppressed != 1 {
				t.Errorf("in maintenance: %+v, want suppressed, nothing opened", rep)
			}
			if a := e.alert(t, r[0].AlertID); !a.Suppressed || a.IncidentID != nil {
				t.Errorf("alert suppressed %v incident %v", a.Suppressed, a.IncidentID)
			}
			if _, err := e.db.EndMaintenanceWindow(e.ctx, w.ID); err != nil {
				t.Fatal(err)
			}
			e.clock.Add(time.Second)
			e.ingest(t, pd, trigger("n", "replica lag", warroom.AlertCritical, nil))
			if rep := e.route(t); len(rep.Opened) != 1 {
				t.Errorf("after the window: %+v, want an incident", rep)
			}
			if _, err := e.db.EndMaintenanceWindow(e.ctx, w.ID); warroom.ErrorCode(err) != warroom.ECONFLICT {
				t.Errorf("ending twice: %v, want ECONFLICT", err)
			}
		})
	})
}

func TestIntegrations(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		i := e.integration(t, "api", warroom.IntegrationGrafana)
		if len(i.Key) != 32 {
			t.Errorf("key %q, want 32 characters", i.Key)
		}
		got, err := e.db.FindIntegrationByKey(context.Background(), i.Key)
		if err != nil || got.ID != i.ID {
			t.Fatalf("by key: %v %v", got, err)
		}
		rot, err := e.db.RotateIntegrationKey(e.ctx, i.ID)
		if err != nil || rot.Key == i.Key || rot.RotatedAt == nil {
			t.Fatalf("rotate: %+v %v", rot, err)
		}
		if _, err := e.db.FindIntegrationByKey(context.Background(), i.Key); warroom.ErrorCode(err) != warroom.ENOTFOUND {
			t.Errorf("old key after rotation: %v, want ENOTFOUND", err)
		}
		if _, err := e.db.RevokeIntegration(e.ctx, i.ID); err != nil {
			t.Fatal(err)
		}
		if got, _ := e.db.FindIntegrationByKey(context.Background(), rot.Key); got.Active() {
			t.Errorf("revoked key still active")
		}
		if _, err := e.db.RevokeIntegration(e.ctx, i.ID); warroom.ErrorCode(err) != warroom.ECONFLICT {
			t.Errorf("revoke twice: %v, want ECONFLICT", err)
		}
		if n := len(e.audits(t, warroom.AuditIntegrationRotate)); n != 1 {
			t.Errorf("rotate audit rows = %d, want 1", n)
		}
		for _, a := range e.audits(t, warroom.AuditIntegrationCreate) {
			if s := string(a.Data); len(s) > 0 && (strings.Contains(s, i.Key) || strings.Contains(s, rot.Key)) {
				t.Errorf("audit data holds the key: %s", s)
			}
		}
		bad := &warroom.Integration{ServiceID: 999, Name: "x", Kind: warroom.IntegrationGeneric}
		if err := e.db.CreateIntegration(e.ctx, bad); warroom.ErrorCode(err) != warroom.ENOTFOUND {
			t.Errorf("unknown service: %v, want ENOTFOUND", err)
		}
		if err := e.db.CreateIntegration(e.ctx, &warroom.Integration{ServiceID: i.ServiceID, Name: "x", Kind: "nagios"}); warroom.ErrorField(err) != "kind" {
			t.Errorf("unknown kind: %v", err)
		}
	})
}

func TestFindMaintenanceWindows(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		s := e.service(t, "db")
		now := e.clock.Now()
		for i := range 3 {
			w := &warroom.MaintenanceWindow{ServiceID: s.ID, StartsAt: now.Add(time.Duration(i) * time.Hour), EndsAt: now.Add(time.Duration(i+1) * time.Hour)}
			if err := e.db.CreateMaintenanceWindow(e.ctx, w); err != nil {
				t.Fatal(err)
			}
		}
		later := now.Add(90 * time.Minute)
		ws, total, err := e.db.FindMaintenanceWindows(context.Background(), warroom.MaintenanceFilter{ServiceID: &s.ID, EndedAfter: &later, Limit: 1})
		if err != nil || total != 2 || len(ws) != 1 || !ws[0].StartsAt.Equal(now.Add(2*time.Hour)) {
			t.Errorf("windows = %v total %d err %v, want the latest of two", ws, total, err)
		}
		active, n, _ := e.db.FindMaintenanceWindows(context.Background(), warroom.MaintenanceFilter{ActiveAt: &now})
		if n != 1 || !active[0].Covers(now) {
			t.Errorf("active now = %d", n)
		}
	})
}
