package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/warroomhq/warroom"
)

var _ warroom.CommunicationQueue = (*DB)(nil)

// queueNotice adds a notice in the transaction of the change it tells of.
// A notice for a timeline event already queued is skipped.
func queueNotice(ctx context.Context, tx *tx, n *warroom.Notice) error {
	n.CreatedAt = tx.now
	_, err := tx.exec(ctx, `INSERT INTO notices (kind, incident_id, status_update_id, subscriber_id, maintenance_id, event_id, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		string(n.Kind), n.IncidentID, n.StatusUpdateID, n.SubscriberID, n.MaintenanceID, n.EventID, tx.now)
	if err != nil {
		return fmt.Errorf("queue notice: %w", err)
	}
	return nil
}

// eventLookback is how far behind the cursor each scan looks again on
// PostgreSQL, where event IDs are handed out before commit, so that a
// transaction may commit an event with an ID below one already seen;
// rescanning a window (notices are unique per event) catches it. SQLite
// has one writer, so its IDs are committed in order and the cursor alone is
// exact.
const eventLookback = 500

// QueueDueNotices turns declared and resolved incidents, and passed "next
// update by" timers, into notices.
func (db *DB) QueueDueNotices(ctx context.Context, now time.Time) (int, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.rollback()
	var cursor int64
	if err := tx.queryRow(ctx, `SELECT event_cursor FROM status_page WHERE id = 1`+tx.d.forUpdate()).Scan(&cursor); err != nil {
		return 0, fmt.Errorf("queue due notices: %w", err)
	}
	from := cursor
	if tx.d.postgres {
		from = max(0, cursor-eventLookback)
	}
	// Events that already have their notice are left out: an idle scan of
	// the window reads the notices index, not five hundred events, and
	// queues nothing again.
	rows, err := tx.query(ctx, `SELECT e.id, e.incident_id, e.kind, e.data FROM events e
		WHERE e.id > ? AND e.kind IN ('declared', 'state_changed')
			AND NOT EXISTS (SELECT 1 FROM notices n WHERE n.event_id = e.id AND n.event_id > 0)
		ORDER BY e.id LIMIT 1000`, from)
	if err != nil {
		return 0, fmt.Errorf("queue due notices: %w", err)
	}
	var notices []*warroom.Notice
	last := cursor
	for rows.Next() {
		var id, incidentID int64
		var kind string
		var data *string
		if err := rows.Scan(&id, &incidentID, &kind, &data); err != nil {
			rows.Close()
			return 0, fmt.Errorf("queue due notices: %w", err)
		}
		last = max(last, id)
		n := &warroom.Notice{Kind: warroom.NoticeDeclared, IncidentID: incidentID, EventID: id}
		if kind == string(warroom.EventStateChanged) {
			var d struct{ To warroom.State }
			if data == nil || json.Unmarshal([]byte(*data), &d) != nil || d.To != warroom.StateResolved {
				continue
			}
			n.Kind = warroom.NoticeResolved
		}
		notices = append(notices, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("queue due notices: %w", err)
	}
	queued := 0
	for _, n := range notices {
		res, err := tx.exec(ctx, `INSERT INTO notices (kind, incident_id, event_id, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			string(n.Kind), n.IncidentID, n.EventID, tx.now)
		if err != nil {
			return 0, fmt.Errorf("queue due notices: %w", err)
		}
		k, _ := res.RowsAffected()
		queued += int(k)
	}
	// An idle scan writes nothing, so that on SQLite its commit has no page
	// to sync.
	if last != cursor {
		if _, err := tx.exec(ctx, `UPDATE status_page SET event_cursor = ? WHERE id = 1`, last); err != nil {
			return 0, fmt.Errorf("queue due notices: %w", err)
		}
	}
	n, err := queueOverdue(ctx, tx, now)
	if err != nil {
		return 0, err
	}
	return queued + n, tx.commit()
}

