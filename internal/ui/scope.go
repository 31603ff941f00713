package ui

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/warroomhq/warroom"
)

// ScopedAllows reports whether a user of role may use a UI route at all,
// before the incident itself is checked. Unscoped roles go by permission.
// A stakeholder reads one incident's page and live brief; a contractor
// also works it; both may sign out and keep their profile. Every other
// page, including lists that would name other services, is refused, and a
// new route is refused to them until it is classified here.
func ScopedAllows(role warroom.UserRole, rt Route) bool {
	if rt.Permission == none {
		return true
	}
	if !role.Can(rt.Permission) {
		return false
	} else if !role.Scoped() {
		return true
	}
	switch {
	case rt.Pattern == "/logout" || rt.Pattern == "/profile" || strings.HasPrefix(rt.Pattern, "/profile/"):
		return true
	case !strings.HasPrefix(rt.Pattern, "/incidents/{id}"):
		return false
	case role == warroom.UserRoleContractor:
		return true
	}
	return rt.Method == http.MethodGet && (rt.Pattern == "/incidents/{id}" || rt.Pattern == "/incidents/{id}/live" || rt.Pattern == "/incidents/{id}/stream" ||
		rt.Pattern == "/incidents/{id}/drill-preview")
}

// seesIncident answers whether a scoped user may see the incident named in
// the path; anything unreadable counts as not visible.
func (h *Handler) seesIncident(r *http.Request, u *warroom.User) (bool, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 || h.d.Teams == nil {
		return false, nil
	}
	inc, err := h.d.Incidents.FindIncidentByID(r.Context(), id)
	if warroom.ErrorCode(err) == warroom.ENOTFOUND {
		return false, nil
	} else if err != nil {
		return false, err
	}
	granted, err := h.d.Teams.FindUserServiceIDs(r.Context(), u.ID)
	if err != nil {
		return false, err
	}
	return u.Role.SeesIncident(inc.ServiceIDs, granted), nil
}

// grants judges the objects a scoped user's request names; see
// warroom.Grants.
func (h *Handler) grants() warroom.Grants {
	return warroom.Grants{Users: h.d.Users, Teams: h.d.Teams, Incidents: h.d.Incidents, Changes: h.d.Changes, StatusPage: h.d.StatusPage}
}
