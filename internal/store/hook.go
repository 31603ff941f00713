package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/warroomhq/warroom"
)

var (
	_ warroom.HookService = (*DB)(nil)
	_ warroom.HookQueue   = (*DB)(nil)
)

// Sealing contexts of a subscription's credentials.
const (
	sealHookURL    = "hook_subscription.url"
	sealHookSecret = "hook_subscription.secret"
)

// enqueueHooks queues the timeline events ids for every active
// subscription whose filters they pass, in the transaction that recorded
// them: an event is committed with its deliveries or not at all. The
// filters are matched in SQL against the incident as it stands in this
// transaction, in one statement, so that a server with no subscriptions
// pays one cheap statement per recorded event and nothing else.
func enqueueHooks(ctx context.Context, tx *tx, ids ...int64) error {
	if len(ids) == 0 {
		return nil
	}
	args := []any{string(warroom.HookPending), tx.now, tx.now, true, true}
	args = append(args, idArgs(ids)...)
	_, err := tx.exec(ctx, `INSERT INTO hook_deliveries (subscription_id, event_id, incident_id, state, next_at, created_at)
		SELECT s.id, e.id, e.incident_id, ?, ?, ?
		FROM events e JOIN incidents i ON i.id = e.incident_id JOIN hook_subscriptions s ON s.active = ? AND s.kinds LIKE '%,' || e.kind || ',%'
		WHERE (s.drills = ? OR i.drill = s.drills)
			AND (s.severities = '' OR s.severities LIKE '%,' || i.severity || ',%')
			AND (s.incident_types = '' OR s.incident_types LIKE '%,' || i.type || ',%')
			AND (s.service_ids = '' OR EXISTS (SELECT 1 FROM incident_services x WHERE x.incident_id = i.id AND s.service_ids LIKE '%,' || CAST(x.service_id AS TEXT) || ',%'))
			AND e.id IN (`+placeholders(len(ids))+`)
		ON CONFLICT (subscription_id, event_id) DO NOTHING`, args...)
	if err != nil {
		return fmt.Errorf("enqueue hooks: %w", err)
	}
	return nil
}

// hookList stores a filter as ",a,b," so that LIKE '%,v,%' finds a value;
// the empty list is "".
func hookList[T any](vs []T, str func(T) string) string {
	if len(vs) == 0 {
		return ""
	}
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = str(v)
	}
	return "," + strings.Join(parts, ",") + ","
}

func splitHookList(s string) []string {
	s = strings.Trim(s, ",")
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// hookKinds is the kinds column: the timeline kinds of the chosen event
// types, or of every type when none is chosen.
func hookKinds(types []warroom.HookEventType) string {
	if len(types) == 0 {
		types = warroom.HookEventTypes()
	}
	return hookList(types, func(t warroom.HookEventType) string { return string(t.Kind()) })
}

func hookColumns(s *warroom.HookSubscription) []any {
	return []any{
		hookList(s.EventTypes, func(t warroom.HookEventType) string { return string(t) }),
		hookKinds(s.EventTypes),
		hookList(s.Severities, func(v warroom.Severity) string { return string(v) }),
		hookList(s.IncidentTypes, func(v warroom.IncidentType) string { return string(v) }),
		hookList(s.ServiceIDs, func(v int64) string { return strconv.FormatInt(v, 10) }),
		s.Drills, s.Active,
	}
}

const hookSubscriptionColumns = `s.id, s.name, s.url_sealed, s.event_types, s.severities, s.incident_types, s.service_ids, s.drills, s.active,
	s.consecutive_failures, s.last_status, s.last_error, s.last_success_at, s.last_failure_at, s.created_at, s.updated_at,
	(SELECT COUNT(*) FROM hook_deliveries d WHERE d.subscription_id = s.id AND d.state = 'pending')`

func (db *DB) scanHookSubscription(sc scanner) (*warroom.HookSubscription, error) {
	var s warroom.HookSubscription
	var url, types, sevs, itypes, services string
	if err := sc.Scan(&s.ID, &s.Name, &url, &types, &sevs, &itypes, &services, &s.Drills, &s.Active,
		&s.ConsecutiveFailures, &s.LastStatus, &s.LastError, scanNullTime(&s.LastSuccessAt), scanNullTime(&s.LastFailureAt),
		scanTime(&s.CreatedAt), scanTime(&s.UpdatedAt), &s.Pending); err != nil {
		return nil, err
	}
	var err error
	if s.URL, err = db.unseal(url, sealHookURL); err != nil {
		return nil, err
	}
	s.EventTypes, s.Severities, s.IncidentTypes, s.ServiceIDs = []warroom.HookEventType{}, []warroom.Severity{}, []warroom.IncidentType{}, []int64{}
	for _, v := range splitHookList(types) {
		s.EventTypes = append(s.EventTypes, warroom.HookEventType(v))
	}
	for _, v := range splitHookList(sevs) {
		s.Severities = append(s.Severities, warroom.Severity(v))
	}
	for _, v := range splitHookList(itypes) {
		s.IncidentTypes = append(s.IncidentTypes, warroom.IncidentType(v))
	}
	for _, v := range splitHookList(services) {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("hook subscription %d: service %q: %w", s.ID, v, err)
		}
		s.ServiceIDs = append(s.ServiceIDs, id)
	}
	return &s, nil
}

