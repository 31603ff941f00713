package store

import "context"

// RechainAudit recomputes every audit entry's link with key (nil: the
// unkeyed SHA-256) and moves the head to the newest: what someone with the
// database but not the audit key does to hide an edit or a deletion.
func RechainAudit(ctx context.Context, db *DB, key []byte) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	rows, err := tx.query(ctx, `SELECT id, at, actor_id, action, target_type, target_id, data, source_ip FROM audit_log ORDER BY id`)
	if err != nil {
		return err
	}
	var es []*chainEntry
	for rows.Next() {
		e, err := scanChainEntry(rows, false)
		if err != nil {
			rows.Close()
			return err
		}
		es = append(es, e)
	}
	rows.Close()
	prev, last := "", int64(0)
	for _, e := range es {
		e.PrevHash = prev
		prev, last = e.hash(key), e.ID
		if _, err := tx.exec(ctx, `UPDATE audit_log SET prev_hash = ?, hash = ? WHERE id = ?`, e.PrevHash, prev, e.ID); err != nil {
			return err
		}
	}
	if _, err := tx.exec(ctx, `UPDATE audit_chain SET head_id = ?, head_hash = ? WHERE id = 1`, last, prev); err != nil {
		return err
	}
	return tx.commit()
}
