package warroom

import (
	"context"
	"slices"
	"time"
)

// InsightsGrouping says how insights split their rows (docs/insights.md).
type InsightsGrouping string

// Groupings.
const (
	GroupByNone     InsightsGrouping = ""
	GroupByWeek     InsightsGrouping = "week"
	GroupByMonth    InsightsGrouping = "month"
	GroupBySeverity InsightsGrouping = "severity"
	GroupByType     InsightsGrouping = "type"
	GroupByService  InsightsGrouping = "service"
	GroupByTeam     InsightsGrouping = "team"
	GroupByCause    InsightsGrouping = "cause"
)

// InsightsGroupings lists every grouping but none.
var InsightsGroupings = []InsightsGrouping{GroupByWeek, GroupByMonth, GroupBySeverity, GroupByType, GroupByService, GroupByTeam, GroupByCause}

// Valid reports whether g is a known grouping (none included).
func (g InsightsGrouping) Valid() bool {
	return g == GroupByNone || slices.Contains(InsightsGroupings, g)
}

// DrillMode says whether drills count.
type DrillMode string

// Drill modes; drills are excluded unless asked for.
const (
	DrillsExclude DrillMode = ""
	DrillsInclude DrillMode = "include"
	DrillsOnly    DrillMode = "only"
)

// Valid reports whether m is a known mode.
func (m DrillMode) Valid() bool { return m == DrillsExclude || m == DrillsInclude || m == DrillsOnly }

// CauseNone is the cause key of incidents without a postmortem cause.
const CauseNone CauseCategory = "none"

// MaxInsightsRange bounds one insights query.
const MaxInsightsRange = 366 * 24 * time.Hour

// MaxInsightsRows bounds the per-incident lists (breaches, losses).
const MaxInsightsRows = 500

// InsightsFilter selects the incidents insights count.
type InsightsFilter struct {
	// From and To bound detection: [From, To).
	From, To   time.Time
	ServiceID  *int64
	Team       *string
	Severities []Severity
	Type       *IncidentType
	// Cause may be CauseNone for incidents with no recorded cause.
	Cause   *CauseCategory
	Drills  DrillMode
	GroupBy InsightsGrouping
}

// Validate checks the range, the cause and the grouping.
func (f *InsightsFilter) Validate() error {
	switch {
	case f.From.IsZero() || f.To.IsZero():
		return FieldErrorf("from", "the time range needs both ends")
	case !f.From.Before(f.To):
		return FieldErrorf("to", "must be after from")
	case f.To.Sub(f.From) > MaxInsightsRange:
		return FieldErrorf("to", "the time range is at most 366 days")
	case f.Cause != nil && *f.Cause != CauseNone && !f.Cause.Valid():
		return FieldErrorf("cause", "unknown cause category %q (want human, technical, external, management or none)", *f.Cause)
	case f.Type != nil && !f.Type.Valid():
		return FieldErrorf("type", "unknown type %q", *f.Type)
	case !f.Drills.Valid():
		return FieldErrorf("drills", "unknown value %q (want include or only)", f.Drills)
	case !f.GroupBy.Valid():
		return FieldErrorf("group_by", "unknown grouping %q (want week, month, severity, type, service, team or cause)", f.GroupBy)
	}
	for _, s := range f.Severities {
		if !s.Valid() {
			return FieldErrorf("severity", "unknown severity %q", s)
		}
	}
	return nil
}

// DurationStats summarises a clock over many incidents, in seconds. All
// fields are zero when Count is zero.
type DurationStats struct {
	Count  int   `json:"count"`
	Mean   int64 `json:"mean_seconds"`
	Median int64 `json:"median_seconds"`
	P90    int64 `json:"p90_seconds"`
}

// Summarize computes the stats of values (seconds) as docs/insights.md
// defines them: nearest-rank percentiles and a mean rounded down. values
// is sorted in place.
func Summarize(values []int64) DurationStats {
	n := len(values)
	if n == 0 {
		return DurationStats{}
	}
	slices.Sort(values)
	var sum int64
	for _, v := range values {
		sum += v
	}
	mean := sum / int64(n)
	if sum < 0 && sum%int64(n) != 0 {
		mean--
	}
	return DurationStats{Count: n, Mean: mean, Median: NearestRank(values, 50), P90: NearestRank(values, 90)}
}

// NearestRank returns the p-th percentile of sorted values: the one at rank
// ⌈p·n/100⌉ (1-based).
func NearestRank(sorted []int64, p int) int64 {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	rank := (p*n + 99) / 100
	if rank < 1 {
		rank = 1
	}
	return sorted[rank-1]
}

