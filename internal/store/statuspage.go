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

var _ warroom.StatusPageService = (*DB)(nil)

// bumpStatusPage advances the page version in the transaction of a change
// the public page shows, so that every instance's cache sees it once the
// change commits.
func bumpStatusPage(ctx context.Context, tx *tx) error {
	if _, err := tx.exec(ctx, `UPDATE status_page SET version = version + 1 WHERE id = 1`); err != nil {
		return fmt.Errorf("bump status page: %w", err)
	}
	return nil
}

// StatusPageVersion returns the page's version.
func (db *DB) StatusPageVersion(ctx context.Context) (int64, error) {
	var v int64
	// One statement needs no transaction; this runs on every cache check.
	if err := db.read.QueryRowContext(ctx, `SELECT version FROM status_page WHERE id = 1`).Scan(&v); err != nil {
		return 0, fmt.Errorf("status page version: %w", err)
	}
	return v, nil
}

// FindStatusPageSettings returns the branding.
func (db *DB) FindStatusPageSettings(ctx context.Context) (*warroom.StatusPageSettings, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	var s warroom.StatusPageSettings
	if err := tx.queryRow(ctx, `SELECT name, logo_url, accent_color, public_url, updated_at FROM status_page WHERE id = 1`).
		Scan(&s.Name, &s.LogoURL, &s.AccentColor, &s.PublicURL, scanTime(&s.UpdatedAt)); err != nil {
		return nil, fmt.Errorf("find status page settings: %w", err)
	}
	return &s, tx.commit()
}

