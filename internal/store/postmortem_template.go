package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/warroomhq/warroom"
)

const settingPostmortemPolicy = "postmortem_policy"

const templateColumns = `id, name, is_default, summary, went_well, went_badly, got_lucky, lessons, whys, created_at, updated_at`

func scanPostmortemTemplate(s scanner) (*warroom.PostmortemTemplate, error) {
	var t warroom.PostmortemTemplate
	var whys string
	if err := s.Scan(&t.ID, &t.Name, &t.Default, &t.Summary, &t.WentWell, &t.WentBadly, &t.GotLucky, &t.Lessons, &whys,
		scanTime(&t.CreatedAt), scanTime(&t.UpdatedAt)); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(whys), &t.Whys); err != nil {
		return nil, fmt.Errorf("decode postmortem template %d: %w", t.ID, err)
	}
	if t.Whys == nil {
		t.Whys = []string{}
	}
	return &t, nil
}

// findTemplate returns the template named by id, or the default one.
func findTemplate(ctx context.Context, tx *tx, id *int64) (*warroom.PostmortemTemplate, error) {
	var row *sql.Row
	if id != nil {
		row = tx.queryRow(ctx, `SELECT `+templateColumns+` FROM postmortem_templates WHERE id = ?`, *id)
	} else {
		row = tx.queryRow(ctx, `SELECT `+templateColumns+` FROM postmortem_templates ORDER BY is_default DESC, id LIMIT 1`)
	}
	t, err := scanPostmortemTemplate(row)
	if errors.Is(err, sql.ErrNoRows) {
		if id == nil {
			// Every template was deleted: start from nothing.
			return &warroom.PostmortemTemplate{}, nil
		}
		return nil, &warroom.Error{Code: warroom.ENOTFOUND, Field: "template_id", Message: fmt.Sprintf("template_id: postmortem template %d not found", *id)}
	} else if err != nil {
		return nil, fmt.Errorf("find postmortem template: %w", err)
	}
	return t, nil
}

