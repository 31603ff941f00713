package ui_test

import (
	"strings"
	"testing"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

// TestInsightsPage: the page draws its charts and tables in the reader's
// language, every table is offered as CSV for the same filter, a bad
// filter is named, and the scoped roles are refused.
func TestInsightsPage(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		admin, actx := e.user(t, warroom.UserRoleAdmin, "en")
		svc := &warroom.Service{Name: "checkout", Team: "payments", Tier: 1}
		if err := e.db.CreateService(actx, svc); err != nil {
			t.Fatal(err)
		}
		for _, title := range []string{"Card payments time out", "=cmd|' /C calc'!A0"} {
			inc := &warroom.Incident{Title: title, Type: warroom.TypeSystemCrash, Severity: warroom.P1, SeverityReason: "test", ServiceIDs: []int64{svc.ID},
				DetectedAt: time.Now().Add(-3 * time.Hour), Loss: warroom.Loss{MoneyLost: warroom.Money{Amount: 500000, Currency: "CNY"}, OrdersLost: 5}}
			if err := e.db.DeclareIncident(actx, inc); err != nil {
				t.Fatal(err)
			}
		}
		c := e.client(t)
		c.login(admin.Email)
		res, body := c.get("/insights")
		wantStatus(t, res, body, 200)
		for _, want := range []string{"<svg", "Incidents over time", "Pages by hour of week", "Change failure rate", "5000 CNY",
			`href="/insights/export/breaches?`, `href="/static/insights.css"`, "Card payments time out"} {
			if !strings.Contains(body, want) {
				t.Errorf("page lacks %q", want)
			}
		}
		res, csv := c.get("/insights/export/loss_incidents?group_by=team")
		wantStatus(t, res, csv, 200)
		if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") || !strings.Contains(res.Header.Get("Content-Disposition"), "attachment") {
			t.Errorf("export headers: %q, %q", ct, res.Header.Get("Content-Disposition"))
		}
		if !strings.HasPrefix(csv, "incident,severity,detected_at,money_lost,") || !strings.Contains(csv, ",5000,CNY,") || !strings.Contains(csv, ",'=cmd|") {
			t.Errorf("loss CSV:\n%s", csv)
		}
		for _, name := range []string{"incidents", "noisiest", "sla", "breaches", "loss", "pages", "pages_by_hour", "action_items", "changes"} {
			res, b := c.get("/insights/export/" + name)
			wantStatus(t, res, b, 200)
		}
		res, body = c.get("/insights/export/passwords")
		wantStatus(t, res, body, 404)
		res, body = c.get("/insights?group_by=year")
		wantStatus(t, res, body, 422)
		if !strings.Contains(body, "group_by") {
			t.Errorf("bad grouping is not named:\n%.400s", body)
		}

		zh, _ := e.user(t, warroom.UserRoleViewer, "zh-CN")
		cz := e.client(t)
		cz.login(zh.Email)
		res, body = cz.get("/insights")
		wantStatus(t, res, body, 200)
		for _, want := range []string{"事故趋势", "值班负荷", "变更失败率"} {
			if !strings.Contains(body, want) {
				t.Errorf("Chinese page lacks %q", want)
			}
		}

		for _, role := range []warroom.UserRole{warroom.UserRoleStakeholder, warroom.UserRoleContractor} {
			u, _ := e.user(t, role, "en")
			cs := e.client(t)
			cs.login(u.Email)
			for _, path := range []string{"/insights", "/insights/export/loss_incidents"} {
				res, body := cs.get(path)
				wantStatus(t, res, body, 403)
			}
		}
	})
}
