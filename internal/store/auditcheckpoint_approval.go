package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/warroomhq/warroom"
)

// isFingerprint reports whether s looks like a settings fingerprint: the
// hex of a SHA-256 sum or MAC.
func isFingerprint(s string) bool {
	b, err := hex.DecodeString(s)
	return err == nil && len(b) == 32
}

// checkpointApprovalFingerprint names settings in an approval request;
// turning checkpoints off is named too, as "none".
func (db *DB) checkpointApprovalFingerprint(settings string) string {
	return db.settingsMAC(cmp.Or(settings, "none"))
}

// checkpointSettingsApproved enforces the two-person rule on a change of
// the audit checkpoint settings, read at start: when the rule covers
// warroom.OpAuditCheckpointSettings, a second admin must have approved a
// request naming the new settings' fingerprint since the settings last
// changed, so that one approval lets one change through. It returns the
// approval's ID, 0 when the rule does not cover the change.
func (db *DB) checkpointSettingsApproved(ctx context.Context, tx *tx, settings, desc string, since time.Time) (int64, error) {
	s, err := approvalSettings(ctx, tx)
	if err != nil {
		return 0, err
	}
	op := warroom.OpAuditCheckpointSettings
	if !s.Requires(op) {
		return 0, nil
	}
	fp := db.checkpointApprovalFingerprint(settings)
	params, err := json.Marshal(warroom.CheckpointSettingsParams{Fingerprint: fp})
	if err != nil {
		return 0, fmt.Errorf("checkpoint settings approval: %w", err)
	}
	var id int64
	err = tx.queryRow(ctx, `SELECT id FROM approvals WHERE op = ? AND state = ? AND params = ? AND decided_at > ? ORDER BY id DESC LIMIT 1`,
		string(op), string(warroom.ApprovalExecuted), string(params), since).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, errors.Join(warroom.Errorf(warroom.ECONFLICT,
			"The audit checkpoint settings changed (now: %s) and the two-person rule requires a second admin's approval. "+
				"With warroom running on the previous settings, an admin requests POST /api/v1/approvals "+
				`{"op":%q,"params":{"fingerprint":%q}} and another admin approves it; then start again.`, desc, op, fp),
			warroom.ErrTwoPersonRule)
	} else if err != nil {
		return 0, fmt.Errorf("checkpoint settings approval: %w", err)
	}
	return id, nil
}
