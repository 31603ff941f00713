package store_test

import (
	"testing"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

func TestFindIncidents(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		web, db := e.service(t, "web"), e.service(t, "db")
		now := e.clock.Now()
		mk := func(title, summary string, sev warroom.Severity, ago time.Duration, typ warroom.IncidentType, drill bool, svcs ...int64) *warroom.Incident {
			return e.declare(t, &warroom.Incident{Title: title, Summary: summary, Severity: sev, DetectedAt: now.Add(-ago), Type: typ, Drill: drill, ServiceIDs: svcs})
		}
		a := mk("100% of logins fail", "auth_service down", warroom.P1, 3*time.Hour, warroom.TypeSystemCrash, false, web.ID)
		b := mk("Disk full", "it's the O'Brien cluster", warroom.P0, time.Hour, warroom.TypeDataLoss, false, db.ID)
		c := mk("Old P0", "", warroom.P0, 5*time.Hour, warroom.TypeNetworkFailure, false, web.ID, db.ID)
		d := mk("Game day", "authXservice", warroom.P3, 2*time.Hour, warroom.TypeOther, true)
		if _, err := e.db.TransitionIncident(e.ctx, c.ID, warroom.StateResolved, ""); err != nil {
			t.Fatal(err)
		}
		ids := func(incs []*warroom.Incident) []int64 {
			var out []int64
			for _, i := range incs {
				out = append(out, i.ID)
			}
			return out
		}
		after, before := now.Add(-4*time.Hour), now.Add(-90*time.Minute)
		for _, tc := range []struct {
			name   string
			filter warroom.IncidentFilter
			want   []int64
		}{
			{"All", warroom.IncidentFilter{}, []int64{c.ID, b.ID, a.ID, d.ID}},
			{"ID", warroom.IncidentFilter{ID: &b.ID}, []int64{b.ID}},
			{"States", warroom.IncidentFilter{States: []warroom.State{warroom.StateTriggered}}, []int64{b.ID, a.ID, d.ID}},
			{"Severities", warroom.IncidentFilter{Severities: []warroom.Severity{warroom.P1, warroom.P3}}, []int64{a.ID, d.ID}},
			{"Service", warroom.IncidentFilter{ServiceID: &db.ID}, []int64{c.ID, b.ID}},
			{"Type", warroom.IncidentFilter{Type: ptr(warroom.TypeDataLoss)}, []int64{b.ID}},
			{"Detected", warroom.IncidentFilter{DetectedAfter: &after, DetectedBefore: &before}, []int64{a.ID, d.ID}},
			{"Drill", warroom.IncidentFilter{Drill: ptr(false)}, []int64{c.ID, b.ID, a.ID}},
			{"QueryCase", warroom.IncidentFilter{Query: ptr("DISK")}, []int64{b.ID}},
			{"QueryPercent", warroom.IncidentFilter{Query: ptr("100%")}, []int64{a.ID}},
			{"QueryPercentAlone", warroom.IncidentFilter{Query: ptr("%")}, []int64{a.ID}},
			{"QueryUnderscore", warroom.IncidentFilter{Query: ptr("auth_service")}, []int64{a.ID}},
			{"QueryQuote", warroom.IncidentFilter{Query: ptr("O'Brien")}, []int64{b.ID}},
			{"QueryBackslash", warroom.IncidentFilter{Query: ptr(`\`)}, nil},
			{"Combined", warroom.IncidentFilter{States: []warroom.State{warroom.StateTriggered}, ServiceID: &web.ID}, []int64{a.ID}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				got, n, err := e.db.FindIncidents(e.ctx, tc.filter)
				if err != nil {
					t.Fatal(err)
				}
				if !equal(ids(got), tc.want) || n != len(tc.want) {
					t.Fatalf("got %v (total %d), want %v", ids(got), n, tc.want)
				}
			})
		}
		t.Run("Page", func(t *testing.T) {
			got, n, err := e.db.FindIncidents(e.ctx, warroom.IncidentFilter{Offset: 1, Limit: 2})
			if err != nil {
				t.Fatal(err)
			}
			if !equal(ids(got), []int64{b.ID, a.ID}) || n != 4 {
				t.Fatalf("page = %v total %d", ids(got), n)
			}
			got, n, _ = e.db.FindIncidents(e.ctx, warroom.IncidentFilter{Offset: 10})
			if len(got) != 0 || n != 4 {
				t.Fatalf("past the end: %d items, total %d; want 0, 4", len(got), n)
			}
		})
		t.Run("Services", func(t *testing.T) {
			got, _, _ := e.db.FindIncidents(e.ctx, warroom.IncidentFilter{ID: &c.ID})
			if len(got[0].Services) != 2 || got[0].Services[0].Name != "db" {
				t.Fatalf("services = %+v", got[0].Services)
			}
		})
	})
}
