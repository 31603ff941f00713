package api_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/api"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

var pathWildcard = regexp.MustCompile(`\{[^}]+\}`)

// publicRoutes are the only routes that may declare no permission. A new
// route without one fails TestRoutePermissions until it is listed here,
// which should happen only for routes that authenticate themselves.
var publicRoutes = map[string]bool{
	"GET /healthz": true,
	"GET /readyz":  true,
	// PagerDuty change events authenticate by the routing key in the body.
	"POST /v2/change/enqueue": true,
}

// TestRoutePermissions walks every registered route with every role.
// Without a token each is refused with 401; a role whose permission or
// scope does not cover the route is refused with 403 and nothing is
// written; a role that is covered is never refused. The contractor and
// the stakeholder are granted the incident's service, so that incident
// routes are theirs and everything else is not.
func TestRoutePermissions(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		h := newHarness(t, engine)
		ctx := context.Background()
		svc := &warroom.Service{Name: "checkout", Tier: 1}
		if err := h.db.CreateService(warroom.NewContextWithUser(ctx, h.admin), svc); err != nil {
			t.Fatal(err)
		}
		inc := h.declare(map[string]any{"title": "Something", "type": "other", "service_ids": []int64{svc.ID}})
		tokens := map[warroom.UserRole]string{}
		users := map[warroom.UserRole]*warroom.User{}
		for _, role := range warroom.UserRoles {
			users[role], _, tokens[role] = storetest.User(t, h.db, role)
			if role.Scoped() {
				if err := h.db.GrantService(ctx, users[role].ID, svc.ID); err != nil {
					t.Fatal(err)
				}
			}
		}
		// Sub-resource IDs that exist nowhere, so that an allowed request
		// cannot delete or revoke anything the walk still needs.
		fill := func(r api.Route, role warroom.UserRole) string {
			p := strings.Replace(r.Pattern, "{id}", strconv.FormatInt(inc.ID, 10), 1)
			if strings.HasPrefix(r.Pattern, "/api/v1/users/{id}") {
				p = strings.Replace(r.Pattern, "{id}", strconv.FormatInt(users[role].ID, 10), 1)
			}
			return pathWildcard.ReplaceAllString(p, "999999")
		}
		for _, r := range api.Routes() {
			key := r.Method + " " + r.Pattern
			if r.Permission == "" {
				if !publicRoutes[key] {
					t.Errorf("%s declares no permission; every route needs one (or a place in publicRoutes if it authenticates itself)", key)
				}
				continue
			}
			var body any
			if r.Method != http.MethodGet && r.Method != http.MethodDelete {
				body = "{}"
			}
			t.Run(key, func(t *testing.T) {
				h := h.with(t)
				audit := h.auditTotal()
				path := fill(r, warroom.UserRoleViewer)
				resp := h.do("", r.Method, path, body)
				if resp.status != http.StatusUnauthorized || resp.header.Get("WWW-Authenticate") == "" {
					t.Errorf("no token: %d WWW-Authenticate %q, want 401 and a challenge", resp.status, resp.header.Get("WWW-Authenticate"))
				}
				if resp := h.do("wr_not_a_real_token", r.Method, path, body); resp.status != http.StatusUnauthorized {
					t.Errorf("unknown token: %d, want 401", resp.status)
				}
				for _, role := range warroom.UserRoles {
					path := fill(r, role)
					resp := h.do(tokens[role], r.Method, path, body)
					allowed := wantAllowed(role, r)
					if allowed != api.ScopedAllows(role, r) {
						t.Errorf("%s: ScopedAllows = %v, the matrix says %v", role, !allowed, allowed)
					}
					switch {
					case !allowed && resp.status != http.StatusForbidden:
						t.Errorf("%s: %d for %s, want 403: %.200s", path, resp.status, role, resp.body)
					case allowed && (resp.status == http.StatusForbidden || resp.status == http.StatusUnauthorized):
						t.Errorf("%s: %d for %s, which the route allows: %.200s", path, resp.status, role, resp.body)
					}
					if !allowed {
						if got := h.auditTotal(); got != audit {
							t.Errorf("%s: audit entries = %d, was %d: a refused request wrote something", role, got, audit)
						}
					}
					audit = h.auditTotal()
				}
			})
		}
	})
}

