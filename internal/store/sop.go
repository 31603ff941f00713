package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/warroomhq/warroom"
)

var _ warroom.SOPService = (*DB)(nil)

const sopColumns = `id, name, severities, types, tasks, created_at, updated_at`

func scanSOPTemplate(s scanner) (*warroom.SOPTemplate, error) {
	var t warroom.SOPTemplate
	var sevs, types, tasks string
	if err := s.Scan(&t.ID, &t.Name, &sevs, &types, &tasks, scanTime(&t.CreatedAt), scanTime(&t.UpdatedAt)); err != nil {
		return nil, err
	}
	if err := errors.Join(json.Unmarshal([]byte(sevs), &t.Severities), json.Unmarshal([]byte(types), &t.Types), json.Unmarshal([]byte(tasks), &t.Tasks)); err != nil {
		return nil, fmt.Errorf("decode sop template %d: %w", t.ID, err)
	}
	return &t, nil
}

// sopJSON encodes the list columns; empty lists are stored as [] so that
// they read back as "any".
func sopJSON(t *warroom.SOPTemplate) (sevs, types, tasks string) {
	enc := func(v any) string {
		b, _ := json.Marshal(v)
		return string(b)
	}
	if t.Severities == nil {
		t.Severities = []warroom.Severity{}
	}
	if t.Types == nil {
		t.Types = []warroom.IncidentType{}
	}
	return enc(t.Severities), enc(t.Types), enc(t.Tasks)
}

