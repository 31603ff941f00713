package ui_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

// TestAdminPages renders the audit, approvals and token pages in both
// languages and drives the two-person rule and a token through them.
func TestAdminPages(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		for _, tt := range []struct{ locale, intact, approve, tokens string }{
			{"en", "Hash chain intact", "Approve and run", "Copy the token now"},
			{"zh-CN", "哈希链完整", "批准并执行", "请立即复制令牌"},
		} {
			t.Run(tt.locale, func(t *testing.T) {
				requester, rctx := e.user(t, warroom.UserRoleAdmin, tt.locale)
				approver, _ := e.user(t, warroom.UserRoleAdmin, tt.locale)
				victim, _ := e.user(t, warroom.UserRoleAdmin, tt.locale)
				if err := e.db.SetApprovalSettings(rctx, &warroom.ApprovalSettings{Required: []warroom.ApprovalOp{warroom.OpUserRemoveAdmin}}); err != nil {
					t.Fatal(err)
				}
				a, err := e.db.RequestApproval(rctx, warroom.OpUserRemoveAdmin, json.RawMessage(`{"user_id":`+strconv.FormatInt(victim.ID, 10)+`,"active":false}`), `<script>alert(1)</script>`)
				if err != nil {
					t.Fatal(err)
				}

				c := e.client(t)
				c.login(requester.Email)
				res, body := c.get("/admin/audit?action=" + url.QueryEscape("user.create' OR '1'='1"))
				wantStatus(t, res, body, http.StatusOK)
				if !strings.Contains(body, tt.intact) {
					t.Errorf("audit page without the chain state")
				}
				res, body = c.get("/admin/approvals")
				wantStatus(t, res, body, http.StatusOK)
				if strings.Contains(body, "<script>alert(1)") || strings.Contains(body, "/approvals/"+strconv.FormatInt(a.ID, 10)+"/approve") {
					t.Errorf("approvals page: live markup or an approve button for the requester")
				}
				id := strconv.FormatInt(a.ID, 10)
				res, body = c.post("/admin/approvals/"+id+"/approve", nil)
				wantStatus(t, res, body, http.StatusForbidden)

				c2 := e.client(t)
				c2.login(approver.Email)
				res, body = c2.get("/admin/approvals")
				wantStatus(t, res, body, http.StatusOK)
				if !strings.Contains(body, tt.approve) {
					t.Errorf("approver sees no approve button")
				}
				res, body = c2.post("/admin/approvals/"+id+"/approve", url.Values{"csrf_token": {"forged"}})
				wantStatus(t, res, body, http.StatusForbidden)
				res, body = c2.post("/admin/approvals/"+id+"/approve", nil)
				wantStatus(t, res, body, http.StatusSeeOther)
				if u, _ := e.db.FindUserByID(rctx, victim.ID); u.Active {
					t.Error("the approved removal did not run")
				}
				c2.get("/admin/approvals")
				res, body = c2.post("/admin/approvals/"+id+"/approve", nil)
				wantStatus(t, res, body, http.StatusConflict)

				res, body = c.get("/profile/tokens")
				wantStatus(t, res, body, http.StatusOK)
				res, body = c.post("/profile/tokens", url.Values{"name": {`<img src=x onerror=alert(1)>`}, "scope": {"read"}, "days": {"30"}})
				wantStatus(t, res, body, http.StatusCreated)
				if !strings.Contains(body, tt.tokens) || !strings.Contains(body, warroom.TokenPrefix) || strings.Contains(body, "<img src=x") {
					t.Errorf("token page: secret missing or markup live")
				}
				if res.Header.Get("Cache-Control") != "no-store" {
					t.Errorf("the page with the secret may be cached")
				}
			})
		}
	})
}
