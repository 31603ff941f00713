package ui_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/api"
	"github.com/warroomhq/warroom/internal/server"
	"github.com/warroomhq/warroom/internal/statuspage"
	"github.com/warroomhq/warroom/internal/store"
	"github.com/warroomhq/warroom/internal/store/storetest"
	"github.com/warroomhq/warroom/internal/ui"
)

const testPassword = "correct horse battery"

// env is a real warroom web server on a real store, composed the way the
// binary composes it: the API and health checks beside the UI at "/".
type env struct {
	db  *store.DB
	srv *httptest.Server
	n   atomic.Int64
}

func newEnv(tb testing.TB, engine string) *env {
	tb.Helper()
	db := storetest.Open(tb, engine, nil)
	return newEnvDB(tb, db)
}

func newEnvDB(tb testing.TB, db *store.DB) *env {
	tb.Helper()
	return newEnvOIDC(tb, db, nil)
}

// newEnvOIDC is newEnvDB with single sign-on through o.
func newEnvOIDC(tb testing.TB, db *store.DB, o *ui.OIDC) *env {
	tb.Helper()
	logger := slog.New(slog.DiscardHandler)
	sp, err := statuspage.New(statuspage.Deps{StatusPage: db, Subscribers: db, Logger: logger})
	if err != nil {
		tb.Fatal(err)
	}
	uh, err := ui.New(ui.Deps{
		Incidents: db, Severity: db, Services: db, Roles: db, SOPs: db, Timeline: db, Users: db, Sessions: db,
		Changes: db, ChangePolicy: db,
		Teams: db, OIDC: o, Audit: db, AuditVerifier: db, Approvals: db, Invites: db, Refusals: db,
		Postmortems: db, ActionItems: db, Search: db, Calendars: db, Insights: db,
		Stakeholders: db, StatusPage: db, Subscribers: db,
		Schedules: db, Escalations: db, Contacts: db,
		Alerts: db, Integrations: db, Routing: db, Monitors: db, Maintenance: db,
		Hooks: db, Drills: db, DrillPreview: sp,
		Logger: logger, PollInterval: 100 * time.Millisecond,
	})
	if err != nil {
		tb.Fatal(err)
	}
	ah := api.New(api.Deps{Incidents: db, Severity: db, Services: db, Roles: db, SOPs: db, Timeline: db, Users: db, Audit: db, Logger: logger})
	mux := http.NewServeMux()
	mux.Handle("/api/", ah)
	mux.Handle("/healthz", ah)
	mux.Handle("/readyz", ah)
	mux.Handle("/status/", sp)
	mux.Handle("/", uh)
	srv := httptest.NewServer(server.WithMiddleware(mux, logger))
	tb.Cleanup(srv.Close)
	return &env{db: db, srv: srv}
}

// user creates an active user with a password and returns it with a context
// carrying it.
func (e *env) user(tb testing.TB, role warroom.UserRole, locale string) (*warroom.User, context.Context) {
	tb.Helper()
	n := e.n.Add(1)
	u := &warroom.User{Name: fmt.Sprintf("%s %d", role, n), Email: fmt.Sprintf("%s%d@example.com", role, n), Role: role, Locale: locale, TimeZone: "Asia/Shanghai"}
	ctx := context.Background()
	if err := e.db.CreateUser(ctx, u); err != nil {
		tb.Fatalf("create user: %v", err)
	}
	if err := e.db.SetPassword(ctx, u.ID, testPassword); err != nil {
		tb.Fatalf("set password: %v", err)
	}
	return u, warroom.NewContextWithUser(ctx, u)
}

// declare stores an incident directly, as the API or another instance would.
func (e *env) declare(tb testing.TB, ctx context.Context, title string, im warroom.Impact) *warroom.Incident {
	tb.Helper()
	inc := &warroom.Incident{Title: title, Type: warroom.TypeSystemCrash, Impact: im}
	if err := e.db.DeclareIncident(ctx, inc); err != nil {
		tb.Fatalf("declare: %v", err)
	}
	return inc
}

// client is a cookie-keeping HTTP client that does not follow redirects,
// so tests can see them.
type client struct {
	tb   testing.TB
	c    *http.Client
	base string
	csrf string
	lang string
}

func (e *env) client(tb testing.TB) *client {
	jar, _ := cookiejar.New(nil)
	return &client{tb: tb, base: e.srv.URL, c: &http.Client{
		Jar: jar, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

var csrfRE = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

func (c *client) do(req *http.Request) (*http.Response, string) {
	c.tb.Helper()
	if c.lang != "" {
		req.Header.Set("Accept-Language", c.lang)
	}
	res, err := c.c.Do(req)
	if err != nil {
		c.tb.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	body := string(b)
	if m := csrfRE.FindStringSubmatch(body); m != nil {
		c.csrf = m[1]
	}
	return res, body
}

func (c *client) get(path string) (*http.Response, string) {
	c.tb.Helper()
	req, _ := http.NewRequest("GET", c.base+path, nil)
	return c.do(req)
}

// post sends a form with the current CSRF token unless form sets one.
func (c *client) post(path string, form url.Values) (*http.Response, string) {
	c.tb.Helper()
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form["csrf_token"]; !ok {
		form.Set("csrf_token", c.csrf)
	}
	req, _ := http.NewRequest("POST", c.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

// login logs in through the form and fails the test unless it worked.
func (c *client) login(email string) {
	c.tb.Helper()
	c.get("/login")
	res, body := c.post("/login", url.Values{"email": {email}, "password": {testPassword}, "next": {"/incidents"}})
	if res.StatusCode != http.StatusSeeOther {
		c.tb.Fatalf("login: status %d, body %.300s", res.StatusCode, body)
	}
	// The pages after login carry the session's CSRF token.
	c.get("/incidents")
}

func wantStatus(tb testing.TB, res *http.Response, body string, want int) {
	tb.Helper()
	if res.StatusCode != want {
		tb.Fatalf("%s %s: status %d, want %d; body: %.500s", res.Request.Method, res.Request.URL.Path, res.StatusCode, want, body)
	}
}
