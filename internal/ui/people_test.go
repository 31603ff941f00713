package ui_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

var inviteLinkRE = regexp.MustCompile(`http://[^<"\s]+/invite/([a-z0-9]+)`)

// TestPeoplePages drives the people and team pages in both languages:
// create, change role, deactivate and reactivate an account, grant a
// service, build a team, and invite someone who then joins through the
// link; hostile input stays text and forged forms write nothing.
func TestPeoplePages(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		for _, tt := range []struct{ locale, title, once, join string }{
			{"en", "People", "shown only once", "Join warroom"},
			{"zh-CN", "人员", "只显示这一次", "加入 warroom"},
		} {
			t.Run(tt.locale, func(t *testing.T) {
				admin, actx := e.user(t, warroom.UserRoleAdmin, tt.locale)
				svc := &warroom.Service{Name: "svc-" + strings.ToLower(tt.locale), Tier: 2}
				if err := e.db.CreateService(actx, svc); err != nil {
					t.Fatal(err)
				}
				c := e.client(t)
				c.login(admin.Email)
				res, body := c.get("/admin/users")
				wantStatus(t, res, body, http.StatusOK)
				if !strings.Contains(body, tt.title) || !strings.Contains(body, `href="/admin/users"`) {
					t.Errorf("people page without its title or nav link")
				}

				evil := `<script>alert(1)</script>`
				email := "vendor-" + tt.locale + "@example.com"
				res, body = c.post("/admin/users", url.Values{"name": {evil}, "email": {email}, "role": {"contractor"}})
				wantStatus(t, res, body, http.StatusSeeOther)
				res, body = c.get("/admin/users")
				wantStatus(t, res, body, http.StatusOK)
				if strings.Contains(body, evil) || !strings.Contains(body, "&lt;script&gt;") {
					t.Errorf("a user's name is rendered as markup")
				}
				us, _, err := e.db.FindUsers(actx, warroom.UserFilter{Email: &email})
				if err != nil || len(us) != 1 {
					t.Fatalf("created user: %v %v", us, err)
				}
				v := us[0]
				uid := strconv.FormatInt(v.ID, 10)

				audit := auditTotal(t, e)
				res, body = c.post("/admin/users/"+uid, url.Values{"active": {"false"}, "csrf_token": {"forged"}})
				wantStatus(t, res, body, http.StatusForbidden)
				res, body = c.post("/admin/users/"+uid+"/grants", url.Values{"service_id": {"' OR 1=1 --"}})
				wantStatus(t, res, body, http.StatusUnprocessableEntity)
				if got := auditTotal(t, e); got != audit {
					t.Errorf("refused forms wrote %d audit entries", got-audit)
				}

				res, body = c.post("/admin/users/"+uid+"/grants", url.Values{"service_id": {strconv.FormatInt(svc.ID, 10)}})
				wantStatus(t, res, body, http.StatusSeeOther)
				if ids, _ := e.db.FindUserServiceIDs(actx, v.ID); len(ids) != 1 || ids[0] != svc.ID {
					t.Errorf("grants = %v, want [%d]", ids, svc.ID)
				}
				res, body = c.post("/admin/users/"+uid+"/grants/"+strconv.FormatInt(svc.ID, 10)+"/delete", nil)
				wantStatus(t, res, body, http.StatusSeeOther)
				if ids, _ := e.db.FindUserServiceIDs(actx, v.ID); len(ids) != 0 {
					t.Errorf("grants after revoking = %v", ids)
				}
				res, body = c.post("/admin/users/"+uid, url.Values{"role": {"viewer"}})
				wantStatus(t, res, body, http.StatusSeeOther)
				res, body = c.post("/admin/users/"+uid, url.Values{"role": {"root"}})
				wantStatus(t, res, body, http.StatusUnprocessableEntity)
				res, body = c.post("/admin/users/"+uid, url.Values{"active": {"false"}})
				wantStatus(t, res, body, http.StatusSeeOther)
				if u, _ := e.db.FindUserByID(actx, v.ID); u.Active || u.Role != warroom.UserRoleViewer {
					t.Errorf("after role change and deactivation: %+v", u)
				}
				res, body = c.post("/admin/users/"+uid, url.Values{"active": {"true"}})
				wantStatus(t, res, body, http.StatusSeeOther)

				res, body = c.get("/admin/teams")
				wantStatus(t, res, body, http.StatusOK)
				res, body = c.post("/admin/teams", url.Values{"name": {"team-" + tt.locale}, "description": {evil}})
				wantStatus(t, res, body, http.StatusSeeOther)
				ts, _ := e.db.FindTeams(actx)
				var team *warroom.Team
				for _, x := range ts {
					if x.Name == "team-"+tt.locale {
						team = x
					}
				}
				if team == nil {
					t.Fatal("the team was not created")
				}
				tid := strconv.FormatInt(team.ID, 10)
				res, body = c.post("/admin/teams/"+tid+"/members", url.Values{"user_id": {uid}})
				wantStatus(t, res, body, http.StatusSeeOther)
				res, body = c.get("/admin/teams")
				wantStatus(t, res, body, http.StatusOK)
				if !strings.Contains(body, "&lt;script&gt;") || strings.Contains(body, evil) {
					t.Errorf("teams page: member or description rendered as markup")
				}
				res, body = c.post("/admin/teams/"+tid+"/members/"+uid+"/delete", nil)
				wantStatus(t, res, body, http.StatusSeeOther)
				if x, _ := e.db.FindTeamByID(actx, team.ID); len(x.MemberIDs) != 0 {
					t.Errorf("members after removal = %v", x.MemberIDs)
				}

				// Invitation: the link is shown once, works once, signs in.
				invited := "new-" + strings.ToLower(tt.locale) + "@example.com"
				res, body = c.post("/admin/invites", url.Values{"email": {invited}, "role": {"responder"}})
				wantStatus(t, res, body, http.StatusCreated)
				m := inviteLinkRE.FindStringSubmatch(body)
				if m == nil || !strings.Contains(body, tt.once) || res.Header.Get("Cache-Control") != "no-store" {
					t.Fatalf("no invitation link shown once: %.300s", body)
				}
				secret := m[1]
				res, body = c.get("/admin/users")
				wantStatus(t, res, body, http.StatusOK)
				if strings.Contains(body, secret) {
					t.Error("the people page shows the invitation link again")
				}

				p := e.client(t)
				p.lang = tt.locale
				res, body = p.get("/invite/" + secret)
				wantStatus(t, res, body, http.StatusOK)
				if !strings.Contains(body, tt.join) || !strings.Contains(body, invited) {
					t.Errorf("invitation page: %.300s", body)
				}
				res, body = p.post("/invite/"+secret, url.Values{"name": {"New"}, "password": {"long enough password"}, "password2": {"long enough password"}, "csrf_token": {"forged"}})
				wantStatus(t, res, body, http.StatusForbidden)
				p.get("/invite/" + secret)
				res, body = p.post("/invite/"+secret, url.Values{"name": {"New"}, "password": {"short"}, "password2": {"short"}})
				wantStatus(t, res, body, http.StatusUnprocessableEntity)
				res, body = p.post("/invite/"+secret, url.Values{"name": {"New"}, "password": {"long enough password"}, "password2": {"long enough password!"}})
				wantStatus(t, res, body, http.StatusUnprocessableEntity)
				if us, _, _ := e.db.FindUsers(actx, warroom.UserFilter{Email: &invited}); len(us) != 0 {
					t.Fatal("a refused form created the account")
				}
				res, body = p.post("/invite/"+secret, url.Values{"name": {"New"}, "password": {"long enough password"}, "password2": {"long enough password"}})
				wantStatus(t, res, body, http.StatusSeeOther)
				res, body = p.get("/incidents")
				wantStatus(t, res, body, http.StatusOK)
				if _, err := e.db.AuthenticatePassword(context.Background(), invited, "long enough password"); err != nil {
					t.Errorf("the invited person cannot sign in: %v", err)
				}

				// Used, unknown and withdrawn links get one answer.
				q := e.client(t)
				res, body = q.get("/invite/" + secret)
				wantStatus(t, res, body, http.StatusNotFound)
				res, body = q.get("/invite/not-a-secret")
				wantStatus(t, res, body, http.StatusNotFound)
				inv, s2, err := e.db.CreateInvite(actx, "late-"+tt.locale+"@example.com", warroom.UserRoleViewer)
				if err != nil {
					t.Fatal(err)
				}
				c.get("/admin/users")
				res, body = c.post("/admin/invites/"+strconv.FormatInt(inv.ID, 10)+"/revoke", nil)
				wantStatus(t, res, body, http.StatusSeeOther)
				res, body = q.get("/invite/" + s2)
				wantStatus(t, res, body, http.StatusNotFound)
			})
		}
	})
}

