package api

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/warroomhq/warroom"
)

// Scopes of a route for users of scoped roles (contractor, stakeholder),
// derived from its pattern so that a new route is refused to them unless it
// is about one incident or about the caller.
const (
	scopeNone      = ""          // refused to scoped roles
	scopeSelf      = "self"      // about the caller: /me, their own tokens
	scopeIncident  = "incident"  // about the incident in {id}
	scopeIncidents = "incidents" // the incident list, filtered
)

// scopeOf classifies a route for scoped roles.
func scopeOf(method, pattern string) string {
	switch {
	case pattern == "/api/v1/me" || strings.HasPrefix(pattern, "/api/v1/users/{id}/tokens"):
		return scopeSelf
	case pattern == "/api/v1/incidents" && method == http.MethodGet:
		return scopeIncidents
	case pattern == "/api/v1/incidents/{id}" || strings.HasPrefix(pattern, "/api/v1/incidents/{id}/"):
		return scopeIncident
	}
	return scopeNone
}

// ScopedAllows reports whether a user of a scoped role may use a route at
// all, before the incident itself is checked: a stakeholder only reads
// incidents and itself; a contractor also works the incidents it may see.
func ScopedAllows(role warroom.UserRole, rt Route) bool {
	if !role.Can(rt.Permission) {
		return false
	} else if !role.Scoped() {
		return true
	}
	switch scopeOf(rt.Method, rt.Pattern) {
	case scopeSelf:
		return true
	case scopeIncidents:
		return true
	case scopeIncident:
		return role == warroom.UserRoleContractor || (rt.Method == http.MethodGet && stakeholderReads[rt.Pattern])
	}
	return false
}

// stakeholderReads are the incident routes a stakeholder may read: the
// incident and its timeline, which is how it follows what happens.
var stakeholderReads = map[string]bool{
	"/api/v1/incidents/{id}":        true,
	"/api/v1/incidents/{id}/events": true,
}

// authenticate checks the bearer token, the role's permission, the token's
// scopes and, for scoped roles, the route and incident, and returns a
// context carrying the user and the client address for the audit log.
func (h *handler) authenticate(w http.ResponseWriter, r *http.Request, rt Route) (context.Context, error) {
	secret, ok := bearer(r)
	if !ok {
		w.Header().Set("WWW-Authenticate", `Bearer realm="warroom"`)
		return nil, warroom.Errorf(warroom.EUNAUTHORIZED, "a bearer token is required: Authorization: Bearer wr_…")
	}
	u, tok, err := h.Users.AuthenticateToken(r.Context(), secret)
	if err != nil {
		if warroom.ErrorCode(err) == warroom.EINTERNAL {
			return nil, err
		}
		w.Header().Set("WWW-Authenticate", `Bearer realm="warroom", error="invalid_token"`)
		return nil, warroom.Errorf(warroom.EUNAUTHORIZED, "the token is unknown, expired or revoked")
	}
	perm := rt.Permission
	if !u.Can(perm) {
		return nil, warroom.Errorf(warroom.EFORBIDDEN, "the %s role does not grant the %s permission", u.Role, perm)
	}
	if !tok.Allows(perm) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="warroom", error="insufficient_scope"`)
		return nil, warroom.Errorf(warroom.EFORBIDDEN, "the token's scopes (%s) do not cover the %s permission", joinScopes(tok.Scopes), perm)
	}
	ctx := warroom.NewContextWithUser(r.Context(), u)
	ctx = warroom.NewContextWithSource(ctx, clientAddr(r))
	if u.Role.Scoped() {
		if !ScopedAllows(u.Role, rt) {
			return nil, warroom.Errorf(warroom.EFORBIDDEN, "the %s role reaches only incidents on the services granted to it", u.Role)
		}
		if scopeOf(rt.Method, rt.Pattern) == scopeIncident {
			if err := h.canSeeIncident(ctx, u, r.PathValue("id")); err != nil {
				return nil, err
			}
		}
	}
	return ctx, nil
}

func joinScopes(ss []warroom.TokenScope) string {
	parts := make([]string, len(ss))
	for i, s := range ss {
		parts[i] = string(s)
	}
	return strings.Join(parts, ",")
}

// canSeeIncident answers a scoped user asking for an incident it may not
// see exactly as for one that does not exist, so that guessing IDs reveals
// nothing.
func (h *handler) canSeeIncident(ctx context.Context, u *warroom.User, rawID string) error {
	notFound := warroom.Errorf(warroom.ENOTFOUND, "Incident %s not found.", rawID)
	id, err := strconv.ParseInt(rawID, 10, 64)
	if err != nil || id <= 0 || h.Teams == nil {
		return notFound
	}
	inc, err := h.Incidents.FindIncidentByID(ctx, id)
	if warroom.ErrorCode(err) == warroom.ENOTFOUND {
		return notFound
	} else if err != nil {
		return err
	}
	granted, err := h.Teams.FindUserServiceIDs(ctx, u.ID)
	if err != nil {
		return err
	}
	if !u.Role.SeesIncident(inc.ServiceIDs, granted) {
		return notFound
	}
	return nil
}

// listScopedIncidents is GET /api/v1/incidents for a scoped user: the
// incidents of each granted service, merged, kept only when the role may
// see them, paged in memory. A scoped user has few services, so this stays
// small.
func (h *handler) listScopedIncidents(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	u := warroom.UserFromContext(ctx)
	f, err := h.incidentFilter(ctx, r.URL.Query())
	if err != nil {
		return err
	}
	var granted []int64
	if h.Teams != nil {
		if granted, err = h.Teams.FindUserServiceIDs(ctx, u.ID); err != nil {
			return err
		}
	}
	seen := map[int64]bool{}
	var all []*warroom.Incident
	for _, sid := range granted {
		g := f
		g.ServiceID, g.Offset, g.Limit = &sid, 0, warroom.MaxPageSize
		incs, _, err := h.Incidents.FindIncidents(ctx, g)
		if err != nil {
			return err
		}
		for _, inc := range incs {
			if !seen[inc.ID] && u.Role.SeesIncident(inc.ServiceIDs, granted) {
				seen[inc.ID] = true
				all = append(all, inc)
			}
		}
	}
	slices.SortFunc(all, func(a, b *warroom.Incident) int { return b.DetectedAt.Compare(a.DetectedAt) })
	total := len(all)
	all = all[min(f.Offset, total):min(f.Offset+f.Limit, total)]
	h.json(w, r, http.StatusOK, list("incidents", all, total, f.Offset, f.Limit))
	return nil
}
