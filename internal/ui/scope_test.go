package ui_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

// TestContractorChangeGrants: from the brief of an incident it may work,
// a contractor can neither link nor roll back a change of a service it was
// never granted; both answer as for a change that does not exist.
func TestContractorChangeGrants(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		_, actx := e.user(t, warroom.UserRoleAdmin, "en")
		mine := &warroom.Service{Name: "mine", Tier: 2}
		theirs := &warroom.Service{Name: "theirs", Tier: 2}
		for _, s := range []*warroom.Service{mine, theirs} {
			if err := e.db.CreateService(actx, s); err != nil {
				t.Fatal(err)
			}
		}
		inc := &warroom.Incident{Title: "Mine", Type: warroom.TypeSystemCrash, ServiceIDs: []int64{mine.ID}}
		if err := e.db.DeclareIncident(actx, inc); err != nil {
			t.Fatal(err)
		}
		change := &warroom.Change{Kind: warroom.ChangeDeploy, Title: "Secret rollout", ServiceIDs: []int64{theirs.ID}}
		if err := e.db.CreateChange(actx, change); err != nil {
			t.Fatal(err)
		}
		u, _ := e.user(t, warroom.UserRoleContractor, "en")
		if err := e.db.GrantService(actx, u.ID, mine.ID); err != nil {
			t.Fatal(err)
		}
		c := e.client(t)
		c.login(u.Email)
		c.get("/profile")
		base := fmt.Sprintf("/incidents/%d/changes/CHG-%d", inc.ID, change.ID)
		res, body := c.post(base+"/suspect", url.Values{"note": {"x"}})
		wantStatus(t, res, body, http.StatusNotFound)
		if strings.Contains(body, "Secret rollout") {
			t.Error("the refusal shows the change")
		}
		res, body = c.post(base+"/rollback", url.Values{"reason": {"x"}})
		wantStatus(t, res, body, http.StatusNotFound)
		outsider, _ := e.user(t, warroom.UserRoleContractor, "en")
		res, body = c.post(fmt.Sprintf("/incidents/%d/roles", inc.ID), url.Values{"role": {"scribe"}, "user_id": {fmt.Sprint(outsider.ID)}})
		wantStatus(t, res, body, http.StatusNotFound)
		if as, err := e.db.FindRoleAssignments(context.Background(), inc.ID, true); err != nil || len(as) != 0 {
			t.Errorf("a person who may not see the incident was given a role on it: %+v %v", as, err)
		}
		causes, err := e.db.FindSuspectedCauses(context.Background(), inc.ID)
		if err != nil {
			t.Fatal(err)
		} else if len(causes) != 0 {
			t.Errorf("the ungranted change was linked: %+v", causes)
		}
	})
}

// TestRefusalAudited: a refused attempt in the UI leaves an entry naming
// who tried what and why, as in the API.
func TestRefusalAudited(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		u, _ := e.user(t, warroom.UserRoleResponder, "en")
		c := e.client(t)
		c.login(u.Email)
		c.get("/profile")
		res, body := c.post(fmt.Sprintf("/admin/users/%d", u.ID), url.Values{"role": {"admin"}})
		wantStatus(t, res, body, http.StatusForbidden)
		es := refusals(t, e)
		if len(es) == 0 {
			t.Fatal("the refused self-promotion left no entry")
		}
		var d warroom.Refusal
		if err := json.Unmarshal(es[0].Data, &d); err != nil {
			t.Fatal(err)
		}
		if es[0].ActorID != u.ID || es[0].TargetID != "POST /admin/users/{id}" || d.Status != http.StatusForbidden || d.Reason == "" {
			t.Errorf("recorded %+v %+v", es[0], d)
		}
	})
}
