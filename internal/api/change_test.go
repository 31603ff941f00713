package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

// TestChangeFlow walks a deploy through the policy over HTTP: refused
// without a rollback plan naming it, the author's approval refused, then
// approved, started, linked to an incident and rolled back from it.
func TestChangeFlow(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		h := newHarness(t, engine)
		var svc warroom.Service
		h.ok(h.adminToken, "POST", "/api/v1/services", map[string]any{"name": "checkout", "team": "pay", "tier": 1}, http.StatusCreated, &svc)

		var c warroom.Change
		h.ok(h.responderToken, "POST", "/api/v1/changes", map[string]any{
			"kind": "deploy", "title": "Release 7.1", "service_ids": []int64{svc.ID},
			"links":    []map[string]string{{"title": "PR", "url": "https://git.example.com/pr/9"}},
			"evidence": map[string]any{"test_report": "https://ci.example.com/9"},
		}, http.StatusCreated, &c)
		if c.Number == "" || c.Risk != warroom.RiskHigh || c.State != warroom.ChangeDraft {
			t.Fatalf("created %+v", c)
		}
		base := "/api/v1/changes/" + c.Number

		e := h.fail(h.responderToken, "POST", base+"/start", nil, http.StatusConflict, "")
		if !strings.Contains(e.Message, "rollback plan") {
			t.Errorf("refusal %q does not name the rollback plan", e.Message)
		}
		var chk warroom.PolicyCheck
		h.ok(h.viewerToken, "GET", base+"/check", nil, http.StatusOK, &chk)
		if len(chk.MissingEvidence) != 1 || chk.MissingEvidence[0] != warroom.EvidenceRollbackPlan || chk.ApprovalsRequired != 1 {
			t.Errorf("check = %+v", chk)
		}
		h.fail(h.responderToken, "POST", "/api/v1/changes", map[string]any{"kind": "deploy", "title": "x", "service_ids": []int64{svc.ID}, "risk": "low"}, http.StatusUnprocessableEntity, "risk_reason")
		h.fail(h.responderToken, "POST", "/api/v1/changes", map[string]any{"kind": "deploy", "title": "x"}, http.StatusUnprocessableEntity, "service_ids")
		h.fail(h.responderToken, "POST", "/api/v1/changes", `{"kind":"deploy","bogus":1}`, http.StatusBadRequest, "")

		h.ok(h.responderToken, "POST", base+"/submit", nil, http.StatusOK, &c)
		h.fail(h.responderToken, "POST", base+"/approve", map[string]any{"comment": "me"}, http.StatusForbidden, "")
		h.fail(h.viewerToken, "POST", base+"/approve", nil, http.StatusForbidden, "")
		h.ok(h.adminToken, "POST", base+"/approve", map[string]any{"comment": "ok"}, http.StatusOK, &c)
		h.ok(h.responderToken, "PATCH", base, map[string]any{"rollback_plan": "helm rollback checkout"}, http.StatusOK, &c)
		h.ok(h.responderToken, "POST", base+"/start", nil, http.StatusOK, &c)
		if c.State != warroom.ChangeInProgress {
			t.Fatalf("state = %s", c.State)
		}
		var evs struct{ Events []*warroom.ChangeEvent }
		h.ok(h.viewerToken, "GET", base+"/events", nil, http.StatusOK, &evs)
		if len(evs.Events) < 6 {
			t.Errorf("timeline has %d events", len(evs.Events))
		}

		inc := h.declare(map[string]any{"title": "Checkout errors", "type": "system_crash", "service_ids": []int64{svc.ID}})
		ib := fmt.Sprintf("/api/v1/incidents/%d", inc.ID)
		var corr struct{ Changes []*warroom.CorrelatedChange }
		h.ok(h.viewerToken, "GET", ib+"/changes", nil, http.StatusOK, &corr)
		if len(corr.Changes) != 1 || corr.Changes[0].Change.ID != c.ID || corr.Changes[0].SuspectedCause {
			t.Fatalf("incident changes = %+v", corr.Changes)
		}
		h.fail(h.viewerToken, "GET", ib+"/changes?hours=0", nil, http.StatusBadRequest, "hours")
		h.ok(h.responderToken, "POST", ib+"/suspected-causes", map[string]any{"change_id": c.ID, "note": "deployed minutes before"}, http.StatusCreated, nil)
		h.fail(h.responderToken, "POST", ib+"/suspected-causes", map[string]any{"change_id": c.ID}, http.StatusConflict, "")
		var causes struct {
			SuspectedCauses []*warroom.SuspectedCause `json:"suspected_causes"`
		}
		h.ok(h.viewerToken, "GET", ib+"/suspected-causes", nil, http.StatusOK, &causes)
		if len(causes.SuspectedCauses) != 1 || causes.SuspectedCauses[0].Change.Number != c.Number {
			t.Fatalf("suspected causes = %+v", causes.SuspectedCauses)
		}
		h.ok(h.responderToken, "POST", fmt.Sprintf("%s/changes/%s/rollback", ib, c.Number), map[string]any{"comment": "suspected"}, http.StatusOK, &c)
		if c.State != warroom.ChangeRolledBack || len(c.Notifications) == 0 {
			t.Errorf("after rollback: state %s notifications %d", c.State, len(c.Notifications))
		}
	})
}