func (db *DB) findHookSubscription(ctx context.Context, tx *tx, id int64) (*warroom.HookSubscription, error) {
	s, err := db.scanHookSubscription(tx.queryRow(ctx, `SELECT `+hookSubscriptionColumns+` FROM hook_subscriptions s WHERE s.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, warroom.Errorf(warroom.ENOTFOUND, "Webhook subscription %d not found.", id)
	} else if err != nil {
		return nil, fmt.Errorf("find hook subscription: %w", err)
	}
	return s, nil
}

// newHookSecret is the signing secret, in the form subscriber webhooks use.
func newHookSecret() string { return "whsec_" + randomHex(24) }

// CreateHookSubscription adds a subscription and fills its ID and Secret.
func (db *DB) CreateHookSubscription(ctx context.Context, s *warroom.HookSubscription) error {
	if err := s.Validate(); err != nil {
		return err
	}
	if err := db.checkOutbound(ctx, "url", s.URL); err != nil {
		return err
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	if err := checkServices(ctx, tx, s.ServiceIDs); err != nil {
		return err
	}
	secret := newHookSecret()
	url, err := db.seal(s.URL, sealHookURL)
	if err != nil {
		return err
	}
	sealed, err := db.seal(secret, sealHookSecret)
	if err != nil {
		return err
	}
	args := append([]any{s.Name, url, sealed}, hookColumns(s)...)
	id, err := tx.insert(ctx, `INSERT INTO hook_subscriptions (name, url_sealed, secret_sealed, event_types, kinds, severities, incident_types, service_ids, drills, active, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, append(args, tx.now, tx.now)...)
	if err != nil {
		return fmt.Errorf("create hook subscription: %w", err)
	}
	// The URL stays out of the audit row: it may carry a token.
	if err := writeAudit(ctx, tx, warroom.AuditHookCreate, "hook_subscription", id, map[string]any{
		"name": s.Name, "event_types": s.EventTypes, "severities": s.Severities, "incident_types": s.IncidentTypes,
		"service_ids": s.ServiceIDs, "drills": s.Drills, "active": s.Active,
	}); err != nil {
		return err
	}
	got, err := db.findHookSubscription(ctx, tx, id)
	if err != nil {
		return err
	}
	if err := tx.commit(); err != nil {
		return err
	}
	*s = *got
	s.Secret = secret
	return nil
}

// FindHookSubscriptions lists every subscription by name.
func (db *DB) FindHookSubscriptions(ctx context.Context) ([]*warroom.HookSubscription, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	rows, err := tx.query(ctx, `SELECT `+hookSubscriptionColumns+` FROM hook_subscriptions s ORDER BY s.name, s.id`)
	if err != nil {
		return nil, fmt.Errorf("find hook subscriptions: %w", err)
	}
	defer rows.Close()
	out := []*warroom.HookSubscription{}
	for rows.Next() {
		s, err := db.scanHookSubscription(rows)
		if err != nil {
			return nil, fmt.Errorf("find hook subscriptions: %w", err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// FindHookSubscriptionByID returns one subscription.
func (db *DB) FindHookSubscriptionByID(ctx context.Context, id int64) (*warroom.HookSubscription, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	return db.findHookSubscription(ctx, tx, id)
}

// UpdateHookSubscription changes a subscription.
func (db *DB) UpdateHookSubscription(ctx context.Context, id int64, upd warroom.HookSubscriptionUpdate) (*warroom.HookSubscription, error) {
	// The URL is checked before the transaction: the check may resolve a
	// name, and the single SQLite writer must not wait on DNS.
	if upd.URL != nil {
		if err := db.checkOutbound(ctx, "url", strings.TrimSpace(*upd.URL)); err != nil {
			return nil, err
		}
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	if _, err := tx.exec(ctx, `SELECT id FROM hook_subscriptions WHERE id = ?`+tx.d.forUpdate(), id); err != nil {
		return nil, fmt.Errorf("update hook subscription: %w", err)
	}
	s, err := db.findHookSubscription(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	upd.Apply(s)
	if err := s.Validate(); err != nil {
		return nil, err
	}
	if err := checkServices(ctx, tx, s.ServiceIDs); err != nil {
		return nil, err
	}
	url, err := db.seal(s.URL, sealHookURL)
	if err != nil {
		return nil, err
	}
	args := append([]any{s.Name, url}, hookColumns(s)...)
	if _, err := tx.exec(ctx, `UPDATE hook_subscriptions SET name = ?, url_sealed = ?, event_types = ?, kinds = ?, severities = ?, incident_types = ?, service_ids = ?,
		drills = ?, active = ?, updated_at = ? WHERE id = ?`, append(args, tx.now, id)...); err != nil {
		return nil, fmt.Errorf("update hook subscription: %w", err)
	}
	if err := writeAudit(ctx, tx, warroom.AuditHookUpdate, "hook_subscription", id, map[string]any{
		"name": s.Name, "url_changed": upd.URL != nil, "event_types": s.EventTypes, "severities": s.Severities,
		"incident_types": s.IncidentTypes, "service_ids": s.ServiceIDs, "drills": s.Drills, "active": s.Active,
	}); err != nil {
		return nil, err
	}
	if s, err = db.findHookSubscription(ctx, tx, id); err != nil {
		return nil, err
	}
	return s, tx.commit()
}

// RotateHookSecret replaces the signing secret.
func (db *DB) RotateHookSecret(ctx context.Context, id int64) (*warroom.HookSubscription, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	secret := newHookSecret()
	sealed, err := db.seal(secret, sealHookSecret)
	if err != nil {
		return nil, err
	}
	res, err := tx.exec(ctx, `UPDATE hook_subscriptions SET secret_sealed = ?, updated_at = ? WHERE id = ?`, sealed, tx.now, id)
	if err != nil {
		return nil, fmt.Errorf("rotate hook secret: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, warroom.Errorf(warroom.ENOTFOUND, "Webhook subscription %d not found.", id)
	}
	if err := writeAudit(ctx, tx, warroom.AuditHookRotate, "hook_subscription", id, nil); err != nil {
		return nil, err
	}
	s, err := db.findHookSubscription(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if err := tx.commit(); err != nil {
		return nil, err
	}
	s.Secret = secret
	return s, nil
}

// DeleteHookSubscription removes a subscription, its queue and its log.
func (db *DB) DeleteHookSubscription(ctx context.Context, id int64) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	s, err := db.findHookSubscription(ctx, tx, id)
	if err != nil {
		return err
	}
	// Explicit deletes rather than ON DELETE CASCADE alone: SQLite applies
	// the cascade only with foreign keys switched on for the connection.
	for _, q := range []string{
		`DELETE FROM hook_attempts WHERE delivery_id IN (SELECT id FROM hook_deliveries WHERE subscription_id = ?)`,
		`DELETE FROM hook_deliveries WHERE subscription_id = ?`,
		`DELETE FROM hook_subscriptions WHERE id = ?`,
	} {
		if _, err := tx.exec(ctx, q, id); err != nil {
			return fmt.Errorf("delete hook subscription: %w", err)
		}
	}
	if err := writeAudit(ctx, tx, warroom.AuditHookDelete, "hook_subscription", id, map[string]any{"name": s.Name}); err != nil {
		return err
	}
	return tx.commit()
}
