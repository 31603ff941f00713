package store

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/warroomhq/warroom"
)

// SLA timer kinds. Warnings fire at 80 % of a target (seed 001: tell people
// while there is still time), breaches at the target; the severity timer
// re-proposes the severity when the matrix's duration escalators say so.
const (
	timerAckWarning     = "ack_warning"
	timerAckBreach      = "ack_breach"
	timerResolveWarning = "resolve_warning"
	timerResolveBreach  = "resolve_breach"
	timerSeverity       = "severity"
)

// slaWarnFraction is when a warning fires, as a fraction of the target.
const slaWarnFraction = 0.8

// slaDue returns when a timer kind falls due for inc under its current
// severity's policy, and whether it still applies (an acknowledged
// incident needs no acknowledge warning).
func slaDue(inc *warroom.Incident, kind string) (time.Time, bool) {
	if inc.SLA == nil || !inc.State.Open() {
		return time.Time{}, false
	}
	frac := func(due time.Time, f float64) time.Time {
		return inc.DetectedAt.Add(time.Duration(float64(due.Sub(inc.DetectedAt)) * f))
	}
	switch kind {
	case timerAckWarning, timerAckBreach:
		if inc.AcknowledgedAt != nil {
			return time.Time{}, false
		}
		if kind == timerAckWarning {
			return frac(inc.SLA.AckDue, slaWarnFraction), true
		}
		return inc.SLA.AckDue, true
	case timerResolveWarning, timerResolveBreach:
		if kind == timerResolveWarning {
			return frac(inc.SLA.ResolveDue, slaWarnFraction), true
		}
		return inc.SLA.ResolveDue, true
	}
	return time.Time{}, false
}

// nextSeverityCheck returns when the matrix's duration escalators would
// next change the proposal for inc, walking the same chain Propose does.
func nextSeverityCheck(m *warroom.SeverityMatrix, inc *warroom.Incident, now time.Time) (time.Time, bool) {
	sev := m.Propose(inc.Impact, 0).Severity
	at := inc.DetectedAt
	for range warroom.Severities {
		var next *warroom.DurationEscalator
		for i, e := range m.Escalators {
			if e.From == sev && e.After() > 0 && e.To.MoreSevere(sev) {
				next = &m.Escalators[i]
				break
			}
		}
		if next == nil {
			return time.Time{}, false
		}
		at = at.Add(next.After())
		if at.After(now) {
			return at, true
		}
		sev = next.To
	}
	return time.Time{}, false
}

// startSLATimers writes the timers of inc, as declared in this transaction,
// in one statement.
func startSLATimers(ctx context.Context, tx *tx, inc *warroom.Incident) error {
	full := *inc
	full.SLA = nil
	if err := fillSLA(ctx, tx, []*warroom.Incident{&full}); err != nil {
		return err
	}
	var timers []any
	for _, kind := range []string{timerAckWarning, timerAckBreach, timerResolveWarning, timerResolveBreach} {
		if due, ok := slaDue(&full, kind); ok {
			timers = append(timers, inc.ID, kind, due)
		}
	}
	m, err := findSeverityMatrix(ctx, tx)
	if err != nil {
		return err
	}
	if due, ok := nextSeverityCheck(m, &full, tx.now); ok {
		timers = append(timers, inc.ID, timerSeverity, due)
	}
	if len(timers) == 0 {
		return nil
	}
	_, err = tx.exec(ctx, `INSERT INTO sla_timers (incident_id, kind, due_at) VALUES `+rowPlaceholders(len(timers)/3, 3)+`
		ON CONFLICT (incident_id, kind) DO UPDATE SET due_at = excluded.due_at, failures = 0, last_error = ''`, timers...)
	if err != nil {
		return fmt.Errorf("start sla timers: %w", err)
	}
	return nil
}

func setTimer(ctx context.Context, tx *tx, incidentID int64, kind string, due *time.Time) error {
	_, err := tx.exec(ctx, `INSERT INTO sla_timers (incident_id, kind, due_at) VALUES (?, ?, ?)
		ON CONFLICT (incident_id, kind) DO UPDATE SET due_at = excluded.due_at, failures = 0, last_error = ''`, incidentID, kind, due)
	if err != nil {
		return fmt.Errorf("set sla timer: %w", err)
	}
	return nil
}

// FireSLATimers handles up to limit due SLA timers.
func (db *DB) FireSLATimers(ctx context.Context, now time.Time, limit int) (int, error) {
	tx, err := db.beginAt(ctx, now)
	if err != nil {
		return 0, err
	}
	defer tx.rollback()
	ids, err := claimIDs(ctx, tx, `SELECT id FROM sla_timers WHERE due_at <= ? ORDER BY due_at LIMIT ?`, tx.now, limit)
	if err != nil {
		return 0, fmt.Errorf("fire sla timers: %w", err)
	}
	for _, id := range ids {
		err := tx.eachRow(ctx, func() error { return fireSLATimer(ctx, tx, id) }, func(ferr error) error {
			return db.deferSLATimer(ctx, tx, id, ferr)
		})
		if err != nil {
			return 0, fmt.Errorf("fire sla timer %d: %w", id, err)
		}
	}
	return len(ids), tx.commit()
}

