package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/oncall"
)

var _ warroom.ScheduleService = (*DB)(nil)

// maxShiftWindow bounds FindShifts: a calendar shows a month or a quarter.
const maxShiftWindow = 92 * 24 * time.Hour

const scheduleColumns = `id, name, description, team, time_zone, layers, created_at, updated_at`

func scanSchedule(s scanner) (*warroom.Schedule, error) {
	var sc warroom.Schedule
	var layers string
	if err := s.Scan(&sc.ID, &sc.Name, &sc.Description, &sc.Team, &sc.TimeZone, &layers, scanTime(&sc.CreatedAt), scanTime(&sc.UpdatedAt)); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(layers), &sc.Layers); err != nil {
		return nil, fmt.Errorf("schedule %d layers: %w", sc.ID, err)
	}
	return &sc, nil
}

func findSchedule(ctx context.Context, tx *tx, id int64) (*warroom.Schedule, error) {
	s, err := scanSchedule(tx.queryRow(ctx, `SELECT `+scheduleColumns+` FROM schedules WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, warroom.Errorf(warroom.ENOTFOUND, "Schedule %d not found.", id)
	} else if err != nil {
		return nil, fmt.Errorf("find schedule: %w", err)
	}
	return s, nil
}

func findSchedules(ctx context.Context, tx *tx, where string, args ...any) ([]*warroom.Schedule, error) {
	rows, err := tx.query(ctx, `SELECT `+scheduleColumns+` FROM schedules `+where+` ORDER BY name, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("find schedules: %w", err)
	}
	defer rows.Close()
	out := []*warroom.Schedule{}
	for rows.Next() {
		s, err := scanSchedule(rows)
		if err != nil {
			return nil, fmt.Errorf("find schedules: %w", err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// FindSchedules lists every schedule by name.
func (db *DB) FindSchedules(ctx context.Context) ([]*warroom.Schedule, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	return findSchedules(ctx, tx, "")
}

// FindScheduleByID returns one schedule.
func (db *DB) FindScheduleByID(ctx context.Context, id int64) (*warroom.Schedule, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	return findSchedule(ctx, tx, id)
}

// checkUsers returns ENOTFOUND naming field for the first unknown user.
func checkUsers(ctx context.Context, tx *tx, field string, ids ...int64) error {
	for _, id := range ids {
		if id == 0 {
			continue
		}
		var n int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM users WHERE id = ?`, id).Scan(&n); err != nil {
			return fmt.Errorf("check user: %w", err)
		} else if n == 0 {
			return &warroom.Error{Code: warroom.ENOTFOUND, Field: field, Message: fmt.Sprintf("%s: user %d not found", field, id)}
		}
	}
	return nil
}

func checkScheduleUsers(ctx context.Context, tx *tx, s *warroom.Schedule) error {
	for i, l := range s.Layers {
		if err := checkUsers(ctx, tx, fmt.Sprintf("layers[%d].user_ids", i), l.UserIDs...); err != nil {
			return err
		}
	}
	return nil
}

// CreateSchedule adds a schedule.
func (db *DB) CreateSchedule(ctx context.Context, s *warroom.Schedule) error {
	if err := s.Validate(); err != nil {
		return err
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	if err := checkScheduleUsers(ctx, tx, s); err != nil {
		return err
	}
	layers, _ := json.Marshal(s.Layers)
	s.CreatedAt, s.UpdatedAt = tx.now, tx.now
	s.ID, err = tx.insert(ctx, `INSERT INTO schedules (name, description, team, time_zone, layers, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		s.Name, s.Description, s.Team, s.TimeZone, string(layers), tx.now, tx.now)
	if err != nil {
		return fmt.Errorf("create schedule: %w", err)
	}
	if err := writeAudit(ctx, tx, warroom.AuditScheduleCreate, "schedule", s.ID, s); err != nil {
		return err
	}
	return tx.commit()
}

// ReplaceSchedule replaces a schedule's fields and layers.
func (db *DB) ReplaceSchedule(ctx context.Context, id int64, s *warroom.Schedule) error {
	if err := s.Validate(); err != nil {
		return err
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	old, err := findSchedule(ctx, tx, id)
	if err != nil {
		return err
	}
	if err := checkScheduleUsers(ctx, tx, s); err != nil {
		return err
	}
	layers, _ := json.Marshal(s.Layers)
	if _, err := tx.exec(ctx, `UPDATE schedules SET name = ?, description = ?, team = ?, time_zone = ?, layers = ?, updated_at = ? WHERE id = ?`,
		s.Name, s.Description, s.Team, s.TimeZone, string(layers), tx.now, id); err != nil {
		return fmt.Errorf("replace schedule: %w", err)
	}
	s.ID, s.CreatedAt, s.UpdatedAt = id, old.CreatedAt, tx.now
	if err := writeAudit(ctx, tx, warroom.AuditScheduleReplace, "schedule", id, change{From: old, To: s}); err != nil {
		return err
	}
	return tx.commit()
}

func findOverrides(ctx context.Context, tx *tx, scheduleID int64, from, to time.Time) ([]*warroom.ScheduleOverride, error) {
	rows, err := tx.query(ctx, `SELECT id, schedule_id, user_id, replaces_user_id, start_at, end_at, created_by, created_at
		FROM schedule_overrides WHERE schedule_id = ? AND end_at > ? AND start_at < ? ORDER BY id`, scheduleID, from, to)
	if err != nil {
		return nil, fmt.Errorf("find overrides: %w", err)
	}
	defer rows.Close()
	out := []*warroom.ScheduleOverride{}
	for rows.Next() {
		var o warroom.ScheduleOverride
		if err := rows.Scan(&o.ID, &o.ScheduleID, &o.UserID, scanID(&o.ReplacesUserID), scanTime(&o.Start), scanTime(&o.End), scanID(&o.CreatedBy), scanTime(&o.CreatedAt)); err != nil {
			return nil, fmt.Errorf("find overrides: %w", err)
		}
		out = append(out, &o)
	}
	return out, rows.Err()
}

// FindScheduleOverrides lists overrides overlapping [from, to).
func (db *DB) FindScheduleOverrides(ctx context.Context, scheduleID int64, from, to time.Time) ([]*warroom.ScheduleOverride, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	if _, err := findSchedule(ctx, tx, scheduleID); err != nil {
		return nil, err
	}
	return findOverrides(ctx, tx, scheduleID, from, to)
}

// CreateScheduleOverride adds an override.
func (db *DB) CreateScheduleOverride(ctx context.Context, o *warroom.ScheduleOverride) error {
	if err := o.Validate(); err != nil {
		return err
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	if _, err := findSchedule(ctx, tx, o.ScheduleID); err != nil {
		return err
	}
	if err := checkUsers(ctx, tx, "user_id", o.UserID); err != nil {
		return err
	}
	if err := checkUsers(ctx, tx, "replaces_user_id", o.ReplacesUserID); err != nil {
		return err
	}
	o.Start, o.End = o.Start.UTC().Truncate(time.Microsecond), o.End.UTC().Truncate(time.Microsecond)
	o.CreatedBy, o.CreatedAt = warroom.UserIDFromContext(ctx), tx.now
	o.ID, err = tx.insert(ctx, `INSERT INTO schedule_overrides (schedule_id, user_id, replaces_user_id, start_at, end_at, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		o.ScheduleID, o.UserID, nullID(o.ReplacesUserID), o.Start, o.End, nullID(o.CreatedBy), tx.now)
	if err != nil {
		return fmt.Errorf("create override: %w", err)
	}
	if err := writeAudit(ctx, tx, warroom.AuditOverrideCreate, "schedule", o.ScheduleID, o); err != nil {
		return err
	}
	return tx.commit()
}

// DeleteScheduleOverride removes an override.
func (db *DB) DeleteScheduleOverride(ctx context.Context, scheduleID, id int64) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	res, err := tx.exec(ctx, `DELETE FROM schedule_overrides WHERE id = ? AND schedule_id = ?`, id, scheduleID)
	if err != nil {
		return fmt.Errorf("delete override: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return warroom.Errorf(warroom.ENOTFOUND, "Override %d not found.", id)
	}
	if err := writeAudit(ctx, tx, warroom.AuditOverrideDelete, "schedule", scheduleID, map[string]any{"override_id": id}); err != nil {
		return err
	}
	return tx.commit()
}

const swapColumns = `id, schedule_id, from_user_id, to_user_id, start_at, end_at, state, created_at, decided_at`

func scanSwap(s scanner) (*warroom.ShiftSwap, error) {
	var w warroom.ShiftSwap
	err := s.Scan(&w.ID, &w.ScheduleID, &w.FromUserID, &w.ToUserID, scanTime(&w.Start), scanTime(&w.End), &w.State, scanTime(&w.CreatedAt), scanNullTime(&w.DecidedAt))
	return &w, err
}

func findSwaps(ctx context.Context, tx *tx, scheduleID int64, from, to time.Time) ([]*warroom.ShiftSwap, error) {
	rows, err := tx.query(ctx, `SELECT `+swapColumns+` FROM shift_swaps WHERE schedule_id = ? AND end_at > ? AND start_at < ? ORDER BY decided_at, id`, scheduleID, from, to)
	if err != nil {
		return nil, fmt.Errorf("find swaps: %w", err)
	}
	defer rows.Close()
	out := []*warroom.ShiftSwap{}
	for rows.Next() {
		w, err := scanSwap(rows)
		if err != nil {
			return nil, fmt.Errorf("find swaps: %w", err)
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

// FindShiftSwaps lists a schedule's swaps overlapping [from, to).
func (db *DB) FindShiftSwaps(ctx context.Context, scheduleID int64, from, to time.Time) ([]*warroom.ShiftSwap, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	if _, err := findSchedule(ctx, tx, scheduleID); err != nil {
		return nil, err
	}
	return findSwaps(ctx, tx, scheduleID, from, to)
}

// RequestShiftSwap records a swap asked for by the user in ctx.
func (db *DB) RequestShiftSwap(ctx context.Context, s *warroom.ShiftSwap) error {
	s.FromUserID = warroom.UserIDFromContext(ctx)
	if err := s.Validate(); err != nil {
		return err
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	if _, err := findSchedule(ctx, tx, s.ScheduleID); err != nil {
		return err
	}
	if err := checkUsers(ctx, tx, "to_user_id", s.ToUserID); err != nil {
		return err
	}
	s.Start, s.End = s.Start.UTC().Truncate(time.Microsecond), s.End.UTC().Truncate(time.Microsecond)
	s.State, s.CreatedAt, s.DecidedAt = warroom.SwapRequested, tx.now, nil
	s.ID, err = tx.insert(ctx, `INSERT INTO shift_swaps (schedule_id, from_user_id, to_user_id, start_at, end_at, state, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		s.ScheduleID, s.FromUserID, s.ToUserID, s.Start, s.End, string(s.State), tx.now)
	if err != nil {
		return fmt.Errorf("request swap: %w", err)
	}
	if err := writeAudit(ctx, tx, warroom.AuditSwapRequest, "schedule", s.ScheduleID, s); err != nil {
		return err
	}
	return tx.commit()
}

// DecideShiftSwap accepts or declines a requested swap.
func (db *DB) DecideShiftSwap(ctx context.Context, scheduleID, id int64, accept bool) (*warroom.ShiftSwap, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	w, err := scanSwap(tx.queryRow(ctx, `SELECT `+swapColumns+` FROM shift_swaps WHERE id = ? AND schedule_id = ?`+tx.d.forUpdate(), id, scheduleID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, warroom.Errorf(warroom.ENOTFOUND, "Swap %d not found.", id)
	} else if err != nil {
		return nil, fmt.Errorf("decide swap: %w", err)
	}
	u := warroom.UserFromContext(ctx)
	if u == nil || (u.ID != w.ToUserID && !u.Can(warroom.PermAdmin)) {
		return nil, warroom.Errorf(warroom.EFORBIDDEN, "Only the person asked to cover, or an admin, may decide this swap.")
	}
	if w.State != warroom.SwapRequested {
		return nil, warroom.Errorf(warroom.ECONFLICT, "This swap was already %s.", w.State)
	}
	w.State = warroom.SwapDeclined
	if accept {
		w.State = warroom.SwapAccepted
	}
	now := tx.now
	w.DecidedAt = &now
	if _, err := tx.exec(ctx, `UPDATE shift_swaps SET state = ?, decided_at = ? WHERE id = ?`, string(w.State), now, id); err != nil {
		return nil, fmt.Errorf("decide swap: %w", err)
	}
	if err := writeAudit(ctx, tx, warroom.AuditSwapDecide, "schedule", scheduleID, map[string]any{"swap_id": id, "state": w.State}); err != nil {
		return nil, err
	}
	return w, tx.commit()
}

// loadOncall builds the pure schedule for [from, to) with its overrides
// and swaps.
func loadOncall(ctx context.Context, tx *tx, s *warroom.Schedule, from, to time.Time) (oncall.Schedule, error) {
	os, err := findOverrides(ctx, tx, s.ID, from, to)
	if err != nil {
		return oncall.Schedule{}, err
	}
	ws, err := findSwaps(ctx, tx, s.ID, from, to)
	if err != nil {
		return oncall.Schedule{}, err
	}
	return oncall.FromDomain(s, os, ws)
}

// userNames maps IDs to names for display.
func userNames(ctx context.Context, tx *tx, ids []int64) (map[int64]string, error) {
	out := map[int64]string{}
	for _, id := range ids {
		if _, ok := out[id]; ok {
			continue
		}
		var name string
		if err := tx.queryRow(ctx, `SELECT name FROM users WHERE id = ?`, id).Scan(&name); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("user names: %w", err)
		}
		out[id] = name
	}
	return out, nil
}

func toShifts(ctx context.Context, tx *tx, s *warroom.Schedule, in []oncall.Shift) ([]*warroom.OnCallShift, error) {
	ids := make([]int64, len(in))
	for i, sh := range in {
		ids[i] = sh.UserID
	}
	names, err := userNames(ctx, tx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]*warroom.OnCallShift, 0, len(in))
	for _, sh := range in {
		out = append(out, &warroom.OnCallShift{ScheduleID: s.ID, ScheduleName: s.Name, UserID: sh.UserID, UserName: names[sh.UserID],
			Start: sh.Start.UTC(), End: sh.End.UTC(), Layer: sh.Layer, Override: sh.Override})
	}
	return out, nil
}

// FindShifts returns who is on call during [from, to).
func (db *DB) FindShifts(ctx context.Context, scheduleID int64, from, to time.Time) ([]*warroom.OnCallShift, error) {
	if !to.After(from) {
		return nil, warroom.FieldErrorf("to", "must be after from")
	} else if to.Sub(from) > maxShiftWindow {
		return nil, warroom.FieldErrorf("to", "the window must be at most 92 days")
	}
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	s, err := findSchedule(ctx, tx, scheduleID)
	if err != nil {
		return nil, err
	}
	sc, err := loadOncall(ctx, tx, s, from, to)
	if err != nil {
		return nil, err
	}
	return toShifts(ctx, tx, s, sc.Shifts(from, to))
}

// FindOnCall returns who is on call at t on one or every schedule.
func (db *DB) FindOnCall(ctx context.Context, scheduleID int64, t time.Time) ([]*warroom.OnCallShift, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	var ss []*warroom.Schedule
	if scheduleID != 0 {
		s, err := findSchedule(ctx, tx, scheduleID)
		if err != nil {
			return nil, err
		}
		ss = []*warroom.Schedule{s}
	} else if ss, err = findSchedules(ctx, tx, ""); err != nil {
		return nil, err
	}
	out := []*warroom.OnCallShift{}
	for _, s := range ss {
		// Overrides and swaps a quarter either side cover any shift's bounds.
		sc, err := loadOncall(ctx, tx, s, t.Add(-maxShiftWindow), t.Add(maxShiftWindow))
		if err != nil {
			return nil, err
		}
		shifts, err := toShifts(ctx, tx, s, sc.At(t))
		if err != nil {
			return nil, err
		}
		out = append(out, shifts...)
	}
	return out, nil
}
