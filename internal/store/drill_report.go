package store

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/warroomhq/warroom"
)

// DrillReport measures a run from what the team did on its incident.
func (db *DB) DrillReport(ctx context.Context, id int64) (*warroom.DrillReport, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	run, err := findDrillRun(ctx, tx, id, false)
	if err != nil {
		return nil, err
	}
	rep := &warroom.DrillReport{Run: run, Measures: []warroom.DrillMeasure{}, SOP: []warroom.DrillSOPStep{}, Roles: map[string]bool{},
		Missed: []string{}, Previous: []warroom.DrillRunSummary{}, ActionItems: []*warroom.ActionItem{}}
	sc := run.Scenario
	if run.IncidentID == nil {
		rep.Missed = append(rep.Missed, "The drill never opened its incident: no alert step was injected and routed.")
		return rep, tx.commit()
	}
	inc, err := findIncident(ctx, tx, *run.IncidentID)
	if err != nil {
		return nil, err
	}
	rep.Incident = inc
	policies, err := findSLAPolicies(ctx, tx)
	if err != nil {
		return nil, err
	}
	var policy warroom.SLAPolicy
	for _, p := range policies {
		if p.Severity == inc.Severity {
			policy = p
		}
	}
	history, err := findRoleAssignments(ctx, tx, inc.ID, true)
	if err != nil {
		return nil, err
	}
	// Roles are assembled when the last expected role was first filled.
	var rolesAt *time.Time
	for _, role := range sc.ExpectedRoles {
		var first *time.Time
		for _, a := range history {
			if a.Role == role && (first == nil || a.AssignedAt.Before(*first)) {
				t := a.AssignedAt
				first = &t
			}
		}
		rep.Roles[role] = first != nil
		if first == nil {
			rep.Missed = append(rep.Missed, fmt.Sprintf("Nobody took the %s role.", role))
		}
		if rolesAt == nil || (first != nil && first.After(*rolesAt)) {
			rolesAt = first
		}
	}
	for _, role := range sc.ExpectedRoles {
		if !rep.Roles[role] {
			rolesAt = nil
		}
	}
	var firstUpdate *time.Time
	us, err := findStatusUpdates(ctx, tx, "incident_id = ?", inc.ID)
	if err != nil {
		return nil, err
	}
	for _, u := range us {
		if firstUpdate == nil || u.CreatedAt.Before(*firstUpdate) {
			t := u.CreatedAt
			firstUpdate = &t
		}
	}
	rep.Measures = warroom.DrillMeasures(inc, policy, rolesAt, firstUpdate)
	for _, m := range rep.Measures {
		switch {
		case m.Seconds == nil:
			rep.Missed = append(rep.Missed, fmt.Sprintf("%s: never happened (target %s).", m.Name, time.Duration(m.TargetSeconds)*time.Second))
		case !m.Met:
			rep.Missed = append(rep.Missed, fmt.Sprintf("%s: took %s against a target of %s.", m.Name,
				time.Duration(*m.Seconds)*time.Second, time.Duration(m.TargetSeconds)*time.Second))
		}
	}
	for _, title := range sc.SOP {
		st := warroom.DrillSOPStep{Title: title}
		for _, t := range inc.Tasks {
			if t.Title == title && t.Done {
				st.Done, st.DoneAt = true, t.DoneAt
			}
		}
		if !st.Done {
			rep.Missed = append(rep.Missed, fmt.Sprintf("SOP step skipped: %s.", title))
		}
		rep.SOP = append(rep.SOP, st)
	}
	if rep.ActionItems, _, err = findActionItems(ctx, tx, warroom.ActionItemFilter{IncidentID: &inc.ID, Limit: warroom.MaxPageSize}); err != nil {
		return nil, err
	}
	if rep.Previous, err = previousDrills(ctx, tx, run); err != nil {
		return nil, err
	}
	return rep, tx.commit()
}

// previousDrills returns up to ten earlier runs on services of the same
// teams, newest first.
func previousDrills(ctx context.Context, tx *tx, run *warroom.DrillRun) ([]warroom.DrillRunSummary, error) {
	teams, err := serviceTeams(ctx, tx)
	if err != nil {
		return nil, err
	}
	mine := map[string]bool{}
	for _, id := range run.ServiceIDs {
		mine[teams[id]] = true
	}
	runs, err := findDrillRunsWhere(ctx, tx, "r.id <> ? AND r.started_at IS NOT NULL AND r.id < ?", run.ID, run.ID)
	if err != nil {
		return nil, err
	}
	out := []warroom.DrillRunSummary{}
	for _, r := range runs {
		shared := false
		for _, id := range r.ServiceIDs {
			shared = shared || mine[teams[id]]
		}
		if !shared || len(out) >= 10 {
			continue
		}
		s := warroom.DrillRunSummary{RunID: r.ID, Scenario: r.ScenarioSlug, StartedAt: *r.StartedAt}
		if r.IncidentID != nil {
			inc, err := findIncident(ctx, tx, *r.IncidentID)
			if err != nil {
				return nil, err
			}
			s.AckSeconds, s.MitigateSeconds = sinceDetected(inc, inc.AcknowledgedAt), sinceDetected(inc, inc.MitigatedAt)
		}
		out = append(out, s)
	}
	return out, nil
}

