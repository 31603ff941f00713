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

const tokenColumns = `t.id, t.user_id, t.name, t.prefix, t.kind, t.scopes, t.created_at, t.expires_at, t.last_used_at, t.revoked_at`

func scanToken(s scanner) (*warroom.Token, error) {
	var t warroom.Token
	var scopes string
	if err := s.Scan(tokenDest(&t, &scopes)...); err != nil {
		return nil, err
	}
	t.Scopes = splitScopes(scopes)
	return &t, nil
}

// tokenDest returns the scan destinations of tokenColumns; the caller
// splits scopes afterwards.
func tokenDest(t *warroom.Token, scopes *string) []any {
	return []any{&t.ID, &t.UserID, &t.Name, &t.Prefix, &t.Kind, scopes, scanTime(&t.CreatedAt), scanNullTime(&t.ExpiresAt), scanNullTime(&t.LastUsedAt), scanNullTime(&t.RevokedAt)}
}

// Scopes are stored as one comma-separated column: they are few, fixed
// words, and a token is always read whole.
func joinScopes(ss []warroom.TokenScope) string {
	parts := make([]string, len(ss))
	for i, s := range ss {
		parts[i] = string(s)
	}
	return strings.Join(parts, ",")
}

func splitScopes(s string) []warroom.TokenScope {
	out := []warroom.TokenScope{}
	for _, p := range strings.Split(s, ",") {
		if p != "" {
			out = append(out, warroom.TokenScope(p))
		}
	}
	return out
}

// createToken stores a token for a user; secret "" means a new random one.
// in must be validated.
func createToken(ctx context.Context, tx *tx, userID int64, in warroom.TokenInput, secret string) (*warroom.Token, string, error) {
	if secret == "" {
		secret = newSecret(warroom.TokenPrefix)
	}
	t := &warroom.Token{UserID: userID, Name: in.Name, Prefix: secret[:len(warroom.TokenPrefix)+6], Kind: in.Kind, Scopes: in.Scopes, CreatedAt: tx.now, ExpiresAt: in.ExpiresAt}
	var err error
	t.ID, err = tx.insert(ctx, `INSERT INTO api_tokens (user_id, name, prefix, hash, kind, scopes, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		userID, t.Name, t.Prefix, hashSecret(secret), string(t.Kind), joinScopes(t.Scopes), tx.now, t.ExpiresAt)
	if isUnique(err) {
		return nil, "", &warroom.Error{Code: warroom.ECONFLICT, Field: "token", Message: "token: already in use"}
	} else if err != nil {
		return nil, "", fmt.Errorf("create token: %w", err)
	}
	return t, secret, nil
}

// CreateToken issues a personal token with the default scopes.
func (db *DB) CreateToken(ctx context.Context, userID int64, name string, expiresAt *time.Time) (*warroom.Token, string, error) {
	return db.IssueToken(ctx, userID, warroom.TokenInput{Name: name, ExpiresAt: expiresAt})
}

// IssueToken issues a token of a kind and scopes for a user and returns its
// secret.
func (db *DB) IssueToken(ctx context.Context, userID int64, in warroom.TokenInput) (*warroom.Token, string, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, "", err
	}
	defer tx.rollback()
	owner, err := findUser(ctx, tx, userID, false)
	if err != nil {
		return nil, "", err
	}
	// The ceiling is applied here, where every way of issuing a token
	// passes, so that no scope the owner's role lacks is ever stored.
	if err := in.Narrow(owner.Role); err != nil {
		return nil, "", err
	}
	if err := in.Validate(tx.now); err != nil {
		return nil, "", err
	}
	t, secret, err := createToken(ctx, tx, userID, in, "")
	if err != nil {
		return nil, "", err
	}
	if err := writeAudit(ctx, tx, warroom.AuditTokenCreate, "user", userID, map[string]any{
		"token_id": t.ID, "name": t.Name, "prefix": t.Prefix, "kind": t.Kind, "scopes": t.Scopes, "expires_at": t.ExpiresAt,
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
	// Revoking someone else's token can cut an on-call engineer or a
	// service off; one's own never needs a second admin.
	if userID != warroom.UserIDFromContext(ctx) {
		if err := guard(ctx, tx, warroom.OpTokenRevokeOther); err != nil {
			return err
		}
	}
	if err := revokeToken(ctx, tx, userID, tokenID); err != nil {
		return err
	}
	return tx.commit()
}

func revokeToken(ctx context.Context, tx *tx, userID, tokenID int64) error {
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
	return writeAudit(ctx, tx, warroom.AuditTokenRevoke, "user", userID, map[string]any{"token_id": t.ID, "name": t.Name, "prefix": t.Prefix})
}

var errBadToken = warroom.Errorf(warroom.EUNAUTHORIZED, "Invalid or expired token.")

// Authenticate returns the active user owning a valid token and records its
// last use, at most once a minute.
func (db *DB) Authenticate(ctx context.Context, secret string) (*warroom.User, error) {
	u, _, err := db.AuthenticateToken(ctx, secret)
	return u, err
}

// AuthenticateToken is Authenticate returning the token too. The secret is
// looked up by its SHA-256, so no comparison of secrets happens in Go whose
// timing could leak a prefix.
func (db *DB) AuthenticateToken(ctx context.Context, secret string) (*warroom.User, *warroom.Token, error) {
	if !strings.HasPrefix(secret, warroom.TokenPrefix) || len(secret) > 200 {
		return nil, nil, errBadToken
	}
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, nil, err
	}
	defer tx.rollback()
	var t warroom.Token
	var scopes string
	u, err := scanUser(tx.queryRow(ctx, `SELECT `+userColumns+`, `+tokenColumns+`
		FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.hash = ?`, hashSecret(secret)), tokenDest(&t, &scopes)...)
	t.Scopes = splitScopes(scopes)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, errBadToken
	} else if err != nil {
		return nil, nil, fmt.Errorf("authenticate: %w", err)
	}
	now := tx.now
	if err := tx.commit(); err != nil {
		return nil, nil, err
	}
	if t.RevokedAt != nil || (t.ExpiresAt != nil && !t.ExpiresAt.After(now)) || !u.Active {
		return nil, nil, errBadToken
	}
	if t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) >= lastUsedGranularity {
		if err := db.touchToken(ctx, t.ID); err != nil {
			return nil, nil, err
		}
	}
	return u, &t, nil
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
