package e2e_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

// alertmanagerBinary finds Prometheus Alertmanager on PATH or in
// GOPATH/bin, where .ci/run installs it. Without it the test fails in CI
// and is skipped elsewhere.
func alertmanagerBinary(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("alertmanager"); err == nil {
		return p
	}
	gopath, _ := exec.Command("go", "env", "GOPATH").Output()
	p := filepath.Join(string(bytes.TrimSpace(gopath)), "bin", "alertmanager")
	if _, err := os.Stat(p); err == nil {
		return p
	}
	msg := "alertmanager not found: go install github.com/prometheus/alertmanager/cmd/alertmanager@v0.31.1"
	if os.Getenv("CI") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestAlertmanager runs a real Alertmanager with a webhook receiver pointing
// at warroom, pushes an alert into Alertmanager's API and waits for warroom
// to open an incident; then resolves it in Alertmanager and waits for
// warroom to resolve the alert.
func TestAlertmanager(t *testing.T) {
	bin := alertmanagerBinary(t)
	ctx := context.Background()
	m := startMain(t, storetest.DSN(t, "sqlite"))
	svc := &warroom.Service{Name: "shop", Tier: 1}
	if err := m.DB.CreateService(ctx, svc); err != nil {
		t.Fatal(err)
	}
	in := &warroom.Integration{ServiceID: svc.ID, Name: "prometheus", Kind: warroom.IntegrationAlertmanager}
	if err := m.DB.CreateIntegration(ctx, in); err != nil {
		t.Fatal(err)
	}

	// Short timings so that the test takes seconds: notifications go out
	// 100ms after an alert arrives and resolutions within a second.
	amURL := startAlertmanager(t, bin, fmt.Sprintf(`
route:
  receiver: warroom
  group_by: ['...']
  group_wait: 100ms
  group_interval: 500ms
  repeat_interval: 1h
receivers:
  - name: warroom
    webhook_configs:
      - url: %s/ingest/alertmanager?key=%s
        send_resolved: true
`, m.Server.URL(), in.Key))

	post := func(endsAt time.Time) {
		a := map[string]any{
			"labels":      map[string]string{"alertname": "CheckoutErrors", "severity": "critical", "instance": "checkout-1"},
			"annotations": map[string]string{"summary": "checkout error rate above 5%"},
			"startsAt":    time.Now().Add(-time.Minute).UTC().Format(time.RFC3339),
		}
		if !endsAt.IsZero() {
			a["endsAt"] = endsAt.UTC().Format(time.RFC3339Nano)
		}
		b, _ := json.Marshal([]any{a})
		resp, err := http.Post(amURL+"/api/v2/alerts", "application/json", bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("alertmanager POST /api/v2/alerts = %d", resp.StatusCode)
		}
	}

	post(time.Time{})
	var alert *warroom.Alert
	waitFor(t, 30*time.Second, "an incident opened by the alert", func() bool {
		as, _, err := m.DB.FindAlerts(ctx, warroom.AlertFilter{ServiceID: &svc.ID})
		if err != nil || len(as) == 0 || as[0].IncidentID == nil {
			return false
		}
		alert = as[0]
		return true
	})
	inc, err := m.DB.FindIncidentByID(ctx, *alert.IncidentID)
	if err != nil {
		t.Fatal(err)
	}
	if inc.Title != "checkout error rate above 5%" || inc.Severity != warroom.P1 {
		t.Errorf("incident = %q %s, want the alert's summary at P1", inc.Title, inc.Severity)
	}

	post(time.Now())
	waitFor(t, 30*time.Second, "the alert resolved", func() bool {
		a, err := m.DB.FindAlertByID(ctx, alert.ID)
		return err == nil && a.Status == warroom.AlertResolved
	})
	waitFor(t, 10*time.Second, "the resolution on the incident's timeline", func() bool {
		events, _, err := m.DB.FindEvents(ctx, warroom.EventFilter{IncidentID: inc.ID, Kinds: []warroom.EventKind{warroom.EventAlertResolved}})
		return err == nil && len(events) == 1
	})
}

// startAlertmanager runs Alertmanager with config until the test ends and
// returns its URL once it is ready.
func startAlertmanager(t *testing.T, bin, config string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "am.yml"), []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	addr := freePort(t)
	cmd := exec.Command(bin, "--config.file="+filepath.Join(dir, "am.yml"), "--storage.path="+dir,
		"--web.listen-address="+addr, "--cluster.listen-address=", "--log.level=warn")
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("alertmanager log:\n%s", logs.String())
		}
	})
	url := "http://" + addr
	waitFor(t, 30*time.Second, "alertmanager ready", func() bool {
		resp, err := http.Get(url + "/-/ready")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	return url
}

func waitFor(t *testing.T, d time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if ok() {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("timed out after %s waiting for %s", d, what)
}
