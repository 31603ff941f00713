package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

// issueToken issues a token of scopes for u straight in the store, as an
// admin would, for the tests that need a narrow token on a wide role.
func (h *harness) issueToken(u *warroom.User, scopes ...warroom.TokenScope) string {
	h.t.Helper()
	_, secret, err := h.db.IssueToken(context.Background(), u.ID, warroom.TokenInput{Name: "scoped", Scopes: scopes})
	if err != nil {
		h.t.Fatal(err)
	}
	return secret
}

// TestTokenCeiling: a token never mints one wider than itself, nor than
// its owner's role, by any default or kind.
func TestTokenCeiling(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		h := newHarness(t, engine)
		own := fmt.Sprintf("/api/v1/users/%d/tokens", h.admin.ID)
		read := h.issueToken(h.admin, warroom.ScopeRead)
		for _, scopes := range [][]string{{"read", "write", "admin"}, {"admin"}, {"write"}, {"ingest"}} {
			h.fail(read, "POST", own, map[string]any{"name": "wider", "scopes": scopes}, http.StatusForbidden, "scopes")
		}
		h.fail(read, "POST", own, map[string]any{"name": "svc", "kind": "service", "scopes": []string{"read"}, "expires_at": time.Now().Add(time.Hour)}, http.StatusForbidden, "kind")
		var created struct{ Token warroom.Token }
		h.ok(read, "POST", own, map[string]any{"name": "default"}, http.StatusCreated, &created)
		if got := created.Token.Scopes; len(got) != 1 || got[0] != warroom.ScopeRead {
			t.Errorf("a read token minted a token with default scopes %v, want [read]", got)
		}

		// A responder's role has no admin: neither asked for nor by default.
		rOwn := fmt.Sprintf("/api/v1/users/%d/tokens", h.responder.ID)
		h.fail(h.responderToken, "POST", rOwn, map[string]any{"name": "admin", "scopes": []string{"read", "admin"}}, http.StatusForbidden, "scopes")
		h.ok(h.responderToken, "POST", rOwn, map[string]any{"name": "default"}, http.StatusCreated, &created)
		for _, s := range created.Token.Scopes {
			if s == warroom.ScopeAdmin {
				t.Errorf("a responder's default token has scopes %v", created.Token.Scopes)
			}
		}
		// Nor can an admin hand the responder an admin scope.
		h.fail(h.adminToken, "POST", rOwn, map[string]any{"name": "admin", "scopes": []string{"admin"}}, http.StatusForbidden, "scopes")
		// The store holds the ceiling for every path, the UI's included.
		if _, _, err := h.db.IssueToken(context.Background(), h.viewer.ID, warroom.TokenInput{Name: "w", Scopes: []warroom.TokenScope{warroom.ScopeWrite}}); warroom.ErrorCode(err) != warroom.EFORBIDDEN {
			t.Errorf("store: a viewer's write token: %v, want forbidden", err)
		}
		h.ok(h.adminToken, "POST", rOwn, map[string]any{"name": "ok", "scopes": []string{"read", "write"}}, http.StatusCreated, nil)
	})
}

// TestOwnRoutesNeedAdminScope: another user's tokens, contact methods and
// notification rules need admin from the token as well as the role.
func TestOwnRoutesNeedAdminScope(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		h := newHarness(t, engine)
		victim, _, _ := storetest.User(t, h.db, warroom.UserRoleResponder)
		vtok, _, err := h.db.IssueToken(context.Background(), victim.ID, warroom.TokenInput{Name: "victim"})
		if err != nil {
			t.Fatal(err)
		}
		readAdmin := h.issueToken(h.admin, warroom.ScopeRead)
		writeAdmin := h.issueToken(h.admin, warroom.ScopeRead, warroom.ScopeWrite)
		base := fmt.Sprintf("/api/v1/users/%d", victim.ID)
		audit := h.auditTotal()
		for _, tok := range []string{readAdmin, writeAdmin, h.responderToken} {
			h.fail(tok, "DELETE", fmt.Sprintf("%s/tokens/%d", base, vtok.ID), nil, http.StatusForbidden, "")
			h.fail(tok, "GET", base+"/tokens", nil, http.StatusForbidden, "")
			h.fail(tok, "POST", base+"/tokens", map[string]any{"name": "mine now"}, http.StatusForbidden, "")
			h.fail(tok, "GET", base+"/contact-methods", nil, http.StatusForbidden, "")
			h.fail(tok, "POST", base+"/contact-methods", map[string]any{"type": "email", "name": "x", "address": "x@example.com"}, http.StatusForbidden, "")
			h.fail(tok, "GET", base+"/notification-rules", nil, http.StatusForbidden, "")
			h.fail(tok, "POST", base+"/notification-rules", map[string]any{}, http.StatusForbidden, "")
		}
		if got := h.auditTotal(); got != audit {
			t.Errorf("audit entries = %d, was %d: a refused request changed something", got, audit)
		}
		// The read-scoped admin token still manages its own.
		h.ok(readAdmin, "GET", fmt.Sprintf("/api/v1/users/%d/tokens", h.admin.ID), nil, http.StatusOK, nil)
		h.ok(h.adminToken, "GET", base+"/tokens", nil, http.StatusOK, nil)
		h.ok(h.adminToken, "DELETE", fmt.Sprintf("%s/tokens/%d", base, vtok.ID), nil, http.StatusNoContent, nil)
	})
}

