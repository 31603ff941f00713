package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/warroomhq/warroom"
)

var _ warroom.AlertService = (*DB)(nil)

// IngestAlerts stores every batch in one transaction: the group commit of
// the ingest endpoints, which hand it the requests that arrived while the
// previous commit was being written.
func (db *DB) IngestAlerts(ctx context.Context, batches []*warroom.AlertBatch) error {
	for _, b := range batches {
		if b.ServiceID <= 0 || (b.IntegrationID <= 0) == (b.MonitorID <= 0) {
			return warroom.Errorf(warroom.EINVALID, "a batch needs a service and either an integration or a monitor")
		}
		for _, ev := range b.Events {
			if err := ev.Validate(); err != nil {
				return err
			}
		}
	}
	stmts, err := db.alertStatements(ctx)
	if err != nil {
		return err
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	w := newAlertWriter(tx, stmts)
	for _, b := range batches {
		if err := w.write(ctx, b); err != nil {
			return err
		}
	}
	if err := w.flush(ctx); err != nil {
		return err
	}
	return tx.commit()
}

// alertWriter holds what one ingest transaction writes: triggers queued
// for multi-row upserts and the alerts routing must look at, written as
// one outbox row.
type alertWriter struct {
	tx            *tx
	stmts         *alertStmts
	now           any // tx.now as the engine stores it, formatted once
	pending       map[alertKey]*pendingTrigger
	order         []alertKey // queued keys in arrival order
	sorted        []alertKey
	args          []any
	outboxIDs     []int64
	outboxActions []warroom.AlertAction
}

// newAlertWriter starts a writer in tx; stmts nil means the transaction
// prepares its own.
func newAlertWriter(tx *tx, stmts *alertStmts) *alertWriter {
	if stmts == nil {
		stmts = &alertStmts{}
	}
	return &alertWriter{tx: tx, stmts: stmts, now: tx.d.time(tx.now), pending: map[alertKey]*pendingTrigger{}}
}

// drillScope is the dedup scope of the alerts drills inject.
const drillScope = "drill"

// scope is the namespace dedup keys are unique in: PagerDuty's "per routing
// key", and one per monitor.
func scope(b *warroom.AlertBatch) string {
	if b.IntegrationID <= 0 && b.MonitorID <= 0 && b.Source == warroom.AlertSourceDrill {
		return drillScope
	}
	if b.MonitorID > 0 {
		return "m:" + strconv.FormatInt(b.MonitorID, 10)
	}
	return "i:" + strconv.FormatInt(b.IntegrationID, 10)
}

func (w *alertWriter) write(ctx context.Context, b *warroom.AlertBatch) error {
	sc := scope(b)
	b.Results = make([]warroom.IngestResult, len(b.Events))
	for i, ev := range b.Events {
		r := &b.Results[i]
		r.DedupKey = ev.DedupKey
		switch ev.Action {
		case warroom.ActionTrigger:
			w.addTrigger(b, sc, ev, r)
		case warroom.ActionAcknowledge, warroom.ActionResolve:
			// Triggers of the same key queued before must land first.
			if _, ok := w.pending[alertKey{sc, ev.DedupKey}]; ok {
				if err := w.flushTriggers(ctx); err != nil {
					return err
				}
			}
			cached, q := w.stmts.ack, ackQuery
			if ev.Action == warroom.ActionResolve {
				cached, q = w.stmts.resolve, resolveQuery
			}
			stmt, err := bind(ctx, w.tx, cached, q)
			if err != nil {
				return fmt.Errorf("ingest alerts: %s: %w", ev.Action, err)
			}
			err = stmt.QueryRowContext(ctx, w.now, w.now, sc, ev.DedupKey).Scan(&r.AlertID)
			if errors.Is(err, sql.ErrNoRows) {
				r.Dropped = true
				continue
			} else if err != nil {
				return fmt.Errorf("ingest alerts: %s: %w", ev.Action, err)
			}
			// Both reach the incident: an acknowledge acknowledges it, the
			// last resolve resolves it.
			w.outboxIDs, w.outboxActions = append(w.outboxIDs, r.AlertID), append(w.outboxActions, ev.Action)
		}
	}
	return nil
}

// alertKey is a dedup key in its scope.
type alertKey struct{ scope, key string }

// pendingTrigger is the triggers of one key queued for the next multi-row
// upsert: the latest one, how many there were, and the results waiting for
// the alert's ID.
type pendingTrigger struct {
	b       *warroom.AlertBatch
	ev      *warroom.AlertEvent
	count   int
	results []*warroom.IngestResult
}

// addTrigger queues a trigger; repeats of a key in one transaction merge
// into one row, as they would one after the other.
func (w *alertWriter) addTrigger(b *warroom.AlertBatch, sc string, ev *warroom.AlertEvent, r *warroom.IngestResult) {
	k := alertKey{sc, ev.DedupKey}
	p := w.pending[k]
	if p == nil {
		p = &pendingTrigger{}
		w.pending[k] = p
		w.order = append(w.order, k)
	}
	p.b, p.ev = b, ev
	p.count++
	p.results = append(p.results, r)
}

// appendArgs appends the upsert's values of one queued key.
func (w *alertWriter) appendArgs(args []any, k alertKey, p *pendingTrigger) []any {
	b, ev := p.b, p.ev
	if ev.EncodedLabels == "" {
		// Encoded by the ingest endpoints before the group commit; other
		// callers (monitors) are encoded here.
		ev.Encode()
	}
	var links any
	if ev.EncodedLinks != "" {
		links = ev.EncodedLinks
	}
	src := ev.Source
	if src == "" {
		src = b.Source
	}
	return append(args, b.ServiceID, nullID(b.IntegrationID), nullID(b.MonitorID), k.scope, k.key, src,
		ev.Summary, string(ev.Severity), ev.EncodedLabels, rawArg(ev.Details), links, rawArg(ev.Raw), p.count, w.now, w.now, ev.GroupKey)
}

// flushTriggers writes the queued triggers in multi-row upserts of the
// prepared sizes: one statement per row would cost more than the rows.
// Keys are written in sorted order, so that concurrent transactions on
// PostgreSQL sending the same keys (an Alertmanager group sent twice)
// lock them in the same order and wait for each other instead of
// deadlocking; the outbox keeps arrival order.
func (w *alertWriter) flushTriggers(ctx context.Context) error {
	w.sorted = append(w.sorted[:0], w.order...)
	slices.SortFunc(w.sorted, func(a, b alertKey) int {
		if c := strings.Compare(a.scope, b.scope); c != 0 {
			return c
		}
		return strings.Compare(a.key, b.key)
	})
	for start := 0; start < len(w.sorted); {
		n, i := chunkSize(len(w.sorted) - start)
		keys := w.sorted[start : start+n]
		start += n
		args := w.args[:0]
		for _, k := range keys {
			args = w.appendArgs(args, k, w.pending[k])
		}
		w.args = args
		stmt, err := bind(ctx, w.tx, w.stmts.upsert[i], upsertQuery(n))
		if err != nil {
			return fmt.Errorf("ingest alerts: upsert: %w", err)
		}
		rows, err := stmt.QueryContext(ctx, args...)
		if err != nil {
			return fmt.Errorf("ingest alerts: upsert: %w", err)
		}
		for rows.Next() {
			var id, occ int64
			var k alertKey
			if err := rows.Scan(&id, &occ, &k.scope, &k.key); err != nil {
				rows.Close()
				return fmt.Errorf("ingest alerts: upsert: %w", err)
			}
			p := w.pending[k]
			if p == nil {
				rows.Close()
				return fmt.Errorf("ingest alerts: upsert returned unknown key %q", k.key)
			}
			// A row that did not exist holds exactly the queued count.
			created := occ == int64(p.count)
			for i, r := range p.results {
				r.AlertID, r.Created = id, created && i == 0
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("ingest alerts: upsert: %w", err)
		}
	}
	for _, k := range w.order {
		if r := w.pending[k].results[0]; r.Created {
			w.outboxIDs, w.outboxActions = append(w.outboxIDs, r.AlertID), append(w.outboxActions, warroom.ActionTrigger)
		}
	}
	clear(w.pending)
	clear(w.args)
	w.order = w.order[:0]
	return nil
}

// flush writes the queued triggers, then one outbox row listing every
// alert routing must look at, in order.
func (w *alertWriter) flush(ctx context.Context) error {
	if err := w.flushTriggers(ctx); err != nil {
		return err
	}
	if len(w.outboxIDs) == 0 {
		return nil
	}
	entries := make([]byte, 0, 8*len(w.outboxIDs))
	for i, id := range w.outboxIDs {
		if i > 0 {
			entries = append(entries, ',')
		}
		switch w.outboxActions[i] {
		case warroom.ActionResolve:
			entries = append(entries, '-')
		case warroom.ActionAcknowledge:
			entries = append(entries, 'a')
		}
		entries = strconv.AppendInt(entries, id, 10)
	}
	stmt, err := bind(ctx, w.tx, w.stmts.outbox, outboxQuery)
	if err != nil {
		return fmt.Errorf("ingest alerts: outbox: %w", err)
	}
	if _, err := stmt.ExecContext(ctx, string(entries), w.now); err != nil {
		return fmt.Errorf("ingest alerts: outbox: %w", err)
	}
	w.outboxIDs, w.outboxActions = w.outboxIDs[:0], w.outboxActions[:0]
	return nil
}

// rawArg stores a JSON fragment as text, or NULL when empty.
func rawArg(b json.RawMessage) any {
	if len(b) == 0 {
		return nil
	}
	return string(b)
}

const alertColumns = `id, service_id, integration_id, monitor_id, source, dedup_key, status, summary, severity, labels, details, links, raw,
	occurrences, first_seen_at, last_seen_at, acknowledged_at, resolved_at, incident_id, rule_id, suppressed, routed, group_key, flapping,
	routing_error, routing_failures`

func scanAlert(s interface{ Scan(...any) error }, extra ...any) (*warroom.Alert, error) {
	var a warroom.Alert
	var labels string
	var details, links, raw *string
	dest := []any{&a.ID, &a.ServiceID, scanID(&a.IntegrationID), scanID(&a.MonitorID), &a.Source, &a.DedupKey, &a.Status, &a.Summary, &a.Severity,
		&labels, &details, &links, &raw, &a.Occurrences, scanTime(&a.FirstSeenAt), scanTime(&a.LastSeenAt),
		scanNullTime(&a.AcknowledgedAt), scanNullTime(&a.ResolvedAt), scanIDPtr(&a.IncidentID), scanIDPtr(&a.RuleID), &a.Suppressed, &a.Routed,
		&a.GroupKey, &a.Flapping, &a.RoutingError, &a.RoutingFailures}
	if err := s.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(labels), &a.Labels); err != nil {
		return nil, fmt.Errorf("alert %d labels: %w", a.ID, err)
	}
	if a.Labels == nil {
		a.Labels = map[string]string{}
	}
	if details != nil {
		a.Details = json.RawMessage(*details)
	}
	if raw != nil {
		a.Raw = json.RawMessage(*raw)
	}
	a.Links = []warroom.Link{}
	if links != nil {
		if err := json.Unmarshal([]byte(*links), &a.Links); err != nil {
			return nil, fmt.Errorf("alert %d links: %w", a.ID, err)
		}
	}
	return &a, nil
}

// FindAlertByID returns one alert.
func (db *DB) FindAlertByID(ctx context.Context, id int64) (*warroom.Alert, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	a, err := findAlert(ctx, tx, id, false)
	if err != nil {
		return nil, err
	}
	return a, tx.commit()
}

func findAlert(ctx context.Context, tx *tx, id int64, lock bool) (*warroom.Alert, error) {
	q := `SELECT ` + alertColumns + ` FROM alerts WHERE id = ?`
	if lock {
		q += tx.d.forUpdate()
	}
	a, err := scanAlert(tx.queryRow(ctx, q, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, warroom.Errorf(warroom.ENOTFOUND, "Alert %d not found.", id)
	} else if err != nil {
		return nil, fmt.Errorf("find alert: %w", err)
	}
	return a, nil
}

// alertListQueries returns the alert list's count and page queries (the
// page's LIMIT and OFFSET last) and their arguments; the plan test checks
// that each filter is served by an index.
func alertListQueries(d dialect, f warroom.AlertFilter) (countQ, pageQ string, args []any) {
	where := []string{"1 = 1"}
	for _, c := range []struct {
		col string
		v   *int64
	}{{"id", f.ID}, {"service_id", f.ServiceID}, {"integration_id", f.IntegrationID}, {"incident_id", f.IncidentID}} {
		if c.v != nil {
			where, args = append(where, c.col+" = ?"), append(args, *c.v)
		}
	}
	if len(f.Statuses) > 0 {
		where = append(where, "status IN ("+placeholders(len(f.Statuses))+")")
		for _, s := range f.Statuses {
			args = append(args, string(s))
		}
	}
	if f.Query != nil {
		// The trigram index narrows the candidates (FTS5 on SQLite; on
		// PostgreSQL pg_trgm GIN indexes serve ILIKE); the LIKE decides,
		// so both engines find the same alerts. A term too short for a
		// trigram is checked on every alert.
		if d.postgres {
			pat := "%" + escapeLike(*f.Query) + "%"
			where = append(where, `(summary ILIKE ? ESCAPE '\' OR dedup_key ILIKE ? ESCAPE '\')`)
			args = append(args, pat, pat)
		} else {
			if utf8.RuneCountInString(*f.Query) >= warroom.MinIndexedTermLen {
				// A search on its own takes its newest matches straight off
				// the index, which stops at the count's limit: a term in a
				// tenth of a year's alerts is 100,000 matches, 2 ms this way
				// and 40 ms or more when all of them are gathered first.
				// With other filters every match is a candidate.
				match := "id IN (SELECT rowid FROM alerts_fts WHERE alerts_fts MATCH ?)"
				if len(where) == 1 {
					match = fmt.Sprintf("id IN (SELECT rowid FROM alerts_fts WHERE alerts_fts MATCH ? ORDER BY rowid DESC LIMIT %d)", warroom.AlertCountLimit+1)
				}
				where = append(where, match)
				args = append(args, `"`+strings.ReplaceAll(*f.Query, `"`, `""`)+`"`)
			}
			pat := "%" + escapeLike(strings.ToLower(*f.Query)) + "%"
			where = append(where, `(LOWER(summary) LIKE ? ESCAPE '\' OR LOWER(dedup_key) LIKE ? ESCAPE '\')`)
			args = append(args, pat, pat)
		}
	}
	w := strings.Join(where, " AND ")
	return fmt.Sprintf("SELECT COUNT(*) FROM (SELECT 1 FROM alerts WHERE %s LIMIT %d) t", w, warroom.AlertCountLimit+1), `SELECT ` + alertColumns + ` FROM alerts WHERE ` + w + ` ORDER BY id DESC LIMIT ? OFFSET ?`, args
}

// FindAlerts returns a page of alerts, newest first.
func (db *DB) FindAlerts(ctx context.Context, f warroom.AlertFilter) ([]*warroom.Alert, int, error) {
	for _, s := range f.Statuses {
		if !s.Valid() {
			return nil, 0, warroom.FieldErrorf("status", "unknown status %q (want firing, acknowledged or resolved)", s)
		}
	}
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer tx.rollback()
	offset, limit := pageLimits(f.Offset, f.Limit)
	countQ, pageQ, args := alertListQueries(db.d, f)
	// The total is its own COUNT(*) in the same snapshot, not COUNT(*)
	// OVER(): the window reads every matching row, payload and all, before
	// the first of the page, where the count is an index scan.
	n, err := count(ctx, tx, countQ, args...)
	if err != nil {
		return nil, 0, err
	}
	var out []*warroom.Alert
	// Past the count's limit a page may still hold alerts.
	if n == 0 || offset >= n && n <= warroom.AlertCountLimit {
		return out, n, tx.commit()
	}
	rows, err := tx.query(ctx, pageQ, append(args, limit, offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("find alerts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		a, err := scanAlert(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("find alerts: %w", err)
		}
		a.Raw = nil // lists stay light; FindAlertByID has it
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("find alerts: %w", err)
	}
	return out, n, tx.commit()
}

// ResolveAlert resolves an alert by hand; routing then does what a resolve
// from the source would.
func (db *DB) ResolveAlert(ctx context.Context, id int64) (*warroom.Alert, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	a, err := findAlert(ctx, tx, id, true)
	if err != nil {
		return nil, err
	}
	if a.Status == warroom.AlertResolved {
		return nil, warroom.Errorf(warroom.ECONFLICT, "Alert %d is already resolved.", id)
	}
	if _, err := tx.exec(ctx, `UPDATE alerts SET status = 'resolved', resolved_at = ? WHERE id = ?`, tx.now, id); err != nil {
		return nil, fmt.Errorf("resolve alert: %w", err)
	}
	if _, err := tx.exec(ctx, `INSERT INTO alert_outbox (entries, at) VALUES (?, ?)`, "-"+strconv.FormatInt(id, 10), tx.now); err != nil {
		return nil, fmt.Errorf("resolve alert: %w", err)
	}
	if err := writeAudit(ctx, tx, warroom.AuditAlertResolve, "alert", id, map[string]any{"dedup_key": a.DedupKey, "summary": a.Summary}); err != nil {
		return nil, err
	}
	a.Status, a.ResolvedAt = warroom.AlertResolved, &tx.now
	return a, tx.commit()
}
