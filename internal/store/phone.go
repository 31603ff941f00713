package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/warroomhq/warroom"
)

var _ warroom.PhoneService = (*DB)(nil)

// FindVerifiedPhone finds the verified SMS or voice method with number.
// Addresses are sealed with a random nonce, so no index can find one: the
// verified phone methods are opened and compared. With 300 of them that
// is about 2.5 ms (BenchmarkFindVerifiedPhone, shared 2-core machine),
// paid once per inbound SMS, and keeps numbers out of the database in
// the clear.
func (db *DB) FindVerifiedPhone(ctx context.Context, number string) (*warroom.ContactMethod, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	rows, err := tx.query(ctx, `SELECT `+contactColumns+` FROM contact_methods c JOIN users u ON u.id = c.user_id
		WHERE c.type IN (?, ?) AND c.verified_at IS NOT NULL AND c.deleted_at IS NULL AND u.active = ? ORDER BY c.id`,
		string(warroom.ContactSMS), string(warroom.ContactVoice), true)
	if err != nil {
		return nil, fmt.Errorf("find verified phone: %w", err)
	}
	defer rows.Close()
	var found *warroom.ContactMethod
	for rows.Next() {
		cm, err := db.scanContact(rows)
		if err != nil {
			return nil, fmt.Errorf("find verified phone: %w", err)
		}
		if cm.Address != number {
			continue
		}
		if found != nil && found.UserID != cm.UserID {
			return nil, warroom.Errorf(warroom.ECONFLICT, "The number is verified by more than one person.")
		}
		if found == nil {
			cm.Secret = ""
			found = cm
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find verified phone: %w", err)
	}
	if found == nil {
		return nil, warroom.Errorf(warroom.ENOTFOUND, "No verified phone has this number.")
	}
	return found, nil
}

// RecordNotificationReceipt stores a provider's latest report.
func (db *DB) RecordNotificationReceipt(ctx context.Context, r *warroom.NotificationReceipt) error {
	if err := r.Validate(); err != nil {
		return err
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	var n int
	if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM notifications WHERE id = ?`, r.NotificationID).Scan(&n); err != nil {
		return fmt.Errorf("record receipt: %w", err)
	} else if n == 0 {
		return warroom.Errorf(warroom.ENOTFOUND, "Notification %d not found.", r.NotificationID)
	}
	if _, err := tx.exec(ctx, `INSERT INTO notification_receipts (notification_id, provider, provider_id, status, error_code, price, price_unit, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (notification_id) DO UPDATE SET provider = excluded.provider,
		provider_id = excluded.provider_id, status = excluded.status, error_code = excluded.error_code,
		price = CASE WHEN excluded.price = '' THEN notification_receipts.price ELSE excluded.price END,
		price_unit = CASE WHEN excluded.price_unit = '' THEN notification_receipts.price_unit ELSE excluded.price_unit END,
		updated_at = excluded.updated_at`,
		r.NotificationID, r.Provider, r.ProviderID, r.Status, r.ErrorCode, r.Price, r.PriceUnit, tx.now); err != nil {
		return fmt.Errorf("record receipt: %w", err)
	}
	r.UpdatedAt = tx.now
	return tx.commit()
}

// FindNotificationReceipt returns the last report on a notification.
func (db *DB) FindNotificationReceipt(ctx context.Context, id int64) (*warroom.NotificationReceipt, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	var r warroom.NotificationReceipt
	err = tx.queryRow(ctx, `SELECT notification_id, provider, provider_id, status, error_code, price, price_unit, updated_at
		FROM notification_receipts WHERE notification_id = ?`, id).Scan(&r.NotificationID, &r.Provider, &r.ProviderID, &r.Status, &r.ErrorCode,
		&r.Price, &r.PriceUnit, scanTime(&r.UpdatedAt))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, warroom.Errorf(warroom.ENOTFOUND, "No receipt for notification %d.", id)
	} else if err != nil {
		return nil, fmt.Errorf("find receipt: %w", err)
	}
	return &r, nil
}

// RecordPhoneRefusal audits an answer from a phone that did nothing. The
// number is kept only as its last four digits: the audit log is read by
// more people than may see phone numbers.
func (db *DB) RecordPhoneRefusal(ctx context.Context, channel, number, reason string) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	tail := number
	if len(tail) > 4 {
		tail = "…" + tail[len(tail)-4:]
	}
	if err := writeAuditTarget(ctx, tx, warroom.AuditPhoneReplyRefused, "phone", tail, map[string]any{"channel": channel, "reason": reason}); err != nil {
		return err
	}
	return tx.commit()
}