// UpdateStatusPageSettings replaces the branding.
func (db *DB) UpdateStatusPageSettings(ctx context.Context, s *warroom.StatusPageSettings) error {
	if s == nil {
		return warroom.Errorf(warroom.EINVALID, "Settings are required.")
	} else if err := s.Validate(); err != nil {
		return err
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	if _, err := tx.exec(ctx, `UPDATE status_page SET name = ?, logo_url = ?, accent_color = ?, public_url = ?, updated_at = ?, version = version + 1 WHERE id = 1`,
		s.Name, s.LogoURL, s.AccentColor, s.PublicURL, tx.now); err != nil {
		return fmt.Errorf("update status page settings: %w", err)
	}
	s.UpdatedAt = tx.now
	if err := writeAuditTarget(ctx, tx, warroom.AuditStatusPageSettings, "status_page", "1", s); err != nil {
		return err
	}
	return tx.commit()
}

const componentColumns = `c.id, c.name, c.description, c.group_name, c.service_id, c.status, c.position, c.created_at, c.updated_at`

func scanComponent(sc scanner) (*warroom.Component, error) {
	var c warroom.Component
	err := sc.Scan(&c.ID, &c.Name, &c.Description, &c.Group, scanIDPtr(&c.ServiceID), &c.Status, &c.Position, scanTime(&c.CreatedAt), scanTime(&c.UpdatedAt))
	return &c, err
}

// FindComponents lists every component by group, position and name.
func (db *DB) FindComponents(ctx context.Context) ([]*warroom.Component, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	rows, err := tx.query(ctx, `SELECT `+componentColumns+` FROM components c ORDER BY c.group_name, c.position, c.name`)
	if err != nil {
		return nil, fmt.Errorf("find components: %w", err)
	}
	defer rows.Close()
	cs := []*warroom.Component{}
	for rows.Next() {
		c, err := scanComponent(rows)
		if err != nil {
			return nil, fmt.Errorf("find components: %w", err)
		}
		cs = append(cs, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find components: %w", err)
	}
	return cs, tx.commit()
}

func findComponent(ctx context.Context, tx *tx, id int64, field string) (*warroom.Component, error) {
	c, err := scanComponent(tx.queryRow(ctx, `SELECT `+componentColumns+` FROM components c WHERE c.id = ?`+tx.d.forUpdate(), id))
	if errors.Is(err, sql.ErrNoRows) {
		msg := fmt.Sprintf("Component %d not found.", id)
		if field != "" {
			msg = fmt.Sprintf("%s: component %d not found", field, id)
		}
		return nil, &warroom.Error{Code: warroom.ENOTFOUND, Field: field, Message: msg}
	} else if err != nil {
		return nil, fmt.Errorf("find component: %w", err)
	}
	return c, nil
}

func componentNameTaken(name string) error {
	return &warroom.Error{Code: warroom.ECONFLICT, Field: "name", Message: fmt.Sprintf("name: a component named %q already exists", name)}
}

// checkService returns ENOTFOUND naming service_id unless it exists.
func checkService(ctx context.Context, tx *tx, id *int64) error {
	if id == nil {
		return nil
	}
	if _, err := findService(ctx, tx, "s.id = ?", *id, false); warroom.ErrorCode(err) == warroom.ENOTFOUND {
		return &warroom.Error{Code: warroom.ENOTFOUND, Field: "service_id", Message: fmt.Sprintf("service_id: service %d not found", *id)}
	} else if err != nil {
		return err
	}
	return nil
}

// CreateComponent adds a component; its first status starts its history.
func (db *DB) CreateComponent(ctx context.Context, c *warroom.Component) error {
	if c == nil {
		return warroom.Errorf(warroom.EINVALID, "A component is required.")
	} else if err := c.Validate(); err != nil {
		return err
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	if err := checkService(ctx, tx, c.ServiceID); err != nil {
		return err
	}
	id, err := tx.insert(ctx, `INSERT INTO components (name, description, group_name, service_id, status, position, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, c.Name, c.Description, c.Group, nullIDPtr(c.ServiceID), string(c.Status), c.Position, tx.now, tx.now)
	if isUnique(err) {
		return componentNameTaken(c.Name)
	} else if err != nil {
		return fmt.Errorf("create component: %w", err)
	}
	c.ID, c.CreatedAt, c.UpdatedAt = id, tx.now, tx.now
	if err := recordStatusChange(ctx, tx, id, c.Status); err != nil {
		return err
	}
	if err := bumpStatusPage(ctx, tx); err != nil {
		return err
	}
	if err := writeAudit(ctx, tx, warroom.AuditComponentCreate, "component", id, c); err != nil {
		return err
	}
	return tx.commit()
}

func recordStatusChange(ctx context.Context, tx *tx, id int64, s warroom.ComponentStatus) error {
	if _, err := tx.exec(ctx, `INSERT INTO component_status_changes (component_id, status, at) VALUES (?, ?, ?)`, id, string(s), tx.now); err != nil {
		return fmt.Errorf("record status change: %w", err)
	}
	return nil
}

// setComponentStatus changes one component's status, recording the change
// in its history when it differs. field names the input for ENOTFOUND.
func setComponentStatus(ctx context.Context, tx *tx, id int64, s warroom.ComponentStatus, field string) error {
	c, err := findComponent(ctx, tx, id, field)
	if err != nil {
		return err
	} else if c.Status == s {
		return nil
	}
	if _, err := tx.exec(ctx, `UPDATE components SET status = ?, updated_at = ? WHERE id = ?`, string(s), tx.now, id); err != nil {
		return fmt.Errorf("set component status: %w", err)
	}
	if err := recordStatusChange(ctx, tx, id, s); err != nil {
		return err
	}
	return bumpStatusPage(ctx, tx)
}

// UpdateComponent changes a component.
func (db *DB) UpdateComponent(ctx context.Context, id int64, upd warroom.ComponentUpdate) (*warroom.Component, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	c, err := findComponent(ctx, tx, id, "")
	if err != nil {
		return nil, err
	}
	before := *c
	upd.Apply(c)
	if err := c.Validate(); err != nil {
		return nil, err
	} else if err := checkService(ctx, tx, c.ServiceID); err != nil {
		return nil, err
	}
	ch := changes{}
	ch.add("name", before.Name, c.Name)
	ch.add("description", before.Description, c.Description)
	ch.add("group", before.Group, c.Group)
	ch.add("service_id", before.ServiceID, c.ServiceID)
	ch.add("status", before.Status, c.Status)
	ch.add("position", before.Position, c.Position)
	if len(ch) == 0 {
		return c, tx.commit()
	}
	_, err = tx.exec(ctx, `UPDATE components SET name = ?, description = ?, group_name = ?, service_id = ?, status = ?, position = ?, updated_at = ? WHERE id = ?`,
		c.Name, c.Description, c.Group, nullIDPtr(c.ServiceID), string(c.Status), c.Position, tx.now, id)
	if isUnique(err) {
		return nil, componentNameTaken(c.Name)
	} else if err != nil {
		return nil, fmt.Errorf("update component: %w", err)
	}
	c.UpdatedAt = tx.now
	if c.Status != before.Status {
		if err := recordStatusChange(ctx, tx, id, c.Status); err != nil {
			return nil, err
		}
	}
	if err := bumpStatusPage(ctx, tx); err != nil {
		return nil, err
	}
	if err := writeAudit(ctx, tx, warroom.AuditComponentUpdate, "component", id, ch); err != nil {
		return nil, err
	}
	return c, tx.commit()
}

// DeleteComponent removes a component and its history. Guarded by
// OpComponentDelete: the history is evidence of what the public was told.
func (db *DB) DeleteComponent(ctx context.Context, id int64) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	if err := guard(ctx, tx, warroom.OpComponentDelete); err != nil {
		return err
	}
	if err := deleteComponent(ctx, tx, id); err != nil {
		return err
	}
	return tx.commit()
}

func deleteComponent(ctx context.Context, tx *tx, id int64) error {
	c, err := findComponent(ctx, tx, id, "")
	if err != nil {
		return err
	}
	for _, q := range []string{
		`DELETE FROM component_status_changes WHERE component_id = ?`, `DELETE FROM public_incident_components WHERE component_id = ?`,
		`DELETE FROM maintenance_components WHERE component_id = ?`, `DELETE FROM subscriber_components WHERE component_id = ?`,
		`DELETE FROM components WHERE id = ?`,
	} {
		if _, err := tx.exec(ctx, q, id); err != nil {
			return fmt.Errorf("delete component: %w", err)
		}
	}
	if err := bumpStatusPage(ctx, tx); err != nil {
		return err
	}
	return writeAudit(ctx, tx, warroom.AuditComponentDelete, "component", id, map[string]any{"name": c.Name})
}

// FindStatusChanges returns the changes at or after since, oldest first,
// with each component's last change before since.
func (db *DB) FindStatusChanges(ctx context.Context, since time.Time) ([]warroom.StatusChange, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	rows, err := tx.query(ctx, `SELECT component_id, status, at FROM (
			SELECT component_id, status, at, id FROM component_status_changes WHERE at >= ?
			UNION ALL
			SELECT c.component_id, c.status, c.at, c.id FROM component_status_changes c
			WHERE c.id = (SELECT MAX(p.id) FROM component_status_changes p WHERE p.component_id = c.component_id AND p.at < ?)
		) x ORDER BY at, id`, since, since)
	if err != nil {
		return nil, fmt.Errorf("find status changes: %w", err)
	}
	defer rows.Close()
	out := []warroom.StatusChange{}
	for rows.Next() {
		var c warroom.StatusChange
		if err := rows.Scan(&c.ComponentID, &c.Status, scanTime(&c.At)); err != nil {
			return nil, fmt.Errorf("find status changes: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find status changes: %w", err)
	}
	return out, tx.commit()
}

// FindMaintenances returns the windows not cancelled that end after after.
func (db *DB) FindMaintenances(ctx context.Context, after time.Time) ([]*warroom.Maintenance, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	ms, err := findMaintenances(ctx, tx, "m.ends_at > ? AND m.cancelled_at IS NULL", after)
	if err != nil {
		return nil, err
	}
	return ms, tx.commit()
}

func findMaintenances(ctx context.Context, tx *tx, where string, args ...any) ([]*warroom.Maintenance, error) {
	rows, err := tx.query(ctx, `SELECT m.id, m.title, m.body, m.starts_at, m.ends_at, m.cancelled_at, m.created_at
		FROM maintenances m WHERE `+where+` ORDER BY m.starts_at, m.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("find maintenances: %w", err)
	}
	defer rows.Close()
	ms := []*warroom.Maintenance{}
	for rows.Next() {
		m := &warroom.Maintenance{ComponentIDs: []int64{}}
		if err := rows.Scan(&m.ID, &m.Title, &m.Body, scanTime(&m.StartsAt), scanTime(&m.EndsAt), scanNullTime(&m.CancelledAt), scanTime(&m.CreatedAt)); err != nil {
			return nil, fmt.Errorf("find maintenances: %w", err)
		}
		ms = append(ms, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find maintenances: %w", err)
	}
	rows.Close()
	if len(ms) == 0 {
		return ms, nil
	}
	ids := make([]any, 0, len(ms))
	for _, m := range ms {
		ids = append(ids, m.ID)
	}
	links, err := componentLinks(ctx, tx, "maintenance_components", "maintenance_id", ids)
	if err != nil {
		return nil, fmt.Errorf("find maintenances: %w", err)
	}
	for _, m := range ms {
		if c := links[m.ID]; c != nil {
			m.ComponentIDs = c
		}
	}
	return ms, nil
}

// CreateMaintenance schedules a window and tells subscribers.
func (db *DB) CreateMaintenance(ctx context.Context, m *warroom.Maintenance) error {
	if m == nil {
		return warroom.Errorf(warroom.EINVALID, "A maintenance window is required.")
	} else if err := m.Validate(); err != nil {
		return err
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	m.StartsAt, m.EndsAt = m.StartsAt.UTC().Truncate(time.Microsecond), m.EndsAt.UTC().Truncate(time.Microsecond)
	id, err := tx.insert(ctx, `INSERT INTO maintenances (title, body, starts_at, ends_at, created_at) VALUES (?, ?, ?, ?, ?)`,
		m.Title, m.Body, m.StartsAt, m.EndsAt, tx.now)
	if err != nil {
		return fmt.Errorf("create maintenance: %w", err)
	}
	m.ID, m.CreatedAt, m.ComponentIDs = id, tx.now, nonNil(uniqueIDs(m.ComponentIDs))
	for i, cid := range m.ComponentIDs {
		if _, err := findComponent(ctx, tx, cid, fmt.Sprintf("component_ids[%d]", i)); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `INSERT INTO maintenance_components (maintenance_id, component_id) VALUES (?, ?)`, id, cid); err != nil {
			return fmt.Errorf("create maintenance: %w", err)
		}
	}
	if err := queueNotice(ctx, tx, &warroom.Notice{Kind: warroom.NoticeMaintenance, MaintenanceID: id}); err != nil {
		return err
	}
	if err := bumpStatusPage(ctx, tx); err != nil {
		return err
	}
	if err := writeAudit(ctx, tx, warroom.AuditMaintenanceCreate, "maintenance", id, m); err != nil {
		return err
	}
	return tx.commit()
}

// CancelMaintenance cancels a window.
func (db *DB) CancelMaintenance(ctx context.Context, id int64) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	if err := guard(ctx, tx, warroom.OpMaintenanceCancel); err != nil {
		return err
	}
	if err := cancelMaintenance(ctx, tx, id); err != nil {
		return err
	}
	return tx.commit()
}

// cancelMaintenance takes an announced maintenance off the status page.
func cancelMaintenance(ctx context.Context, tx *tx, id int64) error {
	ms, err := findMaintenances(ctx, tx, "m.id = ?", id)
	if err != nil {
		return err
	} else if len(ms) == 0 {
		return warroom.Errorf(warroom.ENOTFOUND, "Maintenance %d not found.", id)
	} else if ms[0].CancelledAt != nil {
		return warroom.Errorf(warroom.ECONFLICT, "Maintenance %d is already cancelled.", id)
	}
	if _, err := tx.exec(ctx, `UPDATE maintenances SET cancelled_at = ? WHERE id = ?`, tx.now, id); err != nil {
		return fmt.Errorf("cancel maintenance: %w", err)
	}
	if err := bumpStatusPage(ctx, tx); err != nil {
		return err
	}
	return writeAudit(ctx, tx, warroom.AuditMaintenanceCancel, "maintenance", id, nil)
}

// FindPublicIncidents returns a page of public incidents, newest first,
// with their components and updates.
func (db *DB) FindPublicIncidents(ctx context.Context, filter warroom.PublicIncidentFilter) ([]*warroom.PublicIncident, int, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer tx.rollback()
	where, args := []string{"1 = 1"}, []any{}
	if v := filter.ID; v != nil {
		where, args = append(where, "p.id = ?"), append(args, *v)
	}
	if v := filter.Active; v != nil && *v {
		where = append(where, "p.resolved_at IS NULL")
	} else if v != nil {
		where = append(where, "p.resolved_at IS NOT NULL")
	}
	if v := filter.ComponentID; v != nil {
		where, args = append(where, "p.id IN (SELECT public_incident_id FROM public_incident_components WHERE component_id = ?)"), append(args, *v)
	}
	offset, limit := pageLimits(filter.Offset, filter.Limit)
	cond := strings.Join(where, " AND ")
	rows, err := tx.query(ctx, `SELECT p.id, p.incident_id, p.title, p.status, p.impact, p.created_at, p.updated_at, p.resolved_at, COUNT(*) OVER()
		FROM public_incidents p WHERE `+cond+` ORDER BY p.created_at DESC, p.id DESC LIMIT ? OFFSET ?`, append(args, limit, offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("find public incidents: %w", err)
	}
	defer rows.Close()
	ps, byID, n := []*warroom.PublicIncident{}, map[int64]*warroom.PublicIncident{}, 0
	for rows.Next() {
		p := &warroom.PublicIncident{Components: []int64{}, Updates: []*warroom.PublicUpdate{}}
		if err := rows.Scan(&p.ID, &p.IncidentID, &p.Title, &p.Status, &p.Impact, scanTime(&p.CreatedAt), scanTime(&p.UpdatedAt), scanNullTime(&p.ResolvedAt), &n); err != nil {
			return nil, 0, fmt.Errorf("find public incidents: %w", err)
		}
		ps, byID[p.ID] = append(ps, p), p
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("find public incidents: %w", err)
	}
	rows.Close()
	if len(ps) == 0 {
		if offset > 0 {
			if n, err = count(ctx, tx, "SELECT COUNT(*) FROM public_incidents p WHERE "+cond, args...); err != nil {
				return nil, 0, err
			}
		}
		return ps, n, tx.commit()
	}
	if err := fillPublicIncidents(ctx, tx, byID); err != nil {
		return nil, 0, err
	}
	return ps, n, tx.commit()
}

func fillPublicIncidents(ctx context.Context, tx *tx, byID map[int64]*warroom.PublicIncident) error {
	ids := make([]any, 0, len(byID))
	for id := range byID {
		ids = append(ids, id)
	}
	links, err := componentLinks(ctx, tx, "public_incident_components", "public_incident_id", ids)
	if err != nil {
		return fmt.Errorf("fill public incidents: %w", err)
	}
	for pid, cs := range links {
		byID[pid].Components = append(byID[pid].Components, cs...)
	}
	urows, err := tx.query(ctx, `SELECT id, public_incident_id, status, what_happened, impact, actions, next_update_by, created_at
		FROM public_updates WHERE public_incident_id IN (`+placeholders(len(ids))+`) ORDER BY id DESC`, ids...)
	if err != nil {
		return fmt.Errorf("fill public incidents: %w", err)
	}
	defer urows.Close()
	for urows.Next() {
		u := &warroom.PublicUpdate{}
		if err := urows.Scan(&u.ID, &u.PublicIncidentID, &u.Status, &u.WhatHappened, &u.Impact, &u.Actions, scanNullTime(&u.NextUpdateBy), scanTime(&u.CreatedAt)); err != nil {
			return fmt.Errorf("fill public incidents: %w", err)
		}
		byID[u.PublicIncidentID].Updates = append(byID[u.PublicIncidentID].Updates, u)
	}
	return urows.Err()
}

// componentLinks reads, for each owner in ids, the components it is linked
// to through a link table, in component order. table and ownerCol are
// constants of this package, never input.
func componentLinks(ctx context.Context, tx *tx, table, ownerCol string, ids []any) (map[int64][]int64, error) {
	rows, err := tx.query(ctx, `SELECT `+ownerCol+`, component_id FROM `+table+` WHERE `+ownerCol+` IN (`+placeholders(len(ids))+`) ORDER BY component_id`, ids...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make(map[int64][]int64, len(ids))
	for rows.Next() {
		var owner, cid int64
		if err := rows.Scan(&owner, &cid); err != nil {
			return nil, err
		}
		out[owner] = append(out[owner], cid)
	}
	return out, rows.Err()
}
