package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/warroomhq/warroom"
)

const hookDeliveryColumns = `d.id, d.subscription_id, d.event_id, e.kind, d.incident_id, d.state, d.attempts, d.next_at, d.last_status, d.last_error,
	d.created_at, d.delivered_at, d.redelivered`

func scanHookDelivery(s scanner) (*warroom.HookDelivery, bool, error) {
	var d warroom.HookDelivery
	var kind warroom.EventKind
	var redelivered bool
	if err := s.Scan(&d.ID, &d.SubscriptionID, &d.EventID, &kind, &d.IncidentID, &d.State, &d.Attempts, scanNullTime(&d.NextAt),
		&d.LastStatus, &d.LastError, scanTime(&d.CreatedAt), scanNullTime(&d.DeliveredAt), &redelivered); err != nil {
		return nil, false, err
	}
	d.EventType = warroom.HookEventTypeOf(kind)
	d.IncidentNumber = warroom.FormatNumber(d.IncidentID)
	return &d, redelivered, nil
}

func findHookDelivery(ctx context.Context, tx *tx, id int64, lock bool) (*warroom.HookDelivery, bool, error) {
	q := `SELECT ` + hookDeliveryColumns + ` FROM hook_deliveries d JOIN events e ON e.id = d.event_id WHERE d.id = ?`
	if lock {
		q += tx.d.forUpdate()
	}
	d, redelivered, err := scanHookDelivery(tx.queryRow(ctx, q, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, warroom.Errorf(warroom.ENOTFOUND, "Webhook delivery %d not found.", id)
	} else if err != nil {
		return nil, false, fmt.Errorf("find hook delivery: %w", err)
	}
	return d, redelivered, nil
}

// ClaimHookDeliveries leases due deliveries: only the oldest pending one
// of each subscription and incident is due, so an incident's events reach
// an endpoint in order however often one of them is retried, and across
// instances: a leased head stays pending, holding back what follows it.
func (db *DB) ClaimHookDeliveries(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]*warroom.HookSend, error) {
	tx, err := db.beginAt(ctx, now)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	ids, err := claimIDs(ctx, tx, `SELECT d.id FROM hook_deliveries d
		WHERE d.state = ? AND d.next_at <= ?
			AND EXISTS (SELECT 1 FROM hook_subscriptions s WHERE s.id = d.subscription_id AND s.active = ?)
			AND NOT EXISTS (SELECT 1 FROM hook_deliveries p WHERE p.subscription_id = d.subscription_id AND p.incident_id = d.incident_id
				AND p.state = ? AND p.event_id < d.event_id)
		ORDER BY d.next_at, d.id LIMIT ?`, string(warroom.HookPending), tx.now, true, string(warroom.HookPending), limit)
	if err != nil {
		return nil, fmt.Errorf("claim hook deliveries: %w", err)
	}
	out := make([]*warroom.HookSend, 0, len(ids))
	for _, id := range ids {
		var s *warroom.HookSend
		err := tx.eachRow(ctx, func() error {
			var err error
			s, err = db.claimHookDelivery(ctx, tx, id, lease)
			return err
		}, func(ferr error) error {
			s = nil
			// A delivery that cannot even be prepared counts as a failed
			// attempt, so that it backs off and is finally given up
			// rather than holding its incident's queue for ever.
			return completeHookDelivery(ctx, tx, id, warroom.HookOutcome{Error: "could not be prepared: " + errorText(ferr), Retry: true}, true)
		})
		if err != nil {
			return nil, fmt.Errorf("claim hook delivery %d: %w", id, err)
		}
		if s != nil {
			out = append(out, s)
		}
	}
	return out, tx.commit()
}

func (db *DB) claimHookDelivery(ctx context.Context, tx *tx, id int64, lease time.Duration) (*warroom.HookSend, error) {
	d, _, err := findHookDelivery(ctx, tx, id, false)
	if err != nil {
		return nil, err
	}
	var url, secret string
	var body *string
	if err := tx.queryRow(ctx, `SELECT s.url_sealed, s.secret_sealed, d.body FROM hook_deliveries d JOIN hook_subscriptions s ON s.id = d.subscription_id WHERE d.id = ?`, id).Scan(
		&url, &secret, &body); err != nil {
		return nil, err
	}
	s := &warroom.HookSend{HookDelivery: *d}
	if s.URL, err = db.unseal(url, sealHookURL); err != nil {
		return nil, err
	}
	if s.Secret, err = db.unseal(secret, sealHookSecret); err != nil {
		return nil, err
	}
	if body != nil {
		s.Body = *body
	} else {
		// The body is fixed at the first attempt, so that every retry and
		// redelivery sends the same bytes for the same delivery ID.
		if s.Body, err = hookBody(ctx, tx, d); err != nil {
			return nil, err
		}
		if _, err := tx.exec(ctx, `UPDATE hook_deliveries SET body = ? WHERE id = ?`, s.Body, id); err != nil {
			return nil, err
		}
	}
	if _, err := tx.exec(ctx, `UPDATE hook_deliveries SET attempts = attempts + 1, next_at = ? WHERE id = ?`, tx.now.Add(lease), id); err != nil {
		return nil, err
	}
	s.Attempts++
	return s, nil
}

