package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/warroomhq/warroom"
)

var _ warroom.UserService = (*DB)(nil)

const userColumns = `u.id, u.name, u.email, u.role, u.active, u.locale, u.time_zone, u.created_at, u.updated_at`

// scanUser reads userColumns, then any extra columns into extra.
func scanUser(s scanner, extra ...any) (*warroom.User, error) {
	var u warroom.User
	dest := []any{&u.ID, &u.Name, &u.Email, &u.Role, &u.Active, &u.Locale, &u.TimeZone, scanTime(&u.CreatedAt), scanTime(&u.UpdatedAt)}
	if err := s.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	return &u, nil
}

func findUser(ctx context.Context, tx *tx, id int64, lock bool) (*warroom.User, error) {
	q := `SELECT ` + userColumns + ` FROM users u WHERE u.id = ?`
	if lock {
		q += tx.d.forUpdate()
	}
	u, err := scanUser(tx.queryRow(ctx, q, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, warroom.Errorf(warroom.ENOTFOUND, "User %d not found.", id)
	} else if err != nil {
		return nil, fmt.Errorf("find user: %w", err)
	}
	return u, nil
}

// activeUserExists returns ENOTFOUND naming field unless the user exists,
// and EINVALID when the account is deactivated: work is not given to
// people who have left.
func activeUserExists(ctx context.Context, tx *tx, id int64, field string) error {
	var active bool
	err := tx.queryRow(ctx, `SELECT active FROM users WHERE id = ?`, id).Scan(&active)
	if errors.Is(err, sql.ErrNoRows) {
		return &warroom.Error{Code: warroom.ENOTFOUND, Field: field, Message: fmt.Sprintf("%s: user %d not found", field, id)}
	} else if err != nil {
		return fmt.Errorf("user exists: %w", err)
	}
	if !active {
		return warroom.FieldErrorf(field, "user %d is deactivated", id)
	}
	return nil
}

// FindUserByID returns one user.
func (db *DB) FindUserByID(ctx context.Context, id int64) (*warroom.User, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	u, err := findUser(ctx, tx, id, false)
	if err != nil {
		return nil, err
	}
	return u, tx.commit()
}

// FindUsers returns a page of users by name and the total.
func (db *DB) FindUsers(ctx context.Context, filter warroom.UserFilter) ([]*warroom.User, int, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer tx.rollback()
	where, args := []string{"1 = 1"}, []any{}
	if v := filter.ID; v != nil {
		where, args = append(where, "u.id = ?"), append(args, *v)
	}
	if v := filter.Email; v != nil {
		where, args = append(where, "lower(u.email) = ?"), append(args, strings.ToLower(strings.TrimSpace(*v)))
	}
	if v := filter.Active; v != nil {
		where, args = append(where, "u.active = ?"), append(args, *v)
	}
	offset, limit := pageLimits(filter.Offset, filter.Limit)
	cond := strings.Join(where, " AND ")
	rows, err := tx.query(ctx, `SELECT `+userColumns+`, COUNT(*) OVER() FROM users u WHERE `+cond+` ORDER BY u.name, u.id LIMIT ? OFFSET ?`,
		append(args, limit, offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("find users: %w", err)
	}
	defer rows.Close()
	us, n := []*warroom.User{}, 0
	for rows.Next() {
		u, err := scanUser(rows, &n)
		if err != nil {
			return nil, 0, fmt.Errorf("find users: %w", err)
		}
		us = append(us, u)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("find users: %w", err)
	}
	if len(us) == 0 && offset > 0 {
		if n, err = count(ctx, tx, "SELECT COUNT(*) FROM users u WHERE "+cond, args...); err != nil {
			return nil, 0, err
		}
	}
	return us, n, tx.commit()
}

// CreateUser adds an active user.
func (db *DB) CreateUser(ctx context.Context, u *warroom.User) error {
	if u == nil {
		return warroom.Errorf(warroom.EINVALID, "A user is required.")
	}
	if err := u.Validate(); err != nil {
		return err
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	if err := createUser(ctx, tx, u); err != nil {
		return err
	}
	if err := writeAudit(ctx, tx, warroom.AuditUserCreate, "user", u.ID, u); err != nil {
		return err
	}
	return tx.commit()
}

func createUser(ctx context.Context, tx *tx, u *warroom.User) error {
	id, err := tx.insert(ctx, `INSERT INTO users (name, email, role, active, locale, time_zone, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		u.Name, u.Email, string(u.Role), true, u.Locale, u.TimeZone, tx.now, tx.now)
	if isUnique(err) {
		return &warroom.Error{Code: warroom.ECONFLICT, Field: "email", Message: fmt.Sprintf("email: %s already has an account", u.Email)}
	} else if err != nil {
		return fmt.Errorf("create user: %w", err)
	}
	u.ID, u.Active, u.CreatedAt, u.UpdatedAt = id, true, tx.now, tx.now
	return nil
}

// UpdateUser changes a user, refusing to leave no active owner or admin.
func (db *DB) UpdateUser(ctx context.Context, id int64, upd warroom.UserUpdate) (*warroom.User, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	u, err := updateUser(ctx, tx, id, upd, false)
	if err != nil {
		return nil, err
	}
	return u, tx.commit()
}

func isAdmin(u *warroom.User) bool {
	return u.Active && (u.Role == warroom.UserRoleOwner || u.Role == warroom.UserRoleAdmin)
}

// updateUser changes a user; approved says a second admin approved it, so
// that removing an admin passes the two-person rule.
func updateUser(ctx context.Context, tx *tx, id int64, upd warroom.UserUpdate, approved bool) (*warroom.User, error) {
	return updateUserAudited(ctx, tx, id, upd, approved, func(c changes) error {
		return writeAudit(ctx, tx, warroom.AuditUserUpdate, "user", id, c)
	})
}

// updateUserAudited is updateUser with the audit row left to audit, for
// changes that are not the acting user's own doing (an SSO role mapping).
func updateUserAudited(ctx context.Context, tx *tx, id int64, upd warroom.UserUpdate, approved bool, audit func(changes) error) (*warroom.User, error) {
	if upd.Role != nil || upd.Active != nil {
		// Two admins demoting each other at once must not both succeed.
		if err := tx.d.lockTable(ctx, tx.sqlTx, "users"); err != nil {
			return nil, err
		}
	}
	u, err := findUser(ctx, tx, id, true)
	if err != nil {
		return nil, err
	}
	before := *u
	if upd.Name != nil {
		u.Name = *upd.Name
	}
	if upd.Role != nil {
		u.Role = *upd.Role
	}
	if upd.Active != nil {
		u.Active = *upd.Active
	}
	if upd.Locale != nil {
		u.Locale = *upd.Locale
	}
	if upd.TimeZone != nil {
		u.TimeZone = *upd.TimeZone
	}
	if err := u.Validate(); err != nil {
		return nil, err
	}
	if isAdmin(&before) && !isAdmin(u) && !approved {
		if err := guard(ctx, tx, warroom.OpUserRemoveAdmin); err != nil {
			return nil, err
		}
	}
	if isAdmin(&before) && !isAdmin(u) {
		n, err := count(ctx, tx, `SELECT COUNT(*) FROM users WHERE active = ? AND role IN ('owner', 'admin') AND id <> ?`, true, id)
		if err != nil {
			return nil, err
		}
		if n == 0 {
			return nil, warroom.Errorf(warroom.ECONFLICT, "%s is the last active owner or admin; appoint another first.", before.Email)
		}
	}
	c := changes{}
	c.add("name", before.Name, u.Name)
	c.add("role", before.Role, u.Role)
	c.add("active", before.Active, u.Active)
	c.add("locale", before.Locale, u.Locale)
	c.add("time_zone", before.TimeZone, u.TimeZone)
	if len(c) == 0 {
		return u, nil
	}
	if _, err := tx.exec(ctx, `UPDATE users SET name = ?, role = ?, active = ?, locale = ?, time_zone = ?, updated_at = ? WHERE id = ?`,
		u.Name, string(u.Role), u.Active, u.Locale, u.TimeZone, tx.now, id); err != nil {
		return nil, fmt.Errorf("update user: %w", err)
	}
	u.UpdatedAt = tx.now
	if err := audit(c); err != nil {
		return nil, err
	}
	return u, nil
}

// Bootstrap creates the first admin, with a token, when there are no users
// at all; otherwise it returns (nil, "", nil).
func (db *DB) Bootstrap(ctx context.Context, name, email, token string) (*warroom.User, string, error) {
	u := &warroom.User{Name: name, Email: email, Role: warroom.UserRoleAdmin}
	if err := u.Validate(); err != nil {
		return nil, "", err
	}
	if token != "" && (!strings.HasPrefix(token, warroom.TokenPrefix) || len(token) < minTokenLen) {
		return nil, "", warroom.FieldErrorf("token", "must start with %q and be at least %d characters", warroom.TokenPrefix, minTokenLen)
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, "", err
	}
	defer tx.rollback()
	// Instances starting together must create one admin, not one each.
	if err := tx.d.lockTable(ctx, tx.sqlTx, "users"); err != nil {
		return nil, "", err
	}
	n, err := count(ctx, tx, `SELECT COUNT(*) FROM users`)
	if err != nil {
		return nil, "", err
	}
	if n > 0 {
		return nil, "", tx.commit()
	}
	if err := createUser(ctx, tx, u); err != nil {
		return nil, "", err
	}
	t, secret, err := createToken(ctx, tx, u.ID, warroom.TokenInput{Name: "bootstrap", Kind: warroom.TokenPersonal, Scopes: warroom.DefaultTokenScopes}, token)
	if err != nil {
		return nil, "", err
	}
	if err := writeAudit(ctx, tx, warroom.AuditUserBootstrap, "user", u.ID, map[string]any{"user": u, "token_id": t.ID, "token_prefix": t.Prefix}); err != nil {
		return nil, "", err
	}
	return u, secret, tx.commit()
}
