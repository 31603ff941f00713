package ui

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/insights"
)

// insightsData is the insights page: the filter as the form shows it, the
// reports, and the charts drawn from them.
type insightsData struct {
	From, To, Team, Type, Cause, Drills, GroupBy, Severity string
	ServiceID                                              int64
	Services                                               []*warroom.Service
	Types                                                  []warroom.IncidentType
	Causes                                                 []warroom.CauseCategory
	Severities                                             []warroom.Severity
	Groupings                                              []warroom.InsightsGrouping
	// Query is the filter as a query string, for the CSV links.
	Query string

	Incidents *warroom.IncidentInsights
	Trend     *warroom.IncidentInsights
	SLA       *warroom.SLAInsights
	Loss      *warroom.LossInsights
	OnCall    *warroom.OnCallInsights
	Actions   *warroom.ActionItemInsights
	Changes   *warroom.ChangeInsights

	TrendChart, BreakdownChart, SLAChart, HeatChart, ChangeChart any
	Err                                                          string
}

func (d *insightsData) ErrorText() string { return d.Err }

// Dur prints a number of seconds for people.
func (d *insightsData) Dur(s int64) string { return duration(s) }

// Pct prints a percentage, "—" when there is none.
func (d *insightsData) Pct(p *float64) string {
	if p == nil {
		return "—"
	}
	return insights.Percent(p) + "%"
}

// Money prints per-currency totals.
func (d *insightsData) Money(ms []warroom.CurrencyTotal) string {
	if len(ms) == 0 {
		return "—"
	}
	parts := make([]string, len(ms))
	for i, m := range ms {
		parts[i] = warroom.Money{Amount: m.Amount, Currency: m.Currency}.String()
	}
	return strings.Join(parts, " · ")
}

// insightsFilter reads the page's filter; the page groups by severity when
// nothing else is asked for, so that its breakdown always has rows.
func (h *Handler) insightsFilter(ctx context.Context, q url.Values) (warroom.InsightsFilter, error) {
	if q.Get("group_by") == "" {
		q = cloneValues(q)
		q.Set("group_by", string(warroom.GroupBySeverity))
	}
	// A date picked as "to" means that whole day.
	if t, err := time.Parse(time.DateOnly, strings.TrimSpace(q.Get("to"))); err == nil {
		q = cloneValues(q)
		q.Set("to", t.AddDate(0, 0, 1).Format(time.DateOnly))
	}
	pq, err := warroom.ParseInsightsQuery(q, time.Now())
	if err != nil {
		return pq.Filter, err
	}
	if pq.Service != "" {
		id, err := strconv.ParseInt(pq.Service, 10, 64)
		if err != nil || id <= 0 {
			return pq.Filter, warroom.FieldErrorf("service", "no service %q", pq.Service)
		}
		if _, err := h.d.Services.FindServiceByID(ctx, id); warroom.ErrorCode(err) == warroom.ENOTFOUND {
			return pq.Filter, warroom.FieldErrorf("service", "no service %q", pq.Service)
		} else if err != nil {
			return pq.Filter, err
		}
		pq.Filter.ServiceID = &id
	}
	return pq.Filter, nil
}

func cloneValues(q url.Values) url.Values {
	out := url.Values{}
	for k, v := range q {
		out[k] = append([]string(nil), v...)
	}
	return out
}

func (h *Handler) insightsPage(w http.ResponseWriter, r *http.Request, rc *request) {
	if h.d.Insights == nil {
		h.renderError(w, r, rc, http.StatusNotFound, rc.L.T("error.status.404"))
		return
	}
	q := r.URL.Query()
	d := &insightsData{Team: q.Get("team"), Type: q.Get("type"), Cause: q.Get("cause"), Drills: q.Get("drills"), GroupBy: q.Get("group_by"), Severity: q.Get("severity"),
		Types: warroom.IncidentTypes, Severities: warroom.Severities, Groupings: warroom.InsightsGroupings, Query: r.URL.RawQuery}
	for _, c := range warroom.CauseCategories {
		d.Causes = append(d.Causes, c.Category)
	}
	d.Causes = append(d.Causes, warroom.CauseNone)
	var err error
	if d.Services, _, err = h.d.Services.FindServices(r.Context(), warroom.ServiceFilter{Limit: warroom.MaxPageSize}); err != nil {
		h.fail(w, r, rc, err)
		return
	}
	title := rc.L.T("nav.insights")
	f, err := h.insightsFilter(r.Context(), q)
	if err != nil {
		if warroom.ErrorCode(err) == warroom.EINTERNAL {
			h.fail(w, r, rc, err)
			return
		}
		d.Err = h.errorText(r, rc, err)
		h.render(w, r, rc, statusFor(warroom.ErrorCode(err)), "insights", title, d)
		return
	}
	if f.ServiceID != nil {
		d.ServiceID = *f.ServiceID
	}
	d.GroupBy = string(f.GroupBy)
	d.From, d.To = f.From.Format(time.DateOnly), f.To.Add(-time.Second).Format(time.DateOnly)
	if err := h.insightsReports(r.Context(), f, d); err != nil {
		h.fail(w, r, rc, err)
		return
	}
	h.insightsCharts(rc, d)
	h.render(w, r, rc, http.StatusOK, "insights", title, d)
}

