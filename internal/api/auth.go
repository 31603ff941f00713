package api

import (
	"context"
	"errors"
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

// access is what a request may do: its user's role intersected with its
// token's scopes. Every check of a permission goes through can, so that a
// narrow token on a wide role stays narrow everywhere, own-resource routes
// included.
type access struct {
	user  *warroom.User
	token *warroom.Token
}

func (a access) can(p warroom.Permission) bool { return a.user.Can(p) && a.token.Allows(p) }

// ceiling is the scopes a request may hand on to a token it issues: those
// of its own token that its role still grants (a token outlives a
// demotion). An admin-scoped token may also issue ingest, which does less
// than admin (send alerts, nothing else) and which no default token holds,
// so that ingest tokens can be made from the CLI.
func (a access) ceiling() []warroom.TokenScope {
	out := []warroom.TokenScope{}
	for _, s := range a.token.Scopes {
		if a.user.Can(s.Permission()) {
			out = append(out, s)
		}
	}
	if a.can(warroom.PermAdmin) && a.user.Can(warroom.PermIngest) && !slices.Contains(out, warroom.ScopeIngest) {
		out = append(out, warroom.ScopeIngest)
	}
	return out
}

type accessKey struct{}

// errInsufficientScope marks a refusal that a wider token would pass, for
// the WWW-Authenticate challenge.
var errInsufficientScope = errors.New("insufficient scope")

// accessFrom returns the access of an authenticated request.
func accessFrom(ctx context.Context) access {
	a, _ := ctx.Value(accessKey{}).(access)
	return a
}

// authenticate checks the bearer token and authorises the request for rt.
// The context it returns carries the user and the client address for the
// audit log; it is returned with a refusal too once the user is known, so
// that the refusal is recorded as theirs.
func (h *handler) authenticate(w http.ResponseWriter, r *http.Request, rt Route) (context.Context, error) {
	ctx := warroom.NewContextWithSource(r.Context(), clientAddr(r))
	secret, ok := bearer(r)
	if !ok {
		w.Header().Set("WWW-Authenticate", `Bearer realm="warroom"`)
		return ctx, warroom.Errorf(warroom.EUNAUTHORIZED, "a bearer token is required: Authorization: Bearer wr_…")
	}
	u, tok, err := h.Users.AuthenticateToken(r.Context(), secret)
	if err != nil {
		if warroom.ErrorCode(err) == warroom.EINTERNAL {
			return ctx, err
		}
		w.Header().Set("WWW-Authenticate", `Bearer realm="warroom", error="invalid_token"`)
		return ctx, warroom.Errorf(warroom.EUNAUTHORIZED, "the token is unknown, expired or revoked")
	}
	ctx = warroom.NewContextWithUser(ctx, u)
	a := access{user: u, token: tok}
	ctx = context.WithValue(ctx, accessKey{}, a)
	if err := h.authorize(ctx, a, rt, r); err != nil {
		if errors.Is(err, errInsufficientScope) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="warroom", error="insufficient_scope"`)
		}
		return ctx, err
	}
	return ctx, nil
}

// authorize is the one place a request is judged: the role's permission,
// the token's scopes, whose resource an own-resource route is about, and,
// for scoped roles, the route, the incident and every other object the
// path names.
func (h *handler) authorize(ctx context.Context, a access, rt Route, r *http.Request) error {
	u, perm := a.user, rt.Permission
	if !u.Can(perm) {
		return warroom.Errorf(warroom.EFORBIDDEN, "the %s role does not grant the %s permission", u.Role, perm)
	}
	if !a.token.Allows(perm) {
		return errors.Join(warroom.Errorf(warroom.EFORBIDDEN, "the token's scopes (%s) do not cover the %s permission", joinScopes(a.token.Scopes), perm), errInsufficientScope)
	}
	if rt.Own {
		if id, err := strconv.ParseInt(r.PathValue("id"), 10, 64); err == nil && id != u.ID {
			if !u.Can(warroom.PermAdmin) || u.Role.Scoped() {
				return warroom.Errorf(warroom.EFORBIDDEN, "only an admin may manage another user's %s", ownNoun(rt.Pattern))
			} else if !a.token.Allows(warroom.PermAdmin) {
				return errors.Join(warroom.Errorf(warroom.EFORBIDDEN, "the token's scopes (%s) do not cover the admin permission that another user's %s need", joinScopes(a.token.Scopes), ownNoun(rt.Pattern)), errInsufficientScope)
			}
		}
	}
	if !u.Role.Scoped() {
		return nil
	}
	if !ScopedAllows(u.Role, rt) {
		return warroom.Errorf(warroom.EFORBIDDEN, "the %s role reaches only incidents on the services granted to it", u.Role)
	}
	if scopeOf(rt.Method, rt.Pattern) != scopeIncident {
		return nil
	}
	if err := h.canSeeIncident(ctx, u, r.PathValue("id")); err != nil {
		return err
	}
	for _, name := range pathParams(rt.Pattern) {
		if check := objectParams[name]; check != nil {
			if err := check(h, ctx, u, r.PathValue(name)); err != nil {
				return err
			}
		}
	}
	return nil
}

// ownNoun names what an own-resource route manages, for its refusal.
func ownNoun(pattern string) string {
	rest := strings.TrimPrefix(pattern, "/api/v1/users/{id}/")
	noun, _, _ := strings.Cut(rest, "/")
	return strings.ReplaceAll(noun, "-", " ")
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
