package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/warroomhq/warroom"
)

// LoginExternal signs in a person vouched for by the SSO provider. The
// provider's subject is the durable link; the email is used once, to link
// an account an admin created beforehand. The mapped role is applied at
// every login, except that the last active admin is never demoted by it.
func (db *DB) LoginExternal(ctx context.Context, id warroom.ExternalIdentity) (*warroom.User, error) {
	if id.Issuer == "" || id.Subject == "" || len(id.Subject) > 255 || len(id.Issuer) > 255 {
		return nil, warroom.FieldErrorf("subject", "the provider gave no usable subject")
	}
	if !id.Role.Valid() {
		return nil, warroom.FieldErrorf("role", "unknown role %q", id.Role)
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	u, err := scanUser(tx.queryRow(ctx, `SELECT `+userColumns+` FROM users u WHERE u.oidc_issuer = ? AND u.oidc_subject = ?`+tx.d.forUpdate(), id.Issuer, id.Subject))
	if errors.Is(err, sql.ErrNoRows) {
		u, err = scanUser(tx.queryRow(ctx, `SELECT `+userColumns+` FROM users u WHERE lower(u.email) = ? AND u.oidc_subject IS NULL`+tx.d.forUpdate(),
			strings.ToLower(strings.TrimSpace(id.Email))))
		if errors.Is(err, sql.ErrNoRows) {
			return db.createExternal(ctx, tx, id)
		} else if err != nil {
			return nil, fmt.Errorf("login external: %w", err)
		}
		if _, err := tx.exec(ctx, `UPDATE users SET oidc_issuer = ?, oidc_subject = ? WHERE id = ?`, id.Issuer, id.Subject, u.ID); err != nil {
			return nil, fmt.Errorf("login external: %w", err)
		}
		if err := writeAudit(ctx, tx, warroom.AuditUserSSOLink, "user", u.ID, map[string]any{"issuer": id.Issuer, "subject": id.Subject}); err != nil {
			return nil, err
		}
	} else if err != nil {
		return nil, fmt.Errorf("login external: %w", err)
	}
	if !u.Active {
		return nil, warroom.Errorf(warroom.EUNAUTHORIZED, "The account is deactivated.")
	}
	if u.Role != id.Role {
		// The mapping, not the person signing in, decides the role: the
		// row names no actor, and says what the role was mapped from.
		sys := warroom.NewContextWithUser(ctx, nil)
		upd := warroom.UserUpdate{Role: &id.Role}
		audit := func(c changes) error {
			return writeAudit(sys, tx, warroom.AuditUserSSORole, "user", u.ID, ssoAuditData(id, map[string]any{"role": c["role"]}))
		}
		if u2, err := updateUserAudited(sys, tx, u.ID, upd, false, audit); warroom.ErrorCode(err) == warroom.ECONFLICT {
			db.logger.Warn("sso: role change refused", "user_id", u.ID, "err", err)
		} else if err != nil {
			return nil, err
		} else {
			u = u2
		}
	}
	return u, tx.commit()
}

func (db *DB) createExternal(ctx context.Context, tx *tx, id warroom.ExternalIdentity) (*warroom.User, error) {
	u := &warroom.User{Name: strings.TrimSpace(id.Name), Email: strings.TrimSpace(id.Email), Role: id.Role}
	if u.Name == "" {
		u.Name, _, _ = strings.Cut(u.Email, "@")
	}
	if err := u.Validate(); err != nil {
		return nil, err
	}
	if err := createUser(ctx, tx, u); err != nil {
		return nil, err
	}
	if _, err := tx.exec(ctx, `UPDATE users SET oidc_issuer = ?, oidc_subject = ? WHERE id = ?`, id.Issuer, id.Subject, u.ID); err != nil {
		return nil, fmt.Errorf("login external: %w", err)
	}
	if err := writeAudit(warroom.NewContextWithUser(ctx, u), tx, warroom.AuditUserSSOCreate, "user", u.ID, ssoAuditData(id, map[string]any{"user": u})); err != nil {
		return nil, err
	}
	return u, tx.commit()
}

// ssoAuditData adds to data the provider's identity and the claim the role
// was mapped from.
func ssoAuditData(id warroom.ExternalIdentity, data map[string]any) map[string]any {
	data["by"] = "sso_mapping"
	data["issuer"], data["subject"] = id.Issuer, id.Subject
	if id.RoleClaim != "" {
		data["claim"], data["values"] = id.RoleClaim, id.RoleValues
	}
	return data
}
