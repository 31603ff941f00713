package store

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/warroomhq/warroom"
)

// ErrAuditKeyMismatch is returned by Open when the audit key is not the one
// the audit log was MACed with: every entry appended would break the chain.
var ErrAuditKeyMismatch = errors.New("the audit key does not match the one the audit log was MACed with")

// ErrAuditKeyRequired is returned when a keyed audit log is to be written
// or verified by a store opened without the key: a fault of how the store
// was opened, not of any request, so it is never shown as one.
var ErrAuditKeyRequired = errors.New("the audit log is MACed with the audit key: open the database with the secret key (WARROOM_SECRET_KEY or --secret-key-file)")

// Domains of what the audit key MACs, so that an entry's MAC can never
// pass for a checkpoint's or the key check, nor the reverse.
const (
	auditMACDomain        = "warroom audit entry v1"
	auditCheckpointDomain = "warroom audit checkpoint v1"
	auditKeyCheckDomain   = "warroom audit key check v1"
)

func macHex(key, msg []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write(msg)
	return hex.EncodeToString(m.Sum(nil))
}

// auditKeyCheck is what audit_chain.key_check holds for key: it tells the
// right key from a wrong one and reveals nothing of it.
func auditKeyCheck(key []byte) string { return macHex(key, []byte(auditKeyCheckDomain)) }

// chainKey returns the key the chain with key check check is MACed with:
// nil for a log not keyed yet, key when it is the right one.
func chainKey(check string, key []byte) ([]byte, error) {
	if check == "" {
		return nil, nil
	}
	if key == nil {
		return nil, ErrAuditKeyRequired
	}
	if !hmac.Equal([]byte(check), []byte(auditKeyCheck(key))) {
		return nil, ErrAuditKeyMismatch
	}
	return key, nil
}

// checkpointMAC is the MAC a genuine checkpoint carries.
func checkpointMAC(key []byte, cp *warroom.AuditCheckpoint) string {
	b, _ := json.Marshal([]any{auditCheckpointDomain, cp.Seq, cp.Head, cp.At.UTC().Format(time.RFC3339Nano)})
	return macHex(key, b)
}

