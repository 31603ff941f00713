package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/warroomhq/warroom"
)

var _ warroom.ActionItemService = (*DB)(nil)

const actionItemColumns = `a.id, a.incident_id, a.postmortem_id, a.title, a.description, a.owner_id, COALESCE(u.name, ''), a.due_date,
	a.priority, a.kind, a.status, a.links, a.source_type, a.source_id, a.created_by, a.created_at, a.updated_at, a.done_at`

const actionItemFrom = ` FROM action_items a LEFT JOIN users u ON u.id = a.owner_id`

func scanActionItem(s scanner) (*warroom.ActionItem, error) {
	var a warroom.ActionItem
	var links string
	if err := s.Scan(&a.ID, &a.IncidentID, scanIDPtr(&a.PostmortemID), &a.Title, &a.Description, &a.OwnerID, &a.OwnerName, scanTime(&a.DueDate),
		&a.Priority, &a.Kind, &a.Status, &links, &a.SourceType, &a.SourceID, scanID(&a.CreatedBy), scanTime(&a.CreatedAt), scanTime(&a.UpdatedAt),
		scanNullTime(&a.DoneAt)); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(links), &a.Links); err != nil {
		return nil, fmt.Errorf("decode action item %d: %w", a.ID, err)
	}
	if a.Links == nil {
		a.Links = []string{}
	}
	return &a, nil
}

