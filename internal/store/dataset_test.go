package store_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

func smallDataset(seed uint64) store.DatasetSpec {
	return store.DatasetSpec{Seed: seed, End: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), Days: 30,
		Users: 8, Teams: 3, Services: 12, Alerts: 3000, Incidents: 300, Changes: 150}
}

// digest reads back what the store shows of a generated database, so that
// two runs can be compared.
func digest(t *testing.T, db *store.DB) string {
	t.Helper()
	ctx := context.Background()
	h := sha256.New()
	incs, n, err := db.FindIncidents(ctx, warroom.IncidentFilter{Limit: warroom.MaxPageSize})
	if err != nil {
		t.Fatalf("FindIncidents: %v", err)
	}
	fmt.Fprintln(h, n)
	for _, inc := range incs {
		fmt.Fprintln(h, inc.ID, inc.Title, inc.State, inc.Severity, inc.DetectedAt.UTC())
	}
	as, n, err := db.FindAlerts(ctx, warroom.AlertFilter{Limit: warroom.MaxPageSize})
	if err != nil {
		t.Fatalf("FindAlerts: %v", err)
	}
	fmt.Fprintln(h, n)
	for _, a := range as {
		fmt.Fprintln(h, a.ID, a.DedupKey, a.Status, a.FirstSeenAt.UTC())
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}

func TestGenerateDataset(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		db := storetest.Open(t, engine, nil)
		spec := smallDataset(7)
		rep, err := db.GenerateDataset(ctx, spec)
		if err != nil {
			t.Fatalf("GenerateDataset: %v", err)
		}
		if rep.Rows["alerts"] != spec.Alerts || rep.Rows["incidents"] != spec.Incidents || rep.Rows["changes"] != spec.Changes {
			t.Fatalf("rows = %v, want the spec's alerts, incidents and changes", rep.Rows)
		}
		if rep.Rows["events"] < 3*spec.Incidents || rep.Rows["postmortems"] == 0 || rep.Rows["action_items"] == 0 || rep.Rows["incident_changes"] == 0 {
			t.Fatalf("rows = %v: timelines, postmortems, action items or change links missing", rep.Rows)
		}

		// What was written reads back through the store like any data.
		_, n, err := db.FindIncidents(ctx, warroom.IncidentFilter{Limit: 1})
		if err != nil || n != spec.Incidents {
			t.Fatalf("FindIncidents total = %d, %v; want %d", n, err, spec.Incidents)
		}
		fs, _, err := db.FindAlerts(ctx, warroom.AlertFilter{Statuses: []warroom.AlertStatus{warroom.AlertFiring}, Limit: warroom.MaxPageSize})
		if err != nil || len(fs) == 0 {
			t.Fatalf("firing alerts = %d, %v; want some", len(fs), err)
		}
		res, _, err := db.Search(ctx, warroom.SearchQuery{Text: "回滚", Limit: 5})
		if err != nil || len(res) == 0 {
			t.Fatalf("search 回滚 = %d results, %v; want notes found", len(res), err)
		}

		// Generation refuses a database that holds data, and the store goes
		// on writing after it (PostgreSQL's sequences moved past the ids).
		if _, err := db.GenerateDataset(ctx, spec); !errors.Is(err, store.ErrDatasetNotEmpty) {
			t.Fatalf("second GenerateDataset = %v, want ErrDatasetNotEmpty", err)
		}
		_, actx, _ := storetest.User(t, db, warroom.UserRoleAdmin)
		next := &warroom.Incident{Title: "after the dataset", Type: warroom.TypeOther, Severity: warroom.P3}
		if err := db.DeclareIncident(actx, next); err != nil {
			t.Fatalf("DeclareIncident after the dataset: %v", err)
		}
		if next.ID <= int64(spec.Incidents) {
			t.Fatalf("new incident id %d reuses a generated id", next.ID)
		}
	})
}

func TestGenerateDatasetIsDeterministic(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		var got []string
		for _, seed := range []uint64{3, 3, 4} {
			db := storetest.Open(t, engine, nil)
			if _, err := db.GenerateDataset(ctx, smallDataset(seed)); err != nil {
				t.Fatalf("GenerateDataset: %v", err)
			}
			got = append(got, digest(t, db))
		}
		if got[0] != got[1] {
			t.Error("the same seed wrote different data")
		}
		if got[0] == got[2] {
			t.Error("different seeds wrote the same data")
		}
	})
}

