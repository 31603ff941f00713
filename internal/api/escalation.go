package api

import (
	"net/http"

	"github.com/warroomhq/warroom"
)

func (h *handler) listPolicies(w http.ResponseWriter, r *http.Request) error {
	ps, err := h.Escalations.FindEscalationPolicies(r.Context())
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, items("escalation_policies", ps))
	return nil
}

func (h *handler) createPolicy(w http.ResponseWriter, r *http.Request) error {
	var p warroom.EscalationPolicy
	if err := decode(w, r, &p); err != nil {
		return err
	}
	if err := h.Escalations.CreateEscalationPolicy(r.Context(), &p); err != nil {
		return err
	}
	h.json(w, r, http.StatusCreated, &p)
	return nil
}

func (h *handler) getPolicy(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "escalation policy")
	if err != nil {
		return err
	}
	p, err := h.Escalations.FindEscalationPolicyByID(r.Context(), id)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, p)
	return nil
}

func (h *handler) replacePolicy(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "escalation policy")
	if err != nil {
		return err
	}
	var p warroom.EscalationPolicy
	if err := decode(w, r, &p); err != nil {
		return err
	}
	if err := h.Escalations.ReplaceEscalationPolicy(r.Context(), id, &p); err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, &p)
	return nil
}

type servicePolicy struct {
	PolicyID int64 `json:"policy_id"`
}

func (h *handler) setServicePolicy(w http.ResponseWriter, r *http.Request) error {
	id, err := h.serviceRef(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	var req servicePolicy
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if req.PolicyID < 0 {
		return warroom.FieldErrorf("policy_id", "must be a policy ID, or 0 to clear")
	}
	if err := h.Escalations.SetServiceEscalationPolicy(r.Context(), id, req.PolicyID); err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, req)
	return nil
}

func (h *handler) listEscalations(w http.ResponseWriter, r *http.Request) error {
	id, err := incidentID(r)
	if err != nil {
		return err
	}
	es, err := h.Escalations.FindEscalations(r.Context(), id)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, items("escalations", es))
	return nil
}

func (h *handler) escalateNow(w http.ResponseWriter, r *http.Request) error {
	id, err := incidentID(r)
	if err != nil {
		return err
	}
	if err := h.Escalations.EscalateNow(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusAccepted)
	return nil
}

func (h *handler) listIncidentNotifications(w http.ResponseWriter, r *http.Request) error {
	id, err := incidentID(r)
	if err != nil {
		return err
	}
	f := warroom.NotificationFilter{IncidentID: &id}
	if f.Offset, f.Limit, err = page(r.URL.Query()); err != nil {
		return err
	}
	if _, err := h.Incidents.FindIncidentByID(r.Context(), id); err != nil {
		return err
	}
	ns, total, err := h.Notifications.FindNotifications(r.Context(), f)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, list("notifications", ns, total, f.Offset, f.Limit))
	return nil
}

func (h *handler) pageSomeone(w http.ResponseWriter, r *http.Request) error {
	var req warroom.PageRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if err := h.Escalations.Page(r.Context(), req); err != nil {
		return err
	}
	w.WriteHeader(http.StatusAccepted)
	return nil
}
