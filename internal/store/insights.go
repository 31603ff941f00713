package store

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/warroomhq/warroom"
)

// Insights read a compact row per incident (instants as whole epoch
// seconds, computed by the engine) and do the arithmetic in Go: percentiles
// differ between the engines' SQL (SQLite has none), and integer seconds
// read the same from both, so that every number is identical on SQLite and
// PostgreSQL.

// epoch is the SQL for column col as whole seconds since 1970, NULL when
// col is NULL. Truncation, not rounding, on both engines.
func (d dialect) epoch(col string) string {
	if d.postgres {
		return "CAST(FLOOR(EXTRACT(EPOCH FROM " + col + ")) AS BIGINT)"
	}
	return "CAST(strftime('%s', " + col + ") AS INTEGER)"
}

// insightScope is the condition selecting in-scope incidents as i, with
// their postmortem joined as p (see insightFrom).
type insightScope struct {
	where string
	args  []any
}

// insightFrom joins what the scope filters on: one row per incident.
const insightFrom = ` FROM incidents i LEFT JOIN postmortems p ON p.incident_id = i.id`

// scopeOf builds the incident filter; withRange false leaves out the
// detection range (for pages counted by sending time and for incidents
// caused by changes whenever they were detected).
func scopeOf(f warroom.InsightsFilter, withRange bool) insightScope {
	var conds []string
	var args []any
	if withRange {
		conds = append(conds, "i.detected_at >= ?", "i.detected_at < ?")
		args = append(args, f.From, f.To)
	}
	switch f.Drills {
	case warroom.DrillsExclude:
		conds = append(conds, "NOT i.drill")
	case warroom.DrillsOnly:
		conds = append(conds, "i.drill")
	}
	if f.ServiceID != nil {
		conds = append(conds, "EXISTS (SELECT 1 FROM incident_services s WHERE s.incident_id = i.id AND s.service_id = ?)")
		args = append(args, *f.ServiceID)
	}
	if f.Team != nil {
		conds = append(conds, "EXISTS (SELECT 1 FROM incident_services s JOIN services v ON v.id = s.service_id WHERE s.incident_id = i.id AND lower(v.team) = lower(?))")
		args = append(args, *f.Team)
	}
	if len(f.Severities) > 0 {
		conds = append(conds, "i.severity IN ("+placeholders(len(f.Severities))+")")
		for _, s := range f.Severities {
			args = append(args, string(s))
		}
	}
	if f.Type != nil {
		conds = append(conds, "i.type = ?")
		args = append(args, string(*f.Type))
	}
	if f.Cause != nil {
		if *f.Cause == warroom.CauseNone {
			conds = append(conds, "COALESCE(p.cause_category, '') = ''")
		} else {
			conds = append(conds, "p.cause_category = ?")
			args = append(args, string(*f.Cause))
		}
	}
	if len(conds) == 0 {
		conds = append(conds, "1 = 1")
	}
	return insightScope{where: strings.Join(conds, " AND "), args: args}
}

// fact is the compact row of one in-scope incident.
type fact struct {
	id                int64
	title             string
	severity          warroom.Severity
	typ               warroom.IncidentType
	cause             string
	detected          int64
	ack, mit, res     sql.NullInt64
	alerts            int64
	moneyLost         warroom.Money
	compensation      warroom.Money
	orders, users, dt int64
}

func (fc *fact) detectedAt() time.Time { return time.Unix(fc.detected, 0).UTC() }

// factColumns are read by every incident report; extra columns follow.
func factColumns(d dialect) string {
	return `i.id, i.title, i.severity, i.type, COALESCE(p.cause_category, ''), ` + d.epoch("i.detected_at") + `, ` +
		d.epoch("i.acknowledged_at") + `, ` + d.epoch("i.mitigated_at") + `, ` + d.epoch("i.resolved_at")
}

// readFacts reads the in-scope incidents, extra naming further columns
// scanned by scanExtra.
func readFacts(ctx context.Context, tx *tx, f warroom.InsightsFilter, extra string, scanExtra func(*fact) []any) ([]*fact, error) {
	sc := scopeOf(f, true)
	q := `SELECT ` + factColumns(tx.d) + extra + insightFrom + ` WHERE ` + sc.where + ` ORDER BY i.id`
	rows, err := tx.query(ctx, q, sc.args...)
	if err != nil {
		return nil, fmt.Errorf("insights: %w", err)
	}
	defer rows.Close()
	var out []*fact
	for rows.Next() {
		fc := &fact{}
		var sev, typ string
		dest := []any{&fc.id, &fc.title, &sev, &typ, &fc.cause, &fc.detected, &fc.ack, &fc.mit, &fc.res}
		if scanExtra != nil {
			dest = append(dest, scanExtra(fc)...)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("insights: %w", err)
		}
		fc.severity, fc.typ = warroom.Severity(sev), warroom.IncidentType(typ)
		out = append(out, fc)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("insights: %w", err)
	}
	return out, nil
}

