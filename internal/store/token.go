package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/warroomhq/warroom"
)

// minTokenLen bounds tokens supplied from outside (the bootstrap token), so
// that a guessable one is refused.
const minTokenLen = 16

// lastUsedGranularity limits how often a token or session records its use:
// every request would otherwise be a write.
const lastUsedGranularity = time.Minute

var tokenEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// newSecret returns prefix followed by 32 random bytes in lowercase base32.
func newSecret(prefix string) string {
	b := make([]byte, 32)
	rand.Read(b) // never fails; see crypto/rand
	return prefix + strings.ToLower(tokenEncoding.EncodeToString(b))
}

// hashSecret is how secrets are stored: a fast hash is enough because the
// secrets are 256 random bits, not passwords.
func hashSecret(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

const tokenColumns = `t.id, t.user_id, t.name, t.prefix, t.created_at, t.expires_at, t.last_used_at, t.revoked_at`

func scanToken(s scanner, extra ...any) (*warroom.Token, error) {
	var t warroom.Token
	dest := []any{&t.ID, &t.UserID, &t.Name, &t.Prefix, scanTime(&t.CreatedAt), scanNullTime(&t.ExpiresAt), scanNullTime(&t.LastUsedAt), scanNullTime(&t.RevokedAt)}
	if err := s.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	return &t, nil
}

// createToken stores a token for a user; secret "" means a new random one.
func createToken(ctx context.Context, tx *tx, userID int64, name string, expiresAt *time.Time, secret string) (*warroom.Token, string, error) {
	if secret == "" {
		secret = newSecret(warroom.TokenPrefix)
	}
	t := &warroom.Token{UserID: userID, Name: name, Prefix: secret[:len(warroom.TokenPrefix)+6], CreatedAt: tx.now, ExpiresAt: expiresAt}
	var err error
	t.ID, err = tx.insert(ctx, `INSERT INTO api_tokens (user_id, name, prefix, hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)`,
		userID, name, t.Prefix, hashSecret(secret), tx.now, expiresAt)
	if isUnique(err) {
		return nil, "", &warroom.Error{Code: warroom.ECONFLICT, Field: "token", Message: "token: already in use"}
	} else if err != nil {
		return nil, "", fmt.Errorf("create token: %w", err)
	}
	return t, secret, nil
}

// CreateToken issues a token for a user and returns its secret.
func (db *DB) CreateToken(ctx context.Context, userID int64, name string, expiresAt *time.Time) (*warroom.Token, string, error) {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > warroom.MaxTitleLen {
		return nil, "", warroom.FieldErrorf("name", "must be 1 to %d characters", warroom.MaxTitleLen)
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, "", err
	}
	defer tx.rollback()
	if expiresAt != nil {
		e := expiresAt.UTC().Truncate(time.Microsecond)
		if !e.After(tx.now) {
			return nil, "", warroom.FieldErrorf("expires_at", "must be in the future")
		}
		expiresAt = &e
	}
	if _, err := findUser(ctx, tx, userID, false); err != nil {
		return nil, "", err
	}
	t, secret, err := createToken(ctx, tx, userID, name, expiresAt, "")
	if err != nil {
		return nil, "", err
	}
	if err := writeAudit(ctx, tx, warroom.AuditTokenCreate, "user", userID, map[string]any{
		"token_id": t.ID, "name": t.Name, "prefix": t.Prefix, "expires_at": t.ExpiresAt,
	}); err != nil {
		return nil, "", err
	}
	return t, secret, tx.commit()
}

// FindTokens lists a user's tokens, revoked ones included, newest first.
// Returns ENOTFOUND for an unknown user.
func (db *DB) FindTokens(ctx context.Context, userID int64) ([]*warroom.Token, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	if _, err := findUser(ctx, tx, userID, false); err != nil {
		return nil, err
	}
	rows, err := tx.query(ctx, `SELECT `+tokenColumns+` FROM api_tokens t WHERE t.user_id = ? ORDER BY t.id DESC`, userID)
	if err != nil {
		return nil, fmt.Errorf("find tokens: %w", err)
	}
	defer rows.Close()
	ts := []*warroom.Token{}
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, fmt.Errorf("find tokens: %w", err)
		}
		ts = append(ts, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find tokens: %w", err)
	}
	return ts, tx.commit()
}

// RevokeToken revokes a token of the given user.
func (db *DB) RevokeToken(ctx context.Context, userID, tokenID int64) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	t, err := scanToken(tx.queryRow(ctx, `SELECT `+tokenColumns+` FROM api_tokens t WHERE t.id = ? AND t.user_id = ?`+tx.d.forUpdate(), tokenID, userID))
	if errors.Is(err, sql.ErrNoRows) {
		return warroom.Errorf(warroom.ENOTFOUND, "Token %d not found.", tokenID)
	} else if err != nil {
		return fmt.Errorf("revoke token: %w", err)
	}
	if t.RevokedAt != nil {
		return warroom.Errorf(warroom.ECONFLICT, "Token %d is already revoked.", tokenID)
	}
	if _, err := tx.exec(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE id = ?`, tx.now, tokenID); err != nil {
		return fmt.Errorf("revoke token: %w", err)
	}
	if err := writeAudit(ctx, tx, warroom.AuditTokenRevoke, "user", userID, map[string]any{"token_id": t.ID, "name": t.Name, "prefix": t.Prefix}); err != nil {
		return err
	}
	return tx.commit()
}

var errBadToken = warroom.Errorf(warroom.EUNAUTHORIZED, "Invalid or expired token.")

// Authenticate returns the active user owning a valid token and records its
// last use, at most once a minute.
func (db *DB) Authenticate(ctx context.Context, secret string) (*warroom.User, error) {
	if !strings.HasPrefix(secret, warroom.TokenPrefix) || len(secret) > 200 {
		return nil, errBadToken
	}
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	var t warroom.Token
	u, err := scanUser(tx.queryRow(ctx, `SELECT `+userColumns+`, t.id, t.expires_at, t.last_used_at, t.revoked_at
		FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.hash = ?`, hashSecret(secret)),
		&t.ID, scanNullTime(&t.ExpiresAt), scanNullTime(&t.LastUsedAt), scanNullTime(&t.RevokedAt))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errBadToken
	} else if err != nil {
		return nil, fmt.Errorf("authenticate: %w", err)
	}
	now := tx.now
	if err := tx.commit(); err != nil {
		return nil, err
	}
	if t.RevokedAt != nil || (t.ExpiresAt != nil && !t.ExpiresAt.After(now)) || !u.Active {
		return nil, errBadToken
	}
	if t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) >= lastUsedGranularity {
		if err := db.touchToken(ctx, t.ID); err != nil {
			return nil, err
		}
	}
	return u, nil
}

func (db *DB) touchToken(ctx context.Context, id int64) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	if _, err := tx.exec(ctx, `UPDATE api_tokens SET last_used_at = ? WHERE id = ?`, tx.now, id); err != nil {
		return fmt.Errorf("touch token: %w", err)
	}
	return tx.commit()
}
