package client

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/warroomhq/warroom"
)

// FindDrillScenarios lists the built-in and saved scenarios.
func (c *Client) FindDrillScenarios(ctx context.Context) ([]*warroom.DrillScenario, error) {
	var out struct {
		Scenarios []*warroom.DrillScenario `json:"scenarios"`
	}
	if err := c.do(ctx, http.MethodGet, "/api/v1/drill-scenarios", nil, nil, &out); err != nil {
		return nil, err
	}
	return out.Scenarios, nil
}

// ExportDrillScenario returns a scenario as a json or yaml document.
func (c *Client) ExportDrillScenario(ctx context.Context, slug, format string) ([]byte, error) {
	var b []byte
	err := c.do(ctx, http.MethodGet, "/api/v1/drill-scenarios/"+pathEscape(slug), url.Values{"format": {format}}, nil, &b)
	return b, err
}

// SaveDrillScenario creates or replaces a scenario.
func (c *Client) SaveDrillScenario(ctx context.Context, s *warroom.DrillScenario) error {
	return c.do(ctx, http.MethodPost, "/api/v1/drill-scenarios", nil, s, s)
}

// DeleteDrillScenario deletes a saved scenario.
func (c *Client) DeleteDrillScenario(ctx context.Context, slug string) error {
	return c.do(ctx, http.MethodDelete, "/api/v1/drill-scenarios/"+pathEscape(slug), nil, nil, nil)
}

// StartDrill runs a scenario on services now, or at req.StartsAt.
func (c *Client) StartDrill(ctx context.Context, req warroom.DrillRunRequest) (*warroom.DrillRun, error) {
	var r warroom.DrillRun
	if err := c.do(ctx, http.MethodPost, "/api/v1/drills", nil, req, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// FindDrillRuns lists runs, newest first.
func (c *Client) FindDrillRuns(ctx context.Context, states []string) ([]*warroom.DrillRun, int, error) {
	var out struct {
		Drills []*warroom.DrillRun `json:"drills"`
		Total  int                 `json:"total"`
	}
	q := url.Values{"state": states}
	if err := c.do(ctx, http.MethodGet, "/api/v1/drills", q, nil, &out); err != nil {
		return nil, 0, err
	}
	return out.Drills, out.Total, nil
}

// FindDrillRun returns one run.
func (c *Client) FindDrillRun(ctx context.Context, id int64) (*warroom.DrillRun, error) {
	var r warroom.DrillRun
	if err := c.do(ctx, http.MethodGet, "/api/v1/drills/"+strconv.FormatInt(id, 10), nil, nil, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// ChangeDrill pauses, resumes or aborts a run (action pause, resume, abort).
func (c *Client) ChangeDrill(ctx context.Context, id int64, action string) (*warroom.DrillRun, error) {
	var r warroom.DrillRun
	if err := c.do(ctx, http.MethodPost, "/api/v1/drills/"+strconv.FormatInt(id, 10)+"/"+pathEscape(action), nil, nil, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// DrillReport returns what a drill showed.
func (c *Client) DrillReport(ctx context.Context, id int64) (*warroom.DrillReport, error) {
	var r warroom.DrillReport
	if err := c.do(ctx, http.MethodGet, "/api/v1/drills/"+strconv.FormatInt(id, 10)+"/report", nil, nil, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// DrillReportMarkdown returns the report as Markdown.
func (c *Client) DrillReportMarkdown(ctx context.Context, id int64) ([]byte, error) {
	var b []byte
	err := c.do(ctx, http.MethodGet, "/api/v1/drills/"+strconv.FormatInt(id, 10)+"/report", url.Values{"format": {"markdown"}}, nil, &b)
	return b, err
}

// DrillInsights returns drills per team and the last drill per service.
func (c *Client) DrillInsights(ctx context.Context, staleDays int) (*warroom.DrillInsights, error) {
	var in warroom.DrillInsights
	if err := c.do(ctx, http.MethodGet, "/api/v1/drill-insights", url.Values{"stale_days": {strconv.Itoa(staleDays)}}, nil, &in); err != nil {
		return nil, err
	}
	return &in, nil
}
