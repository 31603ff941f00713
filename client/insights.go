package client

import (
	"context"
	"net/url"

	"github.com/warroomhq/warroom"
)

// Insights reads the insights report of kind ("incidents", "sla", "loss",
// "oncall", "action-items" or "changes") for the filter in q (the
// parameters warroom.ParseInsightsQuery reads) into out.
func (c *Client) Insights(ctx context.Context, kind string, q url.Values, out any) error {
	return c.do(ctx, "GET", "/api/v1/insights/"+url.PathEscape(kind), q, nil, out)
}

// InsightsReport returns an empty report of kind to decode into, nil for
// an unknown kind.
func InsightsReport(kind string) any {
	switch kind {
	case "incidents":
		return &warroom.IncidentInsights{}
	case "sla":
		return &warroom.SLAInsights{}
	case "loss":
		return &warroom.LossInsights{}
	case "oncall":
		return &warroom.OnCallInsights{}
	case "action-items":
		return &warroom.ActionItemInsights{}
	case "changes":
		return &warroom.ChangeInsights{}
	}
	return nil
}
