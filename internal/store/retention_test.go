package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

func TestPurgeAlerts(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		pd := e.integration(t, "batch", warroom.IntegrationPagerDuty)
		// Old noise (resolved, no incident), an old alert of an incident,
		// an old alert still firing, and recent noise.
		h := warroom.AlertHandling{ResolveIncidents: true}
		e.setHandling(t, pd.ServiceID, h)
		if err := e.db.CreateRoutingRule(e.ctx, &warroom.RoutingRule{ServiceID: pd.ServiceID, Name: "noise", AutoOpen: false,
			Matchers: []warroom.Matcher{{Field: ".severity", Op: warroom.MatchEqual, Value: "info"}}}); err != nil {
			t.Fatal(err)
		}
		var noise []int64
		for i := range 5 {
			r := e.ingest(t, pd, trigger("noise"+string(rune('a'+i)), "disk 80%", warroom.AlertInfo, nil))
			noise = append(noise, r[0].AlertID)
		}
		kept := e.ingest(t, pd, trigger("page", "db down", warroom.AlertCritical, nil), trigger("firing", "slow", warroom.AlertInfo, nil))
		e.route(t)
		for _, k := range []string{"noisea", "noiseb", "noisec", "noised", "noisee", "page"} {
			e.ingest(t, pd, act(warroom.ActionResolve, k))
		}
		e.route(t)
		e.clock.Add(100 * 24 * time.Hour)
		recent := e.ingest(t, pd, trigger("recent", "disk 81%", warroom.AlertInfo, nil))
		e.ingest(t, pd, act(warroom.ActionResolve, "recent"))
		e.route(t)

		cutoff := e.clock.Now().Add(-warroom.DefaultAlertRetention)
		st, err := e.db.Stats(context.Background(), &cutoff)
		if err != nil {
			t.Fatal(err)
		}
		if st.AlertsToPurge != 5 {
			t.Errorf("stats: %d to purge, want the 5 old noise alerts", st.AlertsToPurge)
		}
		rows := map[string]int64{}
		for _, tb := range st.Tables {
			rows[tb.Name] = tb.Rows
		}
		if rows["alerts"] != 8 || rows["incidents"] != 1 {
			t.Errorf("stats rows = %v, want 8 alerts and 1 incident", rows)
		}
		// Batches of two: three batches, the last one short.
		var n []int
		for {
			got, err := e.db.PurgeAlerts(context.Background(), cutoff, 2)
			if err != nil {
				t.Fatal(err)
			}
			n = append(n, got)
			if got < 2 {
				break
			}
		}
		if len(n) != 3 || n[0]+n[1]+n[2] != 5 {
			t.Errorf("batches = %v, want 2, 2, 1", n)
		}
		for _, id := range noise {
			if _, err := e.db.FindAlertByID(context.Background(), id); warroom.ErrorCode(err) != warroom.ENOTFOUND {
				t.Errorf("old noise alert %d: %v, want deleted", id, err)
			}
		}
		for _, id := range []int64{kept[0].AlertID, kept[1].AlertID, recent[0].AlertID} {
			if _, err := e.db.FindAlertByID(context.Background(), id); err != nil {
				t.Errorf("alert %d: %v, want kept (attached to an incident, firing, or recent)", id, err)
			}
		}
		if v, err := e.db.VerifyAudit(context.Background()); err != nil || !v.OK {
			t.Errorf("audit after retention: %+v, %v", v, err)
		}
	})
}
