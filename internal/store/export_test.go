package store

import (
	"context"
	"fmt"
	"time"

	"github.com/warroomhq/warroom"
)

// SeedIncidents inserts n incidents spread over states, severities and two
// services in one transaction, for benchmarks that need a large table
// without paying a durable commit per row.
func SeedIncidents(ctx context.Context, db *DB, n int) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	var svc [2]int64
	for i := range svc {
		if svc[i], err = tx.insert(ctx, `INSERT INTO services (name, tier, created_at, updated_at) VALUES (?, 1, ?, ?)`,
			fmt.Sprintf("seed-%d", i), tx.now, tx.now); err != nil {
			return err
		}
	}
	for i := 0; i < n; i++ {
		detected := tx.now.Add(-time.Duration(i) * time.Minute)
		sev := warroom.Severities[i%len(warroom.Severities)]
		state := warroom.States[i%len(warroom.States)]
		id, err := tx.insert(ctx, `INSERT INTO incidents (title, summary, type, state, severity, proposed_severity, severity_reason, detected_at, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, '', ?, ?, ?)`,
			fmt.Sprintf("Incident %d", i), "seeded", string(warroom.TypeSystemCrash), string(state), string(sev), string(sev), detected, tx.now, tx.now)
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `INSERT INTO incident_services (incident_id, service_id) VALUES (?, ?)`, id, svc[i%2]); err != nil {
			return err
		}
	}
	return tx.commit()
}

// LeadingIndexColumns returns, for each index on table, the column it
// starts with, so that tests can check a filter is served by an index.
func LeadingIndexColumns(ctx context.Context, db *DB, table string) (map[string]string, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	q := `SELECT il.name, ii.name FROM pragma_index_list(?) il, pragma_index_info(il.name) ii WHERE ii.seqno = 0`
	if db.d.postgres {
		q = `SELECT i.relname, a.attname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
			JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = x.indkey[0] WHERE t.relname = ?`
	}
	rows, err := tx.query(ctx, q, table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var index, column string
		if err := rows.Scan(&index, &column); err != nil {
			return nil, err
		}
		out[index] = column
	}
	return out, rows.Err()
}
