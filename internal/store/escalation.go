package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/warroomhq/warroom"
)

var _ warroom.EscalationService = (*DB)(nil)

// forUpdateSkipLocked claims due rows on PostgreSQL: a second instance
// skips what the first is working on instead of waiting for it or doing it
// again. SQLite has a single writer, so a claim is already exclusive.
func (d dialect) forUpdateSkipLocked() string {
	if d.postgres {
		return " FOR UPDATE SKIP LOCKED"
	}
	return ""
}

// beginAt starts a write transaction at the engine's now rather than the
// store's clock, so that a tick and everything it writes agree on the time.
func (db *DB) beginAt(ctx context.Context, now time.Time) (*tx, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	tx.now = now.UTC().Truncate(time.Microsecond)
	return tx, nil
}

const policyColumns = `id, name, description, repeat_count, levels, created_at, updated_at`

func scanPolicy(s scanner) (*warroom.EscalationPolicy, error) {
	var p warroom.EscalationPolicy
	var levels string
	if err := s.Scan(&p.ID, &p.Name, &p.Description, &p.Repeat, &levels, scanTime(&p.CreatedAt), scanTime(&p.UpdatedAt)); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(levels), &p.Levels); err != nil {
		return nil, fmt.Errorf("policy %d levels: %w", p.ID, err)
	}
	return &p, nil
}

