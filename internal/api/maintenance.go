package api

import (
	"net/http"
	"time"

	"github.com/warroomhq/warroom"
)

func (h *handler) listMaintenanceWindows(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	var f warroom.MaintenanceFilter
	var err error
	if f.ServiceID, err = h.serviceParam(r.Context(), q); err != nil {
		return err
	}
	if f.ActiveAt, err = timeParam(q, "active_at"); err != nil {
		return err
	}
	if f.EndedAfter, err = timeParam(q, "ended_after"); err != nil {
		return err
	}
	if f.Offset, f.Limit, err = page(q); err != nil {
		return err
	}
	ws, total, err := h.Maintenance.FindMaintenanceWindows(r.Context(), f)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, list("maintenance_windows", ws, total, f.Offset, f.Limit))
	return nil
}

type maintenanceWindowRequest struct {
	Service  string    `json:"service"`
	StartsAt time.Time `json:"starts_at"`
	EndsAt   time.Time `json:"ends_at"`
	Reason   string    `json:"reason"`
}

func (h *handler) createMaintenanceWindow(w http.ResponseWriter, r *http.Request) error {
	var req maintenanceWindowRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if req.Service == "" {
		return warroom.FieldErrorf("service", "is required (a service name or ID)")
	}
	sid, err := h.serviceRef(r.Context(), req.Service)
	if err != nil {
		return err
	}
	mw := &warroom.MaintenanceWindow{ServiceID: sid, StartsAt: req.StartsAt, EndsAt: req.EndsAt, Reason: req.Reason}
	if err := h.Maintenance.CreateMaintenanceWindow(r.Context(), mw); err != nil {
		return err
	}
	h.json(w, r, http.StatusCreated, mw)
	return nil
}

func (h *handler) endMaintenanceWindow(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "maintenance window")
	if err != nil {
		return err
	}
	mw, err := h.Maintenance.EndMaintenanceWindow(r.Context(), id)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, mw)
	return nil
}
