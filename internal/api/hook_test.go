package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

// Webhook subscriptions over the API: created by an admin with the secret
// shown once, refused to a responder, bad input named by field, and the
// delivery log readable.
func TestWebhooks(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		h := newHarness(t, engine)
		body := map[string]any{"name": "ticket bridge", "url": "https://hooks.example.com/in?token=abc",
			"event_types": []string{"incident.declared"}, "severities": []string{"P0", "P1"}}
		h.fail(h.responderToken, "POST", "/api/v1/webhooks", body, http.StatusForbidden, "")
		h.fail(h.viewerToken, "GET", "/api/v1/webhooks", nil, http.StatusForbidden, "")

		var created warroom.HookSubscription
		h.ok(h.adminToken, "POST", "/api/v1/webhooks", body, http.StatusCreated, &created)
		if !strings.HasPrefix(created.Secret, "whsec_") || !created.Active || len(created.Severities) != 2 {
			t.Fatalf("created %+v", created)
		}
		var listed struct{ Webhooks []warroom.HookSubscription }
		h.ok(h.adminToken, "GET", "/api/v1/webhooks", nil, http.StatusOK, &listed)
		if len(listed.Webhooks) != 1 || listed.Webhooks[0].Secret != "" {
			t.Fatalf("listed %+v", listed)
		}

		h.fail(h.adminToken, "POST", "/api/v1/webhooks", map[string]any{"name": "x", "url": "https://x.example.com", "event_types": []string{"incident.gone"}},
			http.StatusUnprocessableEntity, "event_types[0]")
		h.fail(h.adminToken, "POST", "/api/v1/webhooks", map[string]any{"name": "x", "url": "https://x.example.com", "colour": "red"},
			http.StatusBadRequest, "")
		h.fail(h.adminToken, "PATCH", fmt.Sprintf("/api/v1/webhooks/%d", created.ID), map[string]any{"severities": []string{"P7"}},
			http.StatusUnprocessableEntity, "severities[0]")
		h.fail(h.adminToken, "GET", "/api/v1/webhooks/999", nil, http.StatusNotFound, "")

		var updated warroom.HookSubscription
		h.ok(h.adminToken, "PATCH", fmt.Sprintf("/api/v1/webhooks/%d", created.ID), map[string]any{"active": false}, http.StatusOK, &updated)
		if updated.Active || updated.Name != "ticket bridge" {
			t.Errorf("updated %+v", updated)
		}
		h.ok(h.adminToken, "PATCH", fmt.Sprintf("/api/v1/webhooks/%d", created.ID), map[string]any{"active": true}, http.StatusOK, nil)

		h.declare(map[string]any{"title": "Checkout down", "type": "system_crash", "severity": "P0"})
		var ds struct {
			Deliveries []warroom.HookDelivery
			Total      int
		}
		h.ok(h.adminToken, "GET", fmt.Sprintf("/api/v1/webhooks/%d/deliveries?state=pending", created.ID), nil, http.StatusOK, &ds)
		if ds.Total != 1 || ds.Deliveries[0].EventType != "incident.declared" {
			t.Fatalf("deliveries %+v", ds)
		}
		h.fail(h.adminToken, "GET", fmt.Sprintf("/api/v1/webhooks/%d/deliveries?state=lost", created.ID), nil, http.StatusUnprocessableEntity, "state")
		path := fmt.Sprintf("/api/v1/webhook-deliveries/%d", ds.Deliveries[0].ID)
		var d warroom.HookDelivery
		h.ok(h.adminToken, "GET", path, nil, http.StatusOK, &d)
		if d.State != warroom.HookPending || d.EventID == 0 {
			t.Errorf("delivery %+v", d)
		}
		h.fail(h.adminToken, "POST", path+"/redeliver", nil, http.StatusConflict, "")
		h.fail(h.responderToken, "POST", path+"/redeliver", nil, http.StatusForbidden, "")

		var rotated warroom.HookSubscription
		h.ok(h.adminToken, "POST", fmt.Sprintf("/api/v1/webhooks/%d/rotate", created.ID), nil, http.StatusOK, &rotated)
		if rotated.Secret == "" || rotated.Secret == created.Secret {
			t.Errorf("rotated secret %q", rotated.Secret)
		}
		h.ok(h.adminToken, "DELETE", fmt.Sprintf("/api/v1/webhooks/%d", created.ID), nil, http.StatusNoContent, nil)
		h.fail(h.adminToken, "GET", path, nil, http.StatusNotFound, "")
	})
}
