package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/warroomhq/warroom"
)

// outboxEntry is one row of the alert outbox.
type outboxEntry struct {
	id      int64
	alertID int64
	action  warroom.AlertAction
}

// RouteAlerts works through up to limit outbox entries in one transaction.
// On PostgreSQL the entries are claimed with SKIP LOCKED, so that several
// instances share the work without doing any of it twice.
func (db *DB) RouteAlerts(ctx context.Context, now time.Time, limit int) (warroom.RoutingReport, error) {
	var rep warroom.RoutingReport
	if limit <= 0 {
		limit = 500
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return rep, err
	}
	defer tx.rollback()
	tx.now = now.UTC().Truncate(time.Microsecond)
	q := `SELECT id, alert_id, action FROM alert_outbox ORDER BY id LIMIT ?`
	if tx.d.postgres {
		q += ` FOR UPDATE SKIP LOCKED`
	}
	rows, err := tx.query(ctx, q, limit)
	if err != nil {
		return rep, fmt.Errorf("route alerts: %w", err)
	}
	var entries []outboxEntry
	for rows.Next() {
		var e outboxEntry
		if err := rows.Scan(&e.id, &e.alertID, &e.action); err != nil {
			rows.Close()
			return rep, fmt.Errorf("route alerts: %w", err)
		}
		entries = append(entries, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return rep, fmt.Errorf("route alerts: %w", err)
	}
	if len(entries) == 0 {
		return rep, nil
	}
	r := &router{tx: tx, rules: map[int64][]*warroom.RoutingRule{}, windows: map[int64][]*warroom.MaintenanceWindow{}, flows: map[int64][]*warroom.Monitor{}, rep: &rep}
	ids := make([]any, len(entries))
	for i, e := range entries {
		ids[i] = e.id
		if err := r.route(ctx, e); err != nil {
			return rep, fmt.Errorf("route alert %d: %w", e.alertID, err)
		}
	}
	if _, err := tx.exec(ctx, `DELETE FROM alert_outbox WHERE id IN (`+placeholders(len(ids))+`)`, ids...); err != nil {
		return rep, fmt.Errorf("route alerts: %w", err)
	}
	return rep, tx.commit()
}

// router holds what one routing pass has loaded, per service.
type router struct {
	tx      *tx
	rules   map[int64][]*warroom.RoutingRule
	windows map[int64][]*warroom.MaintenanceWindow
	flows   map[int64][]*warroom.Monitor
	rep     *warroom.RoutingReport
}

func (r *router) serviceRules(ctx context.Context, serviceID int64) ([]*warroom.RoutingRule, error) {
	if rules, ok := r.rules[serviceID]; ok {
		return rules, nil
	}
	rules, err := findRules(ctx, r.tx, serviceID)
	r.rules[serviceID] = rules
	return rules, err
}

func (r *router) inMaintenance(ctx context.Context, serviceID int64, at time.Time) (bool, error) {
	ws, ok := r.windows[serviceID]
	if !ok {
		var err error
		ws, err = findMaintenanceWindows(ctx, r.tx, `service_id = ? AND ends_at > ?`, serviceID, r.tx.now.Add(-24*time.Hour))
		if err != nil {
			return false, err
		}
		r.windows[serviceID] = ws
	}
	for _, w := range ws {
		if w.Covers(at) {
			return true, nil
		}
	}
	return false, nil
}

func (r *router) route(ctx context.Context, e outboxEntry) error {
	a, err := findAlert(ctx, r.tx, e.alertID, true)
	if warroom.ErrorCode(err) == warroom.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	r.rep.Routed++
	rules, err := r.serviceRules(ctx, a.ServiceID)
	if err != nil {
		return err
	}
	if e.action == warroom.ActionResolve {
		return r.resolved(ctx, a, rules)
	}
	if err := r.countFlows(ctx, a); err != nil {
		return err
	}
	rule := warroom.MatchRule(rules, a)
	if rule == nil {
		rule = warroom.DefaultRoutingRule(a.ServiceID)
	}
	suppressed, err := r.inMaintenance(ctx, a.ServiceID, a.FirstSeenAt)
	if err != nil {
		return err
	}
	if suppressed {
		r.rep.Suppressed++
	}
	incidentID, err := r.place(ctx, a, rule, suppressed)
	if err != nil {
		return err
	}
	_, err = r.tx.exec(ctx, `UPDATE alerts SET routed = ?, suppressed = ?, rule_id = ?, incident_id = ? WHERE id = ?`,
		true, suppressed, nullID(rule.ID), nullIDPtr(incidentID), a.ID)
	return err
}

// place attaches a new alert to its group's open incident or opens one,
// as the rule says; it returns the incident, or nil.
func (r *router) place(ctx context.Context, a *warroom.Alert, rule *warroom.RoutingRule, suppressed bool) (*int64, error) {
	// An alert resolved before routing reached it, or one arriving in
	// maintenance, is kept but needs nobody.
	if suppressed || a.ResolvedAt != nil || a.IncidentID != nil {
		return a.IncidentID, nil
	}
	key := rule.GroupKey(a)
	if key != "" {
		var g group
		err := r.tx.queryRow(ctx, `SELECT g.incident_id, g.last_alert_at FROM alert_groups g JOIN incidents i ON i.id = g.incident_id
			WHERE g.service_id = ? AND g.rule_id = ? AND g.group_key = ? AND i.state NOT IN ('resolved', 'closed')`,
			a.ServiceID, rule.ID, key).Scan(&g.incidentID, scanTime(&g.lastAlertAt))
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("find alert group: %w", err)
		}
		window := time.Duration(rule.GroupWindowSeconds) * time.Second
		if err == nil && r.tx.now.Sub(g.lastAlertAt) < window {
			if _, err := addEvent(ctx, r.tx, g.incidentID, warroom.EventAlertAttached, "Alert attached: "+a.Summary, "", alertEventData(a, rule)); err != nil {
				return nil, err
			}
			if _, err := r.tx.exec(ctx, `UPDATE alert_groups SET last_alert_at = ? WHERE service_id = ? AND rule_id = ? AND group_key = ?`,
				r.tx.now, a.ServiceID, rule.ID, key); err != nil {
				return nil, fmt.Errorf("update alert group: %w", err)
			}
			r.rep.Attached++
			return &g.incidentID, nil
		}
	}
	if !rule.AutoOpen {
		return nil, nil
	}
	sev := rule.SeverityFor(a.Severity)
	inc := &warroom.Incident{
		Title:      alertTitle(a.Summary, warroom.MaxTitleLen),
		Summary:    a.Summary,
		Type:       warroom.TypeOther,
		Severity:   sev,
		ServiceIDs: []int64{a.ServiceID},
		DetectedAt: a.FirstSeenAt,
		// Read by declareIncident as the reason for a severity that differs
		// from the matrix's proposal.
		SeverityReason: fmt.Sprintf("alert severity %s mapped to %s by routing rule %q", a.Severity, sev, rule.Name),
	}
	if err := inc.Validate(); err != nil {
		return nil, fmt.Errorf("incident from alert: %w", err)
	}
	if err := declareIncident(ctx, r.tx, inc); err != nil {
		return nil, err
	}
	if _, err := addEvent(ctx, r.tx, inc.ID, warroom.EventAlertOpened, "Opened by alert: "+a.Summary, "", alertEventData(a, rule)); err != nil {
		return nil, err
	}
	if key != "" {
		if _, err := r.tx.exec(ctx, `INSERT INTO alert_groups (service_id, rule_id, group_key, incident_id, last_alert_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (service_id, rule_id, group_key) DO UPDATE SET incident_id = excluded.incident_id, last_alert_at = excluded.last_alert_at`,
			a.ServiceID, rule.ID, key, inc.ID, r.tx.now); err != nil {
			return nil, fmt.Errorf("open alert group: %w", err)
		}
	}
	r.rep.Opened = append(r.rep.Opened, inc.ID)
	return &inc.ID, nil
}

