package ui

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/warroomhq/warroom"
)

type serviceData struct {
	Services []*warroom.Service
	Total    int
	Err      string
}

func (d serviceData) ErrorText() string { return d.Err }

func (h *Handler) serviceList(w http.ResponseWriter, r *http.Request, rc *request) {
	h.renderServices(w, r, rc, http.StatusOK, "")
}

func (h *Handler) renderServices(w http.ResponseWriter, r *http.Request, rc *request, status int, errMsg string) {
	svcs, total, err := h.d.Services.FindServices(r.Context(), warroom.ServiceFilter{Limit: warroom.MaxPageSize})
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	h.render(w, r, rc, status, "services", rc.L.T("nav.services"), serviceData{Services: svcs, Total: total, Err: errMsg})
}

func (h *Handler) serviceCreate(w http.ResponseWriter, r *http.Request, rc *request) {
	tier, _ := strconv.Atoi(r.PostFormValue("tier"))
	s := &warroom.Service{Name: strings.TrimSpace(r.PostFormValue("name")), Team: strings.TrimSpace(r.PostFormValue("team")),
		Description: strings.TrimSpace(r.PostFormValue("description")), Tier: tier}
	if err := h.d.Services.CreateService(r.Context(), s); err != nil {
		h.renderServices(w, r, rc, statusFor(warroom.ErrorCode(err)), h.errorText(r, rc, err))
		return
	}
	http.Redirect(w, r, "/services", http.StatusSeeOther)
}

func (h *Handler) serviceUpdate(w http.ResponseWriter, r *http.Request, rc *request) {
	id, err := pathID(r, "id")
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	tier, _ := strconv.Atoi(r.PostFormValue("tier"))
	name, team := strings.TrimSpace(r.PostFormValue("name")), strings.TrimSpace(r.PostFormValue("team"))
	desc := strings.TrimSpace(r.PostFormValue("description"))
	if _, err := h.d.Services.UpdateService(r.Context(), id, warroom.ServiceUpdate{Name: &name, Team: &team, Description: &desc, Tier: &tier}); err != nil {
		h.renderServices(w, r, rc, statusFor(warroom.ErrorCode(err)), h.errorText(r, rc, err))
		return
	}
	http.Redirect(w, r, "/services", http.StatusSeeOther)
}
