package ui

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/warroomhq/warroom"
)

// usersData is the people admin page: accounts, their roles and service
// grants, and invitations.
type usersData struct {
	Users    []*warroom.User
	Roles    []warroom.UserRole
	Services []*warroom.Service
	// Grants are the services a scoped user reaches, by user ID.
	Grants  map[int64][]*warroom.Service
	Invites []*warroom.Invite
	// InviteLink is a new invitation's link, shown once.
	InviteLink string
	Err        string
}

func (d usersData) ErrorText() string { return d.Err }

// inviteStates are the invites' states now, by ID, for the template.
func (h *Handler) inviteStates(invs []*warroom.Invite) map[int64]warroom.InviteState {
	now := h.d.Now()
	out := map[int64]warroom.InviteState{}
	for _, i := range invs {
		out[i.ID] = i.State(now)
	}
	return out
}

type usersPage struct {
	usersData
	States map[int64]warroom.InviteState
}

func (h *Handler) usersPage(w http.ResponseWriter, r *http.Request, rc *request) {
	h.renderUsers(w, r, rc, http.StatusOK, "", "")
}

func (h *Handler) renderUsers(w http.ResponseWriter, r *http.Request, rc *request, status int, link, errMsg string) {
	ctx := r.Context()
	us, _, err := h.d.Users.FindUsers(ctx, warroom.UserFilter{Limit: warroom.MaxPageSize})
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	svcs, _, err := h.d.Services.FindServices(ctx, warroom.ServiceFilter{Limit: warroom.MaxPageSize})
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	byID := map[int64]*warroom.Service{}
	for _, s := range svcs {
		byID[s.ID] = s
	}
	d := usersData{Users: us, Roles: warroom.UserRoles, Services: svcs, Grants: map[int64][]*warroom.Service{}, InviteLink: link, Err: errMsg}
	if h.d.Teams != nil {
		for _, u := range us {
			if !u.Role.Scoped() {
				continue
			}
			ids, err := h.d.Teams.FindUserServiceIDs(ctx, u.ID)
			if err != nil {
				h.fail(w, r, rc, err)
				return
			}
			for _, id := range ids {
				if s := byID[id]; s != nil {
					d.Grants[u.ID] = append(d.Grants[u.ID], s)
				}
			}
		}
	}
	if h.d.Invites != nil {
		if d.Invites, err = h.d.Invites.FindInvites(ctx); err != nil {
			h.fail(w, r, rc, err)
			return
		}
	}
	// A page with an invitation link must not be cached: it is shown once.
	w.Header().Set("Cache-Control", "no-store")
	h.render(w, r, rc, status, "users", rc.L.T("nav.users"), usersPage{usersData: d, States: h.inviteStates(d.Invites)})
}

// usersDone redirects back to the page after a change, or renders it with
// the error.
func (h *Handler) usersDone(w http.ResponseWriter, r *http.Request, rc *request, err error) {
	if err != nil {
		h.renderUsers(w, r, rc, statusFor(warroom.ErrorCode(err)), "", h.errorText(r, rc, err))
		return
	}
	http.Redirect(w, r, "/admin/users", http.StatusSeeOther)
}

func (h *Handler) userCreate(w http.ResponseWriter, r *http.Request, rc *request) {
	u := &warroom.User{Name: strings.TrimSpace(r.PostFormValue("name")), Email: strings.TrimSpace(r.PostFormValue("email")),
		Role: warroom.UserRole(r.PostFormValue("role"))}
	h.usersDone(w, r, rc, h.d.Users.CreateUser(r.Context(), u))
}

// userUpdate changes a user's role, or deactivates or reactivates it.
// Removing an admin may need a second admin; the store says so (409) and
// the page shows it.
func (h *Handler) userUpdate(w http.ResponseWriter, r *http.Request, rc *request) {
	id, err := pathID(r, "id")
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	var upd warroom.UserUpdate
	if v := r.PostFormValue("role"); v != "" {
		role := warroom.UserRole(v)
		upd.Role = &role
	}
	if v := r.PostFormValue("active"); v != "" {
		active, err := strconv.ParseBool(v)
		if err != nil {
			h.usersDone(w, r, rc, warroom.FieldErrorf("active", "must be true or false"))
			return
		}
		upd.Active = &active
	}
	_, err = h.d.Users.UpdateUser(r.Context(), id, upd)
	h.usersDone(w, r, rc, err)
}

func (h *Handler) grantCreate(w http.ResponseWriter, r *http.Request, rc *request) {
	id, err := pathID(r, "id")
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	sid, err := strconv.ParseInt(r.PostFormValue("service_id"), 10, 64)
	if err != nil || sid <= 0 {
		h.usersDone(w, r, rc, warroom.FieldErrorf("service_id", "choose a service"))
		return
	}
	if h.d.Teams == nil {
		h.renderError(w, r, rc, http.StatusNotFound, rc.L.T("error.status.404"))
		return
	}
	h.usersDone(w, r, rc, h.d.Teams.GrantService(r.Context(), id, sid))
}