// TestStakeholderTimeline: a stakeholder reads the timeline of an incident
// on a service it follows, and nothing of one it does not.
func TestStakeholderTimeline(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		_, actx := e.user(t, warroom.UserRoleAdmin, "en")
		followed := &warroom.Service{Name: "followed", Tier: 2}
		other := &warroom.Service{Name: "other", Tier: 2}
		for _, s := range []*warroom.Service{followed, other} {
			if err := e.db.CreateService(actx, s); err != nil {
				t.Fatal(err)
			}
		}
		mine := &warroom.Incident{Title: "Mine", Type: warroom.TypeSystemCrash, ServiceIDs: []int64{followed.ID}}
		theirs := &warroom.Incident{Title: "Theirs", Type: warroom.TypeSystemCrash, ServiceIDs: []int64{other.ID}}
		for _, inc := range []*warroom.Incident{mine, theirs} {
			if err := e.db.DeclareIncident(actx, inc); err != nil {
				t.Fatal(err)
			}
			if _, err := e.db.AddNote(actx, inc.ID, warroom.NoteInput{Text: "note on " + inc.Title}); err != nil {
				t.Fatal(err)
			}
		}
		s, _ := e.user(t, warroom.UserRoleStakeholder, "en")
		if err := e.db.GrantService(actx, s.ID, followed.ID); err != nil {
			t.Fatal(err)
		}
		c := e.client(t)
		c.login(s.Email)
		for _, path := range []string{"/incidents/%d", "/incidents/%d/live"} {
			res, body := c.get(strings.Replace(path, "%d", strconv.FormatInt(mine.ID, 10), 1))
			wantStatus(t, res, body, http.StatusOK)
			if !strings.Contains(body, "note on Mine") {
				t.Errorf("%s: the stakeholder does not see the timeline", path)
			}
			res, body = c.get(strings.Replace(path, "%d", strconv.FormatInt(theirs.ID, 10), 1))
			wantStatus(t, res, body, http.StatusNotFound)
			if strings.Contains(body, "note on Theirs") {
				t.Errorf("%s: an unfollowed incident's timeline leaks", path)
			}
		}
	})
}

// auditTotal counts the audit entries of changes; refused attempts are
// recorded too and left out here.
func auditTotal(t *testing.T, e *env) int {
	t.Helper()
	_, n, err := e.db.FindAuditEntries(context.Background(), warroom.AuditFilter{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	return n - len(refusals(t, e))
}

// refusals lists the refused attempts in the audit log, newest first.
func refusals(t *testing.T, e *env) []*warroom.AuditEntry {
	t.Helper()
	action := warroom.AuditAccessRefused
	es, _, err := e.db.FindAuditEntries(context.Background(), warroom.AuditFilter{Action: &action, Limit: warroom.MaxPageSize})
	if err != nil {
		t.Fatal(err)
	}
	return es
}
