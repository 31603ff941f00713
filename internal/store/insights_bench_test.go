package store_test

import (
	"context"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

// insightsVolume is the target of docs/insights.md: a year with 100,000
// incidents, 1,000,000 alerts and 20,000 changes. WARROOM_BENCH_INCIDENTS
// scales everything down for a quick run.
func insightsVolume(b *testing.B) store.InsightsVolume {
	v := store.InsightsVolume{Incidents: 100_000, Alerts: 1_000_000, Changes: 20_000, Pages: 200_000, ActionItems: 50_000, Services: 200, Users: 50, Days: 365}
	if s := os.Getenv("WARROOM_BENCH_INCIDENTS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 100 {
			b.Fatalf("WARROOM_BENCH_INCIDENTS=%q: want a number of at least 100", s)
		}
		f := float64(n) / float64(v.Incidents)
		v.Incidents, v.Alerts, v.Changes = n, int(float64(v.Alerts)*f), int(float64(v.Changes)*f)
		v.Pages, v.ActionItems = int(float64(v.Pages)*f), int(float64(v.ActionItems)*f)
	}
	return v
}

// BenchmarkInsights runs every insights query over a seeded year, for the
// last 30 days (what the page opens on) and for the whole year, and
// reports the 95th percentile of the runs as p95-ms besides the mean.
func BenchmarkInsights(b *testing.B) {
	end := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for _, engine := range storetest.Engines() {
		b.Run(engine, func(b *testing.B) {
			db := storetest.Open(b, engine, func() time.Time { return end })
			ctx := context.Background()
			if err := store.SeedInsights(ctx, db, insightsVolume(b), end); err != nil {
				b.Fatal(err)
			}
			queries := []struct {
				name string
				run  func(warroom.InsightsFilter) error
			}{
				{"incidents", func(f warroom.InsightsFilter) error { _, err := db.IncidentInsights(ctx, f); return err }},
				{"incidents-by-week", func(f warroom.InsightsFilter) error {
					f.GroupBy = warroom.GroupByWeek
					_, err := db.IncidentInsights(ctx, f)
					return err
				}},
				{"incidents-by-team", func(f warroom.InsightsFilter) error {
					f.GroupBy = warroom.GroupByTeam
					_, err := db.IncidentInsights(ctx, f)
					return err
				}},
				{"sla", func(f warroom.InsightsFilter) error { _, err := db.SLAInsights(ctx, f); return err }},
				{"loss", func(f warroom.InsightsFilter) error { _, err := db.LossInsights(ctx, f); return err }},
				{"oncall", func(f warroom.InsightsFilter) error { _, err := db.OnCallInsights(ctx, f); return err }},
				{"action-items", func(f warroom.InsightsFilter) error { _, err := db.ActionItemInsights(ctx, f); return err }},
				{"changes", func(f warroom.InsightsFilter) error { _, err := db.ChangeInsights(ctx, f); return err }},
			}
			for _, days := range []int{30, 365} {
				f := warroom.InsightsFilter{From: end.AddDate(0, 0, -days), To: end}
				for _, q := range queries {
					b.Run(strconv.Itoa(days)+"d/"+q.name, func(b *testing.B) {
						var took []time.Duration
						for b.Loop() {
							t0 := time.Now()
							if err := q.run(f); err != nil {
								b.Fatal(err)
							}
							took = append(took, time.Since(t0))
						}
						slices.Sort(took)
						p95 := took[(len(took)*95+99)/100-1]
						b.ReportMetric(float64(p95.Microseconds())/1000, "p95-ms")
					})
				}
			}
		})
	}
}
