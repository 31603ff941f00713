package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

func TestCLI_Insights(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		m := startServer(t, engine)
		ok(t, m, "service", "create", "payments", "--team", "payments-sre", "--tier", "1")
		ok(t, m, "incident", "declare", "--title", "Checkout fails", "--type", "system_crash", "--service", "payments", "--users-affected", "12000")
		ok(t, m, "incident", "declare", "--title", "Drill: failover", "--service", "payments", "--drill")
		ok(t, m, "incident", "ack", "INC-1")

		out := ok(t, m, "insights", "incidents", "--group-by", "team")
		contains(t, "incidents table", out, "INCIDENTS", "GROUP", "TTA_MEDIAN_S", "payments-sre", "NOISIEST")
		// The table row of the team counts the one real incident.
		for _, line := range strings.Split(out, "\n") {
			if strings.HasPrefix(line, "payments-sre") && !strings.HasPrefix(strings.Join(strings.Fields(line)[:3], " "), "payments-sre 1 1") {
				t.Errorf("team row %q, want 1 incident, 1 open", line)
			}
		}

		csv := ok(t, m, "insights", "sla", "--csv")
		if !strings.HasPrefix(csv, "group,severity,incidents,ack_target_s,") || !strings.Contains(csv, "all,P1,1,") {
			t.Errorf("sla csv:\n%s", csv)
		}

		var got warroom.IncidentInsights
		if err := json.Unmarshal([]byte(ok(t, m, "insights", "incidents", "--drills", "include", "--json")), &got); err != nil {
			t.Fatal(err)
		}
		if got.Total.Incidents != 2 || got.Total.Acknowledge.Count != 1 {
			t.Errorf("with drills: %+v", got.Total)
		}
		for _, kind := range []string{"loss", "oncall", "action-items", "changes"} {
			ok(t, m, "insights", kind)
			ok(t, m, "insights", kind, "--csv")
		}
		stderr := fails(t, m, exitUsage, "insights", "incidents", "--group-by", "year")
		contains(t, "bad grouping", stderr, "--group-by")
		contains(t, "unknown service", fails(t, m, exitFailure, "insights", "loss", "--service", "nowhere"), "service")
	})
}
