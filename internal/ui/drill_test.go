package ui_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/warroomhq/warroom"
)

// TestDrillsPage schedules a game day from the Drills page and refuses a
// form naming no service, with the reason shown.
func TestDrillsPage(t *testing.T) {
	e := newEnv(t, "sqlite")
	u, ctx := e.user(t, warroom.UserRoleResponder, "en")
	svc := &warroom.Service{Name: "orders", Tier: 1}
	if err := e.db.CreateService(ctx, svc); err != nil {
		t.Fatal(err)
	}
	c := e.client(t)
	c.login(u.Email)
	if res, body := c.get("/drills"); res.StatusCode != http.StatusOK || !strings.Contains(body, "database-deleted") || !strings.Contains(body, "orders") {
		t.Fatalf("GET /drills = %d", res.StatusCode)
	}
	res, body := c.post("/drills", url.Values{"scenario": {"database-deleted"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "name at least one service") {
		t.Errorf("no service: %d", res.StatusCode)
	}
	res, _ = c.post("/drills", url.Values{"scenario": {"database-deleted"}, "service_id": {itoa(svc.ID)}, "starts_at": {"2099-01-01T10:00"}})
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("start a century ahead: %d, want 422", res.StatusCode)
	}
	res, _ = c.post("/drills", url.Values{"scenario": {"database-deleted"}, "service_id": {itoa(svc.ID)}})
	if res.StatusCode >= 400 {
		t.Fatalf("start: %d", res.StatusCode)
	}
	runs, n, err := e.db.FindDrillRuns(ctx, warroom.DrillRunFilter{})
	if err != nil || n != 1 || runs[0].ScenarioSlug != "database-deleted" || runs[0].CreatedBy != u.ID {
		t.Errorf("runs = %d %+v, %v", n, runs, err)
	}
}
