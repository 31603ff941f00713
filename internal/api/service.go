package api

import (
	"net/http"

	"github.com/warroomhq/warroom"
)

func (h *handler) listServices(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := warroom.ServiceFilter{Team: stringParam(q, "team"), Query: stringParam(q, "q")}
	var err error
	if f.Offset, f.Limit, err = page(q); err != nil {
		return err
	}
	ss, total, err := h.Services.FindServices(r.Context(), f)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, list("services", ss, total, f.Offset, f.Limit))
	return nil
}

type serviceRequest struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	Team        string `json:"team"`
	Tier        int    `json:"tier"`
	// AlertHandling absent means the defaults.
	AlertHandling *warroom.AlertHandling `json:"alert_handling"`
}

func (h *handler) createService(w http.ResponseWriter, r *http.Request) error {
	var req serviceRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	s := &warroom.Service{Name: req.Name, Description: req.Description, Team: req.Team, Tier: req.Tier, AlertHandling: req.AlertHandling}
	if err := s.Validate(); err != nil {
		return err
	} else if err := h.Services.CreateService(r.Context(), s); err != nil {
		return err
	}
	h.json(w, r, http.StatusCreated, s)
	return nil
}

func (h *handler) getService(w http.ResponseWriter, r *http.Request) error {
	id, err := h.serviceRef(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	s, err := h.Services.FindServiceByID(r.Context(), id)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, s)
	return nil
}

func (h *handler) updateService(w http.ResponseWriter, r *http.Request) error {
	id, err := h.serviceRef(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	var upd warroom.ServiceUpdate
	if err := decode(w, r, &upd); err != nil {
		return err
	}
	s, err := h.Services.UpdateService(r.Context(), id, upd)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, s)
	return nil
}
