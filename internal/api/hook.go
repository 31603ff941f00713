package api

import (
	"net/http"

	"github.com/warroomhq/warroom"
)

// hookRequest is the body that creates a subscription; active defaults to
// true, since a subscription is made to be sent to.
type hookRequest struct {
	Name          string                  `json:"name"`
	URL           string                  `json:"url"`
	EventTypes    []warroom.HookEventType `json:"event_types"`
	Severities    []warroom.Severity      `json:"severities"`
	IncidentTypes []warroom.IncidentType  `json:"incident_types"`
	ServiceIDs    []int64                 `json:"service_ids"`
	Drills        bool                    `json:"drills"`
	Active        *bool                   `json:"active"`
}

func (h *handler) listHookEventTypes(w http.ResponseWriter, r *http.Request) error {
	h.json(w, r, http.StatusOK, items("event_types", warroom.HookEventTypes()))
	return nil
}

func (h *handler) listHooks(w http.ResponseWriter, r *http.Request) error {
	subs, err := h.Hooks.FindHookSubscriptions(r.Context())
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, items("webhooks", subs))
	return nil
}

func (h *handler) createHook(w http.ResponseWriter, r *http.Request) error {
	var req hookRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	s := &warroom.HookSubscription{Name: req.Name, URL: req.URL, EventTypes: req.EventTypes, Severities: req.Severities,
		IncidentTypes: req.IncidentTypes, ServiceIDs: req.ServiceIDs, Drills: req.Drills, Active: req.Active == nil || *req.Active}
	if err := h.Hooks.CreateHookSubscription(r.Context(), s); err != nil {
		return err
	}
	h.json(w, r, http.StatusCreated, s)
	return nil
}

func (h *handler) getHook(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "webhook")
	if err != nil {
		return err
	}
	s, err := h.Hooks.FindHookSubscriptionByID(r.Context(), id)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, s)
	return nil
}

func (h *handler) updateHook(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "webhook")
	if err != nil {
		return err
	}
	var upd warroom.HookSubscriptionUpdate
	if err := decode(w, r, &upd); err != nil {
		return err
	}
	s, err := h.Hooks.UpdateHookSubscription(r.Context(), id, upd)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, s)
	return nil
}

func (h *handler) rotateHook(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "webhook")
	if err != nil {
		return err
	}
	s, err := h.Hooks.RotateHookSecret(r.Context(), id)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, s)
	return nil
}

func (h *handler) deleteHook(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "webhook")
	if err != nil {
		return err
	}
	if err := h.Hooks.DeleteHookSubscription(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *handler) listHookDeliveries(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "webhook")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := warroom.HookDeliveryFilter{SubscriptionID: id}
	if s := q.Get("state"); s != "" {
		st := warroom.HookDeliveryState(s)
		f.State = &st
	}
	if s := q.Get("incident"); s != "" {
		n, err := warroom.ParseNumber(s)
		if err != nil {
			return paramError("incident", "must be an incident number such as INC-42, got %q", s)
		}
		f.IncidentID = &n
	}
	if f.Offset, f.Limit, err = page(q); err != nil {
		return err
	}
	ds, total, err := h.Hooks.FindHookDeliveries(r.Context(), f)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, list("deliveries", ds, total, f.Offset, f.Limit))
	return nil
}

func (h *handler) getHookDelivery(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "webhook delivery")
	if err != nil {
		return err
	}
	d, err := h.Hooks.FindHookDeliveryByID(r.Context(), id)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, d)
	return nil
}

func (h *handler) redeliverHook(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "webhook delivery")
	if err != nil {
		return err
	}
	d, err := h.Hooks.RedeliverHook(r.Context(), id)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusAccepted, d)
	return nil
}