// startedChange walks a change of service svc to in progress.
func (h *harness) startedChange(svc int64) *warroom.Change {
	h.t.Helper()
	var c warroom.Change
	h.ok(h.responderToken, "POST", "/api/v1/changes", map[string]any{
		"kind": "deploy", "title": "Release", "service_ids": []int64{svc},
		"evidence": map[string]any{"test_report": "https://ci.example.com/9", "rollback_plan": "helm rollback"},
	}, http.StatusCreated, &c)
	base := "/api/v1/changes/" + c.Number
	h.ok(h.responderToken, "POST", base+"/submit", nil, http.StatusOK, &c)
	h.ok(h.adminToken, "POST", base+"/approve", map[string]any{"comment": "ok"}, http.StatusOK, &c)
	h.ok(h.responderToken, "POST", base+"/start", nil, http.StatusOK, &c)
	return &c
}

// TestContractorObjectGrants: an incident being granted does not make a
// change of another service reachable through it, in the path or the body.
func TestContractorObjectGrants(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		h := newHarness(t, engine)
		actx := warroom.NewContextWithUser(context.Background(), h.admin)
		granted := &warroom.Service{Name: "granted", Tier: 2}
		other := &warroom.Service{Name: "other", Tier: 2}
		for _, s := range []*warroom.Service{granted, other} {
			if err := h.db.CreateService(actx, s); err != nil {
				t.Fatal(err)
			}
		}
		c, _, tok := storetest.User(t, h.db, warroom.UserRoleContractor)
		if err := h.db.GrantService(actx, c.ID, granted.ID); err != nil {
			t.Fatal(err)
		}
		inc := h.declare(map[string]any{"title": "Mine", "type": "other", "service_ids": []int64{granted.ID}})
		ib := fmt.Sprintf("/api/v1/incidents/%d", inc.ID)
		theirs := h.startedChange(other.ID)
		mine := h.startedChange(granted.ID)

		h.fail(tok, "GET", "/api/v1/changes/"+theirs.Number, nil, http.StatusForbidden, "")
		r := h.do(tok, "POST", ib+"/suspected-causes", map[string]any{"change_id": theirs.ID})
		if r.status != http.StatusNotFound || strings.Contains(string(r.body), theirs.Title) && strings.Contains(string(r.body), "service_ids") {
			t.Errorf("link another service's change: %d %s, want 404 revealing nothing", r.status, r.body)
		}
		h.fail(tok, "POST", fmt.Sprintf("%s/changes/%s/rollback", ib, theirs.Number), map[string]any{"comment": "x"}, http.StatusNotFound, "")
		h.fail(tok, "DELETE", fmt.Sprintf("%s/suspected-causes/%s", ib, theirs.Number), nil, http.StatusNotFound, "")
		got, err := h.db.FindChangeByID(actx, theirs.ID)
		if err != nil {
			t.Fatal(err)
		} else if got.State != warroom.ChangeInProgress {
			t.Errorf("the ungranted change is %s, want still in progress", got.State)
		}
		h.fail(tok, "PATCH", ib, map[string]any{"service_ids": []int64{granted.ID, other.ID}}, http.StatusForbidden, "service_ids")

		var comp warroom.Component
		h.ok(h.adminToken, "POST", "/api/v1/components", map[string]any{"name": "Billing API", "service_id": other.ID}, http.StatusCreated, &comp)
		h.fail(tok, "POST", ib+"/status-updates", map[string]any{"what_happened": "x", "components": []map[string]any{{"component_id": comp.ID, "status": "major_outage"}}}, http.StatusForbidden, "components")

		// People named on the incident must be able to see it.
		outsider, _, _ := storetest.User(t, h.db, warroom.UserRoleContractor)
		if err := h.db.GrantService(actx, outsider.ID, other.ID); err != nil {
			t.Fatal(err)
		}
		for _, uid := range []int64{outsider.ID, 999999} {
			h.fail(tok, "POST", ib+"/roles", map[string]any{"role": "scribe", "user_id": uid}, http.StatusNotFound, "user_id")
			h.fail(tok, "POST", ib+"/tasks", map[string]any{"title": "x", "assignee_id": uid}, http.StatusNotFound, "assignee_id")
		}
		h.ok(tok, "POST", ib+"/roles", map[string]any{"role": "scribe", "user_id": c.ID}, http.StatusCreated, nil)
		h.ok(tok, "POST", ib+"/tasks", map[string]any{"title": "x", "assignee_id": h.responder.ID}, http.StatusCreated, nil)

		// What is granted stays workable.
		h.ok(tok, "POST", ib+"/suspected-causes", map[string]any{"change_id": mine.ID}, http.StatusCreated, nil)
		h.ok(tok, "POST", fmt.Sprintf("%s/changes/%s/rollback", ib, mine.Number), map[string]any{"comment": "x"}, http.StatusOK, nil)
	})
}

