package ui

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/warroomhq/warroom"
)

type sopData struct {
	Templates  []*warroom.SOPTemplate
	Template   *warroom.SOPTemplate
	TasksText  string
	Severities []warroom.Severity
	Types      []warroom.IncidentType
	Err        string
}

func (d sopData) ErrorText() string { return d.Err }

func (h *Handler) sopList(w http.ResponseWriter, r *http.Request, rc *request) {
	h.renderSOPs(w, r, rc, http.StatusOK, &warroom.SOPTemplate{}, "")
}

func (h *Handler) renderSOPs(w http.ResponseWriter, r *http.Request, rc *request, status int, draft *warroom.SOPTemplate, errMsg string) {
	ts, err := h.d.SOPs.FindSOPTemplates(r.Context())
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	h.render(w, r, rc, status, "sops", rc.L.T("nav.sops"), sopData{Templates: ts, Template: draft,
		TasksText: strings.Join(draft.Tasks, "\n"), Severities: warroom.Severities, Types: warroom.IncidentTypes, Err: errMsg})
}

func (h *Handler) sopShow(w http.ResponseWriter, r *http.Request, rc *request) {
	id, err := pathID(r, "id")
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	t, err := h.d.SOPs.FindSOPTemplateByID(r.Context(), id)
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	h.renderSOP(w, r, rc, http.StatusOK, t, "")
}

func (h *Handler) renderSOP(w http.ResponseWriter, r *http.Request, rc *request, status int, t *warroom.SOPTemplate, errMsg string) {
	h.render(w, r, rc, status, "sop", t.Name, sopData{Template: t, TasksText: strings.Join(t.Tasks, "\n"),
		Severities: warroom.Severities, Types: warroom.IncidentTypes, Err: errMsg})
}

// formSOP reads a template: checkboxes for where it applies and one task
// per line.
func formSOP(r *http.Request) *warroom.SOPTemplate {
	_ = r.ParseForm()
	t := &warroom.SOPTemplate{Name: strings.TrimSpace(r.PostFormValue("name"))}
	for _, s := range r.PostForm["severities"] {
		t.Severities = append(t.Severities, warroom.Severity(s))
	}
	for _, s := range r.PostForm["types"] {
		t.Types = append(t.Types, warroom.IncidentType(s))
	}
	for _, line := range strings.Split(r.PostFormValue("tasks"), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			t.Tasks = append(t.Tasks, line)
		}
	}
	return t
}

func (h *Handler) sopCreate(w http.ResponseWriter, r *http.Request, rc *request) {
	t := formSOP(r)
	if err := h.d.SOPs.CreateSOPTemplate(r.Context(), t); err != nil {
		h.renderSOPs(w, r, rc, statusFor(warroom.ErrorCode(err)), t, h.errorText(r, rc, err))
		return
	}
	http.Redirect(w, r, "/sops", http.StatusSeeOther)
}

func (h *Handler) sopReplace(w http.ResponseWriter, r *http.Request, rc *request) {
	id, err := pathID(r, "id")
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	t := formSOP(r)
	if err := h.d.SOPs.ReplaceSOPTemplate(r.Context(), id, t); err != nil {
		t.ID = id
		h.renderSOP(w, r, rc, statusFor(warroom.ErrorCode(err)), t, h.errorText(r, rc, err))
		return
	}
	http.Redirect(w, r, "/sops/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

func (h *Handler) sopDelete(w http.ResponseWriter, r *http.Request, rc *request) {
	id, err := pathID(r, "id")
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	if err := h.d.SOPs.DeleteSOPTemplate(r.Context(), id); err != nil {
		h.fail(w, r, rc, err)
		return
	}
	http.Redirect(w, r, "/sops", http.StatusSeeOther)
}
