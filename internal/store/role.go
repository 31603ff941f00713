package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/warroomhq/warroom"
)

var _ warroom.RoleService = (*DB)(nil)

// FindIncidentRoles lists the role catalog, built-in roles first.
func (db *DB) FindIncidentRoles(ctx context.Context) ([]*warroom.IncidentRole, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	rows, err := tx.query(ctx, `SELECT name, description, builtin, created_at FROM incident_roles ORDER BY builtin DESC, name`)
	if err != nil {
		return nil, fmt.Errorf("find incident roles: %w", err)
	}
	defer rows.Close()
	roles := []*warroom.IncidentRole{}
	for rows.Next() {
		var r warroom.IncidentRole
		if err := rows.Scan(&r.Name, &r.Description, &r.Builtin, scanTime(&r.CreatedAt)); err != nil {
			return nil, fmt.Errorf("find incident roles: %w", err)
		}
		roles = append(roles, &r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find incident roles: %w", err)
	}
	return roles, tx.commit()
}

// CreateIncidentRole adds a team-defined role.
func (db *DB) CreateIncidentRole(ctx context.Context, r *warroom.IncidentRole) error {
	if r == nil {
		return warroom.Errorf(warroom.EINVALID, "A role is required.")
	}
	if err := r.Validate(); err != nil {
		return err
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	_, err = tx.exec(ctx, `INSERT INTO incident_roles (name, description, builtin, created_at) VALUES (?, ?, ?, ?)`, r.Name, r.Description, false, tx.now)
	if isUnique(err) {
		return &warroom.Error{Code: warroom.ECONFLICT, Field: "name", Message: fmt.Sprintf("name: the role %q already exists", r.Name)}
	} else if err != nil {
		return fmt.Errorf("create incident role: %w", err)
	}
	r.Builtin, r.CreatedAt = false, tx.now
	if err := writeAuditTarget(ctx, tx, warroom.AuditIncidentRoleCreate, "incident_role", r.Name, r); err != nil {
		return err
	}
	return tx.commit()
}

// DeleteIncidentRole removes a team-defined role; past assignments keep its
// name.
func (db *DB) DeleteIncidentRole(ctx context.Context, name string) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	var r warroom.IncidentRole
	err = tx.queryRow(ctx, `SELECT name, description, builtin, created_at FROM incident_roles WHERE name = ?`, name).
		Scan(&r.Name, &r.Description, &r.Builtin, scanTime(&r.CreatedAt))
	if errors.Is(err, sql.ErrNoRows) {
		return warroom.Errorf(warroom.ENOTFOUND, "Role %q not found.", name)
	} else if err != nil {
		return fmt.Errorf("delete incident role: %w", err)
	}
	if r.Builtin {
		return warroom.Errorf(warroom.ECONFLICT, "The built-in role %q cannot be removed.", name)
	}
	if _, err := tx.exec(ctx, `DELETE FROM incident_roles WHERE name = ?`, name); err != nil {
		return fmt.Errorf("delete incident role: %w", err)
	}
	if err := writeAuditTarget(ctx, tx, warroom.AuditIncidentRoleDelete, "incident_role", name, change{From: r, To: nil}); err != nil {
		return err
	}
	return tx.commit()
}

const assignmentColumns = `a.id, a.incident_id, a.role, a.user_id, COALESCE(u.name, ''), a.assigned_by, a.assigned_at, a.ended_at`

func scanAssignment(s scanner) (*warroom.RoleAssignment, error) {
	var a warroom.RoleAssignment
	if err := s.Scan(&a.ID, &a.IncidentID, &a.Role, &a.UserID, &a.UserName, scanID(&a.AssignedBy), scanTime(&a.AssignedAt), scanNullTime(&a.EndedAt)); err != nil {
		return nil, err
	}
	return &a, nil
}

func findRoleAssignments(ctx context.Context, tx *tx, incidentID int64, history bool) ([]*warroom.RoleAssignment, error) {
	q := `SELECT ` + assignmentColumns + ` FROM role_assignments a LEFT JOIN users u ON u.id = a.user_id WHERE a.incident_id = ?`
	if !history {
		q += ` AND a.ended_at IS NULL`
	}
	rows, err := tx.query(ctx, q+` ORDER BY a.assigned_at, a.id`, incidentID)
	if err != nil {
		return nil, fmt.Errorf("find role assignments: %w", err)
	}
	defer rows.Close()
	as := []*warroom.RoleAssignment{}
	for rows.Next() {
		a, err := scanAssignment(rows)
		if err != nil {
			return nil, fmt.Errorf("find role assignments: %w", err)
		}
		as = append(as, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find role assignments: %w", err)
	}
	return as, nil
}

// FindRoleAssignments lists an incident's assignments, oldest first.
func (db *DB) FindRoleAssignments(ctx context.Context, incidentID int64, history bool) ([]*warroom.RoleAssignment, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	if err := incidentExists(ctx, tx, incidentID); err != nil {
		return nil, err
	}
	as, err := findRoleAssignments(ctx, tx, incidentID, history)
	if err != nil {
		return nil, err
	}
	return as, tx.commit()
}

// AssignRole gives role to a user on an incident; a single-holder role ends
// the previous holder's assignment. Assigning a role to its current holder
// changes nothing and returns the current assignment.
func (db *DB) AssignRole(ctx context.Context, incidentID int64, role string, userID int64) (*warroom.RoleAssignment, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	a, err := assignRole(ctx, tx, incidentID, role, userID)
	if err != nil {
		return nil, err
	}
	return a, tx.commit()
}

func assignRole(ctx context.Context, tx *tx, incidentID int64, role string, userID int64) (*warroom.RoleAssignment, error) {
	inc, err := openIncidentForChange(ctx, tx, incidentID)
	if err != nil {
		return nil, err
	}
	var n int
	err = tx.queryRow(ctx, `SELECT 1 FROM incident_roles WHERE name = ?`, role).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, &warroom.Error{Code: warroom.ENOTFOUND, Field: "role", Message: fmt.Sprintf("role: no role named %q", role)}
	} else if err != nil {
		return nil, fmt.Errorf("assign role: %w", err)
	}
	if err := activeUserExists(ctx, tx, userID, "user_id"); err != nil {
		return nil, err
	}
	current, err := findRoleAssignments(ctx, tx, incidentID, false)
	if err != nil {
		return nil, err
	}
	var ended []int64
	for _, a := range current {
		if a.Role != role {
			continue
		}
		if a.UserID == userID {
			return a, nil
		}
		if warroom.SingleHolderRole(role) {
			if err := endAssignment(ctx, tx, a); err != nil {
				return nil, err
			}
			ended = append(ended, a.ID)
		}
	}
	if inc.Drill {
		// Whoever is given a role in a drill takes part in it.
		if err := addDrillParticipants(ctx, tx, incidentID, userID); err != nil {
			return nil, err
		}
	}
	by := warroom.UserIDFromContext(ctx)
	id, err := tx.insert(ctx, `INSERT INTO role_assignments (incident_id, role, user_id, assigned_by, assigned_at) VALUES (?, ?, ?, ?, ?)`,
		incidentID, role, userID, nullID(by), tx.now)
	if isUnique(err) {
		return nil, warroom.Errorf(warroom.ECONFLICT, "The role %q was assigned at the same time by someone else; try again.", role)
	} else if err != nil {
		return nil, fmt.Errorf("assign role: %w", err)
	}
	a, err := scanAssignment(tx.queryRow(ctx, `SELECT `+assignmentColumns+` FROM role_assignments a LEFT JOIN users u ON u.id = a.user_id WHERE a.id = ?`, id))
	if err != nil {
		return nil, fmt.Errorf("assign role: %w", err)
	}
	data := map[string]any{"assignment_id": id, "role": role, "user_id": userID, "ended_assignment_ids": ended}
	if _, err := addEvent(ctx, tx, incidentID, warroom.EventRoleAssigned, fmt.Sprintf("%s: %s", role, a.UserName), "", data); err != nil {
		return nil, err
	}
	if err := touchIncident(ctx, tx, incidentID); err != nil {
		return nil, err
	}
	if err := writeAudit(ctx, tx, warroom.AuditRoleAssign, "incident", incidentID, data); err != nil {
		return nil, err
	}
	if role == warroom.RoleCommander {
		if err := completeCommanderTasks(ctx, tx, incidentID); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// completeCommanderTasks ticks off the open "Assign an incident commander"
// tasks once a commander is named: the checklist then says what is true
// without someone remembering to tick it during the incident. The tick is
// an ordinary task update, so its timeline event and audit row name whoever
// assigned the commander.
func completeCommanderTasks(ctx context.Context, tx *tx, incidentID int64) error {
	rows, err := tx.query(ctx, `SELECT id, title FROM tasks WHERE incident_id = ? AND done = ? ORDER BY position`, incidentID, false)
	if err != nil {
		return fmt.Errorf("complete commander task: %w", err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		var title string
		if err := rows.Scan(&id, &title); err != nil {
			rows.Close()
			return fmt.Errorf("complete commander task: %w", err)
		}
		if warroom.IsCommanderTask(title) {
			ids = append(ids, id)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("complete commander task: %w", err)
	}
	done := true
	for _, id := range ids {
		if _, err := updateTask(ctx, tx, incidentID, id, warroom.TaskUpdate{Done: &done}); err != nil {
			return err
		}
	}
	return nil
}

// endAssignment ends an assignment and puts that on the timeline.
func endAssignment(ctx context.Context, tx *tx, a *warroom.RoleAssignment) error {
	if _, err := tx.exec(ctx, `UPDATE role_assignments SET ended_at = ? WHERE id = ?`, tx.now, a.ID); err != nil {
		return fmt.Errorf("end assignment: %w", err)
	}
	now := tx.now
	a.EndedAt = &now
	_, err := addEvent(ctx, tx, a.IncidentID, warroom.EventRoleEnded, fmt.Sprintf("%s: %s", a.Role, a.UserName), "", map[string]any{
		"assignment_id": a.ID, "role": a.Role, "user_id": a.UserID,
	})
	return err
}

// EndRoleAssignment ends an assignment.
func (db *DB) EndRoleAssignment(ctx context.Context, incidentID, assignmentID int64) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	if _, err := loadIncident(ctx, tx, incidentID, true); err != nil {
		return err
	}
	a, err := scanAssignment(tx.queryRow(ctx, `SELECT `+assignmentColumns+` FROM role_assignments a LEFT JOIN users u ON u.id = a.user_id
		WHERE a.id = ? AND a.incident_id = ?`, assignmentID, incidentID))
	if errors.Is(err, sql.ErrNoRows) {
		return warroom.Errorf(warroom.ENOTFOUND, "Role assignment %d not found on %s.", assignmentID, warroom.FormatNumber(incidentID))
	} else if err != nil {
		return fmt.Errorf("end role assignment: %w", err)
	}
	if a.EndedAt != nil {
		return warroom.Errorf(warroom.ECONFLICT, "Role assignment %d has already ended.", assignmentID)
	}
	if err := endAssignment(ctx, tx, a); err != nil {
		return err
	}
	if err := touchIncident(ctx, tx, incidentID); err != nil {
		return err
	}
	if err := writeAudit(ctx, tx, warroom.AuditRoleEnd, "incident", incidentID, map[string]any{
		"assignment_id": a.ID, "role": a.Role, "user_id": a.UserID,
	}); err != nil {
		return err
	}
	return tx.commit()
}
