package ui_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store/storetest"
	"github.com/warroomhq/warroom/internal/ui"
)

func TestLogin(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		u, _ := e.user(t, warroom.UserRoleResponder, "en")

		t.Run("RedirectsToLogin", func(t *testing.T) {
			c := e.client(t)
			res, body := c.get("/incidents?state=all")
			wantStatus(t, res, body, http.StatusSeeOther)
			if got, want := res.Header.Get("Location"), "/login?next="+url.QueryEscape("/incidents?state=all"); got != want {
				t.Errorf("Location = %q, want %q", got, want)
			}
			res, body = c.post("/incidents", url.Values{"title": {"x"}})
			wantStatus(t, res, body, http.StatusUnauthorized)
		})

		t.Run("WrongPassword", func(t *testing.T) {
			c := e.client(t)
			c.get("/login")
			res, body := c.post("/login", url.Values{"email": {u.Email}, "password": {"wrong password!"}})
			wantStatus(t, res, body, http.StatusUnauthorized)
			if !strings.Contains(body, "Wrong email or password.") {
				t.Errorf("body lacks the failure message: %.300s", body)
			}
		})

		t.Run("LoginFormToken", func(t *testing.T) {
			c := e.client(t)
			res, body := c.post("/login", url.Values{"email": {u.Email}, "password": {testPassword}, "csrf_token": {"forged"}})
			wantStatus(t, res, body, http.StatusForbidden)
		})

		t.Run("OK", func(t *testing.T) {
			c := e.client(t)
			c.get("/login?next=/services")
			res, body := c.post("/login", url.Values{"email": {u.Email}, "password": {testPassword}, "next": {"/services"}})
			wantStatus(t, res, body, http.StatusSeeOther)
			if got := res.Header.Get("Location"); got != "/services" {
				t.Errorf("Location = %q, want /services", got)
			}
			var sc *http.Cookie
			for _, ck := range res.Cookies() {
				if ck.Name == "warroom_session" {
					sc = ck
				}
			}
			if sc == nil || !sc.HttpOnly || sc.SameSite != http.SameSiteLaxMode || sc.Secure {
				t.Fatalf("session cookie = %+v, want HttpOnly, SameSite=Lax, not Secure over plain HTTP", sc)
			}
			res, body = c.get("/incidents")
			wantStatus(t, res, body, http.StatusOK)

			res, body = c.post("/logout", nil)
			wantStatus(t, res, body, http.StatusSeeOther)
			res, body = c.get("/incidents")
			wantStatus(t, res, body, http.StatusSeeOther)
		})

		t.Run("OffSiteNextIgnored", func(t *testing.T) {
			for _, next := range []string{"//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"} {
				c := e.client(t)
				c.get("/login")
				res, body := c.post("/login", url.Values{"email": {u.Email}, "password": {testPassword}, "next": {next}})
				wantStatus(t, res, body, http.StatusSeeOther)
				if got := res.Header.Get("Location"); got != "/incidents" {
					t.Errorf("next=%q: Location = %q, want /incidents", next, got)
				}
			}
		})
	})
}

// TestCSRF posts a declaration without a token and with a wrong one: both
// are refused and nothing is written; the right token works.
func TestCSRF(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		u, ctx := e.user(t, warroom.UserRoleResponder, "en")
		c := e.client(t)
		c.login(u.Email)
		form := func(token string) url.Values {
			return url.Values{"title": {"Checkout down"}, "type": {"system_crash"}, "users_affected": {"5"}, "csrf_token": {token}}
		}
		for _, tt := range []struct{ name, token string }{{"Missing", ""}, {"Wrong", "not-the-token"}} {
			t.Run(tt.name, func(t *testing.T) {
				res, body := c.post("/incidents", form(tt.token))
				wantStatus(t, res, body, http.StatusForbidden)
				if _, n, err := e.db.FindIncidents(ctx, warroom.IncidentFilter{}); err != nil || n != 0 {
					t.Fatalf("incidents after refused post: %d, %v; want 0", n, err)
				}
			})
		}
		t.Run("HeaderToken", func(t *testing.T) {
			req, _ := http.NewRequest("POST", c.base+"/incidents/propose", strings.NewReader("users_affected=1"))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("X-CSRF-Token", "wrong")
			res, body := c.do(req)
			wantStatus(t, res, body, http.StatusForbidden)
		})
		t.Run("OK", func(t *testing.T) {
			res, body := c.post("/incidents", form(c.csrf))
			wantStatus(t, res, body, http.StatusSeeOther)
			if _, n, err := e.db.FindIncidents(ctx, warroom.IncidentFilter{}); err != nil || n != 1 {
				t.Fatalf("incidents: %d, %v; want 1", n, err)
			}
		})
	})
}

