package api_test

import (
	"bytes"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/emersion/go-ical"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

func TestOnCallAPI(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		h := newHarness(t, engine)
		start := time.Now().UTC().Add(-time.Hour).Format(warroom.StartLayout)
		var s warroom.Schedule
		h.ok(h.adminToken, http.MethodPost, "/api/v1/schedules", map[string]any{
			"name": "primary", "time_zone": "UTC",
			"layers": []map[string]any{{"name": "daily", "rotation": "daily", "start": start, "user_ids": []int64{h.responder.ID, h.viewer.ID}}},
		}, http.StatusCreated, &s)

		t.Run("who is on call now", func(t *testing.T) {
			var got struct{ Shifts []*warroom.OnCallShift }
			h.ok(h.viewerToken, http.MethodGet, "/api/v1/oncall", nil, http.StatusOK, &got)
			if len(got.Shifts) != 1 || got.Shifts[0].UserID != h.responder.ID || got.Shifts[0].ScheduleName != "primary" {
				t.Errorf("got %+v", got.Shifts)
			}
		})
		t.Run("override", func(t *testing.T) {
			var o warroom.ScheduleOverride
			now := time.Now().UTC()
			h.ok(h.responderToken, http.MethodPost, fmt.Sprintf("/api/v1/schedules/%d/overrides", s.ID), map[string]any{
				"user_id": h.admin.ID, "start": now.Add(-time.Minute), "end": now.Add(time.Hour),
			}, http.StatusCreated, &o)
			var got struct{ Shifts []*warroom.OnCallShift }
			h.ok(h.viewerToken, http.MethodGet, "/api/v1/oncall", nil, http.StatusOK, &got)
			if len(got.Shifts) != 1 || got.Shifts[0].UserID != h.admin.ID || !got.Shifts[0].Override {
				t.Errorf("got %+v, want the override", got.Shifts)
			}
			h.fail(h.responderToken, http.MethodPost, fmt.Sprintf("/api/v1/schedules/%d/overrides", s.ID), map[string]any{
				"user_id": h.admin.ID, "start": now, "end": now.Add(-time.Hour),
			}, http.StatusUnprocessableEntity, "end")
		})
		t.Run("iCal feed parses", func(t *testing.T) {
			resp := h.do(h.viewerToken, http.MethodGet, fmt.Sprintf("/api/v1/schedules/%d/calendar.ics", s.ID), nil)
			if resp.status != http.StatusOK || resp.header.Get("Content-Type") != "text/calendar; charset=utf-8" {
				t.Fatalf("got %d %q", resp.status, resp.header.Get("Content-Type"))
			}
			cal, err := ical.NewDecoder(bytes.NewReader(resp.body)).Decode()
			if err != nil {
				t.Fatal(err)
			}
			if n := len(cal.Events()); n < 30 {
				t.Errorf("got %d events over five weeks of daily shifts, want at least 30", n)
			}
		})
		t.Run("bad schedule", func(t *testing.T) {
			h.fail(h.adminToken, http.MethodPost, "/api/v1/schedules", map[string]any{
				"name": "x", "time_zone": "Mars/Base", "layers": []map[string]any{{"rotation": "daily", "start": start, "user_ids": []int64{1}}},
			}, http.StatusUnprocessableEntity, "time_zone")
			h.fail(h.responderToken, http.MethodPost, "/api/v1/schedules", map[string]any{"name": "x"}, http.StatusForbidden, "")
		})
		t.Run("contact methods are one's own", func(t *testing.T) {
			var cm warroom.ContactMethod
			h.ok(h.viewerToken, http.MethodPost, fmt.Sprintf("/api/v1/users/%d/contact-methods", h.viewer.ID), map[string]any{
				"type": "slack", "name": "team", "address": "https://hooks.slack.com/services/T/B/X",
			}, http.StatusCreated, &cm)
			if cm.Verified() || cm.UserID != h.viewer.ID {
				t.Errorf("got %+v", cm)
			}
			h.fail(h.viewerToken, http.MethodGet, fmt.Sprintf("/api/v1/users/%d/contact-methods", h.responder.ID), nil, http.StatusForbidden, "")
			h.fail(h.viewerToken, http.MethodPost, fmt.Sprintf("/api/v1/users/%d/contact-methods/%d/test", h.viewer.ID, cm.ID), nil, http.StatusConflict, "")
			h.fail(h.viewerToken, http.MethodPost, fmt.Sprintf("/api/v1/users/%d/contact-methods/%d/verify", h.viewer.ID, cm.ID), map[string]any{"code": "nope"}, http.StatusUnprocessableEntity, "code")
		})
		t.Run("policy and page", func(t *testing.T) {
			var p warroom.EscalationPolicy
			h.ok(h.adminToken, http.MethodPost, "/api/v1/escalation-policies", map[string]any{
				"name": "p", "levels": []map[string]any{{"delay_seconds": 300, "targets": []map[string]any{{"type": "schedule", "id": s.ID}}}},
			}, http.StatusCreated, &p)
			h.fail(h.adminToken, http.MethodPost, "/api/v1/escalation-policies", map[string]any{
				"name": "p", "levels": []map[string]any{{"delay_seconds": 300, "targets": []map[string]any{{"type": "schedule", "id": 99999}}}},
			}, http.StatusNotFound, "levels[0].targets[0].id")
			inc := h.declare(map[string]any{"title": "db down", "type": "other"})
			h.fail(h.responderToken, http.MethodPost, fmt.Sprintf("/api/v1/incidents/%d/escalate", inc.ID), nil, http.StatusConflict, "")
			h.ok(h.responderToken, http.MethodPost, "/api/v1/page", map[string]any{"policy_id": p.ID, "incident_id": inc.ID}, http.StatusAccepted, nil)
			var es struct{ Escalations []*warroom.Escalation }
			h.ok(h.viewerToken, http.MethodGet, fmt.Sprintf("/api/v1/incidents/%d/escalations", inc.ID), nil, http.StatusOK, &es)
			if len(es.Escalations) != 1 || es.Escalations[0].NextAt == nil {
				t.Errorf("got %+v, want a running escalation", es.Escalations)
			}
			h.fail(h.responderToken, http.MethodPost, "/api/v1/page", map[string]any{"policy_id": p.ID}, http.StatusUnprocessableEntity, "incident_id")
		})
	})
}
