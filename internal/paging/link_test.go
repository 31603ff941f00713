package paging_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

// TestLinkNeedsRespond: a link outlives the role it was sent for. Someone
// paged as a responder and since made a viewer may no longer acknowledge or
// resolve with the link still in their inbox, any more than in the UI.
func TestLinkNeedsRespond(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		h := newHarness(t, engine)
		defer h.close()
		ctx, _, bo, _, svc := setup(t, h, 5*time.Minute)
		inc := &warroom.Incident{Title: "Checkout down", Type: warroom.TypeSystemCrash, Severity: warroom.P2, ServiceIDs: []int64{svc.ID}}
		if err := h.db.DeclareIncident(ctx, inc); err != nil {
			t.Fatal(err)
		}
		// A viewer may not respond at all; a contractor may, but was never
		// granted the incident's service.
		for _, role := range []warroom.UserRole{warroom.UserRoleViewer, warroom.UserRoleContractor} {
			if _, err := h.db.UpdateUser(ctx, bo.ID, warroom.UserUpdate{Role: &role}); err != nil {
				t.Fatal(err)
			}
			for _, action := range []warroom.LinkAction{warroom.LinkAcknowledge, warroom.LinkResolve} {
				t.Run(string(role)+"/"+string(action), func(t *testing.T) {
					u, err := h.pager.Links().URL(context.Background(), inc.ID, bo.ID, action, h.clock.Now().Add(time.Hour))
					if err != nil {
						t.Fatal(err)
					}
					for _, method := range []string{http.MethodGet, http.MethodPost} {
						req, _ := http.NewRequest(method, u, nil)
						resp, err := http.DefaultClient.Do(req)
						if err != nil {
							t.Fatal(err)
						}
						resp.Body.Close()
						if resp.StatusCode != http.StatusNotFound {
							t.Errorf("%s: got %d, want 404", method, resp.StatusCode)
						}
					}
					got, err := h.db.FindIncidentByID(ctx, inc.ID)
					if err != nil {
						t.Fatal(err)
					}
					if got.State != warroom.StateTriggered {
						t.Errorf("state = %s, want triggered", got.State)
					}
				})
			}
		}
	})
}