// resolved notes a resolved alert on its incident and, when the rule asks
// and it was the last open alert there, moves the incident to mitigated.
func (r *router) resolved(ctx context.Context, a *warroom.Alert, rules []*warroom.RoutingRule) error {
	if a.IncidentID == nil {
		return nil
	}
	id := *a.IncidentID
	var rule *warroom.RoutingRule
	for _, x := range rules {
		if a.RuleID != nil && x.ID == *a.RuleID {
			rule = x
		}
	}
	if rule == nil {
		rule = warroom.DefaultRoutingRule(a.ServiceID)
	}
	if _, err := addEvent(ctx, r.tx, id, warroom.EventAlertResolved, "Alert resolved: "+a.Summary, "", alertEventData(a, rule)); err != nil {
		return err
	}
	if !rule.MitigateOnResolve {
		return nil
	}
	var open int
	if err := r.tx.queryRow(ctx, `SELECT COUNT(*) FROM alerts WHERE incident_id = ? AND resolved_at IS NULL`, id).Scan(&open); err != nil {
		return fmt.Errorf("count open alerts: %w", err)
	}
	var state warroom.State
	if err := r.tx.queryRow(ctx, `SELECT state FROM incidents WHERE id = ?`, id).Scan(&state); err != nil {
		return fmt.Errorf("incident state: %w", err)
	}
	if open > 0 || !state.CanTransition(warroom.StateMitigated) {
		return nil
	}
	if _, err := transitionIncident(ctx, r.tx, id, warroom.StateMitigated, "Every alert on this incident has resolved."); err != nil {
		return err
	}
	r.rep.Mitigated = append(r.rep.Mitigated, id)
	return nil
}

// countFlows counts the alert for the service's flow monitors that watch
// alerts matching their matchers.
func (r *router) countFlows(ctx context.Context, a *warroom.Alert) error {
	ms, ok := r.flows[a.ServiceID]
	if !ok {
		var err error
		ms, _, err = findMonitors(ctx, r.tx, `service_id = ? AND kind = 'flow' AND matchers <> '[]'`, []any{a.ServiceID}, 0, warroom.MaxPageSize)
		if err != nil {
			return err
		}
		r.flows[a.ServiceID] = ms
	}
	for _, m := range ms {
		if len(m.Matchers) == 0 || !(&warroom.RoutingRule{Matchers: m.Matchers}).Matches(a) {
			continue
		}
		if _, err := r.tx.exec(ctx, `UPDATE monitors SET window_count = window_count + 1 WHERE id = ? AND window_start IS NOT NULL AND window_start <= ?`,
			m.ID, a.FirstSeenAt); err != nil {
			return fmt.Errorf("count flow: %w", err)
		}
	}
	return nil
}

func alertEventData(a *warroom.Alert, rule *warroom.RoutingRule) map[string]any {
	return map[string]any{
		"alert_id": a.ID, "dedup_key": a.DedupKey, "severity": a.Severity, "source": a.Source,
		"labels": a.Labels, "rule_id": rule.ID, "rule": rule.Name,
	}
}

// alertTitle cuts an alert summary to n runes for an incident title, marking the cut.
func alertTitle(s string, n int) string {
	s = strings.TrimSpace(s)
	if len([]rune(s)) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}
