package ui

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/warroomhq/warroom"
)

// The admin side of telling people: the public status page's branding,
// components, maintenance and subscribers, and the stakeholder groups with
// their scope rules.

type statusAdminData struct {
	Settings     *warroom.StatusPageSettings
	Components   []*warroom.Component
	Maintenances []*warroom.Maintenance
	Subscribers  []*warroom.Subscriber
	Total        int
	Statuses     []warroom.ComponentStatus
	Err          string
}

func (d statusAdminData) ErrorText() string { return d.Err }

func (h *Handler) statusAdmin(w http.ResponseWriter, r *http.Request, rc *request) {
	h.renderStatusAdmin(w, r, rc, http.StatusOK, "")
}

func (h *Handler) renderStatusAdmin(w http.ResponseWriter, r *http.Request, rc *request, status int, errMsg string) {
	if h.d.StatusPage == nil || h.d.Subscribers == nil {
		h.renderError(w, r, rc, http.StatusNotFound, rc.L.T("error.status.404"))
		return
	}
	ctx := r.Context()
	d := statusAdminData{Statuses: warroom.ComponentStatuses, Err: errMsg}
	var err error
	if d.Settings, err = h.d.StatusPage.FindStatusPageSettings(ctx); err != nil {
		h.fail(w, r, rc, err)
		return
	}
	if d.Components, err = h.d.StatusPage.FindComponents(ctx); err != nil {
		h.fail(w, r, rc, err)
		return
	}
	if d.Maintenances, err = h.d.StatusPage.FindMaintenances(ctx, h.d.Now()); err != nil {
		h.fail(w, r, rc, err)
		return
	}
	if rc.User.Can(warroom.PermAdmin) {
		if d.Subscribers, d.Total, err = h.d.Subscribers.FindSubscribers(ctx, warroom.SubscriberFilter{Limit: 100}); err != nil {
			h.fail(w, r, rc, err)
			return
		}
	}
	h.render(w, r, rc, status, "status_admin", rc.L.T("nav.status_page"), d)
}

// statusAdminDone redirects after a change, or shows the page again with
// the error.
func (h *Handler) statusAdminDone(w http.ResponseWriter, r *http.Request, rc *request, err error) {
	if err != nil {
		h.renderStatusAdmin(w, r, rc, statusFor(warroom.ErrorCode(err)), h.errorText(r, rc, err))
		return
	}
	http.Redirect(w, r, "/admin/status-page", http.StatusSeeOther)
}

func (h *Handler) statusSettingsUpdate(w http.ResponseWriter, r *http.Request, rc *request) {
	if h.d.StatusPage == nil {
		h.renderError(w, r, rc, http.StatusNotFound, rc.L.T("error.status.404"))
		return
	}
	s := &warroom.StatusPageSettings{Name: r.PostFormValue("name"), LogoURL: strings.TrimSpace(r.PostFormValue("logo_url")),
		AccentColor: strings.TrimSpace(r.PostFormValue("accent_color")), PublicURL: r.PostFormValue("public_url")}
	h.statusAdminDone(w, r, rc, h.d.StatusPage.UpdateStatusPageSettings(r.Context(), s))
}

func (h *Handler) componentCreate(w http.ResponseWriter, r *http.Request, rc *request) {
	if h.d.StatusPage == nil {
		h.renderError(w, r, rc, http.StatusNotFound, rc.L.T("error.status.404"))
		return
	}
	c := &warroom.Component{Name: r.PostFormValue("name"), Group: r.PostFormValue("group"), Description: strings.TrimSpace(r.PostFormValue("description"))}
	if v := r.PostFormValue("service_id"); v != "" {
		id, _ := strconv.ParseInt(v, 10, 64)
		c.ServiceID = &id
	}
	h.statusAdminDone(w, r, rc, h.d.StatusPage.CreateComponent(r.Context(), c))
}

func (h *Handler) componentSetStatus(w http.ResponseWriter, r *http.Request, rc *request) {
	if h.d.StatusPage == nil {
		h.renderError(w, r, rc, http.StatusNotFound, rc.L.T("error.status.404"))
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	s := warroom.ComponentStatus(r.PostFormValue("status"))
	_, err = h.d.StatusPage.UpdateComponent(r.Context(), id, warroom.ComponentUpdate{Status: &s})
	h.statusAdminDone(w, r, rc, err)
}

func (h *Handler) maintenanceCreate(w http.ResponseWriter, r *http.Request, rc *request) {
	if h.d.StatusPage == nil {
		h.renderError(w, r, rc, http.StatusNotFound, rc.L.T("error.status.404"))
		return
	}
	_ = r.ParseForm()
	m := &warroom.Maintenance{Title: r.PostFormValue("title"), Body: strings.TrimSpace(r.PostFormValue("body"))}
	// datetime-local inputs carry no zone; they are read in the user's.
	for _, f := range []struct {
		name string
		dst  *time.Time
	}{{"starts_at", &m.StartsAt}, {"ends_at", &m.EndsAt}} {
		if v := r.PostFormValue(f.name); v != "" {
			t, err := time.ParseInLocation("2006-01-02T15:04", v, rc.L.Loc)
			if err != nil {
				h.statusAdminDone(w, r, rc, warroom.FieldErrorf(f.name, "must be a date and time"))
				return
			}
			*f.dst = t
		}
	}
	for _, v := range r.PostForm["component"] {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			m.ComponentIDs = append(m.ComponentIDs, id)
		}
	}
	h.statusAdminDone(w, r, rc, h.d.StatusPage.CreateMaintenance(r.Context(), m))
}

