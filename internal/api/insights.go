package api

import (
	"context"
	"net/http"
	"time"

	"github.com/warroomhq/warroom"
)

// insightsFilter reads the filter of every insights route; an unknown
// service is refused rather than answered with empty numbers.
func (h *handler) insightsFilter(r *http.Request) (warroom.InsightsFilter, error) {
	q, err := warroom.ParseInsightsQuery(r.URL.Query(), time.Now())
	if err != nil {
		return q.Filter, err
	}
	if q.Service != "" {
		id, err := h.serviceRef(r.Context(), q.Service)
		if warroom.ErrorCode(err) == warroom.ENOTFOUND {
			return q.Filter, paramError("service", "no service %q", q.Service)
		} else if err != nil {
			return q.Filter, err
		}
		q.Filter.ServiceID = &id
	}
	return q.Filter, nil
}

// serveInsights answers an insights route with what compute makes of its
// filter.
func (h *handler) serveInsights(w http.ResponseWriter, r *http.Request, compute func(context.Context, warroom.InsightsFilter) (any, error)) error {
	f, err := h.insightsFilter(r)
	if err != nil {
		return err
	}
	v, err := compute(r.Context(), f)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, v)
	return nil
}

func (h *handler) insightsIncidents(w http.ResponseWriter, r *http.Request) error {
	return h.serveInsights(w, r, func(ctx context.Context, f warroom.InsightsFilter) (any, error) {
		return h.Insights.IncidentInsights(ctx, f)
	})
}

func (h *handler) insightsSLA(w http.ResponseWriter, r *http.Request) error {
	return h.serveInsights(w, r, func(ctx context.Context, f warroom.InsightsFilter) (any, error) {
		return h.Insights.SLAInsights(ctx, f)
	})
}

func (h *handler) insightsLoss(w http.ResponseWriter, r *http.Request) error {
	return h.serveInsights(w, r, func(ctx context.Context, f warroom.InsightsFilter) (any, error) {
		return h.Insights.LossInsights(ctx, f)
	})
}

func (h *handler) insightsOnCall(w http.ResponseWriter, r *http.Request) error {
	return h.serveInsights(w, r, func(ctx context.Context, f warroom.InsightsFilter) (any, error) {
		return h.Insights.OnCallInsights(ctx, f)
	})
}

func (h *handler) insightsActionItems(w http.ResponseWriter, r *http.Request) error {
	return h.serveInsights(w, r, func(ctx context.Context, f warroom.InsightsFilter) (any, error) {
		return h.Insights.ActionItemInsights(ctx, f)
	})
}

func (h *handler) insightsChanges(w http.ResponseWriter, r *http.Request) error {
	return h.serveInsights(w, r, func(ctx context.Context, f warroom.InsightsFilter) (any, error) {
		return h.Insights.ChangeInsights(ctx, f)
	})
}
