package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

// TestEnqueueChange_NUL: NUL in a change event's free text is dropped, on
// both engines alike (PostgreSQL text cannot hold it).
func TestEnqueueChange_NUL(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		h := newHarness(t, engine)
		_, actx, _ := storetest.User(t, h.db, warroom.UserRoleAdmin)
		svc := &warroom.Service{Name: "checkout", Tier: 1}
		if err := h.db.CreateService(actx, svc); err != nil {
			t.Fatal(err)
		}
		pd := &warroom.Integration{ServiceID: svc.ID, Name: "deploys", Kind: warroom.IntegrationPagerDuty}
		if err := h.db.CreateIntegration(actx, pd); err != nil {
			t.Fatal(err)
		}
		r := h.do("", "POST", "/v2/change/enqueue", `{"routing_key":"`+pd.Key+`","payload":{"summary":"v7\u0000.2","source":"c\u0000i","custom_details":{"x":"\u0000"}},
			"links":[{"href":"https://ci.example.com/\u0000","text":"pipe\u0000line"},{"href":"ftp://x\u0000","text":"t\u0000"}]}`)
		if r.status != http.StatusAccepted {
			t.Fatalf("status %d body %s", r.status, r.body)
		}
		cs, n, err := h.db.FindChanges(t.Context(), warroom.ChangeFilter{})
		if err != nil || n != 1 {
			t.Fatalf("changes = %d, %v", n, err)
		}
		c := cs[0]
		if c.Title != "v7.2" || strings.ContainsRune(c.Description, 0) || !strings.Contains(c.Description, "Source: ci") {
			t.Errorf("change %q %q", c.Title, c.Description)
		}
		for _, l := range c.Links {
			if strings.ContainsRune(l.Title+l.URL, 0) {
				t.Errorf("link %+v keeps NUL", l)
			}
		}
	})
}

// TestQueryNotText: a filter that is not UTF-8 or holds NUL is a 400
// naming the parameter on both engines; PostgreSQL answered 500.
func TestQueryNotText(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		h := newHarness(t, engine)
		for _, c := range []struct{ path, field string }{
			{"/api/v1/search?q=a%00", "q"},
			{"/api/v1/alerts?q=%ff", "q"},
			{"/api/v1/incidents?q=%00", "q"},
			{"/api/v1/audit?action=%ff", "action"},
			{"/api/v1/changes?q=%00", "q"},
		} {
			h.fail(h.adminToken, "GET", c.path, nil, http.StatusBadRequest, c.field)
		}
	})
}
