package store_test

import (
	"context"
	"strings"
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

// A search finds any substring of the summary or the dedup key, ignoring
// case, the same on both engines: through the trigram index for three
// characters or more, by scanning for shorter terms (Chinese words are
// often two characters); and it follows a summary that changes.
func TestFindAlerts_QuerySubstring(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		i := e.integration(t, "api", warroom.IntegrationGeneric)
		e.ingest(t, i,
			trigger("orders/Callback-7", "支付回调超时 on orders", warroom.AlertCritical, nil),
			trigger("disk-9f2c", "Disk full on db-1", warroom.AlertCritical, nil),
			trigger("leads", "线索流量为零", warroom.AlertWarning, nil),
		)
		for _, tc := range []struct {
			query string
			want  []string
		}{
			{"支付回调", []string{"支付回调超时 on orders"}},
			{"回调", []string{"支付回调超时 on orders"}},
			{"DISK FULL", []string{"Disk full on db-1"}},
			{"callback-7", []string{"支付回调超时 on orders"}},
			{"9f2c", []string{"Disk full on db-1"}},
			{"流量", []string{"线索流量为零"}},
			{"nothing like this", nil},
		} {
			as, n, err := e.db.FindAlerts(context.Background(), warroom.AlertFilter{Query: ptr(tc.query)})
			if err != nil {
				t.Fatalf("FindAlerts(%q): %v", tc.query, err)
			}
			var got []string
			for _, a := range as {
				got = append(got, a.Summary)
			}
			if n != len(tc.want) || strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("FindAlerts(%q) = %q (total %d), want %q", tc.query, got, n, tc.want)
			}
		}
		// The same key again with a new summary: the old text no longer finds it.
		e.ingest(t, i, trigger("leads", "leads flow is empty", warroom.AlertWarning, nil))
		if _, n, _ := e.db.FindAlerts(context.Background(), warroom.AlertFilter{Query: ptr("线索流量")}); n != 0 {
			t.Errorf("old summary still found %d alerts", n)
		}
		if as, n, _ := e.db.FindAlerts(context.Background(), warroom.AlertFilter{Query: ptr("flow is")}); n != 1 || as[0].Summary != "leads flow is empty" {
			t.Errorf("new summary found %d alerts", n)
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