// TestEscaping puts markup in every free-text field and checks that the
// pages show it as text.
func TestEscaping(t *testing.T) {
	e := newEnv(t, "sqlite")
	u, ctx := e.user(t, warroom.UserRoleResponder, "en")
	const evil = `<script>alert("x")</script>`
	inc := e.declare(t, ctx, evil, warroom.Impact{UsersAffected: 10})
	if _, err := e.db.AddNote(ctx, inc.ID, warroom.NoteInput{Text: `<img src=x onerror=alert(1)>`}); err != nil {
		t.Fatal(err)
	}
	c := e.client(t)
	c.login(u.Email)
	for _, path := range []string{"/incidents", "/incidents/" + strconv.FormatInt(inc.ID, 10), "/incidents/" + strconv.FormatInt(inc.ID, 10) + "/live"} {
		res, body := c.get(path)
		wantStatus(t, res, body, http.StatusOK)
		if strings.Contains(body, "<script>alert") || strings.Contains(body, "<img src=x") {
			t.Errorf("%s: markup from data is live in the page", path)
		}
		if !strings.Contains(body, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;") {
			t.Errorf("%s: the escaped title is missing", path)
		}
	}
}

// TestPermissions tries every route with every role: a role without the
// route's permission gets 403 (and, for a POST, nothing changes), one with
// it never does.
func TestPermissions(t *testing.T) {
	e := newEnv(t, "sqlite")
	_, adminCtx := e.user(t, warroom.UserRoleAdmin, "en")
	svc := &warroom.Service{Name: "payments", Tier: 1}
	if err := e.db.CreateService(adminCtx, svc); err != nil {
		t.Fatal(err)
	}
	inc := &warroom.Incident{Title: "Payments failing", Type: warroom.TypeSystemCrash, ServiceIDs: []int64{svc.ID}, Impact: warroom.Impact{UsersAffected: 20000}}
	if err := e.db.DeclareIncident(adminCtx, inc); err != nil {
		t.Fatal(err)
	}
	id := strconv.FormatInt(inc.ID, 10)
	fill := strings.NewReplacer("{id}", id, "{taskID}", "999999", "{assignmentID}", "999999", "{$}", "")

	t.Run("Anonymous", func(t *testing.T) {
		c := e.client(t)
		for _, rt := range ui.Routes() {
			path := fill.Replace(rt.Pattern)
			var res *http.Response
			var body string
			if rt.Method == "GET" {
				res, body = c.get(path)
			} else {
				res, body = c.post(path, nil)
			}
			if rt.Permission == "" {
				if res.StatusCode == http.StatusSeeOther && strings.HasPrefix(res.Header.Get("Location"), "/login?") || strings.Contains(body, "Please log in first.") {
					t.Errorf("%s %s: public route asks for login", rt.Method, path)
				}
				continue
			}
			if rt.Method == "GET" && (res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login?next=")) {
				t.Errorf("%s %s: status %d location %q, want a redirect to login", rt.Method, path, res.StatusCode, res.Header.Get("Location"))
			}
			if rt.Method == "POST" && res.StatusCode != http.StatusUnauthorized {
				t.Errorf("%s %s: status %d, want 401; %.200s", rt.Method, path, res.StatusCode, body)
			}
		}
	})

	for _, role := range warroom.UserRoles {
		t.Run(string(role), func(t *testing.T) {
			u, _ := e.user(t, role, "en")
			if role.Scoped() {
				if err := e.db.GrantService(adminCtx, u.ID, svc.ID); err != nil {
					t.Fatal(err)
				}
			}
			c := e.client(t)
			c.login(u.Email)
			before, _, err := e.db.FindEvents(adminCtx, warroom.EventFilter{IncidentID: inc.ID})
			if err != nil {
				t.Fatal(err)
			}
			for _, rt := range ui.Routes() {
				if rt.Permission == "" || rt.Pattern == "/logout" || strings.HasSuffix(rt.Pattern, "/stream") {
					continue
				}
				path := fill.Replace(rt.Pattern)
				var res *http.Response
				var body string
				if rt.Method == "GET" {
					res, body = c.get(path)
				} else {
					// Forms that would pass validation, so that a missing
					// permission check would show up as a change.
					res, body = c.post(path, url.Values{"state": {"investigating"}, "kind": {"note"}, "text": {"from " + string(role)}, "title": {"task by " + string(role)}, "severity": {"P1"}, "reason": {"test"}})
				}
				allowed := wantUIAllowed(role, rt)
				if allowed != ui.ScopedAllows(role, rt) {
					t.Errorf("%s %s: ScopedAllows(%s) = %v, the matrix says %v", rt.Method, path, role, !allowed, allowed)
				}
				if allowed && res.StatusCode == http.StatusForbidden {
					t.Errorf("%s %s: 403 for %s, which has %q; %.200s", rt.Method, path, role, rt.Permission, body)
				}
				if !allowed && res.StatusCode != http.StatusForbidden {
					t.Errorf("%s %s: status %d for %s, which lacks %q; want 403", rt.Method, path, res.StatusCode, role, rt.Permission)
				}
			}
			if !role.Can(warroom.PermRespond) {
				after, _, err := e.db.FindEvents(adminCtx, warroom.EventFilter{IncidentID: inc.ID})
				if err != nil {
					t.Fatal(err)
				}
				if len(after) != len(before) {
					t.Errorf("timeline grew from %d to %d events after refused posts", len(before), len(after))
				}
			}
		})
	}
}

