// Package insights turns insights reports into plain tables: the CLI
// prints them and the web page offers them as CSV, so that both show the
// same columns.
package insights

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/warroomhq/warroom"
)

// Table is one table of a report: a name (used for file names), a header
// and rows of cells.
type Table struct {
	Name   string
	Header []string
	Rows   [][]string
}

// WriteCSV writes t as CSV with its header.
func (t Table) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(t.Header); err != nil {
		return err
	}
	for _, r := range t.Rows {
		// Cells that a spreadsheet would run as a formula are quoted with
		// a leading apostrophe: titles come from users.
		safe := make([]string, len(r))
		for i, c := range r {
			if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) && !isNumber(c) {
				c = "'" + c
			}
			safe[i] = c
		}
		if err := cw.Write(safe); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func isNumber(s string) bool {
	_, err := strconv.ParseFloat(s, 64)
	return err == nil
}

// Tables lists the tables of any insights report; nil for other values.
func Tables(report any) []Table {
	switch r := report.(type) {
	case *warroom.IncidentInsights:
		return IncidentTables(r)
	case *warroom.SLAInsights:
		return SLATables(r)
	case *warroom.LossInsights:
		return LossTables(r)
	case *warroom.OnCallInsights:
		return OnCallTables(r)
	case *warroom.ActionItemInsights:
		return ActionItemTables(r)
	case *warroom.ChangeInsights:
		return ChangeTables(r)
	}
	return nil
}

func itoa[T ~int | ~int64](v T) string { return strconv.FormatInt(int64(v), 10) }

// Percent formats a rate with one decimal, empty when there is none.
func Percent(p *float64) string {
	if p == nil {
		return ""
	}
	return strconv.FormatFloat(*p, 'f', 1, 64)
}

func clock(d warroom.DurationStats) []string {
	return []string{itoa(d.Count), itoa(d.Mean), itoa(d.Median), itoa(d.P90)}
}

func clockHeader(name string) []string {
	return []string{name + "_count", name + "_mean_s", name + "_median_s", name + "_p90_s"}
}

// IncidentTables are the counts and clocks per group, and the noisiest
// incidents.
func IncidentTables(r *warroom.IncidentInsights) []Table {
	h := []string{"group", "incidents", "open"}
	for _, c := range []string{"tta", "ttm", "ttr"} {
		h = append(h, clockHeader(c)...)
	}
	h = append(h, "alerts", "alerts_per_incident_mean", "alerts_per_incident_median", "alerts_per_incident_p90", "max_alerts")
	row := func(g warroom.IncidentInsightsRow) []string {
		out := []string{g.Key, itoa(g.Incidents), itoa(g.Open)}
		out = append(out, clock(g.Acknowledge)...)
		out = append(out, clock(g.Mitigate)...)
		out = append(out, clock(g.Resolve)...)
		return append(out, itoa(g.Alerts), itoa(g.AlertsPerIncident.Mean), itoa(g.AlertsPerIncident.Median), itoa(g.AlertsPerIncident.P90), itoa(g.MaxAlerts))
	}
	t := Table{Name: "incidents", Header: h}
	for _, g := range r.Groups {
		t.Rows = append(t.Rows, row(g))
	}
	if r.GroupBy != warroom.GroupByNone {
		t.Rows = append(t.Rows, row(r.Total))
	}
	n := Table{Name: "noisiest", Header: []string{"incident", "severity", "alerts", "title"}}
	for _, x := range r.Noisiest {
		n.Rows = append(n.Rows, []string{x.Number, string(x.Severity), itoa(x.Alerts), x.Title})
	}
	return []Table{t, n}
}

