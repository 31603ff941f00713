package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

// TestBadInput sends bodies that must be refused with a clear error naming
// the field, and checks each left nothing behind.
func TestBadInput(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		h := newHarness(t, engine)
		inc := h.declare(map[string]any{"title": "Queue backlog", "type": "other"})
		notes := "/api/v1/incidents/" + inc.Number + "/notes"

		for _, tt := range []struct {
			name   string
			path   string
			body   any
			status int
			field  string
		}{
			{"UnknownField", "/api/v1/incidents", `{"title":"x","type":"other","sevirity":"P1"}`, 400, "sevirity"},
			{"NestedUnknownField", "/api/v1/incidents", `{"title":"x","type":"other","impact":{"users":5}}`, 400, "impact.users"},
			{"WrongType", "/api/v1/incidents", `{"title":42,"type":"other"}`, 400, "title"},
			{"WrongNestedType", "/api/v1/incidents", `{"title":"x","type":"other","impact":{"users_affected":"many"}}`, 400, "impact.users_affected"},
			{"HugeTitle", "/api/v1/incidents", `{"title":"` + strings.Repeat("a", 10<<20) + `","type":"other"}`, 413, ""},
			{"LongTitle", "/api/v1/incidents", map[string]any{"title": strings.Repeat("长", 300), "type": "other"}, 422, "title"},
			{"NoTitle", "/api/v1/incidents", map[string]any{"type": "other"}, 422, "title"},
			{"NegativeMoney", "/api/v1/incidents", `{"title":"x","type":"other","impact":{"money_affected":{"amount":-5,"currency":"CNY"}}}`, 422, "impact.money_affected.amount"},
			{"BadAmount", "/api/v1/incidents", `{"title":"x","type":"other","impact":{"money_affected":{"amount":"12.345","currency":"CNY"}}}`, 400, "impact.money_affected.amount"},
			{"UnknownSeverity", "/api/v1/incidents", map[string]any{"title": "x", "type": "other", "severity": "P7"}, 422, "severity"},
			{"UnknownType", "/api/v1/incidents", map[string]any{"title": "x", "type": "meteor"}, 422, "type"},
			{"UnknownService", "/api/v1/incidents", map[string]any{"title": "x", "type": "other", "service_ids": []int{424242}}, 404, ""},
			{"BadTime", "/api/v1/incidents", `{"title":"x","type":"other","detected_at":"last tuesday"}`, 400, "detected_at"},
			{"FutureTime", "/api/v1/incidents", `{"title":"x","type":"other","detected_at":"2999-01-01T00:00:00Z"}`, 422, "detected_at"},
			{"Malformed", "/api/v1/incidents", `{"title":"x",`, 400, ""},
			{"NotJSON", "/api/v1/incidents", `title=x`, 400, ""},
			{"Trailing", "/api/v1/incidents", `{"title":"x","type":"other"}{"title":"y","type":"other"}`, 400, ""},
			{"Empty", "/api/v1/incidents", ``, 400, ""},
			{"Array", "/api/v1/incidents", `[{"title":"x","type":"other"}]`, 400, ""},
			{"TitleNotUTF8", "/api/v1/incidents", "{\"title\":\"db \xff down\",\"type\":\"other\"}", 400, "title"},
			{"TitleLoneSurrogate", "/api/v1/incidents", `{"title":"db \udfff down","type":"other"}`, 400, "title"},
			{"NestedNotUTF8", "/api/v1/incidents", "{\"title\":\"x\",\"type\":\"other\",\"impact\":{\"money_affected\":{\"currency\":\"\xc3\"}}}", 400, "impact.money_affected.currency"},
			{"NoteNUL", notes, `{"text":"a\u0000b"}`, 400, "text"},
			{"EmptyNote", notes, map[string]any{"text": ""}, 422, "text"},
			{"NoteUnknownField", notes, `{"text":"x","author":"me"}`, 400, "author"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				h := h.with(t)
				var before page[*warroom.Incident]
				h.ok(h.viewerToken, "GET", "/api/v1/incidents", nil, http.StatusOK, &before)
				var events page[*warroom.Event]
				h.ok(h.viewerToken, "GET", "/api/v1/incidents/"+inc.Number+"/events", nil, http.StatusOK, &events)
				audit := h.auditTotal()

				h.fail(h.responderToken, "POST", tt.path, tt.body, tt.status, tt.field)

				var after page[*warroom.Incident]
				h.ok(h.viewerToken, "GET", "/api/v1/incidents", nil, http.StatusOK, &after)
				if after.Total != before.Total {
					t.Errorf("incidents = %d, was %d", after.Total, before.Total)
				}
				var eventsAfter page[*warroom.Event]
				h.ok(h.viewerToken, "GET", "/api/v1/incidents/"+inc.Number+"/events", nil, http.StatusOK, &eventsAfter)
				if eventsAfter.Total != events.Total {
					t.Errorf("timeline = %d events, was %d", eventsAfter.Total, events.Total)
				}
				if got := h.auditTotal(); got != audit {
					t.Errorf("audit entries = %d, was %d", got, audit)
				}
			})
		}
	})
}

func TestUnmatched(t *testing.T) {
	h := newHarness(t, "sqlite")
	e := h.fail(h.viewerToken, "GET", "/api/v1/nothing-here", nil, http.StatusNotFound, "")
	if e.Code != warroom.ENOTFOUND {
		t.Errorf("code = %q, want %q", e.Code, warroom.ENOTFOUND)
	}
	r := h.do(h.adminToken, "DELETE", "/api/v1/me", nil)
	if r.status != http.StatusMethodNotAllowed || r.header.Get("Allow") != "GET" {
		t.Errorf("DELETE /api/v1/me = %d Allow %q, want 405 Allow GET", r.status, r.header.Get("Allow"))
	}
	r = h.do(h.adminToken, "PUT", "/api/v1/incidents/1", nil)
	if r.status != http.StatusMethodNotAllowed || r.header.Get("Allow") != "GET, PATCH" {
		t.Errorf("PUT /api/v1/incidents/1 = %d Allow %q, want 405 Allow GET, PATCH", r.status, r.header.Get("Allow"))
	}
}