// FindPostmortemTemplates lists templates, the default first.
func (db *DB) FindPostmortemTemplates(ctx context.Context) ([]*warroom.PostmortemTemplate, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	rows, err := tx.query(ctx, `SELECT `+templateColumns+` FROM postmortem_templates ORDER BY is_default DESC, name, id`)
	if err != nil {
		return nil, fmt.Errorf("find postmortem templates: %w", err)
	}
	defer rows.Close()
	ts := []*warroom.PostmortemTemplate{}
	for rows.Next() {
		t, err := scanPostmortemTemplate(rows)
		if err != nil {
			return nil, fmt.Errorf("find postmortem templates: %w", err)
		}
		ts = append(ts, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find postmortem templates: %w", err)
	}
	return ts, tx.commit()
}

// FindPostmortemTemplateByID returns one template.
func (db *DB) FindPostmortemTemplateByID(ctx context.Context, id int64) (*warroom.PostmortemTemplate, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	t, err := findTemplate(ctx, tx, &id)
	if warroom.ErrorCode(err) == warroom.ENOTFOUND {
		return nil, warroom.Errorf(warroom.ENOTFOUND, "Postmortem template %d not found.", id)
	} else if err != nil {
		return nil, err
	}
	return t, tx.commit()
}

// CreatePostmortemTemplate adds a template.
func (db *DB) CreatePostmortemTemplate(ctx context.Context, t *warroom.PostmortemTemplate) error {
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
	if err := clearDefault(ctx, tx, t.Default); err != nil {
		return err
	}
	whys := templateWhys(t)
	t.CreatedAt, t.UpdatedAt = tx.now, tx.now
	if t.ID, err = tx.insert(ctx, `INSERT INTO postmortem_templates (name, is_default, summary, went_well, went_badly, got_lucky, lessons, whys, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, t.Name, t.Default, t.Summary, t.WentWell, t.WentBadly, t.GotLucky, t.Lessons, whys, tx.now, tx.now); err != nil {
		return fmt.Errorf("create postmortem template: %w", err)
	}
	if err := writeAudit(ctx, tx, warroom.AuditPostmortemTemplateCreate, "postmortem_template", t.ID, t); err != nil {
		return err
	}
	return tx.commit()
}

// ReplacePostmortemTemplate replaces a template's fields.
func (db *DB) ReplacePostmortemTemplate(ctx context.Context, id int64, t *warroom.PostmortemTemplate) error {
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
	old, err := findTemplate(ctx, tx, &id)
	if warroom.ErrorCode(err) == warroom.ENOTFOUND {
		return warroom.Errorf(warroom.ENOTFOUND, "Postmortem template %d not found.", id)
	} else if err != nil {
		return err
	}
	if old.Default && !t.Default {
		return warroom.FieldErrorf("default", "make another template the default instead")
	}
	if err := clearDefault(ctx, tx, t.Default); err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `UPDATE postmortem_templates SET name = ?, is_default = ?, summary = ?, went_well = ?, went_badly = ?, got_lucky = ?,
		lessons = ?, whys = ?, updated_at = ? WHERE id = ?`, t.Name, t.Default, t.Summary, t.WentWell, t.WentBadly, t.GotLucky, t.Lessons, templateWhys(t), tx.now, id); err != nil {
		return fmt.Errorf("replace postmortem template: %w", err)
	}
	if err := writeAudit(ctx, tx, warroom.AuditPostmortemTemplateUpdate, "postmortem_template", id, map[string]any{"from": old, "to": t}); err != nil {
		return err
	}
	t.ID, t.CreatedAt, t.UpdatedAt = id, old.CreatedAt, tx.now
	return tx.commit()
}

// DeletePostmortemTemplate removes a template other than the default.
// Guarded by OpPostmortemTemplateDelete.
func (db *DB) DeletePostmortemTemplate(ctx context.Context, id int64) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	if err := guard(ctx, tx, warroom.OpPostmortemTemplateDelete); err != nil {
		return err
	}
	if err := deletePostmortemTemplate(ctx, tx, id); err != nil {
		return err
	}
	return tx.commit()
}

func deletePostmortemTemplate(ctx context.Context, tx *tx, id int64) error {
	old, err := findTemplate(ctx, tx, &id)
	if warroom.ErrorCode(err) == warroom.ENOTFOUND {
		return warroom.Errorf(warroom.ENOTFOUND, "Postmortem template %d not found.", id)
	} else if err != nil {
		return err
	}
	if old.Default {
		return warroom.Errorf(warroom.ECONFLICT, "The default template cannot be deleted; make another one the default first.")
	}
	if _, err := tx.exec(ctx, `DELETE FROM postmortem_templates WHERE id = ?`, id); err != nil {
		return fmt.Errorf("delete postmortem template: %w", err)
	}
	return writeAudit(ctx, tx, warroom.AuditPostmortemTemplateDelete, "postmortem_template", id, old)
}

func clearDefault(ctx context.Context, tx *tx, becomingDefault bool) error {
	if !becomingDefault {
		return nil
	}
	if _, err := tx.exec(ctx, `UPDATE postmortem_templates SET is_default = ? WHERE is_default = ?`, false, true); err != nil {
		return fmt.Errorf("clear default template: %w", err)
	}
	return nil
}

func templateWhys(t *warroom.PostmortemTemplate) string {
	if t.Whys == nil {
		t.Whys = []string{}
	}
	b, _ := json.Marshal(t.Whys)
	return string(b)
}

func findPostmortemPolicy(ctx context.Context, tx *tx) (*warroom.PostmortemPolicy, error) {
	p := warroom.DefaultPostmortemPolicy()
	if _, err := getSetting(ctx, tx, settingPostmortemPolicy, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// FindPostmortemPolicy returns the policy in force.
func (db *DB) FindPostmortemPolicy(ctx context.Context) (*warroom.PostmortemPolicy, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	p, err := findPostmortemPolicy(ctx, tx)
	if err != nil {
		return nil, err
	}
	return p, tx.commit()
}

// UpdatePostmortemPolicy replaces the policy.
func (db *DB) UpdatePostmortemPolicy(ctx context.Context, p *warroom.PostmortemPolicy) error {
	if p == nil {
		return warroom.Errorf(warroom.EINVALID, "A policy is required.")
	}
	if p.RequiredSeverities == nil {
		p.RequiredSeverities = []warroom.Severity{}
	}
	if err := p.Validate(); err != nil {
		return err
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	old, err := findPostmortemPolicy(ctx, tx)
	if err != nil {
		return err
	}
	if p.CalendarID != 0 {
		if _, err := calendarRef(ctx, tx, p.CalendarID, "calendar_id"); err != nil {
			return err
		}
	}
	if err := putSetting(ctx, tx, settingPostmortemPolicy, p); err != nil {
		return err
	}
	if err := writeAuditTarget(ctx, tx, warroom.AuditPostmortemPolicyUpdate, "setting", settingPostmortemPolicy, change{From: old, To: p}); err != nil {
		return err
	}
	return tx.commit()
}
