package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/warroomhq/warroom"
)

// PostStatusUpdate records a templated update on an incident, publishes it
// when it is public and queues its notice, all in one transaction.
func (db *DB) PostStatusUpdate(ctx context.Context, incidentID int64, u *warroom.StatusUpdate) error {
	if u == nil {
		return warroom.Errorf(warroom.EINVALID, "A status update is required.")
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	if err := u.Validate(tx.now); err != nil {
		return err
	}
	inc, err := openIncidentForChange(ctx, tx, incidentID)
	if err != nil {
		return err
	}
	if u.RealWorld && (!inc.Drill || u.Audience != warroom.AudiencePublic) {
		return warroom.FieldErrorf("real_world", "applies only to a public update of a drill")
	}
	u.IncidentID, u.AuthorID, u.CreatedAt = incidentID, warroom.UserIDFromContext(ctx), tx.now
	u.Components = nonNil(u.Components)
	comps, _ := json.Marshal(u.Components)
	u.ID, err = tx.insert(ctx, `INSERT INTO status_updates (incident_id, audience, what_happened, impact, actions, next_update_by,
		public_status, public_title, components, real_world, author_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		incidentID, string(u.Audience), u.WhatHappened, u.Impact, u.Actions, u.NextUpdateBy,
		string(u.PublicStatus), u.PublicTitle, string(comps), u.RealWorld, nullID(u.AuthorID), tx.now)
	if err != nil {
		return fmt.Errorf("post status update: %w", err)
	}
	vis := warroom.VisibilityInternal
	if u.Audience == warroom.AudiencePublic {
		vis = warroom.VisibilityPublic
	}
	if _, err := addEvent(ctx, tx, incidentID, warroom.EventStatusUpdate, u.WhatHappened, vis, map[string]any{
		"status_update_id": u.ID, "audience": u.Audience, "public_status": u.PublicStatus, "next_update_by": u.NextUpdateBy,
	}); err != nil {
		return err
	}
	if err := setUpdateTimer(ctx, tx, incidentID, u); err != nil {
		return err
	}
	// A drill's public update goes to its preview (built from the update
	// itself) unless a person chose to send this one to the real world.
	if u.Audience == warroom.AudiencePublic && (!inc.Drill || u.RealWorld) {
		if err := publish(ctx, tx, inc, u); err != nil {
			return err
		}
	}
	if u.RealWorld {
		if err := writeAudit(ctx, tx, warroom.AuditDrillRealWorld, "incident", incidentID, map[string]any{
			"status_update_id": u.ID, "public_status": u.PublicStatus, "what_happened": u.WhatHappened,
		}); err != nil {
			return err
		}
	}
	if u.Audience != warroom.AudienceInternal {
		if err := queueNotice(ctx, tx, &warroom.Notice{Kind: warroom.NoticeStatusUpdate, IncidentID: incidentID, StatusUpdateID: u.ID}); err != nil {
			return err
		}
	}
	if err := touchIncident(ctx, tx, incidentID); err != nil {
		return err
	}
	if err := writeAudit(ctx, tx, warroom.AuditStatusUpdatePost, "incident", incidentID, map[string]any{
		"status_update_id": u.ID, "audience": u.Audience, "public_status": u.PublicStatus, "next_update_by": u.NextUpdateBy,
	}); err != nil {
		return err
	}
	return tx.commit()
}

// setUpdateTimer arms the incident's "next update by" timer, or clears it:
// any newer update keeps the earlier promise, so without a new promise
// there is nothing left to remind anyone of.
func setUpdateTimer(ctx context.Context, tx *tx, incidentID int64, u *warroom.StatusUpdate) error {
	var err error
	if u.NextUpdateBy == nil {
		_, err = tx.exec(ctx, `DELETE FROM status_timers WHERE incident_id = ?`, incidentID)
	} else {
		_, err = tx.exec(ctx, `INSERT INTO status_timers (incident_id, due_at, reminded_at) VALUES (?, ?, NULL)
			ON CONFLICT (incident_id) DO UPDATE SET due_at = excluded.due_at, reminded_at = NULL`, incidentID, *u.NextUpdateBy)
	}
	if err != nil {
		return fmt.Errorf("set update timer: %w", err)
	}
	return nil
}

// publish puts a public update on the status page: the public incident
// (created on the first public update), its components' statuses and the
// update itself.
func publish(ctx context.Context, tx *tx, inc *warroom.Incident, u *warroom.StatusUpdate) error {
	var pid int64
	var title string
	var impact warroom.ComponentStatus
	err := tx.queryRow(ctx, `SELECT id, title, impact FROM public_incidents WHERE incident_id = ?`+tx.d.forUpdate(), inc.ID).Scan(&pid, &title, &impact)
	if errors.Is(err, sql.ErrNoRows) {
		title = u.PublicTitle
		if title == "" {
			title = inc.Title
		}
		impact = warroom.ComponentOperational
		pid, err = tx.insert(ctx, `INSERT INTO public_incidents (incident_id, title, status, impact, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
			inc.ID, title, string(u.PublicStatus), string(impact), tx.now, tx.now)
	}
	if err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	if u.PublicTitle != "" {
		title = u.PublicTitle
	}
	for i, c := range u.Components {
		if err := setComponentStatus(ctx, tx, c.ComponentID, c.Status, fmt.Sprintf("components[%d].component_id", i)); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `INSERT INTO public_incident_components (public_incident_id, component_id) VALUES (?, ?)
			ON CONFLICT DO NOTHING`, pid, c.ComponentID); err != nil {
			return fmt.Errorf("publish: %w", err)
		}
		if c.Status.Worse(impact) {
			impact = c.Status
		}
	}
	var resolvedAt any
	if u.PublicStatus == warroom.PublicResolved {
		resolvedAt = tx.d.time(tx.now)
		// Components the update did not name return to operational: the
		// incident no longer holds them down.
		named := map[int64]bool{}
		for _, c := range u.Components {
			named[c.ComponentID] = true
		}
		ids, err := queryIDs(ctx, tx, `SELECT component_id FROM public_incident_components WHERE public_incident_id = ?`, pid)
		if err != nil {
			return err
		}
		for _, id := range ids {
			if !named[id] {
				if err := setComponentStatus(ctx, tx, id, warroom.ComponentOperational, "components"); err != nil {
					return err
				}
			}
		}
	}
	if _, err := tx.exec(ctx, `UPDATE public_incidents SET title = ?, status = ?, impact = ?, updated_at = ?, resolved_at = ? WHERE id = ?`,
		title, string(u.PublicStatus), string(impact), tx.now, resolvedAt, pid); err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	if _, err := tx.exec(ctx, `INSERT INTO public_updates (public_incident_id, status, what_happened, impact, actions, next_update_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, pid, string(u.PublicStatus), u.WhatHappened, u.Impact, u.Actions, u.NextUpdateBy, tx.now); err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	return bumpStatusPage(ctx, tx)
}

// queryIDs runs a query returning one integer column.
func queryIDs(ctx context.Context, tx *tx, q string, args ...any) ([]int64, error) {
	rows, err := tx.query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("query ids: %w", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("query ids: %w", err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// FindStatusUpdates lists an incident's updates, newest first.
func (db *DB) FindStatusUpdates(ctx context.Context, incidentID int64) ([]*warroom.StatusUpdate, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	if err := incidentExists(ctx, tx, incidentID); err != nil {
		return nil, err
	}
	us, err := findStatusUpdates(ctx, tx, "incident_id = ?", incidentID)
	if err != nil {
		return nil, err
	}
	return us, tx.commit()
}

func findStatusUpdates(ctx context.Context, tx *tx, where string, args ...any) ([]*warroom.StatusUpdate, error) {
	rows, err := tx.query(ctx, `SELECT id, incident_id, audience, what_happened, impact, actions, next_update_by, public_status,
		public_title, components, real_world, author_id, created_at FROM status_updates WHERE `+where+` ORDER BY id DESC`, args...)
	if err != nil {
		return nil, fmt.Errorf("find status updates: %w", err)
	}
	defer rows.Close()
	us := []*warroom.StatusUpdate{}
	for rows.Next() {
		var u warroom.StatusUpdate
		var comps string
		if err := rows.Scan(&u.ID, &u.IncidentID, &u.Audience, &u.WhatHappened, &u.Impact, &u.Actions, scanNullTime(&u.NextUpdateBy),
			&u.PublicStatus, &u.PublicTitle, &comps, &u.RealWorld, scanID(&u.AuthorID), scanTime(&u.CreatedAt)); err != nil {
			return nil, fmt.Errorf("find status updates: %w", err)
		}
		if err := json.Unmarshal([]byte(comps), &u.Components); err != nil {
			return nil, fmt.Errorf("find status updates: components: %w", err)
		}
		us = append(us, &u)
	}
	return us, rows.Err()
}
