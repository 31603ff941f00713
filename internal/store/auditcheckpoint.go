package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/warroomhq/warroom"
)

var _ warroom.AuditCheckpointer = (*DB)(nil)

// CheckpointAudit returns the chain head now, MACed.
func (db *DB) CheckpointAudit(ctx context.Context) (*warroom.AuditCheckpoint, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	cp, err := db.checkpoint(tx, tx.queryRow(ctx, `SELECT head_id, head_hash, key_check FROM audit_chain WHERE id = 1`))
	if err != nil {
		return nil, err
	}
	return cp, tx.commit()
}

// ClaimAuditCheckpoint returns the head when a scheduled checkpoint is due,
// moving the next one every later in the same statement, so that of several
// instances one takes each.
func (db *DB) ClaimAuditCheckpoint(ctx context.Context, now time.Time, every time.Duration) (*warroom.AuditCheckpoint, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	now = now.UTC().Truncate(time.Microsecond)
	cp, err := db.checkpoint(tx, tx.queryRow(ctx, `UPDATE audit_chain SET checkpoint_due = ?
		WHERE id = 1 AND (checkpoint_due IS NULL OR checkpoint_due <= ?) RETURNING head_id, head_hash, key_check`, now.Add(every), now))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	cp.At = now
	cp.MAC = checkpointMAC(db.auditKey, cp)
	return cp, tx.commit()
}

// DeferAuditCheckpoint moves the next scheduled checkpoint to at.
func (db *DB) DeferAuditCheckpoint(ctx context.Context, at time.Time) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	if _, err := tx.exec(ctx, `UPDATE audit_chain SET checkpoint_due = ? WHERE id = 1`, at.UTC().Truncate(time.Microsecond)); err != nil {
		return fmt.Errorf("defer audit checkpoint: %w", err)
	}
	return tx.commit()
}

func (db *DB) checkpoint(tx *tx, row *sql.Row) (*warroom.AuditCheckpoint, error) {
	var cp warroom.AuditCheckpoint
	var check string
	if err := row.Scan(&cp.Seq, &cp.Head, &check); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
		return nil, fmt.Errorf("audit checkpoint: %w", err)
	}
	key, err := chainKey(check, db.auditKey)
	if err != nil {
		return nil, err
	} else if key == nil {
		return nil, warroom.Errorf(warroom.EINVALID, "The audit log is not keyed yet: start the server with its secret key once.")
	}
	cp.At = tx.now
	cp.MAC = checkpointMAC(key, &cp)
	return &cp, nil
}
