package api

import (
	"net/http"
	"time"

	"github.com/warroomhq/warroom"
)

// Stakeholder groups, scope rules and status updates.

func (h *handler) listStakeholderGroups(w http.ResponseWriter, r *http.Request) error {
	gs, err := h.Stakeholders.FindStakeholderGroups(r.Context())
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, items("groups", gs))
	return nil
}

func (h *handler) createStakeholderGroup(w http.ResponseWriter, r *http.Request) error {
	var g warroom.StakeholderGroup
	if err := decode(w, r, &g); err != nil {
		return err
	} else if err := h.Stakeholders.CreateStakeholderGroup(r.Context(), &g); err != nil {
		return err
	}
	h.json(w, r, http.StatusCreated, &g)
	return nil
}

func (h *handler) getStakeholderGroup(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "stakeholder group")
	if err != nil {
		return err
	}
	g, err := h.Stakeholders.FindStakeholderGroupByID(r.Context(), id)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, g)
	return nil
}

func (h *handler) replaceStakeholderGroup(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "stakeholder group")
	if err != nil {
		return err
	}
	var g warroom.StakeholderGroup
	if err := decode(w, r, &g); err != nil {
		return err
	} else if err := h.Stakeholders.ReplaceStakeholderGroup(r.Context(), id, &g); err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, &g)
	return nil
}

func (h *handler) deleteStakeholderGroup(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "stakeholder group")
	if err != nil {
		return err
	}
	if err := h.Stakeholders.DeleteStakeholderGroup(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type scopeRules struct {
	Rules []warroom.ScopeRule `json:"rules"`
}

func (h *handler) getScopeRules(w http.ResponseWriter, r *http.Request) error {
	rules, err := h.Stakeholders.FindScopeRules(r.Context())
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, scopeRules{Rules: rules})
	return nil
}

func (h *handler) putScopeRules(w http.ResponseWriter, r *http.Request) error {
	var req scopeRules
	if err := decode(w, r, &req); err != nil {
		return err
	} else if req.Rules == nil {
		return warroom.FieldErrorf("rules", "is required (send [] to remove every rule)")
	} else if err := h.Stakeholders.ReplaceScopeRules(r.Context(), req.Rules); err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, req)
	return nil
}

func (h *handler) listStatusUpdates(w http.ResponseWriter, r *http.Request) error {
	id, err := incidentID(r)
	if err != nil {
		return err
	}
	us, err := h.Stakeholders.FindStatusUpdates(r.Context(), id)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, items("status_updates", us))
	return nil
}

// statusUpdateRequest is what a caller may set on a status update.
type statusUpdateRequest struct {
	Audience     warroom.Audience          `json:"audience"`
	WhatHappened string                    `json:"what_happened"`
	Impact       string                    `json:"impact"`
	Actions      string                    `json:"actions"`
	NextUpdateBy *time.Time                `json:"next_update_by"`
	PublicStatus warroom.PublicStatus      `json:"public_status"`
	PublicTitle  string                    `json:"public_title"`
	Components   []warroom.ComponentImpact `json:"components"`
	// RealWorld sends one public update of a drill to the real status
	// page and its subscribers; it is audited.
	RealWorld bool `json:"real_world"`
}

func (h *handler) postStatusUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := incidentID(r)
	if err != nil {
		return err
	}
	var req statusUpdateRequest
	if err := decode(w, r, &req); err != nil {
		return err
	} else if err := h.grants().ReachComponents(r.Context(), warroom.UserFromContext(r.Context()), req.Components); err != nil {
		return err
	}
	u := &warroom.StatusUpdate{Audience: req.Audience, WhatHappened: req.WhatHappened, Impact: req.Impact, Actions: req.Actions,
		PublicStatus: req.PublicStatus, PublicTitle: req.PublicTitle, Components: req.Components, NextUpdateBy: req.NextUpdateBy, RealWorld: req.RealWorld}
	if err := h.Stakeholders.PostStatusUpdate(r.Context(), id, u); err != nil {
		return err
	}
	h.json(w, r, http.StatusCreated, u)
	return nil
}

// The status page: branding, components, maintenance and subscribers.

func (h *handler) getStatusPage(w http.ResponseWriter, r *http.Request) error {
	s, err := h.StatusPage.FindStatusPageSettings(r.Context())
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, s)
	return nil
}

