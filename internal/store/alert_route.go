package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/warroomhq/warroom"
)

// outboxEntry is one alert of an outbox row.
type outboxEntry struct {
	alertID int64
	action  warroom.AlertAction
}

// RouteAlerts works through outbox rows in one transaction, taking rows
// until they hold at least limit alerts. On PostgreSQL the rows are claimed
// with SKIP LOCKED, so that several instances share the work without doing
// any of it twice.
func (db *DB) RouteAlerts(ctx context.Context, now time.Time, limit int) (warroom.RoutingReport, error) {
	var rep warroom.RoutingReport
	if limit <= 0 {
		limit = 500
	}
	stmts, err := db.alertStatements(ctx)
	if err != nil {
		return rep, err
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return rep, err
	}
	defer tx.rollback()
	tx.now = now.UTC().Truncate(time.Microsecond)
	q := `SELECT id, entries FROM alert_outbox ORDER BY id LIMIT ?`
	if tx.d.postgres {
		q += ` FOR UPDATE SKIP LOCKED`
	}
	rows, err := tx.query(ctx, q, min(limit, 100))
	if err != nil {
		return rep, fmt.Errorf("route alerts: %w", err)
	}
	var entries []outboxEntry
	var ids []any
	for rows.Next() && len(entries) < limit {
		var id int64
		var list string
		if err := rows.Scan(&id, &list); err != nil {
			rows.Close()
			return rep, fmt.Errorf("route alerts: %w", err)
		}
		ids = append(ids, id)
		for f := range strings.SplitSeq(list, ",") {
			n, err := strconv.ParseInt(f, 10, 64)
			if err != nil {
				rows.Close()
				return rep, fmt.Errorf("route alerts: outbox row %d: %w", id, err)
			}
			e := outboxEntry{alertID: n, action: warroom.ActionTrigger}
			if n < 0 {
				e = outboxEntry{alertID: -n, action: warroom.ActionResolve}
			}
			entries = append(entries, e)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return rep, fmt.Errorf("route alerts: %w", err)
	}
	if len(entries) == 0 {
		return rep, nil
	}
	r := newRouter(tx, stmts, &rep)
	alerts, err := loadAlerts(ctx, tx, entries)
	if err != nil {
		return rep, err
	}
	for _, e := range entries {
		a := alerts[e.alertID]
		if a == nil {
			continue
		}
		if err := r.route(ctx, e, a); err != nil {
			return rep, fmt.Errorf("route alert %d: %w", e.alertID, err)
		}
	}
	if err := r.finish(ctx); err != nil {
		return rep, err
	}
	if _, err := tx.exec(ctx, `DELETE FROM alert_outbox WHERE id IN (`+placeholders(len(ids))+`)`, ids...); err != nil {
		return rep, fmt.Errorf("route alerts: %w", err)
	}
	return rep, tx.commit()
}

// loadAlerts reads the alerts of a pass in one query, locked on PostgreSQL.
func loadAlerts(ctx context.Context, tx *tx, entries []outboxEntry) (map[int64]*warroom.Alert, error) {
	ids := make([]any, 0, len(entries))
	seen := map[int64]bool{}
	for _, e := range entries {
		if !seen[e.alertID] {
			seen[e.alertID] = true
			ids = append(ids, e.alertID)
		}
	}
	// Routing reads what rules match and events show, not the raw payload.
	rows, err := tx.query(ctx, `SELECT id, service_id, source, dedup_key, summary, severity, labels, first_seen_at, resolved_at, incident_id, rule_id
		FROM alerts WHERE id IN (`+placeholders(len(ids))+`)`+tx.d.forUpdate(), ids...)
	if err != nil {
		return nil, fmt.Errorf("load alerts: %w", err)
	}
	defer rows.Close()
	out := make(map[int64]*warroom.Alert, len(ids))
	for rows.Next() {
		var a warroom.Alert
		var labels string
		if err := rows.Scan(&a.ID, &a.ServiceID, &a.Source, &a.DedupKey, &a.Summary, &a.Severity, &labels, scanTime(&a.FirstSeenAt),
			scanNullTime(&a.ResolvedAt), scanIDPtr(&a.IncidentID), scanIDPtr(&a.RuleID)); err != nil {
			return nil, fmt.Errorf("load alerts: %w", err)
		}
		if err := json.Unmarshal([]byte(labels), &a.Labels); err != nil {
			return nil, fmt.Errorf("load alerts: alert %d labels: %w", a.ID, err)
		}
		out[a.ID] = &a
	}
	return out, rows.Err()
}

// router holds what one routing pass has loaded and what it will write at
// the end: a storm of alerts costs one multi-row update per outcome (the
// alerts attached to one incident share theirs), one timeline event per
// incident and one group update per group.
type router struct {
	tx       *tx
	rules    map[int64][]*warroom.RoutingRule
	windows  map[int64][]*warroom.MaintenanceWindow
	flows    map[int64][]*warroom.Monitor
	groups   map[groupID]*group
	attached map[int64][]*warroom.Alert // incident → alerts attached this pass
	order    []int64                    // incidents in attached, in order
	routed   map[routedAs][]int64       // alerts to mark routed, by outcome
	stmts    *alertStmts
	rep      *warroom.RoutingReport
}

// routedAs is what routing recorded on an alert; 0 is no rule (the
// default) or no incident.
type routedAs struct {
	suppressed         bool
	ruleID, incidentID int64
}

// groupID names an alert group.
type groupID struct {
	serviceID, ruleID int64
	key               string
}

func newRouter(tx *tx, stmts *alertStmts, rep *warroom.RoutingReport) *router {
	return &router{tx: tx, rules: map[int64][]*warroom.RoutingRule{}, windows: map[int64][]*warroom.MaintenanceWindow{},
		flows: map[int64][]*warroom.Monitor{}, groups: map[groupID]*group{}, attached: map[int64][]*warroom.Alert{},
		routed: map[routedAs][]int64{}, stmts: stmts, rep: rep}
}

// flushRouted marks the alerts routed so far, in multi-row updates of the
// prepared sizes.
func (r *router) flushRouted(ctx context.Context) error {
	args := make([]any, 0, 4+chunkSizes[0])
	for as, ids := range r.routed {
		for len(ids) > 0 {
			n, i := chunkSize(len(ids))
			st, err := bind(ctx, r.tx, r.stmts.routed[i], routedQuery(n))
			if err != nil {
				return fmt.Errorf("update alerts: %w", err)
			}
			args = append(args[:0], true, as.suppressed, nullID(as.ruleID), nullID(as.incidentID))
			for _, id := range ids[:n] {
				args = append(args, id)
			}
			if _, err := st.ExecContext(ctx, args...); err != nil {
				return fmt.Errorf("update alerts: %w", err)
			}
			ids = ids[n:]
		}
	}
	clear(r.routed)
	return nil
}

// finish writes what the pass collected: one alert_attached event per
// incident listing every alert attached to it, and the groups' last times.
func (r *router) finish(ctx context.Context) error {
	if err := r.flushRouted(ctx); err != nil {
		return err
	}
	for _, id := range r.order {
		as := r.attached[id]
		list := make([]map[string]any, len(as))
		for i, a := range as {
			list[i] = map[string]any{"alert_id": a.ID, "dedup_key": a.DedupKey, "summary": a.Summary, "severity": a.Severity, "labels": a.Labels}
		}
		text := "Alert attached: " + as[0].Summary
		if len(as) > 1 {
			text = fmt.Sprintf("%d alerts attached, first: %s", len(as), as[0].Summary)
		}
		if _, err := addEvent(ctx, r.tx, id, warroom.EventAlertAttached, text, "", map[string]any{"alerts": list}); err != nil {
			return err
		}
	}
	for id, g := range r.groups {
		if !g.touched {
			continue
		}
		if _, err := r.tx.exec(ctx, `INSERT INTO alert_groups (service_id, rule_id, group_key, incident_id, last_alert_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (service_id, rule_id, group_key) DO UPDATE SET incident_id = excluded.incident_id, last_alert_at = excluded.last_alert_at`,
			id.serviceID, id.ruleID, id.key, g.incidentID, g.lastAlertAt); err != nil {
			return fmt.Errorf("save alert group: %w", err)
		}
	}
	return nil
}

// findGroup returns the open group of an alert, from this pass or the
// database; nil when there is none.
func (r *router) findGroup(ctx context.Context, id groupID) (*group, error) {
	if g, ok := r.groups[id]; ok {
		return g, nil
	}
	var g group
	err := r.tx.queryRow(ctx, `SELECT g.incident_id, g.last_alert_at FROM alert_groups g JOIN incidents i ON i.id = g.incident_id
		WHERE g.service_id = ? AND g.rule_id = ? AND g.group_key = ? AND i.state NOT IN ('resolved', 'closed')`,
		id.serviceID, id.ruleID, id.key).Scan(&g.incidentID, scanTime(&g.lastAlertAt))
	if errors.Is(err, sql.ErrNoRows) {
		r.groups[id] = nil
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("find alert group: %w", err)
	}
	r.groups[id] = &g
	return &g, nil
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

func (r *router) route(ctx context.Context, e outboxEntry, a *warroom.Alert) error {
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
	a.IncidentID = incidentID
	as := routedAs{suppressed: suppressed, ruleID: rule.ID}
	if incidentID != nil {
		as.incidentID = *incidentID
	}
	r.routed[as] = append(r.routed[as], a.ID)
	return nil
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
	gid := groupID{a.ServiceID, rule.ID, key}
	if key != "" {
		g, err := r.findGroup(ctx, gid)
		if err != nil {
			return nil, err
		}
		if g != nil && r.tx.now.Sub(g.lastAlertAt) < time.Duration(rule.GroupWindowSeconds)*time.Second {
			if _, ok := r.attached[g.incidentID]; !ok {
				r.order = append(r.order, g.incidentID)
			}
			r.attached[g.incidentID] = append(r.attached[g.incidentID], a)
			g.lastAlertAt, g.touched = r.tx.now, true
			r.rep.Attached++
			id := g.incidentID
			return &id, nil
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
		r.groups[gid] = &group{incidentID: inc.ID, lastAlertAt: r.tx.now, touched: true}
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
	// The count must see the alerts this pass attached to the incident.
	if err := r.flushRouted(ctx); err != nil {
		return err
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