// serviceKeys maps each in-scope incident to the names (team false) or
// teams (team true) of its services, each once.
func serviceKeys(ctx context.Context, tx *tx, f warroom.InsightsFilter, withRange, team bool) (map[int64][]string, error) {
	sc := scopeOf(f, withRange)
	col := "v.name"
	if team {
		col = "v.team"
	}
	rows, err := tx.query(ctx, `SELECT DISTINCT s.incident_id, `+col+` FROM incident_services s JOIN services v ON v.id = s.service_id
		WHERE s.incident_id IN (SELECT i.id`+insightFrom+` WHERE `+sc.where+`)`, sc.args...)
	if err != nil {
		return nil, fmt.Errorf("insights: service keys: %w", err)
	}
	defer rows.Close()
	out := map[int64][]string{}
	for rows.Next() {
		var id int64
		var k string
		if err := rows.Scan(&id, &k); err != nil {
			return nil, fmt.Errorf("insights: service keys: %w", err)
		}
		if k == "" {
			k = "none"
		}
		out[id] = append(out[id], k)
	}
	return out, rows.Err()
}

// keyer returns the group keys of an incident.
type keyer func(fc *fact) []string

// keyerFor builds the keyer of f.GroupBy, reading service names or teams
// when it needs them.
func keyerFor(ctx context.Context, tx *tx, f warroom.InsightsFilter) (keyer, error) {
	switch f.GroupBy {
	case warroom.GroupByService, warroom.GroupByTeam:
		m, err := serviceKeys(ctx, tx, f, true, f.GroupBy == warroom.GroupByTeam)
		if err != nil {
			return nil, err
		}
		return func(fc *fact) []string {
			if ks := m[fc.id]; len(ks) > 0 {
				return ks
			}
			return []string{"none"}
		}, nil
	}
	return func(fc *fact) []string { return []string{timeKey(f.GroupBy, fc.detectedAt(), fc)} }, nil
}

// timeKey is the key of one incident (fc may be nil for time groupings).
func timeKey(g warroom.InsightsGrouping, t time.Time, fc *fact) string {
	switch g {
	case warroom.GroupByWeek:
		return weekStart(t).Format("2006-01-02")
	case warroom.GroupByMonth:
		return t.Format("2006-01")
	case warroom.GroupBySeverity:
		return string(fc.severity)
	case warroom.GroupByType:
		return string(fc.typ)
	case warroom.GroupByCause:
		if fc.cause == "" {
			return string(warroom.CauseNone)
		}
		return fc.cause
	}
	return "all"
}

// weekStart is the Monday 00:00 UTC of t's ISO week.
func weekStart(t time.Time) time.Time {
	t = t.UTC()
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	return d.AddDate(0, 0, -warroom.WeekdayIndex(d))
}

// periodKeys lists every week or month key the range touches, so that
// trends show the quiet periods too; nil for other groupings.
func periodKeys(f warroom.InsightsFilter) []string {
	var keys []string
	switch f.GroupBy {
	case warroom.GroupByWeek:
		for t := weekStart(f.From); t.Before(f.To); t = t.AddDate(0, 0, 7) {
			keys = append(keys, t.Format("2006-01-02"))
		}
	case warroom.GroupByMonth:
		from := f.From.UTC()
		for t := time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC); t.Before(f.To); t = t.AddDate(0, 1, 0) {
			keys = append(keys, t.Format("2006-01"))
		}
	case warroom.GroupBySeverity:
		for _, s := range warroom.Severities {
			keys = append(keys, string(s))
		}
	}
	return keys
}

// sortedKeys orders the keys of m, with pre (the periods) first in their
// order; "none" sorts last.
func sortedKeys[T any](m map[string]T, pre []string) []string {
	out := append([]string(nil), pre...)
	seen := map[string]bool{}
	for _, k := range pre {
		seen[k] = true
	}
	var rest []string
	for k := range m {
		if !seen[k] {
			rest = append(rest, k)
		}
	}
	sort.Slice(rest, func(i, j int) bool {
		if (rest[i] == "none") != (rest[j] == "none") {
			return rest[j] == "none"
		}
		return rest[i] < rest[j]
	})
	return append(out, rest...)
}

// readInsights runs fn in a read transaction after validating f.
func readInsights[T any](ctx context.Context, db *DB, f warroom.InsightsFilter, fn func(*tx) (T, error)) (T, error) {
	var zero T
	if err := f.Validate(); err != nil {
		return zero, err
	}
	tx, err := db.beginRead(ctx)
	if err != nil {
		return zero, err
	}
	defer tx.rollback()
	v, err := fn(tx)
	if err != nil {
		return zero, err
	}
	return v, tx.commit()
}
