package main

import (
	"testing"

	"github.com/warroomhq/warroom/internal/ingest"
)

// The bodies must be what warroom's own parsers accept, with the keys the
// scenarios rely on: new dedup keys per request and alert, one groupKey
// per Alertmanager request.
func TestBodies(t *testing.T) {
	t.Run("PagerDuty", func(t *testing.T) {
		seen := map[string]bool{}
		for n := range int64(3) {
			key, ev, err := ingest.ParsePagerDuty(pdBody(nil, "Rkey", "run", n))
			if err != nil {
				t.Fatal(err)
			}
			if key != "Rkey" || seen[ev.DedupKey] || ev.Labels["alertname"] != "" {
				t.Errorf("got key %q, dedup key %q (seen %v), labels %v", key, ev.DedupKey, seen[ev.DedupKey], ev.Labels)
			}
			seen[ev.DedupKey] = true
		}
		_, ev, err := ingest.ParsePagerDuty(probeBody("Rkey", "run-idle-7"))
		if err != nil || ev.Summary != "latency probe run-idle-7" {
			t.Errorf("probe: got %+v, %v", ev, err)
		}
	})
	t.Run("Alertmanager", func(t *testing.T) {
		seen := map[string]bool{}
		groups := map[string]bool{}
		for _, n := range []int64{1, 2, 11} {
			evs, err := ingest.ParseAlertmanager(alertmanagerBody(nil, "run", n, 5, n%10))
			if err != nil {
				t.Fatal(err)
			}
			if len(evs) != 5 {
				t.Fatalf("got %d alerts, want 5", len(evs))
			}
			for _, ev := range evs {
				if seen[ev.DedupKey] || ev.GroupKey != evs[0].GroupKey || ev.Labels["alertname"] == "" {
					t.Errorf("alert %q in group %q: repeated or not of the request's group", ev.DedupKey, ev.GroupKey)
				}
				seen[ev.DedupKey] = true
			}
			groups[evs[0].GroupKey] = true
		}
		// Requests 1 and 11 fall in the same group.
		if len(groups) != 2 {
			t.Errorf("got %d groups, want 2: %v", len(groups), groups)
		}
	})
}
