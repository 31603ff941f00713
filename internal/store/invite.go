package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"unicode/utf8"

	"github.com/warroomhq/warroom"
)

var _ warroom.InviteService = (*DB)(nil)

const inviteColumns = `id, email, role, invited_by, created_at, expires_at, accepted_at, user_id, revoked_at`

func scanInvite(s scanner) (*warroom.Invite, error) {
	var i warroom.Invite
	if err := s.Scan(&i.ID, &i.Email, &i.Role, scanID(&i.InvitedBy), scanTime(&i.CreatedAt), scanTime(&i.ExpiresAt),
		scanNullTime(&i.AcceptedAt), scanID(&i.UserID), scanNullTime(&i.RevokedAt)); err != nil {
		return nil, err
	}
	return &i, nil
}

// errNoInvite answers every invite that cannot be used, so that the link
// page does not tell a guesser whether a secret ever existed.
var errNoInvite = warroom.Errorf(warroom.ENOTFOUND, "This invitation is unknown, used, withdrawn or expired.")

// CreateInvite invites an email address with a role.
func (db *DB) CreateInvite(ctx context.Context, email string, role warroom.UserRole) (*warroom.Invite, string, error) {
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != strings.TrimSpace(email) || len(email) > 254 {
		return nil, "", warroom.FieldErrorf("email", "must be a plain address such as ana@example.com")
	}
	if !role.Valid() {
		return nil, "", warroom.FieldErrorf("role", "unknown role %q (want owner, admin, responder, viewer, stakeholder or contractor)", role)
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, "", err
	}
	defer tx.rollback()
	inv := &warroom.Invite{Email: strings.ToLower(addr.Address), Role: role, InvitedBy: warroom.UserIDFromContext(ctx),
		CreatedAt: tx.now, ExpiresAt: tx.now.Add(warroom.InviteTTL)}
	if err := emailFree(ctx, tx, inv.Email); err != nil {
		return nil, "", err
	}
	secret := newSecret("")
	inv.ID, err = tx.insert(ctx, `INSERT INTO invites (secret_hash, email, role, invited_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)`,
		hashSecret(secret), inv.Email, string(inv.Role), nullID(inv.InvitedBy), inv.CreatedAt, inv.ExpiresAt)
	if err != nil {
		return nil, "", fmt.Errorf("create invite: %w", err)
	}
	if err := writeAudit(ctx, tx, warroom.AuditInviteCreate, "invite", inv.ID, map[string]any{"email": inv.Email, "role": inv.Role, "expires_at": inv.ExpiresAt}); err != nil {
		return nil, "", err
	}
	return inv, secret, tx.commit()
}

// emailFree returns ECONFLICT when an account has the address.
func emailFree(ctx context.Context, tx *tx, email string) error {
	var id int64
	err := tx.queryRow(ctx, `SELECT id FROM users WHERE lower(email) = lower(?)`, email).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	} else if err != nil {
		return fmt.Errorf("find user by email: %w", err)
	}
	return &warroom.Error{Code: warroom.ECONFLICT, Field: "email", Message: fmt.Sprintf("email: %s already has an account", email)}
}

// FindInvites lists invites, newest first.
func (db *DB) FindInvites(ctx context.Context) ([]*warroom.Invite, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	rows, err := tx.query(ctx, `SELECT `+inviteColumns+` FROM invites ORDER BY id DESC LIMIT ?`, warroom.MaxPageSize)
	if err != nil {
		return nil, fmt.Errorf("find invites: %w", err)
	}
	defer rows.Close()
	out := []*warroom.Invite{}
	for rows.Next() {
		inv, err := scanInvite(rows)
		if err != nil {
			return nil, fmt.Errorf("find invites: %w", err)
		}
		out = append(out, inv)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find invites: %w", err)
	}
	return out, tx.commit()
}

