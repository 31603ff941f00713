package api

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/warroomhq/warroom"
)

// changeID reads the {id} of a change route, "42" or "CHG-42".
func changeID(r *http.Request) (int64, error) {
	return warroom.ParseChangeNumber(r.PathValue("id"))
}

// changeRequest is the body of POST /api/v1/changes: what a caller may set.
type changeRequest struct {
	Kind         warroom.ChangeKind   `json:"kind"`
	Title        string               `json:"title"`
	Description  string               `json:"description"`
	ServiceIDs   []int64              `json:"service_ids"`
	Links        []warroom.ChangeLink `json:"links"`
	PlannedStart *time.Time           `json:"planned_start"`
	PlannedEnd   *time.Time           `json:"planned_end"`
	Risk         warroom.Risk         `json:"risk"`
	RiskReason   string               `json:"risk_reason"`
	Evidence     warroom.Evidence     `json:"evidence"`
}

func (h *handler) createChange(w http.ResponseWriter, r *http.Request) error {
	var req changeRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	c := &warroom.Change{Kind: req.Kind, Title: req.Title, Description: req.Description, ServiceIDs: req.ServiceIDs,
		Links: req.Links, PlannedStart: req.PlannedStart, PlannedEnd: req.PlannedEnd, Risk: req.Risk, RiskReason: req.RiskReason,
		Evidence: req.Evidence, Source: warroom.SourceAPI}
	if err := c.Validate(); err != nil {
		return err
	}
	if err := h.Changes.CreateChange(r.Context(), c); err != nil {
		return err
	}
	h.json(w, r, http.StatusCreated, c)
	return nil
}

func (h *handler) listChanges(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	var f warroom.ChangeFilter
	var err error
	if f.Offset, f.Limit, err = page(q); err != nil {
		return err
	}
	for _, s := range listParam(q, "state") {
		st := warroom.ChangeState(strings.ToLower(s))
		if !st.Valid() {
			return paramError("state", "unknown state %q", s)
		}
		f.States = append(f.States, st)
	}
	if s := stringParam(q, "kind"); s != nil {
		k := warroom.ChangeKind(*s)
		if !k.Valid() {
			return paramError("kind", "unknown kind %q", *s)
		}
		f.Kind = &k
	}
	if s := stringParam(q, "service"); s != nil {
		id, err := h.serviceRef(r.Context(), *s)
		if warroom.ErrorCode(err) == warroom.ENOTFOUND {
			return paramError("service", "no service %q", *s)
		} else if err != nil {
			return err
		}
		f.ServiceID = &id
	}
	if f.AuthorID, err = intParam(q, "author_id"); err != nil {
		return err
	}
	if f.Violated, err = boolParam(q, "violated"); err != nil {
		return err
	}
	if f.From, err = timeParam(q, "from"); err != nil {
		return err
	}
	if f.To, err = timeParam(q, "to"); err != nil {
		return err
	}
	f.Query = stringParam(q, "q")
	cs, total, err := h.Changes.FindChanges(r.Context(), f)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, list("changes", cs, total, f.Offset, f.Limit))
	return nil
}

func (h *handler) getChange(w http.ResponseWriter, r *http.Request) error {
	id, err := changeID(r)
	if err != nil {
		return err
	}
	c, err := h.Changes.FindChangeByID(r.Context(), id)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, c)
	return nil
}

func (h *handler) updateChange(w http.ResponseWriter, r *http.Request) error {
	id, err := changeID(r)
	if err != nil {
		return err
	}
	var upd warroom.ChangeUpdate
	if err := decode(w, r, &upd); err != nil {
		return err
	}
	c, err := h.Changes.UpdateChange(r.Context(), id, upd)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, c)
	return nil
}

func (h *handler) listChangeEvents(w http.ResponseWriter, r *http.Request) error {
	id, err := changeID(r)
	if err != nil {
		return err
	}
	es, err := h.Changes.FindChangeEvents(r.Context(), id)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, items("events", es))
	return nil
}

func (h *handler) checkChange(w http.ResponseWriter, r *http.Request) error {
	id, err := changeID(r)
	if err != nil {
		return err
	}
	chk, err := h.Changes.CheckChange(r.Context(), id)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, chk)
	return nil
}

// stepRequest is the optional body of a lifecycle step.
type stepRequest struct {
	Comment string `json:"comment"`
}

// changeStep runs one lifecycle step. The body is optional: a pipeline
// step may POST nothing.
func (h *handler) changeStep(step func(r *http.Request, id int64, text string) (*warroom.Change, error)) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := changeID(r)
		if err != nil {
			return err
		}
		var req stepRequest
		if r.ContentLength != 0 {
			if err := decode(w, r, &req); err != nil {
				return err
			}
		}
		c, err := step(r, id, req.Comment)
		if err != nil {
			return err
		}
		h.json(w, r, http.StatusOK, c)
		return nil
	}
}