func (h *Handler) maintenanceCancel(w http.ResponseWriter, r *http.Request, rc *request) {
	if h.d.StatusPage == nil {
		h.renderError(w, r, rc, http.StatusNotFound, rc.L.T("error.status.404"))
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	h.statusAdminDone(w, r, rc, h.d.StatusPage.CancelMaintenance(r.Context(), id))
}

func (h *Handler) subscriberDelete(w http.ResponseWriter, r *http.Request, rc *request) {
	if h.d.Subscribers == nil {
		h.renderError(w, r, rc, http.StatusNotFound, rc.L.T("error.status.404"))
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	h.statusAdminDone(w, r, rc, h.d.Subscribers.DeleteSubscriber(r.Context(), id))
}

type stakeholderData struct {
	Groups    []*warroom.StakeholderGroup
	Users     map[int64]string
	RulesJSON string
	Err       string
}

func (d stakeholderData) ErrorText() string { return d.Err }

func (h *Handler) stakeholderList(w http.ResponseWriter, r *http.Request, rc *request) {
	h.renderStakeholders(w, r, rc, http.StatusOK, "", "")
}

func (h *Handler) renderStakeholders(w http.ResponseWriter, r *http.Request, rc *request, status int, errMsg, rules string) {
	if h.d.Stakeholders == nil {
		h.renderError(w, r, rc, http.StatusNotFound, rc.L.T("error.status.404"))
		return
	}
	gs, err := h.d.Stakeholders.FindStakeholderGroups(r.Context())
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	d := stakeholderData{Groups: gs, Users: map[int64]string{}, Err: errMsg, RulesJSON: rules}
	for _, g := range gs {
		for _, id := range g.MemberIDs {
			if _, ok := d.Users[id]; !ok {
				if u, err := h.d.Users.FindUserByID(r.Context(), id); err == nil {
					d.Users[id] = u.Name
				}
			}
		}
	}
	if rules == "" {
		rs, err := h.d.Stakeholders.FindScopeRules(r.Context())
		if err != nil {
			h.fail(w, r, rc, err)
			return
		}
		b, _ := json.MarshalIndent(rs, "", "  ")
		d.RulesJSON = string(b)
	}
	h.render(w, r, rc, status, "stakeholders", rc.L.T("nav.stakeholders"), d)
}

func (h *Handler) stakeholderCreate(w http.ResponseWriter, r *http.Request, rc *request) {
	if h.d.Stakeholders == nil {
		h.renderError(w, r, rc, http.StatusNotFound, rc.L.T("error.status.404"))
		return
	}
	g := &warroom.StakeholderGroup{Name: r.PostFormValue("name"), Description: strings.TrimSpace(r.PostFormValue("description"))}
	// Members are emails and channels KIND:TARGET[:LOCALE], one per line.
	for _, line := range strings.Split(r.PostFormValue("members"), "\n") {
		if line = strings.TrimSpace(line); line == "" {
			continue
		}
		us, _, err := h.d.Users.FindUsers(r.Context(), warroom.UserFilter{Email: &line})
		if err != nil || len(us) == 0 {
			h.renderStakeholders(w, r, rc, http.StatusUnprocessableEntity, h.errorText(r, rc, warroom.FieldErrorf("members", "no user %q", line)), "")
			return
		}
		g.MemberIDs = append(g.MemberIDs, us[0].ID)
	}
	for _, line := range strings.Split(r.PostFormValue("channels"), "\n") {
		if line = strings.TrimSpace(line); line == "" {
			continue
		}
		kind, rest, _ := strings.Cut(line, ":")
		ch := warroom.StakeholderChannel{Kind: warroom.ChannelKind(kind), Target: rest}
		if i := strings.LastIndex(rest, ":"); i > 0 && (rest[i+1:] == "en" || rest[i+1:] == "zh-CN") {
			ch.Target, ch.Locale = rest[:i], rest[i+1:]
		}
		g.Channels = append(g.Channels, ch)
	}
	if err := h.d.Stakeholders.CreateStakeholderGroup(r.Context(), g); err != nil {
		h.renderStakeholders(w, r, rc, statusFor(warroom.ErrorCode(err)), h.errorText(r, rc, err), "")
		return
	}
	http.Redirect(w, r, "/stakeholders", http.StatusSeeOther)
}

func (h *Handler) stakeholderDelete(w http.ResponseWriter, r *http.Request, rc *request) {
	if h.d.Stakeholders == nil {
		h.renderError(w, r, rc, http.StatusNotFound, rc.L.T("error.status.404"))
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	if err := h.d.Stakeholders.DeleteStakeholderGroup(r.Context(), id); err != nil {
		h.renderStakeholders(w, r, rc, statusFor(warroom.ErrorCode(err)), h.errorText(r, rc, err), "")
		return
	}
	http.Redirect(w, r, "/stakeholders", http.StatusSeeOther)
}

func (h *Handler) scopeRulesUpdate(w http.ResponseWriter, r *http.Request, rc *request) {
	if h.d.Stakeholders == nil {
		h.renderError(w, r, rc, http.StatusNotFound, rc.L.T("error.status.404"))
		return
	}
	raw := r.PostFormValue("rules")
	var rules []warroom.ScopeRule
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.DisallowUnknownFields()
	err := dec.Decode(&rules)
	if err != nil {
		err = warroom.FieldErrorf("rules", "%s", rc.L.T("form.json", "Error", err.Error()))
	} else {
		err = h.d.Stakeholders.ReplaceScopeRules(r.Context(), nonNilRules(rules))
	}
	if err != nil {
		h.renderStakeholders(w, r, rc, statusFor(warroom.ErrorCode(err)), h.errorText(r, rc, err), raw)
		return
	}
	http.Redirect(w, r, "/stakeholders", http.StatusSeeOther)
}

func nonNilRules(rs []warroom.ScopeRule) []warroom.ScopeRule {
	if rs == nil {
		return []warroom.ScopeRule{}
	}
	return rs
}
