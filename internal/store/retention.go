package store

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/warroomhq/warroom"
)

var _ warroom.RetentionService = (*DB)(nil)

// purgeable is the alerts retention may delete: resolved before the
// cutoff and attached to no incident. It is served by alerts_purge.
const purgeable = `resolved_at IS NOT NULL AND resolved_at < ? AND incident_id IS NULL`

// Optimize implements warroom.RetentionService.
func (db *DB) Optimize(ctx context.Context) error {
	if db.d.postgres {
		return nil // autovacuum analyzes
	}
	if _, err := db.write.ExecContext(ctx, `PRAGMA optimize`); err != nil {
		return fmt.Errorf("optimize: %w", err)
	}
	return nil
}

// PurgeAlerts deletes one batch of purgeable alerts. Batches are small so
// that the single SQLite writer is never held for long: ingest and paging
// wait for it.
func (db *DB) PurgeAlerts(ctx context.Context, before time.Time, limit int) (int, error) {
	if limit <= 0 {
		limit = 1000
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.rollback()
	res, err := tx.exec(ctx, `DELETE FROM alerts WHERE id IN (SELECT id FROM alerts WHERE `+purgeable+` ORDER BY resolved_at LIMIT ?)`,
		before, limit)
	if err != nil {
		return 0, fmt.Errorf("purge alerts: %w", err)
	}
	n, _ := res.RowsAffected()
	if err := tx.commit(); err != nil {
		return 0, err
	}
	if n > 0 && !db.d.postgres {
		// Let the WAL shrink back instead of growing with every purge;
		// PASSIVE never waits for readers.
		if _, err := db.write.ExecContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`); err != nil {
			return int(n), fmt.Errorf("checkpoint: %w", err)
		}
	}
	return int(n), nil
}

// statTables are the tables Stats reports, the large ones first.
var statTables = []string{"alerts", "alert_outbox", "alert_groups", "events", "incidents", "incident_services", "tasks", "notifications",
	"escalations", "sla_timers", "audit_log", "postmortems", "action_items", "changes", "search_docs", "users", "services"}

// Stats reports each table's rows and size.
func (db *DB) Stats(ctx context.Context, retainAfter *time.Time) (*warroom.DatabaseStats, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	st := &warroom.DatabaseStats{Engine: db.Engine(), Bytes: -1, RetainAfter: retainAfter}
	sizes, total := db.tableSizes(ctx, tx)
	st.Bytes = total
	for _, name := range statTables {
		var exists int
		if err := tx.queryRow(ctx, db.d.tableExists(), name).Scan(&exists); err != nil {
			return nil, fmt.Errorf("stats: %w", err)
		}
		if exists == 0 {
			continue
		}
		t := warroom.TableStats{Name: name, Bytes: -1}
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM `+name).Scan(&t.Rows); err != nil {
			return nil, fmt.Errorf("stats: %s: %w", name, err)
		}
		if b, ok := sizes[name]; ok {
			t.Bytes = b
		}
		st.Tables = append(st.Tables, t)
	}
	sort.SliceStable(st.Tables, func(i, j int) bool { return st.Tables[i].Bytes > st.Tables[j].Bytes })
	if retainAfter != nil {
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM alerts WHERE `+purgeable, *retainAfter).Scan(&st.AlertsToPurge); err != nil {
			return nil, fmt.Errorf("stats: %w", err)
		}
	}
	return st, tx.commit()
}

// tableSizes returns each table's bytes with its indexes, and the
// database's; SQLite reports them through dbstat where it is compiled in.
func (db *DB) tableSizes(ctx context.Context, tx *tx) (map[string]int64, int64) {
	out := map[string]int64{}
	total := int64(-1)
	if db.d.postgres {
		rows, err := tx.query(ctx, `SELECT c.relname, pg_total_relation_size(c.oid) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
			WHERE c.relkind = 'r' AND n.nspname = current_schema()`)
		if err == nil {
			for rows.Next() {
				var name string
				var b int64
				if rows.Scan(&name, &b) == nil {
					out[name] = b
				}
			}
			rows.Close()
		}
		tx.queryRow(ctx, `SELECT pg_database_size(current_database())`).Scan(&total)
		return out, total
	}
	var pages, size int64
	if tx.queryRow(ctx, `PRAGMA page_count`).Scan(&pages) == nil && tx.queryRow(ctx, `PRAGMA page_size`).Scan(&size) == nil {
		total = pages * size
	}
	// Indexes count toward their table.
	rows, err := tx.query(ctx, `SELECT COALESCE(m.tbl_name, d.name), SUM(d.pgsize) FROM dbstat d LEFT JOIN sqlite_master m ON m.name = d.name GROUP BY 1`)
	if err != nil {
		return out, total
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		var b int64
		if rows.Scan(&name, &b) == nil {
			out[name] = b
		}
	}
	return out, total
}

// tableExists is a query for 1 when the named table exists, else 0.
func (d dialect) tableExists() string {
	if d.postgres {
		return `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ?`
	}
	return `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?`
}
