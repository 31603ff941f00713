package ui_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/warroomhq/warroom"
)

// TestStatusPageAdmin works the status page and stakeholder pages in both
// languages: an admin adds a component and a group, a responder sets the
// component's status, a viewer only reads.
func TestStatusPageAdmin(t *testing.T) {
	e := newEnv(t, "sqlite")
	admin, actx := e.user(t, warroom.UserRoleAdmin, "zh-CN")
	responder, _ := e.user(t, warroom.UserRoleResponder, "en")
	c := e.client(t)
	c.login(admin.Email)
	if res, body := c.get("/admin/status-page"); res.StatusCode != http.StatusOK || !strings.Contains(body, "公开状态页") {
		t.Fatalf("admin page: %d", res.StatusCode)
	}
	if res, _ := c.post("/admin/status-page/components", url.Values{"name": {"Payments API"}, "group": {"Core"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create component: %d", res.StatusCode)
	}
	if res, body := c.post("/admin/status-page/settings", url.Values{"name": {"Acme"}, "accent_color": {"red"}}); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "accent_color") {
		t.Errorf("bad colour: %d", res.StatusCode)
	}
	if res, _ := c.post("/stakeholders", url.Values{"name": {"Legal"}, "members": {responder.Email}, "channels": {"email:legal@example.com:zh-CN"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create group: %d", res.StatusCode)
	}
	if res, body := c.post("/stakeholders/rules", url.Values{"rules": {`[{"type":"security_breach","group_id":1,"triggers":["declare"]}]`}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("rules: %d %.300s", res.StatusCode, body)
	}
	if res, _ := c.post("/stakeholders/rules", url.Values{"rules": {`[{"group_id":1}`}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("broken JSON: %d, want 422", res.StatusCode)
	}
	if _, body := c.get("/stakeholders"); !strings.Contains(body, "Legal") || !strings.Contains(body, responder.Name) || !strings.Contains(body, "security_breach") {
		t.Errorf("stakeholder page lacks the group, its member or the rule")
	}

	rc := e.client(t)
	rc.login(responder.Email)
	cs, err := e.db.FindComponents(actx)
	if err != nil || len(cs) != 1 {
		t.Fatalf("components: %v %v", cs, err)
	}
	if res, _ := rc.post("/admin/status-page/components/"+itoa(cs[0].ID), url.Values{"status": {"major_outage"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("set status: %d", res.StatusCode)
	}
	if res, body := rc.get("/admin/status-page"); res.StatusCode != http.StatusOK || !strings.Contains(body, `value="major_outage" selected`) {
		t.Errorf("status not shown as set")
	}
	if res, _ := rc.post("/stakeholders/rules", url.Values{"rules": {`[]`}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("responder changing rules: %d, want 403", res.StatusCode)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