// deferSLATimer records why a timer could not fire and makes it due again
// after a back-off: a warning that fires late is better than none, and a
// broken timer must not stop the others.
func (db *DB) deferSLATimer(ctx context.Context, tx *tx, id int64, ferr error) error {
	var failures int
	if err := tx.queryRow(ctx, `UPDATE sla_timers SET failures = failures + 1, last_error = ? WHERE id = ? RETURNING failures`, errorText(ferr), id).Scan(&failures); err != nil {
		return fmt.Errorf("defer sla timer: %w", err)
	}
	retry := tx.now.Add(rowBackoff(failures))
	if _, err := tx.exec(ctx, `UPDATE sla_timers SET due_at = ? WHERE id = ?`, retry, id); err != nil {
		return fmt.Errorf("defer sla timer: %w", err)
	}
	db.logger.Error("sla timer could not fire; deferred", "timer", id, "failures", failures, "retry_at", retry, "err", ferr)
	return nil
}

func fireSLATimer(ctx context.Context, tx *tx, id int64) error {
	var incidentID int64
	var kind string
	if err := tx.queryRow(ctx, `SELECT incident_id, kind FROM sla_timers WHERE id = ?`, id).Scan(&incidentID, &kind); err != nil {
		return err
	}
	done := func() error {
		_, err := tx.exec(ctx, `UPDATE sla_timers SET due_at = NULL, fired_at = ?, failures = 0, last_error = '' WHERE id = ?`, tx.now, id)
		return err
	}
	inc, err := findIncident(ctx, tx, incidentID)
	if err != nil {
		return err
	}
	if kind == timerSeverity {
		return fireSeverityTimer(ctx, tx, inc, done)
	}
	due, ok := slaDue(inc, kind)
	if !ok {
		return done()
	}
	// The severity may have changed since the timer was set: a milder one
	// moves the deadline out.
	if due.After(tx.now) {
		return setTimer(ctx, tx, incidentID, kind, &due)
	}
	target, notify, ev := "acknowledge", warroom.NotifySLAWarning, warroom.EventSLAWarning
	if kind == timerResolveWarning || kind == timerResolveBreach {
		target = "resolve"
	}
	deadline := inc.SLA.AckDue
	if target == "resolve" {
		deadline = inc.SLA.ResolveDue
	}
	text := fmt.Sprintf("80%% of the %s target used: due at %s", target, deadline.Format(time.RFC3339))
	if kind == timerAckBreach || kind == timerResolveBreach {
		notify, ev = warroom.NotifySLABreach, warroom.EventSLABreach
		text = fmt.Sprintf("The %s target was missed: due at %s", target, deadline.Format(time.RFC3339))
	}
	users, err := slaRecipients(ctx, tx, inc)
	if err != nil {
		return err
	}
	var reached []int64
	for _, u := range users {
		n, err := pageUser(ctx, tx, u, page{incidentID: inc.ID, kind: notify, text: target})
		if err != nil {
			return err
		}
		if n > 0 {
			reached = append(reached, u)
		}
	}
	if _, err := addEvent(ctx, tx, inc.ID, ev, text, "", map[string]any{"target": target, "due_at": deadline, "user_ids": reached}); err != nil {
		return err
	}
	return done()
}

// slaRecipients are the commander and the next escalation level (seed 001:
// a warning goes to whoever leads and to whoever would be paged next).
func slaRecipients(ctx context.Context, tx *tx, inc *warroom.Incident) ([]int64, error) {
	var out []int64
	as, err := findRoleAssignments(ctx, tx, inc.ID, false)
	if err != nil {
		return nil, err
	}
	for _, a := range as {
		if a.Role == warroom.RoleCommander {
			out = append(out, a.UserID)
		}
	}
	rows, err := tx.query(ctx, `SELECT policy_id, level FROM escalations WHERE incident_id = ? ORDER BY id`, inc.ID)
	if err != nil {
		return nil, err
	}
	type esc struct {
		policy int64
		level  int
	}
	var es []esc
	for rows.Next() {
		var e esc
		if err := rows.Scan(&e.policy, &e.level); err != nil {
			rows.Close()
			return nil, err
		}
		es = append(es, e)
	}
	rows.Close()
	for _, e := range es {
		p, err := findPolicy(ctx, tx, e.policy)
		if err != nil {
			return nil, err
		}
		users, err := resolveTargets(ctx, tx, p.Levels[min(e.level, len(p.Levels)-1)].Targets)
		if err != nil {
			return nil, err
		}
		for _, u := range users {
			if !slices.Contains(out, u) {
				out = append(out, u)
			}
		}
	}
	return out, nil
}

// fireSeverityTimer re-proposes the severity from the matrix as the
// incident stays open, and sets the next check.
func fireSeverityTimer(ctx context.Context, tx *tx, inc *warroom.Incident, done func() error) error {
	if !inc.State.Open() {
		return done()
	}
	audit := changes{}
	if err := repropose(ctx, tx, inc, audit); err != nil {
		return err
	}
	if len(audit) > 0 {
		if err := saveIncident(ctx, tx, inc); err != nil {
			return err
		}
		if err := writeAudit(ctx, tx, warroom.AuditIncidentUpdate, "incident", inc.ID, audit); err != nil {
			return err
		}
	}
	m, err := findSeverityMatrix(ctx, tx)
	if err != nil {
		return err
	}
	if due, ok := nextSeverityCheck(m, inc, tx.now); ok {
		return setTimer(ctx, tx, inc.ID, timerSeverity, &due)
	}
	return done()
}
