package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// ErrSealerMismatch is returned by Open when the Sealer is not the one the
// database's credentials were sealed with: started with another key, the
// server would run and then fail every page and every read of a contact
// method, so it is better not to start.
var ErrSealerMismatch = errors.New("the secret key does not open the credentials sealed in this database")

// The key check is a known text sealed with the key in use when the
// database first met one; opening it proves the key is the same.
const (
	keyCheckSetting = "secret.key_check"
	sealKeyCheck    = "settings.key_check"
	keyCheckText    = "warroom key check v1"
)

// checkSealer verifies the Sealer against the key check, writing the check
// when there is none yet. A database sealed before the check existed is
// tested on one of its sealed values first, so that a wrong key is caught
// there too rather than recorded as the right one.
func (db *DB) checkSealer(ctx context.Context) error {
	if db.sealer == nil {
		return nil
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	var v string
	err = tx.queryRow(ctx, `SELECT value FROM settings WHERE key = ?`, keyCheckSetting).Scan(&v)
	if err == nil {
		return db.openKeyCheck(v)
	} else if !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("key check: %w", err)
	}
	if sealed, context, err := sealedSample(ctx, tx); err != nil {
		return err
	} else if sealed != "" {
		if _, err := db.sealer.Open(sealed, context); err != nil {
			return ErrSealerMismatch
		}
	}
	// Two instances starting at once on PostgreSQL: the first check
	// written wins and the other is verified against it.
	if _, err := tx.exec(ctx, `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING`,
		keyCheckSetting, db.sealer.Seal(keyCheckText, sealKeyCheck), tx.now); err != nil {
		return fmt.Errorf("key check: %w", err)
	}
	if err := tx.queryRow(ctx, `SELECT value FROM settings WHERE key = ?`, keyCheckSetting).Scan(&v); err != nil {
		return fmt.Errorf("key check: %w", err)
	}
	if err := db.openKeyCheck(v); err != nil {
		return err
	}
	return tx.commit()
}

func (db *DB) openKeyCheck(v string) error {
	if got, err := db.sealer.Open(v, sealKeyCheck); err != nil || got != keyCheckText {
		return ErrSealerMismatch
	}
	return nil
}

// sealedSample returns one value sealed before the key check existed, with
// its sealing context, or "" when nothing is sealed.
func sealedSample(ctx context.Context, tx *tx) (string, string, error) {
	var v string
	err := tx.queryRow(ctx, `SELECT value FROM settings WHERE key = ?`, linkKeySetting).Scan(&v)
	if err == nil && !strings.HasPrefix(v, plainPrefix) {
		return v, sealLinkKey, nil
	} else if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", "", fmt.Errorf("key check: %w", err)
	}
	err = tx.queryRow(ctx, `SELECT address_sealed FROM contact_methods WHERE address_sealed <> '' AND address_sealed NOT LIKE 'plain:%' ORDER BY id LIMIT 1`).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", nil
	} else if err != nil {
		return "", "", fmt.Errorf("key check: %w", err)
	}
	return v, sealAddress, nil
}