// wantUIAllowed is the matrix of docs/identity.md for pages, written out
// apart from the code it checks: unscoped roles by permission; scoped roles
// only their profile, sign-out and the incident pages (a stakeholder the
// read-only ones).
func wantUIAllowed(role warroom.UserRole, rt ui.Route) bool {
	if !role.Can(rt.Permission) {
		return false
	} else if !role.Scoped() {
		return true
	}
	if rt.Pattern == "/logout" || strings.HasPrefix(rt.Pattern, "/profile") {
		return true
	}
	if !strings.HasPrefix(rt.Pattern, "/incidents/{id}") {
		return false
	}
	return role == warroom.UserRoleContractor || rt.Method == "GET"
}

// TestScopedIncidents checks that a contractor guessing an incident ID in
// the UI gets 404 and changes nothing.
func TestScopedIncidents(t *testing.T) {
	e := newEnv(t, "sqlite")
	_, adminCtx := e.user(t, warroom.UserRoleAdmin, "en")
	mine, theirs := &warroom.Service{Name: "mine", Tier: 2}, &warroom.Service{Name: "theirs", Tier: 2}
	for _, s := range []*warroom.Service{mine, theirs} {
		if err := e.db.CreateService(adminCtx, s); err != nil {
			t.Fatal(err)
		}
	}
	other := &warroom.Incident{Title: "Not yours", Type: warroom.TypeSystemCrash, ServiceIDs: []int64{theirs.ID}}
	if err := e.db.DeclareIncident(adminCtx, other); err != nil {
		t.Fatal(err)
	}
	u, _ := e.user(t, warroom.UserRoleContractor, "en")
	if err := e.db.GrantService(adminCtx, u.ID, mine.ID); err != nil {
		t.Fatal(err)
	}
	c := e.client(t)
	c.login(u.Email)
	c.get("/profile")
	id := strconv.FormatInt(other.ID, 10)
	res, body := c.get("/incidents/" + id)
	wantStatus(t, res, body, http.StatusNotFound)
	if strings.Contains(body, "Not yours") {
		t.Error("the refused page shows the incident's title")
	}
	res, body = c.post("/incidents/"+id+"/notes", url.Values{"text": {"sneaky"}, "kind": {"note"}})
	wantStatus(t, res, body, http.StatusNotFound)
	if evs, _, _ := e.db.FindEvents(adminCtx, warroom.EventFilter{IncidentID: other.ID, Kinds: []warroom.EventKind{warroom.EventNote}}); len(evs) != 0 {
		t.Errorf("the refused note was written: %+v", evs)
	}
	res, body = c.get("/incidents")
	wantStatus(t, res, body, http.StatusForbidden)
}

