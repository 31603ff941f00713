package store

import (
	"context"
	"time"
)

// ExecSQL runs one statement in a write transaction, for tests that plant
// a corrupted row as a damaged database would hold it.
func ExecSQL(ctx context.Context, db *DB, q string, args ...any) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	if _, err := tx.exec(ctx, q, args...); err != nil {
		return err
	}
	return tx.commit()
}

// QueryID returns the first column of the first row of q as an ID.
func QueryID(ctx context.Context, db *DB, q string, args ...any) (int64, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.rollback()
	var id int64
	err = tx.queryRow(ctx, q, args...).Scan(&id)
	return id, err
}

// RowFailure is what a queue row records about its failures.
type RowFailure struct {
	Failures  int
	LastError string
	State     string
	Due       *time.Time
}

// FindRowFailure reads the failure record of an escalation, SLA timer,
// notification or notice.
func FindRowFailure(ctx context.Context, db *DB, table string, id int64) (*RowFailure, error) {
	q := map[string]string{
		"escalations":   `SELECT failures, last_error, '', next_at FROM escalations WHERE id = ?`,
		"sla_timers":    `SELECT failures, last_error, '', due_at FROM sla_timers WHERE id = ?`,
		"notifications": `SELECT attempts, last_error, state, next_at FROM notifications WHERE id = ?`,
		"notices":       `SELECT attempts, last_error, CASE WHEN failed_at IS NULL THEN '' ELSE 'failed' END, next_attempt_at FROM notices WHERE id = ?`,
	}[table]
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	var f RowFailure
	err = tx.queryRow(ctx, q, id).Scan(&f.Failures, &f.LastError, &f.State, scanNullTime(&f.Due))
	return &f, err
}
