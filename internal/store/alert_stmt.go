package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
)

// chunkSizes are the row counts of the multi-row statements ingest and
// routing use, largest first. A batch is cut into chunks of these sizes so
// that every statement is one of a few prepared once for the life of the
// database: SQLite parses a five-hundred-row statement slower than it
// binds one. 500 rows of the upsert's 16 columns stay far below SQLite's
// 32,766 and PostgreSQL's 65,535 parameters.
var chunkSizes = [...]int{500, 100, 20, 5, 1}

// alertStmts are the statements of the ingest and routing hot paths,
// prepared on the write pool and bound to each transaction with
// Tx.StmtContext.
type alertStmts struct {
	upsert  [len(chunkSizes)]*sql.Stmt
	routed  [len(chunkSizes)]*sql.Stmt
	ack     *sql.Stmt
	resolve *sql.Stmt
	outbox  *sql.Stmt
}

// stmtCache prepares alertStmts once. It is filled before a transaction
// begins, never inside one: SQLite's write pool holds one connection, which
// an open transaction would already hold.
type stmtCache struct {
	mu    sync.Mutex
	alert *alertStmts
}

// alertStatements returns the prepared ingest and routing statements,
// preparing them on first use.
func (db *DB) alertStatements(ctx context.Context) (*alertStmts, error) {
	db.stmts.mu.Lock()
	defer db.stmts.mu.Unlock()
	if db.stmts.alert != nil {
		return db.stmts.alert, nil
	}
	s := &alertStmts{}
	var all []*sql.Stmt
	var err error
	prep := func(q string) *sql.Stmt {
		if err != nil {
			return nil
		}
		var st *sql.Stmt
		if st, err = db.write.PrepareContext(ctx, db.d.rebind(q)); err == nil {
			all = append(all, st)
		}
		return st
	}
	for i, n := range chunkSizes {
		s.upsert[i] = prep(upsertQuery(n))
		s.routed[i] = prep(routedQuery(n))
	}
	s.ack = prep(ackQuery)
	s.resolve = prep(resolveQuery)
	s.outbox = prep(outboxQuery)
	if err != nil {
		for _, st := range all {
			st.Close()
		}
		return nil, fmt.Errorf("prepare alert statements: %w", err)
	}
	db.stmts.alert = s
	return s, nil
}

// The single-row statements of ingest.
const (
	ackQuery = `UPDATE alerts SET status = 'acknowledged', acknowledged_at = COALESCE(acknowledged_at, ?), last_seen_at = ?
		WHERE scope = ? AND dedup_key = ? AND resolved_at IS NULL RETURNING id`
	resolveQuery = `UPDATE alerts SET status = 'resolved', resolved_at = ?, last_seen_at = ?
		WHERE scope = ? AND dedup_key = ? AND resolved_at IS NULL RETURNING id`
	outboxQuery = `INSERT INTO alert_outbox (entries, at) VALUES (?, ?)`
)

// routedQuery records routing's outcome for n alerts that share it.
func routedQuery(n int) string {
	return `UPDATE alerts SET routed = ?, suppressed = ?, rule_id = ?, incident_id = ? WHERE id IN (` + placeholders(n) + `)`
}

// bind returns the cached statement bound to tx, or, with no cache (a
// write made inside a transaction that began before the statements were
// prepared), q prepared in tx alone.
func bind(ctx context.Context, tx *tx, cached *sql.Stmt, q string) (*sql.Stmt, error) {
	if cached != nil {
		return tx.sqlTx.StmtContext(ctx, cached), nil
	}
	st, err := tx.sqlTx.PrepareContext(ctx, tx.d.rebind(q))
	if err != nil {
		return nil, fmt.Errorf("prepare: %w", err)
	}
	return st, nil
}

// upsertQuery is the upsert of n triggers with distinct keys. Repeats of a
// key add their count to the open alert's occurrences; RETURNING gives the
// key back because the order of returned rows is not defined.
func upsertQuery(n int) string {
	var q strings.Builder
	q.WriteString(`INSERT INTO alerts (service_id, integration_id, monitor_id, scope, dedup_key, source, summary, severity,
		labels, details, links, raw, occurrences, first_seen_at, last_seen_at, group_key, status) VALUES `)
	for i := range n {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'firing')")
	}
	q.WriteString(` ON CONFLICT (scope, dedup_key) WHERE resolved_at IS NULL DO UPDATE SET
		occurrences = alerts.occurrences + excluded.occurrences, last_seen_at = excluded.last_seen_at, summary = excluded.summary,
		severity = excluded.severity, source = excluded.source, labels = excluded.labels, details = excluded.details,
		links = excluded.links, raw = excluded.raw, group_key = excluded.group_key
		RETURNING id, occurrences, scope, dedup_key`)
	return q.String()
}

// chunkSize is the largest prepared size that fits in n rows.
func chunkSize(n int) (size, index int) {
	for i, s := range chunkSizes {
		if s <= n {
			return s, i
		}
	}
	return 0, -1
}
