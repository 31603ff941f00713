package api_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

var insightsRoutes = []string{
	"/api/v1/insights/incidents", "/api/v1/insights/sla", "/api/v1/insights/loss",
	"/api/v1/insights/oncall", "/api/v1/insights/action-items", "/api/v1/insights/changes",
}

// TestInsightsRefusedToLowerRoles: the scoped roles, which see only the
// incidents of their services, cannot read totals over every service; nor
// can a token that may only send alerts.
func TestInsightsRefusedToLowerRoles(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		h := newHarness(t, engine)
		_, _, stakeholder := storetest.User(t, h.db, warroom.UserRoleStakeholder)
		_, _, contractor := storetest.User(t, h.db, warroom.UserRoleContractor)
		ingest := h.issueToken(h.responder, warroom.ScopeIngest)
		for _, path := range insightsRoutes {
			for _, tok := range []string{stakeholder, contractor, ingest} {
				h.fail(tok, "GET", path, nil, http.StatusForbidden, "")
			}
			h.fail("", "GET", path, nil, http.StatusUnauthorized, "")
			h.ok(h.viewerToken, "GET", path, nil, http.StatusOK, nil)
		}
	})
}

// TestInsightsThroughAPI: the numbers reach the API as the store computes
// them, filters are read from the query, and bad ones are refused naming
// the parameter.
func TestInsightsThroughAPI(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		h := newHarness(t, engine)
		ctx := warroom.NewContextWithUser(context.Background(), h.admin)
		svc := &warroom.Service{Name: "checkout", Team: "payments", Tier: 1}
		if err := h.db.CreateService(ctx, svc); err != nil {
			t.Fatal(err)
		}
		detected := time.Now().Add(-2 * time.Hour).UTC().Truncate(time.Second)
		for i, drill := range []bool{false, false, true} {
			inc := &warroom.Incident{Title: "slow checkout", Type: warroom.TypeSystemCrash, Severity: warroom.P2, SeverityReason: "test",
				ServiceIDs: []int64{svc.ID}, DetectedAt: detected, Drill: drill,
				Loss: warroom.Loss{MoneyLost: warroom.Money{Amount: warroom.Amount(100 * (i + 1)), Currency: "CNY"}}}
			if err := h.db.DeclareIncident(ctx, inc); err != nil {
				t.Fatal(err)
			}
			if i == 0 {
				if _, err := h.db.TransitionIncident(ctx, inc.ID, warroom.StateResolved, ""); err != nil {
					t.Fatal(err)
				}
			}
		}
		var got warroom.IncidentInsights
		h.ok(h.viewerToken, "GET", "/api/v1/insights/incidents?service=checkout&group_by=team", nil, http.StatusOK, &got)
		if got.Total.Incidents != 2 || got.Total.Open != 1 || got.Total.Resolve.Count != 1 || len(got.Groups) != 1 || got.Groups[0].Key != "payments" {
			t.Errorf("incidents: %+v", got)
		}
		h.ok(h.viewerToken, "GET", "/api/v1/insights/incidents?drills=include", nil, http.StatusOK, &got)
		if got.Total.Incidents != 3 {
			t.Errorf("with drills: %d incidents, want 3", got.Total.Incidents)
		}
		var loss warroom.LossInsights
		h.ok(h.viewerToken, "GET", "/api/v1/insights/loss", nil, http.StatusOK, &loss)
		if m := loss.Total.MoneyLost; len(m) != 1 || m[0].Amount != 300 || m[0].Currency != "CNY" {
			t.Errorf("money lost: %+v, want 300 CNY (the drill's left out)", m)
		}
		h.fail(h.viewerToken, "GET", "/api/v1/insights/sla?service=nowhere", nil, http.StatusBadRequest, "service")
		for param, q := range map[string]string{
			"from": "from=last-week", "to": "from=2026-02-01&to=2026-01-01", "severity": "severity=P7",
			"group_by": "group_by=year", "cause": "cause=luck", "drills": "drills=maybe", "type": "type=meteor",
		} {
			r := h.do(h.viewerToken, "GET", "/api/v1/insights/incidents?"+q, nil)
			if r.status < 400 || r.status >= 500 {
				t.Errorf("%s: status %d, want a 4xx: %s", q, r.status, r.body)
				continue
			}
			h.fail(h.viewerToken, "GET", "/api/v1/insights/incidents?"+q, nil, r.status, param)
		}
	})
}
