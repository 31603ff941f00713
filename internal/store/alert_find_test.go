package store_test

import (
	"context"
	"testing"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

// A search for "%" or "_" is a search for that character, not a wildcard
// that returns every alert.
func TestFindAlerts_QueryIsLiteral(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		i := e.integration(t, "api", warroom.IntegrationGeneric)
		e.ingest(t, i,
			trigger("a", "disk 100% full", warroom.AlertCritical, nil),
			trigger("b", "disk 1000 full", warroom.AlertCritical, nil),
			trigger("c", "queue_depth high", warroom.AlertWarning, nil),
			trigger("d", "queue depth high", warroom.AlertWarning, nil),
		)
		for _, tc := range []struct{ query, want string }{
			{"100%", "disk 100% full"},
			{"queue_depth", "queue_depth high"},
		} {
			as, n, err := e.db.FindAlerts(context.Background(), warroom.AlertFilter{Query: ptr(tc.query)})
			if err != nil {
				t.Fatalf("FindAlerts(%q): %v", tc.query, err)
			}
			if n != 1 || len(as) != 1 || as[0].Summary != tc.want {
				var got []string
				for _, a := range as {
					got = append(got, a.Summary)
				}
				t.Errorf("FindAlerts(%q) = %q (total %d), want only %q", tc.query, got, n, tc.want)
			}
		}
	})
}

// Every filter the alert list offers is served by an index: with millions
// of alerts a filter without one reads the whole table for each page.
func TestFindAlerts_FiltersIndexed(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		db := storetest.Open(t, engine, nil)
		idx, err := store.LeadingIndexColumns(context.Background(), db, "alerts")
		if err != nil {
			t.Fatal(err)
		}
		leading := map[string]bool{}
		for _, c := range idx {
			leading[c] = true
		}
		for _, col := range []string{"service_id", "integration_id", "incident_id", "status"} {
			if !leading[col] {
				t.Errorf("no index on alerts starts with %s (indexes: %v)", col, idx)
			}
		}
	})
}
