package metrics

import (
	"database/sql"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
)

type poolSource struct{ nopSource }

func (poolSource) PoolStats() map[string]sql.DBStats { return map[string]sql.DBStats{"pool": {}} }

// TestDeployReferences expects every metric the shipped alerting rules and
// dashboard use to be one warroom exports, so that a renamed metric cannot
// silently disarm an alert.
func TestDeployReferences(t *testing.T) {
	m := New(poolSource{}, time.Now)
	m.Tick("alert-routing", time.Millisecond, errors.New("x"))
	m.Notification("email", false, true, time.Now().Add(-time.Second), time.Now())
	m.IncidentsOpened([]int64{1})
	h := m.Instrument(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}), func(*http.Request) string { return "/ingest/generic" })
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/ingest/generic", nil))
	families, err := m.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	exported := map[string]bool{}
	for _, f := range families {
		exported[f.GetName()] = true
	}
	name := regexp.MustCompile(`warroom_[a-z_]+`)
	for _, file := range []string{"../../deploy/prometheus/warroom-alerts.yml", "../../deploy/grafana/warroom-dashboard.json"} {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		used := name.FindAllString(string(b), -1)
		if len(used) == 0 {
			t.Fatalf("%s uses no warroom metric", file)
		}
		for _, n := range used {
			base := n
			for _, suffix := range []string{"_bucket", "_count", "_sum"} {
				if b, ok := strings.CutSuffix(n, suffix); ok && exported[b] {
					base = b
				}
			}
			if !exported[base] {
				t.Errorf("%s uses %s, which warroom does not export", file, n)
			}
		}
	}
}

func TestIngestKind(t *testing.T) {
	for path, want := range map[string]string{
		"/v2/enqueue": "pagerduty", "/ingest/generic": "generic", "/ingest/alertmanager": "alertmanager",
		"/ingest/grafana": "grafana", "/ingest/heartbeat/abc": "heartbeat", "/ingest/other": "", "/api/v1/me": "",
	} {
		if got := ingestKind(path); got != want {
			t.Errorf("ingestKind(%q) = %q, want %q", path, got, want)
		}
	}
}
