package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/warroomhq/warroom"
)

// InsightsVolume says how much SeedInsights writes.
type InsightsVolume struct {
	Incidents, Alerts, Changes, Pages, ActionItems int
	Services, Users                                int
	Days                                           int
}

// SeedInsights bulk-inserts a year of history for the insights benchmarks,
// ending at end, from a fixed seed: incidents over services and teams with
// their clocks and losses, alerts grouped into them, pages, action items,
// postmortem causes, and changes of which some are linked as causes.
func SeedInsights(ctx context.Context, db *DB, v InsightsVolume, end time.Time) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	rng := rand.New(rand.NewPCG(1, 2))
	start := end.AddDate(0, 0, -v.Days)
	span := end.Sub(start)
	b := &bulkInsert{tx: tx}
	for i := 1; i <= v.Services; i++ {
		if err := b.add(ctx, "services (id, name, team, tier, created_at, updated_at)", int64(i), fmt.Sprintf("svc-%d", i), fmt.Sprintf("team-%d", i%10), 1, start, start); err != nil {
			return err
		}
	}
	for i := 1; i <= v.Users; i++ {
		if err := b.add(ctx, "users (id, name, email, role, time_zone, created_at, updated_at)", int64(1000+i), fmt.Sprintf("u%d", i), fmt.Sprintf("u%d@example.com", i), "responder", []string{"UTC", "Asia/Shanghai", "Europe/Berlin"}[i%3], start, start); err != nil {
			return err
		}
		if err := b.add(ctx, "contact_methods (id, user_id, type, name, address_sealed, created_at)", int64(1000+i), int64(1000+i), "email", "mail", "x", start); err != nil {
			return err
		}
	}
	// Incidents are declared as they happen, so IDs follow detection.
	detected := make([]time.Time, v.Incidents+1)
	for i := 1; i <= v.Incidents; i++ {
		detected[i] = start.Add(time.Duration(rng.Int64N(int64(span)))).Truncate(time.Second)
	}
	slices.SortFunc(detected[1:], func(a, b time.Time) int { return a.Compare(b) })
	svcOf := make([]int64, v.Incidents+1)
	for i := 1; i <= v.Incidents; i++ {
		d := detected[i]
		sev := warroom.Severities[rng.IntN(len(warroom.Severities))]
		ack := d.Add(time.Duration(30+rng.IntN(3600)) * time.Second)
		mit := ack.Add(time.Duration(rng.IntN(7200)) * time.Second)
		res := mit.Add(time.Duration(rng.IntN(86400)) * time.Second)
		var resP *time.Time
		state := "investigating"
		if res.Before(end) && rng.IntN(20) > 0 {
			resP, state = &res, "resolved"
		}
		money := int64(0)
		if rng.IntN(4) == 0 {
			money = rng.Int64N(1e8)
		}
		if err := b.add(ctx, "incidents (id, title, type, state, severity, proposed_severity, money_lost, money_lost_currency, orders_lost, users_affected, downtime_minutes, drill, detected_at, acknowledged_at, mitigated_at, resolved_at, created_at, updated_at)",
			int64(i), fmt.Sprintf("Incident %d", i), string(warroom.IncidentTypes[i%len(warroom.IncidentTypes)]), state, string(sev), string(sev),
			money, []string{"CNY", "USD"}[i%2], int64(rng.IntN(50)), int64(rng.IntN(1000)), int64(rng.IntN(300)), i%50 == 0, d, ack, mit, resP, d, d); err != nil {
			return err
		}
		svcOf[i] = int64(1 + rng.IntN(v.Services))
		if err := b.add(ctx, "incident_services (incident_id, service_id)", int64(i), svcOf[i]); err != nil {
			return err
		}
		if i%3 == 0 {
			if err := b.add(ctx, "postmortems (id, incident_id, status, cause_category, created_at, updated_at)", int64(i), int64(i), "draft", string(warroom.CauseCategories[i%len(warroom.CauseCategories)].Category), d, d); err != nil {
				return err
			}
		}
	}
	for i := 1; i <= v.Alerts; i++ {
		inc := 1 + rng.IntN(v.Incidents)
		d := detected[inc]
		if err := b.add(ctx, "alerts (id, service_id, scope, dedup_key, status, summary, severity, first_seen_at, last_seen_at, resolved_at, incident_id)",
			int64(i), svcOf[inc], "bench", fmt.Sprint(i), "resolved", "x", "critical", d, d, d, int64(inc)); err != nil {
			return err
		}
	}
	for i := 1; i <= v.Pages; i++ {
		inc := 1 + rng.IntN(v.Incidents)
		u := int64(1001 + rng.IntN(v.Users))
		sent := detected[inc].Add(time.Minute)
		if err := b.add(ctx, "notifications (id, kind, state, incident_id, user_id, contact_method_id, created_at, sent_at)", int64(i), "page", "sent", int64(inc), u, u, sent, sent); err != nil {
			return err
		}
	}
	for i := 1; i <= v.ActionItems; i++ {
		inc := 1 + rng.IntN(v.Incidents)
		due := detected[inc].AddDate(0, 0, 14)
		status := []string{"open", "in_progress", "done", "wont_do"}[rng.IntN(4)]
		var done *time.Time
		if status == "done" {
			x := detected[inc].AddDate(0, 0, rng.IntN(28))
			done = &x
		}
		if err := b.add(ctx, "action_items (id, incident_id, title, owner_id, due_date, priority, kind, status, created_at, updated_at, done_at)",
			int64(i), int64(inc), "fix", int64(1001+rng.IntN(v.Users)), due, "high", "prevent", status, due, due, done); err != nil {
			return err
		}
	}
	for i := 1; i <= v.Changes; i++ {
		st := start.Add(time.Duration(rng.Int64N(int64(span)))).Truncate(time.Second)
		if err := b.add(ctx, "changes (id, kind, title, risk, proposed_risk, state, source, started_at, created_at, updated_at)", int64(i), "deploy", "release", "low", "low", "approved", "manual", st, st, st); err != nil {
			return err
		}
		if err := b.add(ctx, "change_services (change_id, service_id)", int64(i), int64(1+rng.IntN(v.Services))); err != nil {
			return err
		}
		if i%7 == 0 {
			if err := b.add(ctx, "incident_changes (incident_id, change_id, linked_at)", int64(1+rng.IntN(v.Incidents)), int64(i), st); err != nil {
				return err
			}
		}
	}
	if err := b.flushAll(ctx); err != nil {
		return err
	}
	if tx.d.postgres {
		// Identity columns were given explicit values; later inserts must
		// not collide with them.
		for _, t := range []string{"services", "users", "contact_methods", "incidents", "postmortems", "alerts", "notifications", "action_items", "changes"} {
			if _, err := tx.exec(ctx, `SELECT setval(pg_get_serial_sequence('`+t+`', 'id'), (SELECT MAX(id) FROM `+t+`))`); err != nil {
				return err
			}
		}
	}
	if err := tx.commit(); err != nil {
		return err
	}
	if !db.d.postgres {
		// A year of rows written in one transaction leaves them all in the
		// WAL; a server running that long would have checkpointed them.
		_, err := db.write.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
		return err
	}
	// As autovacuum would have by then: statistics for the planner and
	// the visibility map that lets counts read the index alone.
	_, err = db.write.ExecContext(ctx, `VACUUM ANALYZE`)
	return err
}

