package store

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/warroomhq/warroom"
	"golang.org/x/crypto/argon2"
)

// argon2id parameters: OWASP's minimum recommendation (19 MiB, 2 passes,
// one lane), which keeps a login near 50 ms on a small server. They are
// stored with each hash, so raising them later leaves old hashes readable.
const (
	argonMemory  = 19 * 1024
	argonTime    = 2
	argonThreads = 1
	argonKeyLen  = 32
	argonSaltLen = 16
	// maxPasswordLen stops a megabyte password from becoming a denial of
	// service through the KDF.
	maxPasswordLen = 1024
)

var b64 = base64.RawStdEncoding

// hashPassword returns a PHC-style encoded argon2id hash:
// $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>.
func hashPassword(password string) string {
	salt := make([]byte, argonSaltLen)
	rand.Read(salt) // never fails; see crypto/rand
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// verifyPassword checks password against an encoded hash in constant time.
func verifyPassword(encoded, password string) (bool, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, errors.New("verify password: unknown hash format")
	}
	var version int
	var mem, iter uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, fmt.Errorf("verify password: unsupported version %q", parts[2])
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &mem, &iter, &threads); err != nil {
		return false, fmt.Errorf("verify password: bad parameters: %w", err)
	}
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false, fmt.Errorf("verify password: bad salt: %w", err)
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false, fmt.Errorf("verify password: bad hash: %w", err)
	}
	got := argon2.IDKey([]byte(password), salt, iter, mem, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// SetPassword sets a user's password, hashed with argon2id.
func (db *DB) SetPassword(ctx context.Context, userID int64, password string) error {
	if n := utf8.RuneCountInString(password); n < warroom.MinPasswordLen {
		return warroom.FieldErrorf("password", "must be at least %d characters", warroom.MinPasswordLen)
	} else if len(password) > maxPasswordLen {
		return warroom.FieldErrorf("password", "must be at most %d bytes", maxPasswordLen)
	}
	// Hash before the transaction: the KDF is slow and must not hold the
	// write lock.
	hash := hashPassword(password)
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	if _, err := findUser(ctx, tx, userID, true); err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `UPDATE users SET password_hash = ?, failed_logins = 0, locked_until = NULL, updated_at = ? WHERE id = ?`, hash, tx.now, userID); err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	// A new password ends every session in the same transaction: whoever
	// knew the old one must not stay signed in.
	res, err := tx.exec(ctx, `DELETE FROM sessions WHERE user_id = ?`, userID)
	if err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	if err := writeAudit(ctx, tx, warroom.AuditUserPassword, "user", userID, map[string]any{"password_changed": true, "sessions_ended": n}); err != nil {
		return err
	}
	return tx.commit()
}

var errBadLogin = warroom.Errorf(warroom.EUNAUTHORIZED, "Wrong email or password.")

// AuthenticatePassword checks an email and password. An unknown email costs
// the same work as a wrong password, so timing does not reveal accounts.
// MaxLoginFailures wrong passwords in a row lock the account for
// LoginLockout; a locked account answers like a wrong password, without
// running the KDF for an attacker, and each failure is audited.
func (db *DB) AuthenticatePassword(ctx context.Context, email, password string) (*warroom.User, error) {
	if len(password) > maxPasswordLen {
		return nil, errBadLogin
	}
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	var hash sql.NullString
	var lockedUntil *time.Time
	var failures int
	u, err := scanUser(tx.queryRow(ctx, `SELECT `+userColumns+`, u.password_hash, u.locked_until, u.failed_logins FROM users u WHERE lower(u.email) = ?`,
		strings.ToLower(strings.TrimSpace(email))), &hash, scanNullTime(&lockedUntil), &failures)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("authenticate password: %w", err)
	}
	now := tx.now
	if err := tx.commit(); err != nil {
		return nil, err
	}
	if u == nil || !hash.Valid {
		db.dummyOnce.Do(func() { db.dummyHash = hashPassword("warroom dummy password") })
		verifyPassword(db.dummyHash, password)
		return nil, errBadLogin
	}
	if lockedUntil != nil && lockedUntil.After(now) {
		return nil, errBadLogin
	}
	ok, err := verifyPassword(hash.String, password)
	if err != nil {
		return nil, err
	}
	if !ok {
		if err := db.loginFailed(ctx, u.ID); err != nil {
			return nil, err
		}
		return nil, errBadLogin
	}
	if !u.Active {
		return nil, errBadLogin
	}
	if lockedUntil != nil || failures > 0 {
		if err := db.loginSucceeded(ctx, u.ID); err != nil {
			return nil, err
		}
	}
	return u, nil
}

// loginFailed counts a wrong password and locks the account at the limit.
func (db *DB) loginFailed(ctx context.Context, userID int64) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	var n int
	if err := tx.queryRow(ctx, `UPDATE users SET failed_logins = failed_logins + 1 WHERE id = ? RETURNING failed_logins`, userID).Scan(&n); err != nil {
		return fmt.Errorf("login failed: %w", err)
	}
	if err := writeAudit(ctx, tx, warroom.AuditUserLoginFailed, "user", userID, map[string]any{"failures": n}); err != nil {
		return err
	}
	if n >= warroom.MaxLoginFailures {
		until := tx.now.Add(warroom.LoginLockout)
		if _, err := tx.exec(ctx, `UPDATE users SET failed_logins = 0, locked_until = ? WHERE id = ?`, until, userID); err != nil {
			return fmt.Errorf("login failed: %w", err)
		}
		if err := writeAudit(ctx, tx, warroom.AuditUserLocked, "user", userID, map[string]any{"locked_until": until}); err != nil {
			return err
		}
	}
	return tx.commit()
}

// loginSucceeded clears the failure count, writing only when there is
// something to clear so that a normal login costs no write.
func (db *DB) loginSucceeded(ctx context.Context, userID int64) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	if _, err := tx.exec(ctx, `UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = ? AND (failed_logins <> 0 OR locked_until IS NOT NULL)`, userID); err != nil {
		return fmt.Errorf("login succeeded: %w", err)
	}
	return tx.commit()
}