// insightsReports computes every report of the page; the trend is per
// week, or per month over more than half a year.
func (h *Handler) insightsReports(ctx context.Context, f warroom.InsightsFilter, d *insightsData) error {
	s := h.d.Insights
	var err error
	if d.Incidents, err = s.IncidentInsights(ctx, f); err != nil {
		return err
	}
	tf := f
	tf.GroupBy = warroom.GroupByWeek
	if f.To.Sub(f.From) > 183*24*time.Hour {
		tf.GroupBy = warroom.GroupByMonth
	}
	if d.Trend, err = s.IncidentInsights(ctx, tf); err != nil {
		return err
	}
	nf := f
	nf.GroupBy = warroom.GroupByNone
	if d.SLA, err = s.SLAInsights(ctx, nf); err != nil {
		return err
	}
	if d.Loss, err = s.LossInsights(ctx, nf); err != nil {
		return err
	}
	if d.OnCall, err = s.OnCallInsights(ctx, nf); err != nil {
		return err
	}
	if d.Actions, err = s.ActionItemInsights(ctx, nf); err != nil {
		return err
	}
	cf := f
	if cf.GroupBy != warroom.GroupByTeam {
		cf.GroupBy = warroom.GroupByService
	}
	d.Changes, err = s.ChangeInsights(ctx, cf)
	return err
}

func (h *Handler) insightsCharts(rc *request, d *insightsData) {
	l := rc.L
	var trend, breakdown, sla, changes []bar
	for _, g := range d.Trend.Groups {
		trend = append(trend, bar{Label: g.Key, Value: float64(g.Incidents), Text: strconv.Itoa(g.Incidents)})
	}
	for _, g := range d.Incidents.Groups {
		breakdown = append(breakdown, bar{Label: h.groupLabel(rc, d.Incidents.GroupBy, g.Key), Value: float64(g.Incidents), Text: strconv.Itoa(g.Incidents)})
	}
	for _, r := range d.SLA.Rows {
		if c := r.Resolve.Compliance; c != nil {
			sla = append(sla, bar{Label: string(r.Severity), Value: *c, Text: d.Pct(c)})
		}
	}
	for _, r := range d.Changes.Groups {
		if r.FailureRate != nil && r.Failed > 0 {
			changes = append(changes, bar{Label: r.Key, Value: *r.FailureRate, Text: fmt.Sprintf("%s (%d/%d)", d.Pct(r.FailureRate), r.Failed, r.Changes)})
		}
	}
	d.TrendChart = columnChart(l.T("insights.chart.trend"), trend)
	d.BreakdownChart = barChart(l.T("insights.chart.breakdown"), breakdown)
	d.SLAChart = barChart(l.T("insights.chart.sla"), sla)
	d.ChangeChart = barChart(l.T("insights.chart.changes"), changes)
	days := make([]string, 7)
	for i, k := range []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"} {
		days[i] = l.T("insights.day." + k)
	}
	d.HeatChart = heatMap(l.T("insights.chart.heat"), days, d.OnCall.HeatMap)
}

// groupLabel names a group key in the reader's language where it is a
// domain value.
func (h *Handler) groupLabel(rc *request, g warroom.InsightsGrouping, key string) string {
	switch {
	case key == "none":
		return rc.L.T("insights.none")
	case g == warroom.GroupByType:
		return rc.L.Type(warroom.IncidentType(key))
	case g == warroom.GroupByCause:
		return rc.L.T("cause." + key)
	}
	return key
}

// insightsExport serves one table of the page as CSV, for the same filter.
func (h *Handler) insightsExport(w http.ResponseWriter, r *http.Request, rc *request) {
	if h.d.Insights == nil {
		h.renderError(w, r, rc, http.StatusNotFound, rc.L.T("error.status.404"))
		return
	}
	name := r.PathValue("table")
	f, err := h.insightsFilter(r.Context(), r.URL.Query())
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	var report any
	ctx, s := r.Context(), h.d.Insights
	switch name {
	case "incidents", "noisiest":
		report, err = s.IncidentInsights(ctx, f)
	case "sla", "breaches":
		report, err = s.SLAInsights(ctx, f)
	case "loss", "loss_incidents":
		report, err = s.LossInsights(ctx, f)
	case "pages", "pages_by_hour":
		report, err = s.OnCallInsights(ctx, f)
	case "action_items":
		report, err = s.ActionItemInsights(ctx, f)
	case "changes":
		if f.GroupBy != warroom.GroupByTeam && f.GroupBy != warroom.GroupByWeek && f.GroupBy != warroom.GroupByMonth {
			f.GroupBy = warroom.GroupByService
		}
		report, err = s.ChangeInsights(ctx, f)
	default:
		h.renderError(w, r, rc, http.StatusNotFound, rc.L.T("error.status.404"))
		return
	}
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	for _, t := range insights.Tables(report) {
		if t.Name != name {
			continue
		}
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="warroom-%s-%s.csv"`, name, f.From.Format("20060102")))
		if err := t.WriteCSV(w); err != nil {
			h.d.Logger.Error("ui: insights export", "err", err)
		}
		return
	}
	h.renderError(w, r, rc, http.StatusNotFound, rc.L.T("error.status.404"))
}
