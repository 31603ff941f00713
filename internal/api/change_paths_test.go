package api_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

// TestEnqueueChange_JudgedByPolicy is issue 22's PagerDuty defect: a change
// event was flagged only recorded_without_approval. The same policy as a
// change that asks first now flags the missing test report and rollback
// plan and the freeze in force when it happened.
func TestEnqueueChange_JudgedByPolicy(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		h := newHarness(t, engine)
		_, actx, _ := storetest.User(t, h.db, warroom.UserRoleAdmin)
		svc := &warroom.Service{Name: "checkout", Tier: 1}
		if err := h.db.CreateService(actx, svc); err != nil {
			t.Fatal(err)
		}
		pd := &warroom.Integration{ServiceID: svc.ID, Name: "deploys", Kind: warroom.IntegrationPagerDuty}
		if err := h.db.CreateIntegration(actx, pd); err != nil {
			t.Fatal(err)
		}
		at := time.Date(2026, 3, 1, 12, 42, 0, 0, time.UTC)
		f := &warroom.FreezeWindow{Name: "Month end", StartsAt: at.Add(-time.Hour), EndsAt: at.Add(time.Hour), ServiceIDs: []int64{svc.ID}}
		if err := h.db.CreateFreezeWindow(actx, f); err != nil {
			t.Fatal(err)
		}
		r := h.do("", "POST", "/v2/change/enqueue", `{"routing_key":"`+pd.Key+`","payload":{"summary":"Build Success: v7.2","timestamp":"2026-03-01T12:42:00Z","source":"ci"}}`)
		if r.status != http.StatusAccepted {
			t.Fatalf("status %d body %s", r.status, r.body)
		}
		cs, _, err := h.db.FindChanges(t.Context(), warroom.ChangeFilter{})
		if err != nil || len(cs) != 1 {
			t.Fatalf("changes = %v, %v", cs, err)
		}
		c, err := h.db.FindChangeByID(t.Context(), cs[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]bool{}
		for _, v := range c.Violations {
			got[v.Code] = true
		}
		for _, code := range []string{warroom.ViolationWithoutApproval, warroom.ViolationMissingEvidence, warroom.ViolationFreeze} {
			if !got[code] {
				t.Errorf("violations %v lack %s", c.Violations, code)
			}
		}
		if len(got) != 3 {
			t.Errorf("violations = %v, want exactly three codes", got)
		}
	})
}

// TestGrantFreezeException_NotByAuthor is issue 22's self-exception
// defect at the HTTP edge: the author, though an admin, is refused 403 and
// the change stays frozen; another admin's exception lets it start.
func TestGrantFreezeException_NotByAuthor(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		h := newHarness(t, engine)
		_, _, otherToken := storetest.User(t, h.db, warroom.UserRoleAdmin)
		var svc warroom.Service
		h.ok(h.adminToken, "POST", "/api/v1/services", map[string]any{"name": "blog", "tier": 4}, http.StatusCreated, &svc)
		now := time.Now().UTC()
		var f warroom.FreezeWindow
		h.ok(h.adminToken, "POST", "/api/v1/freeze-windows", map[string]any{"name": "Double 11", "starts_at": now.Add(-time.Hour), "ends_at": now.Add(time.Hour),
			"service_ids": []int64{svc.ID}}, http.StatusCreated, &f)
		var c warroom.Change
		h.ok(h.adminToken, "POST", "/api/v1/changes", map[string]any{"kind": "other", "title": "Banner", "service_ids": []int64{svc.ID}}, http.StatusCreated, &c)
		exc := fmt.Sprintf("/api/v1/freeze-windows/%d/exceptions", f.ID)
		refused := len(h.refusals())
		h.fail(h.adminToken, "POST", exc, map[string]any{"change_id": c.ID, "reason": "my own"}, http.StatusForbidden, "")
		if got := len(h.refusals()); got != refused+1 {
			t.Errorf("refusals in the audit log = %d, want %d: a refused self-exception leaves a trace", got, refused+1)
		}
		h.fail(h.adminToken, "POST", "/api/v1/changes/"+c.Number+"/start", nil, http.StatusConflict, "")
		h.ok(otherToken, "POST", exc, map[string]any{"change_id": c.ID, "reason": "campaign banner"}, http.StatusCreated, nil)
		h.ok(h.adminToken, "POST", "/api/v1/changes/"+c.Number+"/start", nil, http.StatusOK, &c)
		if c.State != warroom.ChangeInProgress {
			t.Errorf("state = %s, want in_progress", c.State)
		}
	})
}
