package api

import (
	"net/http"
	"time"

	"github.com/warroomhq/warroom"
)

type proposeRequest struct {
	Impact         warroom.Impact `json:"impact"`
	OpenForSeconds int64          `json:"open_for_seconds"`
}

func (h *handler) proposeSeverity(w http.ResponseWriter, r *http.Request) error {
	var req proposeRequest
	if err := decode(w, r, &req); err != nil {
		return err
	} else if err := req.Impact.Validate(); err != nil {
		return err
	} else if req.OpenForSeconds < 0 || req.OpenForSeconds > 10*366*24*3600 {
		return warroom.FieldErrorf("open_for_seconds", "must be between 0 and ten years")
	}
	p, err := h.Incidents.ProposeSeverity(r.Context(), req.Impact, time.Duration(req.OpenForSeconds)*time.Second)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, p)
	return nil
}

func (h *handler) getSeverityMatrix(w http.ResponseWriter, r *http.Request) error {
	m, err := h.Severity.FindSeverityMatrix(r.Context())
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, m)
	return nil
}

func (h *handler) putSeverityMatrix(w http.ResponseWriter, r *http.Request) error {
	var m warroom.SeverityMatrix
	if err := decode(w, r, &m); err != nil {
		return err
	} else if err := m.Validate(); err != nil {
		return err
	} else if err := h.Severity.UpdateSeverityMatrix(r.Context(), &m); err != nil {
		return err
	}
	return h.getSeverityMatrix(w, r)
}

type slaPoliciesBody struct {
	Policies []warroom.SLAPolicy `json:"policies"`
}

func (h *handler) getSLAPolicies(w http.ResponseWriter, r *http.Request) error {
	ps, err := h.Severity.FindSLAPolicies(r.Context())
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, items("policies", ps))
	return nil
}

func (h *handler) putSLAPolicies(w http.ResponseWriter, r *http.Request) error {
	var req slaPoliciesBody
	if err := decode(w, r, &req); err != nil {
		return err
	} else if err := warroom.ValidateSLAPolicies(req.Policies); err != nil {
		return err
	} else if err := h.Severity.UpdateSLAPolicies(r.Context(), req.Policies); err != nil {
		return err
	}
	return h.getSLAPolicies(w, r)
}