// TestRefusalsAudited: a refused attempt leaves an entry naming who, what
// and why — a self-promotion, a self-approval, a guarded operation tried
// alone — and a flood of 401s leaves a bounded number.
func TestRefusalsAudited(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		h := newHarness(t, engine)
		type refusalData struct {
			Route, Reason, Code string
			Status              int
		}
		last := func() (*warroom.AuditEntry, refusalData) {
			t.Helper()
			es := h.refusals()
			if len(es) == 0 {
				t.Fatal("no refusal recorded")
			}
			var d refusalData
			if err := json.Unmarshal(es[0].Data, &d); err != nil {
				t.Fatal(err)
			}
			return es[0], d
		}
		h.fail(h.responderToken, "PATCH", fmt.Sprintf("/api/v1/users/%d", h.responder.ID), map[string]any{"role": "admin"}, http.StatusForbidden, "")
		if e, d := last(); e.ActorID != h.responder.ID || e.TargetID != "PATCH /api/v1/users/{id}" || d.Status != http.StatusForbidden || !strings.Contains(d.Reason, "admin") || e.SourceIP == "" {
			t.Errorf("self-promotion recorded as %+v %+v", e, d)
		}

		second, _, secondToken := storetest.User(t, h.db, warroom.UserRoleAdmin)
		h.ok(h.adminToken, "PUT", "/api/v1/approval-settings", map[string]any{"required": []string{"tokens.revoke_all", "approval.settings"}, "ttl_hours": 24}, http.StatusOK, nil)
		var a warroom.Approval
		h.ok(h.adminToken, "POST", "/api/v1/approvals", map[string]any{"op": "tokens.revoke_all", "params": map[string]any{"user_id": h.viewer.ID}, "reason": "left"}, http.StatusCreated, &a)
		h.fail(h.adminToken, "POST", fmt.Sprintf("/api/v1/approvals/%d/approve", a.ID), nil, http.StatusForbidden, "")
		if e, d := last(); e.ActorID != h.admin.ID || d.Route != "/api/v1/approvals/{id}/approve" || d.Status != http.StatusForbidden {
			t.Errorf("self-approval recorded as %+v %+v", e, d)
		}
		h.fail(secondToken, "PUT", "/api/v1/approval-settings", map[string]any{"required": []string{}, "ttl_hours": 24}, http.StatusConflict, "")
		if e, d := last(); e.ActorID != second.ID || d.Status != http.StatusConflict || d.Route != "/api/v1/approval-settings" {
			t.Errorf("policy loosening recorded as %+v %+v", e, d)
		}
		h.fail(secondToken, "POST", "/api/v1/tokens/revoke-all", map[string]any{"user_id": h.viewer.ID}, http.StatusConflict, "")
		if e, d := last(); e.ActorID != second.ID || d.Route != "/api/v1/tokens/revoke-all" {
			t.Errorf("two-person 409 recorded as %+v %+v", e, d)
		}
		// Other conflicts are not refusals.
		before := len(h.refusals())
		h.ok(h.adminToken, "POST", "/api/v1/services", map[string]any{"name": "dup", "tier": 1}, http.StatusCreated, nil)
		h.fail(h.adminToken, "POST", "/api/v1/services", map[string]any{"name": "dup", "tier": 1}, http.StatusConflict, "")
		if got := len(h.refusals()); got != before {
			t.Errorf("a duplicate name was recorded as a refusal (%d, was %d)", got, before)
		}

		before = len(h.refusals())
		for range 200 {
			h.fail("wr_guessing", "GET", "/api/v1/me", nil, http.StatusUnauthorized, "")
		}
		es := h.refusals()
		if n := len(es) - before; n < 1 || n > 20 {
			t.Errorf("200 unknown tokens from one address left %d entries, want 1 to 20", n)
		}
		if es[0].ActorID != 0 || es[0].TargetID != "GET /api/v1/me" {
			t.Errorf("401 recorded as %+v", es[0])
		}
	})
}