func sinceDetected(inc *warroom.Incident, t *time.Time) *int64 {
	if t == nil {
		return nil
	}
	s := int64(t.Sub(inc.DetectedAt) / time.Second)
	return &s
}

// serviceTeams maps every service to its team ("none" when unset).
func serviceTeams(ctx context.Context, tx *tx) (map[int64]string, error) {
	rows, err := tx.query(ctx, `SELECT id, team FROM services`)
	if err != nil {
		return nil, fmt.Errorf("service teams: %w", err)
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var team string
		if err := rows.Scan(&id, &team); err != nil {
			return nil, fmt.Errorf("service teams: %w", err)
		}
		if team == "" {
			team = "none"
		}
		out[id] = team
	}
	return out, rows.Err()
}

// DrillInsights counts the drills started in [from, to) per team with
// their acknowledge and resolve clocks by month, and when each service
// last had a drill (any time before to).
func (db *DB) DrillInsights(ctx context.Context, from, to time.Time, staleDays int) (*warroom.DrillInsights, error) {
	switch {
	case !from.Before(to):
		return nil, warroom.FieldErrorf("to", "must be after from")
	case to.Sub(from) > 366*24*time.Hour:
		return nil, warroom.FieldErrorf("to", "the time range is at most 366 days")
	case staleDays < 1 || staleDays > 3650:
		return nil, warroom.FieldErrorf("stale_days", "must be 1 to 3650")
	}
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	teams, err := serviceTeams(ctx, tx)
	if err != nil {
		return nil, err
	}
	runs, err := findDrillRunsWhere(ctx, tx, "r.started_at IS NOT NULL AND r.started_at < ?", to)
	if err != nil {
		return nil, err
	}
	type clocks struct {
		runs      int
		ack, res  []int64
		byMonth   map[string]*clocks
		monthKeys []string
	}
	byTeam := map[string]*clocks{}
	last := map[int64]time.Time{}
	for _, r := range runs {
		for _, id := range r.ServiceIDs {
			if r.StartedAt.After(last[id]) {
				last[id] = *r.StartedAt
			}
		}
		if r.StartedAt.Before(from) {
			continue
		}
		var ack, res *int64
		if r.IncidentID != nil {
			inc, err := findIncident(ctx, tx, *r.IncidentID)
			if err != nil {
				return nil, err
			}
			ack, res = sinceDetected(inc, inc.AcknowledgedAt), sinceDetected(inc, inc.ResolvedAt)
		}
		month := r.StartedAt.UTC().Format("2006-01")
		seen := map[string]bool{}
		for _, id := range r.ServiceIDs {
			team := teams[id]
			if seen[team] {
				continue
			}
			seen[team] = true
			c := byTeam[team]
			if c == nil {
				c = &clocks{byMonth: map[string]*clocks{}}
				byTeam[team] = c
			}
			m := c.byMonth[month]
			if m == nil {
				m = &clocks{}
				c.byMonth[month] = m
				c.monthKeys = append(c.monthKeys, month)
			}
			for _, x := range []*clocks{c, m} {
				x.runs++
				if ack != nil {
					x.ack = append(x.ack, *ack)
				}
				if res != nil {
					x.res = append(x.res, *res)
				}
			}
		}
	}
	out := &warroom.DrillInsights{From: from, To: to, StaleDays: staleDays, Teams: []warroom.DrillTeamStats{}, Services: []warroom.DrillServiceStatus{}}
	names := make([]string, 0, len(byTeam))
	for t := range byTeam {
		names = append(names, t)
	}
	sort.Strings(names)
	for _, t := range names {
		c := byTeam[t]
		ts := warroom.DrillTeamStats{Team: t, Runs: c.runs, MTTA: warroom.SummarizeDrillClock(c.ack), MTTR: warroom.SummarizeDrillClock(c.res), Trend: []warroom.DrillMonth{}}
		slices.Sort(c.monthKeys)
		for _, k := range c.monthKeys {
			m := c.byMonth[k]
			ts.Trend = append(ts.Trend, warroom.DrillMonth{Month: k, Runs: m.runs, MTTA: warroom.SummarizeDrillClock(m.ack), MTTR: warroom.SummarizeDrillClock(m.res)})
		}
		out.Teams = append(out.Teams, ts)
	}
	rows, err := tx.query(ctx, `SELECT id, name, team FROM services ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("drill insights: %w", err)
	}
	defer rows.Close()
	cutoff := to.Add(-time.Duration(staleDays) * 24 * time.Hour)
	for rows.Next() {
		var s warroom.DrillServiceStatus
		if err := rows.Scan(&s.ServiceID, &s.ServiceName, &s.Team); err != nil {
			return nil, fmt.Errorf("drill insights: %w", err)
		}
		if t, ok := last[s.ServiceID]; ok {
			s.LastDrillAt = &t
		}
		s.Overdue = s.LastDrillAt == nil || s.LastDrillAt.Before(cutoff)
		out.Services = append(out.Services, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("drill insights: %w", err)
	}
	return out, tx.commit()
}
