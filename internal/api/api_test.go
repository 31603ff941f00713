package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/api"
	"github.com/warroomhq/warroom/internal/server"
	"github.com/warroomhq/warroom/internal/store"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

// harness is the API served over real HTTP on a real, empty store, with one
// user of each role.
type harness struct {
	t   testing.TB
	db  *store.DB
	url string

	admin, responder, viewer                *warroom.User
	adminToken, responderToken, viewerToken string
}

func newHarness(t testing.TB, engine string) *harness {
	t.Helper()
	db := storetest.Open(t, engine, nil)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	ts := httptest.NewServer(server.WithMiddleware(api.New(deps(db, logger)), logger))
	t.Cleanup(ts.Close)
	h := &harness{t: t, db: db, url: ts.URL}
	h.admin, _, h.adminToken = storetest.User(t, db, warroom.UserRoleAdmin)
	h.responder, _, h.responderToken = storetest.User(t, db, warroom.UserRoleResponder)
	h.viewer, _, h.viewerToken = storetest.User(t, db, warroom.UserRoleViewer)
	return h
}

// with returns the harness reporting to t, for use inside a subtest:
// failing the parent from a subtest is not allowed.
func (h *harness) with(t *testing.T) *harness {
	c := *h
	c.t = t
	return &c
}

func deps(db *store.DB, logger *slog.Logger) api.Deps {
	return api.Deps{
		Incidents: db, Severity: db, Services: db, Roles: db, SOPs: db,
		Timeline: db, Users: db, Audit: db, Ready: db.Ping, Logger: logger,
		Teams: db, Approvals: db, AuditVerifier: db, Invites: db, Refusals: db,
		Postmortems: db, ActionItems: db, Reminders: db, Search: db, Calendars: db,
		Changes: db, ChangePolicy: db, ChangeKeys: db, Insights: db,
		Stakeholders: db, StatusPage: db, Subscribers: db,
		Schedules: db, Escalations: db, Contacts: db, Notifications: db,
		Integrations: db, Alerts: db, Routing: db, Monitors: db, Maintenance: db, Drills: db,
		Hooks: db,
	}
}

// response is what came back from one request.
type response struct {
	status int
	header http.Header
	body   []byte
}

// do sends a request with token (none when empty). A string or []byte body
// is sent as is; anything else is encoded as JSON.
func (h *harness) do(token, method, path string, body any) response {
	h.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			h.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequestWithContext(context.Background(), method, h.url+path, rd)
	if err != nil {
		h.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

// ok sends a request that must answer want and decodes the body into out.
func (h *harness) ok(token, method, path string, body any, want int, out any) {
	h.t.Helper()
	r := h.do(token, method, path, body)
	if r.status != want {
		h.t.Fatalf("%s %s: status = %d, want %d: %s", method, path, r.status, want, r.body)
	}
	if out != nil {
		if err := json.Unmarshal(r.body, out); err != nil {
			h.t.Fatalf("%s %s: decode %s: %v", method, path, r.body, err)
		}
	}
}

// fail sends a request that must fail with status and, if field is not
// empty, name that field; it returns the error.
func (h *harness) fail(token, method, path string, body any, status int, field string) server.ErrorDetail {
	h.t.Helper()
	r := h.do(token, method, path, body)
	if r.status != status {
		h.t.Fatalf("%s %s: status = %d, want %d: %s", method, path, r.status, status, r.body)
	}
	var e server.ErrorResponse
	if err := json.Unmarshal(r.body, &e); err != nil {
		h.t.Fatalf("%s %s: error body %q: %v", method, path, r.body, err)
	}
	if e.Error.Code == "" || e.Error.Message == "" {
		h.t.Errorf("%s %s: error without code or message: %s", method, path, r.body)
	}
	if field != "" && e.Error.Field != field {
		h.t.Errorf("%s %s: field = %q, want %q (%s)", method, path, e.Error.Field, field, e.Error.Message)
	}
	return e.Error
}

// page is the envelope of every paged list.
type page[T any] struct {
	Incidents []T `json:"incidents"`
	Events    []T `json:"events"`
	Services  []T `json:"services"`
	Users     []T `json:"users"`
	Entries   []T `json:"entries"`
	Total     int `json:"total"`
	Offset    int `json:"offset"`
	Limit     int `json:"limit"`
}

// auditTotal counts audit entries of changes straight from the store:
// every change writes one, so an unchanged count means nothing was
// written. Refusals are left out: they are counted by refusals.
func (h *harness) auditTotal() int {
	h.t.Helper()
	_, n, err := h.db.FindAuditEntries(context.Background(), warroom.AuditFilter{Limit: 1})
	if err != nil {
		h.t.Fatal(err)
	}
	action := warroom.AuditAccessRefused
	_, refused, err := h.db.FindAuditEntries(context.Background(), warroom.AuditFilter{Action: &action, Limit: 1})
	if err != nil {
		h.t.Fatal(err)
	}
	return n - refused
}

// refusals returns the refusals recorded in the audit log, newest first.
func (h *harness) refusals() []*warroom.AuditEntry {
	h.t.Helper()
	action := warroom.AuditAccessRefused
	es, _, err := h.db.FindAuditEntries(context.Background(), warroom.AuditFilter{Action: &action, Limit: warroom.MaxPageSize})
	if err != nil {
		h.t.Fatal(err)
	}
	return es
}

// declare opens an incident as the responder and returns it.
func (h *harness) declare(body any) *warroom.Incident {
	h.t.Helper()
	var inc warroom.Incident
	h.ok(h.responderToken, "POST", "/api/v1/incidents", body, http.StatusCreated, &inc)
	return &inc
}