func findActionItems(ctx context.Context, tx *tx, filter warroom.ActionItemFilter) ([]*warroom.ActionItem, int, error) {
	where, args := []string{"1 = 1"}, []any{}
	if v := filter.ID; v != nil {
		where, args = append(where, "a.id = ?"), append(args, *v)
	}
	if v := filter.OwnerID; v != nil {
		where, args = append(where, "a.owner_id = ?"), append(args, *v)
	}
	if v := filter.IncidentID; v != nil {
		where, args = append(where, "a.incident_id = ?"), append(args, *v)
	}
	if v := filter.PostmortemID; v != nil {
		where, args = append(where, "a.postmortem_id = ?"), append(args, *v)
	}
	if len(filter.Statuses) > 0 {
		where = append(where, "a.status IN ("+placeholders(len(filter.Statuses))+")")
		for _, s := range filter.Statuses {
			args = append(args, string(s))
		}
	}
	if v := filter.OverdueAt; v != nil {
		where = append(where, "a.status IN (?, ?) AND a.due_date <= ?")
		args = append(args, string(warroom.ActionOpen), string(warroom.ActionInProgress), *v)
	}
	cond := strings.Join(where, " AND ")
	n, err := count(ctx, tx, "SELECT COUNT(*) FROM action_items a WHERE "+cond, args...)
	if err != nil {
		return nil, 0, err
	}
	offset, limit := pageLimits(filter.Offset, filter.Limit)
	rows, err := tx.query(ctx, `SELECT `+actionItemColumns+actionItemFrom+` WHERE `+cond+` ORDER BY a.due_date, a.id LIMIT ? OFFSET ?`, append(args, limit, offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("find action items: %w", err)
	}
	defer rows.Close()
	items := []*warroom.ActionItem{}
	for rows.Next() {
		a, err := scanActionItem(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("find action items: %w", err)
		}
		items = append(items, a)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("find action items: %w", err)
	}
	return items, n, nil
}

func findActionItem(ctx context.Context, tx *tx, id int64, lock bool) (*warroom.ActionItem, error) {
	q := `SELECT ` + actionItemColumns + actionItemFrom + ` WHERE a.id = ?`
	if lock && tx.d.postgres {
		if _, err := tx.exec(ctx, `SELECT id FROM action_items WHERE id = ? FOR UPDATE`, id); err != nil {
			return nil, fmt.Errorf("lock action item: %w", err)
		}
	}
	a, err := scanActionItem(tx.queryRow(ctx, q, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, warroom.Errorf(warroom.ENOTFOUND, "Action item %d not found.", id)
	} else if err != nil {
		return nil, fmt.Errorf("find action item: %w", err)
	}
	return a, nil
}

// FindActionItemByID returns one action item.
func (db *DB) FindActionItemByID(ctx context.Context, id int64) (*warroom.ActionItem, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	a, err := findActionItem(ctx, tx, id, false)
	if err != nil {
		return nil, err
	}
	return a, tx.commit()
}

// FindActionItems returns a page, earliest due first, and the total.
func (db *DB) FindActionItems(ctx context.Context, filter warroom.ActionItemFilter) ([]*warroom.ActionItem, int, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer tx.rollback()
	items, n, err := findActionItems(ctx, tx, filter)
	if err != nil {
		return nil, 0, err
	}
	return items, n, tx.commit()
}

// CreateActionItem adds an action item.
func (db *DB) CreateActionItem(ctx context.Context, a *warroom.ActionItem) error {
	if a == nil {
		return warroom.Errorf(warroom.EINVALID, "An action item is required.")
	}
	if err := a.Validate(); err != nil {
		return err
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	if err := createActionItem(ctx, tx, a); err != nil {
		return err
	}
	stored, err := findActionItem(ctx, tx, a.ID, false)
	if err != nil {
		return err
	}
	*a = *stored
	return tx.commit()
}

func createActionItem(ctx context.Context, tx *tx, a *warroom.ActionItem) error {
	if err := incidentExists(ctx, tx, a.IncidentID); err != nil {
		return &warroom.Error{Code: warroom.ENOTFOUND, Field: "incident_id", Message: warroom.ErrorMessage(err)}
	}
	if err := activeUserExists(ctx, tx, a.OwnerID, "owner_id"); err != nil {
		return err
	}
	if a.DueDate.IsZero() && a.DueWorkingDays > 0 {
		due, err := actionItemDue(ctx, tx, a.DueWorkingDays)
		if err != nil {
			return err
		}
		a.DueDate = due
	}
	var pmIncident int64
	if a.PostmortemID != nil {
		err := tx.queryRow(ctx, `SELECT incident_id FROM postmortems WHERE id = ?`, *a.PostmortemID).Scan(&pmIncident)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && pmIncident != a.IncidentID) {
			return &warroom.Error{Code: warroom.ENOTFOUND, Field: "postmortem_id", Message: fmt.Sprintf("postmortem_id: postmortem %d of %s not found", *a.PostmortemID, warroom.FormatNumber(a.IncidentID))}
		} else if err != nil {
			return fmt.Errorf("create action item: %w", err)
		}
	} else {
		var id int64
		err := tx.queryRow(ctx, `SELECT id FROM postmortems WHERE incident_id = ?`, a.IncidentID).Scan(&id)
		if err == nil {
			a.PostmortemID = &id
		} else if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("create action item: %w", err)
		}
	}
	text, err := sourceText(ctx, tx, a)
	if err != nil {
		return err
	}
	if strings.TrimSpace(a.Title) == "" {
		a.Title = truncateRunes(strings.Join(strings.Fields(text), " "), warroom.MaxTitleLen)
		if a.Title == "" {
			return warroom.FieldErrorf("title", "is required: the source has no text")
		}
	}
	links, _ := json.Marshal(a.Links)
	if a.Links == nil {
		links = []byte("[]")
	}
	a.DueDate = a.DueDate.UTC().Truncate(time.Microsecond)
	a.ID, err = tx.insert(ctx, `INSERT INTO action_items (incident_id, postmortem_id, title, description, owner_id, due_date, priority, kind, status,
		links, source_type, source_id, created_by, created_at, updated_at, done_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.IncidentID, nullIDPtr(a.PostmortemID), a.Title, a.Description, a.OwnerID, a.DueDate, string(a.Priority), string(a.Kind), string(a.Status),
		string(links), a.SourceType, a.SourceID, nullID(warroom.UserIDFromContext(ctx)), tx.now, tx.now, doneAt(a.Status, tx.now))
	if err != nil {
		return fmt.Errorf("create action item: %w", err)
	}
	if _, err := addEvent(ctx, tx, a.IncidentID, warroom.EventActionItem, "action item: "+a.Title, "", map[string]any{
		"action_item_id": a.ID, "owner_id": a.OwnerID, "due_date": a.DueDate, "kind": a.Kind, "source_type": a.SourceType, "source_id": a.SourceID,
	}); err != nil {
		return err
	}
	return writeAudit(ctx, tx, warroom.AuditActionItemCreate, "action_item", a.ID, map[string]any{
		"incident_id": a.IncidentID, "postmortem_id": a.PostmortemID, "title": a.Title, "owner_id": a.OwnerID, "due_date": a.DueDate,
		"priority": a.Priority, "kind": a.Kind, "status": a.Status, "source_type": a.SourceType, "source_id": a.SourceID,
	})
}

// sourceText checks the event or why an item is created from belongs to
// the same incident and returns its text.
func sourceText(ctx context.Context, tx *tx, a *warroom.ActionItem) (string, error) {
	var text string
	var err error
	switch a.SourceType {
	case "":
		return "", nil
	case warroom.SourceEvent:
		err = tx.queryRow(ctx, `SELECT text FROM events WHERE id = ? AND incident_id = ?`, a.SourceID, a.IncidentID).Scan(&text)
	case warroom.SourceWhy:
		var q, ans string
		err = tx.queryRow(ctx, `SELECT w.question, w.answer FROM postmortem_whys w JOIN postmortems p ON p.id = w.postmortem_id
			WHERE w.id = ? AND p.incident_id = ?`, a.SourceID, a.IncidentID).Scan(&q, &ans)
		text = ans
		if strings.TrimSpace(ans) == "" {
			text = q
		}
	}
	if errors.Is(err, sql.ErrNoRows) {
		return "", &warroom.Error{Code: warroom.ENOTFOUND, Field: "source_id", Message: fmt.Sprintf("source_id: %s %d of %s not found", a.SourceType, a.SourceID, warroom.FormatNumber(a.IncidentID))}
	} else if err != nil {
		return "", fmt.Errorf("action item source: %w", err)
	}
	return text, nil
}

func doneAt(s warroom.ActionItemStatus, now time.Time) *time.Time {
	if s == warroom.ActionDone {
		return &now
	}
	return nil
}

func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// UpdateActionItem changes an action item.
func (db *DB) UpdateActionItem(ctx context.Context, id int64, upd warroom.ActionItemUpdate) (*warroom.ActionItem, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	a, err := findActionItem(ctx, tx, id, true)
	if err != nil {
		return nil, err
	}
	before := *a
	if err := upd.Apply(a); err != nil {
		return nil, err
	}
	if a.OwnerID != before.OwnerID {
		if err := activeUserExists(ctx, tx, a.OwnerID, "owner_id"); err != nil {
			return nil, err
		}
	}
	a.DueDate = a.DueDate.UTC().Truncate(time.Microsecond)
	audit := changes{}
	audit.add("title", before.Title, a.Title)
	audit.add("description", before.Description, a.Description)
	audit.add("owner_id", before.OwnerID, a.OwnerID)
	audit.add("due_date", before.DueDate, a.DueDate)
	audit.add("priority", before.Priority, a.Priority)
	audit.add("kind", before.Kind, a.Kind)
	audit.add("status", before.Status, a.Status)
	audit.add("links", before.Links, a.Links)
	if len(audit) == 0 {
		return a, tx.commit()
	}
	if a.Status != before.Status {
		a.DoneAt = doneAt(a.Status, tx.now)
	}
	links, _ := json.Marshal(a.Links)
	if _, err := tx.exec(ctx, `UPDATE action_items SET title = ?, description = ?, owner_id = ?, due_date = ?, priority = ?, kind = ?, status = ?,
		links = ?, updated_at = ?, done_at = ? WHERE id = ?`, a.Title, a.Description, a.OwnerID, a.DueDate, string(a.Priority), string(a.Kind),
		string(a.Status), string(links), tx.now, a.DoneAt, id); err != nil {
		return nil, fmt.Errorf("update action item: %w", err)
	}
	if c, ok := audit["status"]; ok {
		if _, err := addEvent(ctx, tx, a.IncidentID, warroom.EventActionItem, fmt.Sprintf("action item %s: %s", a.Status, a.Title), "", map[string]any{
			"action_item_id": a.ID, "from": c.From, "to": c.To,
		}); err != nil {
			return nil, err
		}
	}
	if err := writeAudit(ctx, tx, warroom.AuditActionItemUpdate, "action_item", id, audit); err != nil {
		return nil, err
	}
	stored, err := findActionItem(ctx, tx, id, false)
	if err != nil {
		return nil, err
	}
	return stored, tx.commit()
}
