package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/warroomhq/warroom"
)

var _ warroom.ChangePolicyService = (*DB)(nil)

const settingChangePolicy = "change_policy"

func findChangePolicy(ctx context.Context, tx *tx) (*warroom.ChangePolicy, error) {
	var p warroom.ChangePolicy
	ok, err := getSetting(ctx, tx, settingChangePolicy, &p)
	if err != nil {
		return nil, err
	}
	if !ok {
		p = warroom.DefaultChangePolicy()
	}
	return &p, nil
}

// FindChangePolicy returns the policy in force.
func (db *DB) FindChangePolicy(ctx context.Context) (*warroom.ChangePolicy, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	p, err := findChangePolicy(ctx, tx)
	if err != nil {
		return nil, err
	}
	return p, tx.commit()
}

// UpdateChangePolicy replaces the policy.
func (db *DB) UpdateChangePolicy(ctx context.Context, p *warroom.ChangePolicy) error {
	if p == nil {
		return warroom.Errorf(warroom.EINVALID, "A policy is required.")
	}
	if err := p.Validate(); err != nil {
		return err
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	before, err := findChangePolicy(ctx, tx)
	if err != nil {
		return err
	}
	if err := putSetting(ctx, tx, settingChangePolicy, p); err != nil {
		return err
	}
	if err := writeAuditTarget(ctx, tx, warroom.AuditChangePolicy, "setting", settingChangePolicy, change{From: before, To: p}); err != nil {
		return err
	}
	return tx.commit()
}

const freezeColumns = `f.id, f.name, f.reason, f.starts_at, f.ends_at, f.created_by, f.created_at`

func scanFreeze(sc scanner) (*warroom.FreezeWindow, error) {
	var f warroom.FreezeWindow
	if err := sc.Scan(&f.ID, &f.Name, &f.Reason, scanTime(&f.StartsAt), scanTime(&f.EndsAt), scanID(&f.CreatedBy), scanTime(&f.CreatedAt)); err != nil {
		return nil, err
	}
	f.ServiceIDs, f.Services, f.Exceptions = []int64{}, []*warroom.Service{}, []*warroom.FreezeException{}
	return &f, nil
}

// findFreezes returns the windows overlapping [from, to), by start, with
// their services and exceptions.
func findFreezes(ctx context.Context, tx *tx, from, to *time.Time) ([]*warroom.FreezeWindow, error) {
	where, args := []string{"1 = 1"}, []any{}
	if from != nil {
		where, args = append(where, "f.ends_at > ?"), append(args, *from)
	}
	if to != nil {
		where, args = append(where, "f.starts_at < ?"), append(args, *to)
	}
	rows, err := tx.query(ctx, `SELECT `+freezeColumns+` FROM freeze_windows f WHERE `+strings.Join(where, " AND ")+` ORDER BY f.starts_at, f.id LIMIT 1000`, args...)
	if err != nil {
		return nil, fmt.Errorf("find freezes: %w", err)
	}
	defer rows.Close()
	var fs []*warroom.FreezeWindow
	byID := map[int64]*warroom.FreezeWindow{}
	for rows.Next() {
		f, err := scanFreeze(rows)
		if err != nil {
			return nil, fmt.Errorf("find freezes: %w", err)
		}
		fs, byID[f.ID] = append(fs, f), f
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find freezes: %w", err)
	}
	rows.Close()
	if len(fs) == 0 {
		return []*warroom.FreezeWindow{}, nil
	}
	ids := make([]any, len(fs))
	for i, f := range fs {
		ids[i] = f.ID
	}
	srows, err := tx.query(ctx, `SELECT fs.freeze_id, `+serviceColumns+` FROM freeze_services fs JOIN services s ON s.id = fs.service_id
		WHERE fs.freeze_id IN (`+placeholders(len(ids))+`) ORDER BY s.name`, ids...)
	if err != nil {
		return nil, fmt.Errorf("find freezes: %w", err)
	}
	defer srows.Close()
	for srows.Next() {
		var fid int64
		s, err := scanService(srows, &fid)
		if err != nil {
			return nil, fmt.Errorf("find freezes: %w", err)
		}
		f := byID[fid]
		f.ServiceIDs, f.Services = append(f.ServiceIDs, s.ID), append(f.Services, s)
	}
	if err := srows.Err(); err != nil {
		return nil, fmt.Errorf("find freezes: %w", err)
	}
	srows.Close()
	erows, err := tx.query(ctx, `SELECT id, freeze_id, change_id, reason, granted_by, granted_at FROM freeze_exceptions
		WHERE freeze_id IN (`+placeholders(len(ids))+`) ORDER BY id`, ids...)
	if err != nil {
		return nil, fmt.Errorf("find freezes: %w", err)
	}
	defer erows.Close()
	for erows.Next() {
		var e warroom.FreezeException
		if err := erows.Scan(&e.ID, &e.FreezeID, &e.ChangeID, &e.Reason, scanID(&e.GrantedBy), scanTime(&e.GrantedAt)); err != nil {
			return nil, fmt.Errorf("find freezes: %w", err)
		}
		byID[e.FreezeID].Exceptions = append(byID[e.FreezeID].Exceptions, &e)
	}
	return fs, erows.Err()
}

// activeFreezes returns the windows in force at t that cover c, with their
// exceptions: whether an exception counts is the policy's to judge
// (warroom.ChangePolicy.CheckStart).
func activeFreezes(ctx context.Context, tx *tx, t time.Time, c *warroom.Change) ([]*warroom.FreezeWindow, error) {
	end := t.Add(time.Microsecond)
	fs, err := findFreezes(ctx, tx, &t, &end)
	if err != nil {
		return nil, err
	}
	var out []*warroom.FreezeWindow
	for _, f := range fs {
		if f.Covers(t, c.ServiceIDs) {
			out = append(out, f)
		}
	}
	return out, nil
}

// FindFreezeWindows lists windows overlapping the filter's range.
func (db *DB) FindFreezeWindows(ctx context.Context, filter warroom.FreezeFilter) ([]*warroom.FreezeWindow, error) {
	if filter.From != nil && filter.To != nil && !filter.To.After(*filter.From) {
		return nil, warroom.FieldErrorf("to", "must be after from")
	}
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	fs, err := findFreezes(ctx, tx, filter.From, filter.To)
	if err != nil {
		return nil, err
	}
	return fs, tx.commit()
}

// CreateFreezeWindow adds a window.
func (db *DB) CreateFreezeWindow(ctx context.Context, f *warroom.FreezeWindow) error {
	if f == nil {
		return warroom.Errorf(warroom.EINVALID, "A freeze window is required.")
	}
	f.Name = strings.TrimSpace(f.Name)
	if err := f.Validate(); err != nil {
		return err
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	ids := uniqueIDs(f.ServiceIDs)
	if err := checkServices(ctx, tx, ids); err != nil {
		return err
	}
	f.StartsAt, f.EndsAt = f.StartsAt.UTC().Truncate(time.Microsecond), f.EndsAt.UTC().Truncate(time.Microsecond)
	f.CreatedBy = warroom.UserIDFromContext(ctx)
	f.ID, err = tx.insert(ctx, `INSERT INTO freeze_windows (name, reason, starts_at, ends_at, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		f.Name, f.Reason, f.StartsAt, f.EndsAt, nullID(f.CreatedBy), tx.now)
	if err != nil {
		return fmt.Errorf("create freeze: %w", err)
	}
	for _, id := range ids {
		if _, err := tx.exec(ctx, `INSERT INTO freeze_services (freeze_id, service_id) VALUES (?, ?)`, f.ID, id); err != nil {
			return fmt.Errorf("create freeze: %w", err)
		}
	}
	if err := writeAudit(ctx, tx, warroom.AuditFreezeCreate, "freeze", f.ID, map[string]any{
		"name": f.Name, "reason": f.Reason, "starts_at": f.StartsAt, "ends_at": f.EndsAt, "service_ids": ids,
	}); err != nil {
		return err
	}
	f.ServiceIDs, f.CreatedAt, f.Exceptions = ids, tx.now, []*warroom.FreezeException{}
	return tx.commit()
}

// DeleteFreezeWindow removes a window and its exceptions.
func (db *DB) DeleteFreezeWindow(ctx context.Context, id int64) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	if err := guard(ctx, tx, warroom.OpFreezeDelete); err != nil {
		return err
	}
	if err := deleteFreezeWindow(ctx, tx, id); err != nil {
		return err
	}
	return tx.commit()
}

// deleteFreezeWindow deletes a window and its exceptions; the audit entry
// keeps the exceptions, which are the record of who let which change
// through the freeze.
func deleteFreezeWindow(ctx context.Context, tx *tx, id int64) error {
	rows, err := tx.query(ctx, `SELECT change_id, reason, granted_by, granted_at FROM freeze_exceptions WHERE freeze_id = ? ORDER BY id`, id)
	if err != nil {
		return fmt.Errorf("delete freeze: %w", err)
	}
	defer rows.Close()
	exceptions := []*warroom.FreezeException{}
	for rows.Next() {
		e := &warroom.FreezeException{FreezeID: id}
		if err := rows.Scan(&e.ChangeID, &e.Reason, scanID(&e.GrantedBy), scanTime(&e.GrantedAt)); err != nil {
			return fmt.Errorf("delete freeze: %w", err)
		}
		exceptions = append(exceptions, e)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("delete freeze: %w", err)
	}
	rows.Close()
	for _, q := range []string{`DELETE FROM freeze_exceptions WHERE freeze_id = ?`, `DELETE FROM freeze_services WHERE freeze_id = ?`} {
		if _, err := tx.exec(ctx, q, id); err != nil {
			return fmt.Errorf("delete freeze: %w", err)
		}
	}
	res, err := tx.exec(ctx, `DELETE FROM freeze_windows WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("delete freeze: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return warroom.Errorf(warroom.ENOTFOUND, "Freeze window %d not found.", id)
	}
	return writeAudit(ctx, tx, warroom.AuditFreezeDelete, "freeze", id, map[string]any{"exceptions": exceptions})
}

// GrantFreezeException lets one change start during a window.
func (db *DB) GrantFreezeException(ctx context.Context, freezeID, changeID int64, reason string) (*warroom.FreezeException, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, warroom.FieldErrorf("reason", "is required: say why this change may go ahead during the freeze")
	} else if len(reason) > warroom.MaxTextLen {
		return nil, warroom.FieldErrorf("reason", "must be at most %d characters", warroom.MaxTextLen)
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	var name string
	if err := tx.queryRow(ctx, `SELECT name FROM freeze_windows WHERE id = ?`, freezeID).Scan(&name); err != nil {
		return nil, warroom.Errorf(warroom.ENOTFOUND, "Freeze window %d not found.", freezeID)
	}
	var author sql.NullInt64
	if err := tx.queryRow(ctx, `SELECT author_id FROM changes WHERE id = ?`, changeID).Scan(&author); errors.Is(err, sql.ErrNoRows) {
		return nil, warroom.Errorf(warroom.ENOTFOUND, "Change %s not found.", warroom.FormatChangeNumber(changeID))
	} else if err != nil {
		return nil, fmt.Errorf("grant freeze exception: %w", err)
	}
	if u := warroom.UserIDFromContext(ctx); author.Valid && u == author.Int64 {
		return nil, warroom.Errorf(warroom.EFORBIDDEN, "You are the author of %s and cannot grant it an exception to freeze %q; like an approval, it must come from someone else.", warroom.FormatChangeNumber(changeID), name)
	}
	e := &warroom.FreezeException{FreezeID: freezeID, ChangeID: changeID, Reason: reason, GrantedBy: warroom.UserIDFromContext(ctx), GrantedAt: tx.now}
	e.ID, err = tx.insert(ctx, `INSERT INTO freeze_exceptions (freeze_id, change_id, reason, granted_by, granted_at) VALUES (?, ?, ?, ?, ?)`,
		freezeID, changeID, reason, nullID(e.GrantedBy), tx.now)
	if isUnique(err) {
		return nil, warroom.Errorf(warroom.ECONFLICT, "%s already has an exception to freeze %q.", warroom.FormatChangeNumber(changeID), name)
	} else if err != nil {
		return nil, fmt.Errorf("grant freeze exception: %w", err)
	}
	if err := addChangeEvent(ctx, tx, changeID, warroom.ChangeEventFreezeException, reason, map[string]any{"freeze_id": freezeID, "freeze": name}); err != nil {
		return nil, err
	}
	if err := writeAudit(ctx, tx, warroom.AuditFreezeException, "change", changeID, map[string]any{"freeze_id": freezeID, "reason": reason}); err != nil {
		return nil, err
	}
	return e, tx.commit()
}
