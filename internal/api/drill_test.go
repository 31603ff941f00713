package api_test

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

const scenarioYAML = `slug: dns-expired
name: DNS expired
severity: P1
type: network_failure
expected_roles: [commander]
sop: [Renew the domain]
steps:
  - offset_seconds: 0
    kind: alert
    summary: site unreachable
`

func (h *harness) raw(token, method, path, ctype, body string) (int, string) {
	h.t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), method, h.url+path, strings.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", ctype)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestDrillAPI(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		h := newHarness(t, engine)
		t.Run("ScenarioYAML", func(t *testing.T) {
			if status, body := h.raw(h.responderToken, "POST", "/api/v1/drill-scenarios", "application/yaml", scenarioYAML); status != http.StatusForbidden {
				t.Errorf("responder saving a scenario: %d %s, want 403", status, body)
			}
			if status, body := h.raw(h.adminToken, "POST", "/api/v1/drill-scenarios", "application/yaml", scenarioYAML); status != http.StatusOK {
				t.Fatalf("save: %d %s", status, body)
			}
			status, body := h.raw(h.viewerToken, "GET", "/api/v1/drill-scenarios/dns-expired?format=yaml", "", "")
			if status != http.StatusOK || !strings.Contains(body, "summary: site unreachable") {
				t.Errorf("export: %d %s", status, body)
			}
			status, body = h.raw(h.adminToken, "POST", "/api/v1/drill-scenarios", "application/yaml", strings.Replace(scenarioYAML, "P1", "P7", 1))
			if status != http.StatusBadRequest && status != http.StatusUnprocessableEntity || !strings.Contains(body, `"field":"severity"`) {
				t.Errorf("bad severity: %d %s", status, body)
			}
			h.fail(h.adminToken, "GET", "/api/v1/drill-scenarios/dns-expired?format=toml", nil, http.StatusUnprocessableEntity, "format")
			h.fail(h.adminToken, "DELETE", "/api/v1/drill-scenarios/database-deleted", nil, http.StatusConflict, "")
		})
		t.Run("Run", func(t *testing.T) {
			svc := &warroom.Service{Name: "orders", Tier: 1}
			if err := h.db.CreateService(warroom.NewContextWithUser(context.Background(), h.admin), svc); err != nil {
				t.Fatal(err)
			}
			h.fail(h.viewerToken, "POST", "/api/v1/drills", map[string]any{"scenario": "database-deleted", "service_ids": []int64{svc.ID}}, http.StatusForbidden, "")
			h.fail(h.responderToken, "POST", "/api/v1/drills", map[string]any{"scenario": "nope", "service_ids": []int64{svc.ID}}, http.StatusNotFound, "scenario")
			h.fail(h.responderToken, "POST", "/api/v1/drills", map[string]any{"scenario": "database-deleted"}, http.StatusUnprocessableEntity, "service_ids")
			var run warroom.DrillRun
			h.ok(h.responderToken, "POST", "/api/v1/drills", map[string]any{"scenario": "database-deleted", "service_ids": []int64{svc.ID}}, http.StatusCreated, &run)
			h.fail(h.responderToken, "POST", "/api/v1/drills/"+itoa(run.ID)+"/pause", nil, http.StatusConflict, "")
			h.fail(h.responderToken, "POST", "/api/v1/drills/"+itoa(run.ID)+"/explode", nil, http.StatusNotFound, "")
			h.ok(h.responderToken, "POST", "/api/v1/drills/"+itoa(run.ID)+"/abort", nil, http.StatusOK, &run)
			if run.State != warroom.DrillAborted {
				t.Errorf("state = %s", run.State)
			}
			r := h.do(h.viewerToken, "GET", "/api/v1/drills/"+itoa(run.ID)+"/report?format=markdown", nil)
			if r.status != http.StatusOK || !strings.Contains(string(r.body), "# Drill report") {
				t.Errorf("report: %d %s", r.status, r.body)
			}
			h.fail(h.viewerToken, "GET", "/api/v1/drill-insights?stale_days=0", nil, http.StatusBadRequest, "stale_days")
			h.ok(h.viewerToken, "GET", "/api/v1/drill-insights", nil, http.StatusOK, nil)
		})
		t.Run("RealWorldNeedsDrill", func(t *testing.T) {
			inc := h.declare(map[string]any{"title": "real one", "type": "other"})
			h.fail(h.responderToken, "POST", "/api/v1/incidents/"+itoa(inc.ID)+"/status-updates", map[string]any{"audience": "public",
				"what_happened": "x", "public_status": "investigating", "real_world": true}, http.StatusUnprocessableEntity, "real_world")
			h.fail(h.viewerToken, "GET", "/api/v1/incidents/"+itoa(inc.ID)+"/drill-preview", nil, http.StatusUnprocessableEntity, "")
		})
	})
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }
