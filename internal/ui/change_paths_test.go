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

// TestChangePages_PolicyHolds is issue 22 item 9 on the pages: the author
// of a change, though an admin, is refused its freeze exception (403) and
// cannot start it; in record mode it starts and the change page shows the
// freeze it broke.
func TestChangePages_PolicyHolds(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		author, actx := e.user(t, warroom.UserRoleAdmin, "en")
		svc := &warroom.Service{Name: "blog", Team: "web", Tier: 4}
		if err := e.db.CreateService(actx, svc); err != nil {
			t.Fatal(err)
		}
		f := &warroom.FreezeWindow{Name: "Double 11", StartsAt: time.Now().Add(-time.Hour), EndsAt: time.Now().Add(time.Hour), ServiceIDs: []int64{svc.ID}}
		if err := e.db.CreateFreezeWindow(actx, f); err != nil {
			t.Fatal(err)
		}
		c := &warroom.Change{Kind: warroom.ChangeOther, Title: "Banner", ServiceIDs: []int64{svc.ID}}
		if err := e.db.CreateChange(actx, c); err != nil {
			t.Fatal(err)
		}
		cl := e.client(t)
		cl.login(author.Email)
		cl.get("/changes/calendar")
		res, body := cl.post(fmt.Sprintf("/freeze-windows/%d/exceptions", f.ID), url.Values{"change": {c.Number}, "reason": {"my own banner"}})
		wantStatus(t, res, body, http.StatusForbidden)
		if !strings.Contains(body, "author") {
			t.Errorf("refusal does not say why")
		}
		res, body = cl.post(fmt.Sprintf("/changes/%d/action", c.ID), url.Values{"step": {"start"}})
		wantStatus(t, res, body, http.StatusConflict)

		p := warroom.DefaultChangePolicy()
		p.Mode = warroom.PolicyRecord
		if err := e.db.UpdateChangePolicy(actx, &p); err != nil {
			t.Fatal(err)
		}
		res, body = cl.post(fmt.Sprintf("/changes/%d/action", c.ID), url.Values{"step": {"start"}})
		wantStatus(t, res, body, http.StatusSeeOther)
		res, body = cl.get(fmt.Sprintf("/changes/%d", c.ID))
		wantStatus(t, res, body, http.StatusOK)
		if !strings.Contains(body, "Double 11") || !strings.Contains(body, "Policy violation") {
			t.Errorf("change page does not show the freeze it broke")
		}
	})
}