func (h *handler) submitChange(w http.ResponseWriter, r *http.Request) error {
	return h.changeStep(func(r *http.Request, id int64, _ string) (*warroom.Change, error) {
		return h.Changes.SubmitChange(r.Context(), id)
	})(w, r)
}

func (h *handler) approveChange(w http.ResponseWriter, r *http.Request) error {
	return h.changeStep(func(r *http.Request, id int64, s string) (*warroom.Change, error) {
		return h.Changes.ApproveChange(r.Context(), id, s)
	})(w, r)
}

func (h *handler) rejectChange(w http.ResponseWriter, r *http.Request) error {
	return h.changeStep(func(r *http.Request, id int64, s string) (*warroom.Change, error) {
		return h.Changes.RejectChange(r.Context(), id, s)
	})(w, r)
}

func (h *handler) startChange(w http.ResponseWriter, r *http.Request) error {
	return h.changeStep(func(r *http.Request, id int64, _ string) (*warroom.Change, error) {
		return h.Changes.StartChange(r.Context(), id)
	})(w, r)
}

func (h *handler) completeChange(w http.ResponseWriter, r *http.Request) error {
	return h.changeStep(func(r *http.Request, id int64, s string) (*warroom.Change, error) {
		return h.Changes.CompleteChange(r.Context(), id, s)
	})(w, r)
}

func (h *handler) failChange(w http.ResponseWriter, r *http.Request) error {
	return h.changeStep(func(r *http.Request, id int64, s string) (*warroom.Change, error) {
		return h.Changes.FailChange(r.Context(), id, s)
	})(w, r)
}

func (h *handler) rollbackChange(w http.ResponseWriter, r *http.Request) error {
	return h.changeStep(func(r *http.Request, id int64, s string) (*warroom.Change, error) {
		return h.Changes.RollbackChange(r.Context(), id, s)
	})(w, r)
}

func (h *handler) listIncidentChanges(w http.ResponseWriter, r *http.Request) error {
	id, err := incidentID(r)
	if err != nil {
		return err
	}
	window := warroom.DefaultCorrelationWindow
	if s := r.URL.Query().Get("hours"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 24*90 {
			return paramError("hours", "must be a whole number of hours from 1 to 2160, got %q", s)
		}
		window = time.Duration(n) * time.Hour
	}
	cs, err := h.Changes.FindIncidentChanges(r.Context(), id, window)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, items("changes", cs))
	return nil
}

func (h *handler) listSuspectedCauses(w http.ResponseWriter, r *http.Request) error {
	id, err := incidentID(r)
	if err != nil {
		return err
	}
	cs, err := h.Changes.FindSuspectedCauses(r.Context(), id)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, items("suspected_causes", cs))
	return nil
}

type linkRequest struct {
	ChangeID int64  `json:"change_id"`
	Note     string `json:"note"`
}

func (h *handler) linkSuspectedCause(w http.ResponseWriter, r *http.Request) error {
	id, err := incidentID(r)
	if err != nil {
		return err
	}
	var req linkRequest
	if err := decode(w, r, &req); err != nil {
		return err
	} else if req.ChangeID <= 0 {
		return warroom.FieldErrorf("change_id", "is required")
	} else if err := h.grants().ReachChange(r.Context(), warroom.UserFromContext(r.Context()), req.ChangeID); err != nil {
		return err
	}
	sc, err := h.Changes.LinkSuspectedCause(r.Context(), id, req.ChangeID, req.Note)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusCreated, sc)
	return nil
}

func (h *handler) unlinkSuspectedCause(w http.ResponseWriter, r *http.Request) error {
	id, err := incidentID(r)
	if err != nil {
		return err
	}
	cid, err := warroom.ParseChangeNumber(r.PathValue("changeID"))
	if err != nil {
		return err
	}
	if err := h.Changes.UnlinkSuspectedCause(r.Context(), id, cid); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *handler) rollbackIncidentChange(w http.ResponseWriter, r *http.Request) error {
	id, err := incidentID(r)
	if err != nil {
		return err
	}
	cid, err := warroom.ParseChangeNumber(r.PathValue("changeID"))
	if err != nil {
		return err
	}
	var req stepRequest
	if r.ContentLength != 0 {
		if err := decode(w, r, &req); err != nil {
			return err
		}
	}
	c, err := h.Changes.RollbackIncidentChange(r.Context(), id, cid, req.Comment)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, c)
	return nil
}