// pendingInvite returns the pending invite with the secret, locked for the
// rest of tx when lock is set.
func pendingInvite(ctx context.Context, tx *tx, secret string, lock bool) (*warroom.Invite, error) {
	if secret == "" || len(secret) > 128 {
		return nil, errNoInvite
	}
	q := `SELECT ` + inviteColumns + ` FROM invites WHERE secret_hash = ?`
	if lock {
		q += tx.d.forUpdate()
	}
	inv, err := scanInvite(tx.queryRow(ctx, q, hashSecret(secret)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNoInvite
	} else if err != nil {
		return nil, fmt.Errorf("find invite: %w", err)
	}
	if inv.State(tx.now) != warroom.InvitePending {
		return nil, errNoInvite
	}
	return inv, nil
}

// FindInviteBySecret returns a pending invite.
func (db *DB) FindInviteBySecret(ctx context.Context, secret string) (*warroom.Invite, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	inv, err := pendingInvite(ctx, tx, secret, false)
	if err != nil {
		return nil, err
	}
	return inv, tx.commit()
}

// RevokeInvite withdraws a pending invite.
func (db *DB) RevokeInvite(ctx context.Context, id int64) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	inv, err := scanInvite(tx.queryRow(ctx, `SELECT `+inviteColumns+` FROM invites WHERE id = ?`+tx.d.forUpdate(), id))
	if errors.Is(err, sql.ErrNoRows) {
		return warroom.Errorf(warroom.ENOTFOUND, "Invite %d not found.", id)
	} else if err != nil {
		return fmt.Errorf("revoke invite: %w", err)
	}
	if st := inv.State(tx.now); st != warroom.InvitePending {
		return warroom.Errorf(warroom.ECONFLICT, "Invite %d is %s, not pending.", id, st)
	}
	if _, err := tx.exec(ctx, `UPDATE invites SET revoked_at = ? WHERE id = ?`, tx.now, id); err != nil {
		return fmt.Errorf("revoke invite: %w", err)
	}
	if err := writeAudit(ctx, tx, warroom.AuditInviteRevoke, "invite", id, map[string]any{"email": inv.Email}); err != nil {
		return err
	}
	return tx.commit()
}

// AcceptInvite creates the invited account and uses the invite up. The
// conditional UPDATE makes a second use of the same link fail even when two
// arrive at once.
func (db *DB) AcceptInvite(ctx context.Context, secret, name, password string) (*warroom.User, error) {
	if n := utf8.RuneCountInString(password); n < warroom.MinPasswordLen {
		return nil, warroom.FieldErrorf("password", "must be at least %d characters", warroom.MinPasswordLen)
	} else if len(password) > maxPasswordLen {
		return nil, warroom.FieldErrorf("password", "must be at most %d bytes", maxPasswordLen)
	}
	// Hash before the transaction: the KDF is slow and must not hold the
	// write lock.
	hash := hashPassword(password)
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	inv, err := pendingInvite(ctx, tx, secret, true)
	if err != nil {
		return nil, err
	}
	u := &warroom.User{Name: strings.TrimSpace(name), Email: inv.Email, Role: inv.Role}
	if err := u.Validate(); err != nil {
		return nil, err
	}
	if err := createUser(ctx, tx, u); err != nil {
		return nil, err
	}
	if _, err := tx.exec(ctx, `UPDATE users SET password_hash = ? WHERE id = ?`, hash, u.ID); err != nil {
		return nil, fmt.Errorf("accept invite: %w", err)
	}
	res, err := tx.exec(ctx, `UPDATE invites SET accepted_at = ?, user_id = ? WHERE id = ? AND accepted_at IS NULL AND revoked_at IS NULL`, tx.now, u.ID, inv.ID)
	if err != nil {
		return nil, fmt.Errorf("accept invite: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return nil, fmt.Errorf("accept invite: %w", err)
	} else if n != 1 {
		return nil, errNoInvite
	}
	// The new person is the actor of their own account's creation.
	actx := warroom.NewContextWithUser(ctx, u)
	if err := writeAudit(actx, tx, warroom.AuditInviteAccept, "invite", inv.ID, map[string]any{"user_id": u.ID, "email": u.Email, "role": u.Role, "invited_by": inv.InvitedBy}); err != nil {
		return nil, err
	}
	if err := writeAudit(actx, tx, warroom.AuditUserCreate, "user", u.ID, u); err != nil {
		return nil, err
	}
	return u, tx.commit()
}
