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
	if _, err := tx.exec(ctx, `UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?`, hash, tx.now, userID); err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	if err := writeAudit(ctx, tx, warroom.AuditUserPassword, "user", userID, map[string]any{"password_changed": true}); err != nil {
		return err
	}
	return tx.commit()
}

var errBadLogin = warroom.Errorf(warroom.EUNAUTHORIZED, "Wrong email or password.")

// AuthenticatePassword checks an email and password. An unknown email costs
// the same work as a wrong password, so timing does not reveal accounts.
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
	u, err := scanUser(tx.queryRow(ctx, `SELECT `+userColumns+`, u.password_hash FROM users u WHERE lower(u.email) = ?`,
		strings.ToLower(strings.TrimSpace(email))), &hash)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("authenticate password: %w", err)
	}
	if err := tx.commit(); err != nil {
		return nil, err
	}
	if u == nil || !hash.Valid {
		db.dummyOnce.Do(func() { db.dummyHash = hashPassword("warroom dummy password") })
		verifyPassword(db.dummyHash, password)
		return nil, errBadLogin
	}
	ok, err := verifyPassword(hash.String, password)
	if err != nil {
		return nil, err
	}
	if !ok || !u.Active {
		return nil, errBadLogin
	}
	return u, nil
}
