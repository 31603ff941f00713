package api

import (
	"net/http"

	"github.com/warroomhq/warroom"
)

func (h *handler) listAlerts(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	var f warroom.AlertFilter
	var err error
	if f.ServiceID, err = h.serviceParam(r.Context(), q); err != nil {
		return err
	}
	if f.IntegrationID, err = intParam(q, "integration"); err != nil {
		return err
	}
	if s := q.Get("incident"); s != "" {
		id, err := warroom.ParseNumber(s)
		if err != nil {
			return paramError("incident", "must be an incident number such as INC-42, got %q", s)
		}
		f.IncidentID = &id
	}
	for _, s := range listParam(q, "status") {
		f.Statuses = append(f.Statuses, warroom.AlertStatus(s))
	}
	f.Query = stringParam(q, "q")
	if f.Offset, f.Limit, err = page(q); err != nil {
		return err
	}
	as, total, err := h.Alerts.FindAlerts(r.Context(), f)
	if err != nil {
		return err
	}
	body := list("alerts", as, min(total, warroom.AlertCountLimit), f.Offset, f.Limit)
	body["total_exact"] = total <= warroom.AlertCountLimit
	h.json(w, r, http.StatusOK, body)
	return nil
}

func (h *handler) getAlert(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "alert")
	if err != nil {
		return err
	}
	a, err := h.Alerts.FindAlertByID(r.Context(), id)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, a)
	return nil
}

func (h *handler) resolveAlert(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "alert")
	if err != nil {
		return err
	}
	a, err := h.Alerts.ResolveAlert(r.Context(), id)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, a)
	return nil
}