// hookBody builds the payload of a delivery.
func hookBody(ctx context.Context, tx *tx, d *warroom.HookDelivery) (string, error) {
	events, _, err := findEvents(ctx, tx, warroom.EventFilter{IncidentID: d.IncidentID, AfterID: d.EventID - 1, Ascending: true, Limit: 1})
	if err != nil {
		return "", err
	}
	if len(events) == 0 || events[0].ID != d.EventID {
		return "", fmt.Errorf("event %d is gone", d.EventID)
	}
	e := events[0]
	inc, err := loadIncident(ctx, tx, d.IncidentID, false)
	if err != nil {
		return "", err
	}
	p := warroom.HookPayload{
		ID: d.ID, Type: d.EventType, EventID: e.ID, OccurredAt: e.At, Actor: e.ActorName, Text: e.Text, Data: e.Data,
		Incident: warroom.HookIncident{ID: inc.ID, Number: inc.Number, Title: inc.Title, State: inc.State, Severity: inc.Severity,
			Type: inc.Type, Drill: inc.Drill, Services: []string{}, DetectedAt: inc.DetectedAt},
	}
	if p.Data == nil {
		p.Data = json.RawMessage(`{}`)
	}
	for _, s := range inc.Services {
		p.Incident.Services = append(p.Incident.Services, s.Name)
	}
	b, err := json.Marshal(p)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// CompleteHookDelivery records an attempt's outcome.
func (db *DB) CompleteHookDelivery(ctx context.Context, id int64, now time.Time, out warroom.HookOutcome) error {
	tx, err := db.beginAt(ctx, now)
	if err != nil {
		return err
	}
	defer tx.rollback()
	d, _, err := findHookDelivery(ctx, tx, id, true)
	if err != nil {
		return err
	}
	if d.State != warroom.HookPending {
		return nil // settled by an attempt whose lease had lapsed
	}
	if err := completeHookDelivery(ctx, tx, id, out, false); err != nil {
		return err
	}
	return tx.commit()
}

// completeHookDelivery logs an attempt and settles or reschedules the
// delivery; counted says the attempt still has to be counted (a claim
// that failed before counting it).
func completeHookDelivery(ctx context.Context, tx *tx, id int64, out warroom.HookOutcome, counted bool) error {
	if counted {
		if _, err := tx.exec(ctx, `UPDATE hook_deliveries SET attempts = attempts + 1 WHERE id = ?`, id); err != nil {
			return fmt.Errorf("complete hook delivery: %w", err)
		}
	}
	var attempts int
	var subID int64
	var redelivered bool
	if err := tx.queryRow(ctx, `SELECT attempts, subscription_id, redelivered FROM hook_deliveries WHERE id = ?`, id).Scan(&attempts, &subID, &redelivered); err != nil {
		return fmt.Errorf("complete hook delivery: %w", err)
	}
	msg := out.Error
	if !out.OK() && msg == "" {
		msg = fmt.Sprintf("endpoint answered %d", out.Status)
	}
	if len(msg) > lastErrorMax {
		msg = msg[:lastErrorMax]
	}
	if _, err := tx.exec(ctx, `INSERT INTO hook_attempts (delivery_id, at, status, error, duration_ms, redelivery) VALUES (?, ?, ?, ?, ?, ?)`,
		id, tx.now, out.Status, msg, out.Duration.Milliseconds(), redelivered); err != nil {
		return fmt.Errorf("log hook attempt: %w", err)
	}
	var err error
	switch {
	case out.OK():
		if _, err = tx.exec(ctx, `UPDATE hook_deliveries SET state = ?, next_at = NULL, last_status = ?, last_error = '', delivered_at = ? WHERE id = ?`,
			string(warroom.HookDelivered), out.Status, tx.now, id); err == nil {
			_, err = tx.exec(ctx, `UPDATE hook_subscriptions SET consecutive_failures = 0, last_status = ?, last_error = '', last_success_at = ? WHERE id = ?`,
				out.Status, tx.now, subID)
		}
	default:
		if out.Retry && attempts < warroom.MaxHookAttempts {
			wait := max(warroom.HookBackoff(attempts), min(out.RetryAfter, 12*time.Hour))
			_, err = tx.exec(ctx, `UPDATE hook_deliveries SET next_at = ?, last_status = ?, last_error = ? WHERE id = ?`, tx.now.Add(wait), out.Status, msg, id)
		} else {
			_, err = tx.exec(ctx, `UPDATE hook_deliveries SET state = ?, next_at = NULL, last_status = ?, last_error = ? WHERE id = ?`,
				string(warroom.HookFailed), out.Status, msg, id)
		}
		if err == nil {
			_, err = tx.exec(ctx, `UPDATE hook_subscriptions SET consecutive_failures = consecutive_failures + 1, last_status = ?, last_error = ?, last_failure_at = ? WHERE id = ?`,
				out.Status, msg, tx.now, subID)
		}
	}
	if err != nil {
		return fmt.Errorf("complete hook delivery: %w", err)
	}
	return nil
}

// FindHookDeliveries returns a page of a subscription's deliveries.
func (db *DB) FindHookDeliveries(ctx context.Context, f warroom.HookDeliveryFilter) ([]*warroom.HookDelivery, int, error) {
	if f.State != nil && *f.State != warroom.HookPending && *f.State != warroom.HookDelivered && *f.State != warroom.HookFailed {
		return nil, 0, warroom.FieldErrorf("state", "must be pending, delivered or failed")
	}
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer tx.rollback()
	if _, err := db.findHookSubscription(ctx, tx, f.SubscriptionID); err != nil {
		return nil, 0, err
	}
	where, args := []string{"d.subscription_id = ?"}, []any{f.SubscriptionID}
	if f.IncidentID != nil {
		where, args = append(where, "d.incident_id = ?"), append(args, *f.IncidentID)
	}
	if f.State != nil {
		where, args = append(where, "d.state = ?"), append(args, string(*f.State))
	}
	offset, limit := pageLimits(f.Offset, f.Limit)
	cond := strings.Join(where, " AND ")
	rows, err := tx.query(ctx, `SELECT `+hookDeliveryColumns+`, COUNT(*) OVER() FROM hook_deliveries d JOIN events e ON e.id = d.event_id
		WHERE `+cond+` ORDER BY d.id DESC LIMIT ? OFFSET ?`, append(args, limit, offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("find hook deliveries: %w", err)
	}
	defer rows.Close()
	out, total := []*warroom.HookDelivery{}, 0
	for rows.Next() {
		var d warroom.HookDelivery
		var kind warroom.EventKind
		var redelivered bool
		if err := rows.Scan(&d.ID, &d.SubscriptionID, &d.EventID, &kind, &d.IncidentID, &d.State, &d.Attempts, scanNullTime(&d.NextAt),
			&d.LastStatus, &d.LastError, scanTime(&d.CreatedAt), scanNullTime(&d.DeliveredAt), &redelivered, &total); err != nil {
			return nil, 0, fmt.Errorf("find hook deliveries: %w", err)
		}
		d.EventType, d.IncidentNumber = warroom.HookEventTypeOf(kind), warroom.FormatNumber(d.IncidentID)
		out = append(out, &d)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("find hook deliveries: %w", err)
	}
	if len(out) == 0 && offset > 0 {
		if total, err = count(ctx, tx, `SELECT COUNT(*) FROM hook_deliveries d WHERE `+cond, args...); err != nil {
			return nil, 0, err
		}
	}
	return out, total, nil
}

// FindHookDeliveryByID returns a delivery with its log and body.
func (db *DB) FindHookDeliveryByID(ctx context.Context, id int64) (*warroom.HookDelivery, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	d, _, err := findHookDelivery(ctx, tx, id, false)
	if err != nil {
		return nil, err
	}
	var body *string
	if err := tx.queryRow(ctx, `SELECT body FROM hook_deliveries WHERE id = ?`, id).Scan(&body); err != nil {
		return nil, fmt.Errorf("find hook delivery: %w", err)
	}
	if body != nil {
		d.Body = *body
	}
	rows, err := tx.query(ctx, `SELECT at, status, error, duration_ms, redelivery FROM hook_attempts WHERE delivery_id = ? ORDER BY id`, id)
	if err != nil {
		return nil, fmt.Errorf("find hook attempts: %w", err)
	}
	defer rows.Close()
	d.Log = []warroom.HookAttempt{}
	for rows.Next() {
		var a warroom.HookAttempt
		if err := rows.Scan(scanTime(&a.At), &a.Status, &a.Error, &a.DurationMS, &a.Redelivery); err != nil {
			return nil, fmt.Errorf("find hook attempts: %w", err)
		}
		d.Log = append(d.Log, a)
	}
	return d, rows.Err()
}

// RedeliverHook queues a settled delivery again.
func (db *DB) RedeliverHook(ctx context.Context, id int64) (*warroom.HookDelivery, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	d, _, err := findHookDelivery(ctx, tx, id, true)
	if err != nil {
		return nil, err
	}
	if d.State == warroom.HookPending {
		return nil, warroom.Errorf(warroom.ECONFLICT, "Webhook delivery %d is still pending; it will be tried at its next attempt.", id)
	}
	if _, err := tx.exec(ctx, `UPDATE hook_deliveries SET state = ?, attempts = 0, next_at = ?, delivered_at = NULL, redelivered = ? WHERE id = ?`,
		string(warroom.HookPending), tx.now, true, id); err != nil {
		return nil, fmt.Errorf("redeliver hook: %w", err)
	}
	if err := writeAudit(ctx, tx, warroom.AuditHookRedeliver, "hook_delivery", id, map[string]any{
		"subscription_id": d.SubscriptionID, "event_id": d.EventID, "previous_state": d.State,
	}); err != nil {
		return nil, err
	}
	if d, _, err = findHookDelivery(ctx, tx, id, false); err != nil {
		return nil, err
	}
	if err := tx.commit(); err != nil {
		return nil, err
	}
	db.wakePaging()
	return d, nil
}
