package store

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/warroomhq/warroom"
)

var _ warroom.AuditVerifier = (*DB)(nil)

// chainEntry is what an audit row's hash covers: every column but the hash
// itself, so that no field can change unnoticed.
type chainEntry struct {
	ID         int64
	At         time.Time
	ActorID    int64
	Action     string
	TargetType string
	TargetID   string
	Data       string // "" for NULL
	HasData    bool
	SourceIP   string
	PrevHash   string
}

// hash is the entry's link in the chain over the fields as a JSON array:
// the encoding frames each field, so moving characters from one field to
// the next changes it. With a key it is HMAC-SHA256, which only the holder
// of the key can recompute; without, the SHA-256 of logs from before the
// key, which anyone with the database can.
func (e *chainEntry) hash(key []byte) string {
	var data any
	if e.HasData {
		data = e.Data
	}
	fields := []any{e.ID, e.At.UTC().Format(timeLayout), e.ActorID, e.Action, e.TargetType, e.TargetID, data, e.SourceIP, e.PrevHash}
	if key == nil {
		b, _ := json.Marshal(fields)
		h := sha256.Sum256(b)
		return hex.EncodeToString(h[:])
	}
	b, _ := json.Marshal(append([]any{auditMACDomain}, fields...))
	return macHex(key, b)
}