// TestPages renders every page in both languages for an admin with data in
// place, so that a template error or a missing message shows up.
func TestPages(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		for _, tt := range []struct{ locale, want, reason string }{{"en", "Severity matrix", "Rule “major user impact”"}, {"zh-CN", "严重级别", "规则“major user impact”"}} {
			t.Run(tt.locale, func(t *testing.T) {
				u, ctx := e.user(t, warroom.UserRoleAdmin, tt.locale)
				svc := &warroom.Service{Name: "checkout-" + tt.locale[:2], Tier: 1, Team: "payments"}
				if err := e.db.CreateService(ctx, svc); err != nil {
					t.Fatal(err)
				}
				sop := &warroom.SOPTemplate{Name: "Major outage " + tt.locale, Severities: []warroom.Severity{warroom.P0, warroom.P1}, Tasks: []string{"Open a bridge", "Notify support"}}
				if err := e.db.CreateSOPTemplate(ctx, sop); err != nil {
					t.Fatal(err)
				}
				inc := &warroom.Incident{Title: "Orders stuck", Type: warroom.TypeDataLoss, ServiceIDs: []int64{svc.ID}, Impact: warroom.Impact{UsersAffected: 50000, MoneyAffected: warroom.Money{Amount: 123456, Currency: "CNY"}}}
				if err := e.db.DeclareIncident(ctx, inc); err != nil {
					t.Fatal(err)
				}
				if _, err := e.db.AssignRole(ctx, inc.ID, warroom.RoleCommander, u.ID); err != nil {
					t.Fatal(err)
				}
				if _, err := e.db.AddNote(ctx, inc.ID, warroom.NoteInput{Kind: warroom.EventStatusUpdate, Text: "Rolling back", Visibility: warroom.VisibilityPublic}); err != nil {
					t.Fatal(err)
				}
				c := e.client(t)
				c.login(u.Email)
				id := strconv.FormatInt(inc.ID, 10)
				for _, path := range []string{"/incidents", "/incidents?state=all&severity=P1&service=" + strconv.FormatInt(svc.ID, 10) + "&q=orders", "/incidents/new",
					"/incidents/" + id, "/incidents/INC-" + id + "?kind=note", "/services", "/severity", "/sops", "/sops/" + strconv.FormatInt(sop.ID, 10), "/profile"} {
					res, body := c.get(path)
					wantStatus(t, res, body, http.StatusOK)
					if strings.Contains(body, "nav.") || strings.Contains(body, "incident.") || strings.Contains(body, "action.") {
						t.Errorf("%s: a message ID leaked into the page", path)
					}
					if !strings.Contains(body, `lang="`+tt.locale+`"`) {
						t.Errorf("%s: page is not marked lang=%q", path, tt.locale)
					}
				}
				_, body := c.get("/incidents/" + id)
				for _, want := range []string{"Orders stuck", "Rolling back", "1,234.56 CNY", "50,000", u.Name, "Open a bridge", "CST", tt.reason} {
					if !strings.Contains(body, want) {
						t.Errorf("incident page lacks %q", want)
					}
				}
				_, body = c.get("/severity")
				if !strings.Contains(body, tt.want) {
					t.Errorf("severity page lacks %q", tt.want)
				}
			})
		}
	})
}

