package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/phone"
)

var _ warroom.ContactService = (*DB)(nil)

// Sealer encrypts credentials at rest: contact addresses (webhook URLs carry
// their tokens), signing secrets, verification codes and the link key.
// *secret.Box implements it; Options.Sealer sets it. Without one, values are
// stored marked "plain:" so that they are recognised and can be sealed once
// a key is configured. context binds a value to the column it is stored in.
type Sealer interface {
	Seal(plaintext, context string) string
	Open(sealed, context string) (string, error)
}

const plainPrefix = "plain:"

// Sealing contexts, one per kind of stored credential.
const (
	sealAddress = "contact_method.address"
	sealSecret  = "contact_method.secret"
	sealCode    = "notification.code"
	sealLinkKey = "settings.link_key"
)

func (db *DB) seal(s, context string) (string, error) {
	if s == "" {
		return "", nil
	}
	if db.sealer == nil {
		return plainPrefix + s, nil
	}
	return db.sealer.Seal(s, context), nil
}

func (db *DB) unseal(v, context string) (string, error) {
	if v == "" {
		return "", nil
	}
	if strings.HasPrefix(v, plainPrefix) {
		return strings.TrimPrefix(v, plainPrefix), nil
	}
	if db.sealer == nil {
		return "", errors.New("unseal: a sealed value but no sealer is configured")
	}
	s, err := db.sealer.Open(v, context)
	if err != nil {
		return "", fmt.Errorf("unseal %s: %w", context, err)
	}
	return s, nil
}

// verificationTTL is how long a verification code works.
const verificationTTL = 15 * time.Minute

const contactColumns = `c.id, c.user_id, c.type, c.name, c.address_sealed, c.secret_sealed, c.verified_at, c.created_at`

func (db *DB) scanContact(s scanner) (*warroom.ContactMethod, error) {
	var cm warroom.ContactMethod
	var addr, secret string
	if err := s.Scan(&cm.ID, &cm.UserID, &cm.Type, &cm.Name, &addr, &secret, scanNullTime(&cm.VerifiedAt), scanTime(&cm.CreatedAt)); err != nil {
		return nil, err
	}
	var err error
	if cm.Address, err = db.unseal(addr, sealAddress); err != nil {
		return nil, err
	}
	if cm.Secret, err = db.unseal(secret, sealSecret); err != nil {
		return nil, err
	}
	cm.HasSecret = cm.Secret != ""
	return &cm, nil
}

// FindContactMethods lists a user's methods without their secrets.
func (db *DB) FindContactMethods(ctx context.Context, userID int64) ([]*warroom.ContactMethod, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	if _, err := findUser(ctx, tx, userID, false); err != nil {
		return nil, err
	}
	rows, err := tx.query(ctx, `SELECT `+contactColumns+` FROM contact_methods c WHERE c.user_id = ? AND c.deleted_at IS NULL ORDER BY c.id`, userID)
	if err != nil {
		return nil, fmt.Errorf("find contact methods: %w", err)
	}
	defer rows.Close()
	out := []*warroom.ContactMethod{}
	for rows.Next() {
		cm, err := db.scanContact(rows)
		if err != nil {
			return nil, fmt.Errorf("find contact methods: %w", err)
		}
		cm.Secret = ""
		out = append(out, cm)
	}
	return out, rows.Err()
}