func findPolicy(ctx context.Context, tx *tx, id int64) (*warroom.EscalationPolicy, error) {
	p, err := scanPolicy(tx.queryRow(ctx, `SELECT `+policyColumns+` FROM escalation_policies WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, warroom.Errorf(warroom.ENOTFOUND, "Escalation policy %d not found.", id)
	} else if err != nil {
		return nil, fmt.Errorf("find policy: %w", err)
	}
	return p, nil
}

// FindEscalationPolicies lists every policy by name.
func (db *DB) FindEscalationPolicies(ctx context.Context) ([]*warroom.EscalationPolicy, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	rows, err := tx.query(ctx, `SELECT `+policyColumns+` FROM escalation_policies ORDER BY name, id`)
	if err != nil {
		return nil, fmt.Errorf("find policies: %w", err)
	}
	defer rows.Close()
	out := []*warroom.EscalationPolicy{}
	for rows.Next() {
		p, err := scanPolicy(rows)
		if err != nil {
			return nil, fmt.Errorf("find policies: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// FindEscalationPolicyByID returns one policy.
func (db *DB) FindEscalationPolicyByID(ctx context.Context, id int64) (*warroom.EscalationPolicy, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	return findPolicy(ctx, tx, id)
}

func checkTargets(ctx context.Context, tx *tx, p *warroom.EscalationPolicy) error {
	for i, l := range p.Levels {
		for j, t := range l.Targets {
			f := fmt.Sprintf("levels[%d].targets[%d].id", i, j)
			switch t.Type {
			case warroom.TargetUser:
				if err := checkUsers(ctx, tx, f, t.ID); err != nil {
					return err
				}
			case warroom.TargetSchedule:
				if _, err := findSchedule(ctx, tx, t.ID); err != nil {
					return &warroom.Error{Code: warroom.ENOTFOUND, Field: f, Message: fmt.Sprintf("%s: schedule %d not found", f, t.ID)}
				}
			}
		}
	}
	return nil
}

// CreateEscalationPolicy adds a policy.
func (db *DB) CreateEscalationPolicy(ctx context.Context, p *warroom.EscalationPolicy) error {
	if err := p.Validate(); err != nil {
		return err
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	if err := checkTargets(ctx, tx, p); err != nil {
		return err
	}
	levels, _ := json.Marshal(p.Levels)
	p.CreatedAt, p.UpdatedAt = tx.now, tx.now
	p.ID, err = tx.insert(ctx, `INSERT INTO escalation_policies (name, description, repeat_count, levels, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
		p.Name, p.Description, p.Repeat, string(levels), tx.now, tx.now)
	if err != nil {
		return fmt.Errorf("create policy: %w", err)
	}
	if err := writeAudit(ctx, tx, warroom.AuditPolicyCreate, "escalation_policy", p.ID, p); err != nil {
		return err
	}
	return tx.commit()
}

// ReplaceEscalationPolicy replaces a policy.
func (db *DB) ReplaceEscalationPolicy(ctx context.Context, id int64, p *warroom.EscalationPolicy) error {
	if err := p.Validate(); err != nil {
		return err
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	old, err := findPolicy(ctx, tx, id)
	if err != nil {
		return err
	}
	if err := checkTargets(ctx, tx, p); err != nil {
		return err
	}
	levels, _ := json.Marshal(p.Levels)
	if _, err := tx.exec(ctx, `UPDATE escalation_policies SET name = ?, description = ?, repeat_count = ?, levels = ?, updated_at = ? WHERE id = ?`,
		p.Name, p.Description, p.Repeat, string(levels), tx.now, id); err != nil {
		return fmt.Errorf("replace policy: %w", err)
	}
	p.ID, p.CreatedAt, p.UpdatedAt = id, old.CreatedAt, tx.now
	if err := writeAudit(ctx, tx, warroom.AuditPolicyReplace, "escalation_policy", id, change{From: old, To: p}); err != nil {
		return err
	}
	return tx.commit()
}

// SetServiceEscalationPolicy points a service to a policy; 0 clears it.
func (db *DB) SetServiceEscalationPolicy(ctx context.Context, serviceID, policyID int64) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	if err := checkServices(ctx, tx, []int64{serviceID}); err != nil {
		return err
	}
	if policyID == 0 {
		_, err = tx.exec(ctx, `DELETE FROM service_escalation_policies WHERE service_id = ?`, serviceID)
	} else {
		if _, err := findPolicy(ctx, tx, policyID); err != nil {
			return err
		}
		_, err = tx.exec(ctx, `INSERT INTO service_escalation_policies (service_id, policy_id) VALUES (?, ?)
			ON CONFLICT (service_id) DO UPDATE SET policy_id = excluded.policy_id`, serviceID, policyID)
	}
	if err != nil {
		return fmt.Errorf("set service policy: %w", err)
	}
	if err := writeAudit(ctx, tx, warroom.AuditServicePolicySet, "service", serviceID, map[string]any{"policy_id": policyID}); err != nil {
		return err
	}
	return tx.commit()
}

// FindServiceEscalationPolicy returns the service's policy ID or 0.
func (db *DB) FindServiceEscalationPolicy(ctx context.Context, serviceID int64) (int64, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.rollback()
	if err := checkServices(ctx, tx, []int64{serviceID}); err != nil {
		return 0, err
	}
	var id int64
	err = tx.queryRow(ctx, `SELECT policy_id FROM service_escalation_policies WHERE service_id = ?`, serviceID).Scan(&id)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("find service policy: %w", err)
	}
	return id, nil
}

// startPaging runs in the transaction that declares an incident: it writes
// an escalation for the policy of each of the incident's services and the
// incident's SLA timers, so that paging cannot be lost between the declare
// and the engine picking it up. The escalations are one INSERT … SELECT:
// the policies are not read back to Go only to be written again.
func startPaging(ctx context.Context, tx *tx, inc *warroom.Incident) error {
	if len(inc.ServiceIDs) > 0 {
		// DISTINCT sits in a subquery: over the parameters it would make
		// PostgreSQL type them as text. The outer WHERE keeps SQLite from
		// reading ON CONFLICT as a join constraint.
		args := append([]any{inc.ID, tx.now, tx.now}, idArgs(inc.ServiceIDs)...)
		if _, err := tx.exec(ctx, `INSERT INTO escalations (incident_id, policy_id, level, loop, next_at, created_at)
			SELECT ?, p.policy_id, 0, 0, ?, ? FROM (SELECT DISTINCT policy_id FROM service_escalation_policies
				WHERE service_id IN (`+placeholders(len(inc.ServiceIDs))+`)) p WHERE true
			ORDER BY p.policy_id
			ON CONFLICT (incident_id, policy_id) DO UPDATE SET level = 0, loop = 0, next_at = excluded.next_at, stopped_at = NULL, stop_reason = ''`,
			args...); err != nil {
			return fmt.Errorf("start paging: %w", err)
		}
	}
	return startSLATimers(ctx, tx, inc)
}

func idArgs(ids []int64) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}

// startEscalation makes the policy's first level due now, restarting an
// escalation of the same policy that had stopped.
func startEscalation(ctx context.Context, tx *tx, incidentID, policyID int64) error {
	_, err := tx.exec(ctx, `INSERT INTO escalations (incident_id, policy_id, level, loop, next_at, created_at) VALUES (?, ?, 0, 0, ?, ?)
		ON CONFLICT (incident_id, policy_id) DO UPDATE SET level = 0, loop = 0, next_at = excluded.next_at, stopped_at = NULL, stop_reason = ''`,
		incidentID, policyID, tx.now, tx.now)
	if err != nil {
		return fmt.Errorf("start escalation: %w", err)
	}
	return nil
}

