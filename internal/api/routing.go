package api

import (
	"net/http"

	"github.com/warroomhq/warroom"
)

// routingRuleRequest is a rule as clients send it; the service comes from
// the path or stays.
type routingRuleRequest struct {
	Name               string                                     `json:"name"`
	Position           int                                        `json:"position"`
	Matchers           []warroom.Matcher                          `json:"matchers"`
	SeverityMap        map[warroom.AlertSeverity]warroom.Severity `json:"severity_map"`
	AutoOpen           *bool                                      `json:"auto_open"`
	Grouping           warroom.Grouping                           `json:"grouping"`
	GroupBy            []string                                   `json:"group_by"`
	GroupWindowSeconds int                                        `json:"group_window_seconds"`
	MitigateOnResolve  bool                                       `json:"mitigate_on_resolve"`
}

func (req *routingRuleRequest) rule(serviceID int64) *warroom.RoutingRule {
	rr := &warroom.RoutingRule{ServiceID: serviceID, Name: req.Name, Position: req.Position, Matchers: req.Matchers,
		SeverityMap: req.SeverityMap, AutoOpen: true, Grouping: req.Grouping, GroupBy: req.GroupBy, GroupWindowSeconds: req.GroupWindowSeconds,
		MitigateOnResolve: req.MitigateOnResolve}
	if req.AutoOpen != nil {
		rr.AutoOpen = *req.AutoOpen
	}
	return rr
}

func (h *handler) listRoutingRules(w http.ResponseWriter, r *http.Request) error {
	sid, err := h.serviceRef(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	rules, err := h.Routing.FindRoutingRules(r.Context(), sid)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, items("routing_rules", rules))
	return nil
}

func (h *handler) createRoutingRule(w http.ResponseWriter, r *http.Request) error {
	sid, err := h.serviceRef(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	var req routingRuleRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	rule := req.rule(sid)
	if err := h.Routing.CreateRoutingRule(r.Context(), rule); err != nil {
		return err
	}
	h.json(w, r, http.StatusCreated, rule)
	return nil
}

func (h *handler) replaceRoutingRule(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "routing rule")
	if err != nil {
		return err
	}
	var req routingRuleRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	rule, err := h.Routing.ReplaceRoutingRule(r.Context(), id, req.rule(0))
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, rule)
	return nil
}

func (h *handler) deleteRoutingRule(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "routing rule")
	if err != nil {
		return err
	}
	if err := h.Routing.DeleteRoutingRule(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// matchRoutingRule answers "which rule would this alert match?" without
// storing anything.
func (h *handler) matchRoutingRule(w http.ResponseWriter, r *http.Request) error {
	sid, err := h.serviceRef(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	var ev warroom.AlertEvent
	if err := decode(w, r, &ev); err != nil {
		return err
	}
	rule, err := h.Routing.MatchRoutingRule(r.Context(), sid, &ev)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, map[string]any{
		"rule": rule, "default": rule.ID == 0, "severity": rule.SeverityFor(ev.Severity), "opens_incident": rule.AutoOpen,
	})
	return nil
}
