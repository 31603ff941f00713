package store_test

import (
	"context"
	"regexp"
	"testing"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

// fullScan matches a plan that reads the whole alerts table: SQLite's
// "SCAN alerts" without an index, PostgreSQL's sequential scan.
var fullScan = regexp.MustCompile(`(?m)(^|\s)SCAN alerts\s*$|Seq Scan on alerts`)

// TestAlertListPlans fails when a filter the alert list offers falls back
// to reading every alert: at a million alerts that is a second per page.
func TestAlertListPlans(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		db := storetest.Open(t, engine, nil)
		id, query := int64(1), "支付回调"
		for name, f := range map[string]warroom.AlertFilter{
			"service":        {ServiceID: &id},
			"service+status": {ServiceID: &id, Statuses: []warroom.AlertStatus{warroom.AlertFiring}},
			"service+open":   {ServiceID: &id, Statuses: []warroom.AlertStatus{warroom.AlertFiring, warroom.AlertAcknowledged}},
			"status":         {Statuses: []warroom.AlertStatus{warroom.AlertFiring}},
			"integration":    {IntegrationID: &id},
			"incident":       {IncidentID: &id},
			"query":          {Query: &query},
			"query+status":   {Query: &query, Statuses: []warroom.AlertStatus{warroom.AlertFiring}},
		} {
			count, page, err := store.AlertListPlans(context.Background(), db, f)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if fullScan.MatchString(count) || fullScan.MatchString(page) {
				t.Errorf("%s reads every alert:\ncount:\n%s\npage:\n%s", name, count, page)
			}
			// A service's alerts of one status: from the one index that has
			// both, not every alert of the service checked one by one.
			if name == "service+status" && !regexp.MustCompile(`alerts_service_status`).MatchString(count+page) {
				t.Errorf("%s does not use alerts_service_status:\ncount:\n%s\npage:\n%s", name, count, page)
			}
		}
	})
}

// TestOptimizeKeepsStatistics: SQLite has no autovacuum, so the store
// analyzes on open and when the engine asks, and a grown database has the
// statistics the planner needs to pick the right index.
func TestOptimizeKeepsStatistics(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		db := storetest.Open(t, engine, nil)
		spec := smallDataset(2)
		if _, err := db.GenerateDataset(ctx, spec); err != nil {
			t.Fatal(err)
		}
		if err := db.Optimize(ctx); err != nil {
			t.Fatalf("Optimize: %v", err)
		}
		n, err := store.PlannerStats(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		if engine == "sqlite" && n == 0 {
			t.Error("no planner statistics after Optimize")
		}
	})
}