func (db *DB) findContact(ctx context.Context, tx *tx, userID, id int64) (*warroom.ContactMethod, error) {
	cm, err := db.scanContact(tx.queryRow(ctx, `SELECT `+contactColumns+` FROM contact_methods c WHERE c.id = ? AND c.user_id = ? AND c.deleted_at IS NULL`, id, userID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, warroom.Errorf(warroom.ENOTFOUND, "Contact method %d not found.", id)
	} else if err != nil {
		return nil, fmt.Errorf("find contact method: %w", err)
	}
	return cm, nil
}

// CreateContactMethod adds an unverified method and queues a code to it.
func (db *DB) CreateContactMethod(ctx context.Context, cm *warroom.ContactMethod) error {
	if err := cm.Validate(); err != nil {
		return err
	}
	switch {
	case cm.Type.Phone():
		n, err := phone.Normalize(cm.Address)
		if err != nil {
			return err
		}
		cm.Address = n
	case cm.Type != warroom.ContactEmail:
		if err := db.checkOutbound(ctx, "address", cm.Address); err != nil {
			return err
		}
	}
	addr, err := db.seal(cm.Address, sealAddress)
	if err != nil {
		return err
	}
	secret, err := db.seal(cm.Secret, sealSecret)
	if err != nil {
		return err
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	if _, err := findUser(ctx, tx, cm.UserID, false); err != nil {
		return err
	}
	cm.ID, err = tx.insert(ctx, `INSERT INTO contact_methods (user_id, type, name, address_sealed, secret_sealed, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		cm.UserID, string(cm.Type), cm.Name, addr, secret, tx.now)
	if err != nil {
		return fmt.Errorf("create contact method: %w", err)
	}
	cm.CreatedAt, cm.VerifiedAt, cm.HasSecret = tx.now, nil, cm.Secret != ""
	if err := writeAudit(ctx, tx, warroom.AuditContactCreate, "contact_method", cm.ID, map[string]any{
		"user_id": cm.UserID, "type": cm.Type, "name": cm.Name, "has_secret": cm.HasSecret,
	}); err != nil {
		return err
	}
	if err := db.queueVerification(ctx, tx, cm); err != nil {
		return err
	}
	cm.Secret = ""
	return tx.commit()
}

// DeleteContactMethod removes a method and its rules; past notifications
// keep pointing at it, so it is only marked deleted.
func (db *DB) DeleteContactMethod(ctx context.Context, userID, id int64) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	if _, err := db.findContact(ctx, tx, userID, id); err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `UPDATE contact_methods SET deleted_at = ? WHERE id = ?`, tx.now, id); err != nil {
		return fmt.Errorf("delete contact method: %w", err)
	}
	if _, err := tx.exec(ctx, `DELETE FROM notification_rules WHERE contact_method_id = ?`, id); err != nil {
		return fmt.Errorf("delete contact method rules: %w", err)
	}
	if err := writeAudit(ctx, tx, warroom.AuditContactDelete, "contact_method", id, map[string]any{"user_id": userID}); err != nil {
		return err
	}
	return tx.commit()
}

// SendContactVerification queues a fresh code.
func (db *DB) SendContactVerification(ctx context.Context, userID, id int64) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	cm, err := db.findContact(ctx, tx, userID, id)
	if err != nil {
		return err
	}
	if err := db.queueVerification(ctx, tx, cm); err != nil {
		return err
	}
	return tx.commit()
}

// queueVerification stores the hash of a new six-digit code and queues
// the code itself, sealed, in the outbox.
func (db *DB) queueVerification(ctx context.Context, tx *tx, cm *warroom.ContactMethod) error {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return fmt.Errorf("verification code: %w", err)
	}
	code := fmt.Sprintf("%06d", n.Int64())
	if _, err := tx.exec(ctx, `UPDATE contact_methods SET verify_code_hash = ?, verify_expires_at = ? WHERE id = ?`,
		codeHash(cm.ID, code), tx.now.Add(verificationTTL), cm.ID); err != nil {
		return fmt.Errorf("queue verification: %w", err)
	}
	sealed, err := db.seal(code, sealCode)
	if err != nil {
		return err
	}
	return queueNotification(ctx, tx, outboxRow{kind: warroom.NotifyVerification, userID: cm.UserID, contactID: cm.ID, text: sealed, at: tx.now})
}

func codeHash(id int64, code string) string {
	h := sha256.Sum256([]byte(fmt.Sprintf("%d:%s", id, code)))
	return hex.EncodeToString(h[:])
}

// VerifyContactMethod checks code against the last one sent.
func (db *DB) VerifyContactMethod(ctx context.Context, userID, id int64, code string) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	if _, err := db.findContact(ctx, tx, userID, id); err != nil {
		return err
	}
	var hash string
	var expires *time.Time
	if err := tx.queryRow(ctx, `SELECT verify_code_hash, verify_expires_at FROM contact_methods WHERE id = ?`, id).Scan(&hash, scanNullTime(&expires)); err != nil {
		return fmt.Errorf("verify contact method: %w", err)
	}
	want := codeHash(id, strings.TrimSpace(code))
	if hash == "" || expires == nil || tx.now.After(*expires) || subtle.ConstantTimeCompare([]byte(hash), []byte(want)) != 1 {
		return warroom.FieldErrorf("code", "is wrong or has expired; send a new one")
	}
	if _, err := tx.exec(ctx, `UPDATE contact_methods SET verified_at = ?, verify_code_hash = '', verify_expires_at = NULL WHERE id = ?`, tx.now, id); err != nil {
		return fmt.Errorf("verify contact method: %w", err)
	}
	if err := writeAudit(ctx, tx, warroom.AuditContactVerify, "contact_method", id, map[string]any{"user_id": userID}); err != nil {
		return err
	}
	return tx.commit()
}

// SendTestNotification queues a test message to a verified method.
func (db *DB) SendTestNotification(ctx context.Context, userID, id int64) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	cm, err := db.findContact(ctx, tx, userID, id)
	if err != nil {
		return err
	}
	if !cm.Verified() {
		return warroom.Errorf(warroom.ECONFLICT, "Verify contact method %q before sending it a test.", cm.Name)
	}
	if err := queueNotification(ctx, tx, outboxRow{kind: warroom.NotifyTest, userID: userID, contactID: id, at: tx.now}); err != nil {
		return err
	}
	return tx.commit()
}

// FindNotificationRules lists a user's rules by delay.
func (db *DB) FindNotificationRules(ctx context.Context, userID int64) ([]*warroom.NotificationRule, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	if _, err := findUser(ctx, tx, userID, false); err != nil {
		return nil, err
	}
	rows, err := tx.query(ctx, `SELECT id, user_id, contact_method_id, delay_seconds, created_at FROM notification_rules WHERE user_id = ? ORDER BY delay_seconds, id`, userID)
	if err != nil {
		return nil, fmt.Errorf("find notification rules: %w", err)
	}
	defer rows.Close()
	out := []*warroom.NotificationRule{}
	for rows.Next() {
		var r warroom.NotificationRule
		if err := rows.Scan(&r.ID, &r.UserID, &r.ContactMethodID, &r.DelaySeconds, scanTime(&r.CreatedAt)); err != nil {
			return nil, fmt.Errorf("find notification rules: %w", err)
		}
		out = append(out, &r)
	}
	return out, rows.Err()
}

// CreateNotificationRule adds a rule for one of the user's methods.
func (db *DB) CreateNotificationRule(ctx context.Context, r *warroom.NotificationRule) error {
	if err := r.Validate(); err != nil {
		return err
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	if _, err := db.findContact(ctx, tx, r.UserID, r.ContactMethodID); err != nil {
		return err
	}
	r.CreatedAt = tx.now
	r.ID, err = tx.insert(ctx, `INSERT INTO notification_rules (user_id, contact_method_id, delay_seconds, created_at) VALUES (?, ?, ?, ?)`,
		r.UserID, r.ContactMethodID, r.DelaySeconds, tx.now)
	if err != nil {
		return fmt.Errorf("create notification rule: %w", err)
	}
	if err := writeAudit(ctx, tx, warroom.AuditRuleCreate, "notification_rule", r.ID, r); err != nil {
		return err
	}
	return tx.commit()
}

// DeleteNotificationRule removes a rule.
func (db *DB) DeleteNotificationRule(ctx context.Context, userID, id int64) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	res, err := tx.exec(ctx, `DELETE FROM notification_rules WHERE id = ? AND user_id = ?`, id, userID)
	if err != nil {
		return fmt.Errorf("delete notification rule: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return warroom.Errorf(warroom.ENOTFOUND, "Notification rule %d not found.", id)
	}
	if err := writeAudit(ctx, tx, warroom.AuditRuleDelete, "notification_rule", id, map[string]any{"user_id": userID}); err != nil {
		return err
	}
	return tx.commit()
}