func ts(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// SLATables are compliance per severity and the breaches.
func SLATables(r *warroom.SLAInsights) []Table {
	t := Table{Name: "sla", Header: []string{"group", "severity", "incidents", "ack_target_s", "ack_met", "ack_breached", "ack_pending", "ack_compliance_pct",
		"resolve_target_s", "resolve_met", "resolve_breached", "resolve_pending", "resolve_compliance_pct"}}
	for _, x := range r.Rows {
		t.Rows = append(t.Rows, []string{x.Key, string(x.Severity), itoa(x.Incidents), itoa(x.AckTargetSeconds), itoa(x.Acknowledge.Met), itoa(x.Acknowledge.Breached),
			itoa(x.Acknowledge.Pending), Percent(x.Acknowledge.Compliance), itoa(x.ResolveTargetSeconds), itoa(x.Resolve.Met), itoa(x.Resolve.Breached),
			itoa(x.Resolve.Pending), Percent(x.Resolve.Compliance)})
	}
	b := Table{Name: "breaches", Header: []string{"incident", "severity", "target", "detected_at", "due_at", "stopped_at", "over_s", "title"}}
	for _, x := range r.Breaches {
		stopped := ""
		if x.StoppedAt != nil {
			stopped = ts(*x.StoppedAt)
		}
		b.Rows = append(b.Rows, []string{x.Number, string(x.Severity), x.Target, ts(x.DetectedAt), ts(x.DueAt), stopped, itoa(x.OverSeconds), x.Title})
	}
	return []Table{t, b}
}

func money(ms []warroom.CurrencyTotal) string {
	parts := make([]string, len(ms))
	for i, m := range ms {
		parts[i] = warroom.Money{Amount: m.Amount, Currency: m.Currency}.String()
	}
	return strings.Join(parts, "; ")
}

// LossTables are the totals per group and the incidents with a loss.
func LossTables(r *warroom.LossInsights) []Table {
	t := Table{Name: "loss", Header: []string{"group", "incidents", "incidents_with_loss", "money_lost", "compensation_paid", "orders_lost", "users_affected", "downtime_min"}}
	row := func(x warroom.LossTotals) []string {
		return []string{x.Key, itoa(x.Incidents), itoa(x.WithLoss), money(x.MoneyLost), money(x.CompensationPaid), itoa(x.OrdersLost), itoa(x.UsersAffected), itoa(x.DowntimeMinutes)}
	}
	for _, g := range r.Groups {
		t.Rows = append(t.Rows, row(g))
	}
	if r.GroupBy != warroom.GroupByNone {
		t.Rows = append(t.Rows, row(r.Total))
	}
	l := Table{Name: "loss_incidents", Header: []string{"incident", "severity", "detected_at", "money_lost", "currency", "compensation_paid", "orders_lost", "users_affected", "downtime_min", "title"}}
	for _, x := range r.Incidents {
		l.Rows = append(l.Rows, []string{x.Number, string(x.Severity), ts(x.DetectedAt), x.MoneyLost.Amount.String(), x.MoneyLost.Currency,
			warroom.Money{Amount: x.CompensationPaid.Amount, Currency: x.CompensationPaid.Currency}.String(), itoa(x.OrdersLost), itoa(x.UsersAffected), itoa(x.DowntimeMinutes), x.Title})
	}
	return []Table{t, l}
}

// Weekdays are the heat map's rows, Monday first.
var Weekdays = []string{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}

// OnCallTables are pages per person and the heat map.
func OnCallTables(r *warroom.OnCallInsights) []Table {
	p := Table{Name: "pages", Header: []string{"user_id", "name", "time_zone", "pages", "out_of_hours"}}
	for _, x := range r.People {
		p.Rows = append(p.Rows, []string{itoa(x.UserID), x.Name, x.TimeZone, itoa(x.Pages), itoa(x.OutOfHours)})
	}
	h := Table{Name: "pages_by_hour", Header: []string{"weekday"}}
	for hr := 0; hr < 24; hr++ {
		h.Header = append(h.Header, strconv.Itoa(hr))
	}
	for d, row := range r.HeatMap {
		cells := []string{Weekdays[d]}
		for _, n := range row {
			cells = append(cells, itoa(n))
		}
		h.Rows = append(h.Rows, cells)
	}
	return []Table{p, h}
}

// ActionItemTables are the action items by team.
func ActionItemTables(r *warroom.ActionItemInsights) []Table {
	t := Table{Name: "action_items", Header: []string{"team", "total", "open", "overdue", "done", "done_on_time", "done_late", "wont_do"}}
	for _, x := range append(append([]warroom.ActionItemInsightsRow(nil), r.Teams...), r.Total) {
		t.Rows = append(t.Rows, []string{x.Team, itoa(x.Total), itoa(x.Open), itoa(x.Overdue), itoa(x.Done), itoa(x.DoneOnTime), itoa(x.DoneLate), itoa(x.WontDo)})
	}
	return []Table{t}
}

// ChangeTables are the change failure rates.
func ChangeTables(r *warroom.ChangeInsights) []Table {
	h := []string{"group", "changes", "failed", "failure_rate_pct"}
	h = append(h, clockHeader("time_to_incident")...)
	h = append(h, clockHeader("recovery")...)
	t := Table{Name: "changes", Header: h}
	for _, x := range append(append([]warroom.ChangeInsightsRow(nil), r.Groups...), r.Total) {
		row := []string{x.Key, itoa(x.Changes), itoa(x.Failed), Percent(x.FailureRate)}
		row = append(row, clock(x.TimeToIncident)...)
		t.Rows = append(t.Rows, append(row, clock(x.Recovery)...))
	}
	return []Table{t}
}
