package ui_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

// TestChangePages renders the change pages in both languages and works a
// change from the incident brief: the deploy of the evening before shows,
// flagged, is marked a suspected cause and rolled back.
func TestChangePages(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		admin, actx := e.user(t, warroom.UserRoleAdmin, "en")
		_, zhctx := e.user(t, warroom.UserRoleResponder, "zh-CN")
		svc := &warroom.Service{Name: "checkout", Team: "pay", Tier: 1}
		if err := e.db.CreateService(actx, svc); err != nil {
			t.Fatal(err)
		}
		evening := time.Now().Add(-14 * time.Hour)
		recorded := &warroom.Change{Kind: warroom.ChangeDeploy, Title: "Evening deploy 7.2", ServiceIDs: []int64{svc.ID}, Source: warroom.SourcePagerDuty, StartedAt: &evening}
		if err := e.db.RecordChange(context.Background(), recorded); err != nil {
			t.Fatal(err)
		}
		draft := &warroom.Change{Kind: warroom.ChangeMigration, Title: "Add index", ServiceIDs: []int64{svc.ID}}
		if err := e.db.CreateChange(zhctx, draft); err != nil {
			t.Fatal(err)
		}
		inc := e.declare(t, actx, "Checkout failing", warroom.Impact{})
		if _, err := e.db.UpdateIncident(actx, inc.ID, warroom.IncidentUpdate{ServiceIDs: &[]int64{svc.ID}}); err != nil {
			t.Fatal(err)
		}

		c := e.client(t)
		c.login(admin.Email)
		for _, tt := range []struct{ path, want string }{
			{"/changes", "Evening deploy 7.2"},
			{"/changes?violated=true", "Policy violation"},
			{fmt.Sprintf("/changes/%d", draft.ID), "Backup verified"},
			{"/changes/calendar", "Evening deploy 7.2"},
			{"/change-policy", "data at risk"},
		} {
			res, body := c.get(tt.path)
			wantStatus(t, res, body, http.StatusOK)
			if !strings.Contains(body, tt.want) {
				t.Errorf("%s lacks %q", tt.path, tt.want)
			}
		}
		_, body := c.get(fmt.Sprintf("/changes/%d", draft.ID))
		if !strings.Contains(body, "rollback plan") || !strings.Contains(body, "verified backup") {
			t.Errorf("draft page does not say what the policy still requires")
		}

		res, body := c.get(fmt.Sprintf("/incidents/%d", inc.ID))
		wantStatus(t, res, body, http.StatusOK)
		i := strings.Index(body, `id="recent-changes"`)
		if i < 0 || !strings.Contains(body[i:], "Evening deploy 7.2") || !strings.Contains(body[i:], `class="violation"`) {
			t.Fatalf("brief lacks the flagged evening deploy")
		}
		if strings.Contains(body[i:], "Add index") {
			t.Errorf("brief lists a change that never started")
		}
		res, body = c.post(fmt.Sprintf("/incidents/%d/changes/%d/suspect", inc.ID, recorded.ID), nil)
		wantStatus(t, res, body, http.StatusSeeOther)
		res, body = c.post(fmt.Sprintf("/incidents/%d/changes/%d/rollback", inc.ID, recorded.ID), url.Values{"reason": {"suspected"}})
		wantStatus(t, res, body, http.StatusSeeOther)
		causes, err := e.db.FindSuspectedCauses(context.Background(), inc.ID)
		if err != nil || len(causes) != 1 || causes[0].Change.State != warroom.ChangeRolledBack {
			t.Fatalf("suspected causes = %+v, %v", causes, err)
		}

		res, body = c.post(fmt.Sprintf("/changes/%d/action", draft.ID), url.Values{"step": {"start"}})
		wantStatus(t, res, body, http.StatusConflict)
		if !strings.Contains(body, "rollback plan") {
			t.Errorf("refused start does not say why")
		}
		res, body = c.post("/change-policy", url.Values{"policy": {`{"mode":"lenient","rules":[]}`}})
		wantStatus(t, res, body, http.StatusUnprocessableEntity)

		zh := e.client(t)
		zh.lang = "zh-CN"
		u, _, _ := e.db.FindUsers(context.Background(), warroom.UserFilter{})
		for _, x := range u {
			if x.Locale == "zh-CN" {
				zh.login(x.Email)
			}
		}
		for _, path := range []string{"/changes", "/changes/calendar", "/change-policy", fmt.Sprintf("/changes/%d", draft.ID)} {
			res, body := zh.get(path)
			wantStatus(t, res, body, http.StatusOK)
			if !strings.Contains(body, "变更") {
				t.Errorf("%s is not in Chinese", path)
			}
		}
	})
}
