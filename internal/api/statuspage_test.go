package api_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

func TestStatusPageAPI(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		h := newHarness(t, engine)
		var c warroom.Component
		h.ok(h.adminToken, "POST", "/api/v1/components", map[string]any{"name": "API", "group": "Core"}, http.StatusCreated, &c)
		h.fail(h.adminToken, "POST", "/api/v1/components", map[string]any{"name": "X", "status": "on_fire"}, http.StatusUnprocessableEntity, "status")
		var g warroom.StakeholderGroup
		h.ok(h.adminToken, "POST", "/api/v1/stakeholder-groups", map[string]any{"name": "PR",
			"channels": []map[string]any{{"kind": "email", "target": "pr@example.com", "locale": "zh-CN"}}}, http.StatusCreated, &g)
		h.ok(h.adminToken, "PUT", "/api/v1/scope-rules", map[string]any{"rules": []map[string]any{{"severity": "P0", "group_id": g.ID, "triggers": []string{"declare"}}}}, http.StatusOK, nil)
		h.fail(h.adminToken, "PUT", "/api/v1/scope-rules", map[string]any{"rules": []map[string]any{{"group_id": g.ID, "triggers": []string{"declare"}}}}, http.StatusUnprocessableEntity, "rules[0]")

		inc := h.declare(map[string]any{"title": "Checkout down", "type": "system_crash"})
		path := fmt.Sprintf("/api/v1/incidents/%d/status-updates", inc.ID)
		next := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
		var u warroom.StatusUpdate
		h.ok(h.responderToken, "POST", path, map[string]any{"audience": "public", "what_happened": "Payments fail", "public_status": "investigating",
			"public_title": "Payment errors", "next_update_by": next, "components": []map[string]any{{"component_id": c.ID, "status": "major_outage"}}}, http.StatusCreated, &u)
		if u.ID == 0 || u.NextUpdateBy == nil {
			t.Errorf("update = %+v", u)
		}
		h.fail(h.viewerToken, "POST", path, map[string]any{"what_happened": "x"}, http.StatusForbidden, "")
		h.fail(h.responderToken, "POST", path, map[string]any{"audience": "public", "what_happened": "x"}, http.StatusUnprocessableEntity, "public_status")
		var list struct {
			StatusUpdates []*warroom.StatusUpdate `json:"status_updates"`
		}
		h.ok(h.viewerToken, "GET", path, nil, http.StatusOK, &list)
		if len(list.StatusUpdates) != 1 {
			t.Errorf("updates = %d", len(list.StatusUpdates))
		}
		var comps struct{ Components []*warroom.Component }
		h.ok(h.viewerToken, "GET", "/api/v1/components", nil, http.StatusOK, &comps)
		if len(comps.Components) != 1 || comps.Components[0].Status != warroom.ComponentMajorOutage {
			t.Errorf("components = %+v", comps.Components)
		}
		var hook warroom.Subscriber
		h.ok(h.adminToken, "POST", "/api/v1/subscribers", map[string]any{"kind": "webhook", "target": "https://example.com/hook"}, http.StatusCreated, &hook)
		if hook.Secret == "" {
			t.Errorf("webhook subscriber created without its secret")
		}
		var subs struct{ Subscribers []map[string]any }
		h.ok(h.adminToken, "GET", "/api/v1/subscribers", nil, http.StatusOK, &subs)
		if len(subs.Subscribers) != 1 || subs.Subscribers[0]["secret"] != nil {
			t.Errorf("subscribers = %+v, want one without its secret", subs.Subscribers)
		}
		h.fail(h.responderToken, "GET", "/api/v1/subscribers", nil, http.StatusForbidden, "")
		start := time.Now().Add(24 * time.Hour).UTC()
		var m warroom.Maintenance
		h.ok(h.responderToken, "POST", "/api/v1/maintenances", map[string]any{"title": "DB upgrade", "starts_at": start.Format(time.RFC3339),
			"ends_at": start.Add(time.Hour).Format(time.RFC3339), "component_ids": []int64{c.ID}}, http.StatusCreated, &m)
		h.ok(h.responderToken, "POST", fmt.Sprintf("/api/v1/maintenances/%d/cancel", m.ID), nil, http.StatusNoContent, nil)
		h.fail(h.responderToken, "POST", fmt.Sprintf("/api/v1/maintenances/%d/cancel", m.ID), nil, http.StatusConflict, "")
		h.ok(h.adminToken, "PUT", "/api/v1/status-page", map[string]any{"name": "Acme status", "accent_color": "#ff0000"}, http.StatusOK, nil)
		h.fail(h.adminToken, "PUT", "/api/v1/status-page", map[string]any{"name": "Acme", "accent_color": "red;}"}, http.StatusUnprocessableEntity, "accent_color")
	})
}
