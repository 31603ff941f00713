package ui_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

// TestTwoPersonRuleDestructivePages is issue 22 item 6 on the pages: with
// the rule on, each delete button answers one admin 409, changes nothing
// and leaves a refusal in the audit log; the admin's request, approved by a
// second admin on the approvals page, runs it.
func TestTwoPersonRuleDestructivePages(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		ctx := context.Background()
		_, actx := e.user(t, warroom.UserRoleAdmin, "en")
		second, _ := e.user(t, warroom.UserRoleAdmin, "en")
		svc := &warroom.Service{Name: "backups", Tier: 1}
		if err := e.db.CreateService(actx, svc); err != nil {
			t.Fatal(err)
		}
		mon := &warroom.Monitor{ServiceID: svc.ID, Name: "nightly backup", Kind: warroom.MonitorHeartbeat, PeriodSeconds: 3600, GraceSeconds: 600}
		if err := e.db.CreateMonitor(actx, mon); err != nil {
			t.Fatal(err)
		}
		rule := &warroom.RoutingRule{ServiceID: svc.ID, Name: "page the DBA"}
		if err := e.db.CreateRoutingRule(actx, rule); err != nil {
			t.Fatal(err)
		}
		sop := &warroom.SOPTemplate{Name: "Database failover", Tasks: []string{"Promote the replica"}}
		if err := e.db.CreateSOPTemplate(actx, sop); err != nil {
			t.Fatal(err)
		}
		mw := &warroom.MaintenanceWindow{ServiceID: svc.ID, StartsAt: time.Now().Add(-time.Hour), EndsAt: time.Now().Add(2 * time.Hour), Reason: "disk swap"}
		if err := e.db.CreateMaintenanceWindow(actx, mw); err != nil {
			t.Fatal(err)
		}
		mt := &warroom.Maintenance{Title: "Database upgrade", StartsAt: time.Now().Add(time.Hour), EndsAt: time.Now().Add(3 * time.Hour)}
		if err := e.db.CreateMaintenance(actx, mt); err != nil {
			t.Fatal(err)
		}
		if err := e.db.SetApprovalSettings(actx, &warroom.ApprovalSettings{Required: warroom.ApprovalOps}); err != nil {
			t.Fatal(err)
		}
		refusals := func() int {
			action := warroom.AuditAccessRefused
			_, n, err := e.db.FindAuditEntries(ctx, warroom.AuditFilter{Action: &action, Limit: 1})
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		approver := e.client(t)
		approver.login(second.Email)

		for _, tt := range []struct {
			op   warroom.ApprovalOp
			path string
			id   int64
			done func() bool
		}{
			{warroom.OpMonitorDelete, fmt.Sprintf("/monitors/%d/delete", mon.ID), mon.ID, func() bool {
				_, err := e.db.FindMonitorByID(ctx, mon.ID)
				return warroom.ErrorCode(err) == warroom.ENOTFOUND
			}},
			{warroom.OpRoutingRuleDelete, fmt.Sprintf("/services/%d/routing/%d/delete", svc.ID, rule.ID), rule.ID, func() bool {
				rs, _ := e.db.FindRoutingRules(ctx, svc.ID)
				return len(rs) == 0
			}},
			{warroom.OpMaintenanceWindowEnd, fmt.Sprintf("/maintenance/%d/end", mw.ID), mw.ID, func() bool {
				soon := time.Now().Add(time.Minute)
				ws, _, _ := e.db.FindMaintenanceWindows(ctx, warroom.MaintenanceFilter{ServiceID: &svc.ID, EndedAfter: &soon})
				return len(ws) == 0
			}},
			{warroom.OpMaintenanceCancel, fmt.Sprintf("/admin/status-page/maintenances/%d/cancel", mt.ID), mt.ID, func() bool {
				ms, _ := e.db.FindMaintenances(ctx, time.Time{})
				return len(ms) == 0
			}},
			{warroom.OpSOPTemplateDelete, fmt.Sprintf("/sops/%d/delete", sop.ID), sop.ID, func() bool {
				_, err := e.db.FindSOPTemplateByID(ctx, sop.ID)
				return warroom.ErrorCode(err) == warroom.ENOTFOUND
			}},
		} {
			t.Run(string(tt.op), func(t *testing.T) {
				first, fctx := e.user(t, warroom.UserRoleAdmin, "en")
				c := e.client(t)
				c.login(first.Email)
				before := refusals()
				res, body := c.post(tt.path, nil)
				wantStatus(t, res, body, http.StatusConflict)
				if tt.done() {
					t.Fatal("refused with 409, but done anyway")
				}
				if got := refusals(); got != before+1 {
					t.Errorf("refusals in the audit log = %d, want %d", got, before+1)
				}
				params, _ := json.Marshal(warroom.ObjectParams{ID: tt.id})
				a, err := e.db.RequestApproval(fctx, tt.op, params, "cleanup")
				if err != nil {
					t.Fatal(err)
				}
				approver.get("/admin/approvals")
				res, body = approver.post(fmt.Sprintf("/admin/approvals/%d/approve", a.ID), nil)
				wantStatus(t, res, body, http.StatusSeeOther)
				if !tt.done() {
					t.Error("approved by a second admin, but not done")
				}
			})
		}
	})
}