// IncidentInsightsRow is one group of the incident numbers.
type IncidentInsightsRow struct {
	Key         string        `json:"key"`
	Incidents   int           `json:"incidents"`
	Open        int           `json:"open"`
	Acknowledge DurationStats `json:"time_to_acknowledge"`
	Mitigate    DurationStats `json:"time_to_mitigate"`
	Resolve     DurationStats `json:"time_to_resolve"`
	Alerts      int64         `json:"alerts"`
	// AlertsPerIncident summarises alert counts (not seconds).
	AlertsPerIncident DurationStats `json:"alerts_per_incident"`
	MaxAlerts         int64         `json:"max_alerts"`
}

// NoisyIncident is an incident with many alerts.
type NoisyIncident struct {
	IncidentID int64    `json:"incident_id"`
	Number     string   `json:"number"`
	Title      string   `json:"title"`
	Severity   Severity `json:"severity"`
	Alerts     int64    `json:"alerts"`
}

// IncidentInsights are counts, clocks and noise.
type IncidentInsights struct {
	From     time.Time             `json:"from"`
	To       time.Time             `json:"to"`
	GroupBy  InsightsGrouping      `json:"group_by"`
	Total    IncidentInsightsRow   `json:"total"`
	Groups   []IncidentInsightsRow `json:"groups"`
	Noisiest []NoisyIncident       `json:"noisiest"`
}

// SLATargetCount is the standing of one target over many incidents.
type SLATargetCount struct {
	Met      int `json:"met"`
	Breached int `json:"breached"`
	Pending  int `json:"pending"`
	// Compliance is met ÷ (met + breached) in percent; nil with none decided.
	Compliance *float64 `json:"compliance_percent"`
}

// Add counts one incident's standing.
func (c *SLATargetCount) Add(met, breached bool) {
	switch {
	case breached:
		c.Breached++
	case met:
		c.Met++
	default:
		c.Pending++
	}
	if d := c.Met + c.Breached; d > 0 {
		v := float64(c.Met) * 100 / float64(d)
		c.Compliance = &v
	}
}

// SLAInsightsRow is the compliance of one severity (and group).
type SLAInsightsRow struct {
	Key                  string         `json:"key"`
	Severity             Severity       `json:"severity"`
	AckTargetSeconds     int64          `json:"ack_target_seconds"`
	ResolveTargetSeconds int64          `json:"resolve_target_seconds"`
	Incidents            int            `json:"incidents"`
	Acknowledge          SLATargetCount `json:"acknowledge"`
	Resolve              SLATargetCount `json:"resolve"`
}

// SLABreach is one missed target of one incident.
type SLABreach struct {
	IncidentID int64      `json:"incident_id"`
	Number     string     `json:"number"`
	Title      string     `json:"title"`
	Severity   Severity   `json:"severity"`
	DetectedAt time.Time  `json:"detected_at"`
	Target     string     `json:"target"` // "acknowledge" or "resolve"
	DueAt      time.Time  `json:"due_at"`
	StoppedAt  *time.Time `json:"stopped_at"`
	// OverSeconds is how late the clock stopped, or how late it is now.
	OverSeconds int64 `json:"over_seconds"`
}

// SLAInsights are compliance per severity with the breaches listed.
type SLAInsights struct {
	From          time.Time        `json:"from"`
	To            time.Time        `json:"to"`
	GroupBy       InsightsGrouping `json:"group_by"`
	Rows          []SLAInsightsRow `json:"rows"`
	Breaches      []SLABreach      `json:"breaches"`
	BreachesTotal int              `json:"breaches_total"`
}

// CurrencyTotal is money summed in one currency, in hundredths.
type CurrencyTotal struct {
	Currency string `json:"currency"`
	Amount   Amount `json:"amount"`
}

// LossTotals sums loss over many incidents.
type LossTotals struct {
	Key              string          `json:"key"`
	Incidents        int             `json:"incidents"`
	WithLoss         int             `json:"incidents_with_loss"`
	MoneyLost        []CurrencyTotal `json:"money_lost"`
	CompensationPaid []CurrencyTotal `json:"compensation_paid"`
	OrdersLost       int64           `json:"orders_lost"`
	UsersAffected    int64           `json:"users_affected"`
	DowntimeMinutes  int64           `json:"downtime_minutes"`
}

// IncidentLoss is one incident's loss.
type IncidentLoss struct {
	IncidentID       int64     `json:"incident_id"`
	Number           string    `json:"number"`
	Title            string    `json:"title"`
	Severity         Severity  `json:"severity"`
	DetectedAt       time.Time `json:"detected_at"`
	MoneyLost        Money     `json:"money_lost"`
	CompensationPaid Money     `json:"compensation_paid"`
	OrdersLost       int64     `json:"orders_lost"`
	UsersAffected    int64     `json:"users_affected"`
	DowntimeMinutes  int64     `json:"downtime_minutes"`
}

