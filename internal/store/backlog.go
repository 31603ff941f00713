package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Backlog is the work waiting in the outboxes, for monitoring warroom
// itself: a backlog that grows means routing or paging is not keeping up.
type Backlog struct {
	// AlertBatches are ingest commits not routed yet; OldestAlertBatch is
	// when the oldest was committed (zero when there is none), so that
	// now minus it is how far routing lags behind ingest.
	AlertBatches     int64
	OldestAlertBatch time.Time
	// NotificationsDue are notifications waiting for a send or a retry.
	NotificationsDue int64
}

// Backlog reads the outboxes' depth in one read transaction. Both counts
// use an index (the outbox's key, notifications_due), so that a scrape
// stays cheap during an alert storm.
func (db *DB) Backlog(ctx context.Context) (Backlog, error) {
	var b Backlog
	tx, err := db.beginRead(ctx)
	if err != nil {
		return b, err
	}
	defer tx.rollback()
	if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM alert_outbox`).Scan(&b.AlertBatches); err != nil {
		return b, fmt.Errorf("backlog: %w", err)
	}
	err = tx.queryRow(ctx, `SELECT at FROM alert_outbox ORDER BY id LIMIT 1`).Scan(scanTime(&b.OldestAlertBatch))
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return b, fmt.Errorf("backlog: %w", err)
	}
	if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM notifications WHERE next_at IS NOT NULL`).Scan(&b.NotificationsDue); err != nil {
		return b, fmt.Errorf("backlog: %w", err)
	}
	return b, nil
}

// PoolStats returns the connection pools' statistics by name: "write" and
// "read" on SQLite, "pool" on PostgreSQL, where one pool does both.
func (db *DB) PoolStats() map[string]sql.DBStats {
	if db.read == db.write {
		return map[string]sql.DBStats{"pool": db.write.Stats()}
	}
	return map[string]sql.DBStats{"write": db.write.Stats(), "read": db.read.Stats()}
}
