package api_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/api"
	"github.com/warroomhq/warroom/internal/server"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

func TestServices(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		h := newHarness(t, engine)
		var s warroom.Service
		h.ok(h.adminToken, "POST", "/api/v1/services", map[string]any{"name": "checkout", "description": "cart to order", "team": "shop", "tier": 1}, http.StatusCreated, &s)
		h.ok(h.adminToken, "POST", "/api/v1/services", map[string]any{"name": "search", "team": "discovery", "tier": 3}, http.StatusCreated, nil)
		for _, ref := range []string{fmt.Sprint(s.ID), "checkout"} {
			var got warroom.Service
			h.ok(h.viewerToken, "GET", "/api/v1/services/"+ref, nil, http.StatusOK, &got)
			if got.ID != s.ID || got.Team != "shop" {
				t.Errorf("GET %s = %+v", ref, got)
			}
		}
		h.fail(h.viewerToken, "GET", "/api/v1/services/nope", nil, http.StatusNotFound, "")
		h.fail(h.adminToken, "POST", "/api/v1/services", map[string]any{"name": "checkout", "tier": 2}, http.StatusConflict, "")
		h.fail(h.adminToken, "POST", "/api/v1/services", map[string]any{"name": "Bad Name", "tier": 2}, http.StatusUnprocessableEntity, "name")
		h.fail(h.adminToken, "POST", "/api/v1/services", map[string]any{"name": "ok", "tier": 9}, http.StatusUnprocessableEntity, "tier")

		var got warroom.Service
		h.ok(h.adminToken, "PATCH", "/api/v1/services/checkout", map[string]any{"tier": 2}, http.StatusOK, &got)
		if got.Tier != 2 || got.Name != "checkout" {
			t.Errorf("after PATCH = %+v", got)
		}
		var p page[*warroom.Service]
		h.ok(h.viewerToken, "GET", "/api/v1/services?team=discovery", nil, http.StatusOK, &p)
		if p.Total != 1 || p.Services[0].Name != "search" {
			t.Errorf("team filter = %d %+v", p.Total, p.Services)
		}
		h.ok(h.viewerToken, "GET", "/api/v1/services?limit=1", nil, http.StatusOK, &p)
		if p.Total != 2 || len(p.Services) != 1 || p.Services[0].Name != "checkout" {
			t.Errorf("page = %d %d", p.Total, len(p.Services))
		}
	})
}

func TestSeverityPolicy(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		h := newHarness(t, engine)
		var m warroom.SeverityMatrix
		h.ok(h.viewerToken, "GET", "/api/v1/severity-matrix", nil, http.StatusOK, &m)
		if m.Default != warroom.P4 || len(m.Rules) == 0 {
			t.Fatalf("default matrix = %+v", m)
		}

		var p warroom.Proposal
		h.ok(h.viewerToken, "POST", "/api/v1/severity/propose", map[string]any{"impact": map[string]any{"users_affected": 2000}, "open_for_seconds": 3 * 3600}, http.StatusOK, &p)
		if p.Severity != warroom.P1 || !strings.Contains(p.Reason, "significant user impact") {
			t.Errorf("proposal = %+v, want P2 escalated to P1 after 3h", p)
		}

		custom := map[string]any{"default": "P3", "rules": []any{map[string]any{"name": "any orders", "severity": "P0", "min_orders_affected": 1}}, "escalators": []any{}}
		h.ok(h.adminToken, "PUT", "/api/v1/severity-matrix", custom, http.StatusOK, &m)
		if m.Default != warroom.P3 || len(m.Rules) != 1 {
			t.Errorf("stored matrix = %+v", m)
		}
		h.ok(h.viewerToken, "POST", "/api/v1/severity/propose", map[string]any{"impact": map[string]any{"orders_affected": 1}}, http.StatusOK, &p)
		if p.Severity != warroom.P0 {
			t.Errorf("proposal under the new matrix = %+v, want P0", p)
		}
		bad := map[string]any{"default": "P3", "rules": []any{map[string]any{"name": "nothing", "severity": "P1"}}}
		h.fail(h.adminToken, "PUT", "/api/v1/severity-matrix", bad, http.StatusUnprocessableEntity, "rules[0]")
		h.fail(h.viewerToken, "POST", "/api/v1/severity/propose", map[string]any{"impact": map[string]any{"users_affected": -1}}, http.StatusUnprocessableEntity, "impact.users_affected")

		var ps struct{ Policies []warroom.SLAPolicy }
		h.ok(h.viewerToken, "GET", "/api/v1/sla-policies", nil, http.StatusOK, &ps)
		if len(ps.Policies) != 5 {
			t.Fatalf("policies = %d, want 5", len(ps.Policies))
		}
		ps.Policies[0].AckTargetSeconds = 60
		h.ok(h.adminToken, "PUT", "/api/v1/sla-policies", ps, http.StatusOK, &ps)
		if ps.Policies[0].Severity != warroom.P0 || ps.Policies[0].AckTargetSeconds != 60 {
			t.Errorf("stored P0 policy = %+v", ps.Policies[0])
		}
		h.fail(h.adminToken, "PUT", "/api/v1/sla-policies", map[string]any{"policies": ps.Policies[:4]}, http.StatusUnprocessableEntity, "policies")
	})
}