func TestLanguageFromBrowser(t *testing.T) {
	e := newEnv(t, "sqlite")
	for _, tt := range []struct{ accept, want string }{{"zh-CN,zh;q=0.9", "登录"}, {"en-US", "Log in"}, {"", "Log in"}} {
		c := e.client(t)
		c.lang = tt.accept
		_, body := c.get("/login")
		if !strings.Contains(body, tt.want) {
			t.Errorf("Accept-Language %q: login page lacks %q", tt.accept, tt.want)
		}
	}
}

// TestActions works an incident through the forms, as a browser without
// script would, and checks each change reached the store.
func TestActions(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		u, ctx := e.user(t, warroom.UserRoleResponder, "en")
		c := e.client(t)
		c.login(u.Email)

		res, body := c.post("/incidents", url.Values{"title": {"Login broken"}, "type": {"system_crash"}, "users_affected": {"15000"}, "money_affected": {"2500.50"}, "money_affected_currency": {"CNY"}, "recovery_path": {"yes"}})
		wantStatus(t, res, body, http.StatusSeeOther)
		path := res.Header.Get("Location")
		id, err := strconv.ParseInt(strings.TrimPrefix(path, "/incidents/"), 10, 64)
		if err != nil {
			t.Fatalf("Location %q: %v", path, err)
		}
		inc, err := e.db.FindIncidentByID(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if inc.Severity != warroom.P1 || inc.Impact.UsersAffected != 15000 || inc.Impact.MoneyAffected.Amount != 250050 {
			t.Fatalf("declared %+v, want P1 with the typed impact", inc)
		}
		steps := []struct {
			name string
			path string
			form url.Values
		}{
			{"Acknowledge", "/state", url.Values{"state": {"acknowledged"}}},
			{"Note", "/notes", url.Values{"text": {"Looking at the auth service"}}},
			{"StatusUpdate", "/notes", url.Values{"kind": {"status_update"}, "visibility": {"public"}, "text": {"Login is failing for some users"}}},
			{"Severity", "/severity", url.Values{"severity": {"P0"}, "reason": {"CEO cannot log in"}}},
			{"Role", "/roles", url.Values{"role": {"commander"}, "user_id": {strconv.FormatInt(u.ID, 10)}}},
			{"Task", "/tasks", url.Values{"title": {"Check the certificate"}}},
			{"Impact", "/impact", url.Values{"users_affected": {"20000"}, "orders_affected": {"12"}}},
			{"Loss", "/loss", url.Values{"money_lost": {"5000"}, "money_lost_currency": {"CNY"}, "downtime_minutes": {"42"}}},
			{"Resolve", "/state", url.Values{"state": {"resolved"}}},
		}
		for _, s := range steps {
			res, body := c.post(path+s.path, s.form)
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("%s: status %d; %.400s", s.name, res.StatusCode, body)
			}
		}
		inc, err = e.db.FindIncidentByID(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if inc.State != warroom.StateResolved || inc.Severity != warroom.P0 || inc.Loss.DowntimeMinutes != 42 || inc.Impact.UsersAffected != 20000 || len(inc.Roles) != 1 {
			t.Errorf("after the steps: state %s severity %s loss %+v impact %+v roles %d", inc.State, inc.Severity, inc.Loss, inc.Impact, len(inc.Roles))
		}
		var task *warroom.Task
		for _, tk := range inc.Tasks {
			if tk.Title == "Check the certificate" {
				task = tk
			}
		}
		if task == nil {
			t.Fatal("the added task is missing")
		}
		res, body = c.post(path+"/tasks/"+strconv.FormatInt(task.ID, 10), url.Values{"done": {"true"}})
		wantStatus(t, res, body, http.StatusSeeOther)
		if tasks, err := e.db.FindTasks(ctx, id); err != nil {
			t.Fatal(err)
		} else {
			for _, tk := range tasks {
				if tk.ID == task.ID && !tk.Done {
					t.Error("task not checked off")
				}
			}
		}

		t.Run("IllegalTransition", func(t *testing.T) {
			res, body := c.post(path+"/state", url.Values{"state": {"acknowledged"}})
			wantStatus(t, res, body, http.StatusConflict)
			if !strings.Contains(body, "Not saved") {
				t.Errorf("the page does not say why: %.300s", body)
			}
		})
		t.Run("BadNumber", func(t *testing.T) {
			res, body := c.post("/incidents", url.Values{"title": {"x"}, "type": {"other"}, "users_affected": {"-3"}})
			wantStatus(t, res, body, http.StatusUnprocessableEntity)
			if !strings.Contains(body, "impact.users_affected") || !strings.Contains(body, `value="x"`) {
				t.Errorf("the refused form does not name the field or lost its input: %.600s", body)
			}
		})
		t.Run("Inplace", func(t *testing.T) {
			req, _ := http.NewRequest("POST", c.base+path+"/notes", strings.NewReader("text=quiet"))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("X-CSRF-Token", c.csrf)
			req.Header.Set("X-Warroom-Inplace", "1")
			res, body := c.do(req)
			wantStatus(t, res, body, http.StatusNoContent)
		})
	})
}