// keyAudit checks the audit key against the log, and MACs a log that is
// not keyed yet, once, from its first entry on: re-MACing the whole log
// rather than only what comes next leaves no unkeyed stretch that could be
// rewritten unseen, and no second format for an attacker to fall back to.
// The unkeyed chain is verified first and the verdict is the first keyed
// entry's data, so that tampering done before the upgrade stays on record.
func (db *DB) keyAudit(ctx context.Context) error {
	if db.auditKey == nil {
		return nil
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	var check string
	if err := tx.queryRow(ctx, `UPDATE audit_chain SET head_id = head_id WHERE id = 1 RETURNING key_check`).Scan(&check); err != nil {
		return fmt.Errorf("key audit: %w", err)
	}
	if check != "" {
		_, err := chainKey(check, db.auditKey)
		return err
	}
	legacy, err := db.verifyUnkeyed(ctx, tx)
	if err != nil {
		return err
	}
	prev, lastID, n := "", int64(0), 0
	for {
		rows, err := tx.query(ctx, `SELECT id, at, actor_id, action, target_type, target_id, data, source_ip
			FROM audit_log WHERE id > ? ORDER BY id LIMIT ?`, lastID, verifyBatch)
		if err != nil {
			return fmt.Errorf("key audit: %w", err)
		}
		var batch []*chainEntry
		for rows.Next() {
			e, err := scanChainEntry(rows, false)
			if err != nil {
				rows.Close()
				return fmt.Errorf("key audit: %w", err)
			}
			batch = append(batch, e)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("key audit: %w", err)
		}
		macs := make([]string, len(batch))
		for i, e := range batch {
			e.PrevHash = prev
			macs[i] = e.hash(db.auditKey)
			prev, lastID = macs[i], e.ID
			n++
		}
		if err := storeLinks(ctx, tx, batch, macs); err != nil {
			return err
		}
		if len(batch) < verifyBatch {
			break
		}
	}
	if _, err := tx.exec(ctx, `UPDATE audit_chain SET head_id = ?, head_hash = ?, key_check = ? WHERE id = 1`, lastID, prev, auditKeyCheck(db.auditKey)); err != nil {
		return fmt.Errorf("key audit: %w", err)
	}
	data := map[string]any{"entries": n, "unkeyed_chain_intact": legacy.OK}
	if !legacy.OK {
		data["unkeyed_chain_break"] = legacy.Message
		data["unkeyed_chain_first_bad_id"] = legacy.FirstBadID
		db.logger.Error("audit log: the unkeyed chain was broken before it was keyed", "break", legacy.Message)
	}
	if err := writeAuditTarget(warroom.NewContextWithUser(ctx, nil), tx, warroom.AuditChainKeyed, "audit_log", "", data); err != nil {
		return err
	}
	db.logger.Info("audit log MACed with the audit key", "entries", n)
	return tx.commit()
}

// storeLinks writes the entries' prev_hash and their MACs. On PostgreSQL a
// statement per row is a round trip each, minutes for a large log, so a
// batch is one statement; SQLite runs in the process, where a row at a
// time by primary key is as fast and needs no join.
func storeLinks(ctx context.Context, tx *tx, es []*chainEntry, macs []string) error {
	if len(es) == 0 {
		return nil
	}
	if !tx.d.postgres {
		for i, e := range es {
			if _, err := tx.exec(ctx, `UPDATE audit_log SET prev_hash = ?, hash = ? WHERE id = ?`, e.PrevHash, macs[i], e.ID); err != nil {
				return fmt.Errorf("key audit: %w", err)
			}
		}
		return nil
	}
	values := make([]string, len(es))
	args := make([]any, 0, 3*len(es))
	for i, e := range es {
		values[i] = "(CAST(? AS BIGINT), ?, ?)"
		args = append(args, e.ID, e.PrevHash, macs[i])
	}
	if _, err := tx.exec(ctx, `UPDATE audit_log SET prev_hash = v.p, hash = v.h FROM (VALUES `+strings.Join(values, ", ")+`) AS v (id, p, h) WHERE audit_log.id = v.id`, args...); err != nil {
		return fmt.Errorf("key audit: %w", err)
	}
	return nil
}

// verifyUnkeyed runs VerifyAudit's walk in tx on a log not keyed yet.
func (db *DB) verifyUnkeyed(ctx context.Context, tx *tx) (*warroom.AuditVerification, error) {
	var headID int64
	var headHash string
	if err := tx.queryRow(ctx, `SELECT head_id, head_hash FROM audit_chain WHERE id = 1`).Scan(&headID, &headHash); err != nil {
		return nil, fmt.Errorf("key audit: %w", err)
	}
	v := &warroom.AuditVerification{OK: true}
	prev, lastID := "", int64(0)
	err := walkChain(ctx, tx, "key audit", func(e *chainEntry, hash string) bool {
		if v.OK && (e.PrevHash != prev || e.hash(nil) != hash) {
			v.OK, v.FirstBadID, v.Message = false, e.ID, fmt.Sprintf("entry %d does not match its hash or follow entry %d", e.ID, lastID)
		}
		prev, lastID = hash, e.ID
		v.Entries++
		return true
	})
	if err != nil {
		return nil, err
	}
	if v.OK && (lastID != headID || prev != headHash) {
		v.OK, v.FirstBadID, v.Message = false, headID, fmt.Sprintf("the chain head is entry %d, the log ends at %d", headID, lastID)
	}
	return v, nil
}

// keyedRecord is the data of the entry that keyed the log.
type keyedRecord struct {
	Intact     bool   `json:"unkeyed_chain_intact"`
	Break      string `json:"unkeyed_chain_break"`
	FirstBadID int64  `json:"unkeyed_chain_first_bad_id"`
}

// brokenBeforeKey reads a verified entry that keyed the log and returns
// what it says of the chain before, nil when it was intact. The entry is
// MACed like any other, so the verdict cannot be quietly removed.
func brokenBeforeKey(e *chainEntry) *keyedRecord {
	if e.Action != string(warroom.AuditChainKeyed) || e.ActorID != 0 || !e.HasData {
		return nil
	}
	var r keyedRecord
	if err := json.Unmarshal([]byte(e.Data), &r); err != nil || r.Intact {
		return nil
	}
	return &r
}
