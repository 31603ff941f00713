package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/warroomhq/warroom"
)

var _ warroom.SessionService = (*DB)(nil)

// truncate cuts client-supplied strings that are stored but not validated.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && (s[n]&0xC0) == 0x80 {
		n-- // stay on a rune boundary
	}
	return s[:n]
}

// CreateSession starts a session for an active user and returns it with its
// secret for the cookie.
func (db *DB) CreateSession(ctx context.Context, userID int64, userAgent, sourceIP string) (*warroom.Session, string, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, "", err
	}
	defer tx.rollback()
	u, err := findUser(ctx, tx, userID, false)
	if err != nil {
		return nil, "", err
	}
	if !u.Active {
		return nil, "", warroom.Errorf(warroom.EUNAUTHORIZED, "The account is deactivated.")
	}
	secret := newSecret("")
	s := &warroom.Session{UserID: userID, CSRFToken: newSecret(""), CreatedAt: tx.now, ExpiresAt: tx.now.Add(warroom.SessionTTL),
		LastSeenAt: tx.now, UserAgent: truncate(userAgent, 512), SourceIP: truncate(sourceIP, 64)}
	s.ID, err = tx.insert(ctx, `INSERT INTO sessions (secret_hash, csrf_token, user_id, created_at, expires_at, last_seen_at, user_agent, source_ip)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, hashSecret(secret), s.CSRFToken, userID, s.CreatedAt, s.ExpiresAt, s.LastSeenAt, s.UserAgent, s.SourceIP)
	if err != nil {
		return nil, "", fmt.Errorf("create session: %w", err)
	}
	if err := writeAudit(ctx, tx, warroom.AuditSessionCreate, "user", userID, map[string]any{
		"session_id": s.ID, "user_agent": s.UserAgent, "source_ip": s.SourceIP,
	}); err != nil {
		return nil, "", err
	}
	return s, secret, tx.commit()
}

var errBadSession = warroom.Errorf(warroom.EUNAUTHORIZED, "Please sign in.")

const sessionColumns = `s.id, s.user_id, s.csrf_token, s.created_at, s.expires_at, s.last_seen_at, s.user_agent, s.source_ip`

// FindSession returns the session and its active user for a cookie secret,
// sliding its expiry forward at most once a minute.
func (db *DB) FindSession(ctx context.Context, secret string) (*warroom.Session, *warroom.User, error) {
	if secret == "" || len(secret) > 200 {
		return nil, nil, errBadSession
	}
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, nil, err
	}
	defer tx.rollback()
	var s warroom.Session
	u, err := scanUser(tx.queryRow(ctx, `SELECT `+userColumns+`, `+sessionColumns+` FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.secret_hash = ?`,
		hashSecret(secret)), &s.ID, &s.UserID, &s.CSRFToken, scanTime(&s.CreatedAt), scanTime(&s.ExpiresAt), scanTime(&s.LastSeenAt), &s.UserAgent, &s.SourceIP)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, errBadSession
	} else if err != nil {
		return nil, nil, fmt.Errorf("find session: %w", err)
	}
	now := tx.now
	if err := tx.commit(); err != nil {
		return nil, nil, err
	}
	if !s.ExpiresAt.After(now) || !u.Active {
		return nil, nil, errBadSession
	}
	if now.Sub(s.LastSeenAt) >= lastUsedGranularity {
		if err := db.touchSession(ctx, &s); err != nil {
			return nil, nil, err
		}
	}
	return &s, u, nil
}

func (db *DB) touchSession(ctx context.Context, s *warroom.Session) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	s.LastSeenAt, s.ExpiresAt = tx.now, tx.now.Add(warroom.SessionTTL)
	if _, err := tx.exec(ctx, `UPDATE sessions SET last_seen_at = ?, expires_at = ? WHERE id = ?`, s.LastSeenAt, s.ExpiresAt, s.ID); err != nil {
		return fmt.Errorf("touch session: %w", err)
	}
	return tx.commit()
}

// DeleteSession ends a session (logout). Unknown secrets are ignored.
func (db *DB) DeleteSession(ctx context.Context, secret string) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	var id, userID int64
	err = tx.queryRow(ctx, `DELETE FROM sessions WHERE secret_hash = ? RETURNING id, user_id`, hashSecret(secret)).Scan(&id, &userID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	} else if err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	if err := writeAudit(ctx, tx, warroom.AuditSessionDelete, "user", userID, map[string]any{"session_id": id}); err != nil {
		return err
	}
	return tx.commit()
}

// DeleteUserSessions ends every session of a user.
func (db *DB) DeleteUserSessions(ctx context.Context, userID int64) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	res, err := tx.exec(ctx, `DELETE FROM sessions WHERE user_id = ?`, userID)
	if err != nil {
		return fmt.Errorf("delete user sessions: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("delete user sessions: %w", err)
	}
	if n == 0 {
		return nil
	}
	if err := writeAudit(ctx, tx, warroom.AuditSessionDelete, "user", userID, map[string]any{"sessions": n}); err != nil {
		return err
	}
	return tx.commit()
}
