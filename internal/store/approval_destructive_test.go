package store_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

// TestTwoPersonRuleDestructive turns the rule on for every destructive
// operation: each one called directly is refused with nothing changed, and
// runs once a second admin approves the request for it.
func TestTwoPersonRuleDestructive(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		db := storetest.Open(t, engine, nil)
		_, actx, _ := storetest.User(t, db, warroom.UserRoleAdmin)
		_, bctx, _ := storetest.User(t, db, warroom.UserRoleAdmin)
		other, _, _ := storetest.User(t, db, warroom.UserRoleResponder)

		svc := &warroom.Service{Name: "backups", Tier: 1}
		if err := db.CreateService(actx, svc); err != nil {
			t.Fatal(err)
		}
		comp := &warroom.Component{Name: "API"}
		if err := db.CreateComponent(actx, comp); err != nil {
			t.Fatal(err)
		}
		mon := &warroom.Monitor{ServiceID: svc.ID, Name: "nightly backup", Kind: warroom.MonitorHeartbeat, PeriodSeconds: 3600, GraceSeconds: 600}
		if err := db.CreateMonitor(actx, mon); err != nil {
			t.Fatal(err)
		}
		integ := &warroom.Integration{ServiceID: svc.ID, Name: "pd", Kind: warroom.IntegrationPagerDuty}
		if err := db.CreateIntegration(actx, integ); err != nil {
			t.Fatal(err)
		}
		tmpl := &warroom.PostmortemTemplate{Name: "Security", Summary: "Attack vector:"}
		if err := db.CreatePostmortemTemplate(actx, tmpl); err != nil {
			t.Fatal(err)
		}
		sop := &warroom.SOPTemplate{Name: "Database failover", Tasks: []string{"Promote the replica"}}
		if err := db.CreateSOPTemplate(actx, sop); err != nil {
			t.Fatal(err)
		}
		rule := &warroom.RoutingRule{ServiceID: svc.ID, Name: "page the DBA"}
		if err := db.CreateRoutingRule(actx, rule); err != nil {
			t.Fatal(err)
		}
		mw := &warroom.MaintenanceWindow{ServiceID: svc.ID, StartsAt: time.Now().Add(-time.Hour), EndsAt: time.Now().Add(2 * time.Hour), Reason: "disk swap"}
		if err := db.CreateMaintenanceWindow(actx, mw); err != nil {
			t.Fatal(err)
		}
		mt := &warroom.Maintenance{Title: "Database upgrade", StartsAt: time.Now().Add(time.Hour), EndsAt: time.Now().Add(3 * time.Hour)}
		if err := db.CreateMaintenance(actx, mt); err != nil {
			t.Fatal(err)
		}
		freeze := &warroom.FreezeWindow{Name: "Double 11", StartsAt: time.Now().Add(time.Hour), EndsAt: time.Now().Add(48 * time.Hour)}
		if err := db.CreateFreezeWindow(actx, freeze); err != nil {
			t.Fatal(err)
		}
		tok, _, err := db.CreateToken(warroom.NewContextWithUser(ctx, other), other.ID, "ci", nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.SetApprovalSettings(actx, &warroom.ApprovalSettings{Required: warroom.ApprovalOps}); err != nil {
			t.Fatal(err)
		}

		ops := []struct {
			op     warroom.ApprovalOp
			params any
			direct func() error
			gone   func() bool
		}{
			{warroom.OpComponentDelete, warroom.ObjectParams{ID: comp.ID}, func() error { return db.DeleteComponent(actx, comp.ID) }, func() bool {
				cs, _ := db.FindComponents(ctx)
				return len(cs) == 0
			}},
			{warroom.OpMonitorDelete, warroom.ObjectParams{ID: mon.ID}, func() error { return db.DeleteMonitor(actx, mon.ID) }, func() bool {
				_, err := db.FindMonitorByID(ctx, mon.ID)
				return warroom.ErrorCode(err) == warroom.ENOTFOUND
			}},
			{warroom.OpIntegrationRevoke, warroom.ObjectParams{ID: integ.ID}, func() error { _, err := db.RevokeIntegration(actx, integ.ID); return err }, func() bool {
				i, _ := db.FindIntegrationByID(ctx, integ.ID)
				return i != nil && !i.Active()
			}},
			{warroom.OpPostmortemTemplateDelete, warroom.ObjectParams{ID: tmpl.ID}, func() error { return db.DeletePostmortemTemplate(actx, tmpl.ID) }, func() bool {
				_, err := db.FindPostmortemTemplateByID(ctx, tmpl.ID)
				return warroom.ErrorCode(err) == warroom.ENOTFOUND
			}},
			{warroom.OpSOPTemplateDelete, warroom.ObjectParams{ID: sop.ID}, func() error { return db.DeleteSOPTemplate(actx, sop.ID) }, func() bool {
				_, err := db.FindSOPTemplateByID(ctx, sop.ID)
				return warroom.ErrorCode(err) == warroom.ENOTFOUND
			}},
			{warroom.OpRoutingRuleDelete, warroom.ObjectParams{ID: rule.ID}, func() error { return db.DeleteRoutingRule(actx, rule.ID) }, func() bool {
				rs, _ := db.FindRoutingRules(ctx, svc.ID)
				return len(rs) == 0
			}},
			{warroom.OpFreezeDelete, warroom.ObjectParams{ID: freeze.ID}, func() error { return db.DeleteFreezeWindow(actx, freeze.ID) }, func() bool {
				fs, _ := db.FindFreezeWindows(ctx, warroom.FreezeFilter{})
				return len(fs) == 0
			}},
			{warroom.OpMaintenanceWindowEnd, warroom.ObjectParams{ID: mw.ID}, func() error { _, err := db.EndMaintenanceWindow(actx, mw.ID); return err }, func() bool {
				soon := time.Now().Add(time.Minute)
				ws, _, _ := db.FindMaintenanceWindows(ctx, warroom.MaintenanceFilter{ServiceID: &svc.ID, EndedAfter: &soon})
				return len(ws) == 0
			}},
			{warroom.OpMaintenanceCancel, warroom.ObjectParams{ID: mt.ID}, func() error { return db.CancelMaintenance(actx, mt.ID) }, func() bool {
				ms, _ := db.FindMaintenances(ctx, time.Time{})
				return len(ms) == 0
			}},
			{warroom.OpTokenRevokeOther, warroom.RevokeTokenParams{UserID: other.ID, TokenID: tok.ID}, func() error { return db.RevokeToken(actx, other.ID, tok.ID) }, func() bool {
				ts, _ := db.FindTokens(ctx, other.ID)
				for _, x := range ts {
					if x.ID == tok.ID {
						return x.RevokedAt != nil
					}
				}
				return false
			}},
		}
		for _, o := range ops {
			t.Run(string(o.op), func(t *testing.T) {
				before := auditTotal(t, db)
				if err := o.direct(); warroom.ErrorCode(err) != warroom.ECONFLICT {
					t.Fatalf("direct: %v, want ECONFLICT", err)
				}
				if o.gone() {
					t.Fatalf("refused, but done anyway")
				}
				if got := auditTotal(t, db); got != before {
					t.Errorf("refused, but %d audit entries written", got-before)
				}
				params, _ := json.Marshal(o.params)
				a, err := db.RequestApproval(actx, o.op, params, "cleanup")
				if err != nil {
					t.Fatal(err)
				}
				if _, err := db.Approve(actx, a.ID); warroom.ErrorCode(err) != warroom.EFORBIDDEN {
					t.Errorf("self-approval: %v, want EFORBIDDEN", err)
				}
				if a, err = db.Approve(bctx, a.ID); err != nil || a.State != warroom.ApprovalExecuted {
					t.Fatalf("approve: %+v, %v", a, err)
				}
				if !o.gone() {
					t.Errorf("approved, but not done")
				}
			})
		}
		t.Run("OwnToken", func(t *testing.T) {
			octx := warroom.NewContextWithUser(ctx, other)
			own, _, err := db.CreateToken(octx, other.ID, "laptop", nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := db.RevokeToken(octx, other.ID, own.ID); err != nil {
				t.Errorf("revoking one's own token: %v, want no approval needed", err)
			}
		})
		t.Run("UnknownObject", func(t *testing.T) {
			if _, err := db.RequestApproval(actx, warroom.OpMonitorDelete, json.RawMessage(`{"id":999999}`), ""); warroom.ErrorField(err) != "params" {
				t.Errorf("request for a missing monitor: %v, want a params error", err)
			}
		})
	})
}

func auditTotal(t *testing.T, db *store.DB) int {
	t.Helper()
	_, n, err := db.FindAuditEntries(context.Background(), warroom.AuditFilter{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	return n
}