// wantAllowed is the matrix of docs/identity.md, written out apart from
// the code it checks: unscoped roles by permission; a stakeholder reads
// itself, the incident list, one incident and its timeline; a contractor also works
// incidents, but reaches nothing else.
func wantAllowed(role warroom.UserRole, r api.Route) bool {
	if !role.Can(r.Permission) {
		return false
	}
	self := r.Pattern == "/api/v1/me" || strings.HasPrefix(r.Pattern, "/api/v1/users/{id}/tokens")
	switch role {
	case warroom.UserRoleStakeholder:
		return self || r.Method == http.MethodGet && (r.Pattern == "/api/v1/incidents" || r.Pattern == "/api/v1/incidents/{id}" || r.Pattern == "/api/v1/incidents/{id}/events")
	case warroom.UserRoleContractor:
		return self || (r.Pattern == "/api/v1/incidents" && r.Method == http.MethodGet) || strings.HasPrefix(r.Pattern, "/api/v1/incidents/{id}")
	}
	return true
}

// TestRolePolicy pins the permission matrix of docs/identity.md, so that
// a change to it is deliberate.
func TestRolePolicy(t *testing.T) {
	for _, tt := range []struct {
		role                         warroom.UserRole
		read, respond, admin, ingest bool
		scoped                       bool
	}{
		{warroom.UserRoleOwner, true, true, true, true, false},
		{warroom.UserRoleAdmin, true, true, true, true, false},
		{warroom.UserRoleResponder, true, true, false, true, false},
		{warroom.UserRoleViewer, true, false, false, false, false},
		{warroom.UserRoleStakeholder, true, false, false, false, true},
		{warroom.UserRoleContractor, true, true, false, false, true},
	} {
		t.Run(string(tt.role), func(t *testing.T) {
			got := [5]bool{tt.role.Can(warroom.PermRead), tt.role.Can(warroom.PermRespond), tt.role.Can(warroom.PermAdmin), tt.role.Can(warroom.PermIngest), tt.role.Scoped()}
			want := [5]bool{tt.read, tt.respond, tt.admin, tt.ingest, tt.scoped}
			if got != want {
				t.Errorf("read, respond, admin, ingest, scoped = %v, want %v", got, want)
			}
		})
	}
	for _, r := range api.Routes() {
		if r.Pattern == "/api/v1/audit" || strings.HasPrefix(r.Pattern, "/api/v1/audit/") || strings.HasPrefix(r.Pattern, "/api/v1/approval") {
			for _, role := range []warroom.UserRole{warroom.UserRoleContractor, warroom.UserRoleStakeholder, warroom.UserRoleResponder, warroom.UserRoleViewer} {
				if api.ScopedAllows(role, r) {
					t.Errorf("%s %s is open to %s", r.Method, r.Pattern, role)
				}
			}
		}
	}
}

// TestContractorScope checks that a contractor guessing IDs reaches
// nothing it was not granted, and that the incident list shows only what
// it may see.
func TestContractorScope(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		h := newHarness(t, engine)
		actx := warroom.NewContextWithUser(context.Background(), h.admin)
		granted := &warroom.Service{Name: "granted", Tier: 2}
		other := &warroom.Service{Name: "other", Tier: 2}
		for _, s := range []*warroom.Service{granted, other} {
			if err := h.db.CreateService(actx, s); err != nil {
				t.Fatal(err)
			}
		}
		mine := h.declare(map[string]any{"title": "Mine", "type": "other", "service_ids": []int64{granted.ID}})
		theirs := h.declare(map[string]any{"title": "Theirs", "type": "other", "service_ids": []int64{other.ID}})
		both := h.declare(map[string]any{"title": "Both", "type": "other", "service_ids": []int64{granted.ID, other.ID}})
		c, _, tok := storetest.User(t, h.db, warroom.UserRoleContractor)
		s, _, stok := storetest.User(t, h.db, warroom.UserRoleStakeholder)
		for _, u := range []*warroom.User{c, s} {
			if err := h.db.GrantService(actx, u.ID, granted.ID); err != nil {
				t.Fatal(err)
			}
		}

		var list page[*warroom.Incident]
		h.ok(tok, "GET", "/api/v1/incidents", nil, http.StatusOK, &list)
		if list.Total != 1 || list.Incidents[0].ID != mine.ID {
			t.Errorf("contractor sees %d incidents %+v, want only %d", list.Total, list.Incidents, mine.ID)
		}
		h.ok(stok, "GET", "/api/v1/incidents", nil, http.StatusOK, &list)
		if list.Total != 2 {
			t.Errorf("stakeholder sees %d incidents, want 2 (any followed service)", list.Total)
		}
		h.ok(tok, "GET", fmt.Sprintf("/api/v1/incidents/%d", mine.ID), nil, http.StatusOK, nil)
		h.ok(tok, "POST", fmt.Sprintf("/api/v1/incidents/%d/notes", mine.ID), map[string]any{"text": "on it"}, http.StatusCreated, nil)

		audit := h.auditTotal()
		for _, id := range []int64{theirs.ID, both.ID, 999999} {
			for _, rt := range []struct{ method, path string }{
				{"GET", "/api/v1/incidents/%d"},
				{"GET", "/api/v1/incidents/%d/events"},
				{"POST", "/api/v1/incidents/%d/notes"},
				{"PATCH", "/api/v1/incidents/%d"},
			} {
				h.fail(tok, rt.method, fmt.Sprintf(rt.path, id), map[string]any{"text": "sneaky"}, http.StatusNotFound, "")
			}
		}
		h.fail(stok, "POST", fmt.Sprintf("/api/v1/incidents/%d/notes", mine.ID), map[string]any{"text": "x"}, http.StatusForbidden, "")
		// A stakeholder follows the timeline of what it may see, and of
		// nothing else.
		var evs struct{ Events []*warroom.Event }
		h.ok(stok, "GET", fmt.Sprintf("/api/v1/incidents/%d/events", mine.ID), nil, http.StatusOK, &evs)
		if len(evs.Events) == 0 {
			t.Error("stakeholder: the timeline of a followed incident is empty")
		}
		h.fail(stok, "GET", fmt.Sprintf("/api/v1/incidents/%d/events", theirs.ID), nil, http.StatusNotFound, "")
		h.fail(stok, "GET", "/api/v1/incidents/999999/events", nil, http.StatusNotFound, "")
		h.fail(stok, "GET", fmt.Sprintf("/api/v1/incidents/%d/tasks", mine.ID), nil, http.StatusForbidden, "")
		h.fail(tok, "GET", "/api/v1/audit", nil, http.StatusForbidden, "")
		h.fail(tok, "GET", "/api/v1/audit/export", nil, http.StatusForbidden, "")
		h.fail(tok, "GET", "/api/v1/services", nil, http.StatusForbidden, "")
		h.fail(tok, "GET", "/api/v1/users", nil, http.StatusForbidden, "")
		if got := h.auditTotal(); got != audit {
			t.Errorf("audit entries = %d, was %d", got, audit)
		}
	})
}

