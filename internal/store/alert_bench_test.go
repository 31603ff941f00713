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

// BenchmarkIngestAlerts measures the group commit's transaction: 8
// requests of 100 new alerts each, committed at once. Reported per alert.
func BenchmarkIngestAlerts(b *testing.B) {
	for _, engine := range storetest.Engines() {
		b.Run(engine, func(b *testing.B) {
			db := storetest.Open(b, engine, nil)
			ctx := context.Background()
			s := &warroom.Service{Name: "bench", Tier: 1}
			if err := db.CreateService(ctx, s); err != nil {
				b.Fatal(err)
			}
			in := &warroom.Integration{ServiceID: s.ID, Name: "am", Kind: warroom.IntegrationAlertmanager}
			if err := db.CreateIntegration(ctx, in); err != nil {
				b.Fatal(err)
			}
			raw := []byte(`{"status":"firing","labels":{"alertname":"DiskFull","instance":"node-1:9100"},"annotations":{"summary":"Disk /var above 90%"},"startsAt":"2025-03-04T09:12:31.512Z","fingerprint":"0123456789abcdef"}`)
			n := 0
			b.ResetTimer()
			for b.Loop() {
				batches := make([]*warroom.AlertBatch, 8)
				for i := range batches {
					evs := make([]*warroom.AlertEvent, 100)
					for j := range evs {
						n++
						evs[j] = &warroom.AlertEvent{Action: warroom.ActionTrigger, DedupKey: fmt.Sprint("k", n), Summary: "Disk /var above 90%",
							Severity: warroom.AlertWarning, Labels: map[string]string{"alertname": "DiskFull", "instance": "node-1:9100", "severity": "warning"},
							Details: []byte(`{"annotations":{"summary":"Disk /var above 90%"}}`), Links: []warroom.Link{{Href: "http://prometheus:9090/graph", Text: "source"}}, Raw: raw}
					}
					batches[i] = &warroom.AlertBatch{IntegrationID: in.ID, ServiceID: s.ID, Source: "alertmanager", Events: evs}
				}
				if err := db.IngestAlerts(ctx, batches); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "alerts/s")
		})
	}
}

// BenchmarkRouteAlerts measures routing passes of 500 new alerts, each its
// own dedup key, on a service with an escalation policy: "nothing" with a
// catch-all rule that opens nothing (the cost of routing itself);
// "default" with the defaults a new service gets (upstream grouping, the
// storm guard), PagerDuty-style alerts each their own group; "opens-all"
// with the storm guard off, so that every alert opens an incident;
// "grouped" with Alertmanager-style alerts of one group. Reported per alert
// routed; ingest is not timed.
func BenchmarkRouteAlerts(b *testing.B) {
	for _, engine := range storetest.Engines() {
		for _, mode := range []string{"nothing", "default", "opens-all", "grouped"} {
			b.Run(engine+"/"+mode, func(b *testing.B) {
				db := storetest.Open(b, engine, nil)
				ctx := context.Background()
				s := &warroom.Service{Name: "bench", Tier: 1}
				if mode == "opens-all" {
					h := *warroom.DefaultAlertHandling()
					h.StormThreshold = 0
					s.AlertHandling = &h
				}
				if err := db.CreateService(ctx, s); err != nil {
					b.Fatal(err)
				}
				benchPolicy(b, db, s)
				if mode == "nothing" {
					if err := db.CreateRoutingRule(ctx, &warroom.RoutingRule{ServiceID: s.ID, Name: "store only"}); err != nil {
						b.Fatal(err)
					}
				}
				in := &warroom.Integration{ServiceID: s.ID, Name: "pd", Kind: warroom.IntegrationPagerDuty}
				if err := db.CreateIntegration(ctx, in); err != nil {
					b.Fatal(err)
				}
				n, routed := 0, 0
				for b.Loop() {
					b.StopTimer()
					evs := make([]*warroom.AlertEvent, 500)
					for j := range evs {
						n++
						key := fmt.Sprint("k", n)
						evs[j] = &warroom.AlertEvent{Action: warroom.ActionTrigger, DedupKey: key, GroupKey: key, Summary: "checkout 5xx on " + key,
							Severity: warroom.AlertCritical, Labels: map[string]string{"alertname": "CheckoutErrors", "instance": key}}
						if mode == "grouped" {
							evs[j].GroupKey = `{}:{alertname="CheckoutErrors"}`
						}
					}
					if err := db.IngestAlerts(ctx, []*warroom.AlertBatch{{IntegrationID: in.ID, ServiceID: s.ID, Source: "pagerduty", Events: evs}}); err != nil {
						b.Fatal(err)
					}
					b.StartTimer()
					for {
						rep, err := db.RouteAlerts(ctx, time.Now(), 500)
						if err != nil {
							b.Fatal(err)
						}
						routed += rep.Routed
						if rep.Routed == 0 {
							break
						}
					}
				}
				b.ReportMetric(float64(routed)/b.Elapsed().Seconds(), "alerts/s")
			})
		}
	}
}

// benchPolicy gives a service what a real one has: the seeded SOP
// templates and an escalation policy paging a user.
func benchPolicy(b *testing.B, db *store.DB, s *warroom.Service) {
	b.Helper()
	u, ctx, _ := storetest.User(b, db, warroom.UserRoleAdmin)
	for _, t := range warroom.DefaultSOPTemplates() {
		if err := db.CreateSOPTemplate(ctx, t); err != nil {
			b.Fatal(err)
		}
	}
	p := &warroom.EscalationPolicy{Name: "bench", Levels: []warroom.EscalationLevel{
		{DelaySeconds: 300, Targets: []warroom.EscalationTarget{{Type: warroom.TargetUser, ID: u.ID}}},
	}}
	if err := db.CreateEscalationPolicy(ctx, p); err != nil {
		b.Fatal(err)
	}
	if err := db.SetServiceEscalationPolicy(ctx, s.ID, p.ID); err != nil {
		b.Fatal(err)
	}
}