func (h *handler) putStatusPage(w http.ResponseWriter, r *http.Request) error {
	var s warroom.StatusPageSettings
	if err := decode(w, r, &s); err != nil {
		return err
	} else if err := h.StatusPage.UpdateStatusPageSettings(r.Context(), &s); err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, &s)
	return nil
}

func (h *handler) listComponents(w http.ResponseWriter, r *http.Request) error {
	cs, err := h.StatusPage.FindComponents(r.Context())
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, items("components", cs))
	return nil
}

type componentRequest struct {
	Name        string                  `json:"name"`
	Description string                  `json:"description"`
	Group       string                  `json:"group"`
	ServiceID   *int64                  `json:"service_id"`
	Status      warroom.ComponentStatus `json:"status"`
	Position    int                     `json:"position"`
}

func (h *handler) createComponent(w http.ResponseWriter, r *http.Request) error {
	var req componentRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	c := &warroom.Component{Name: req.Name, Description: req.Description, Group: req.Group, ServiceID: req.ServiceID, Status: req.Status, Position: req.Position}
	if err := h.StatusPage.CreateComponent(r.Context(), c); err != nil {
		return err
	}
	h.json(w, r, http.StatusCreated, c)
	return nil
}

func (h *handler) updateComponent(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "component")
	if err != nil {
		return err
	}
	var upd warroom.ComponentUpdate
	if err := decode(w, r, &upd); err != nil {
		return err
	}
	c, err := h.StatusPage.UpdateComponent(r.Context(), id, upd)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, c)
	return nil
}

func (h *handler) deleteComponent(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "component")
	if err != nil {
		return err
	}
	if err := h.StatusPage.DeleteComponent(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *handler) listMaintenances(w http.ResponseWriter, r *http.Request) error {
	after, err := timeParam(r.URL.Query(), "after")
	if err != nil {
		return err
	}
	since := time.Now()
	if after != nil {
		since = *after
	}
	ms, err := h.StatusPage.FindMaintenances(r.Context(), since)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, items("maintenances", ms))
	return nil
}

type maintenanceRequest struct {
	Title        string    `json:"title"`
	Body         string    `json:"body"`
	StartsAt     time.Time `json:"starts_at"`
	EndsAt       time.Time `json:"ends_at"`
	ComponentIDs []int64   `json:"component_ids"`
}

func (h *handler) createMaintenance(w http.ResponseWriter, r *http.Request) error {
	var req maintenanceRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	m := &warroom.Maintenance{Title: req.Title, Body: req.Body, StartsAt: req.StartsAt, EndsAt: req.EndsAt, ComponentIDs: req.ComponentIDs}
	if err := h.StatusPage.CreateMaintenance(r.Context(), m); err != nil {
		return err
	}
	h.json(w, r, http.StatusCreated, m)
	return nil
}

func (h *handler) cancelMaintenance(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "maintenance")
	if err != nil {
		return err
	}
	if err := h.StatusPage.CancelMaintenance(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *handler) listSubscribers(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	var f warroom.SubscriberFilter
	var err error
	if f.Offset, f.Limit, err = page(q); err != nil {
		return err
	}
	if s := stringParam(q, "kind"); s != nil {
		k := warroom.ChannelKind(*s)
		f.Kind = &k
	}
	if f.Confirmed, err = boolParam(q, "confirmed"); err != nil {
		return err
	}
	ss, total, err := h.Subscribers.FindSubscribers(r.Context(), f)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, list("subscribers", ss, total, f.Offset, f.Limit))
	return nil
}

type subscriberRequest struct {
	Kind         warroom.ChannelKind `json:"kind"`
	Target       string              `json:"target"`
	Locale       string              `json:"locale"`
	ComponentIDs []int64             `json:"component_ids"`
}

// createSubscriber subscribes a webhook (answered with its signing secret,
// shown this once) or starts an email subscription, which still needs the
// address's owner to confirm it.
func (h *handler) createSubscriber(w http.ResponseWriter, r *http.Request) error {
	var req subscriberRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	s := &warroom.Subscriber{Kind: req.Kind, Target: req.Target, Locale: req.Locale, ComponentIDs: req.ComponentIDs}
	if err := h.Subscribers.Subscribe(r.Context(), s); err != nil {
		return err
	}
	h.json(w, r, http.StatusCreated, s)
	return nil
}

func (h *handler) deleteSubscriber(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "subscriber")
	if err != nil {
		return err
	}
	if err := h.Subscribers.DeleteSubscriber(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
