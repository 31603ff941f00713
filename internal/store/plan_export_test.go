package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/warroomhq/warroom"
)

// AlertListPlans returns the query plans of the alert list's count and
// page for a filter. On PostgreSQL sequential scans are priced out first:
// a test database is small enough that the planner would rightly prefer
// them, and the question is whether an index can serve the query at all.
func AlertListPlans(ctx context.Context, db *DB, f warroom.AlertFilter) (countPlan, pagePlan string, err error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return "", "", err
	}
	defer tx.rollback()
	prefix := "EXPLAIN QUERY PLAN "
	if db.d.postgres {
		prefix = "EXPLAIN "
		if _, err := tx.exec(ctx, `SET LOCAL enable_seqscan = off`); err != nil {
			return "", "", err
		}
	}
	countQ, pageQ, args := alertListQueries(db.d, f)
	plan := func(q string, args ...any) (string, error) {
		rows, err := tx.query(ctx, prefix+q, args...)
		if err != nil {
			return "", fmt.Errorf("explain: %w", err)
		}
		defer rows.Close()
		cols, _ := rows.Columns()
		var b strings.Builder
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				return "", err
			}
			fmt.Fprintln(&b, vals[len(vals)-1])
		}
		return b.String(), rows.Err()
	}
	if countPlan, err = plan(countQ, args...); err != nil {
		return "", "", err
	}
	pagePlan, err = plan(pageQ, append(args, 50, 0)...)
	return countPlan, pagePlan, err
}

// PlannerStats counts SQLite's planner statistics rows (sqlite_stat1);
// PostgreSQL keeps its own, so it reports -1 there.
func PlannerStats(ctx context.Context, db *DB) (int, error) {
	if db.d.postgres {
		return -1, nil
	}
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_stat1`).Scan(&n)
	return n, err
}