func TestSOPTemplates(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		h := newHarness(t, engine)
		var tpl warroom.SOPTemplate
		h.ok(h.adminToken, "POST", "/api/v1/sop-templates", map[string]any{"name": "P0 crash", "severities": []string{"P0"}, "types": []string{"system_crash"}, "tasks": []string{"Page the commander", "Open a bridge"}}, http.StatusCreated, &tpl)
		if tpl.ID == 0 || len(tpl.Tasks) != 2 {
			t.Fatalf("created = %+v", tpl)
		}
		path := fmt.Sprintf("/api/v1/sop-templates/%d", tpl.ID)
		h.ok(h.adminToken, "PUT", path, map[string]any{"name": "P0 crash", "severities": []string{"P0"}, "tasks": []string{"Page the commander", "Open a bridge", "Notify PR"}}, http.StatusOK, &tpl)
		if len(tpl.Tasks) != 3 || len(tpl.Types) != 0 {
			t.Errorf("replaced = %+v", tpl)
		}
		var list struct{ Templates []*warroom.SOPTemplate }
		h.ok(h.viewerToken, "GET", "/api/v1/sop-templates", nil, http.StatusOK, &list)
		if len(list.Templates) != 1 {
			t.Errorf("templates = %d, want 1", len(list.Templates))
		}
		h.fail(h.adminToken, "POST", "/api/v1/sop-templates", map[string]any{"name": "x", "severities": []string{"P8"}, "tasks": []string{"a"}}, http.StatusUnprocessableEntity, "severities[0]")

		// A P0 incident gets the template's tasks.
		inc := h.declare(map[string]any{"title": "Everything down", "type": "network_failure", "impact": map[string]any{"users_affected": 500000}})
		if len(inc.Tasks) != 3 || inc.Tasks[2].Title != "Notify PR" {
			t.Errorf("tasks on a P0 = %+v, want the SOP's three", inc.Tasks)
		}

		h.ok(h.adminToken, "DELETE", path, nil, http.StatusNoContent, nil)
		h.fail(h.viewerToken, "GET", path, nil, http.StatusNotFound, "")
	})
}

func TestIncidentRoles(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		h := newHarness(t, engine)
		var r warroom.IncidentRole
		h.ok(h.adminToken, "POST", "/api/v1/incident-roles", map[string]any{"name": "legal", "description": "Legal and compliance"}, http.StatusCreated, &r)
		if r.Name != "legal" || r.Builtin {
			t.Errorf("created = %+v", r)
		}
		var list struct{ Roles []*warroom.IncidentRole }
		h.ok(h.viewerToken, "GET", "/api/v1/incident-roles", nil, http.StatusOK, &list)
		if len(list.Roles) != 4 || !list.Roles[0].Builtin {
			t.Errorf("roles = %+v, want three built-in first and legal", list.Roles)
		}
		h.fail(h.adminToken, "POST", "/api/v1/incident-roles", map[string]any{"name": "legal"}, http.StatusConflict, "")
		h.fail(h.adminToken, "POST", "/api/v1/incident-roles", map[string]any{"name": "Legal Team"}, http.StatusUnprocessableEntity, "name")
		h.fail(h.adminToken, "DELETE", "/api/v1/incident-roles/commander", nil, http.StatusConflict, "")
		h.ok(h.adminToken, "DELETE", "/api/v1/incident-roles/legal", nil, http.StatusNoContent, nil)
		h.fail(h.adminToken, "DELETE", "/api/v1/incident-roles/legal", nil, http.StatusNotFound, "")
	})
}

