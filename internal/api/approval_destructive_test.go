package api_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

// TestTwoPersonRuleDestructiveHTTP is issue 22 item 6 at the HTTP edge:
// with the rule on, each destructive route answers one admin 409 and
// changes nothing; the same admin's request, approved by a second admin,
// runs it, and the requester cannot approve it himself.
func TestTwoPersonRuleDestructiveHTTP(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		h := newHarness(t, engine)
		ctx := context.Background()
		_, actx, _ := storetest.User(t, h.db, warroom.UserRoleAdmin)
		_, _, second := storetest.User(t, h.db, warroom.UserRoleAdmin)
		other, octx, _ := storetest.User(t, h.db, warroom.UserRoleResponder)

		svc := &warroom.Service{Name: "backups", Tier: 1}
		if err := h.db.CreateService(actx, svc); err != nil {
			t.Fatal(err)
		}
		comp := &warroom.Component{Name: "API"}
		if err := h.db.CreateComponent(actx, comp); err != nil {
			t.Fatal(err)
		}
		mon := &warroom.Monitor{ServiceID: svc.ID, Name: "nightly backup", Kind: warroom.MonitorHeartbeat, PeriodSeconds: 3600, GraceSeconds: 600}
		if err := h.db.CreateMonitor(actx, mon); err != nil {
			t.Fatal(err)
		}
		integ := &warroom.Integration{ServiceID: svc.ID, Name: "pd", Kind: warroom.IntegrationPagerDuty}
		if err := h.db.CreateIntegration(actx, integ); err != nil {
			t.Fatal(err)
		}
		rule := &warroom.RoutingRule{ServiceID: svc.ID, Name: "page the DBA"}
		if err := h.db.CreateRoutingRule(actx, rule); err != nil {
			t.Fatal(err)
		}
		pm := &warroom.PostmortemTemplate{Name: "Security", Summary: "Attack vector:"}
		if err := h.db.CreatePostmortemTemplate(actx, pm); err != nil {
			t.Fatal(err)
		}
		sop := &warroom.SOPTemplate{Name: "Database failover", Tasks: []string{"Promote the replica"}}
		if err := h.db.CreateSOPTemplate(actx, sop); err != nil {
			t.Fatal(err)
		}
		mw := &warroom.MaintenanceWindow{ServiceID: svc.ID, StartsAt: time.Now().Add(-time.Hour), EndsAt: time.Now().Add(2 * time.Hour), Reason: "disk swap"}
		if err := h.db.CreateMaintenanceWindow(actx, mw); err != nil {
			t.Fatal(err)
		}
		mt := &warroom.Maintenance{Title: "Database upgrade", StartsAt: time.Now().Add(time.Hour), EndsAt: time.Now().Add(3 * time.Hour)}
		if err := h.db.CreateMaintenance(actx, mt); err != nil {
			t.Fatal(err)
		}
		freeze := &warroom.FreezeWindow{Name: "Double 11", StartsAt: time.Now().Add(time.Hour), EndsAt: time.Now().Add(48 * time.Hour)}
		if err := h.db.CreateFreezeWindow(actx, freeze); err != nil {
			t.Fatal(err)
		}
		tok, _, err := h.db.CreateToken(octx, other.ID, "ci", nil)
		if err != nil {
			t.Fatal(err)
		}
		laptop, _, err := h.db.CreateToken(octx, other.ID, "laptop", nil)
		if err != nil {
			t.Fatal(err)
		}
		revoked := func(id int64) bool {
			ts, _ := h.db.FindTokens(ctx, other.ID)
			for _, x := range ts {
				if x.ID == id {
					return x.RevokedAt != nil
				}
			}
			return false
		}
		h.ok(h.adminToken, "PUT", "/api/v1/approval-settings", map[string]any{"required": warroom.ApprovalOps}, http.StatusOK, nil)

		notFound := func(err error) bool { return warroom.ErrorCode(err) == warroom.ENOTFOUND }
		for _, tt := range []struct {
			op           warroom.ApprovalOp
			method, path string
			params       any
			done         func() bool
		}{
			{warroom.OpComponentDelete, "DELETE", fmt.Sprintf("/api/v1/components/%d", comp.ID), warroom.ObjectParams{ID: comp.ID}, func() bool {
				cs, _ := h.db.FindComponents(ctx)
				return len(cs) == 0
			}},
			{warroom.OpMonitorDelete, "DELETE", fmt.Sprintf("/api/v1/monitors/%d", mon.ID), warroom.ObjectParams{ID: mon.ID}, func() bool {
				_, err := h.db.FindMonitorByID(ctx, mon.ID)
				return notFound(err)
			}},
			{warroom.OpIntegrationRevoke, "POST", fmt.Sprintf("/api/v1/integrations/%d/revoke", integ.ID), warroom.ObjectParams{ID: integ.ID}, func() bool {
				i, _ := h.db.FindIntegrationByID(ctx, integ.ID)
				return i != nil && !i.Active()
			}},
			{warroom.OpRoutingRuleDelete, "DELETE", fmt.Sprintf("/api/v1/routing-rules/%d", rule.ID), warroom.ObjectParams{ID: rule.ID}, func() bool {
				rs, _ := h.db.FindRoutingRules(ctx, svc.ID)
				return len(rs) == 0
			}},
			{warroom.OpPostmortemTemplateDelete, "DELETE", fmt.Sprintf("/api/v1/postmortem-templates/%d", pm.ID), warroom.ObjectParams{ID: pm.ID}, func() bool {
				_, err := h.db.FindPostmortemTemplateByID(ctx, pm.ID)
				return notFound(err)
			}},
			{warroom.OpSOPTemplateDelete, "DELETE", fmt.Sprintf("/api/v1/sop-templates/%d", sop.ID), warroom.ObjectParams{ID: sop.ID}, func() bool {
				_, err := h.db.FindSOPTemplateByID(ctx, sop.ID)
				return notFound(err)
			}},
			{warroom.OpFreezeDelete, "DELETE", fmt.Sprintf("/api/v1/freeze-windows/%d", freeze.ID), warroom.ObjectParams{ID: freeze.ID}, func() bool {
				fs, _ := h.db.FindFreezeWindows(ctx, warroom.FreezeFilter{})
				return len(fs) == 0
			}},
			{warroom.OpMaintenanceWindowEnd, "POST", fmt.Sprintf("/api/v1/maintenance-windows/%d/end", mw.ID), warroom.ObjectParams{ID: mw.ID}, func() bool {
				soon := time.Now().Add(time.Minute)
				ws, _, _ := h.db.FindMaintenanceWindows(ctx, warroom.MaintenanceFilter{ServiceID: &svc.ID, EndedAfter: &soon})
				return len(ws) == 0
			}},
			{warroom.OpMaintenanceCancel, "POST", fmt.Sprintf("/api/v1/maintenances/%d/cancel", mt.ID), warroom.ObjectParams{ID: mt.ID}, func() bool {
				ms, _ := h.db.FindMaintenances(ctx, time.Time{})
				return len(ms) == 0
			}},
			{warroom.OpTokenRevokeOther, "DELETE", fmt.Sprintf("/api/v1/users/%d/tokens/%d", other.ID, tok.ID), warroom.RevokeTokenParams{UserID: other.ID, TokenID: tok.ID}, func() bool { return revoked(tok.ID) }},
			{warroom.OpTokensRevokeAll, "POST", "/api/v1/tokens/revoke-all", warroom.RevokeAllParams{UserID: other.ID}, func() bool { return revoked(laptop.ID) }},
		} {
			t.Run(string(tt.op), func(t *testing.T) {
				h := h.with(t)
				// An admin of its own per operation, so that the refusal
				// rate limit (per identity) does not hide a refusal.
				_, _, first := storetest.User(t, h.db, warroom.UserRoleAdmin)
				var body any
				if tt.op == warroom.OpTokensRevokeAll {
					body = tt.params
				}
				refused := len(h.refusals())
				h.fail(first, tt.method, tt.path, body, http.StatusConflict, "")
				if tt.done() {
					t.Fatal("refused with 409, but done anyway")
				}
				if got := len(h.refusals()); got != refused+1 {
					t.Errorf("refusals in the audit log = %d, want %d", got, refused+1)
				}
				var a warroom.Approval
				h.ok(first, "POST", "/api/v1/approvals", map[string]any{"op": tt.op, "params": tt.params, "reason": "cleanup"}, http.StatusCreated, &a)
				h.fail(first, "POST", fmt.Sprintf("/api/v1/approvals/%d/approve", a.ID), nil, http.StatusForbidden, "")
				if tt.done() {
					t.Fatal("self-approval refused, but done anyway")
				}
				h.ok(second, "POST", fmt.Sprintf("/api/v1/approvals/%d/approve", a.ID), nil, http.StatusOK, &a)
				if a.State != warroom.ApprovalExecuted || !tt.done() {
					t.Errorf("approved by a second admin: state %s, done %v", a.State, tt.done())
				}
			})
		}
	})
}
