package store

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"time"

	"github.com/warroomhq/warroom"
)

// OnCallInsights counts the pages sent in the range for in-scope incidents,
// per person and by the local hour they arrived.
func (db *DB) OnCallInsights(ctx context.Context, f warroom.InsightsFilter) (*warroom.OnCallInsights, error) {
	return readInsights(ctx, db, f, func(tx *tx) (*warroom.OnCallInsights, error) {
		sc := scopeOf(f, false)
		args := append([]any{f.From, f.To}, sc.args...)
		rows, err := tx.query(ctx, `SELECT n.user_id, u.name, u.time_zone, n.sent_at
			FROM notifications n JOIN users u ON u.id = n.user_id
			JOIN incidents i ON i.id = n.incident_id LEFT JOIN postmortems p ON p.incident_id = i.id
			WHERE n.kind = 'page' AND n.sent_at IS NOT NULL AND n.state = 'sent' AND n.sent_at >= ? AND n.sent_at < ? AND `+sc.where,
			args...)
		if err != nil {
			return nil, fmt.Errorf("oncall insights: %w", err)
		}
		defer rows.Close()
		out := &warroom.OnCallInsights{From: f.From, To: f.To, People: []warroom.PagerLoad{}}
		people := map[int64]*warroom.PagerLoad{}
		zones := map[string]*time.Location{}
		for rows.Next() {
			var id int64
			var sentAt sql.NullInt64
			var name, tz string
			if err := rows.Scan(&id, &name, &tz, scanEpoch(&sentAt)); err != nil {
				return nil, fmt.Errorf("oncall insights: %w", err)
			}
			loc, ok := zones[tz]
			if !ok {
				// A zone this build does not know counts in UTC rather than
				// failing the report.
				if loc, err = time.LoadLocation(tz); err != nil {
					loc = time.UTC
				}
				zones[tz] = loc
			}
			p := people[id]
			if p == nil {
				p = &warroom.PagerLoad{UserID: id, Name: name, TimeZone: tz}
				people[id] = p
			}
			local := time.Unix(sentAt.Int64, 0).In(loc)
			p.Pages++
			out.Pages++
			if warroom.OutOfHours(local) {
				p.OutOfHours++
				out.OutOfHours++
			}
			out.HeatMap[warroom.WeekdayIndex(local)][local.Hour()]++
		}
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("oncall insights: %w", err)
		}
		for _, p := range people {
			out.People = append(out.People, *p)
		}
		sort.Slice(out.People, func(i, j int) bool {
			if out.People[i].Pages != out.People[j].Pages {
				return out.People[i].Pages > out.People[j].Pages
			}
			return out.People[i].UserID < out.People[j].UserID
		})
		return out, nil
	})
}

// ActionItemInsights counts the action items of in-scope incidents by the
// team owning the incident's services.
func (db *DB) ActionItemInsights(ctx context.Context, f warroom.InsightsFilter) (*warroom.ActionItemInsights, error) {
	return readInsights(ctx, db, f, func(tx *tx) (*warroom.ActionItemInsights, error) {
		teams, err := serviceKeys(ctx, tx, f, true, true)
		if err != nil {
			return nil, err
		}
		sc := scopeOf(f, true)
		rows, err := tx.query(ctx, `SELECT a.incident_id, a.status, a.due_date, a.done_at FROM action_items a
			JOIN incidents i ON i.id = a.incident_id LEFT JOIN postmortems p ON p.incident_id = i.id WHERE `+sc.where, sc.args...)
		if err != nil {
			return nil, fmt.Errorf("action item insights: %w", err)
		}
		defer rows.Close()
		now := tx.now
		out := &warroom.ActionItemInsights{From: f.From, To: f.To, Total: warroom.ActionItemInsightsRow{Team: "all"}, Teams: []warroom.ActionItemInsightsRow{}}
		byTeam := map[string]*warroom.ActionItemInsightsRow{}
		for rows.Next() {
			var a warroom.ActionItem
			if err := rows.Scan(&a.IncidentID, &a.Status, scanTime(&a.DueDate), scanNullTime(&a.DoneAt)); err != nil {
				return nil, fmt.Errorf("action item insights: %w", err)
			}
			ks := teams[a.IncidentID]
			if len(ks) == 0 {
				ks = []string{"none"}
			}
			countActionItem(&out.Total, &a, now)
			for _, k := range ks {
				r := byTeam[k]
				if r == nil {
					r = &warroom.ActionItemInsightsRow{Team: k}
					byTeam[k] = r
				}
				countActionItem(r, &a, now)
			}
		}
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("action item insights: %w", err)
		}
		for _, k := range sortedKeys(byTeam, nil) {
			out.Teams = append(out.Teams, *byTeam[k])
		}
		return out, nil
	})
}

func countActionItem(r *warroom.ActionItemInsightsRow, a *warroom.ActionItem, now time.Time) {
	r.Total++
	switch a.Status {
	case warroom.ActionDone:
		r.Done++
		if a.DoneAt != nil && a.DoneAt.Before(a.DueDate) {
			r.DoneOnTime++
		} else {
			r.DoneLate++
		}
	case warroom.ActionWontDo:
		r.WontDo++
	default:
		r.Open++
		if a.Overdue(now) {
			r.Overdue++
		}
	}
}