func TestChangePolicyAndFreezeAPI(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		h := newHarness(t, engine)
		var p warroom.ChangePolicy
		h.ok(h.viewerToken, "GET", "/api/v1/change-policy", nil, http.StatusOK, &p)
		if p.Mode != warroom.PolicyEnforce || len(p.Rules) == 0 {
			t.Fatalf("policy = %+v", p)
		}
		p.Mode = warroom.PolicyRecord
		h.fail(h.responderToken, "PUT", "/api/v1/change-policy", p, http.StatusForbidden, "")
		h.ok(h.adminToken, "PUT", "/api/v1/change-policy", p, http.StatusOK, &p)
		p.Rules[0].ApproverRoles = []warroom.UserRole{warroom.UserRoleContractor}
		h.fail(h.adminToken, "PUT", "/api/v1/change-policy", p, http.StatusUnprocessableEntity, "rules[0].approver_roles[0]")

		var f warroom.FreezeWindow
		h.fail(h.adminToken, "POST", "/api/v1/freeze-windows", map[string]any{"name": "x", "starts_at": "2026-11-10T00:00:00Z", "ends_at": "2026-11-09T00:00:00Z"}, http.StatusUnprocessableEntity, "ends_at")
		h.ok(h.adminToken, "POST", "/api/v1/freeze-windows", map[string]any{"name": "Double 11", "starts_at": "2026-11-10T00:00:00Z", "ends_at": "2026-11-12T00:00:00Z"}, http.StatusCreated, &f)
		var list struct {
			FreezeWindows []*warroom.FreezeWindow `json:"freeze_windows"`
		}
		h.ok(h.viewerToken, "GET", "/api/v1/freeze-windows?from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z", nil, http.StatusOK, &list)
		if len(list.FreezeWindows) != 1 {
			t.Fatalf("freeze windows = %d", len(list.FreezeWindows))
		}
		h.fail(h.adminToken, "POST", fmt.Sprintf("/api/v1/freeze-windows/%d/exceptions", f.ID), map[string]any{"change_id": 999, "reason": "x"}, http.StatusNotFound, "")
		h.ok(h.adminToken, "DELETE", fmt.Sprintf("/api/v1/freeze-windows/%d", f.ID), nil, http.StatusNoContent, nil)
	})
}

// TestEnqueueChange_Refused checks the PagerDuty change endpoint answers in
// PagerDuty's shape and records nothing for a bad event or an unknown key.
func TestEnqueueChange_Refused(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		h := newHarness(t, engine)
		for _, tt := range []struct {
			name, body, want string
		}{
			{"Malformed", `{`, "malformed"},
			{"NoSummary", `{"routing_key":"k","payload":{}}`, "payload.summary"},
			{"UnknownKey", `{"routing_key":"0123456789abcdef0123456789abcdef","payload":{"summary":"deploy"}}`, "routing_key"},
			{"NotUTF8", "{\"routing_key\":\"k\",\"payload\":{\"summary\":\"deploy \xff\"}}", "payload.summary: is not valid UTF-8"},
			{"LoneSurrogate", `{"routing_key":"k","payload":{"summary":"d","custom_details":{"v":"\ud800"}}}`, "payload.custom_details.v"},
			{"KeyNUL", `{"routing_key":"0123456789abcdef\u0000","payload":{"summary":"deploy"}}`, "'routing_key' must not contain NUL"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				r := h.with(t).do("", "POST", "/v2/change/enqueue", tt.body)
				if r.status != http.StatusBadRequest || !strings.Contains(string(r.body), tt.want) || !strings.Contains(string(r.body), `"status":"invalid event"`) {
					t.Errorf("status %d body %s", r.status, r.body)
				}
			})
		}
		if _, n, _ := h.db.FindChanges(t.Context(), warroom.ChangeFilter{}); n != 0 {
			t.Errorf("%d changes recorded", n)
		}
	})
}

// TestEnqueueChange records a PagerDuty change event sent with an
// integration key as a completed change on the key's service, flagged as
// recorded without approval, and refuses a key of another kind.
func TestEnqueueChange(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		h := newHarness(t, engine)
		_, actx, _ := storetest.User(t, h.db, warroom.UserRoleAdmin)
		svc := &warroom.Service{Name: "checkout", Tier: 1}
		if err := h.db.CreateService(actx, svc); err != nil {
			t.Fatal(err)
		}
		pd := &warroom.Integration{ServiceID: svc.ID, Name: "deploys", Kind: warroom.IntegrationPagerDuty}
		am := &warroom.Integration{ServiceID: svc.ID, Name: "alerts", Kind: warroom.IntegrationAlertmanager}
		for _, i := range []*warroom.Integration{pd, am} {
			if err := h.db.CreateIntegration(actx, i); err != nil {
				t.Fatal(err)
			}
		}
		event := func(key string) string {
			return `{"routing_key":"` + key + `","payload":{"summary":"Build Success: v7.2","timestamp":"2026-03-01T20:42:58.315+0800","source":"ci"},
				"links":[{"href":"https://ci.example.com/7","text":"pipeline"}]}`
		}
		r := h.do("", "POST", "/v2/change/enqueue", event(pd.Key))
		if r.status != http.StatusAccepted || !strings.Contains(string(r.body), `"status":"success"`) {
			t.Fatalf("status %d body %s", r.status, r.body)
		}
		r = h.do("", "POST", "/v2/change/enqueue", event(am.Key))
		if r.status != http.StatusBadRequest {
			t.Errorf("alertmanager key: status %d, want 400", r.status)
		}
		cs, n, err := h.db.FindChanges(t.Context(), warroom.ChangeFilter{})
		if err != nil || n != 1 {
			t.Fatalf("changes = %d, %v", n, err)
		}
		c := cs[0]
		if c.State != warroom.ChangeCompleted || c.Source != warroom.SourcePagerDuty || len(c.ServiceIDs) != 1 || c.ServiceIDs[0] != svc.ID ||
			!c.Violated() || c.Violations[0].Code != warroom.ViolationWithoutApproval || c.StartedAt == nil || c.StartedAt.Hour() != 12 {
			t.Errorf("recorded change = %+v", c)
		}
	})
}
