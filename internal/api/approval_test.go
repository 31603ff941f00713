package api_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

// TestTwoPersonRule: with the rule on, removing an admin waits for a second
// admin; the requester cannot approve; a replayed approval is refused; and
// loosening the rule is itself guarded.
func TestTwoPersonRule(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		h := newHarness(t, engine)
		other, _, otherToken := storetest.User(t, h.db, warroom.UserRoleAdmin)
		victim, _, _ := storetest.User(t, h.db, warroom.UserRoleAdmin)
		all := []string{"user.remove_admin", "tokens.revoke_all", "approval.settings"}
		h.ok(h.adminToken, "PUT", "/api/v1/approval-settings", map[string]any{"required": all}, http.StatusOK, nil)

		path := fmt.Sprintf("/api/v1/users/%d", victim.ID)
		audit := h.auditTotal()
		h.fail(h.adminToken, "PATCH", path, map[string]any{"active": false}, http.StatusConflict, "")
		h.fail(h.adminToken, "POST", "/api/v1/tokens/revoke-all", map[string]any{"all": true}, http.StatusConflict, "")
		h.fail(h.adminToken, "PUT", "/api/v1/approval-settings", map[string]any{"required": []string{}}, http.StatusConflict, "")
		if got := h.auditTotal(); got != audit {
			t.Errorf("audit entries = %d, was %d: a refused operation wrote something", got, audit)
		}

		var a warroom.Approval
		h.ok(h.adminToken, "POST", "/api/v1/approvals", map[string]any{
			"op": "user.remove_admin", "params": map[string]any{"user_id": victim.ID, "active": false}, "reason": "left the company",
		}, http.StatusCreated, &a)
		if a.State != warroom.ApprovalPending || a.RequestedBy != h.admin.ID {
			t.Fatalf("request = %+v", a)
		}
		var u warroom.User
		h.ok(h.adminToken, "GET", path, nil, http.StatusOK, &u)
		if !u.Active {
			t.Fatal("the admin was removed before approval")
		}
		approve := fmt.Sprintf("/api/v1/approvals/%d/approve", a.ID)
		h.fail(h.adminToken, "POST", approve, nil, http.StatusForbidden, "")
		h.fail(h.responderToken, "POST", approve, nil, http.StatusForbidden, "")
		h.ok(otherToken, "POST", approve, nil, http.StatusOK, &a)
		if a.State != warroom.ApprovalExecuted || a.DecidedBy != other.ID {
			t.Errorf("approved = %+v", a)
		}
		h.ok(h.adminToken, "GET", path, nil, http.StatusOK, &u)
		if u.Active {
			t.Error("the approved removal did not run")
		}
		audit = h.auditTotal()
		h.fail(otherToken, "POST", approve, nil, http.StatusConflict, "")
		h.fail(otherToken, "POST", fmt.Sprintf("/api/v1/approvals/%d/reject", a.ID), nil, http.StatusConflict, "")
		if got := h.auditTotal(); got != audit {
			t.Errorf("a replay wrote %d audit entries", got-audit)
		}
		h.fail(h.adminToken, "POST", "/api/v1/approvals", map[string]any{"op": "user.remove_admin", "params": map[string]any{"user_id": victim.ID, "bogus": 1}}, http.StatusUnprocessableEntity, "params")
		h.fail(h.adminToken, "POST", "/api/v1/approvals", map[string]any{"op": "drop.database", "params": map[string]any{}}, http.StatusUnprocessableEntity, "op")

		for _, action := range []warroom.AuditAction{warroom.AuditApprovalRequest, warroom.AuditApprovalApprove, warroom.AuditUserUpdate, warroom.AuditApprovalSettings} {
			var es page[*warroom.AuditEntry]
			h.ok(h.adminToken, "GET", "/api/v1/audit?action="+string(action), nil, http.StatusOK, &es)
			if es.Total == 0 {
				t.Errorf("no %s audit entry", action)
			}
		}
		var v warroom.AuditVerification
		h.ok(h.adminToken, "GET", "/api/v1/audit/verify", nil, http.StatusOK, &v)
		if !v.OK {
			t.Errorf("verify = %+v", v)
		}
	})
}

// TestAuditExport checks the JSON lines export and that filters with SQL
// metacharacters are data, not SQL.
func TestAuditExport(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		h := newHarness(t, engine)
		r := h.do(h.adminToken, "GET", "/api/v1/audit/export?action=token.create", nil)
		if r.status != http.StatusOK || r.header.Get("Content-Type") != "application/x-ndjson" {
			t.Fatalf("export: %d %q", r.status, r.header.Get("Content-Type"))
		}
		lines := 0
		for _, l := range splitLines(string(r.body)) {
			if l != "" {
				lines++
			}
		}
		if lines != 3 {
			t.Errorf("exported %d token.create lines, want 3: %s", lines, r.body)
		}
		for _, evil := range []string{"'; DROP TABLE audit_log; --", "x' OR '1'='1", `%' OR 1=1 --`} {
			var es page[*warroom.AuditEntry]
			h.ok(h.adminToken, "GET", "/api/v1/audit?action="+urlEscape(evil)+"&target_type="+urlEscape(evil), nil, http.StatusOK, &es)
			if es.Total != 0 {
				t.Errorf("%q matched %d entries", evil, es.Total)
			}
		}
		var v warroom.AuditVerification
		h.ok(h.adminToken, "GET", "/api/v1/audit/verify", nil, http.StatusOK, &v)
		if !v.OK || v.Entries == 0 {
			t.Errorf("verify after hostile filters = %+v", v)
		}
	})
}

func splitLines(s string) []string { return strings.Split(s, "\n") }

func urlEscape(s string) string { return url.QueryEscape(s) }
