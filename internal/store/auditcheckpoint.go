package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
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
	now = now.UTC().Truncate(time.Microsecond)
	// The engine asks every tick; reading first keeps the writer lock (and
	// on PostgreSQL the audit_chain row lock every append takes) for the
	// one tick an hour that writes.
	var due *time.Time
	if err := db.read.QueryRowContext(ctx, `SELECT checkpoint_due FROM audit_chain WHERE id = 1`).Scan(scanNullTime(&due)); err != nil {
		return nil, fmt.Errorf("audit checkpoint: %w", err)
	}
	if due != nil && due.After(now) {
		return nil, nil
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
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

// checkpointSettingsDomain separates the MAC of checkpoint settings.
const checkpointSettingsDomain = "warroom audit checkpoint settings v1:"

// RecordAuditCheckpointSettings writes an audit entry, made by the system,
// when the checkpoint settings differ from those recorded last, so that
// turning checkpoints off or pointing them elsewhere shows in the log it
// protects. settings is the whole configuration and may hold a webhook's
// token: only its MAC is stored; desc is what the entry shows. It reports
// whether an entry was written.
func (db *DB) RecordAuditCheckpointSettings(ctx context.Context, settings, desc string) (bool, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return false, err
	}
	defer tx.rollback()
	type record struct {
		From        string `json:"from"`
		To          string `json:"to"`
		Fingerprint string `json:"fingerprint"`
		ApprovalID  int64  `json:"approval_id,omitempty"`
	}
	var prev record
	var data string
	var since time.Time
	err = tx.queryRow(ctx, `SELECT data, at FROM audit_log WHERE action = ? ORDER BY id DESC LIMIT 1`, string(warroom.AuditCheckpointSettings)).Scan(&data, scanTime(&since))
	if errors.Is(err, sql.ErrNoRows) {
		prev.To = "none"
		prev.Fingerprint = db.settingsMAC("")
	} else if err != nil {
		return false, fmt.Errorf("record checkpoint settings: %w", err)
	} else if err := json.Unmarshal([]byte(data), &prev); err != nil {
		return false, fmt.Errorf("record checkpoint settings: %w", err)
	}
	next := record{From: prev.To, To: desc, Fingerprint: db.settingsMAC(settings)}
	if next.Fingerprint == prev.Fingerprint {
		return false, nil
	}
	// Setting checkpoints up the first time only adds protection; changing
	// or turning them off is guarded.
	if prev.To != "none" {
		if next.ApprovalID, err = db.checkpointSettingsApproved(ctx, tx, settings, desc, since); err != nil {
			return false, err
		}
	}
	if err := writeAuditTarget(warroom.NewContextWithUser(ctx, nil), tx, warroom.AuditCheckpointSettings, "audit_checkpoint", "", next); err != nil {
		return false, err
	}
	return true, tx.commit()
}

func (db *DB) settingsMAC(settings string) string {
	if settings == "" {
		return ""
	}
	if db.auditKey == nil {
		h := sha256.Sum256([]byte(checkpointSettingsDomain + settings))
		return hex.EncodeToString(h[:])
	}
	return macHex(db.auditKey, []byte(checkpointSettingsDomain+settings))
}
