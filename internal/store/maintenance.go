package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/warroomhq/warroom"
)

var _ warroom.MaintenanceService = (*DB)(nil)

const maintenanceColumns = `id, service_id, starts_at, ends_at, reason, created_by, created_at`

func findMaintenanceWindows(ctx context.Context, tx *tx, where string, args ...any) ([]*warroom.MaintenanceWindow, error) {
	return findMaintenanceWindowsPage(ctx, tx, where, args, 0, maxPageSize)
}

func findMaintenanceWindowsPage(ctx context.Context, tx *tx, where string, args []any, offset, limit int) ([]*warroom.MaintenanceWindow, error) {
	rows, err := tx.query(ctx, `SELECT `+maintenanceColumns+` FROM maintenance_windows WHERE `+where+
		` ORDER BY starts_at DESC, id DESC LIMIT ? OFFSET ?`, append(args, limit, offset)...)
	if err != nil {
		return nil, fmt.Errorf("find maintenance windows: %w", err)
	}
	defer rows.Close()
	var out []*warroom.MaintenanceWindow
	for rows.Next() {
		var w warroom.MaintenanceWindow
		if err := rows.Scan(&w.ID, &w.ServiceID, scanTime(&w.StartsAt), scanTime(&w.EndsAt), &w.Reason, scanID(&w.CreatedBy), scanTime(&w.CreatedAt)); err != nil {
			return nil, fmt.Errorf("find maintenance windows: %w", err)
		}
		out = append(out, &w)
	}
	return out, rows.Err()
}

// FindMaintenanceWindows returns a page of windows, latest start first.
func (db *DB) FindMaintenanceWindows(ctx context.Context, f warroom.MaintenanceFilter) ([]*warroom.MaintenanceWindow, int, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer tx.rollback()
	where, args := []string{"1 = 1"}, []any{}
	if f.ServiceID != nil {
		where, args = append(where, "service_id = ?"), append(args, *f.ServiceID)
	}
	if f.ActiveAt != nil {
		where, args = append(where, "starts_at <= ? AND ends_at > ?"), append(args, *f.ActiveAt, *f.ActiveAt)
	}
	if f.EndedAfter != nil {
		where, args = append(where, "ends_at > ?"), append(args, *f.EndedAfter)
	}
	w := strings.Join(where, " AND ")
	total, err := count(ctx, tx, `SELECT COUNT(*) FROM maintenance_windows WHERE `+w, args...)
	if err != nil {
		return nil, 0, err
	}
	offset, limit := pageLimits(f.Offset, f.Limit)
	out, err := findMaintenanceWindowsPage(ctx, tx, w, args, offset, limit)
	if err != nil {
		return nil, 0, err
	}
	return out, total, tx.commit()
}

// CreateMaintenanceWindow adds a window.
func (db *DB) CreateMaintenanceWindow(ctx context.Context, w *warroom.MaintenanceWindow) error {
	if w == nil {
		return warroom.Errorf(warroom.EINVALID, "A maintenance window is required.")
	}
	if err := w.Validate(); err != nil {
		return err
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	if err := checkServices(ctx, tx, []int64{w.ServiceID}); err != nil {
		return err
	}
	if !w.EndsAt.After(tx.now) {
		return warroom.FieldErrorf("ends_at", "must be in the future")
	}
	w.StartsAt, w.EndsAt = w.StartsAt.UTC().Truncate(time.Microsecond), w.EndsAt.UTC().Truncate(time.Microsecond)
	w.CreatedBy, w.CreatedAt = warroom.UserIDFromContext(ctx), tx.now
	w.ID, err = tx.insert(ctx, `INSERT INTO maintenance_windows (service_id, starts_at, ends_at, reason, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		w.ServiceID, w.StartsAt, w.EndsAt, w.Reason, nullID(w.CreatedBy), tx.now)
	if err != nil {
		return fmt.Errorf("create maintenance window: %w", err)
	}
	if err := writeAudit(ctx, tx, warroom.AuditMaintenanceWindowCreate, "maintenance_window", w.ID, w); err != nil {
		return err
	}
	return tx.commit()
}

// EndMaintenanceWindow ends a window now; one not yet begun ends before it
// starts, which amounts to cancelling it.
func (db *DB) EndMaintenanceWindow(ctx context.Context, id int64) (*warroom.MaintenanceWindow, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	if err := guard(ctx, tx, warroom.OpMaintenanceWindowEnd); err != nil {
		return nil, err
	}
	w, err := endMaintenanceWindow(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	return w, tx.commit()
}

// endMaintenanceWindow cuts a window short at tx.now; the audit entry keeps
// the end it had.
func endMaintenanceWindow(ctx context.Context, tx *tx, id int64) (*warroom.MaintenanceWindow, error) {
	ws, err := findMaintenanceWindows(ctx, tx, `id = ?`, id)
	if err != nil {
		return nil, err
	} else if len(ws) == 0 {
		return nil, warroom.Errorf(warroom.ENOTFOUND, "Maintenance window %d not found.", id)
	}
	w := ws[0]
	if !w.EndsAt.After(tx.now) {
		return nil, warroom.Errorf(warroom.ECONFLICT, "Maintenance window %d is already over.", id)
	}
	before := w.EndsAt
	w.EndsAt = tx.now
	if w.StartsAt.After(tx.now) {
		w.StartsAt = tx.now
	}
	if _, err := tx.exec(ctx, `UPDATE maintenance_windows SET starts_at = ?, ends_at = ? WHERE id = ?`, w.StartsAt, w.EndsAt, id); err != nil {
		return nil, fmt.Errorf("end maintenance window: %w", err)
	}
	if err := writeAudit(ctx, tx, warroom.AuditMaintenanceWindowEnd, "maintenance_window", id, map[string]any{"ends_at": change{From: before, To: w.EndsAt}}); err != nil {
		return nil, err
	}
	return w, nil
}
