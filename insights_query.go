package warroom

import (
	"net/url"
	"strings"
	"time"
)

// DefaultInsightsRange is the range insights cover when none is asked for.
const DefaultInsightsRange = 30 * 24 * time.Hour

// InsightsQuery is an insights filter as read from a query string, with
// the service still named as the caller named it (a name or an ID), for
// the caller to resolve against the catalog.
type InsightsQuery struct {
	Filter  InsightsFilter
	Service string
}

// ParseInsightsQuery reads the parameters docs/insights.md lists: from, to
// (RFC 3339 instants or dates), service, team, severity (repeatable or
// comma-separated), type, cause, drills and group_by. A missing range is
// the 30 days before now; a missing end is now. Every failure is EINVALID
// naming the parameter, and the filter is validated.
func ParseInsightsQuery(q url.Values, now time.Time) (InsightsQuery, error) {
	var out InsightsQuery
	f := &out.Filter
	var err error
	if f.To, err = parseInsightsTime(q, "to"); err != nil {
		return out, err
	} else if f.From, err = parseInsightsTime(q, "from"); err != nil {
		return out, err
	}
	if f.To.IsZero() {
		f.To = now.UTC()
	}
	if f.From.IsZero() {
		f.From = f.To.Add(-DefaultInsightsRange)
	}
	out.Service = strings.TrimSpace(q.Get("service"))
	if s := strings.TrimSpace(q.Get("team")); s != "" {
		f.Team = &s
	}
	for _, v := range q["severity"] {
		for s := range strings.SplitSeq(v, ",") {
			if s = strings.TrimSpace(s); s == "" {
				continue
			}
			sev, err := ParseSeverity(s)
			if err != nil {
				return out, FieldErrorf("severity", "unknown severity %q (want P0, P1, P2, P3 or P4)", s)
			}
			f.Severities = append(f.Severities, sev)
		}
	}
	if s := strings.TrimSpace(q.Get("type")); s != "" {
		t := IncidentType(s)
		f.Type = &t
	}
	if s := strings.TrimSpace(q.Get("cause")); s != "" {
		c := CauseCategory(strings.ToLower(s))
		f.Cause = &c
	}
	switch s := strings.ToLower(strings.TrimSpace(q.Get("drills"))); s {
	case "", "exclude":
	default:
		f.Drills = DrillMode(s)
	}
	f.GroupBy = InsightsGrouping(strings.ToLower(strings.TrimSpace(q.Get("group_by"))))
	return out, f.Validate()
}

func parseInsightsTime(q url.Values, name string) (time.Time, error) {
	s := strings.TrimSpace(q.Get(name))
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	return time.Time{}, FieldErrorf(name, "must be an RFC 3339 time such as 2026-01-31T10:00:00Z or a date such as 2026-01-31, got %q", s)
}

// Values is the query string that ParseInsightsQuery reads back as q,
// for links, exports and clients.
func (q InsightsQuery) Values() url.Values {
	v := url.Values{}
	f := q.Filter
	v.Set("from", f.From.UTC().Format(time.RFC3339))
	v.Set("to", f.To.UTC().Format(time.RFC3339))
	if q.Service != "" {
		v.Set("service", q.Service)
	}
	if f.Team != nil {
		v.Set("team", *f.Team)
	}
	for _, s := range f.Severities {
		v.Add("severity", string(s))
	}
	if f.Type != nil {
		v.Set("type", string(*f.Type))
	}
	if f.Cause != nil {
		v.Set("cause", string(*f.Cause))
	}
	if f.Drills != DrillsExclude {
		v.Set("drills", string(f.Drills))
	}
	if f.GroupBy != GroupByNone {
		v.Set("group_by", string(f.GroupBy))
	}
	return v
}