func (h *Handler) grantDelete(w http.ResponseWriter, r *http.Request, rc *request) {
	id, err := pathID(r, "id")
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	sid, err := pathID(r, "serviceID")
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	if h.d.Teams == nil {
		h.renderError(w, r, rc, http.StatusNotFound, rc.L.T("error.status.404"))
		return
	}
	h.usersDone(w, r, rc, h.d.Teams.RevokeService(r.Context(), id, sid))
}

// inviteCreate invites an email with a role and shows the link once. No
// email is sent: the admin passes the link on.
func (h *Handler) inviteCreate(w http.ResponseWriter, r *http.Request, rc *request) {
	if h.d.Invites == nil {
		h.renderError(w, r, rc, http.StatusNotFound, rc.L.T("error.status.404"))
		return
	}
	_, secret, err := h.d.Invites.CreateInvite(r.Context(), strings.TrimSpace(r.PostFormValue("email")), warroom.UserRole(r.PostFormValue("role")))
	if err != nil {
		h.usersDone(w, r, rc, err)
		return
	}
	h.renderUsers(w, r, rc, http.StatusCreated, origin(r)+"/invite/"+secret, "")
}

func (h *Handler) inviteRevoke(w http.ResponseWriter, r *http.Request, rc *request) {
	id, err := pathID(r, "id")
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	if h.d.Invites == nil {
		h.renderError(w, r, rc, http.StatusNotFound, rc.L.T("error.status.404"))
		return
	}
	h.usersDone(w, r, rc, h.d.Invites.RevokeInvite(r.Context(), id))
}

// origin is the scheme and host the admin reached this server at, so that
// the link works from where the admin is.
func origin(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

type teamsData struct {
	Teams []*warroom.Team
	Users []*warroom.User
	// Names maps user IDs to names for the member lists.
	Names map[int64]string
	Err   string
}

func (d teamsData) ErrorText() string { return d.Err }

func (h *Handler) teamsPage(w http.ResponseWriter, r *http.Request, rc *request) {
	h.renderTeams(w, r, rc, http.StatusOK, "")
}

func (h *Handler) renderTeams(w http.ResponseWriter, r *http.Request, rc *request, status int, errMsg string) {
	if h.d.Teams == nil {
		h.renderError(w, r, rc, http.StatusNotFound, rc.L.T("error.status.404"))
		return
	}
	ts, err := h.d.Teams.FindTeams(r.Context())
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	us, _, err := h.d.Users.FindUsers(r.Context(), warroom.UserFilter{Limit: warroom.MaxPageSize})
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	d := teamsData{Teams: ts, Names: map[int64]string{}, Err: errMsg}
	for _, u := range us {
		d.Names[u.ID] = u.Name
		if u.Active {
			d.Users = append(d.Users, u)
		}
	}
	h.render(w, r, rc, status, "teams", rc.L.T("nav.teams"), d)
}

func (h *Handler) teamsDone(w http.ResponseWriter, r *http.Request, rc *request, err error) {
	if err != nil {
		h.renderTeams(w, r, rc, statusFor(warroom.ErrorCode(err)), h.errorText(r, rc, err))
		return
	}
	http.Redirect(w, r, "/admin/teams", http.StatusSeeOther)
}

func (h *Handler) teamCreate(w http.ResponseWriter, r *http.Request, rc *request) {
	if h.d.Teams == nil {
		h.renderError(w, r, rc, http.StatusNotFound, rc.L.T("error.status.404"))
		return
	}
	t := &warroom.Team{Name: r.PostFormValue("name"), Description: r.PostFormValue("description")}
	h.teamsDone(w, r, rc, h.d.Teams.CreateTeam(r.Context(), t))
}

func (h *Handler) teamMemberAdd(w http.ResponseWriter, r *http.Request, rc *request) {
	id, err := pathID(r, "id")
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	if h.d.Teams == nil {
		h.renderError(w, r, rc, http.StatusNotFound, rc.L.T("error.status.404"))
		return
	}
	uid, err := strconv.ParseInt(r.PostFormValue("user_id"), 10, 64)
	if err != nil || uid <= 0 {
		h.teamsDone(w, r, rc, warroom.FieldErrorf("user_id", "choose a person"))
		return
	}
	h.teamsDone(w, r, rc, h.d.Teams.AddTeamMember(r.Context(), id, uid))
}

func (h *Handler) teamMemberRemove(w http.ResponseWriter, r *http.Request, rc *request) {
	id, err := pathID(r, "id")
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	uid, err := pathID(r, "userID")
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	if h.d.Teams == nil {
		h.renderError(w, r, rc, http.StatusNotFound, rc.L.T("error.status.404"))
		return
	}
	h.teamsDone(w, r, rc, h.d.Teams.RemoveTeamMember(r.Context(), id, uid))
}
