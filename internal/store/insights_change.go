package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/warroomhq/warroom"
)

// changeFact is one deployed change in scope and the first incident it
// caused.
type changeFact struct {
	id, started int64
	failed      bool
	// first is the earliest detected incident linked as caused by it.
	firstDetected, firstResolved int64
	firstID                      int64
	firstOK, resolvedOK          bool
}

// changeSet collects one group before it is summarised.
type changeSet struct {
	changes, failed int
	lead, recovery  []int64
}

func (s *changeSet) add(c *changeFact) {
	s.changes++
	if !c.failed {
		return
	}
	s.failed++
	if d := c.firstDetected - c.started; d >= 0 {
		s.lead = append(s.lead, d)
	}
	if c.resolvedOK {
		s.recovery = append(s.recovery, c.firstResolved-c.firstDetected)
	}
}

func (s *changeSet) row(key string) warroom.ChangeInsightsRow {
	return warroom.ChangeInsightsRow{Key: key, Changes: s.changes, Failed: s.failed, FailureRate: warroom.Rate(s.failed, s.changes),
		TimeToIncident: warroom.Summarize(s.lead), Recovery: warroom.Summarize(s.recovery)}
}

// ChangeInsights computes the change failure rate of the changes started in
// the range, by service (the default), team, week or month.
func (db *DB) ChangeInsights(ctx context.Context, f warroom.InsightsFilter) (*warroom.ChangeInsights, error) {
	if f.GroupBy == warroom.GroupByNone {
		f.GroupBy = warroom.GroupByService
	}
	switch f.GroupBy {
	case warroom.GroupByService, warroom.GroupByTeam, warroom.GroupByWeek, warroom.GroupByMonth:
	default:
		if f.GroupBy.Valid() {
			return nil, warroom.FieldErrorf("group_by", "changes group by service, team, week or month")
		}
	}
	return readInsights(ctx, db, f, func(tx *tx) (*warroom.ChangeInsights, error) {
		conds := "c.started_at >= ? AND c.started_at < ?"
		cargs := []any{f.From, f.To}
		if f.ServiceID != nil {
			conds += " AND EXISTS (SELECT 1 FROM change_services cs WHERE cs.change_id = c.id AND cs.service_id = ?)"
			cargs = append(cargs, *f.ServiceID)
		}
		if f.Team != nil {
			conds += " AND EXISTS (SELECT 1 FROM change_services cs JOIN services v ON v.id = cs.service_id WHERE cs.change_id = c.id AND lower(v.team) = lower(?))"
			cargs = append(cargs, *f.Team)
		}
		rows, err := tx.query(ctx, `SELECT c.id, c.started_at FROM changes c WHERE `+conds+` ORDER BY c.id`, cargs...)
		if err != nil {
			return nil, fmt.Errorf("change insights: %w", err)
		}
		var facts []*changeFact
		byID := map[int64]*changeFact{}
		for rows.Next() {
			c := &changeFact{}
			var st sql.NullInt64
			if err := rows.Scan(&c.id, scanEpoch(&st)); err != nil {
				rows.Close()
				return nil, fmt.Errorf("change insights: %w", err)
			}
			c.started = st.Int64
			facts = append(facts, c)
			byID[c.id] = c
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("change insights: %w", err)
		}
		if err := linkCausedIncidents(ctx, tx, f, conds, cargs, byID); err != nil {
			return nil, err
		}
		keys, err := changeKeys(ctx, tx, f, conds, cargs)
		if err != nil {
			return nil, err
		}
		var total changeSet
		groups := map[string]*changeSet{}
		for _, k := range periodKeys(f) {
			groups[k] = &changeSet{}
		}
		for _, c := range facts {
			total.add(c)
			ks := keys[c.id]
			switch f.GroupBy {
			case warroom.GroupByWeek, warroom.GroupByMonth:
				ks = []string{timeKey(f.GroupBy, time.Unix(c.started, 0).UTC(), nil)}
			}
			if len(ks) == 0 {
				ks = []string{"none"}
			}
			for _, k := range ks {
				g := groups[k]
				if g == nil {
					g = &changeSet{}
					groups[k] = g
				}
				g.add(c)
			}
		}
		out := &warroom.ChangeInsights{From: f.From, To: f.To, GroupBy: f.GroupBy, Total: total.row("all"), Groups: []warroom.ChangeInsightsRow{}}
		for _, k := range sortedKeys(groups, periodKeys(f)) {
			out.Groups = append(out.Groups, groups[k].row(k))
		}
		return out, nil
	})
}

// linkCausedIncidents marks the changes linked as a cause of an incident
// passing the incident filters (whenever it was detected), keeping the
// first such incident of each.
func linkCausedIncidents(ctx context.Context, tx *tx, f warroom.InsightsFilter, conds string, cargs []any, byID map[int64]*changeFact) error {
	// The service and team filters chose the changes; the incident a change
	// broke may be on another service.
	inf := f
	inf.ServiceID, inf.Team = nil, nil
	sc := scopeOf(inf, false)
	rows, err := tx.query(ctx, `SELECT ic.change_id, i.id, i.detected_at, i.resolved_at
		FROM incident_changes ic JOIN incidents i ON i.id = ic.incident_id LEFT JOIN postmortems p ON p.incident_id = i.id
		WHERE ic.change_id IN (SELECT c.id FROM changes c WHERE `+conds+`) AND `+sc.where,
		append(append([]any(nil), cargs...), sc.args...)...)
	if err != nil {
		return fmt.Errorf("change insights: caused incidents: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var cid, iid int64
		var detN, resN sql.NullInt64
		if err := rows.Scan(&cid, &iid, scanEpoch(&detN), scanEpoch(&resN)); err != nil {
			return fmt.Errorf("change insights: caused incidents: %w", err)
		}
		c := byID[cid]
		if c == nil {
			continue
		}
		c.failed = true
		det := detN.Int64
		if !c.firstOK || det < c.firstDetected || (det == c.firstDetected && iid < c.firstID) {
			c.firstOK, c.firstID, c.firstDetected = true, iid, det
			c.resolvedOK, c.firstResolved = resN.Valid, resN.Int64
		}
	}
	return rows.Err()
}

// changeKeys maps each change in scope to its service names or teams.
func changeKeys(ctx context.Context, tx *tx, f warroom.InsightsFilter, conds string, cargs []any) (map[int64][]string, error) {
	out := map[int64][]string{}
	if f.GroupBy != warroom.GroupByService && f.GroupBy != warroom.GroupByTeam {
		return out, nil
	}
	col := "v.name"
	if f.GroupBy == warroom.GroupByTeam {
		col = "v.team"
	}
	rows, err := tx.query(ctx, `SELECT DISTINCT cs.change_id, `+col+` FROM change_services cs JOIN services v ON v.id = cs.service_id
		WHERE cs.change_id IN (SELECT c.id FROM changes c WHERE `+conds+`)`, cargs...)
	if err != nil {
		return nil, fmt.Errorf("change insights: keys: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var k string
		if err := rows.Scan(&id, &k); err != nil {
			return nil, fmt.Errorf("change insights: keys: %w", err)
		}
		if k == "" {
			k = "none"
		}
		out[id] = append(out[id], k)
	}
	return out, rows.Err()
}
