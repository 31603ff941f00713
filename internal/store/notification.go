package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/warroomhq/warroom"
)

var (
	_ warroom.NotificationService = (*DB)(nil)
	_ warroom.PagingStore         = (*DB)(nil)
)

// wakePaging tells the engine that paging work was committed.
func (db *DB) wakePaging() {
	if db.wake != nil {
		db.wake()
	}
}

// outboxRow is a notification about to be queued.
type outboxRow struct {
	kind         warroom.NotificationKind
	userID       int64
	contactID    int64
	incidentID   int64
	escalationID int64
	level        int
	text         string
	at           time.Time
	// reminderID and changeNoticeID name what a reminder or change
	// message is about; see outbox.go.
	reminderID     int64
	changeNoticeID int64
}

func queueNotification(ctx context.Context, tx *tx, r outboxRow) error {
	_, err := tx.exec(ctx, `INSERT INTO notifications (kind, state, incident_id, escalation_id, user_id, contact_method_id, level, text, next_at, created_at, reminder_id, change_notification_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		string(r.kind), string(warroom.NotificationPending), nullID(r.incidentID), nullID(r.escalationID), r.userID, r.contactID, r.level, r.text, r.at, tx.now,
		nullID(r.reminderID), nullID(r.changeNoticeID))
	if err != nil {
		return fmt.Errorf("queue notification: %w", err)
	}
	return nil
}

// page is what pageUser sends.
type page struct {
	incidentID   int64
	escalationID int64
	level        int
	kind         warroom.NotificationKind
	text         string
	// reminderID and changeNoticeID name what a reminder or change
	// message is about.
	reminderID     int64
	changeNoticeID int64
}

// pageUser queues a notification per rule of the user, each due after its
// delay, on verified methods only. A user with no rules is reached on every
// verified method at once: a missing rule must not mean a missed page. It
// returns how many notifications were queued.
func pageUser(ctx context.Context, tx *tx, userID int64, p page) (int, error) {
	// A drill pages its participants only.
	if held, err := drillHolds(ctx, tx, p.incidentID, userID); err != nil || held {
		return 0, err
	}
	rows, err := tx.query(ctx, `SELECT r.contact_method_id, r.delay_seconds FROM notification_rules r
		JOIN contact_methods c ON c.id = r.contact_method_id
		WHERE r.user_id = ? AND c.verified_at IS NOT NULL AND c.deleted_at IS NULL ORDER BY r.delay_seconds, r.id`, userID)
	if err != nil {
		return 0, fmt.Errorf("page user: %w", err)
	}
	type rule struct{ contact, delay int64 }
	var rules []rule
	for rows.Next() {
		var r rule
		if err := rows.Scan(&r.contact, &r.delay); err != nil {
			rows.Close()
			return 0, fmt.Errorf("page user: %w", err)
		}
		rules = append(rules, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("page user: %w", err)
	}
	if len(rules) == 0 {
		ids, err := selectIDs(ctx, tx, `SELECT id FROM contact_methods WHERE user_id = ? AND verified_at IS NOT NULL AND deleted_at IS NULL ORDER BY id LIMIT ?`, userID, 20)
		if err != nil {
			return 0, fmt.Errorf("page user: %w", err)
		}
		for _, id := range ids {
			rules = append(rules, rule{contact: id})
		}
	}
	for _, r := range rules {
		if err := queueNotification(ctx, tx, outboxRow{kind: p.kind, userID: userID, contactID: r.contact, incidentID: p.incidentID,
			escalationID: p.escalationID, level: p.level, text: p.text, at: tx.now.Add(time.Duration(r.delay) * time.Second),
			reminderID: p.reminderID, changeNoticeID: p.changeNoticeID}); err != nil {
			return 0, err
		}
	}
	return len(rules), nil
}

const notificationColumns = `n.id, n.kind, n.state, n.incident_id, n.user_id, n.contact_method_id, c.type, n.level, n.text, n.attempts, n.next_at, n.last_error, n.created_at, n.sent_at`

func scanNotification(s scanner) (*warroom.Notification, error) {
	var n warroom.Notification
	err := s.Scan(&n.ID, &n.Kind, &n.State, scanID(&n.IncidentID), &n.UserID, &n.ContactMethodID, &n.ContactType, &n.Level, &n.Text, &n.Attempts,
		scanNullTime(&n.NextAt), &n.LastError, scanTime(&n.CreatedAt), scanNullTime(&n.SentAt))
	return &n, err
}

// FindNotifications returns a page of notifications, newest first.
func (db *DB) FindNotifications(ctx context.Context, f warroom.NotificationFilter) ([]*warroom.Notification, int, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer tx.rollback()
	where, args := "WHERE 1 = 1", []any{}
	if f.IncidentID != nil {
		where, args = where+" AND n.incident_id = ?", append(args, *f.IncidentID)
	}
	if f.UserID != nil {
		where, args = where+" AND n.user_id = ?", append(args, *f.UserID)
	}
	if f.State != nil {
		where, args = where+" AND n.state = ?", append(args, string(*f.State))
	}
	offset, limit := pageLimits(f.Offset, f.Limit)
	rows, err := tx.query(ctx, `SELECT `+notificationColumns+`, COUNT(*) OVER () FROM notifications n JOIN contact_methods c ON c.id = n.contact_method_id `+
		where+` ORDER BY n.id DESC LIMIT ? OFFSET ?`, append(args, limit, offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("find notifications: %w", err)
	}
	defer rows.Close()
	out, total := []*warroom.Notification{}, 0
	for rows.Next() {
		var n warroom.Notification
		if err := rows.Scan(&n.ID, &n.Kind, &n.State, scanID(&n.IncidentID), &n.UserID, &n.ContactMethodID, &n.ContactType, &n.Level, &n.Text, &n.Attempts,
			scanNullTime(&n.NextAt), &n.LastError, scanTime(&n.CreatedAt), scanNullTime(&n.SentAt), &total); err != nil {
			return nil, 0, fmt.Errorf("find notifications: %w", err)
		}
		if n.Kind == warroom.NotifyVerification {
			n.Text = "" // the sealed code is nobody's business
		}
		out = append(out, &n)
	}
	return out, total, rows.Err()
}

// ClaimNotifications leases due notifications. The lease, not a held
// transaction, protects a send in progress: network calls never run inside
// a transaction (on SQLite that would stall every writer), and a process
// that dies mid-send lets the lease lapse so another attempt is made.
func (db *DB) ClaimNotifications(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]*warroom.NotificationDelivery, error) {
	tx, err := db.beginAt(ctx, now)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	ids, err := claimIDs(ctx, tx, `SELECT id FROM notifications WHERE next_at <= ? ORDER BY next_at LIMIT ?`, tx.now, limit)
	if err != nil {
		return nil, fmt.Errorf("claim notifications: %w", err)
	}
	out := make([]*warroom.NotificationDelivery, 0, len(ids))
	incidents := map[int64]*warroom.Incident{}
	for _, id := range ids {
		var d *warroom.NotificationDelivery
		err := tx.eachRow(ctx, func() error {
			var err error
			d, err = db.claimNotification(ctx, tx, id, lease, incidents)
			return err
		}, func(ferr error) error {
			d = nil
			return db.deferNotification(ctx, tx, id, ferr)
		})
		if err != nil {
			return nil, fmt.Errorf("claim notification %d: %w", id, err)
		}
		if d != nil {
			out = append(out, d)
		}
	}
	return out, tx.commit()
}

// maxClaimFailures is how many attempts a notification that cannot even be
// prepared for sending gets before it is marked failed.
const maxClaimFailures = 12

// deferNotification records why a notification could not be claimed. It
// counts as an attempt and is retried after a back-off; once attempts run
// out it is marked failed with the error, where the incident's notification
// list shows it, rather than left due forever.
func (db *DB) deferNotification(ctx context.Context, tx *tx, id int64, ferr error) error {
	var attempts int
	if err := tx.queryRow(ctx, `UPDATE notifications SET attempts = attempts + 1, last_error = ? WHERE id = ? RETURNING attempts`, errorText(ferr), id).Scan(&attempts); err != nil {
		return fmt.Errorf("defer notification: %w", err)
	}
	if attempts >= maxClaimFailures {
		if _, err := tx.exec(ctx, `UPDATE notifications SET state = ?, next_at = NULL WHERE id = ?`, string(warroom.NotificationFailed), id); err != nil {
			return fmt.Errorf("defer notification: %w", err)
		}
		db.logger.Error("notification could not be prepared; gave up", "notification", id, "attempts", attempts, "err", ferr)
		return nil
	}
	retry := tx.now.Add(rowBackoff(attempts))
	if _, err := tx.exec(ctx, `UPDATE notifications SET next_at = ? WHERE id = ?`, retry, id); err != nil {
		return fmt.Errorf("defer notification: %w", err)
	}
	db.logger.Error("notification could not be prepared; deferred", "notification", id, "attempts", attempts, "retry_at", retry, "err", ferr)
	return nil
}

func (db *DB) claimNotification(ctx context.Context, tx *tx, id int64, lease time.Duration, incidents map[int64]*warroom.Incident) (*warroom.NotificationDelivery, error) {
	n, err := scanNotification(tx.queryRow(ctx, `SELECT `+notificationColumns+` FROM notifications n JOIN contact_methods c ON c.id = n.contact_method_id WHERE n.id = ?`, id))
	if err != nil {
		return nil, err
	}
	d := &warroom.NotificationDelivery{Notification: *n}
	if n.IncidentID != 0 {
		inc, ok := incidents[n.IncidentID]
		if !ok {
			// The message needs the incident row and its SLA, not its
			// roles and tasks.
			if inc, err = loadIncident(ctx, tx, n.IncidentID, false); err != nil {
				return nil, err
			}
			if err := fillSLA(ctx, tx, []*warroom.Incident{inc}); err != nil {
				return nil, err
			}
			incidents[n.IncidentID] = inc
		}
		d.Incident = inc
		// A page for an incident someone already owns would only wake people.
		if n.Kind == warroom.NotifyPage && (inc.AcknowledgedAt != nil || !inc.State.Open()) {
			_, err := tx.exec(ctx, `UPDATE notifications SET state = ?, next_at = NULL WHERE id = ?`, string(warroom.NotificationCancelled), id)
			return nil, err
		}
	}
	var deleted *time.Time
	var addr, secret string
	if err := tx.queryRow(ctx, `SELECT `+contactColumns+`, c.deleted_at FROM contact_methods c WHERE c.id = ?`, n.ContactMethodID).Scan(
		&d.Contact.ID, &d.Contact.UserID, &d.Contact.Type, &d.Contact.Name, &addr, &secret, scanNullTime(&d.Contact.VerifiedAt), scanTime(&d.Contact.CreatedAt), scanNullTime(&deleted)); err != nil {
		return nil, err
	}
	if deleted != nil {
		return nil, completeNotification(ctx, tx, n, warroom.DeliveryOutcome{Error: "the contact method was deleted"})
	}
	if d.Contact.Address, err = db.unseal(addr, sealAddress); err != nil {
		return nil, err
	}
	if d.Contact.Secret, err = db.unseal(secret, sealSecret); err != nil {
		return nil, err
	}
	if n.Kind == warroom.NotifyVerification {
		if d.Text, err = db.unseal(n.Text, sealCode); err != nil {
			return nil, err
		}
	}
	if d.User, err = findUser(ctx, tx, n.UserID, false); err != nil {
		return nil, err
	}
	if err := loadSubject(ctx, tx, d); err != nil {
		return nil, err
	}
	if _, err := tx.exec(ctx, `UPDATE notifications SET attempts = attempts + 1, next_at = ? WHERE id = ?`, tx.now.Add(lease), id); err != nil {
		return nil, err
	}
	d.Attempts++
	return d, nil
}

// CompleteNotification records an attempt's outcome.
func (db *DB) CompleteNotification(ctx context.Context, id int64, now time.Time, out warroom.DeliveryOutcome) error {
	tx, err := db.beginAt(ctx, now)
	if err != nil {
		return err
	}
	defer tx.rollback()
	n, err := scanNotification(tx.queryRow(ctx, `SELECT `+notificationColumns+` FROM notifications n JOIN contact_methods c ON c.id = n.contact_method_id WHERE n.id = ?`+tx.d.forUpdate(), id))
	if errors.Is(err, sql.ErrNoRows) {
		return warroom.Errorf(warroom.ENOTFOUND, "Notification %d not found.", id)
	} else if err != nil {
		return fmt.Errorf("complete notification: %w", err)
	}
	if n.State != warroom.NotificationPending {
		return nil // already settled by another attempt whose lease lapsed
	}
	if err := completeNotification(ctx, tx, n, out); err != nil {
		return fmt.Errorf("complete notification: %w", err)
	}
	return tx.commit()
}

func completeNotification(ctx context.Context, tx *tx, n *warroom.Notification, out warroom.DeliveryOutcome) error {
	var err error
	var kind warroom.EventKind
	var text string
	who := ""
	if n.IncidentID != 0 {
		names, err := userNames(ctx, tx, []int64{n.UserID})
		if err != nil {
			return err
		}
		who = names[n.UserID]
	}
	switch {
	case out.Sent:
		_, err = tx.exec(ctx, `UPDATE notifications SET state = ?, next_at = NULL, sent_at = ?, last_error = '' WHERE id = ?`, string(warroom.NotificationSent), tx.now, n.ID)
		kind, text = warroom.EventNotificationSent, fmt.Sprintf("Notified %s by %s (%s, attempt %d)", who, n.ContactType, n.Kind, n.Attempts)
		if err == nil {
			err = markSubjectSent(ctx, tx, n.ID)
		}
	case !out.RetryAt.IsZero():
		_, err = tx.exec(ctx, `UPDATE notifications SET next_at = ?, last_error = ? WHERE id = ?`, out.RetryAt, out.Error, n.ID)
		kind, text = warroom.EventNotificationRetry, fmt.Sprintf("Could not notify %s by %s (attempt %d), retrying at %s: %s", who, n.ContactType, n.Attempts, out.RetryAt.UTC().Format(time.RFC3339), out.Error)
	default:
		_, err = tx.exec(ctx, `UPDATE notifications SET state = ?, next_at = NULL, last_error = ? WHERE id = ?`, string(warroom.NotificationFailed), out.Error, n.ID)
		kind, text = warroom.EventNotificationFailed, fmt.Sprintf("Gave up notifying %s by %s after %d attempts: %s", who, n.ContactType, n.Attempts, out.Error)
	}
	if err != nil {
		return err
	}
	if n.IncidentID == 0 {
		return nil
	}
	_, err = addEvent(ctx, tx, n.IncidentID, kind, text, "", map[string]any{
		"notification_id": n.ID, "user_id": n.UserID, "contact_type": n.ContactType, "kind": n.Kind, "attempt": n.Attempts, "level": n.Level,
	})
	return err
}

// NextPagingDue returns the earliest paging timer.
func (db *DB) NextPagingDue(ctx context.Context) (*time.Time, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	var next *time.Time
	for _, q := range []string{
		`SELECT MIN(next_at) FROM escalations WHERE next_at IS NOT NULL`,
		`SELECT MIN(next_at) FROM notifications WHERE next_at IS NOT NULL`,
		`SELECT MIN(due_at) FROM sla_timers WHERE due_at IS NOT NULL`,
	} {
		var t *time.Time
		if err := tx.queryRow(ctx, q).Scan(scanNullTime(&t)); err != nil {
			return nil, fmt.Errorf("next paging due: %w", err)
		}
		if t != nil && (next == nil || t.Before(*next)) {
			next = t
		}
	}
	return next, nil
}

const linkKeySetting = "paging.link_key"

// LinkKey returns the link-signing key, creating it on first use. It lives
// in the database so that every instance signs and checks alike and links
// survive a restart.
func (db *DB) LinkKey(ctx context.Context) ([]byte, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("link key: %w", err)
	}
	sealed, err := db.seal(hex.EncodeToString(b), sealLinkKey)
	if err != nil {
		return nil, err
	}
	if _, err := tx.exec(ctx, `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING`, linkKeySetting, sealed, tx.now); err != nil {
		return nil, fmt.Errorf("link key: %w", err)
	}
	var v string
	if err := tx.queryRow(ctx, `SELECT value FROM settings WHERE key = ?`, linkKeySetting).Scan(&v); err != nil {
		return nil, fmt.Errorf("link key: %w", err)
	}
	if err := tx.commit(); err != nil {
		return nil, err
	}
	h, err := db.unseal(v, sealLinkKey)
	if err != nil {
		return nil, err
	}
	return hex.DecodeString(h)
}