// appendAudit inserts e at the head of the chain. Updating the one
// audit_chain row first takes its row lock on PostgreSQL, so concurrent
// transactions append one after the other and each sees the head the
// previous one left; on SQLite writers are serialised already.
func appendAudit(ctx context.Context, tx *tx, e *chainEntry) error {
	e.HasData = e.HasData || e.Data != ""
	var data any
	if e.HasData {
		data = e.Data
	}
	if tx.d.postgres {
		return appendAuditPostgres(ctx, tx, e, data)
	}
	var headID int64
	var check string
	if err := tx.queryRow(ctx, `UPDATE audit_chain SET head_id = head_id WHERE id = 1 RETURNING head_id, head_hash, key_check`).Scan(&headID, &e.PrevHash, &check); err != nil {
		return fmt.Errorf("lock audit chain: %w", err)
	}
	key, err := chainKey(check, tx.auditKey)
	if err != nil {
		return err
	}
	id, err := tx.insert(ctx, `INSERT INTO audit_log (at, actor_id, action, target_type, target_id, data, source_ip, prev_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		e.At, nullID(e.ActorID), e.Action, e.TargetType, e.TargetID, data, e.SourceIP, e.PrevHash)
	if err != nil {
		return err
	}
	e.ID = id
	h := e.hash(key)
	if _, err := tx.exec(ctx, `UPDATE audit_log SET hash = ? WHERE id = ?`, h, id); err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `UPDATE audit_chain SET head_id = ?, head_hash = ? WHERE id = 1`, id, h); err != nil {
		return err
	}
	return nil
}

// appendAuditPostgres is appendAudit in two round trips instead of four,
// with data-modifying CTEs SQLite lacks: locking the head and inserting
// the entry after it are one statement, storing the hash and moving the
// head another. A key that does not match fails the statement's
// transaction as it would have before the insert.
func appendAuditPostgres(ctx context.Context, tx *tx, e *chainEntry, data any) error {
	var check string
	if err := tx.queryRow(ctx, `WITH head AS (UPDATE audit_chain SET head_id = head_id WHERE id = 1 RETURNING head_hash, key_check)
		INSERT INTO audit_log (at, actor_id, action, target_type, target_id, data, source_ip, prev_hash)
		SELECT ?, ?, ?, ?, ?, ?, ?, head.head_hash FROM head
		RETURNING id, prev_hash, (SELECT key_check FROM head)`,
		e.At, nullID(e.ActorID), e.Action, e.TargetType, e.TargetID, data, e.SourceIP).Scan(&e.ID, &e.PrevHash, &check); err != nil {
		return fmt.Errorf("append audit: %w", err)
	}
	key, err := chainKey(check, tx.auditKey)
	if err != nil {
		return err
	}
	h := e.hash(key)
	if _, err := tx.exec(ctx, `WITH entry AS (UPDATE audit_log SET hash = ? WHERE id = ?)
		UPDATE audit_chain SET head_id = ?, head_hash = ? WHERE id = 1`, h, e.ID, e.ID, h); err != nil {
		return fmt.Errorf("append audit: %w", err)
	}
	return nil
}

// sealAudit links rows written before the chain existed (hash NULL) into
// it, oldest first, so that an upgraded database is covered from its first
// entry on. It runs after every migration and does nothing once sealed.
func (db *DB) sealAudit(ctx context.Context) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	var headID int64
	var prev, check string
	if err := tx.queryRow(ctx, `UPDATE audit_chain SET head_id = head_id WHERE id = 1 RETURNING head_id, head_hash, key_check`).Scan(&headID, &prev, &check); err != nil {
		return fmt.Errorf("seal audit: %w", err)
	}
	if check != "" {
		// Rows without a hash in a keyed log were inserted behind
		// warroom's back: sealing them would vouch for them.
		return nil
	}
	rows, err := tx.query(ctx, `SELECT id, at, actor_id, action, target_type, target_id, data, source_ip FROM audit_log WHERE hash IS NULL ORDER BY id`)
	if err != nil {
		return fmt.Errorf("seal audit: %w", err)
	}
	var es []*chainEntry
	for rows.Next() {
		e, err := scanChainEntry(rows, false)
		if err != nil {
			rows.Close()
			return fmt.Errorf("seal audit: %w", err)
		}
		es = append(es, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("seal audit: %w", err)
	}
	if len(es) == 0 {
		return nil
	}
	for _, e := range es {
		e.PrevHash = prev
		prev = e.hash(nil)
		if _, err := tx.exec(ctx, `UPDATE audit_log SET prev_hash = ?, hash = ? WHERE id = ?`, e.PrevHash, prev, e.ID); err != nil {
			return fmt.Errorf("seal audit: %w", err)
		}
	}
	if _, err := tx.exec(ctx, `UPDATE audit_chain SET head_id = ?, head_hash = ? WHERE id = 1`, es[len(es)-1].ID, prev); err != nil {
		return fmt.Errorf("seal audit: %w", err)
	}
	db.logger.Info("sealed audit entries into the hash chain", "entries", len(es))
	return tx.commit()
}

func scanChainEntry(s scanner, withHashes bool, extra ...any) (*chainEntry, error) {
	var e chainEntry
	var data sql.NullString
	dest := []any{&e.ID, scanTime(&e.At), scanID(&e.ActorID), &e.Action, &e.TargetType, &e.TargetID, &data, &e.SourceIP}
	if withHashes {
		dest = append(dest, &nullString{&e.PrevHash})
	}
	if err := s.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	e.Data, e.HasData = data.String, data.Valid
	return &e, nil
}

// nullString reads a nullable text column as "".
type nullString struct{ s *string }

// Scan implements sql.Scanner.
func (n *nullString) Scan(src any) error {
	var v sql.NullString
	if err := v.Scan(src); err != nil {
		return err
	}
	*n.s = v.String
	return nil
}

// verifyBatch is how many entries VerifyAudit reads per query.
const verifyBatch = 1000

// walkChain reads the audit log in ID order, verifyBatch entries per query,
// handing each entry and its stored hash to f until f returns false.
func walkChain(ctx context.Context, tx *tx, op string, f func(e *chainEntry, hash string) bool) error {
	lastID := int64(0)
	for {
		rows, err := tx.query(ctx, `SELECT id, at, actor_id, action, target_type, target_id, data, source_ip, prev_hash, hash
			FROM audit_log WHERE id > ? ORDER BY id LIMIT ?`, lastID, verifyBatch)
		if err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
		var batch []*chainEntry
		var hashes []string
		for rows.Next() {
			var h string
			e, err := scanChainEntry(rows, true, &nullString{&h})
			if err != nil {
				rows.Close()
				return fmt.Errorf("%s: %w", op, err)
			}
			batch, hashes = append(batch, e), append(hashes, h)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
		for i, e := range batch {
			if !f(e, hashes[i]) {
				return nil
			}
			lastID = e.ID
		}
		if len(batch) < verifyBatch {
			return nil
		}
	}
}

// VerifyAudit walks the audit log in ID order, recomputing each entry's
// MAC (or, in a log not yet keyed, hash) from its content and the previous
// entry's, and reports the first entry that does not match. It reads one
// snapshot, so entries appended meanwhile do not confuse it.
func (db *DB) VerifyAudit(ctx context.Context) (*warroom.AuditVerification, error) {
	return db.VerifyAuditCheckpoints(ctx, nil)
}

// VerifyAuditCheckpoints is VerifyAudit that also holds the log to
// checkpoints written out of the database: each must carry this key's MAC,
// and the entry it names must still be there with the MAC it saw. The MAC
// of an entry covers every entry before it, so that one comparison catches
// any rewrite up to the checkpoint; a log that ends before it was cut.
func (db *DB) VerifyAuditCheckpoints(ctx context.Context, cps []warroom.AuditCheckpoint) (*warroom.AuditVerification, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	var headID int64
	var headHash, check string
	if err := tx.queryRow(ctx, `SELECT head_id, head_hash, key_check FROM audit_chain WHERE id = 1`).Scan(&headID, &headHash, &check); err != nil {
		return nil, fmt.Errorf("verify audit: %w", err)
	}
	key, err := chainKey(check, db.auditKey)
	if err != nil {
		return nil, err
	}
	v := &warroom.AuditVerification{OK: true}
	fail := func(id int64, b warroom.AuditBreak, msg string, args ...any) (*warroom.AuditVerification, error) {
		v.OK, v.FirstBadID, v.Break, v.Message = false, id, b, fmt.Sprintf(msg, args...)
		return v, tx.commit()
	}
	// The newest checkpoint of each sequence number is the one held to.
	seen := map[int64]*warroom.AuditCheckpoint{}
	var last *warroom.AuditCheckpoint
	if len(cps) > 0 && key == nil {
		return nil, warroom.Errorf(warroom.EINVALID, "The audit log is not keyed yet, so it has no checkpoints to check: start the server with its secret key once.")
	}
	for i := range cps {
		cp := &cps[i]
		if !hmac.Equal([]byte(cp.MAC), []byte(checkpointMAC(key, cp))) {
			return fail(cp.Seq, warroom.AuditBadCheckpoint, "the checkpoint of %s (entry %d) was not made with this audit key or was altered", cp.At.UTC().Format(time.RFC3339), cp.Seq)
		}
		if cp.Seq > 0 {
			seen[cp.Seq] = cp
		}
		if last == nil || cp.Seq > last.Seq {
			last = cp
		}
	}
	prev, lastID := "", int64(0)
	var before *keyedRecord
	var broken *warroom.AuditVerification
	brk := func(id int64, b warroom.AuditBreak, msg string, args ...any) bool {
		broken = &warroom.AuditVerification{Entries: v.Entries}
		broken.OK, broken.FirstBadID, broken.Break, broken.Message = false, id, b, fmt.Sprintf(msg, args...)
		return false
	}
	err = walkChain(ctx, tx, "verify audit", func(e *chainEntry, hash string) bool {
		if e.PrevHash != prev {
			return brk(e.ID, warroom.AuditMissing, "audit entry %d does not follow entry %d: an entry between them was deleted, or this one was inserted out of order", e.ID, lastID)
		}
		if !hmac.Equal([]byte(e.hash(key)), []byte(hash)) {
			return brk(e.ID, warroom.AuditModified, "audit entry %d was modified: its content no longer matches its MAC", e.ID)
		}
		if r := brokenBeforeKey(e); r != nil && key != nil && before == nil {
			before = r
		}
		if cp := seen[e.ID]; cp != nil {
			if cp.Head != hash {
				return brk(e.ID, warroom.AuditRewritten, "audit entry %d is not the one the checkpoint of %s saw: the log up to it was rewritten", e.ID, cp.At.UTC().Format(time.RFC3339))
			}
			delete(seen, e.ID)
		}
		prev, lastID = hash, e.ID
		v.Entries++
		return true
	})
	if err != nil {
		return nil, err
	}
	if broken != nil {
		return fail(broken.FirstBadID, broken.Break, "%s", broken.Message)
	}
	if last != nil && last.Seq > lastID {
		if lastID == 0 {
			return fail(last.Seq, warroom.AuditEmptied, "the audit log is empty, but the checkpoint of %s saw %d entries", last.At.UTC().Format(time.RFC3339), last.Seq)
		}
		return fail(last.Seq, warroom.AuditTruncated, "the newest audit entries were deleted: the checkpoint of %s saw entry %d, the log ends at %d", last.At.UTC().Format(time.RFC3339), last.Seq, lastID)
	}
	for i := range cps {
		if cp := &cps[i]; seen[cp.Seq] != nil {
			return fail(cp.Seq, warroom.AuditMissing, "audit entry %d, which the checkpoint of %s saw, was deleted", cp.Seq, cp.At.UTC().Format(time.RFC3339))
		}
	}
	if lastID != headID || prev != headHash {
		if lastID > headID {
			return fail(lastID, warroom.AuditMissing, "audit entry %d was inserted after the chain head %d without going through warroom", lastID, headID)
		}
		return fail(headID, warroom.AuditTruncated, "the newest audit entries were deleted: the chain head is entry %d, the log ends at %d", headID, lastID)
	}
	if before != nil {
		return fail(before.FirstBadID, warroom.AuditBrokenBeforeKey, "the audit log was already broken when it was first MACed, so entries up to then cannot be vouched for: %s", before.Break)
	}
	v.Message = fmt.Sprintf("audit log intact: %d entries", v.Entries)
	if key == nil {
		v.Message += " (not keyed yet: anyone with the database could rewrite it unseen)"
	} else if last != nil {
		v.Message += fmt.Sprintf(", %d checkpoints held, the newest of %s at entry %d", len(cps), last.At.UTC().Format(time.RFC3339), last.Seq)
	}
	return v, tx.commit()
}