const escalationColumns = `e.id, e.incident_id, e.policy_id, p.name, e.level, e.loop, e.next_at, e.stopped_at, e.stop_reason, e.created_at`

func scanEscalation(s scanner) (*warroom.Escalation, error) {
	var e warroom.Escalation
	err := s.Scan(&e.ID, &e.IncidentID, &e.PolicyID, &e.PolicyName, &e.Level, &e.Loop, scanNullTime(&e.NextAt), scanNullTime(&e.StoppedAt), &e.StopReason, scanTime(&e.CreatedAt))
	return &e, err
}

// FindEscalations lists an incident's escalations.
func (db *DB) FindEscalations(ctx context.Context, incidentID int64) ([]*warroom.Escalation, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	if _, err := loadIncident(ctx, tx, incidentID, false); err != nil {
		return nil, err
	}
	rows, err := tx.query(ctx, `SELECT `+escalationColumns+` FROM escalations e JOIN escalation_policies p ON p.id = e.policy_id WHERE e.incident_id = ? ORDER BY e.id`, incidentID)
	if err != nil {
		return nil, fmt.Errorf("find escalations: %w", err)
	}
	defer rows.Close()
	out := []*warroom.Escalation{}
	for rows.Next() {
		e, err := scanEscalation(rows)
		if err != nil {
			return nil, fmt.Errorf("find escalations: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// EscalateNow makes the next level of each running escalation due now.
func (db *DB) EscalateNow(ctx context.Context, incidentID int64) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	if _, err := openIncidentForChange(ctx, tx, incidentID); err != nil {
		return err
	}
	res, err := tx.exec(ctx, `UPDATE escalations SET next_at = ? WHERE incident_id = ? AND next_at IS NOT NULL`, tx.now, incidentID)
	if err != nil {
		return fmt.Errorf("escalate now: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return warroom.Errorf(warroom.ECONFLICT, "Nothing is escalating on %s; page a policy to start.", warroom.FormatNumber(incidentID))
	}
	if err := writeAudit(ctx, tx, warroom.AuditEscalateNow, "incident", incidentID, nil); err != nil {
		return err
	}
	if err := tx.commit(); err != nil {
		return err
	}
	db.wakePaging()
	return nil
}

// Page pages a user now, or starts a policy on an incident.
func (db *DB) Page(ctx context.Context, req warroom.PageRequest) error {
	if err := req.Validate(); err != nil {
		return err
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	if req.IncidentID > 0 {
		if _, err := openIncidentForChange(ctx, tx, req.IncidentID); err != nil {
			return err
		}
	}
	if req.PolicyID > 0 {
		if _, err := findPolicy(ctx, tx, req.PolicyID); err != nil {
			return err
		}
		if err := startEscalation(ctx, tx, req.IncidentID, req.PolicyID); err != nil {
			return err
		}
	} else {
		if err := checkUsers(ctx, tx, "user_id", req.UserID); err != nil {
			return err
		}
		n, err := pageUser(ctx, tx, req.UserID, page{incidentID: req.IncidentID, kind: warroom.NotifyPage, text: req.Message})
		if err != nil {
			return err
		}
		if n == 0 {
			return warroom.FieldErrorf("user_id", "user %d has no verified contact method", req.UserID)
		}
		if req.IncidentID > 0 {
			names, err := userNames(ctx, tx, []int64{req.UserID})
			if err != nil {
				return err
			}
			if _, err := addEvent(ctx, tx, req.IncidentID, warroom.EventEscalated, "Paged "+names[req.UserID]+" by hand", "",
				map[string]any{"user_ids": []int64{req.UserID}, "manual": true, "message": req.Message}); err != nil {
				return err
			}
		}
	}
	if err := writeAudit(ctx, tx, warroom.AuditPage, "incident", req.IncidentID, req); err != nil {
		return err
	}
	if err := tx.commit(); err != nil {
		return err
	}
	db.wakePaging()
	return nil
}

// FireEscalations pages the due level of up to limit escalations.
func (db *DB) FireEscalations(ctx context.Context, now time.Time, limit int) (int, error) {
	tx, err := db.beginAt(ctx, now)
	if err != nil {
		return 0, err
	}
	defer tx.rollback()
	ids, err := claimIDs(ctx, tx, `SELECT id FROM escalations WHERE next_at <= ? ORDER BY next_at LIMIT ?`, tx.now, limit)
	if err != nil {
		return 0, fmt.Errorf("fire escalations: %w", err)
	}
	c := newFireCache()
	for _, id := range ids {
		err := tx.eachRow(ctx, func() error { return fireEscalation(ctx, tx, c, id) }, func(ferr error) error {
			return db.deferEscalation(ctx, tx, id, ferr)
		})
		if err != nil {
			return 0, fmt.Errorf("fire escalation %d: %w", id, err)
		}
	}
	return len(ids), tx.commit()
}

// deferEscalation records why an escalation could not fire and makes it
// due again after a back-off, so that it is retried (a page is never
// dropped) without holding up the batch on every tick.
func (db *DB) deferEscalation(ctx context.Context, tx *tx, id int64, ferr error) error {
	var failures int
	if err := tx.queryRow(ctx, `UPDATE escalations SET failures = failures + 1, last_error = ? WHERE id = ? RETURNING failures`, errorText(ferr), id).Scan(&failures); err != nil {
		return fmt.Errorf("defer escalation: %w", err)
	}
	retry := tx.now.Add(rowBackoff(failures))
	if _, err := tx.exec(ctx, `UPDATE escalations SET next_at = ? WHERE id = ?`, retry, id); err != nil {
		return fmt.Errorf("defer escalation: %w", err)
	}
	db.logger.Error("escalation could not fire; deferred", "escalation", id, "failures", failures, "retry_at", retry, "err", ferr)
	return nil
}

// claimIDs runs a due-rows query with the claiming suffix.
func claimIDs(ctx context.Context, tx *tx, q string, args ...any) ([]int64, error) {
	return selectIDs(ctx, tx, q+tx.d.forUpdateSkipLocked(), args...)
}

// selectIDs returns the first column of every row.
func selectIDs(ctx context.Context, tx *tx, q string, args ...any) ([]int64, error) {
	rows, err := tx.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// fireCache holds what every escalation of one batch shares: at one now,
// a policy, its on-call resolution and a user's rules do not change, and
// thousands of incidents escalating together usually share one policy.
type fireCache struct {
	policies map[int64]*warroom.EscalationPolicy
	targets  map[[2]int64][]int64
	names    map[int64]string
}

func newFireCache() *fireCache {
	return &fireCache{policies: map[int64]*warroom.EscalationPolicy{}, targets: map[[2]int64][]int64{}, names: map[int64]string{}}
}

func (c *fireCache) policy(ctx context.Context, tx *tx, id int64) (*warroom.EscalationPolicy, error) {
	if p, ok := c.policies[id]; ok {
		return p, nil
	}
	p, err := findPolicy(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	c.policies[id] = p
	return p, nil
}

func (c *fireCache) levelUsers(ctx context.Context, tx *tx, p *warroom.EscalationPolicy, level int) ([]int64, error) {
	key := [2]int64{p.ID, int64(level)}
	if u, ok := c.targets[key]; ok {
		return u, nil
	}
	u, err := resolveTargets(ctx, tx, p.Levels[level].Targets)
	if err != nil {
		return nil, err
	}
	c.targets[key] = u
	return u, nil
}

func (c *fireCache) userNames(ctx context.Context, tx *tx, ids []int64) (map[int64]string, error) {
	var missing []int64
	for _, id := range ids {
		if _, ok := c.names[id]; !ok {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		got, err := userNames(ctx, tx, missing)
		if err != nil {
			return nil, err
		}
		for k, v := range got {
			c.names[k] = v
		}
	}
	return c.names, nil
}

func fireEscalation(ctx context.Context, tx *tx, c *fireCache, id int64) error {
	e, err := scanEscalation(tx.queryRow(ctx, `SELECT `+escalationColumns+` FROM escalations e JOIN escalation_policies p ON p.id = e.policy_id WHERE e.id = ?`, id))
	if err != nil {
		return err
	}
	due := *e.NextAt
	var state warroom.State
	var ackAt *time.Time
	if err := tx.queryRow(ctx, `SELECT state, acknowledged_at FROM incidents WHERE id = ?`, e.IncidentID).Scan(&state, scanNullTime(&ackAt)); err != nil {
		return err
	}
	switch {
	case ackAt != nil:
		return stopEscalation(ctx, tx, e, "acknowledged", "")
	case !state.Open():
		return stopEscalation(ctx, tx, e, string(state), "")
	}
	p, err := c.policy(ctx, tx, e.PolicyID)
	if err != nil {
		return err
	}
	level, loop := e.Level, e.Loop
	if level >= len(p.Levels) {
		if loop >= p.Repeat {
			return stopEscalation(ctx, tx, e, "exhausted", fmt.Sprintf("Nobody acknowledged after every level of %s", p.Name))
		}
		level, loop = 0, loop+1
	}
	l := p.Levels[level]
	users, err := c.levelUsers(ctx, tx, p, level)
	if err != nil {
		return err
	}
	var reached, unreachable, held []int64
	for _, u := range users {
		if h, err := drillHolds(ctx, tx, e.IncidentID, u); err != nil {
			return err
		} else if h {
			held = append(held, u)
			continue
		}
		n, err := pageUser(ctx, tx, u, page{incidentID: e.IncidentID, escalationID: e.ID, level: level + 1, kind: warroom.NotifyPage})
		if err != nil {
			return err
		}
		if n > 0 {
			reached = append(reached, u)
		} else {
			unreachable = append(unreachable, u)
		}
	}
	names, err := c.userNames(ctx, tx, users)
	if err != nil {
		return err
	}
	text := fmt.Sprintf("Level %d of %s paged: %s", level+1, p.Name, joinNames(names, reached))
	if len(reached) == 0 {
		text = fmt.Sprintf("Level %d of %s reached nobody", level+1, p.Name)
	}
	if len(unreachable) > 0 {
		text += fmt.Sprintf("; no verified contact method: %s", joinNames(names, unreachable))
	}
	if len(held) > 0 {
		text += fmt.Sprintf("; not paged, not in the drill: %s", joinNames(names, held))
	}
	if _, err := addEvent(ctx, tx, e.IncidentID, warroom.EventEscalated, text, "", map[string]any{
		"escalation_id": e.ID, "policy_id": p.ID, "level": level + 1, "loop": loop, "user_ids": reached, "unreachable_user_ids": unreachable, "due_at": due,
	}); err != nil {
		return err
	}
	_, err = tx.exec(ctx, `UPDATE escalations SET level = ?, loop = ?, next_at = ?, failures = 0, last_error = '' WHERE id = ?`, level+1, loop, tx.now.Add(l.Delay()), e.ID)
	return err
}

func joinNames(names map[int64]string, ids []int64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = names[id]
	}
	return strings.Join(s, ", ")
}

func stopEscalation(ctx context.Context, tx *tx, e *warroom.Escalation, reason, text string) error {
	if _, err := tx.exec(ctx, `UPDATE escalations SET next_at = NULL, stopped_at = ?, stop_reason = ?, failures = 0, last_error = '' WHERE id = ?`, tx.now, reason, e.ID); err != nil {
		return err
	}
	if text == "" {
		return nil
	}
	_, err := addEvent(ctx, tx, e.IncidentID, warroom.EventEscalated, text, "", map[string]any{"escalation_id": e.ID, "stopped": reason})
	return err
}

// resolveTargets returns the users a level pages at the transaction's now,
// each once, in target order.
func resolveTargets(ctx context.Context, tx *tx, targets []warroom.EscalationTarget) ([]int64, error) {
	var out []int64
	add := func(ids ...int64) {
		for _, id := range ids {
			if !slices.Contains(out, id) {
				out = append(out, id)
			}
		}
	}
	for _, t := range targets {
		var schedules []*warroom.Schedule
		switch t.Type {
		case warroom.TargetUser:
			add(t.ID)
			continue
		case warroom.TargetSchedule:
			s, err := findSchedule(ctx, tx, t.ID)
			if warroom.ErrorCode(err) == warroom.ENOTFOUND {
				continue // a deleted schedule pages nobody; the event says so
			} else if err != nil {
				return nil, err
			}
			schedules = []*warroom.Schedule{s}
		case warroom.TargetTeam:
			var err error
			if schedules, err = findSchedules(ctx, tx, "WHERE team = ?", t.Team); err != nil {
				return nil, err
			}
		}
		for _, s := range schedules {
			sc, err := loadOncall(ctx, tx, s, tx.now.Add(-time.Second), tx.now.Add(time.Second))
			if err != nil {
				return nil, err
			}
			add(sc.UsersAt(tx.now)...)
		}
	}
	return out, nil
}

// stopIncidentEscalations stops every running escalation of an incident at
// once, so that the escalation API shows it stopped the moment someone
// acknowledges or the last alert resolves, not when the next step falls due.
func stopIncidentEscalations(ctx context.Context, tx *tx, incidentID int64, reason string) error {
	if _, err := tx.exec(ctx, `UPDATE escalations SET next_at = NULL, stopped_at = ?, stop_reason = ?, failures = 0, last_error = ''
		WHERE incident_id = ? AND stopped_at IS NULL`, tx.now, reason, incidentID); err != nil {
		return fmt.Errorf("stop escalations: %w", err)
	}
	return nil
}