func TestUsers(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		h := newHarness(t, engine)
		var me warroom.User
		h.ok(h.responderToken, "GET", "/api/v1/me", nil, http.StatusOK, &me)
		if me.ID != h.responder.ID || me.Role != warroom.UserRoleResponder {
			t.Errorf("me = %+v", me)
		}

		var before page[*warroom.User]
		h.ok(h.viewerToken, "GET", "/api/v1/users", nil, http.StatusOK, &before)
		h.fail(h.adminToken, "POST", "/api/v1/users", map[string]any{"name": "Li Lei", "email": "li@example.com", "role": "responder", "password": "short"}, http.StatusUnprocessableEntity, "password")
		h.fail(h.adminToken, "POST", "/api/v1/users", map[string]any{"name": "Li Lei", "email": "not an address", "role": "responder"}, http.StatusUnprocessableEntity, "email")
		h.fail(h.adminToken, "POST", "/api/v1/users", map[string]any{"name": "Li Lei", "email": "li@example.com", "role": "god"}, http.StatusUnprocessableEntity, "role")
		var after page[*warroom.User]
		h.ok(h.viewerToken, "GET", "/api/v1/users", nil, http.StatusOK, &after)
		if after.Total != before.Total {
			t.Errorf("users = %d after refused creations, was %d", after.Total, before.Total)
		}

		var u warroom.User
		h.ok(h.adminToken, "POST", "/api/v1/users", map[string]any{"name": "Li Lei", "email": "Li@Example.com", "role": "responder", "locale": "zh-CN", "time_zone": "Asia/Shanghai", "password": "correct horse battery"}, http.StatusCreated, &u)
		if u.ID == 0 || u.Email != "li@example.com" || u.Locale != "zh-CN" || !u.Active {
			t.Errorf("created = %+v", u)
		}
		if _, err := h.db.AuthenticatePassword(context.Background(), "li@example.com", "correct horse battery"); err != nil {
			t.Errorf("password not set: %v", err)
		}
		h.fail(h.adminToken, "POST", "/api/v1/users", map[string]any{"name": "Again", "email": "li@example.com", "role": "viewer"}, http.StatusConflict, "")

		var got warroom.User
		h.ok(h.adminToken, "PATCH", fmt.Sprintf("/api/v1/users/%d", u.ID), map[string]any{"active": false}, http.StatusOK, &got)
		if got.Active {
			t.Errorf("still active after deactivation")
		}
		h.ok(h.viewerToken, "GET", fmt.Sprintf("/api/v1/users/%d", u.ID), nil, http.StatusOK, &got)
		h.ok(h.viewerToken, "GET", "/api/v1/users?active=false", nil, http.StatusOK, &after)
		if after.Total != 1 || after.Users[0].ID != u.ID {
			t.Errorf("inactive users = %d", after.Total)
		}
		h.fail(h.viewerToken, "GET", "/api/v1/users/0", nil, http.StatusNotFound, "")
		h.fail(h.viewerToken, "GET", "/api/v1/users?active=sometimes", nil, http.StatusBadRequest, "active")
	})
}

func TestAudit(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		h := newHarness(t, engine)
		inc := h.declare(map[string]any{"title": "Audited", "type": "other"})
		var p page[*warroom.AuditEntry]
		h.ok(h.adminToken, "GET", "/api/v1/audit?action=incident.declare", nil, http.StatusOK, &p)
		if p.Total != 1 || p.Entries[0].ActorID != h.responder.ID || p.Entries[0].TargetID != fmt.Sprint(inc.ID) {
			t.Fatalf("declare entries = %d %+v", p.Total, p.Entries)
		}
		if p.Entries[0].SourceIP != "127.0.0.1" {
			t.Errorf("source_ip = %q, want the client address", p.Entries[0].SourceIP)
		}
		h.ok(h.adminToken, "GET", fmt.Sprintf("/api/v1/audit?actor_id=%d&limit=1", h.responder.ID), nil, http.StatusOK, &p)
		if p.Total < 1 || len(p.Entries) != 1 {
			t.Errorf("actor filter = %d", p.Total)
		}
		h.fail(h.adminToken, "GET", "/api/v1/audit?actor_id=me", nil, http.StatusBadRequest, "actor_id")
	})
}

func TestHealth(t *testing.T) {
	h := newHarness(t, "sqlite")
	for _, path := range []string{"/healthz", "/readyz"} {
		var s struct{ Status string }
		h.ok("", "GET", path, nil, http.StatusOK, &s)
		if s.Status != "ok" {
			t.Errorf("%s status = %q", path, s.Status)
		}
	}
	var doc struct{ OpenAPI string }
	h.ok(h.viewerToken, "GET", "/api/v1/openapi.json", nil, http.StatusOK, &doc)
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Errorf("openapi = %q", doc.OpenAPI)
	}

	t.Run("NotReady", func(t *testing.T) {
		d := deps(h.db, slog.New(slog.NewTextHandler(io.Discard, nil)))
		d.Ready = func(context.Context) error { return errors.New("database is gone") }
		ts := httptest.NewServer(server.WithMiddleware(api.New(d), nil))
		defer ts.Close()
		resp, err := http.Get(ts.URL + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(b), `"unavailable"`) || strings.Contains(string(b), "gone") {
			t.Errorf("readyz = %d %s, want 503 unavailable without detail", resp.StatusCode, b)
		}
		resp, err = http.Get(ts.URL + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("healthz while not ready = %d, want 200", resp.StatusCode)
		}
	})
}
