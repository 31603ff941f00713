package ui

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/warroomhq/warroom"
)

// DrillPreviewer renders a drill's preview of the status page with the
// status page's own templates (statuspage.Handler).
type DrillPreviewer interface {
	ServeDrillPreview(w http.ResponseWriter, r *http.Request, p *warroom.DrillPreview)
}

// drillPreview shows the status page as the drill would leave it, behind
// login: customers never see it.
func (h *Handler) drillPreview(w http.ResponseWriter, r *http.Request, rc *request) {
	if h.d.Drills == nil || h.d.DrillPreview == nil {
		h.renderError(w, r, rc, http.StatusNotFound, rc.L.T("error.status.404"))
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	p, err := h.d.Drills.DrillPreview(r.Context(), id)
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	h.d.DrillPreview.ServeDrillPreview(w, r, p)
}

type drillsData struct {
	Runs      []*warroom.DrillRun
	Scenarios []*warroom.DrillScenario
	Services  []*warroom.Service
	Insights  *warroom.DrillInsights
	Err       string
}

// drillList shows the runs, the scenarios to run and which services are
// due a drill.
func (h *Handler) drillList(w http.ResponseWriter, r *http.Request, rc *request) {
	h.showDrills(w, r, rc, http.StatusOK, "")
}

func (h *Handler) showDrills(w http.ResponseWriter, r *http.Request, rc *request, status int, errMsg string) {
	if h.d.Drills == nil {
		h.renderError(w, r, rc, http.StatusNotFound, rc.L.T("error.status.404"))
		return
	}
	ctx := r.Context()
	d := &drillsData{Err: errMsg}
	var err error
	if d.Runs, _, err = h.d.Drills.FindDrillRuns(ctx, warroom.DrillRunFilter{Limit: 100}); err != nil {
		h.fail(w, r, rc, err)
		return
	}
	if d.Scenarios, err = h.d.Drills.FindDrillScenarios(ctx); err != nil {
		h.fail(w, r, rc, err)
		return
	}
	if d.Services, _, err = h.d.Services.FindServices(ctx, warroom.ServiceFilter{Limit: warroom.MaxPageSize}); err != nil {
		h.fail(w, r, rc, err)
		return
	}
	to := h.d.Now().UTC()
	if d.Insights, err = h.d.Drills.DrillInsights(ctx, to.AddDate(0, 0, -90), to.Add(time.Second), 90); err != nil {
		h.fail(w, r, rc, err)
		return
	}
	h.render(w, r, rc, status, "drills", rc.L.T("drill.title"), d)
}

// drillStart runs a scenario on the chosen services, now or at a time.
func (h *Handler) drillStart(w http.ResponseWriter, r *http.Request, rc *request) {
	if h.d.Drills == nil {
		h.renderError(w, r, rc, http.StatusNotFound, rc.L.T("error.status.404"))
		return
	}
	_ = r.ParseForm()
	req := warroom.DrillRunRequest{Scenario: r.PostFormValue("scenario")}
	for _, v := range r.PostForm["service_id"] {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			h.showDrills(w, r, rc, http.StatusUnprocessableEntity, rc.L.T("drill.bad_service"))
			return
		}
		req.ServiceIDs = append(req.ServiceIDs, id)
	}
	if v := strings.TrimSpace(r.PostFormValue("starts_at")); v != "" {
		t, err := time.ParseInLocation("2006-01-02T15:04", v, rc.L.Loc)
		if err != nil {
			h.showDrills(w, r, rc, http.StatusUnprocessableEntity, rc.L.T("drill.bad_time"))
			return
		}
		req.StartsAt = &t
	}
	if _, err := h.d.Drills.StartDrill(r.Context(), req); err != nil {
		if c := warroom.ErrorCode(err); c == warroom.EINVALID || c == warroom.ENOTFOUND {
			h.showDrills(w, r, rc, http.StatusUnprocessableEntity, warroom.ErrorMessage(err))
			return
		}
		h.fail(w, r, rc, err)
		return
	}
	http.Redirect(w, r, "/drills", http.StatusSeeOther)
}