// TestTokenScopes checks that a token does no more than its scopes, and
// that expired and revoked tokens are refused.
func TestTokenScopes(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		h := newHarness(t, engine)
		own := fmt.Sprintf("/api/v1/users/%d/tokens", h.admin.ID)
		issue := func(body map[string]any) string {
			var created struct{ Secret string }
			h.ok(h.adminToken, "POST", own, body, http.StatusCreated, &created)
			return created.Secret
		}
		read := issue(map[string]any{"name": "read", "scopes": []string{"read"}})
		ingest := issue(map[string]any{"name": "ingest", "scopes": []string{"ingest"}})
		write := issue(map[string]any{"name": "write", "scopes": []string{"read", "write"}})

		audit := h.auditTotal()
		h.ok(read, "GET", "/api/v1/incidents", nil, http.StatusOK, nil)
		h.fail(read, "POST", "/api/v1/incidents", map[string]any{"title": "x", "type": "other"}, http.StatusForbidden, "")
		h.fail(ingest, "GET", "/api/v1/incidents", nil, http.StatusForbidden, "")
		h.fail(write, "POST", "/api/v1/services", map[string]any{"name": "x", "tier": 1}, http.StatusForbidden, "")
		if got := h.auditTotal(); got != audit {
			t.Errorf("audit entries = %d, was %d", got, audit)
		}
		h.ok(write, "POST", "/api/v1/incidents", map[string]any{"title": "x", "type": "other"}, http.StatusCreated, nil)

		h.fail(h.adminToken, "POST", own, map[string]any{"name": "bad", "scopes": []string{"root"}}, http.StatusUnprocessableEntity, "scopes")
		h.fail(h.adminToken, "POST", own, map[string]any{"name": "svc", "kind": "service"}, http.StatusUnprocessableEntity, "expires_at")
		h.fail(h.viewerToken, "POST", fmt.Sprintf("/api/v1/users/%d/tokens", h.viewer.ID), map[string]any{"name": "svc", "kind": "service", "expires_at": "2999-01-01T00:00:00Z"}, http.StatusForbidden, "")

		h.fail(h.adminToken, "POST", "/api/v1/tokens/revoke-all", map[string]any{}, http.StatusUnprocessableEntity, "user_id")
		var n struct{ Revoked int }
		h.ok(h.adminToken, "POST", "/api/v1/tokens/revoke-all", map[string]any{"user_id": h.viewer.ID}, http.StatusOK, &n)
		if n.Revoked != 1 {
			t.Errorf("revoked = %d, want 1", n.Revoked)
		}
		h.fail(h.viewerToken, "GET", "/api/v1/me", nil, http.StatusUnauthorized, "")
	})
}
