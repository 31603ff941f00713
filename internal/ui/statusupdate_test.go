package ui_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/server"
	"github.com/warroomhq/warroom/internal/statuspage"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

// TestStatusUpdateForm posts a public status update from the incident page
// and finds it on the public status page, composed as the binary composes
// it; a post without the CSRF token and one by a viewer write nothing.
func TestStatusUpdateForm(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		_, actx := e.user(t, warroom.UserRoleAdmin, "en")
		responder, _ := e.user(t, warroom.UserRoleResponder, "zh-CN")
		viewer, _ := e.user(t, warroom.UserRoleViewer, "en")
		comp := &warroom.Component{Name: "Checkout", Group: "Core"}
		if err := e.db.CreateComponent(actx, comp); err != nil {
			t.Fatal(err)
		}
		inc := e.declare(t, actx, "Primary database failover loop", warroom.Impact{UsersAffected: 500})
		id := itoa(inc.ID)

		logger := slog.New(slog.DiscardHandler)
		sp, err := statuspage.New(statuspage.Deps{StatusPage: e.db, Subscribers: e.db, Logger: logger, CheckInterval: time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		mux := http.NewServeMux()
		mux.Handle("/status", sp)
		mux.Handle("/status/", sp)
		pub := httptest.NewServer(server.WithMiddleware(mux, logger))
		t.Cleanup(pub.Close)
		statusPage := func() string {
			t.Helper()
			res, err := http.Get(pub.URL + "/status")
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			b, _ := io.ReadAll(res.Body)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("GET /status: %d", res.StatusCode)
			}
			return string(b)
		}
		written := func() int {
			t.Helper()
			us, err := e.db.FindStatusUpdates(actx, inc.ID)
			if err != nil {
				t.Fatal(err)
			}
			return len(us)
		}
		form := func(token string) url.Values {
			return url.Values{
				"public_status": {"identified"}, "public_title": {"Checkout errors"},
				"what_happened": {"Some payments fail at checkout."}, "impact": {"About one in ten payments."},
				"actions": {"Moving traffic to the standby."}, "next_in": {"30"},
				"component_" + itoa(comp.ID): {"major_outage"}, "csrf_token": {token},
			}
		}

		c := e.client(t)
		c.login(responder.Email)
		res, body := c.get("/incidents/" + id)
		wantStatus(t, res, body, http.StatusOK)
		for _, want := range []string{`action="/incidents/` + id + `/status-updates"`, "发布公开状态更新", `name="component_` + itoa(comp.ID) + `"`} {
			if !strings.Contains(body, want) {
				t.Errorf("incident page lacks %q", want)
			}
		}

		t.Run("NoCSRF", func(t *testing.T) {
			res, body := c.post("/incidents/"+id+"/status-updates", form(""))
			wantStatus(t, res, body, http.StatusForbidden)
			if n := written(); n != 0 {
				t.Errorf("status updates after refused post: %d, want 0", n)
			}
		})
		t.Run("Invalid", func(t *testing.T) {
			f := form(c.csrf)
			f.Set("next_in", "99999999999999")
			res, body := c.post("/incidents/"+id+"/status-updates", f)
			wantStatus(t, res, body, http.StatusUnprocessableEntity)
			if !strings.Contains(body, "必须是整数分钟") {
				i := strings.Index(body, `role="alert"`)
				t.Errorf("the error does not say what is wrong: %.300s", body[max(i, 0):])
			}
			if n := written(); n != 0 {
				t.Errorf("status updates after invalid post: %d, want 0", n)
			}
		})
		t.Run("OK", func(t *testing.T) {
			before := time.Now()
			res, body := c.post("/incidents/"+id+"/status-updates", form(c.csrf))
			wantStatus(t, res, body, http.StatusSeeOther)
			if got := res.Header.Get("Location"); got != "/incidents/"+id {
				t.Errorf("redirect to %q, want the incident", got)
			}
			us, err := e.db.FindStatusUpdates(actx, inc.ID)
			if err != nil || len(us) != 1 {
				t.Fatalf("status updates: %d, %v; want 1", len(us), err)
			}
			u := us[0]
			if u.Audience != warroom.AudiencePublic || u.PublicStatus != warroom.PublicIdentified || u.PublicTitle != "Checkout errors" || u.Actions != "Moving traffic to the standby." {
				t.Errorf("stored %+v", u)
			}
			if len(u.Components) != 1 || u.Components[0] != (warroom.ComponentImpact{ComponentID: comp.ID, Status: warroom.ComponentMajorOutage}) {
				t.Errorf("components: got %+v, want %d major_outage", u.Components, comp.ID)
			}
			if u.NextUpdateBy == nil || u.NextUpdateBy.Before(before.Add(29*time.Minute)) || u.NextUpdateBy.After(time.Now().Add(31*time.Minute)) {
				t.Errorf("next update by %v, want about 30 minutes from now", u.NextUpdateBy)
			}
			page := statusPage()
			for _, want := range []string{"Checkout errors", "Some payments fail at checkout."} {
				if !strings.Contains(page, want) {
					t.Errorf("/status lacks %q", want)
				}
			}
			if strings.Contains(page, inc.Title) {
				t.Error("/status shows the internal title although a public one was given")
			}
			if _, body := c.get("/incidents/" + id); !strings.Contains(body, "Some payments fail at checkout.") {
				t.Error("the incident page's status updates lack the new one")
			}
		})

		t.Run("Viewer", func(t *testing.T) {
			v := e.client(t)
			v.login(viewer.Email)
			res, body := v.get("/incidents/" + id)
			wantStatus(t, res, body, http.StatusOK)
			if strings.Contains(body, "/status-updates") {
				t.Error("a viewer is shown the status update form")
			}
			if v.csrf == "" {
				t.Fatal("no CSRF token for the viewer: a 403 would not show the permission check")
			}
			res, body = v.post("/incidents/"+id+"/status-updates", form(v.csrf))
			wantStatus(t, res, body, http.StatusForbidden)
			if n := written(); n != 1 {
				t.Errorf("status updates after a viewer's post: %d, want 1", n)
			}
		})
	})
}