func TestPropose(t *testing.T) {
	e := newEnv(t, "sqlite")
	u, ctx := e.user(t, warroom.UserRoleViewer, "zh-CN")
	if err := e.db.CreateSOPTemplate(ctx, &warroom.SOPTemplate{Name: "P0 playbook", Severities: []warroom.Severity{warroom.P0}, Tasks: []string{"Page the CTO"}}); err != nil {
		// A viewer cannot change SOPs through the UI, but the store takes
		// the change from any caller; an admin context is not needed here.
		t.Fatal(err)
	}
	c := e.client(t)
	c.login(u.Email)
	for _, tt := range []struct {
		name, users string
		sev         warroom.Severity
		reason      string
		tasks       int
	}{
		{"Massive", "200000", warroom.P0, "massive user impact", 1},
		{"Minor", "150", warroom.P3, "minor user impact", 0},
		{"Nothing", "", warroom.P4, "没有匹配的规则", 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", c.base+"/incidents/propose", strings.NewReader(url.Values{"users_affected": {tt.users}, "type": {"other"}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("X-CSRF-Token", c.csrf)
			res, body := c.do(req)
			wantStatus(t, res, body, http.StatusOK)
			var got struct {
				Severity warroom.Severity
				Reason   string
				SOPs     []struct{ Tasks []string }
			}
			if err := json.Unmarshal([]byte(body), &got); err != nil {
				t.Fatal(err)
			}
			if got.Severity != tt.sev || !strings.Contains(got.Reason, tt.reason) || len(got.SOPs) != tt.tasks {
				t.Errorf("got %+v, want %s with reason containing %q and %d SOPs", got, tt.sev, tt.reason, tt.tasks)
			}
		})
	}
}

// TestStream checks that a change made elsewhere (here, straight in the
// store) reaches an open event stream.
func TestStream(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		u, ctx := e.user(t, warroom.UserRoleViewer, "en")
		inc := e.declare(t, ctx, "Cache cold", warroom.Impact{})
		c := e.client(t)
		c.login(u.Email)

		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		req, _ := http.NewRequestWithContext(sctx, "GET", c.base+"/incidents/"+strconv.FormatInt(inc.ID, 10)+"/stream", nil)
		res, err := c.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		if ct := res.Header.Get("Content-Type"); res.StatusCode != http.StatusOK || ct != "text/event-stream" {
			t.Fatalf("status %d content type %q", res.StatusCode, ct)
		}
		ev, err := e.db.AddNote(ctx, inc.ID, warroom.NoteInput{Text: "warming up"})
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(res.Body)
		for sc.Scan() {
			if sc.Text() == "id: "+strconv.FormatInt(ev.ID, 10) {
				return
			}
		}
		t.Fatalf("stream ended without announcing event %d: %v", ev.ID, sc.Err())
	})
}
