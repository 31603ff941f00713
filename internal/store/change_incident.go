package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/warroomhq/warroom"
)

// FindIncidentChanges lists the changes around an incident's detection and
// its suspected causes.
func (db *DB) FindIncidentChanges(ctx context.Context, incidentID int64, window time.Duration) ([]*warroom.CorrelatedChange, error) {
	if window <= 0 {
		window = warroom.DefaultCorrelationWindow
	}
	if window > 90*24*time.Hour {
		return nil, warroom.FieldErrorf("hours", "look back at most 90 days")
	}
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	inc, err := loadIncident(ctx, tx, incidentID, false)
	if err != nil {
		return nil, err
	}
	detected := inc.DetectedAt
	// Started by detection and not over before the window opened: in
	// progress at detection, or ended within the window.
	rows, err := tx.query(ctx, `SELECT DISTINCT c.id FROM changes c
		JOIN change_services cs ON cs.change_id = c.id
		JOIN incident_services i ON i.service_id = cs.service_id AND i.incident_id = ?
		WHERE c.started_at IS NOT NULL AND c.started_at <= ? AND (c.ended_at IS NULL OR c.ended_at >= ?)
		UNION SELECT change_id FROM incident_changes WHERE incident_id = ?`,
		incidentID, detected, detected.Add(-window), incidentID)
	if err != nil {
		return nil, fmt.Errorf("find incident changes: %w", err)
	}
	var ids []any
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, fmt.Errorf("find incident changes: %w", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find incident changes: %w", err)
	}
	out := []*warroom.CorrelatedChange{}
	if len(ids) == 0 {
		return out, tx.commit()
	}
	linked, err := linkedChanges(ctx, tx, incidentID)
	if err != nil {
		return nil, err
	}
	cs, err := changesByID(ctx, tx, ids)
	if err != nil {
		return nil, err
	}
	for _, c := range cs {
		out = append(out, &warroom.CorrelatedChange{Change: c, SuspectedCause: linked[c.ID]})
	}
	return out, tx.commit()
}

// changesByID reads the given changes, newest start first, with services
// and violations.
func changesByID(ctx context.Context, tx *tx, ids []any) ([]*warroom.Change, error) {
	rows, err := tx.query(ctx, `SELECT `+changeColumns+changeFrom+` WHERE c.id IN (`+placeholders(len(ids))+`)
		ORDER BY COALESCE(c.started_at, c.created_at) DESC, c.id DESC`, ids...)
	if err != nil {
		return nil, fmt.Errorf("changes by id: %w", err)
	}
	defer rows.Close()
	var cs []*warroom.Change
	for rows.Next() {
		c, err := scanChange(rows)
		if err != nil {
			return nil, fmt.Errorf("changes by id: %w", err)
		}
		cs = append(cs, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("changes by id: %w", err)
	}
	rows.Close()
	if err := fillChangeServices(ctx, tx, cs); err != nil {
		return nil, err
	}
	return cs, fillChangeViolations(ctx, tx, cs)
}

func linkedChanges(ctx context.Context, tx *tx, incidentID int64) (map[int64]bool, error) {
	rows, err := tx.query(ctx, `SELECT change_id FROM incident_changes WHERE incident_id = ?`, incidentID)
	if err != nil {
		return nil, fmt.Errorf("linked changes: %w", err)
	}
	defer rows.Close()
	out := map[int64]bool{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("linked changes: %w", err)
		}
		out[id] = true
	}
	return out, rows.Err()
}

