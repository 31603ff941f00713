package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/warroomhq/warroom"
)

var _ warroom.AuditService = (*DB)(nil)

// change is the before and after of one field in an audit row or event.
type change struct {
	From any `json:"from"`
	To   any `json:"to"`
}

// changes collects the fields a mutation changed, by JSON name.
type changes map[string]change

// add records a field when its value differs.
func (c changes) add(field string, from, to any) {
	a, _ := json.Marshal(from)
	b, _ := json.Marshal(to)
	if string(a) != string(b) {
		c[field] = change{From: from, To: to}
	}
}

// jsonData marshals v for a data column; nil stays NULL.
func jsonData(v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("marshal data: %w", err)
	}
	return string(b), nil
}

// writeAudit appends the audit row of a change, attributed to the user and
// source address in ctx. data must never hold secrets.
func writeAudit(ctx context.Context, tx *tx, action warroom.AuditAction, targetType string, targetID int64, data any) error {
	return writeAuditTarget(ctx, tx, action, targetType, strconv.FormatInt(targetID, 10), data)
}

func writeAuditTarget(ctx context.Context, tx *tx, action warroom.AuditAction, targetType, targetID string, data any) error {
	d, err := jsonData(data)
	if err != nil {
		return err
	}
	e := chainEntry{At: tx.now, ActorID: warroom.UserIDFromContext(ctx), Action: string(action), TargetType: targetType, TargetID: targetID, SourceIP: warroom.SourceFromContext(ctx)}
	if d != nil {
		e.Data = d.(string)
	}
	if err := appendAudit(ctx, tx, &e); err != nil {
		return fmt.Errorf("write audit: %w", err)
	}
	return nil
}

// FindAuditEntries returns a page of entries, newest first, and the total.
func (db *DB) FindAuditEntries(ctx context.Context, filter warroom.AuditFilter) ([]*warroom.AuditEntry, int, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer tx.rollback()
	entries, n, err := findAuditEntries(ctx, tx, filter)
	if err != nil {
		return nil, 0, err
	}
	return entries, n, tx.commit()
}

func findAuditEntries(ctx context.Context, tx *tx, filter warroom.AuditFilter) ([]*warroom.AuditEntry, int, error) {
	where, args := []string{"1 = 1"}, []any{}
	if v := filter.ActorID; v != nil {
		if *v == 0 {
			where = append(where, "actor_id IS NULL")
		} else {
			where, args = append(where, "actor_id = ?"), append(args, *v)
		}
	}
	if v := filter.Action; v != nil {
		where, args = append(where, "action = ?"), append(args, string(*v))
	}
	if v := filter.TargetType; v != nil {
		where, args = append(where, "target_type = ?"), append(args, *v)
	}
	if v := filter.TargetID; v != nil {
		where, args = append(where, "target_id = ?"), append(args, *v)
	}
	if v := filter.BeforeID; v != nil {
		where, args = append(where, "id < ?"), append(args, *v)
	}
	offset, limit := pageLimits(filter.Offset, filter.Limit)
	where2 := strings.Join(where, " AND ")
	// The total is its own COUNT(*) in the same snapshot, not COUNT(*)
	// OVER(): on a log that only grows, the window reads every matching
	// entry, data and all, before the first of the page.
	n, err := count(ctx, tx, "SELECT COUNT(*) FROM audit_log WHERE "+where2, args...)
	if err != nil {
		return nil, 0, err
	}
	var entries []*warroom.AuditEntry
	if n == 0 || offset >= n {
		return entries, n, nil
	}
	rows, err := tx.query(ctx, `SELECT id, at, actor_id, action, target_type, target_id, data, source_ip
		FROM audit_log WHERE `+where2+` ORDER BY id DESC LIMIT ? OFFSET ?`, append(args, limit, offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("find audit entries: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var e warroom.AuditEntry
		var data *string
		if err := rows.Scan(&e.ID, scanTime(&e.At), scanID(&e.ActorID), &e.Action, &e.TargetType, &e.TargetID, &data, &e.SourceIP); err != nil {
			return nil, 0, fmt.Errorf("find audit entries: %w", err)
		}
		if data != nil {
			e.Data = json.RawMessage(*data)
		}
		entries = append(entries, &e)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("find audit entries: %w", err)
	}
	return entries, n, nil
}

// count runs a SELECT COUNT(*) query: a list's total, read apart from its
// page.
func count(ctx context.Context, tx *tx, q string, args ...any) (int, error) {
	var n int
	if err := tx.queryRow(ctx, q, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count: %w", err)
	}
	return n, nil
}
