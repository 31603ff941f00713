package api_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

// TestPostmortemFlow drives a postmortem over HTTP from creation to
// publishing, with an action item, both exports and a Chinese search.
func TestPostmortemFlow(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		h := newHarness(t, engine)
		inc := h.declare(map[string]any{"title": "支付网关超时", "summary": "发布后银行卡支付全部超时", "type": "network_failure"})
		var p warroom.Postmortem
		h.ok(h.responderToken, "POST", "/api/v1/incidents/"+inc.Number+"/postmortem", nil, http.StatusCreated, &p)
		if p.Status != warroom.PostmortemDraft || p.AuthorID != h.responder.ID || p.Incident == nil {
			t.Fatalf("created = %+v", p)
		}
		h.fail(h.responderToken, "POST", "/api/v1/incidents/"+inc.Number+"/postmortem", nil, http.StatusConflict, "")
		h.fail(h.responderToken, "PATCH", fmt.Sprintf("/api/v1/postmortems/%d", p.ID), map[string]any{"cause_category": "weather"}, http.StatusUnprocessableEntity, "cause_category")

		path := fmt.Sprintf("/api/v1/postmortems/%d", p.ID)
		h.ok(h.responderToken, "PATCH", path, map[string]any{"summary": "连接池配置变更导致超时", "cause_category": "technical",
			"whys": []map[string]any{{"question": "为什么超时?", "answer": "连接池太小", "evidence": "监控截图"}}}, http.StatusOK, &p)
		var item warroom.ActionItem
		h.ok(h.responderToken, "POST", "/api/v1/action-items", map[string]any{"incident_id": inc.Number, "owner_id": h.responder.ID,
			"due_date": time.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339), "kind": "prevent", "source_type": "why", "source_id": p.Whys[0].ID}, http.StatusCreated, &item)
		if item.Title != "连接池太小" {
			t.Errorf("item title = %q, want the why's answer", item.Title)
		}
		var mine struct {
			ActionItems []*warroom.ActionItem `json:"action_items"`
			Total       int
		}
		h.ok(h.responderToken, "GET", "/api/v1/action-items?owner=me", nil, http.StatusOK, &mine)
		if mine.Total != 1 {
			t.Errorf("my items = %d, want 1", mine.Total)
		}

		h.fail(h.responderToken, "POST", path+"/publish", nil, http.StatusConflict, "")
		h.ok(h.responderToken, "POST", path+"/submit", map[string]any{"reviewer_ids": []int64{h.admin.ID}}, http.StatusOK, &p)
		h.fail(h.viewerToken, "POST", path+"/reviews", map[string]any{"decision": "approved"}, http.StatusForbidden, "")
		h.fail(h.responderToken, "POST", path+"/reviews", map[string]any{"decision": "approved"}, http.StatusForbidden, "")
		h.ok(h.adminToken, "POST", path+"/reviews", map[string]any{"decision": "approved"}, http.StatusOK, &p)
		h.ok(h.responderToken, "POST", path+"/publish", nil, http.StatusOK, &p)
		if p.Status != warroom.PostmortemPublished {
			t.Errorf("status = %s", p.Status)
		}

		md := h.do(h.viewerToken, "GET", path+"/export?format=md", nil)
		if md.status != http.StatusOK || !strings.HasPrefix(md.header.Get("Content-Type"), "text/markdown") || !strings.Contains(string(md.body), "连接池太小") {
			t.Errorf("markdown export: %d %s\n%s", md.status, md.header.Get("Content-Type"), md.body)
		}
		html := h.do(h.viewerToken, "GET", path+"/export?format=html", nil)
		if html.status != http.StatusOK || !strings.Contains(string(html.body), "<h1>Postmortem: "+inc.Number) {
			t.Errorf("html export: %d", html.status)
		}
		h.fail(h.viewerToken, "GET", path+"/export?format=pdf", nil, http.StatusBadRequest, "format")

		var found struct {
			Hits  []*warroom.SearchHit
			Total int
		}
		h.ok(h.viewerToken, "GET", "/api/v1/search?q="+url.QueryEscape("超时")+"&doc_type=incident", nil, http.StatusOK, &found)
		if found.Total != 1 || found.Hits[0].IncidentNumber != inc.Number {
			t.Errorf("search = %+v", found)
		}
		h.fail(h.viewerToken, "GET", "/api/v1/search?q=", nil, http.StatusUnprocessableEntity, "q")
		h.fail(h.viewerToken, "GET", "/api/v1/search?q=x&cause=luck", nil, http.StatusUnprocessableEntity, "cause")
	})
}
