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
	return rt.Method == http.MethodGet && (rt.Pattern == "/incidents/{id}" || rt.Pattern == "/incidents/{id}/live" || rt.Pattern == "/incidents/{id}/stream")
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

// reachChange answers a scoped user naming a change of a service it was
// not granted exactly as for a change that does not exist: the incident
// being theirs does not make another service's change theirs.
func (h *Handler) reachChange(r *http.Request, u *warroom.User, id int64) error {
	if !u.Role.Scoped() {
		return nil
	}
	notFound := warroom.Errorf(warroom.ENOTFOUND, "Change CHG-%d not found.", id)
	if h.d.Teams == nil {
		return notFound
	}
	c, err := h.d.Changes.FindChangeByID(r.Context(), id)
	if warroom.ErrorCode(err) == warroom.ENOTFOUND {
		return notFound
	} else if err != nil {
		return err
	}
	granted, err := h.d.Teams.FindUserServiceIDs(r.Context(), u.ID)
	if err != nil {
		return err
	}
	if !u.Role.SeesIncident(c.ServiceIDs, granted) {
		return notFound
	}
	return nil
}

// reachComponents refuses a scoped user setting the public status of a
// component that is not of a service granted to it.
func (h *Handler) reachComponents(r *http.Request, u *warroom.User, cs []warroom.ComponentImpact) error {
	if !u.Role.Scoped() || len(cs) == 0 {
		return nil
	}
	refused := &warroom.Error{Code: warroom.EFORBIDDEN, Field: "components", Message: "components: only components of services granted to you"}
	if h.d.StatusPage == nil || h.d.Teams == nil {
		return refused
	}
	all, err := h.d.StatusPage.FindComponents(r.Context())
	if err != nil {
		return err
	}
	granted, err := h.d.Teams.FindUserServiceIDs(r.Context(), u.ID)
	if err != nil {
		return err
	}
	svc := map[int64]*int64{}
	for _, c := range all {
		svc[c.ID] = c.ServiceID
	}
	for _, c := range cs {
		if sid := svc[c.ComponentID]; sid == nil || !u.Role.SeesIncident([]int64{*sid}, granted) {
			return refused
		}
	}
	return nil
}
