package ui_test

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

// TestPostmortemPages walks the postmortem pages in both languages: start
// one from the incident page, write it, see the blameless hint, add an
// action item from a why, find it under "my action items", search in
// Chinese and see a similar past incident on a new one.
func TestPostmortemPages(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		u, ctx := e.user(t, warroom.UserRoleResponder, "zh-CN")
		old := e.declare(t, ctx, "订单库连接池耗尽", warroom.Impact{})
		if _, err := e.db.TransitionIncident(ctx, old.ID, warroom.StateResolved, "扩大连接池后恢复"); err != nil {
			t.Fatal(err)
		}
		inc := e.declare(t, ctx, "订单库连接池又耗尽了", warroom.Impact{})
		c := e.client(t)
		c.login(u.Email)

		res, body := c.get(fmt.Sprintf("/incidents/%d", inc.ID))
		if res.StatusCode != http.StatusOK || !strings.Contains(body, "相似的历史事故") || !strings.Contains(body, "扩大连接池后恢复") {
			t.Fatalf("incident page: %d, want the similar incident with its fix\n%.2000s", res.StatusCode, body)
		}
		res, _ = c.post(fmt.Sprintf("/incidents/%d/postmortem", inc.ID), nil)
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/postmortems/") {
			t.Fatalf("start postmortem: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		page := res.Header.Get("Location")
		form := url.Values{"summary": {u.Name + " 粗心导致连接池耗尽"}, "cause_category": {"technical"}, "cause_subcategory": {"capacity"},
			"why_id": {"", ""}, "why_question": {"为什么连接池耗尽?", ""}, "why_answer": {"慢查询占住连接", ""}, "why_evidence": {"慢查询日志", ""}}
		if res, body = c.post(page, form); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("save: %d\n%.1000s", res.StatusCode, body)
		}
		res, body = c.get(page)
		if res.StatusCode != http.StatusOK || !strings.Contains(body, "无责写作提示") || !strings.Contains(body, u.Name) || !strings.Contains(body, "粗心") {
			t.Fatalf("postmortem page lacks the blameless hint:\n%.3000s", body)
		}
		p, err := e.db.FindPostmortemByIncident(ctx, inc.ID)
		if err != nil || len(p.Whys) != 1 {
			t.Fatalf("stored whys = %+v (%v)", p, err)
		}
		res, body = c.post("/action-items", url.Values{"incident_id": {fmt.Sprint(inc.ID)}, "source_type": {"why"}, "source_id": {fmt.Sprint(p.Whys[0].ID)},
			"kind": {"prevent"}, "due_date": {time.Now().AddDate(0, 0, 7).Format("2006-01-02")}, "back": {page}})
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != page {
			t.Fatalf("action item from a why: %d %s\n%.1000s", res.StatusCode, res.Header.Get("Location"), body)
		}
		if _, body = c.get("/action-items"); !strings.Contains(body, "慢查询占住连接") {
			t.Errorf("my action items lack the new item:\n%.2000s", body)
		}
		if _, body = c.get("/search?q=" + url.QueryEscape("连接池")); !strings.Contains(body, old.Number) || !strings.Contains(body, inc.Number) {
			t.Errorf("search page lacks the hits:\n%.2000s", body)
		}
		res, body = c.get(page + "/export")
		if res.StatusCode != http.StatusOK || !strings.Contains(body, "@page") {
			t.Errorf("printable view: %d", res.StatusCode)
		}

		// The English page speaks English.
		en, _ := e.user(t, warroom.UserRoleViewer, "en")
		c2 := e.client(t)
		c2.login(en.Email)
		if _, body = c2.get(page); !strings.Contains(body, "Five whys") || strings.Contains(body, "<form method=\"post\" action=\""+page+"\"") {
			t.Errorf("viewer's English page is wrong or editable:\n%.2000s", body)
		}
	})
}