// queueOverdue fires the "next update by" timers that passed at now: an
// open incident gets a timeline entry and a reminder notice; a timer of an
// incident resolved meanwhile is simply spent.
func queueOverdue(ctx context.Context, tx *tx, now time.Time) (int, error) {
	rows, err := tx.query(ctx, `SELECT t.incident_id, t.due_at, i.state FROM status_timers t JOIN incidents i ON i.id = t.incident_id
		WHERE t.reminded_at IS NULL AND t.due_at <= ? ORDER BY t.due_at LIMIT 500`, now)
	if err != nil {
		return 0, fmt.Errorf("queue overdue: %w", err)
	}
	type due struct {
		id    int64
		at    time.Time
		state warroom.State
	}
	var dues []due
	for rows.Next() {
		var d due
		if err := rows.Scan(&d.id, scanTime(&d.at), &d.state); err != nil {
			rows.Close()
			return 0, fmt.Errorf("queue overdue: %w", err)
		}
		dues = append(dues, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("queue overdue: %w", err)
	}
	n := 0
	for _, d := range dues {
		if _, err := tx.exec(ctx, `UPDATE status_timers SET reminded_at = ? WHERE incident_id = ?`, tx.now, d.id); err != nil {
			return 0, fmt.Errorf("queue overdue: %w", err)
		}
		if !d.state.Open() {
			continue
		}
		if _, err := addEvent(ctx, tx, d.id, warroom.EventStatusUpdateDue, "", warroom.VisibilityInternal, map[string]any{"due_at": d.at}); err != nil {
			return 0, err
		}
		if err := queueNotice(ctx, tx, &warroom.Notice{Kind: warroom.NoticeUpdateOverdue, IncidentID: d.id}); err != nil {
			return 0, err
		}
		n++
	}
	return n, nil
}

// PendingNotices returns notices not yet fanned out and due, oldest first.
func (db *DB) PendingNotices(ctx context.Context, limit int) ([]*warroom.Notice, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	rows, err := tx.query(ctx, `SELECT id, kind, incident_id, status_update_id, subscriber_id, maintenance_id, event_id, created_at
		FROM notices WHERE done_at IS NULL AND failed_at IS NULL AND (next_attempt_at IS NULL OR next_attempt_at <= ?)
		ORDER BY id LIMIT ?`, tx.now, limit)
	if err != nil {
		return nil, fmt.Errorf("pending notices: %w", err)
	}
	defer rows.Close()
	var ns []*warroom.Notice
	for rows.Next() {
		n := &warroom.Notice{}
		if err := rows.Scan(&n.ID, &n.Kind, &n.IncidentID, &n.StatusUpdateID, &n.SubscriberID, &n.MaintenanceID, &n.EventID, scanTime(&n.CreatedAt)); err != nil {
			return nil, fmt.Errorf("pending notices: %w", err)
		}
		ns = append(ns, n)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("pending notices: %w", err)
	}
	return ns, tx.commit()
}

// CompleteNotice stores a notice's deliveries and marks it done.
func (db *DB) CompleteNotice(ctx context.Context, noticeID int64, deliveries []*warroom.Delivery) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	var done *time.Time
	err = tx.queryRow(ctx, `SELECT done_at FROM notices WHERE id = ?`+tx.d.forUpdate(), noticeID).Scan(scanNullTime(&done))
	if errors.Is(err, sql.ErrNoRows) {
		return warroom.Errorf(warroom.ENOTFOUND, "Notice %d not found.", noticeID)
	} else if err != nil {
		return fmt.Errorf("complete notice: %w", err)
	} else if done != nil {
		return tx.commit()
	}
	for _, d := range deliveries {
		headers, _ := json.Marshal(d.Headers)
		d.NoticeID, d.NextAttemptAt = noticeID, tx.now
		if d.ID, err = tx.insert(ctx, `INSERT INTO deliveries (notice_id, channel, target, subject, body, headers, secret, next_attempt_at, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, noticeID, string(d.Channel), d.Target, d.Subject, d.Body, string(headers), d.Secret, tx.now, tx.now); err != nil {
			return fmt.Errorf("complete notice: %w", err)
		}
	}
	if _, err := tx.exec(ctx, `UPDATE notices SET done_at = ? WHERE id = ?`, tx.now, noticeID); err != nil {
		return fmt.Errorf("complete notice: %w", err)
	}
	return tx.commit()
}

// FailNotice defers a notice that could not be fanned out, or gives up on
// it after warroom.MaxNoticeAttempts failures.
func (db *DB) FailNotice(ctx context.Context, noticeID int64, cause error) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	var (
		attempts int
		done     *time.Time
	)
	err = tx.queryRow(ctx, `SELECT attempts, done_at FROM notices WHERE id = ?`+tx.d.forUpdate(), noticeID).Scan(&attempts, scanNullTime(&done))
	if errors.Is(err, sql.ErrNoRows) {
		return warroom.Errorf(warroom.ENOTFOUND, "Notice %d not found.", noticeID)
	} else if err != nil {
		return fmt.Errorf("fail notice: %w", err)
	} else if done != nil {
		return tx.commit()
	}
	attempts++
	msg := "unknown error"
	if cause != nil {
		msg = errorText(cause)
	}
	if attempts >= warroom.MaxNoticeAttempts {
		_, err = tx.exec(ctx, `UPDATE notices SET attempts = ?, last_error = ?, failed_at = ? WHERE id = ?`, attempts, msg, tx.now, noticeID)
	} else {
		_, err = tx.exec(ctx, `UPDATE notices SET attempts = ?, last_error = ?, next_attempt_at = ? WHERE id = ?`,
			attempts, msg, tx.now.Add(rowBackoff(attempts)), noticeID)
	}
	if err != nil {
		return fmt.Errorf("fail notice: %w", err)
	}
	return tx.commit()
}

const deliveryColumns = `id, notice_id, channel, target, subject, body, headers, secret, attempts, next_attempt_at, delivered_at, failed_at, last_error`

func scanDeliveries(rows *sql.Rows) ([]*warroom.Delivery, error) {
	defer rows.Close()
	var ds []*warroom.Delivery
	for rows.Next() {
		d := &warroom.Delivery{}
		var headers string
		if err := rows.Scan(&d.ID, &d.NoticeID, &d.Channel, &d.Target, &d.Subject, &d.Body, &headers, &d.Secret, &d.Attempts,
			scanTime(&d.NextAttemptAt), scanNullTime(&d.DeliveredAt), scanNullTime(&d.FailedAt), &d.LastError); err != nil {
			return nil, fmt.Errorf("scan delivery: %w", err)
		}
		if err := json.Unmarshal([]byte(headers), &d.Headers); err != nil {
			return nil, fmt.Errorf("scan delivery: headers: %w", err)
		}
		ds = append(ds, d)
	}
	return ds, rows.Err()
}

// ClaimDeliveries leases up to limit due deliveries.
func (db *DB) ClaimDeliveries(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]*warroom.Delivery, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	q := `SELECT ` + deliveryColumns + ` FROM deliveries WHERE delivered_at IS NULL AND failed_at IS NULL AND next_attempt_at <= ?
		ORDER BY next_attempt_at, id LIMIT ?`
	if tx.d.postgres {
		// Two instances claim disjoint rows instead of waiting on each other.
		q += ` FOR UPDATE SKIP LOCKED`
	}
	rows, err := tx.query(ctx, q, now, limit)
	if err != nil {
		return nil, fmt.Errorf("claim deliveries: %w", err)
	}
	ds, err := scanDeliveries(rows)
	if err != nil {
		return nil, err
	}
	for _, d := range ds {
		d.Attempts++
		d.NextAttemptAt = now.Add(lease).UTC()
		if _, err := tx.exec(ctx, `UPDATE deliveries SET attempts = ?, next_attempt_at = ? WHERE id = ?`, d.Attempts, d.NextAttemptAt, d.ID); err != nil {
			return nil, fmt.Errorf("claim deliveries: %w", err)
		}
	}
	return ds, tx.commit()
}

// FinishDelivery records the outcome of an attempt.
func (db *DB) FinishDelivery(ctx context.Context, id int64, sendErr error, retryAt *time.Time) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	var attempts int
	if err := tx.queryRow(ctx, `SELECT attempts FROM deliveries WHERE id = ?`+tx.d.forUpdate(), id).Scan(&attempts); errors.Is(err, sql.ErrNoRows) {
		return warroom.Errorf(warroom.ENOTFOUND, "Delivery %d not found.", id)
	} else if err != nil {
		return fmt.Errorf("finish delivery: %w", err)
	}
	switch {
	case sendErr == nil:
		_, err = tx.exec(ctx, `UPDATE deliveries SET delivered_at = ?, last_error = '' WHERE id = ?`, tx.now, id)
	case retryAt == nil || attempts >= warroom.MaxDeliveryAttempts:
		_, err = tx.exec(ctx, `UPDATE deliveries SET failed_at = ?, last_error = ? WHERE id = ?`, tx.now, truncate(sendErr.Error(), 1000), id)
	default:
		_, err = tx.exec(ctx, `UPDATE deliveries SET next_attempt_at = ?, last_error = ? WHERE id = ?`, *retryAt, truncate(sendErr.Error(), 1000), id)
	}
	if err != nil {
		return fmt.Errorf("finish delivery: %w", err)
	}
	return tx.commit()
}

// FindDeliveries lists a notice's deliveries.
func (db *DB) FindDeliveries(ctx context.Context, noticeID int64) ([]*warroom.Delivery, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	rows, err := tx.query(ctx, `SELECT `+deliveryColumns+` FROM deliveries WHERE notice_id = ? ORDER BY id`, noticeID)
	if err != nil {
		return nil, fmt.Errorf("find deliveries: %w", err)
	}
	ds, err := scanDeliveries(rows)
	if err != nil {
		return nil, err
	}
	return ds, tx.commit()
}
