package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
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

// epochScanner reads an instant as whole seconds since 1970 (truncated),
// Valid false for NULL. SQLite's fixed-width text is parsed by hand: the
// insights read tens of thousands of instants per query, and strftime in
// SQL or time.Parse in Go cost several times more than the digits.
type epochScanner struct{ v *sql.NullInt64 }

func scanEpoch(v *sql.NullInt64) sql.Scanner { return epochScanner{v} }

// Scan implements sql.Scanner.
func (s epochScanner) Scan(src any) error {
	switch x := src.(type) {
	case nil:
		*s.v = sql.NullInt64{}
		return nil
	case time.Time:
		*s.v = sql.NullInt64{Int64: x.Unix(), Valid: true}
		return nil
	case string:
		return s.text(x)
	case []byte:
		return s.text(string(x))
	}
	return fmt.Errorf("scan epoch: unsupported type %T", src)
}

func (s epochScanner) text(x string) error {
	if n, ok := parseLayoutSeconds(x); ok {
		*s.v = sql.NullInt64{Int64: n, Valid: true}
		return nil
	}
	t, err := time.Parse(time.RFC3339Nano, x)
	if err != nil {
		return fmt.Errorf("scan epoch: %w", err)
	}
	*s.v = sql.NullInt64{Int64: t.Unix(), Valid: true}
	return nil
}

// parseLayoutSeconds reads "2006-01-02T15:04:05.000000Z" (timeLayout) as
// epoch seconds; ok is false for any other shape.
func parseLayoutSeconds(x string) (int64, bool) {
	if len(x) != len(timeLayout) || x[4] != '-' || x[7] != '-' || x[10] != 'T' || x[13] != ':' || x[16] != ':' || x[19] != '.' || x[26] != 'Z' {
		return 0, false
	}
	num := func(i, n int) (int, bool) {
		v := 0
		for _, c := range []byte(x[i : i+n]) {
			if c < '0' || c > '9' {
				return 0, false
			}
			v = v*10 + int(c-'0')
		}
		return v, true
	}
	y, ok1 := num(0, 4)
	mo, ok2 := num(5, 2)
	d, ok3 := num(8, 2)
	h, ok4 := num(11, 2)
	mi, ok5 := num(14, 2)
	sec, ok6 := num(17, 2)
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59 {
		return 0, false
	}
	return daysFromCivil(y, mo, d)*86400 + int64(h*3600+mi*60+sec), true
}

// daysFromCivil is the number of days from 1970-01-01 to y-m-d in the
// proleptic Gregorian calendar (Howard Hinnant's algorithm).
func daysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era)*146097 + int64(doe) - 719468
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
const factColumns = `i.id, i.title, i.severity, i.type, COALESCE(p.cause_category, ''), i.detected_at, i.acknowledged_at, i.mitigated_at, i.resolved_at`

// readFacts reads the in-scope incidents, extra naming further columns
// scanned by scanExtra.
func readFacts(ctx context.Context, tx *tx, f warroom.InsightsFilter, extra string, scanExtra func(*fact) []any) ([]*fact, error) {
	sc := scopeOf(f, true)
	q := `SELECT ` + factColumns + extra + insightFrom + ` WHERE ` + sc.where
	rows, err := tx.query(ctx, q, sc.args...)
	if err != nil {
		return nil, fmt.Errorf("insights: %w", err)
	}
	defer rows.Close()
	var out []*fact
	for rows.Next() {
		fc := &fact{}
		var sev, typ string
		var det sql.NullInt64
		dest := []any{&fc.id, &fc.title, &sev, &typ, &fc.cause, scanEpoch(&det), scanEpoch(&fc.ack), scanEpoch(&fc.mit), scanEpoch(&fc.res)}
		if scanExtra != nil {
			dest = append(dest, scanExtra(fc)...)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("insights: %w", err)
		}
		fc.severity, fc.typ, fc.detected = warroom.Severity(sev), warroom.IncidentType(typ), det.Int64
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
	// Driven from the incidents' range, like the facts; a service or team
	// repeated on one incident is dropped here rather than by DISTINCT.
	rows, err := tx.query(ctx, `SELECT s.incident_id, `+col+insightFrom+` JOIN incident_services s ON s.incident_id = i.id
		JOIN services v ON v.id = s.service_id WHERE `+sc.where, sc.args...)
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
		if !slices.Contains(out[id], k) {
			out[id] = append(out[id], k)
		}
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
