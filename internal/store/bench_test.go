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

// BenchmarkDeclareIncident measures a durable declaration, one after the
// other, with every query prepared once ("prepared") and parsed on every
// run ("unprepared"):
//   - bare: a service with nothing attached; the incident, its service
//     link, its events and its audit row in one committed transaction.
//   - full: what a fresh installation declares into: the three SOP
//     templates the first start seeds, a service with an escalation
//     policy, the default SLA targets; a P1 gets the major-incident tasks,
//     an escalation and its SLA timers.
func BenchmarkDeclareIncident(b *testing.B) {
	for _, engine := range storetest.Engines() {
		for _, setup := range []string{"bare", "full"} {
			for _, prepared := range []bool{true, false} {
				name := engine + "/" + setup + "/prepared"
				if !prepared {
					name = engine + "/" + setup + "/unprepared"
				}
				b.Run(name, func(b *testing.B) {
					db := storetest.Open(b, engine, nil)
					store.CacheStatements(db, prepared)
					ctx, svc := declareSetup(b, db, setup == "full")
					var inc *warroom.Incident
					b.ResetTimer()
					cpu := cpuTime()
					for i := 0; b.Loop(); i++ {
						inc = &warroom.Incident{Title: fmt.Sprintf("bench %d", i), Type: warroom.TypeSystemCrash, ServiceIDs: []int64{svc},
							Impact: warroom.Impact{UsersAffected: 10_000 + int64(i)}}
						if err := db.DeclareIncident(ctx, inc); err != nil {
							b.Fatal(err)
						}
					}
					b.StopTimer()
					reportCPU(b, cpu)
					if setup == "full" && (inc.Severity != warroom.P1 || len(inc.Tasks) == 0) {
						b.Fatalf("declared %s with %d tasks, want P1 with the major-incident tasks", inc.Severity, len(inc.Tasks))
					}
					b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "incidents/s")
				})
			}
		}
	}
}

// BenchmarkDeclareIncidentParallel declares into the full setup from eight
// goroutines per GOMAXPROCS, as concurrent API requests do: declarations
// that arrive together share a transaction.
func BenchmarkDeclareIncidentParallel(b *testing.B) {
	for _, engine := range storetest.Engines() {
		b.Run(engine, func(b *testing.B) {
			db := storetest.Open(b, engine, nil)
			ctx, svc := declareSetup(b, db, true)
			b.ResetTimer()
			cpu := cpuTime()
			b.SetParallelism(8)
			b.RunParallel(func(pb *testing.PB) {
				for i := 0; pb.Next(); i++ {
					inc := &warroom.Incident{Title: fmt.Sprintf("bench %d", i), Type: warroom.TypeSystemCrash, ServiceIDs: []int64{svc},
						Impact: warroom.Impact{UsersAffected: 10_000 + int64(i)}}
					if err := db.DeclareIncident(ctx, inc); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.StopTimer()
			reportCPU(b, cpu)
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "incidents/s")
		})
	}
}

// declareSetup creates a responder and a service to declare on; full adds
// the seeded SOP templates and an escalation policy paging the responder.
func declareSetup(b *testing.B, db *store.DB, full bool) (context.Context, int64) {
	b.Helper()
	u, ctx, _ := storetest.User(b, db, warroom.UserRoleAdmin)
	svc := &warroom.Service{Name: "web", Tier: 1}
	if err := db.CreateService(ctx, svc); err != nil {
		b.Fatal(err)
	}
	if !full {
		return ctx, svc.ID
	}
	for _, t := range warroom.DefaultSOPTemplates() {
		if err := db.CreateSOPTemplate(ctx, t); err != nil {
			b.Fatal(err)
		}
	}
	p := &warroom.EscalationPolicy{Name: "web", Levels: []warroom.EscalationLevel{
		{DelaySeconds: 300, Targets: []warroom.EscalationTarget{{Type: warroom.TargetUser, ID: u.ID}}},
	}}
	if err := db.CreateEscalationPolicy(ctx, p); err != nil {
		b.Fatal(err)
	}
	if err := db.SetServiceEscalationPolicy(ctx, svc.ID, p.ID); err != nil {
		b.Fatal(err)
	}
	return ctx, svc.ID
}

// BenchmarkFindIncidents measures the incident list: a page of 50 from
// 10,000 incidents, with and without a state filter.
func BenchmarkFindIncidents(b *testing.B) {
	const n = 10_000
	for _, engine := range storetest.Engines() {
		b.Run(engine, func(b *testing.B) {
			db := storetest.Open(b, engine, nil)
			ctx := context.Background()
			if err := store.SeedIncidents(ctx, db, n); err != nil {
				b.Fatal(err)
			}
			for _, tc := range []struct {
				name   string
				filter warroom.IncidentFilter
			}{
				{"all", warroom.IncidentFilter{Limit: 50}},
				{"state", warroom.IncidentFilter{States: []warroom.State{warroom.StateTriggered, warroom.StateAcknowledged}, Limit: 50}},
				{"state+page20", warroom.IncidentFilter{States: []warroom.State{warroom.StateTriggered}, Offset: 1000, Limit: 50}},
			} {
				b.Run(tc.name, func(b *testing.B) {
					for b.Loop() {
						incs, total, err := db.FindIncidents(ctx, tc.filter)
						if err != nil || len(incs) != 50 || total == 0 {
							b.Fatalf("got %d of %d, %v", len(incs), total, err)
						}
					}
				})
			}
		})
	}
}

// BenchmarkQueueDueNotices measures the status-page notifier's scan when
// there is nothing new: 600 declarations already turned into notices.
func BenchmarkQueueDueNotices(b *testing.B) {
	for _, engine := range storetest.Engines() {
		b.Run(engine+"/idle", func(b *testing.B) {
			db := storetest.Open(b, engine, nil)
			ctx, svc := declareSetup(b, db, false)
			for i := range 600 {
				inc := &warroom.Incident{Title: fmt.Sprintf("seed %d", i), Type: warroom.TypeSystemCrash, ServiceIDs: []int64{svc}}
				if err := db.DeclareIncident(ctx, inc); err != nil {
					b.Fatal(err)
				}
			}
			now := time.Now()
			if n, err := db.QueueDueNotices(ctx, now); err != nil || n != 600 {
				b.Fatalf("queued %d notices, %v; want 600", n, err)
			}
			b.ResetTimer()
			cpu := cpuTime()
			for b.Loop() {
				if n, err := db.QueueDueNotices(ctx, now); err != nil || n != 0 {
					b.Fatalf("idle scan queued %d notices, %v", n, err)
				}
			}
			reportCPU(b, cpu)
		})
	}
}