// findSOPTemplates returns every template by name, read once per
// transaction; callers must not change them.
func findSOPTemplates(ctx context.Context, tx *tx) ([]*warroom.SOPTemplate, error) {
	if ts := tx.settings.sopTemplates; ts != nil {
		return ts, nil
	}
	rows, err := tx.query(ctx, `SELECT `+sopColumns+` FROM sop_templates ORDER BY name, id`)
	if err != nil {
		return nil, fmt.Errorf("find sop templates: %w", err)
	}
	defer rows.Close()
	ts := []*warroom.SOPTemplate{}
	for rows.Next() {
		t, err := scanSOPTemplate(rows)
		if err != nil {
			return nil, fmt.Errorf("find sop templates: %w", err)
		}
		ts = append(ts, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find sop templates: %w", err)
	}
	tx.settings.sopTemplates = ts
	return ts, nil
}

func findSOPTemplate(ctx context.Context, tx *tx, id int64) (*warroom.SOPTemplate, error) {
	t, err := scanSOPTemplate(tx.queryRow(ctx, `SELECT `+sopColumns+` FROM sop_templates WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, warroom.Errorf(warroom.ENOTFOUND, "SOP template %d not found.", id)
	} else if err != nil {
		return nil, fmt.Errorf("find sop template: %w", err)
	}
	return t, nil
}

// FindSOPTemplates lists all templates by name.
func (db *DB) FindSOPTemplates(ctx context.Context) ([]*warroom.SOPTemplate, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	ts, err := findSOPTemplates(ctx, tx)
	if err != nil {
		return nil, err
	}
	return ts, tx.commit()
}

// FindSOPTemplateByID returns one template.
func (db *DB) FindSOPTemplateByID(ctx context.Context, id int64) (*warroom.SOPTemplate, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	t, err := findSOPTemplate(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	return t, tx.commit()
}

// CreateSOPTemplate adds a template.
func (db *DB) CreateSOPTemplate(ctx context.Context, t *warroom.SOPTemplate) error {
	if t == nil {
		return warroom.Errorf(warroom.EINVALID, "A template is required.")
	}
	if err := t.Validate(); err != nil {
		return err
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	sevs, types, tasks := sopJSON(t)
	id, err := tx.insert(ctx, `INSERT INTO sop_templates (name, severities, types, tasks, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
		t.Name, sevs, types, tasks, tx.now, tx.now)
	if err != nil {
		return fmt.Errorf("create sop template: %w", err)
	}
	t.ID, t.CreatedAt, t.UpdatedAt = id, tx.now, tx.now
	if err := writeAudit(ctx, tx, warroom.AuditSOPCreate, "sop_template", id, t); err != nil {
		return err
	}
	return tx.commit()
}

// ReplaceSOPTemplate replaces a template's fields; tasks already on
// incidents are not touched.
func (db *DB) ReplaceSOPTemplate(ctx context.Context, id int64, t *warroom.SOPTemplate) error {
	if t == nil {
		return warroom.Errorf(warroom.EINVALID, "A template is required.")
	}
	if err := t.Validate(); err != nil {
		return err
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	before, err := findSOPTemplate(ctx, tx, id)
	if err != nil {
		return err
	}
	sevs, types, tasks := sopJSON(t)
	if _, err := tx.exec(ctx, `UPDATE sop_templates SET name = ?, severities = ?, types = ?, tasks = ?, updated_at = ? WHERE id = ?`,
		t.Name, sevs, types, tasks, tx.now, id); err != nil {
		return fmt.Errorf("replace sop template: %w", err)
	}
	t.ID, t.CreatedAt, t.UpdatedAt = id, before.CreatedAt, tx.now
	if err := writeAudit(ctx, tx, warroom.AuditSOPReplace, "sop_template", id, change{From: before, To: t}); err != nil {
		return err
	}
	return tx.commit()
}

// DeleteSOPTemplate removes a template. Tasks it created stay on their
// incidents and keep its ID. Guarded by OpSOPTemplateDelete.
func (db *DB) DeleteSOPTemplate(ctx context.Context, id int64) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	if err := guard(ctx, tx, warroom.OpSOPTemplateDelete); err != nil {
		return err
	}
	if err := deleteSOPTemplate(ctx, tx, id); err != nil {
		return err
	}
	return tx.commit()
}

func deleteSOPTemplate(ctx context.Context, tx *tx, id int64) error {
	before, err := findSOPTemplate(ctx, tx, id)
	if err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `DELETE FROM sop_templates WHERE id = ?`, id); err != nil {
		return fmt.Errorf("delete sop template: %w", err)
	}
	return writeAudit(ctx, tx, warroom.AuditSOPDelete, "sop_template", id, change{From: before, To: nil})
}

// appliedTemplates returns the templates already instantiated on an
// incident, so that a severity change adds only the new ones.
func appliedTemplates(ctx context.Context, tx *tx, incidentID int64) (map[int64]bool, error) {
	rows, err := tx.query(ctx, `SELECT DISTINCT template_id FROM tasks WHERE incident_id = ? AND template_id IS NOT NULL`, incidentID)
	if err != nil {
		return nil, fmt.Errorf("applied templates: %w", err)
	}
	defer rows.Close()
	applied := map[int64]bool{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("applied templates: %w", err)
		}
		applied[id] = true
	}
	return applied, rows.Err()
}

// instantiateSOPs adds the tasks of every template that applies to the
// incident's severity and type and is not in skip, with one timeline event
// per template.
func instantiateSOPs(ctx context.Context, tx *tx, inc *warroom.Incident, skip map[int64]bool) error {
	ts, err := findSOPTemplates(ctx, tx)
	if err != nil {
		return err
	}
	pos, err := nextTaskPosition(ctx, tx, inc.ID)
	if err != nil {
		return err
	}
	_, evs, err := addSOPTasks(ctx, tx, inc, ts, skip, pos)
	if err != nil {
		return err
	}
	return addEvents(ctx, tx, inc.ID, evs)
}

// addSOPTasks adds the tasks of the templates in ts that apply and are not
// in skip, numbered from pos, and returns them as stored with the timeline
// event of each template, for the caller to add with its own.
func addSOPTasks(ctx context.Context, tx *tx, inc *warroom.Incident, ts []*warroom.SOPTemplate, skip map[int64]bool, pos int) ([]*warroom.Task, []newEvent, error) {
	var tasks []*warroom.Task
	var applied []*warroom.SOPTemplate
	for _, t := range ts {
		if skip[t.ID] || !t.Applies(inc.Severity, inc.Type) {
			continue
		}
		applied = append(applied, t)
		for _, title := range t.Tasks {
			id := t.ID
			tasks = append(tasks, &warroom.Task{IncidentID: inc.ID, Title: title, TemplateID: &id, Position: pos, CreatedAt: tx.now})
			pos++
		}
	}
	if err := insertTasks(ctx, tx, tasks); err != nil {
		return nil, nil, err
	}
	evs := make([]newEvent, 0, len(applied))
	for _, t := range applied {
		evs = append(evs, newEvent{warroom.EventTaskAdded, fmt.Sprintf("SOP %q: %d tasks added", t.Name, len(t.Tasks)), map[string]any{
			"template_id": t.ID, "template": t.Name, "tasks": t.Tasks,
		}})
	}
	return tasks, evs, nil
}

// maxTaskRows is how many tasks one INSERT adds: a template holds at most
// 100, so a declaration under one template is one statement, and the
// statements of all sizes stay few enough to keep prepared.
const maxTaskRows = 100

// insertTasks inserts template tasks, up to maxTaskRows a statement, and
// sets their IDs.
func insertTasks(ctx context.Context, tx *tx, tasks []*warroom.Task) error {
	for len(tasks) > 0 {
		n := min(len(tasks), maxTaskRows)
		chunk := tasks[:n]
		tasks = tasks[n:]
		args := make([]any, 0, 5*n)
		byPos := make(map[int]*warroom.Task, n)
		for _, t := range chunk {
			args = append(args, t.IncidentID, t.Title, *t.TemplateID, t.Position, t.CreatedAt)
			byPos[t.Position] = t
		}
		rows, err := tx.query(ctx, `INSERT INTO tasks (incident_id, title, template_id, position, created_at) VALUES `+rowPlaceholders(n, 5)+
			` RETURNING id, position`, args...)
		if err != nil {
			return fmt.Errorf("instantiate sop: %w", err)
		}
		// RETURNING gives rows in no defined order; the position names
		// which task each ID is.
		for rows.Next() {
			var id int64
			var pos int
			if err := rows.Scan(&id, &pos); err != nil {
				rows.Close()
				return fmt.Errorf("instantiate sop: %w", err)
			}
			if t := byPos[pos]; t != nil {
				t.ID = id
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("instantiate sop: %w", err)
		}
	}
	return nil
}

// rowPlaceholders returns "(?, ?), (?, ?)" for n rows of cols values.
func rowPlaceholders(n, cols int) string {
	row := "(" + placeholders(cols) + ")"
	var b strings.Builder
	b.Grow(n * (len(row) + 2))
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(row)
	}
	return b.String()
}

func nextTaskPosition(ctx context.Context, tx *tx, incidentID int64) (int, error) {
	var pos int
	if err := tx.queryRow(ctx, `SELECT COALESCE(MAX(position), 0) + 1 FROM tasks WHERE incident_id = ?`, incidentID).Scan(&pos); err != nil {
		return 0, fmt.Errorf("next task position: %w", err)
	}
	return pos, nil
}

const taskColumns = `id, incident_id, title, template_id, position, assignee_id, done, done_at, done_by, created_at`

func scanTask(s scanner) (*warroom.Task, error) {
	var t warroom.Task
	if err := s.Scan(&t.ID, &t.IncidentID, &t.Title, scanIDPtr(&t.TemplateID), &t.Position, scanIDPtr(&t.AssigneeID),
		&t.Done, scanNullTime(&t.DoneAt), scanIDPtr(&t.DoneBy), scanTime(&t.CreatedAt)); err != nil {
		return nil, err
	}
	return &t, nil
}

func findTasks(ctx context.Context, tx *tx, incidentID int64) ([]*warroom.Task, error) {
	rows, err := tx.query(ctx, `SELECT `+taskColumns+` FROM tasks WHERE incident_id = ? ORDER BY position, id`, incidentID)
	if err != nil {
		return nil, fmt.Errorf("find tasks: %w", err)
	}
	defer rows.Close()
	tasks := []*warroom.Task{}
	for rows.Next() {
		t, err := scanTask(rows)
		if err != nil {
			return nil, fmt.Errorf("find tasks: %w", err)
		}
		tasks = append(tasks, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find tasks: %w", err)
	}
	return tasks, nil
}

// FindTasks lists an incident's tasks by position.
func (db *DB) FindTasks(ctx context.Context, incidentID int64) ([]*warroom.Task, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	if err := incidentExists(ctx, tx, incidentID); err != nil {
		return nil, err
	}
	tasks, err := findTasks(ctx, tx, incidentID)
	if err != nil {
		return nil, err
	}
	return tasks, tx.commit()
}

// AddTask appends an ad-hoc task to an incident.
func (db *DB) AddTask(ctx context.Context, incidentID int64, t *warroom.Task) error {
	if t == nil {
		return warroom.Errorf(warroom.EINVALID, "A task is required.")
	}
	if err := warroom.ValidateTaskTitle(t.Title); err != nil {
		return err
	}
	if t.AssigneeID != nil && *t.AssigneeID == 0 {
		t.AssigneeID = nil
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	if _, err := openIncidentForChange(ctx, tx, incidentID); err != nil {
		return err
	}
	if t.AssigneeID != nil {
		if err := activeUserExists(ctx, tx, *t.AssigneeID, "assignee_id"); err != nil {
			return err
		}
	}
	pos, err := nextTaskPosition(ctx, tx, incidentID)
	if err != nil {
		return err
	}
	id, err := tx.insert(ctx, `INSERT INTO tasks (incident_id, title, position, assignee_id, created_at) VALUES (?, ?, ?, ?, ?)`,
		incidentID, t.Title, pos, nullIDPtr(t.AssigneeID), tx.now)
	if err != nil {
		return fmt.Errorf("add task: %w", err)
	}
	*t = warroom.Task{ID: id, IncidentID: incidentID, Title: t.Title, Position: pos, AssigneeID: t.AssigneeID, CreatedAt: tx.now}
	data := map[string]any{"task_id": id, "title": t.Title, "assignee_id": t.AssigneeID}
	if _, err := addEvent(ctx, tx, incidentID, warroom.EventTaskAdded, t.Title, "", data); err != nil {
		return err
	}
	if err := touchIncident(ctx, tx, incidentID); err != nil {
		return err
	}
	if err := writeAudit(ctx, tx, warroom.AuditTaskAdd, "incident", incidentID, data); err != nil {
		return err
	}
	return tx.commit()
}

// UpdateTask renames, (un)assigns or checks off a task.
func (db *DB) UpdateTask(ctx context.Context, incidentID, taskID int64, upd warroom.TaskUpdate) (*warroom.Task, error) {
	if upd.Title != nil {
		if err := warroom.ValidateTaskTitle(*upd.Title); err != nil {
			return nil, err
		}
	}
	if upd.AssigneeID != nil && *upd.AssigneeID < 0 {
		return nil, warroom.FieldErrorf("assignee_id", "%d is not a user ID", *upd.AssigneeID)
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	t, err := updateTask(ctx, tx, incidentID, taskID, upd)
	if err != nil {
		return nil, err
	}
	return t, tx.commit()
}

func updateTask(ctx context.Context, tx *tx, incidentID, taskID int64, upd warroom.TaskUpdate) (*warroom.Task, error) {
	if _, err := openIncidentForChange(ctx, tx, incidentID); err != nil {
		return nil, err
	}
	t, err := scanTask(tx.queryRow(ctx, `SELECT `+taskColumns+` FROM tasks WHERE id = ? AND incident_id = ?`, taskID, incidentID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, warroom.Errorf(warroom.ENOTFOUND, "Task %d not found on %s.", taskID, warroom.FormatNumber(incidentID))
	} else if err != nil {
		return nil, fmt.Errorf("update task: %w", err)
	}
	c := changes{}
	if upd.Title != nil && *upd.Title != t.Title {
		c.add("title", t.Title, *upd.Title)
		t.Title = *upd.Title
	}
	if upd.AssigneeID != nil {
		var to *int64
		if *upd.AssigneeID != 0 {
			if err := activeUserExists(ctx, tx, *upd.AssigneeID, "assignee_id"); err != nil {
				return nil, err
			}
			to = upd.AssigneeID
		}
		c.add("assignee_id", t.AssigneeID, to)
		t.AssigneeID = to
	}
	kind := warroom.EventTaskUpdated
	if upd.Done != nil && *upd.Done != t.Done {
		c.add("done", t.Done, *upd.Done)
		t.Done = *upd.Done
		if t.Done {
			now, by := tx.now, warroom.UserIDFromContext(ctx)
			t.DoneAt, t.DoneBy = &now, &by
			if by == 0 {
				t.DoneBy = nil
			}
			kind = warroom.EventTaskCompleted
		} else {
			t.DoneAt, t.DoneBy = nil, nil
			kind = warroom.EventTaskReopened
		}
	}
	if len(c) == 0 {
		return t, nil
	}
	if _, err := tx.exec(ctx, `UPDATE tasks SET title = ?, assignee_id = ?, done = ?, done_at = ?, done_by = ? WHERE id = ?`,
		t.Title, nullIDPtr(t.AssigneeID), t.Done, t.DoneAt, nullIDPtr(t.DoneBy), t.ID); err != nil {
		return nil, fmt.Errorf("update task: %w", err)
	}
	data := map[string]any{"task_id": t.ID, "changes": c}
	if _, err := addEvent(ctx, tx, incidentID, kind, t.Title, "", data); err != nil {
		return nil, err
	}
	if err := touchIncident(ctx, tx, incidentID); err != nil {
		return nil, err
	}
	if err := writeAudit(ctx, tx, warroom.AuditTaskUpdate, "incident", incidentID, data); err != nil {
		return nil, err
	}
	return t, nil
}
