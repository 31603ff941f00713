package api

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/warroomhq/warroom"
)

// declareRequest is the body of POST /api/v1/incidents: only what a caller
// may set when declaring.
type declareRequest struct {
	Title          string               `json:"title"`
	Summary        string               `json:"summary"`
	Type           warroom.IncidentType `json:"type"`
	Severity       warroom.Severity     `json:"severity"`
	SeverityReason string               `json:"severity_reason"`
	ServiceIDs     []int64              `json:"service_ids"`
	Impact         warroom.Impact       `json:"impact"`
	Loss           *warroom.Loss        `json:"loss"`
	Drill          bool                 `json:"drill"`
	DetectedAt     *time.Time           `json:"detected_at"`
}

// decodeIncident reads and validates a declare request. Every failure is a
// *warroom.Error naming the field.
func decodeIncident(w http.ResponseWriter, r *http.Request) (*warroom.Incident, error) {
	var req declareRequest
	if err := decode(w, r, &req); err != nil {
		return nil, err
	}
	inc := &warroom.Incident{
		Title:          req.Title,
		Summary:        req.Summary,
		Type:           req.Type,
		Severity:       req.Severity,
		SeverityReason: req.SeverityReason,
		ServiceIDs:     req.ServiceIDs,
		Impact:         req.Impact,
		Drill:          req.Drill,
	}
	if req.Loss != nil {
		inc.Loss = *req.Loss
	}
	if req.DetectedAt != nil {
		inc.DetectedAt = req.DetectedAt.UTC()
	}
	if err := inc.Validate(); err != nil {
		return nil, err
	}
	return inc, nil
}

func (h *handler) declareIncident(w http.ResponseWriter, r *http.Request) error {
	inc, err := decodeIncident(w, r)
	if err != nil {
		return err
	}
	if err := h.Incidents.DeclareIncident(r.Context(), inc); err != nil {
		return err
	}
	// Answer with the incident as a later GET shows it, tasks and SLA
	// included, so the client need not ask again.
	stored, err := h.Incidents.FindIncidentByID(r.Context(), inc.ID)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusCreated, stored)
	return nil
}

func (h *handler) getIncident(w http.ResponseWriter, r *http.Request) error {
	id, err := incidentID(r)
	if err != nil {
		return err
	}
	inc, err := h.Incidents.FindIncidentByID(r.Context(), id)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, inc)
	return nil
}

func (h *handler) listIncidents(w http.ResponseWriter, r *http.Request) error {
	f, err := h.incidentFilter(r.Context(), r.URL.Query())
	if err != nil {
		return err
	}
	incs, total, err := h.Incidents.FindIncidents(r.Context(), f)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, list("incidents", incs, total, f.Offset, f.Limit))
	return nil
}

// incidentFilter reads the query of GET /api/v1/incidents. Unknown states,
// severities and types are refused: an empty result would hide the typo.
func (h *handler) incidentFilter(ctx context.Context, q url.Values) (warroom.IncidentFilter, error) {
	var f warroom.IncidentFilter
	var err error
	if f.Offset, f.Limit, err = page(q); err != nil {
		return f, err
	}
	for _, s := range listParam(q, "state") {
		if st := warroom.State(strings.ToLower(s)); st.Valid() {
			f.States = append(f.States, st)
		} else {
			return f, paramError("state", "unknown state %q (want one of %s)", s, joinStates())
		}
	}
	for _, s := range listParam(q, "severity") {
		sev, err := warroom.ParseSeverity(s)
		if err != nil {
			return f, paramError("severity", "unknown severity %q (want P0, P1, P2, P3 or P4)", s)
		}
		f.Severities = append(f.Severities, sev)
	}
	if s := stringParam(q, "type"); s != nil {
		t := warroom.IncidentType(*s)
		if !t.Valid() {
			return f, paramError("type", "unknown type %q", *s)
		}
		f.Type = &t
	}
	if s := stringParam(q, "service"); s != nil {
		id, err := h.serviceRef(ctx, *s)
		if err != nil {
			if warroom.ErrorCode(err) == warroom.ENOTFOUND {
				return f, paramError("service", "no service %q", *s)
			}
			return f, err
		}
		f.ServiceID = &id
	}
	f.Query = stringParam(q, "q")
	if f.DetectedAfter, err = timeParam(q, "detected_after"); err != nil {
		return f, err
	}
	if f.DetectedBefore, err = timeParam(q, "detected_before"); err != nil {
		return f, err
	}
	f.Drill, err = boolParam(q, "drill")
	return f, err
}

func joinStates() string {
	s := make([]string, len(warroom.States))
	for i, v := range warroom.States {
		s[i] = string(v)
	}
	return strings.Join(s, ", ")
}

func (h *handler) updateIncident(w http.ResponseWriter, r *http.Request) error {
	id, err := incidentID(r)
	if err != nil {
		return err
	}
	var upd warroom.IncidentUpdate
	if err := decode(w, r, &upd); err != nil {
		return err
	} else if err := upd.Validate(); err != nil {
		return err
	}
	if upd.ServiceIDs != nil {
		if err := h.grants().ReachServices(r.Context(), warroom.UserFromContext(r.Context()), "service_ids", *upd.ServiceIDs); err != nil {
			return err
		}
	}
	inc, err := h.Incidents.UpdateIncident(r.Context(), id, upd)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, inc)
	return nil
}

type transitionRequest struct {
	State warroom.State `json:"state"`
	Note  string        `json:"note"`
}

func (h *handler) transitionIncident(w http.ResponseWriter, r *http.Request) error {
	id, err := incidentID(r)
	if err != nil {
		return err
	}
	var req transitionRequest
	if err := decode(w, r, &req); err != nil {
		return err
	} else if !req.State.Valid() {
		return warroom.FieldErrorf("state", "unknown state %q (want one of %s)", req.State, joinStates())
	}
	inc, err := h.Incidents.TransitionIncident(r.Context(), id, req.State, req.Note)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, inc)
	return nil
}

type severityRequest struct {
	Severity warroom.Severity `json:"severity"`
	Reason   string           `json:"reason"`
}

func (h *handler) setSeverity(w http.ResponseWriter, r *http.Request) error {
	id, err := incidentID(r)
	if err != nil {
		return err
	}
	var req severityRequest
	if err := decode(w, r, &req); err != nil {
		return err
	} else if !req.Severity.Valid() {
		return warroom.FieldErrorf("severity", "unknown severity %q (want P0, P1, P2, P3 or P4)", req.Severity)
	}
	inc, err := h.Incidents.SetSeverity(r.Context(), id, req.Severity, req.Reason)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, inc)
	return nil
}

// serviceRef resolves a service given by ID or by name. Names may be all
// digits, so a number that is not an ID is tried as a name too.
func (h *handler) serviceRef(ctx context.Context, ref string) (int64, error) {
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil && id > 0 {
		s, err := h.Services.FindServiceByID(ctx, id)
		if err == nil {
			return s.ID, nil
		} else if warroom.ErrorCode(err) != warroom.ENOTFOUND {
			return 0, err
		}
	}
	s, err := h.Services.FindServiceByName(ctx, ref)
	if err != nil {
		return 0, err
	}
	return s.ID, nil
}
