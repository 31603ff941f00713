package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store"
)

// TestCLI_AlertIngestion sets up ingestion from the command line, sends an
// alert to the printed URL, and finds the alert and its incident.
func TestCLI_AlertIngestion(t *testing.T) {
	m := startServer(t, store.EngineSQLite)
	ok(t, m, "service", "create", "payments", "--tier", "1")
	out := ok(t, m, "integration", "create", "payments", "scripts", "--kind", "generic")
	contains(t, "integration create", out, "Integration scripts created", "/ingest/generic?key=")
	url := out[strings.Index(out, "send to: ")+len("send to: "):]
	url = strings.TrimSpace(url)

	contains(t, "route add", ok(t, m, "route", "add", "payments", "quiet warnings", "--match", ".severity=~warning|info", "--no-open"), "Routing rule \"quiet warnings\" added")
	contains(t, "route list", ok(t, m, "route", "list", "payments"), "quiet warnings", ".severity=~warning|info", "default")
	contains(t, "route test warning", ok(t, m, "route", "test", "payments", "--severity", "warning"), "matches \"quiet warnings\"", "opens an incident: false")
	contains(t, "route test critical", ok(t, m, "route", "test", "payments", "--severity", "critical"), "matches the default rule: severity P1")
	fails(t, m, exitUsage, "route", "add", "payments", "x", "--match", "nonsense")

	resp, err := http.Post(url, "application/json", bytes.NewReader([]byte(`{"summary":"card payments failing","severity":"critical","dedup_key":"cards"}`)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("POST %s = %d", url, resp.StatusCode)
	}
	// Routing runs in the engine, woken by the commit.
	deadline := time.Now().Add(10 * time.Second)
	for {
		as, _, _ := m.DB.FindAlerts(context.Background(), warroom.AlertFilter{})
		if len(as) == 1 && as[0].IncidentID != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no incident opened by the alert: %+v", as)
		}
		time.Sleep(20 * time.Millisecond)
	}
	contains(t, "alert list", ok(t, m, "alert", "list", "--service", "payments"), "card payments failing", "INC-")
	var page struct{ Alerts []*warroom.Alert }
	if err := json.Unmarshal([]byte(ok(t, m, "alert", "list", "--json")), &page); err != nil || len(page.Alerts) != 1 {
		t.Fatalf("alert list --json: %v %+v", err, page)
	}
	contains(t, "alert resolve", ok(t, m, "alert", "resolve", itoaID(page.Alerts[0].ID)), "resolved")

	contains(t, "heartbeat create", ok(t, m, "heartbeat", "create", "payments", "nightly backup", "--period", "24h"), "/ingest/heartbeat/")
	contains(t, "heartbeat flow", ok(t, m, "heartbeat", "flow", "payments", "leads", "--min", "1", "--window", "30m", "--days", "1-5", "--hours", "09:00-18:00", "--tz", "Asia/Shanghai"), "Monitor leads created")
	contains(t, "heartbeat list", ok(t, m, "heartbeat", "list"), "nightly backup", "leads", "flow")
	contains(t, "maintenance start", ok(t, m, "maintenance", "start", "payments", "--for", "2h", "--reason", "upgrade"), "Maintenance window")
	contains(t, "maintenance list", ok(t, m, "maintenance", "list"), "upgrade")
	contains(t, "integration list", ok(t, m, "integration", "list"), "scripts", "generic", "active")
}

func itoaID(id int64) string { b, _ := json.Marshal(id); return string(b) }