// LinkSuspectedCause names a change as a suspected cause of an incident.
func (db *DB) LinkSuspectedCause(ctx context.Context, incidentID, changeID int64, note string) (*warroom.SuspectedCause, error) {
	note = strings.TrimSpace(note)
	if len(note) > warroom.MaxTextLen {
		return nil, warroom.FieldErrorf("note", "must be at most %d characters", warroom.MaxTextLen)
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	if err := incidentExists(ctx, tx, incidentID); err != nil {
		return nil, err
	}
	c, err := loadChange(ctx, tx, changeID, false)
	if err != nil {
		return nil, err
	}
	_, err = tx.exec(ctx, `INSERT INTO incident_changes (incident_id, change_id, note, linked_by, linked_at) VALUES (?, ?, ?, ?, ?)`,
		incidentID, changeID, note, nullID(warroom.UserIDFromContext(ctx)), tx.now)
	if isUnique(err) {
		return nil, warroom.Errorf(warroom.ECONFLICT, "%s is already a suspected cause of %s.", c.Number, warroom.FormatNumber(incidentID))
	} else if err != nil {
		return nil, fmt.Errorf("link suspected cause: %w", err)
	}
	text := fmt.Sprintf("%s %s suspected as a cause", c.Number, c.Title)
	if note != "" {
		text += ": " + note
	}
	data := map[string]any{"change_id": c.ID, "number": c.Number, "title": c.Title}
	if _, err := addEvent(ctx, tx, incidentID, warroom.EventChangeLinked, text, "", data); err != nil {
		return nil, err
	}
	if err := addChangeEvent(ctx, tx, changeID, warroom.ChangeEventIncidentLinked, note, map[string]any{"incident_id": incidentID, "number": warroom.FormatNumber(incidentID)}); err != nil {
		return nil, err
	}
	if err := touchIncident(ctx, tx, incidentID); err != nil {
		return nil, err
	}
	if err := writeAudit(ctx, tx, warroom.AuditIncidentLinkCause, "incident", incidentID, map[string]any{"change_id": changeID, "note": note}); err != nil {
		return nil, err
	}
	sc := &warroom.SuspectedCause{IncidentID: incidentID, ChangeID: changeID, Change: c, Note: note, LinkedBy: warroom.UserIDFromContext(ctx), LinkedAt: tx.now}
	return sc, tx.commit()
}

// UnlinkSuspectedCause removes the link.
func (db *DB) UnlinkSuspectedCause(ctx context.Context, incidentID, changeID int64) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	if err := incidentExists(ctx, tx, incidentID); err != nil {
		return err
	}
	res, err := tx.exec(ctx, `DELETE FROM incident_changes WHERE incident_id = ? AND change_id = ?`, incidentID, changeID)
	if err != nil {
		return fmt.Errorf("unlink suspected cause: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return warroom.Errorf(warroom.ENOTFOUND, "%s is not a suspected cause of %s.", warroom.FormatChangeNumber(changeID), warroom.FormatNumber(incidentID))
	}
	number := warroom.FormatChangeNumber(changeID)
	if _, err := addEvent(ctx, tx, incidentID, warroom.EventChangeUnlinked, number+" no longer suspected", "", map[string]any{"change_id": changeID, "number": number}); err != nil {
		return err
	}
	if err := touchIncident(ctx, tx, incidentID); err != nil {
		return err
	}
	if err := writeAudit(ctx, tx, warroom.AuditIncidentUnlink, "incident", incidentID, map[string]any{"change_id": changeID}); err != nil {
		return err
	}
	return tx.commit()
}

// FindSuspectedCauses lists an incident's suspected causes.
func (db *DB) FindSuspectedCauses(ctx context.Context, incidentID int64) ([]*warroom.SuspectedCause, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	if err := incidentExists(ctx, tx, incidentID); err != nil {
		return nil, err
	}
	rows, err := tx.query(ctx, `SELECT change_id, note, linked_by, linked_at FROM incident_changes WHERE incident_id = ? ORDER BY linked_at, change_id`, incidentID)
	if err != nil {
		return nil, fmt.Errorf("find suspected causes: %w", err)
	}
	out := []*warroom.SuspectedCause{}
	var ids []any
	for rows.Next() {
		sc := &warroom.SuspectedCause{IncidentID: incidentID}
		if err := rows.Scan(&sc.ChangeID, &sc.Note, scanID(&sc.LinkedBy), scanTime(&sc.LinkedAt)); err != nil {
			rows.Close()
			return nil, fmt.Errorf("find suspected causes: %w", err)
		}
		out, ids = append(out, sc), append(ids, sc.ChangeID)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find suspected causes: %w", err)
	}
	if len(ids) > 0 {
		cs, err := changesByID(ctx, tx, ids)
		if err != nil {
			return nil, err
		}
		byID := map[int64]*warroom.Change{}
		for _, c := range cs {
			byID[c.ID] = c
		}
		for _, sc := range out {
			sc.Change = byID[sc.ChangeID]
		}
	}
	return out, tx.commit()
}

// RollbackIncidentChange rolls back a change from an incident: the change's
// rollback, its author's notification and a line on the incident's timeline
// are one transaction.
func (db *DB) RollbackIncidentChange(ctx context.Context, incidentID, changeID int64, reason string) (*warroom.Change, error) {
	reason = strings.TrimSpace(reason)
	if len(reason) > warroom.MaxTextLen {
		return nil, warroom.FieldErrorf("reason", "must be at most %d characters", warroom.MaxTextLen)
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	if err := incidentExists(ctx, tx, incidentID); err != nil {
		return nil, err
	}
	c, err := loadChange(ctx, tx, changeID, true)
	if err != nil {
		return nil, err
	}
	note := "rolled back from " + warroom.FormatNumber(incidentID)
	if reason != "" {
		note += ": " + reason
	}
	if err := endChange(ctx, tx, c, warroom.ChangeRolledBack, note); err != nil {
		return nil, err
	}
	if _, err := addEvent(ctx, tx, incidentID, warroom.EventChangeRolledBack, c.Number+" "+c.Title+" rolled back", "",
		map[string]any{"change_id": c.ID, "number": c.Number, "reason": reason}); err != nil {
		return nil, err
	}
	if err := touchIncident(ctx, tx, incidentID); err != nil {
		return nil, err
	}
	if c, err = loadChange(ctx, tx, changeID, false); err != nil {
		return nil, err
	}
	return c, tx.commit()
}
