package ui_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

// benchIncidents is how many incidents the page benchmark seeds. Seeding
// goes through DeclareIncident, one transaction with its timeline, tasks
// and audit rows per incident, so the default is kept small enough for a
// quick run; set WARROOM_BENCH_INCIDENTS=100000 for the full-size figure.
func benchIncidents(b *testing.B) int {
	if s := os.Getenv("WARROOM_BENCH_INCIDENTS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			b.Fatalf("WARROOM_BENCH_INCIDENTS=%q is not a positive number", s)
		}
		return n
	}
	return 10000
}

// BenchmarkPages measures the incident list over many incidents and the
// incident page of one incident with a 500-event timeline, through the
// whole HTTP stack, and reports p50/p95 latency per page.
func BenchmarkPages(b *testing.B) {
	engine := os.Getenv("WARROOM_BENCH_ENGINE")
	if engine == "" {
		engine = "sqlite"
	}
	db := storetest.Open(b, engine, nil)
	e := newEnvDB(b, db)
	u, ctx := e.user(b, warroom.UserRoleAdmin, "en")
	svcs := make([]int64, 5)
	for i := range svcs {
		s := &warroom.Service{Name: fmt.Sprintf("svc-%d", i), Tier: i%4 + 1}
		if err := db.CreateService(ctx, s); err != nil {
			b.Fatal(err)
		}
		svcs[i] = s.ID
	}
	n := benchIncidents(b)
	start := time.Now()
	users := []int64{0, 150, 1500, 15000, 150000}
	for i := 0; i < n; i++ {
		inc := &warroom.Incident{Title: fmt.Sprintf("Seeded incident %d", i), Type: warroom.IncidentTypes[i%len(warroom.IncidentTypes)],
			ServiceIDs: []int64{svcs[i%len(svcs)]}, Impact: warroom.Impact{UsersAffected: users[i%len(users)]}}
		if err := db.DeclareIncident(ctx, inc); err != nil {
			b.Fatal(err)
		}
		// Two in three are over, as on a long-lived installation.
		if i%3 != 0 {
			if _, err := db.TransitionIncident(ctx, inc.ID, warroom.StateResolved, ""); err != nil {
				b.Fatal(err)
			}
		}
	}
	busy := &warroom.Incident{Title: "Busy incident", Type: warroom.TypeSystemCrash, Impact: warroom.Impact{UsersAffected: 20000}}
	if err := db.DeclareIncident(ctx, busy); err != nil {
		b.Fatal(err)
	}
	for total := 0; total < 500; {
		if _, err := db.AddNote(ctx, busy.ID, warroom.NoteInput{Text: fmt.Sprintf("note %d: checked the dashboards again", total)}); err != nil {
			b.Fatal(err)
		}
		_, total, _ = db.FindEvents(context.Background(), warroom.EventFilter{IncidentID: busy.ID, Limit: 1})
	}
	b.Logf("seeded %d incidents on %s in %v", n+1, engine, time.Since(start).Round(time.Millisecond))

	c := e.client(b)
	c.login(u.Email)
	for _, bc := range []struct{ name, path string }{
		{"List", "/incidents"},
		{"ListAll", "/incidents?state=all"},
		{"ListSearch", "/incidents?state=all&q=incident+99"},
		{"Incident500Events", "/incidents/" + strconv.FormatInt(busy.ID, 10)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			lat := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				t0 := time.Now()
				res, body := c.get(bc.path)
				lat = append(lat, time.Since(t0))
				if res.StatusCode != http.StatusOK {
					b.Fatalf("GET %s: %d %.200s", bc.path, res.StatusCode, body)
				}
			}
			b.StopTimer()
			sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
			pct := func(p float64) float64 {
				return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000
			}
			b.ReportMetric(pct(0.50), "p50-ms")
			b.ReportMetric(pct(0.95), "p95-ms")
		})
	}
}
