package api

import (
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/drillfile"
)

// drills returns the drill service, or answers 404 when none is wired.
func (h *handler) drills() (warroom.DrillService, error) {
	if h.Drills == nil {
		return nil, warroom.Errorf(warroom.ENOTFOUND, "Drills are not available on this server.")
	}
	return h.Drills, nil
}

func (h *handler) listDrillScenarios(w http.ResponseWriter, r *http.Request) error {
	d, err := h.drills()
	if err != nil {
		return err
	}
	ss, err := d.FindDrillScenarios(r.Context())
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, items("scenarios", ss))
	return nil
}

// getDrillScenario returns a scenario as JSON, or with format=yaml (or
// format=json) as a document to save and import elsewhere.
func (h *handler) getDrillScenario(w http.ResponseWriter, r *http.Request) error {
	d, err := h.drills()
	if err != nil {
		return err
	}
	s, err := d.FindDrillScenario(r.Context(), r.PathValue("slug"))
	if err != nil {
		return err
	}
	raw := r.URL.Query().Get("format")
	if raw == "" {
		h.json(w, r, http.StatusOK, s)
		return nil
	}
	f, err := drillfile.ParseFormat(raw)
	if err != nil {
		return err
	}
	b, err := drillfile.Encode(s, f)
	if err != nil {
		return err
	}
	ctype, ext := "application/json", "json"
	if f == drillfile.YAML {
		ctype, ext = "application/yaml", "yaml"
	}
	w.Header().Set("Content-Type", ctype+"; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+s.Slug+`.`+ext+`"`)
	_, _ = w.Write(b)
	return nil
}

// saveDrillScenario creates or replaces a scenario from a JSON body, or a
// YAML one when the request says Content-Type: application/yaml.
func (h *handler) saveDrillScenario(w http.ResponseWriter, r *http.Request) error {
	d, err := h.drills()
	if err != nil {
		return err
	}
	f := drillfile.JSON
	if ct := strings.ToLower(r.Header.Get("Content-Type")); strings.Contains(ct, "yaml") {
		f = drillfile.YAML
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, drillfile.MaxSize+1))
	if err != nil {
		return warroom.Errorf(warroom.EINVALID, "A scenario document is at most %d KiB.", drillfile.MaxSize>>10)
	}
	s, err := drillfile.Parse(body, f)
	if err != nil {
		return err
	}
	if err := d.SaveDrillScenario(r.Context(), s); err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, s)
	return nil
}

func (h *handler) deleteDrillScenario(w http.ResponseWriter, r *http.Request) error {
	d, err := h.drills()
	if err != nil {
		return err
	}
	if err := d.DeleteDrillScenario(r.Context(), r.PathValue("slug")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *handler) listDrills(w http.ResponseWriter, r *http.Request) error {
	d, err := h.drills()
	if err != nil {
		return err
	}
	q := r.URL.Query()
	var f warroom.DrillRunFilter
	if f.Offset, f.Limit, err = page(q); err != nil {
		return err
	}
	if f.ServiceID, err = intParam(q, "service_id"); err != nil {
		return err
	}
	for _, s := range listParam(q, "state") {
		st := warroom.DrillRunState(s)
		switch st {
		case warroom.DrillScheduled, warroom.DrillRunning, warroom.DrillPaused, warroom.DrillCompleted, warroom.DrillAborted:
		default:
			return paramError("state", "unknown state %q (want scheduled, running, paused, completed or aborted)", s)
		}
		f.States = append(f.States, st)
	}
	runs, n, err := d.FindDrillRuns(r.Context(), f)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, list("drills", runs, n, f.Offset, f.Limit))
	return nil
}

func (h *handler) startDrill(w http.ResponseWriter, r *http.Request) error {
	d, err := h.drills()
	if err != nil {
		return err
	}
	var req warroom.DrillRunRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	run, err := d.StartDrill(r.Context(), req)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusCreated, run)
	return nil
}

func (h *handler) getDrill(w http.ResponseWriter, r *http.Request) error {
	d, err := h.drills()
	if err != nil {
		return err
	}
	id, err := pathID(r, "id", "drill run")
	if err != nil {
		return err
	}
	run, err := d.FindDrillRun(r.Context(), id)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, run)
	return nil
}

// changeDrill serves pause, resume and abort.
func (h *handler) changeDrill(w http.ResponseWriter, r *http.Request) error {
	d, err := h.drills()
	if err != nil {
		return err
	}
	id, err := pathID(r, "id", "drill run")
	if err != nil {
		return err
	}
	var run *warroom.DrillRun
	switch r.PathValue("action") {
	case "pause":
		run, err = d.PauseDrill(r.Context(), id)
	case "resume":
		run, err = d.ResumeDrill(r.Context(), id)
	case "abort":
		run, err = d.AbortDrill(r.Context(), id)
	default:
		return warroom.Errorf(warroom.ENOTFOUND, "No drill action %q (want pause, resume or abort).", r.PathValue("action"))
	}
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, run)
	return nil
}

// getDrillReport returns the report as JSON, or with format=markdown as
// the document postmortems are exported as.
func (h *handler) getDrillReport(w http.ResponseWriter, r *http.Request) error {
	d, err := h.drills()
	if err != nil {
		return err
	}
	id, err := pathID(r, "id", "drill run")
	if err != nil {
		return err
	}
	format := r.URL.Query().Get("format")
	if format != "" && format != "json" && format != "markdown" {
		return paramError("format", "unknown format %q (want json or markdown)", format)
	}
	rep, err := d.DrillReport(r.Context(), id)
	if err != nil {
		return err
	}
	if format == "markdown" {
		w.Header().Set("Content-Type", "text/markdown; charset=utf-8")
		_, _ = w.Write(drillfile.ReportMarkdown(rep))
		return nil
	}
	h.json(w, r, http.StatusOK, rep)
	return nil
}

func (h *handler) getDrillInsights(w http.ResponseWriter, r *http.Request) error {
	d, err := h.drills()
	if err != nil {
		return err
	}
	q := r.URL.Query()
	to := time.Now().UTC()
	if t, err := timeParam(q, "to"); err != nil {
		return err
	} else if t != nil {
		to = *t
	}
	from := to.AddDate(0, 0, -90)
	if t, err := timeParam(q, "from"); err != nil {
		return err
	} else if t != nil {
		from = *t
	}
	stale := int64(90)
	if n, err := intParam(q, "stale_days"); err != nil {
		return err
	} else if n != nil {
		stale = *n
	}
	if stale < 1 || stale > 3650 {
		return paramError("stale_days", "must be 1 to 3650")
	}
	in, err := d.DrillInsights(r.Context(), from, to, int(stale))
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, in)
	return nil
}

func (h *handler) getDrillPreview(w http.ResponseWriter, r *http.Request) error {
	d, err := h.drills()
	if err != nil {
		return err
	}
	id, err := incidentID(r)
	if err != nil {
		return err
	}
	p, err := d.DrillPreview(r.Context(), id)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, p)
	return nil
}
