package api_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"slices"
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

// scopeSets are the token scopes the matrix walks, each with every role
// that may hold it (a token is never issued beyond its owner's role).
var scopeSets = [][]warroom.TokenScope{
	{warroom.ScopeRead},
	{warroom.ScopeRead, warroom.ScopeWrite},
	{warroom.ScopeRead, warroom.ScopeWrite, warroom.ScopeAdmin},
	{warroom.ScopeIngest},
}

// TestRoutePermissions is the permission matrix, generated: every
// registered route × every role × every scope set the role may hold ×
// the object of the path granted (the caller's own user, an incident and
// change on a granted service) or not (another user, another service),
// against the permission docs/api.md documents for the route. Without a
// token each route is refused with 401; what the matrix refuses is
// refused with 403 (404 for a scoped user naming an incident or change it
// may not see) and changes nothing; what it allows is never refused. A
// route missing from docs/api.md fails TestDocumentedPermissions.
func TestRoutePermissions(t *testing.T) {
	documented := documentedPermissions(t)
	storetest.Run(t, func(t *testing.T, engine string) {
		h := newHarness(t, engine)
		ctx := context.Background()
		actx := warroom.NewContextWithUser(ctx, h.admin)
		svc := &warroom.Service{Name: "checkout", Tier: 1}
		otherSvc := &warroom.Service{Name: "billing", Tier: 1}
		for _, s := range []*warroom.Service{svc, otherSvc} {
			if err := h.db.CreateService(actx, s); err != nil {
				t.Fatal(err)
			}
		}
		inc := h.declare(map[string]any{"title": "Something", "type": "other", "service_ids": []int64{svc.ID}})
		otherInc := h.declare(map[string]any{"title": "Elsewhere", "type": "other", "service_ids": []int64{otherSvc.ID}})
		var change, otherChange warroom.Change
		h.ok(h.responderToken, "POST", "/api/v1/changes", map[string]any{"kind": "deploy", "title": "mine", "service_ids": []int64{svc.ID}}, http.StatusCreated, &change)
		h.ok(h.responderToken, "POST", "/api/v1/changes", map[string]any{"kind": "deploy", "title": "theirs", "service_ids": []int64{otherSvc.ID}}, http.StatusCreated, &otherChange)
		other, _, _ := storetest.User(t, h.db, warroom.UserRoleViewer)

		type caller struct {
			role   warroom.UserRole
			scopes []warroom.TokenScope
			user   *warroom.User
			token  string
		}
		var callers []caller
		for _, role := range warroom.UserRoles {
			u, _, _ := storetest.User(t, h.db, role)
			if role.Scoped() {
				if err := h.db.GrantService(ctx, u.ID, svc.ID); err != nil {
					t.Fatal(err)
				}
			}
			for _, scopes := range scopeSets {
				_, secret, err := h.db.IssueToken(ctx, u.ID, warroom.TokenInput{Name: "matrix", Scopes: scopes})
				if warroom.ErrorCode(err) == warroom.EFORBIDDEN {
					continue // beyond the role: TestTokenCeiling
				} else if err != nil {
					t.Fatal(err)
				}
				callers = append(callers, caller{role, scopes, u, secret})
			}
		}
		// Sub-resource IDs that exist nowhere, so that an allowed request
		// cannot delete or revoke anything the walk still needs.
		fill := func(r api.Route, c caller, granted bool) string {
			p := r.Pattern
			switch {
			case strings.HasPrefix(p, "/api/v1/users/{id}"):
				id := c.user.ID
				if !granted {
					id = other.ID
				}
				p = strings.Replace(p, "{id}", strconv.FormatInt(id, 10), 1)
			case granted:
				p = strings.Replace(p, "{id}", strconv.FormatInt(inc.ID, 10), 1)
			default:
				p = strings.Replace(p, "{id}", strconv.FormatInt(otherInc.ID, 10), 1)
			}
			if granted {
				p = strings.Replace(p, "{changeID}", change.Number, 1)
			} else {
				p = strings.Replace(p, "{changeID}", otherChange.Number, 1)
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
			doc, ok := documented[key]
			if !ok {
				continue // TestDocumentedPermissions names it
			}
			var body any
			if r.Method != http.MethodGet && r.Method != http.MethodDelete {
				body = "{}"
			}
			// Only a path naming a user, an incident or a change has an
			// object that can be granted or not.
			variants := []bool{true}
			if strings.HasPrefix(r.Pattern, "/api/v1/users/{id}") || strings.HasPrefix(r.Pattern, "/api/v1/incidents/{id}") {
				variants = append(variants, false)
			}
			t.Run(key, func(t *testing.T) {
				h := h.with(t)
				audit := h.auditTotal()
				path := fill(r, callers[0], true)
				resp := h.do("", r.Method, path, body)
				if resp.status != http.StatusUnauthorized || resp.header.Get("WWW-Authenticate") == "" {
					t.Errorf("no token: %d WWW-Authenticate %q, want 401 and a challenge", resp.status, resp.header.Get("WWW-Authenticate"))
				}
				if resp := h.do("wr_not_a_real_token", r.Method, path, body); resp.status != http.StatusUnauthorized {
					t.Errorf("unknown token: %d, want 401", resp.status)
				}
				for _, role := range warroom.UserRoles {
					if allowed := wantAllowed(role, r); allowed != api.ScopedAllows(role, r) {
						t.Errorf("%s: ScopedAllows = %v, the matrix says %v", role, !allowed, allowed)
					}
				}
				for _, c := range callers {
					for _, granted := range variants {
						path := fill(r, c, granted)
						resp := h.do(c.token, r.Method, path, body)
						want := wantStatus(c.role, c.scopes, doc, r, granted)
						who := fmt.Sprintf("%s %v granted=%v", c.role, c.scopes, granted)
						switch {
						case want != 0 && resp.status != want:
							t.Errorf("%s: %d for %s, want %d: %.200s", path, resp.status, who, want, resp.body)
						case want == 0 && (resp.status == http.StatusForbidden || resp.status == http.StatusUnauthorized):
							t.Errorf("%s: %d for %s, which the route allows: %.200s", path, resp.status, who, resp.body)
						}
						if want != 0 {
							if got := h.auditTotal(); got != audit {
								t.Errorf("%s: audit entries = %d, was %d: a refused request wrote something", who, got, audit)
							}
						}
						audit = h.auditTotal()
					}
				}
			})
		}
	})
}

// wantStatus is the status the matrix expects of a route documented as
// doc ("read", "respond", "admin" or "own": read for one's own, admin for
// anyone else's) for a role holding a token of scopes: 0 when allowed,
// 403 when refused, 404 when a scoped role names an incident or change it
// may not see.
func wantStatus(role warroom.UserRole, scopes []warroom.TokenScope, doc string, r api.Route, granted bool) int {
	perm := warroom.Permission(doc)
	if doc == "own" {
		perm = warroom.PermRead
	}
	has := func(s warroom.TokenScope) bool { return slices.Contains(scopes, s) }
	covers := func(p warroom.Permission) bool {
		switch p {
		case warroom.PermRead:
			return has(warroom.ScopeRead) || has(warroom.ScopeWrite) || has(warroom.ScopeAdmin)
		case warroom.PermRespond:
			return has(warroom.ScopeWrite)
		case warroom.PermAdmin:
			return has(warroom.ScopeAdmin)
		}
		return false
	}
	if !role.Can(perm) || !covers(perm) {
		return http.StatusForbidden
	}
	if doc == "own" && !granted && !(role.Can(warroom.PermAdmin) && covers(warroom.PermAdmin)) {
		return http.StatusForbidden
	}
	if !wantAllowed(role, r) {
		return http.StatusForbidden
	}
	if role.Scoped() && !granted && strings.HasPrefix(r.Pattern, "/api/v1/incidents/{id}") {
		return http.StatusNotFound
	}
	return 0
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

// TestDocumentedPermissions holds routes() and the route tables of
// docs/api.md to each other: a route added without its documented
// permission, or documented with another, fails here, and so does a
// documented route that is gone.
func TestDocumentedPermissions(t *testing.T) {
	documented := documentedPermissions(t)
	seen := map[string]bool{}
	for _, r := range api.Routes() {
		key := r.Method + " " + r.Pattern
		seen[key] = true
		doc, ok := documented[key]
		want := string(r.Permission)
		switch {
		case r.Own:
			want = "own"
		case want == "":
			want = "none"
		}
		if !ok {
			t.Errorf("%s is not in docs/api.md: add a row with its permission (%s)", key, want)
		} else if doc != want {
			t.Errorf("%s: docs/api.md says %q, routes() declares %q", key, doc, want)
		}
	}
	for key := range documented {
		if !seen[key] {
			t.Errorf("docs/api.md documents %s, which routes() does not register", key)
		}
	}
}

// documentedPermissions reads the route tables of docs/api.md:
// "| GET, POST | `/path` · `/sibling` | read, admin | …", where methods
// pair with permissions when both are lists, a "· `/x`" replaces the last
// segment of the path, and "admin, or read for one's own" is "own".
func documentedPermissions(t *testing.T) map[string]string {
	t.Helper()
	b, err := os.ReadFile("../../docs/api.md")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		cells := strings.Split(line, "|")
		if len(cells) < 5 || !strings.HasPrefix(strings.TrimSpace(cells[2]), "`/") {
			continue
		}
		methods := strings.Split(strings.TrimSpace(cells[1]), ", ")
		var paths []string
		for i, p := range strings.Split(strings.TrimSpace(cells[2]), " · ") {
			p = strings.Trim(p, "`")
			if i > 0 {
				p = paths[0][:strings.LastIndex(paths[0], "/")] + p
			}
			paths = append(paths, p)
		}
		permCell := strings.TrimSpace(cells[3])
		perms := strings.Split(permCell, ", ")
		if permCell == "admin, or read for one's own" {
			perms = []string{"own"}
		}
		for i, m := range methods {
			perm := perms[0]
			if len(perms) == len(methods) {
				perm = perms[i]
			}
			for _, p := range paths {
				out[m+" "+p] = perm
			}
		}
	}
	if len(out) < 50 {
		t.Fatalf("read %d routes from docs/api.md: its tables changed shape", len(out))
	}
	return out
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

// TestObjectParamsChecked: every object a route open to scoped roles names
// in its path, besides the incident, has its grant checked, so that a new
// route taking another object's ID cannot reach it through a granted
// incident.
func TestObjectParamsChecked(t *testing.T) {
	for _, r := range api.Routes() {
		if !api.ScopedAllows(warroom.UserRoleContractor, r) && !api.ScopedAllows(warroom.UserRoleStakeholder, r) {
			continue
		}
		for _, m := range pathWildcard.FindAllString(r.Pattern, -1) {
			name := strings.Trim(m, "{}")
			if name == "id" {
				continue
			}
			if !api.ObjectParamChecked(name) {
				t.Errorf("%s %s: {%s} reaches scoped roles unchecked: add it to objectParams (a grant check) or childParams (found under the object in {id})", r.Method, r.Pattern, name)
			}
		}
	}
}