// LossInsights are loss totals, per group and per incident.
type LossInsights struct {
	From           time.Time        `json:"from"`
	To             time.Time        `json:"to"`
	GroupBy        InsightsGrouping `json:"group_by"`
	Total          LossTotals       `json:"total"`
	Groups         []LossTotals     `json:"groups"`
	Incidents      []IncidentLoss   `json:"incidents"`
	IncidentsTotal int              `json:"incidents_total"`
}

// PagerLoad is how often one person was paged.
type PagerLoad struct {
	UserID     int64  `json:"user_id"`
	Name       string `json:"name"`
	TimeZone   string `json:"time_zone"`
	Pages      int    `json:"pages"`
	OutOfHours int    `json:"out_of_hours"`
}

// OnCallInsights are pages per person and when they arrived.
type OnCallInsights struct {
	From       time.Time   `json:"from"`
	To         time.Time   `json:"to"`
	Pages      int         `json:"pages"`
	OutOfHours int         `json:"out_of_hours"`
	People     []PagerLoad `json:"people"`
	// HeatMap counts pages by local weekday (0 = Monday) and hour.
	HeatMap [7][24]int `json:"heat_map"`
}

// OutOfHours reports whether local time t is outside 09:00–18:00 on a
// weekday (docs/insights.md).
func OutOfHours(t time.Time) bool {
	if wd := t.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return true
	}
	return t.Hour() < 9 || t.Hour() >= 18
}

// WeekdayIndex is t's weekday with Monday as 0.
func WeekdayIndex(t time.Time) int { return (int(t.Weekday()) + 6) % 7 }

// ActionItemInsightsRow counts one team's action items.
type ActionItemInsightsRow struct {
	Team       string `json:"team"`
	Total      int    `json:"total"`
	Open       int    `json:"open"`
	Overdue    int    `json:"overdue"`
	Done       int    `json:"done"`
	DoneOnTime int    `json:"done_on_time"`
	DoneLate   int    `json:"done_late"`
	WontDo     int    `json:"wont_do"`
}

// ActionItemInsights count action items by team.
type ActionItemInsights struct {
	From  time.Time               `json:"from"`
	To    time.Time               `json:"to"`
	Total ActionItemInsightsRow   `json:"total"`
	Teams []ActionItemInsightsRow `json:"teams"`
}

// ChangeInsightsRow is the change failure rate of one group.
type ChangeInsightsRow struct {
	Key     string `json:"key"`
	Changes int    `json:"changes"`
	Failed  int    `json:"failed"`
	// FailureRate is failed ÷ changes in percent; nil with no changes.
	FailureRate    *float64      `json:"failure_rate_percent"`
	TimeToIncident DurationStats `json:"time_to_incident"`
	Recovery       DurationStats `json:"recovery_time"`
}

// ChangeInsights are the change failure rate and its clocks.
type ChangeInsights struct {
	From    time.Time           `json:"from"`
	To      time.Time           `json:"to"`
	GroupBy InsightsGrouping    `json:"group_by"`
	Total   ChangeInsightsRow   `json:"total"`
	Groups  []ChangeInsightsRow `json:"groups"`
}

// Rate returns part ÷ whole in percent, nil when whole is zero.
func Rate(part, whole int) *float64 {
	if whole == 0 {
		return nil
	}
	v := float64(part) * 100 / float64(whole)
	return &v
}

// InsightsService computes the numbers of docs/insights.md. Every method
// validates the filter and returns EINVALID naming the field.
type InsightsService interface {
	// IncidentInsights counts incidents, their clocks and alerts.
	IncidentInsights(ctx context.Context, f InsightsFilter) (*IncidentInsights, error)
	// SLAInsights computes compliance per severity and lists breaches.
	SLAInsights(ctx context.Context, f InsightsFilter) (*SLAInsights, error)
	// LossInsights sums losses.
	LossInsights(ctx context.Context, f InsightsFilter) (*LossInsights, error)
	// OnCallInsights counts pages per person and by hour of week.
	OnCallInsights(ctx context.Context, f InsightsFilter) (*OnCallInsights, error)
	// ActionItemInsights counts action items by team.
	ActionItemInsights(ctx context.Context, f InsightsFilter) (*ActionItemInsights, error)
	// ChangeInsights computes the change failure rate; GroupBy may be
	// service (the default), team, week or month.
	ChangeInsights(ctx context.Context, f InsightsFilter) (*ChangeInsights, error)
}