// bulkInsert batches rows per table into multi-row INSERTs.
type bulkInsert struct {
	tx    *tx
	order []string
	rows  map[string][][]any
}

func (b *bulkInsert) add(ctx context.Context, into string, vals ...any) error {
	if b.rows == nil {
		b.rows = map[string][][]any{}
	}
	if _, ok := b.rows[into]; !ok {
		b.order = append(b.order, into)
	}
	b.rows[into] = append(b.rows[into], vals)
	if len(b.rows[into])*len(vals) >= 30000 {
		return b.flushAll(ctx)
	}
	return nil
}

func (b *bulkInsert) flush(ctx context.Context, into string) error {
	rows := b.rows[into]
	if len(rows) == 0 {
		return nil
	}
	row := "(" + placeholders(len(rows[0])) + ")"
	var args []any
	parts := make([]string, len(rows))
	for i, r := range rows {
		parts[i] = row
		args = append(args, r...)
	}
	if _, err := b.tx.exec(ctx, "INSERT INTO "+into+" VALUES "+strings.Join(parts, ", "), args...); err != nil {
		return fmt.Errorf("seed %s: %w", into, err)
	}
	b.rows[into] = b.rows[into][:0]
	return nil
}

// flushAll writes what is left, in the order tables were first seen so
// that foreign keys hold.
func (b *bulkInsert) flushAll(ctx context.Context) error {
	for _, t := range b.order {
		if err := b.flush(ctx, t); err != nil {
			return err
		}
	}
	return nil
}
