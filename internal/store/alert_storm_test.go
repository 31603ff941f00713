package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

// grouped is a trigger of an upstream group, as the Alertmanager parser
// makes one.
func grouped(key, group, summary string) *warroom.AlertEvent {
	ev := trigger(key, summary, warroom.AlertCritical, map[string]string{"alertname": "HighErrorRate", "instance": key})
	ev.GroupKey = group
	return ev
}

// paged gives the integration's service an escalation policy paging a
// user with a verified contact method.
func (e *env) paged(t *testing.T, i *warroom.Integration) {
	t.Helper()
	u := &warroom.User{Name: fmt.Sprintf("oncall%d", i.ID), Email: fmt.Sprintf("oncall%d@example.com", i.ID), Role: warroom.UserRoleResponder}
	if err := e.db.CreateUser(e.ctx, u); err != nil {
		t.Fatal(err)
	}
	if err := store.ExecSQL(e.ctx, e.db, `INSERT INTO contact_methods (user_id, type, name, address_sealed, verified_at, created_at) VALUES (?, 'email', 'work', ?, ?, ?)`,
		u.ID, "plain:"+u.Email, e.clock.Now(), e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	p := &warroom.EscalationPolicy{Name: fmt.Sprintf("policy%d", i.ID), Repeat: 2, Levels: []warroom.EscalationLevel{
		{DelaySeconds: 300, Targets: []warroom.EscalationTarget{{Type: warroom.TargetUser, ID: u.ID}}},
	}}
	if err := e.db.CreateEscalationPolicy(e.ctx, p); err != nil {
		t.Fatal(err)
	}
	if err := e.db.SetServiceEscalationPolicy(e.ctx, i.ServiceID, p.ID); err != nil {
		t.Fatal(err)
	}
}

func (e *env) incident(t *testing.T, id int64) *warroom.Incident {
	t.Helper()
	inc, err := e.db.FindIncidentByID(context.Background(), id)
	if err != nil {
		t.Fatalf("FindIncidentByID(%d): %v", id, err)
	}
	return inc
}

// wantStopped checks that every escalation of the incident shows stopped.
func (e *env) wantStopped(t *testing.T, id int64, reason string) {
	t.Helper()
	es, err := e.db.FindEscalations(e.ctx, id)
	if err != nil || len(es) == 0 {
		t.Fatalf("FindEscalations(%d) = %v, %v; want escalations", id, es, err)
	}
	for _, x := range es {
		if x.StoppedAt == nil || x.NextAt != nil || x.StopReason != reason {
			t.Errorf("escalation %d: stopped %v next %v reason %q, want stopped now for %q", x.ID, x.StoppedAt, x.NextAt, x.StopReason, reason)
		}
	}
}

func (e *env) setHandling(t *testing.T, serviceID int64, h warroom.AlertHandling) {
	t.Helper()
	if _, err := e.db.UpdateService(e.ctx, serviceID, warroom.ServiceUpdate{AlertHandling: &h}); err != nil {
		t.Fatalf("UpdateService: %v", err)
	}
}

func TestRouteAlerts_Storms(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		t.Run("UpstreamGroupOpensOneIncident", func(t *testing.T) {
			e := newEnv(t, engine)
			am := e.integration(t, "checkout", warroom.IntegrationAlertmanager)
			e.paged(t, am)
			// 200 alerts of one group, arriving in four notifications and
			// two routing passes: one incident, one event per pass.
			for pass := range 2 {
				for n := range 2 {
					var evs []*warroom.AlertEvent
					for i := range 50 {
						evs = append(evs, grouped(fmt.Sprintf("fp-%d-%d-%d", pass, n, i), `{}:{alertname="HighErrorRate"}`, "errors on checkout"))
					}
					e.ingest(t, am, evs...)
				}
				e.route(t)
			}
			incs, total, err := e.db.FindIncidents(e.ctx, warroom.IncidentFilter{Limit: 10})
			if err != nil || total != 1 {
				t.Fatalf("incidents = %d (%v), want 1", total, err)
			}
			id := incs[0].ID
			if k := e.kinds(t, id); k[warroom.EventAlertOpened] != 1 || k[warroom.EventAlertAttached] != 2 {
				t.Errorf("timeline = %v, want 1 opened and 2 attached events (one per pass)", k)
			}
			alerts, n, err := e.db.FindAlerts(e.ctx, warroom.AlertFilter{IncidentID: &id, Limit: 1})
			if err != nil || n != 200 || alerts[0].GroupKey == "" {
				t.Errorf("alerts on the incident = %d (%v), want 200 with their group key", n, err)
			}
			if es, _ := e.db.FindEscalations(e.ctx, id); len(es) != 1 {
				t.Errorf("escalations = %d, want 1", len(es))
			}
			// A second group is a second incident.
			e.ingest(t, am, grouped("other", `{}:{alertname="DiskFull"}`, "disk full"))
			if rep := e.route(t); len(rep.Opened) != 1 {
				t.Errorf("another group: %+v, want a new incident", rep)
			}
		})
		t.Run("RuleGroupingNoneOverrides", func(t *testing.T) {
			e := newEnv(t, engine)
			am := e.integration(t, "search", warroom.IntegrationAlertmanager)
			if err := e.db.CreateRoutingRule(e.ctx, &warroom.RoutingRule{ServiceID: am.ServiceID, Name: "each alert", AutoOpen: true,
				Grouping: warroom.GroupNone}); err != nil {
				t.Fatal(err)
			}
			e.ingest(t, am, grouped("a", "g", "x"), grouped("b", "g", "y"), grouped("c", "g", "z"))
			if rep := e.route(t); len(rep.Opened) != 3 {
				t.Errorf("grouping none: %+v, want 3 incidents", rep)
			}
		})
		t.Run("AcknowledgeReachesIncident", func(t *testing.T) {
			e := newEnv(t, engine)
			pd := e.integration(t, "payments", warroom.IntegrationPagerDuty)
			e.paged(t, pd)
			e.ingest(t, pd, grouped("k", "k", "card payments failing"))
			rep := e.route(t)
			if len(rep.Opened) != 1 {
				t.Fatalf("report = %+v", rep)
			}
			id := rep.Opened[0]
			e.ingest(t, pd, act(warroom.ActionAcknowledge, "k"))
			if rep := e.route(t); len(rep.Acknowledged) != 1 {
				t.Errorf("report = %+v, want the incident acknowledged", rep)
			}
			if inc := e.incident(t, id); inc.State != warroom.StateAcknowledged || inc.AcknowledgedAt == nil {
				t.Errorf("state = %s, want acknowledged", inc.State)
			}
			e.wantStopped(t, id, "acknowledged")
			e.ingest(t, pd, act(warroom.ActionResolve, "k"))
			if rep := e.route(t); len(rep.Resolved) != 1 {
				t.Errorf("report = %+v, want the incident resolved", rep)
			}
			if inc := e.incident(t, id); inc.State != warroom.StateResolved {
				t.Errorf("state = %s, want resolved", inc.State)
			}
		})
		t.Run("LastResolveResolvesIncident", func(t *testing.T) {
			e := newEnv(t, engine)
			am := e.integration(t, "orders", warroom.IntegrationAlertmanager)
			e.paged(t, am)
			e.ingest(t, am, grouped("a", "g", "x"), grouped("b", "g", "x"))
			id := e.route(t).Opened[0]
			e.ingest(t, am, act(warroom.ActionResolve, "a"))
			if rep := e.route(t); len(rep.Resolved) != 0 {
				t.Errorf("resolved with an alert firing: %+v", rep)
			}
			if es, _ := e.db.FindEscalations(e.ctx, id); es[0].StoppedAt != nil {
				t.Errorf("escalation stopped with an alert still firing")
			}
			e.ingest(t, am, act(warroom.ActionResolve, "b"))
			e.route(t)
			if inc := e.incident(t, id); inc.State != warroom.StateResolved {
				t.Errorf("state = %s, want resolved", inc.State)
			}
			e.wantStopped(t, id, "resolved")
		})
		t.Run("KeepOpenForAPerson", func(t *testing.T) {
			e := newEnv(t, engine)
			am := e.integration(t, "ledger", warroom.IntegrationAlertmanager)
			e.paged(t, am)
			h := *warroom.DefaultAlertHandling()
			h.ResolveIncidents = false
			e.setHandling(t, am.ServiceID, h)
			e.ingest(t, am, grouped("a", "g", "x"))
			id := e.route(t).Opened[0]
			e.ingest(t, am, act(warroom.ActionResolve, "a"))
			e.route(t)
			if inc := e.incident(t, id); inc.State != warroom.StateTriggered {
				t.Errorf("state = %s, want still triggered", inc.State)
			}
			e.wantStopped(t, id, "alerts_resolved")
		})
		t.Run("AcknowledgeStopsEscalationAtOnce", func(t *testing.T) {
			e := newEnv(t, engine)
			pd := e.integration(t, "web", warroom.IntegrationPagerDuty)
			e.paged(t, pd)
			e.ingest(t, pd, grouped("k", "k", "5xx"))
			id := e.route(t).Opened[0]
			if _, err := e.db.TransitionIncident(e.ctx, id, warroom.StateAcknowledged, "on it"); err != nil {
				t.Fatal(err)
			}
			e.wantStopped(t, id, "acknowledged")
		})
		t.Run("Flapping", func(t *testing.T) {
			e := newEnv(t, engine)
			pd := e.integration(t, "dns", warroom.IntegrationPagerDuty)
			e.setHandling(t, pd.ServiceID, warroom.AlertHandling{ResolveIncidents: true, FlapThreshold: 3, FlapWindowSeconds: 3600})
			var opened []int64
			var last int64
			for range 6 {
				r := e.ingest(t, pd, grouped("k", "k", "resolver timeouts"))
				last = r[0].AlertID
				opened = append(opened, e.route(t).Opened...)
				e.ingest(t, pd, act(warroom.ActionResolve, "k"))
				e.route(t)
				e.clock.Add(time.Minute)
			}
			if len(opened) != 3 {
				t.Errorf("opened %v, want 3 incidents before the key counts as flapping", opened)
			}
			a := e.alert(t, last)
			if !a.Flapping || a.IncidentID == nil || *a.IncidentID != opened[len(opened)-1] {
				t.Errorf("last alert flapping %v incident %v, want flapping on incident %d", a.Flapping, a.IncidentID, opened[len(opened)-1])
			}
		})
		t.Run("StormGuard", func(t *testing.T) {
			e := newEnv(t, engine)
			pd := e.integration(t, "api", warroom.IntegrationPagerDuty)
			e.paged(t, pd)
			e.setHandling(t, pd.ServiceID, warroom.AlertHandling{ResolveIncidents: true, StormThreshold: 3, StormWindowSeconds: 60})
			var evs []*warroom.AlertEvent
			for i := range 6 {
				evs = append(evs, grouped(fmt.Sprintf("k%d", i), fmt.Sprintf("k%d", i), fmt.Sprintf("timeout %d", i)))
			}
			e.ingest(t, pd, evs[:2]...)
			e.route(t)
			e.ingest(t, pd, evs[2:]...)
			rep := e.route(t)
			// Two earlier, one more, then the storm incident takes the rest.
			if len(rep.Opened) != 2 || rep.Stormed != 3 || rep.Attached != 2 {
				t.Fatalf("report = %+v, want 2 opened (one the storm's), 3 stormed, 2 attached", rep)
			}
			storm := e.incident(t, rep.Opened[1])
			if storm.Title != "Alert storm on api" {
				t.Errorf("storm incident title = %q", storm.Title)
			}
			// Later alerts of the storm join it, in later passes too.
			e.ingest(t, pd, grouped("late", "late", "late timeout"))
			if rep := e.route(t); len(rep.Opened) != 0 || rep.Stormed != 1 {
				t.Errorf("later alert: %+v, want it on the storm incident", rep)
			}
			// Once the window has passed, alerts open incidents again.
			e.clock.Add(2 * time.Minute)
			e.ingest(t, pd, grouped("after", "after", "after the storm"))
			if rep := e.route(t); len(rep.Opened) != 1 || rep.Stormed != 0 {
				t.Errorf("after the storm: %+v, want an incident of its own", rep)
			}
		})
		t.Run("PassCommitsAfterFiftyIncidents", func(t *testing.T) {
			e := newEnv(t, engine)
			pd := e.integration(t, "cdn", warroom.IntegrationPagerDuty)
			e.setHandling(t, pd.ServiceID, warroom.AlertHandling{ResolveIncidents: true})
			var evs []*warroom.AlertEvent
			for i := range 120 {
				evs = append(evs, grouped(fmt.Sprintf("k%d", i), fmt.Sprintf("k%d", i), fmt.Sprintf("edge %d down", i)))
			}
			e.ingest(t, pd, evs...)
			rep, err := e.db.RouteAlerts(context.Background(), e.clock.Now(), 1000)
			if err != nil || len(rep.Opened) != 50 || !rep.More {
				t.Fatalf("first pass = %d opened, more %v (%v); want 50 and more to come", len(rep.Opened), rep.More, err)
			}
			opened := len(rep.Opened)
			for range 5 {
				rep := e.route(t)
				opened += len(rep.Opened)
			}
			if opened != 120 {
				t.Errorf("opened %d incidents in all, want 120: every alert once", opened)
			}
		})
		t.Run("AlertFromAfterTickStartIsRouted", func(t *testing.T) {
			e := newEnv(t, engine)
			pd := e.integration(t, "queue", warroom.IntegrationPagerDuty)
			tick := e.clock.Now()
			e.clock.Add(time.Second)
			e.ingest(t, pd, grouped("k", "k", "consumer lag"))
			rep, err := e.db.RouteAlerts(context.Background(), tick, 1000)
			if err != nil || len(rep.Opened) != 1 {
				t.Fatalf("RouteAlerts with the tick's earlier time = %+v, %v; want the incident", rep, err)
			}
			if inc := e.incident(t, rep.Opened[0]); inc.DetectedAt.After(inc.CreatedAt) {
				t.Errorf("detected %v after created %v", inc.DetectedAt, inc.CreatedAt)
			}
		})
		t.Run("PoisonAlertFailsAlone", func(t *testing.T) {
			e := newEnv(t, engine)
			pd := e.integration(t, "mail", warroom.IntegrationPagerDuty)
			r := e.ingest(t, pd, grouped("good1", "good1", "smtp down"), grouped("bad", "bad", "broken"), grouped("good2", "good2", "imap down"))
			// A damaged row: no summary, so no incident title can be made.
			if err := store.ExecSQL(e.ctx, e.db, `UPDATE alerts SET summary = '' WHERE id = ?`, r[1].AlertID); err != nil {
				t.Fatal(err)
			}
			rep := e.route(t)
			if len(rep.Opened) != 2 || rep.Failed != 1 {
				t.Fatalf("report = %+v, want the two good alerts' incidents and one failure", rep)
			}
			bad := e.alert(t, r[1].AlertID)
			if bad.RoutingError == "" || bad.RoutingFailures != 1 || bad.Routed {
				t.Errorf("bad alert: error %q failures %d routed %v", bad.RoutingError, bad.RoutingFailures, bad.Routed)
			}
			// It is retried after its back-off, not before.
			if rep := e.route(t); rep.Routed != 0 {
				t.Errorf("retried before its back-off: %+v", rep)
			}
			if err := store.ExecSQL(e.ctx, e.db, `UPDATE alerts SET summary = 'repaired' WHERE id = ?`, r[1].AlertID); err != nil {
				t.Fatal(err)
			}
			e.clock.Add(time.Minute)
			if rep := e.route(t); len(rep.Opened) != 1 || rep.Failed != 0 {
				t.Errorf("retry: %+v, want the repaired alert's incident", rep)
			}
		})
	})
}
