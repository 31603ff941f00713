package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/warroomhq/warroom"
)

var _ warroom.IntegrationService = (*DB)(nil)

// newKey returns 32 hexadecimal characters (128 bits), the shape of a
// PagerDuty routing key, so that clients validating it locally accept it.
func newKey() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

const integrationColumns = `id, service_id, name, kind, key, secret, rate_limit, created_at, rotated_at, revoked_at`

func scanIntegration(s interface{ Scan(...any) error }) (*warroom.Integration, error) {
	var i warroom.Integration
	err := s.Scan(&i.ID, &i.ServiceID, &i.Name, &i.Kind, &i.Key, &i.Secret, &i.RateLimit,
		scanTime(&i.CreatedAt), scanNullTime(&i.RotatedAt), scanNullTime(&i.RevokedAt))
	return &i, err
}

// FindIntegrationByID returns one integration.
func (db *DB) FindIntegrationByID(ctx context.Context, id int64) (*warroom.Integration, error) {
	return db.findIntegration(ctx, "id = ?", id)
}

// FindIntegrationByKey returns the integration a key belongs to.
func (db *DB) FindIntegrationByKey(ctx context.Context, key string) (*warroom.Integration, error) {
	return db.findIntegration(ctx, "key = ?", key)
}

func (db *DB) findIntegration(ctx context.Context, where string, arg any) (*warroom.Integration, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	i, err := findIntegration(ctx, tx, where, arg)
	if err != nil {
		return nil, err
	}
	return i, tx.commit()
}

func findIntegration(ctx context.Context, tx *tx, where string, arg any) (*warroom.Integration, error) {
	i, err := scanIntegration(tx.queryRow(ctx, `SELECT `+integrationColumns+` FROM integrations WHERE `+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, warroom.Errorf(warroom.ENOTFOUND, "Integration not found.")
	} else if err != nil {
		return nil, fmt.Errorf("find integration: %w", err)
	}
	return i, nil
}

// FindIntegrations returns a page ordered by service then name.
func (db *DB) FindIntegrations(ctx context.Context, f warroom.IntegrationFilter) ([]*warroom.Integration, int, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer tx.rollback()
	where, args := []string{"1 = 1"}, []any{}
	if f.ServiceID != nil {
		where, args = append(where, "service_id = ?"), append(args, *f.ServiceID)
	}
	if f.Kind != nil {
		where, args = append(where, "kind = ?"), append(args, string(*f.Kind))
	}
	if f.Revoked != nil {
		if *f.Revoked {
			where = append(where, "revoked_at IS NOT NULL")
		} else {
			where = append(where, "revoked_at IS NULL")
		}
	}
	offset, limit := pageLimits(f.Offset, f.Limit)
	w := strings.Join(where, " AND ")
	rows, err := tx.query(ctx, `SELECT `+integrationColumns+`, COUNT(*) OVER() FROM integrations WHERE `+w+
		` ORDER BY service_id, name, id LIMIT ? OFFSET ?`, append(args, limit, offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("find integrations: %w", err)
	}
	defer rows.Close()
	var out []*warroom.Integration
	n := 0
	for rows.Next() {
		var i warroom.Integration
		if err := rows.Scan(&i.ID, &i.ServiceID, &i.Name, &i.Kind, &i.Key, &i.Secret, &i.RateLimit,
			scanTime(&i.CreatedAt), scanNullTime(&i.RotatedAt), scanNullTime(&i.RevokedAt), &n); err != nil {
			return nil, 0, fmt.Errorf("find integrations: %w", err)
		}
		out = append(out, &i)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("find integrations: %w", err)
	}
	if len(out) == 0 && offset > 0 {
		if n, err = count(ctx, tx, "SELECT COUNT(*) FROM integrations WHERE "+w, args...); err != nil {
			return nil, 0, err
		}
	}
	return out, n, tx.commit()
}

// CreateIntegration adds a key to a service.
func (db *DB) CreateIntegration(ctx context.Context, i *warroom.Integration) error {
	if i == nil {
		return warroom.Errorf(warroom.EINVALID, "An integration is required.")
	}
	if err := i.Validate(); err != nil {
		return err
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	if err := checkServices(ctx, tx, []int64{i.ServiceID}); err != nil {
		return err
	}
	i.Key, i.CreatedAt, i.RotatedAt, i.RevokedAt = newKey(), tx.now, nil, nil
	i.ID, err = tx.insert(ctx, `INSERT INTO integrations (service_id, name, kind, key, secret, rate_limit, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		i.ServiceID, i.Name, string(i.Kind), i.Key, i.Secret, i.RateLimit, tx.now)
	if err != nil {
		return fmt.Errorf("create integration: %w", err)
	}
	if err := writeAudit(ctx, tx, warroom.AuditIntegrationCreate, "integration", i.ID, map[string]any{
		"service_id": i.ServiceID, "name": i.Name, "kind": i.Kind, "signed": i.Secret != "", "rate_limit": i.RateLimit,
	}); err != nil {
		return err
	}
	return tx.commit()
}

// RotateIntegrationKey replaces the key.
func (db *DB) RotateIntegrationKey(ctx context.Context, id int64) (*warroom.Integration, error) {
	return db.changeIntegration(ctx, id, warroom.AuditIntegrationRotate, func(tx *tx, i *warroom.Integration) error {
		i.Key, i.RotatedAt = newKey(), &tx.now
		_, err := tx.exec(ctx, `UPDATE integrations SET key = ?, rotated_at = ? WHERE id = ?`, i.Key, tx.now, id)
		return err
	})
}

// RevokeIntegration stops the key for good. Guarded by
// OpIntegrationRevoke: a revoked key silences every alert sent with it.
func (db *DB) RevokeIntegration(ctx context.Context, id int64) (*warroom.Integration, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	if err := guard(ctx, tx, warroom.OpIntegrationRevoke); err != nil {
		return nil, err
	}
	i, err := revokeIntegration(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	return i, tx.commit()
}

func revokeIntegration(ctx context.Context, t *tx, id int64) (*warroom.Integration, error) {
	return changeIntegrationTx(ctx, t, id, warroom.AuditIntegrationRevoke, func(tx *tx, i *warroom.Integration) error {
		i.RevokedAt = &tx.now
		_, err := tx.exec(ctx, `UPDATE integrations SET revoked_at = ? WHERE id = ?`, tx.now, id)
		return err
	})
}

func (db *DB) changeIntegration(ctx context.Context, id int64, action warroom.AuditAction, f func(*tx, *warroom.Integration) error) (*warroom.Integration, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	i, err := changeIntegrationTx(ctx, tx, id, action, f)
	if err != nil {
		return nil, err
	}
	return i, tx.commit()
}

func changeIntegrationTx(ctx context.Context, tx *tx, id int64, action warroom.AuditAction, f func(*tx, *warroom.Integration) error) (*warroom.Integration, error) {
	i, err := findIntegration(ctx, tx, "id = ?"+tx.d.forUpdate(), id)
	if err != nil {
		return nil, err
	}
	if !i.Active() {
		return nil, warroom.Errorf(warroom.ECONFLICT, "Integration %q is revoked.", i.Name)
	}
	if err := f(tx, i); err != nil {
		return nil, fmt.Errorf("%s: %w", action, err)
	}
	if err := writeAudit(ctx, tx, action, "integration", id, map[string]any{"name": i.Name}); err != nil {
		return nil, err
	}
	return i, nil
}
