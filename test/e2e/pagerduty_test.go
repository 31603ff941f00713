package e2e_test

import (
	"context"
	"testing"
	"time"

	"github.com/PagerDuty/go-pagerduty"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/client"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

// TestPagerDutyLifecycle drives warroom with PagerDuty's own Go client, as
// a monitoring system would: a trigger opens an incident and pages; an
// acknowledge acknowledges the incident and stops its escalation, so no
// page follows; a resolve resolves the incident.
func TestPagerDutyLifecycle(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		hook := startHookReceiver(t)
		m := startMain(t, storetest.DSN(t, engine), "--outbound-allow", "127.0.0.1")
		c := client.New(m.Server.URL(), adminToken)
		me, err := c.Me(ctx)
		if err != nil {
			t.Fatal(err)
		}
		hook.verified(t, c, me.ID)
		p := &warroom.EscalationPolicy{Name: "api", Repeat: 5, Levels: []warroom.EscalationLevel{{DelaySeconds: 60,
			Targets: []warroom.EscalationTarget{{Type: warroom.TargetUser, ID: me.ID}}}}}
		if err := c.CreateEscalationPolicy(ctx, p); err != nil {
			t.Fatal(err)
		}
		svc := &warroom.Service{Name: "api", Tier: 1}
		if err := c.CreateService(ctx, svc); err != nil {
			t.Fatal(err)
		}
		if err := c.SetServiceEscalationPolicy(ctx, "api", p.ID); err != nil {
			t.Fatal(err)
		}
		in := &warroom.Integration{ServiceID: svc.ID, Name: "monitoring", Kind: warroom.IntegrationPagerDuty}
		if err := m.DB.CreateIntegration(ctx, in); err != nil {
			t.Fatal(err)
		}

		pd := pagerduty.NewClient("unused", pagerduty.WithV2EventsAPIEndpoint(m.Server.URL()))
		resp, err := pd.ManageEventWithContext(ctx, &pagerduty.V2Event{RoutingKey: in.Key, Action: "trigger", DedupKey: "api/5xx",
			Payload: &pagerduty.V2Payload{Summary: "api 5xx above 5%", Source: "prom-1", Severity: "critical"}})
		if err != nil || resp.Status != "success" {
			t.Fatalf("trigger: %+v, %v", resp, err)
		}
		waitFor(t, 10*time.Second, "the page", func() bool { return len(hook.of("page")) == 1 })
		incs, total, err := m.DB.FindIncidents(ctx, warroom.IncidentFilter{Limit: 10})
		if err != nil || total != 1 {
			t.Fatalf("incidents = %d (%v), want 1", total, err)
		}
		inc := incs[0]

		if _, err := pd.ManageEventWithContext(ctx, &pagerduty.V2Event{RoutingKey: in.Key, Action: "acknowledge", DedupKey: "api/5xx"}); err != nil {
			t.Fatalf("acknowledge: %v", err)
		}
		waitFor(t, 10*time.Second, "the incident acknowledged", func() bool {
			got, err := m.DB.FindIncidentByID(ctx, inc.ID)
			return err == nil && got.State == warroom.StateAcknowledged
		})
		es, err := c.FindEscalations(ctx, inc.ID)
		if err != nil || len(es) != 1 || es[0].StoppedAt == nil || es[0].NextAt != nil || es[0].StopReason != "acknowledged" {
			t.Fatalf("escalations after acknowledge = %+v (%v), want stopped", es, err)
		}
		// Nothing is left to escalate, so no page can follow.
		if err := c.EscalateNow(ctx, inc.ID); warroom.ErrorCode(err) != warroom.ECONFLICT {
			t.Errorf("escalate now after acknowledge: %v, want a conflict: nothing is escalating", err)
		}
		time.Sleep(2 * time.Second)
		if n := len(hook.of("page")); n != 1 {
			t.Errorf("pages = %d after acknowledge, want still 1", n)
		}

		if _, err := pd.ManageEventWithContext(ctx, &pagerduty.V2Event{RoutingKey: in.Key, Action: "resolve", DedupKey: "api/5xx"}); err != nil {
			t.Fatalf("resolve: %v", err)
		}
		waitFor(t, 10*time.Second, "the incident resolved", func() bool {
			got, err := m.DB.FindIncidentByID(ctx, inc.ID)
			return err == nil && got.State == warroom.StateResolved
		})
	})
}