func TestGenerateDatasetRefusesBadSpec(t *testing.T) {
	db := storetest.Open(t, storetest.Engines()[0], nil)
	for _, spec := range []store.DatasetSpec{{Days: 0, Users: 1, Teams: 1, Services: 1}, {Days: 1, Users: 0, Teams: 1, Services: 1}, {Days: 1, Users: 1, Teams: 1, Services: 1, Alerts: -1}} {
		if _, err := db.GenerateDataset(context.Background(), spec); err == nil {
			t.Errorf("GenerateDataset(%+v) accepted a bad spec", spec)
		}
	}
}

// TestAlertCountStopsAtLimit: a list of more alerts than AlertCountLimit
// says "more than" instead of counting a year of alerts for every page.
func TestAlertCountStopsAtLimit(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		db := storetest.Open(t, engine, nil)
		spec := smallDataset(11)
		spec.Alerts, spec.Incidents = warroom.AlertCountLimit+50, 20
		if _, err := db.GenerateDataset(ctx, spec); err != nil {
			t.Fatalf("GenerateDataset: %v", err)
		}
		as, n, err := db.FindAlerts(ctx, warroom.AlertFilter{Limit: 10})
		if err != nil || len(as) != 10 || n != warroom.AlertCountLimit+1 {
			t.Fatalf("FindAlerts = %d alerts, total %d, %v; want 10 and %d", len(as), n, err, warroom.AlertCountLimit+1)
		}
		// A page far down still reads, and a narrow filter counts exactly.
		if as, _, err = db.FindAlerts(ctx, warroom.AlertFilter{Offset: warroom.AlertCountLimit + 40, Limit: 50}); err != nil || len(as) != 10 {
			t.Fatalf("last page = %d alerts, %v; want 10", len(as), err)
		}
		firing, _, err := db.FindAlerts(ctx, warroom.AlertFilter{Statuses: []warroom.AlertStatus{warroom.AlertFiring}, Limit: warroom.MaxPageSize})
		if err != nil {
			t.Fatal(err)
		}
		_, n, err = db.FindAlerts(ctx, warroom.AlertFilter{Statuses: []warroom.AlertStatus{warroom.AlertFiring}, Limit: 1})
		if err != nil || n >= warroom.AlertCountLimit || n < len(firing) {
			t.Fatalf("firing total = %d, %v; want the exact count (%d listed)", n, err, len(firing))
		}
	})
}

// TestFindIncidentsOfBusyService: a service with thousands of incidents is
// paged in the same order, with the same total, as any other.
func TestFindIncidentsOfBusyService(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		db := storetest.Open(t, engine, nil)
		spec := smallDataset(5)
		spec.Services, spec.Teams, spec.Incidents, spec.Alerts, spec.Changes = 1, 1, 2500, 3000, 10
		if _, err := db.GenerateDataset(ctx, spec); err != nil {
			t.Fatalf("GenerateDataset: %v", err)
		}
		ss, _, err := db.FindServices(ctx, warroom.ServiceFilter{Limit: 10})
		if err != nil || len(ss) != 1 {
			t.Fatalf("FindServices = %d, %v", len(ss), err)
		}
		all, n, err := db.FindIncidents(ctx, warroom.IncidentFilter{Offset: 100, Limit: 50})
		if err != nil || n != spec.Incidents {
			t.Fatalf("FindIncidents = %d, %v", n, err)
		}
		mine, n, err := db.FindIncidents(ctx, warroom.IncidentFilter{ServiceID: &ss[0].ID, Offset: 100, Limit: 50})
		if err != nil || n != spec.Incidents || len(mine) != 50 {
			t.Fatalf("FindIncidents of the service = %d (total %d), %v; want 50 of %d", len(mine), n, err, spec.Incidents)
		}
		for i := range mine {
			if mine[i].ID != all[i].ID {
				t.Fatalf("page %d: incident %d, want %d as in the unfiltered list", i, mine[i].ID, all[i].ID)
			}
		}
		q := "latency"
		hits, n, err := db.FindIncidents(ctx, warroom.IncidentFilter{ServiceID: &ss[0].ID, Query: &q, Limit: warroom.MaxPageSize})
		if err != nil || n == 0 {
			t.Fatalf("FindIncidents q=%s = %d, %v; want some", q, n, err)
		}
		for _, inc := range hits {
			if !strings.Contains(strings.ToLower(inc.Title+inc.Summary), q) {
				t.Fatalf("q=%s found %q", q, inc.Title)
			}
		}
	})
}
