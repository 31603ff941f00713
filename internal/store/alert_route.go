package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
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
//
// A pass routes its alerts straight through. If one alert fails, the pass
// is rolled back and run again with each alert in a savepoint: the failing
// alert is recorded on its row and retried later with back-off, and the
// rest commit. The fast path pays nothing for that.
func (db *DB) RouteAlerts(ctx context.Context, now time.Time, limit int) (warroom.RoutingReport, error) {
	rep, err := db.routeAlerts(ctx, now, limit, false)
	var f *alertFailure
	if errors.As(err, &f) && ctx.Err() == nil {
		return db.routeAlerts(ctx, now, limit, true)
	}
	return rep, err
}

// alertFailure is an error routing one alert, as opposed to one of the
// pass as a whole.
type alertFailure struct {
	alertID int64
	err     error
}

func (f *alertFailure) Error() string { return fmt.Sprintf("route alert %d: %v", f.alertID, f.err) }
func (f *alertFailure) Unwrap() error { return f.err }

// maxRoutingFailures is how often an alert is retried before routing gives
// up on it; the alert stays on record with its error.
const maxRoutingFailures = 10

func (db *DB) routeAlerts(ctx context.Context, now time.Time, limit int, careful bool) (warroom.RoutingReport, error) {
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
	// The pass works at the later of the tick's time and the time its
	// transaction began: alerts committed after the tick started must not
	// look as if they came from the future.
	if n := now.UTC().Truncate(time.Microsecond); n.After(tx.now) {
		tx.now = n
	}
	q := `SELECT id, entries FROM alert_outbox WHERE not_before IS NULL OR not_before <= ? ORDER BY id LIMIT ?`
	if tx.d.postgres {
		q += ` FOR UPDATE SKIP LOCKED`
	}
	rows, err := tx.query(ctx, q, tx.now, min(limit, 100))
	if err != nil {
		return rep, fmt.Errorf("route alerts: %w", err)
	}
	var entries []outboxEntry
	var ids []int64
	var ends []int // ends[i]: entries of the rows up to ids[i]
	for rows.Next() && len(entries) < limit {
		var id int64
		var list string
		if err := rows.Scan(&id, &list); err != nil {
			rows.Close()
			return rep, fmt.Errorf("route alerts: %w", err)
		}
		ids = append(ids, id)
		for f := range strings.SplitSeq(list, ",") {
			e, err := parseOutboxEntry(f)
			if err != nil {
				rows.Close()
				return rep, fmt.Errorf("route alerts: outbox row %d: %w", id, err)
			}
			entries = append(entries, e)
		}
		ends = append(ends, len(entries))
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
	if err := r.prefetch(ctx, entries, alerts); err != nil {
		return rep, err
	}
	done := len(entries)
	for i, e := range entries {
		// A pass that has opened enough incidents commits, so that their
		// pages go out now rather than after the whole storm is routed.
		if len(rep.Opened) >= maxOpenedPerPass {
			done, rep.More = i, true
			break
		}
		a := alerts[e.alertID]
		if a == nil {
			continue
		}
		if !careful {
			if err := r.route(ctx, e, a); err != nil {
				if ctx.Err() != nil {
					return rep, err
				}
				return rep, &alertFailure{alertID: e.alertID, err: err}
			}
			continue
		}
		err := tx.eachRow(ctx, func() error { return r.route(ctx, e, a) }, func(ferr error) error {
			rep.Failed++
			return db.routingFailed(ctx, tx, e, ferr)
		})
		if err != nil {
			return rep, fmt.Errorf("route alert %d: %w", e.alertID, err)
		}
	}
	if err := r.finish(ctx); err != nil {
		return rep, err
	}
	if err := consumeOutbox(ctx, tx, ids, ends, entries, done); err != nil {
		return rep, err
	}
	return rep, tx.commit()
}

// maxOpenedPerPass bounds the incidents one routing pass opens before it
// commits.
const maxOpenedPerPass = 50

// consumeOutbox deletes the outbox rows whose entries the pass routed (the
// first done) and keeps the rest of a row it routed only part of.
func consumeOutbox(ctx context.Context, tx *tx, ids []int64, ends []int, entries []outboxEntry, done int) error {
	var gone []int64
	start := 0
	for i, id := range ids {
		switch {
		case ends[i] <= done:
			gone = append(gone, id)
		case start < done:
			rest := make([]string, 0, ends[i]-done)
			for _, e := range entries[done:ends[i]] {
				rest = append(rest, formatOutboxEntry(e))
			}
			if _, err := tx.exec(ctx, `UPDATE alert_outbox SET entries = ? WHERE id = ?`, strings.Join(rest, ","), id); err != nil {
				return fmt.Errorf("route alerts: %w", err)
			}
		}
		start = ends[i]
	}
	if len(gone) == 0 {
		return nil
	}
	if _, err := tx.exec(ctx, `DELETE FROM alert_outbox WHERE id IN (`+placeholders(len(gone))+`)`, idArgs(gone)...); err != nil {
		return fmt.Errorf("route alerts: %w", err)
	}
	return nil
}

// parseOutboxEntry reads one entry of an outbox row: an alert ID, negative
// for a resolve, prefixed with "a" for an acknowledge.
func parseOutboxEntry(f string) (outboxEntry, error) {
	action := warroom.ActionTrigger
	if rest, ok := strings.CutPrefix(f, "a"); ok {
		f, action = rest, warroom.ActionAcknowledge
	}
	n, err := strconv.ParseInt(f, 10, 64)
	if err != nil {
		return outboxEntry{}, err
	}
	if n < 0 {
		n, action = -n, warroom.ActionResolve
	}
	return outboxEntry{alertID: n, action: action}, nil
}

// formatOutboxEntry is parseOutboxEntry's inverse.
func formatOutboxEntry(e outboxEntry) string {
	switch e.action {
	case warroom.ActionResolve:
		return "-" + strconv.FormatInt(e.alertID, 10)
	case warroom.ActionAcknowledge:
		return "a" + strconv.FormatInt(e.alertID, 10)
	}
	return strconv.FormatInt(e.alertID, 10)
}

// routingFailed records on the alert why routing it failed and, until it
// has failed maxRoutingFailures times, queues it again after a back-off.
func (db *DB) routingFailed(ctx context.Context, tx *tx, e outboxEntry, ferr error) error {
	var failures int
	err := tx.queryRow(ctx, `UPDATE alerts SET routing_error = ?, routing_failures = routing_failures + 1 WHERE id = ? RETURNING routing_failures`,
		errorText(ferr), e.alertID).Scan(&failures)
	if err != nil {
		return fmt.Errorf("record routing failure: %w", err)
	}
	db.logger.Error("alert could not be routed", "alert", e.alertID, "failures", failures, "err", ferr)
	if failures >= maxRoutingFailures {
		return nil
	}
	if _, err := tx.exec(ctx, `INSERT INTO alert_outbox (entries, at, not_before) VALUES (?, ?, ?)`,
		formatOutboxEntry(e), tx.now, tx.now.Add(rowBackoff(failures))); err != nil {
		return fmt.Errorf("record routing failure: %w", err)
	}
	return nil
}

// loadAlerts reads the alerts of a pass in one query, locked on PostgreSQL.
func loadAlerts(ctx context.Context, tx *tx, entries []outboxEntry) (map[int64]*routedAlert, error) {
	ids := make([]any, 0, len(entries))
	seen := map[int64]bool{}
	for _, e := range entries {
		if !seen[e.alertID] {
			seen[e.alertID] = true
			ids = append(ids, e.alertID)
		}
	}
	// Routing reads what rules match and events show, not the raw payload.
	rows, err := tx.query(ctx, `SELECT id, service_id, scope, source, dedup_key, summary, severity, labels, first_seen_at, resolved_at, incident_id,
		rule_id, group_key FROM alerts WHERE id IN (`+placeholders(len(ids))+`)`+tx.d.forUpdate(), ids...)
	if err != nil {
		return nil, fmt.Errorf("load alerts: %w", err)
	}
	defer rows.Close()
	out := make(map[int64]*routedAlert, len(ids))
	for rows.Next() {
		var ra routedAlert
		a := &ra.Alert
		var labels string
		if err := rows.Scan(&a.ID, &a.ServiceID, &ra.scope, &a.Source, &a.DedupKey, &a.Summary, &a.Severity, &labels, scanTime(&a.FirstSeenAt),
			scanNullTime(&a.ResolvedAt), scanIDPtr(&a.IncidentID), scanIDPtr(&a.RuleID), &a.GroupKey); err != nil {
			return nil, fmt.Errorf("load alerts: %w", err)
		}
		if err := json.Unmarshal([]byte(labels), &a.Labels); err != nil {
			return nil, fmt.Errorf("load alerts: alert %d labels: %w", a.ID, err)
		}
		out[a.ID] = &ra
	}
	return out, rows.Err()
}

// routedAlert is an alert as routing sees it, with its dedup scope.
type routedAlert struct {
	warroom.Alert
	scope string
}

// router holds what one routing pass has loaded and what it will write at
// the end: a storm of alerts costs one multi-row update per outcome (the
// alerts attached to one incident share theirs), one timeline event per
// incident and one group update per group.
//
// route changes the router's memory only once nothing can fail any more,
// so that an alert whose savepoint is rolled back leaves no trace.
type router struct {
	tx       *tx
	rules    map[int64][]*warroom.RoutingRule
	windows  map[int64][]*warroom.MaintenanceWindow
	flows    map[int64][]*warroom.Monitor
	services map[int64]*warroom.Service
	storms   map[int64]int    // service → incidents alerts opened in its storm window
	fires    map[alertKey]int // recent alerts of a key, read up front for flap detection
	groups   map[groupID]*group
	attached map[int64][]*warroom.Alert // incident → alerts attached this pass
	order    []int64                    // incidents in attached, in order
	resolved map[int64][]*warroom.Alert // incident → its alerts resolved this pass
	resOrder []int64
	acked    map[int64]*warroom.Alert // incident → the alert that acknowledged it
	ackOrder []int64
	flapping []int64
	routed   map[routedAs][]int64 // alerts to mark routed, by outcome
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

// stormKey is the group of a service's alert-storm incident.
const stormKey = "\x1fstorm"

func newRouter(tx *tx, stmts *alertStmts, rep *warroom.RoutingReport) *router {
	return &router{tx: tx, rules: map[int64][]*warroom.RoutingRule{}, windows: map[int64][]*warroom.MaintenanceWindow{},
		flows: map[int64][]*warroom.Monitor{}, services: map[int64]*warroom.Service{}, storms: map[int64]int{}, fires: map[alertKey]int{},
		groups: map[groupID]*group{}, attached: map[int64][]*warroom.Alert{}, resolved: map[int64][]*warroom.Alert{},
		acked: map[int64]*warroom.Alert{}, routed: map[routedAs][]int64{}, stmts: stmts, rep: rep}
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
// incident listing every alert attached to it, the groups' last times,
// the flapping marks, then what acknowledged and resolved alerts do to
// their incidents.
func (r *router) finish(ctx context.Context) error {
	if err := r.flushRouted(ctx); err != nil {
		return err
	}
	for _, id := range r.order {
		as := r.attached[id]
		text := "Alert attached: " + as[0].Summary
		if len(as) > 1 {
			text = fmt.Sprintf("%d alerts attached, first: %s", len(as), as[0].Summary)
		}
		if _, err := addEvent(ctx, r.tx, id, warroom.EventAlertAttached, text, "", map[string]any{"alerts": alertList(as), "count": len(as)}); err != nil {
			return err
		}
	}
	if err := r.saveGroups(ctx); err != nil {
		return err
	}
	for ids := r.flapping; len(ids) > 0; {
		n := min(len(ids), 500)
		if _, err := r.tx.exec(ctx, `UPDATE alerts SET flapping = ? WHERE id IN (`+placeholders(n)+`)`, append([]any{true}, idArgs(ids[:n])...)...); err != nil {
			return fmt.Errorf("mark flapping: %w", err)
		}
		ids = ids[n:]
	}
	for _, id := range r.ackOrder {
		if err := r.acknowledge(ctx, id, r.acked[id]); err != nil {
			return err
		}
	}
	for _, id := range r.resOrder {
		if err := r.settle(ctx, id, r.resolved[id]); err != nil {
			return err
		}
	}
	return nil
}

// saveGroups writes the groups the pass touched in multi-row upserts, in
// key order so that concurrent passes on PostgreSQL lock them in the same
// order.
func (r *router) saveGroups(ctx context.Context) error {
	var ids []groupID
	for id, g := range r.groups {
		if g != nil && g.touched {
			ids = append(ids, id)
		}
	}
	slices.SortFunc(ids, func(a, b groupID) int {
		return cmp.Or(cmp.Compare(a.serviceID, b.serviceID), cmp.Compare(a.ruleID, b.ruleID), strings.Compare(a.key, b.key))
	})
	for len(ids) > 0 {
		n := min(len(ids), 100)
		args := make([]any, 0, 5*n)
		for _, id := range ids[:n] {
			g := r.groups[id]
			args = append(args, id.serviceID, id.ruleID, id.key, g.incidentID, g.lastAlertAt)
		}
		q := `INSERT INTO alert_groups (service_id, rule_id, group_key, incident_id, last_alert_at) VALUES ` +
			strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?), ", n), ", ") +
			` ON CONFLICT (service_id, rule_id, group_key) DO UPDATE SET incident_id = excluded.incident_id, last_alert_at = excluded.last_alert_at`
		if _, err := r.tx.exec(ctx, q, args...); err != nil {
			return fmt.Errorf("save alert groups: %w", err)
		}
		ids = ids[n:]
	}
	return nil
}

// prefetch reads in a few queries what routing the pass's new alerts
// would otherwise ask one alert at a time: the open groups their rules put
// them in, and how often their keys fired lately. A storm of distinct
// alerts then costs a handful of queries, not two per alert.
func (r *router) prefetch(ctx context.Context, entries []outboxEntry, alerts map[int64]*routedAlert) error {
	type ruleRef struct{ serviceID, ruleID int64 }
	keys := map[ruleRef][]string{}
	fires := map[string][]string{} // scope → dedup keys
	scopeService := map[string]int64{}
	for _, e := range entries {
		ra := alerts[e.alertID]
		if e.action != warroom.ActionTrigger || ra == nil || ra.ResolvedAt != nil || ra.IncidentID != nil {
			continue
		}
		a := &ra.Alert
		rules, err := r.serviceRules(ctx, a.ServiceID)
		if err != nil {
			return err
		}
		rule := warroom.MatchRule(rules, a)
		if rule == nil {
			rule = warroom.DefaultRoutingRule(a.ServiceID)
		}
		if k := rule.GroupKey(a); k != "" {
			ref := ruleRef{a.ServiceID, rule.ID}
			if _, ok := r.groups[groupID{a.ServiceID, rule.ID, k}]; !ok {
				keys[ref] = append(keys[ref], k)
				r.groups[groupID{a.ServiceID, rule.ID, k}] = nil
			}
		}
		fires[ra.scope] = append(fires[ra.scope], ra.DedupKey)
		scopeService[ra.scope] = a.ServiceID
	}
	for ref, ks := range keys {
		for len(ks) > 0 {
			n := min(len(ks), 500)
			args := append([]any{ref.serviceID, ref.ruleID}, stringArgs(ks[:n])...)
			rows, err := r.tx.query(ctx, `SELECT g.group_key, g.incident_id, g.last_alert_at FROM alert_groups g JOIN incidents i ON i.id = g.incident_id
				WHERE g.service_id = ? AND g.rule_id = ? AND g.group_key IN (`+placeholders(n)+`) AND i.state NOT IN ('resolved', 'closed')`, args...)
			if err != nil {
				return fmt.Errorf("find alert groups: %w", err)
			}
			for rows.Next() {
				var k string
				var g group
				if err := rows.Scan(&k, &g.incidentID, scanTime(&g.lastAlertAt)); err != nil {
					rows.Close()
					return fmt.Errorf("find alert groups: %w", err)
				}
				r.groups[groupID{ref.serviceID, ref.ruleID, k}] = &g
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return fmt.Errorf("find alert groups: %w", err)
			}
			ks = ks[n:]
		}
	}
	for sc, ks := range fires {
		svc, err := r.service(ctx, scopeService[sc])
		if err != nil {
			return err
		}
		h := svc.AlertHandling
		if h.FlapThreshold <= 0 {
			continue
		}
		since := r.tx.now.Add(-time.Duration(h.FlapWindowSeconds) * time.Second)
		slices.Sort(ks)
		ks = slices.Compact(ks)
		for _, k := range ks {
			r.fires[alertKey{sc, k}] = 0
		}
		for len(ks) > 0 {
			n := min(len(ks), 500)
			args := append(append([]any{sc}, stringArgs(ks[:n])...), since)
			rows, err := r.tx.query(ctx, `SELECT dedup_key, COUNT(*) FROM alerts WHERE scope = ? AND dedup_key IN (`+placeholders(n)+`)
				AND first_seen_at >= ? GROUP BY dedup_key`, args...)
			if err != nil {
				return fmt.Errorf("count flaps: %w", err)
			}
			for rows.Next() {
				var k string
				var c int
				if err := rows.Scan(&k, &c); err != nil {
					rows.Close()
					return fmt.Errorf("count flaps: %w", err)
				}
				r.fires[alertKey{sc, k}] = c
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return fmt.Errorf("count flaps: %w", err)
			}
			ks = ks[n:]
		}
	}
	return nil
}

func stringArgs(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// maxEventAlerts bounds the alerts one timeline event lists: a storm's
// event says how many there were and shows the first ones.
const maxEventAlerts = 50

func alertList(as []*warroom.Alert) []map[string]any {
	list := make([]map[string]any, min(len(as), maxEventAlerts))
	for i, a := range as[:len(list)] {
		list[i] = map[string]any{"alert_id": a.ID, "dedup_key": a.DedupKey, "summary": a.Summary, "severity": a.Severity, "labels": a.Labels}
	}
	return list
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
	if err == nil {
		r.rules[serviceID] = rules
	}
	return rules, err
}

func (r *router) service(ctx context.Context, id int64) (*warroom.Service, error) {
	if s, ok := r.services[id]; ok {
		return s, nil
	}
	s, err := findService(ctx, r.tx, "s.id = ?", id, false)
	if err == nil {
		r.services[id] = s
	}
	return s, err
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

func (r *router) route(ctx context.Context, e outboxEntry, ra *routedAlert) error {
	a := &ra.Alert
	rules, err := r.serviceRules(ctx, a.ServiceID)
	if err != nil {
		return err
	}
	switch e.action {
	case warroom.ActionResolve:
		r.rep.Routed++
		if a.IncidentID != nil {
			id := *a.IncidentID
			if _, ok := r.resolved[id]; !ok {
				r.resOrder = append(r.resOrder, id)
			}
			r.resolved[id] = append(r.resolved[id], a)
		}
		return nil
	case warroom.ActionAcknowledge:
		r.rep.Routed++
		if a.IncidentID != nil {
			if _, ok := r.acked[*a.IncidentID]; !ok {
				r.ackOrder = append(r.ackOrder, *a.IncidentID)
				r.acked[*a.IncidentID] = a
			}
		}
		return nil
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
	p, err := r.place(ctx, ra, rule, suppressed)
	if err != nil {
		return err
	}
	// Nothing below can fail: the pass's memory changes from here on.
	r.rep.Routed++
	if suppressed {
		r.rep.Suppressed++
	}
	p.apply(r, a)
	as := routedAs{suppressed: suppressed, ruleID: rule.ID}
	if a.IncidentID != nil {
		as.incidentID = *a.IncidentID
	}
	r.routed[as] = append(r.routed[as], a.ID)
	return nil
}

// placement is where place put an alert, applied to the router's memory
// once the alert can no longer fail.
type placement struct {
	incidentID int64 // 0: none
	opened     bool
	stormed    bool
	flapping   bool
	attach     bool // attached to an existing incident
	// groups are the groups that now lead to incidentID.
	groups []groupID
}

func (p *placement) apply(r *router, a *warroom.Alert) {
	if p.incidentID == 0 {
		return
	}
	id := p.incidentID
	a.IncidentID = &id
	for _, gid := range p.groups {
		g := r.groups[gid]
		if g == nil || g.incidentID != id {
			g = &group{incidentID: id}
			r.groups[gid] = g
		}
		g.lastAlertAt, g.touched = r.tx.now, true
	}
	if p.attach {
		if _, ok := r.attached[id]; !ok {
			r.order = append(r.order, id)
		}
		r.attached[id] = append(r.attached[id], a)
		r.rep.Attached++
	}
	if p.opened {
		r.rep.Opened = append(r.rep.Opened, id)
		r.storms[a.ServiceID]++
	}
	if p.stormed {
		r.rep.Stormed++
	}
	if p.flapping {
		r.flapping = append(r.flapping, a.ID)
		r.rep.Flapping++
	}
}

// place decides where a new alert goes: its group's open incident, the
// key's last incident when it flaps, the service's storm incident, a new
// incident, or none, as the rule and the service say.
func (r *router) place(ctx context.Context, ra *routedAlert, rule *warroom.RoutingRule, suppressed bool) (*placement, error) {
	a := &ra.Alert
	if run := drillAlertRun(ra); run > 0 && a.IncidentID == nil && a.ResolvedAt == nil {
		return r.placeDrill(ctx, a, run)
	}
	p := &placement{}
	// An alert resolved before routing reached it, or one arriving in
	// maintenance, is kept but needs nobody.
	if suppressed || a.ResolvedAt != nil {
		return p, nil
	}
	if a.IncidentID != nil {
		p.incidentID = *a.IncidentID
		return p, nil
	}
	key := rule.GroupKey(a)
	gid := groupID{a.ServiceID, rule.ID, key}
	if key != "" {
		p.groups = []groupID{gid}
		g, err := r.findGroup(ctx, gid)
		if err != nil {
			return nil, err
		}
		if g != nil && r.tx.now.Sub(g.lastAlertAt) < rule.GroupWindow() {
			p.incidentID, p.attach = g.incidentID, true
			return p, nil
		}
	}
	if !rule.AutoOpen {
		p.groups = nil
		return p, nil
	}
	svc, err := r.service(ctx, a.ServiceID)
	if err != nil {
		return nil, err
	}
	h := svc.AlertHandling
	if last, err := r.flaps(ctx, ra, h); err != nil {
		return nil, err
	} else if last != 0 {
		p.incidentID, p.attach, p.flapping = last, true, true
		return p, nil
	}
	if storming, err := r.storming(ctx, a.ServiceID, h); err != nil {
		return nil, err
	} else if storming {
		// Only the storm's group leads to the storm incident: an alert's own
		// group opens an incident of its own once the storm has passed.
		sid := groupID{a.ServiceID, 0, stormKey}
		p.groups = []groupID{sid}
		g, err := r.findGroup(ctx, sid)
		if err != nil {
			return nil, err
		}
		p.stormed = true
		if g != nil {
			p.incidentID, p.attach = g.incidentID, true
			return p, nil
		}
		id, err := r.open(ctx, a, rule, stormIncident(svc, h, a))
		if err != nil {
			return nil, err
		}
		p.incidentID, p.opened = id, true
		return p, nil
	}
	id, err := r.open(ctx, a, rule, nil)
	if err != nil {
		return nil, err
	}
	p.incidentID, p.opened = id, true
	return p, nil
}

// stormIncident is the one incident a service's storm opens.
func stormIncident(svc *warroom.Service, h *warroom.AlertHandling, a *warroom.Alert) *warroom.Incident {
	return &warroom.Incident{
		Title: alertTitle("Alert storm on "+svc.Name, warroom.MaxTitleLen),
		Summary: fmt.Sprintf("Alerts opened %d incidents on %s within %s; until the storm passes, further alerts join this incident "+
			"instead of opening their own. First: %s", h.StormThreshold, svc.Name, time.Duration(h.StormWindowSeconds)*time.Second, a.Summary),
	}
}

// open declares an incident for an alert; inc, when given, supplies the
// title and summary.
func (r *router) open(ctx context.Context, a *warroom.Alert, rule *warroom.RoutingRule, inc *warroom.Incident) (int64, error) {
	if inc == nil {
		inc = &warroom.Incident{Title: alertTitle(a.Summary, warroom.MaxTitleLen), Summary: a.Summary}
	}
	sev := rule.SeverityFor(a.Severity)
	inc.Type, inc.Severity, inc.ServiceIDs = warroom.TypeOther, sev, []int64{a.ServiceID}
	// PostgreSQL's snapshot may show an alert committed after this
	// transaction took its time; it did not happen later than now.
	inc.DetectedAt = a.FirstSeenAt
	if inc.DetectedAt.After(r.tx.now) {
		inc.DetectedAt = r.tx.now
	}
	// Read by declareIncident as the reason for a severity that differs
	// from the matrix's proposal.
	inc.SeverityReason = fmt.Sprintf("alert severity %s mapped to %s by routing rule %q", a.Severity, sev, rule.Name)
	if err := inc.Validate(); err != nil {
		return 0, fmt.Errorf("incident from alert: %w", err)
	}
	if err := declareIncident(ctx, r.tx, inc); err != nil {
		return 0, err
	}
	if _, err := addEvent(ctx, r.tx, inc.ID, warroom.EventAlertOpened, "Opened by alert: "+a.Summary, "", alertEventData(a, rule)); err != nil {
		return 0, err
	}
	return inc.ID, nil
}

// flaps returns the last incident of the alert's key when the key has
// fired more often than the service allows within its flap window, 0
// otherwise.
func (r *router) flaps(ctx context.Context, ra *routedAlert, h *warroom.AlertHandling) (int64, error) {
	if h.FlapThreshold <= 0 {
		return 0, nil
	}
	// prefetch counted every new alert's key of a service that detects
	// flapping.
	n := r.fires[alertKey{ra.scope, ra.DedupKey}]
	if n <= h.FlapThreshold {
		return 0, nil
	}
	var id int64
	err := r.tx.queryRow(ctx, `SELECT incident_id FROM alerts WHERE scope = ? AND dedup_key = ? AND incident_id IS NOT NULL AND id < ? ORDER BY id DESC LIMIT 1`,
		ra.scope, ra.DedupKey, ra.ID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	} else if err != nil {
		return 0, fmt.Errorf("find flapping incident: %w", err)
	}
	return id, nil
}

// storming reports whether alerts have opened the service's storm
// threshold of incidents within its storm window. Only the service's most
// recent incidents are read, so the check costs the same on a service
// with a long history.
func (r *router) storming(ctx context.Context, serviceID int64, h *warroom.AlertHandling) (bool, error) {
	if h.StormThreshold <= 0 {
		return false, nil
	}
	n, ok := r.storms[serviceID]
	if !ok {
		since := r.tx.now.Add(-time.Duration(h.StormWindowSeconds) * time.Second)
		err := r.tx.queryRow(ctx, `SELECT COUNT(*) FROM (SELECT i.created_at, i.created_by FROM incident_services s JOIN incidents i ON i.id = s.incident_id
			WHERE s.service_id = ? ORDER BY s.incident_id DESC LIMIT ?) recent WHERE created_at >= ? AND created_by IS NULL`,
			serviceID, h.StormThreshold, since).Scan(&n)
		if err != nil {
			return false, fmt.Errorf("count storm: %w", err)
		}
		r.storms[serviceID] = n
	}
	return n >= h.StormThreshold, nil
}

// acknowledge acknowledges an incident whose alert its source
// acknowledged, as PagerDuty does; an incident already past triggered is
// left as it is.
func (r *router) acknowledge(ctx context.Context, id int64, a *warroom.Alert) error {
	var state warroom.State
	if err := r.tx.queryRow(ctx, `SELECT state FROM incidents WHERE id = ?`, id).Scan(&state); err != nil {
		return fmt.Errorf("incident state: %w", err)
	}
	if state != warroom.StateTriggered {
		return nil
	}
	note := fmt.Sprintf("Acknowledged by %s: %s", a.Source, a.Summary)
	if _, err := transitionIncident(ctx, r.tx, id, warroom.StateAcknowledged, alertTitle(note, warroom.MaxTextLen)); err != nil {
		return err
	}
	r.rep.Acknowledged = append(r.rep.Acknowledged, id)
	return nil
}

// settle notes the alerts resolved on an incident in one event and, when
// none of its alerts is open any more, stops its escalation and resolves
// it (or moves it to mitigated, or leaves it for a person) as the rule and
// the service say.
func (r *router) settle(ctx context.Context, id int64, as []*warroom.Alert) error {
	text := "Alert resolved: " + as[0].Summary
	if len(as) > 1 {
		text = fmt.Sprintf("%d alerts resolved, first: %s", len(as), as[0].Summary)
	}
	if _, err := addEvent(ctx, r.tx, id, warroom.EventAlertResolved, text, "", map[string]any{"alerts": alertList(as), "count": len(as)}); err != nil {
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
	if open > 0 || !state.Open() {
		return nil
	}
	mitigate := false
	rules, err := r.serviceRules(ctx, as[0].ServiceID)
	if err != nil {
		return err
	}
	for _, a := range as {
		for _, x := range rules {
			if a.RuleID != nil && x.ID == *a.RuleID && x.MitigateOnResolve {
				mitigate = true
			}
		}
	}
	svc, err := r.service(ctx, as[0].ServiceID)
	if err != nil {
		return err
	}
	switch {
	case mitigate && state.CanTransition(warroom.StateMitigated):
		if _, err := transitionIncident(ctx, r.tx, id, warroom.StateMitigated, "Every alert on this incident has resolved."); err != nil {
			return err
		}
		r.rep.Mitigated = append(r.rep.Mitigated, id)
	case !mitigate && svc.AlertHandling.ResolveIncidents && state.CanTransition(warroom.StateResolved):
		if _, err := transitionIncident(ctx, r.tx, id, warroom.StateResolved, "Every alert on this incident has resolved."); err != nil {
			return err
		}
		r.rep.Resolved = append(r.rep.Resolved, id)
	default:
		// Left open for a person, but nobody needs paging for it any more.
		if err := stopIncidentEscalations(ctx, r.tx, id, "alerts_resolved"); err != nil {
			return err
		}
	}
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
