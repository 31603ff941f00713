package api

import (
	"net/http"

	"github.com/warroomhq/warroom"
)

// hideToken blanks a monitor's check-in token for anyone but admins: it
// is a credential.
func hideToken(r *http.Request, ms ...*warroom.Monitor) {
	if u := warroom.UserFromContext(r.Context()); u != nil && u.Can(warroom.PermAdmin) {
		return
	}
	for _, m := range ms {
		m.Token = ""
	}
}

func (h *handler) listMonitors(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	var f warroom.MonitorFilter
	var err error
	if f.ServiceID, err = h.serviceParam(r.Context(), q); err != nil {
		return err
	}
	if s := q.Get("status"); s != "" {
		st := warroom.MonitorStatus(s)
		f.Status = &st
	}
	if s := q.Get("kind"); s != "" {
		k := warroom.MonitorKind(s)
		f.Kind = &k
	}
	if f.Offset, f.Limit, err = page(q); err != nil {
		return err
	}
	ms, total, err := h.Monitors.FindMonitors(r.Context(), f)
	if err != nil {
		return err
	}
	hideToken(r, ms...)
	h.json(w, r, http.StatusOK, list("monitors", ms, total, f.Offset, f.Limit))
	return nil
}

type monitorRequest struct {
	warroom.Monitor
	Service string `json:"service"`
}

func (h *handler) createMonitor(w http.ResponseWriter, r *http.Request) error {
	var req monitorRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	m := req.Monitor
	if req.Service != "" {
		sid, err := h.serviceRef(r.Context(), req.Service)
		if err != nil {
			return err
		}
		m.ServiceID = sid
	}
	if err := h.Monitors.CreateMonitor(r.Context(), &m); err != nil {
		return err
	}
	h.json(w, r, http.StatusCreated, &m)
	return nil
}

func (h *handler) getMonitor(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "monitor")
	if err != nil {
		return err
	}
	m, err := h.Monitors.FindMonitorByID(r.Context(), id)
	if err != nil {
		return err
	}
	hideToken(r, m)
	h.json(w, r, http.StatusOK, m)
	return nil
}

func (h *handler) deleteMonitor(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "monitor")
	if err != nil {
		return err
	}
	if err := h.Monitors.DeleteMonitor(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
