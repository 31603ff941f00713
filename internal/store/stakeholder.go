package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/warroomhq/warroom"
)

var _ warroom.StakeholderService = (*DB)(nil)

// FindStakeholderGroups lists every group by name.
func (db *DB) FindStakeholderGroups(ctx context.Context) ([]*warroom.StakeholderGroup, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	gs, err := findStakeholderGroups(ctx, tx, "1 = 1")
	if err != nil {
		return nil, err
	}
	return gs, tx.commit()
}

// FindStakeholderGroupByID returns one group.
func (db *DB) FindStakeholderGroupByID(ctx context.Context, id int64) (*warroom.StakeholderGroup, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	g, err := findStakeholderGroup(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	return g, tx.commit()
}

func findStakeholderGroup(ctx context.Context, tx *tx, id int64) (*warroom.StakeholderGroup, error) {
	gs, err := findStakeholderGroups(ctx, tx, "g.id = ?", id)
	if err != nil {
		return nil, err
	} else if len(gs) == 0 {
		return nil, warroom.Errorf(warroom.ENOTFOUND, "Stakeholder group %d not found.", id)
	}
	return gs[0], nil
}

func findStakeholderGroups(ctx context.Context, tx *tx, where string, args ...any) ([]*warroom.StakeholderGroup, error) {
	rows, err := tx.query(ctx, `SELECT g.id, g.name, g.description, g.channels, g.created_at, g.updated_at
		FROM stakeholder_groups g WHERE `+where+` ORDER BY g.name`, args...)
	if err != nil {
		return nil, fmt.Errorf("find stakeholder groups: %w", err)
	}
	defer rows.Close()
	gs, byID := []*warroom.StakeholderGroup{}, map[int64]*warroom.StakeholderGroup{}
	for rows.Next() {
		g := &warroom.StakeholderGroup{MemberIDs: []int64{}}
		var channels string
		if err := rows.Scan(&g.ID, &g.Name, &g.Description, &channels, scanTime(&g.CreatedAt), scanTime(&g.UpdatedAt)); err != nil {
			return nil, fmt.Errorf("find stakeholder groups: %w", err)
		}
		if err := json.Unmarshal([]byte(channels), &g.Channels); err != nil {
			return nil, fmt.Errorf("find stakeholder groups: channels: %w", err)
		}
		gs, byID[g.ID] = append(gs, g), g
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find stakeholder groups: %w", err)
	}
	rows.Close()
	if len(gs) == 0 {
		return gs, nil
	}
	mrows, err := tx.query(ctx, `SELECT group_id, user_id FROM stakeholder_members ORDER BY user_id`)
	if err != nil {
		return nil, fmt.Errorf("find stakeholder members: %w", err)
	}
	defer mrows.Close()
	for mrows.Next() {
		var gid, uid int64
		if err := mrows.Scan(&gid, &uid); err != nil {
			return nil, fmt.Errorf("find stakeholder members: %w", err)
		}
		if g := byID[gid]; g != nil {
			g.MemberIDs = append(g.MemberIDs, uid)
		}
	}
	return gs, mrows.Err()
}

func groupNameTaken(name string) error {
	return &warroom.Error{Code: warroom.ECONFLICT, Field: "name", Message: fmt.Sprintf("name: a stakeholder group named %q already exists", name)}
}

// CreateStakeholderGroup adds a group.
func (db *DB) CreateStakeholderGroup(ctx context.Context, g *warroom.StakeholderGroup) error {
	if g == nil {
		return warroom.Errorf(warroom.EINVALID, "A stakeholder group is required.")
	} else if err := g.Validate(); err != nil {
		return err
	} else if err := db.checkChannels(ctx, g.Channels); err != nil {
		return err
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	channels, _ := json.Marshal(nonNil(g.Channels))
	id, err := tx.insert(ctx, `INSERT INTO stakeholder_groups (name, description, channels, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`,
		g.Name, g.Description, string(channels), tx.now, tx.now)
	if isUnique(err) {
		return groupNameTaken(g.Name)
	} else if err != nil {
		return fmt.Errorf("create stakeholder group: %w", err)
	}
	g.ID, g.CreatedAt, g.UpdatedAt = id, tx.now, tx.now
	if g.MemberIDs, err = setGroupMembers(ctx, tx, id, g.MemberIDs); err != nil {
		return err
	}
	if err := writeAudit(ctx, tx, warroom.AuditStakeholderGroupCreate, "stakeholder_group", id, g); err != nil {
		return err
	}
	return tx.commit()
}

// setGroupMembers replaces a group's members after checking each user.
func setGroupMembers(ctx context.Context, tx *tx, groupID int64, ids []int64) ([]int64, error) {
	ids = uniqueIDs(ids)
	if _, err := tx.exec(ctx, `DELETE FROM stakeholder_members WHERE group_id = ?`, groupID); err != nil {
		return nil, fmt.Errorf("set members: %w", err)
	}
	for i, uid := range ids {
		if err := activeUserExists(ctx, tx, uid, fmt.Sprintf("member_ids[%d]", i)); err != nil {
			return nil, err
		}
		if _, err := tx.exec(ctx, `INSERT INTO stakeholder_members (group_id, user_id) VALUES (?, ?)`, groupID, uid); err != nil {
			return nil, fmt.Errorf("set members: %w", err)
		}
	}
	return ids, nil
}

// ReplaceStakeholderGroup replaces a group's fields, members and channels.
func (db *DB) ReplaceStakeholderGroup(ctx context.Context, id int64, g *warroom.StakeholderGroup) error {
	if g == nil {
		return warroom.Errorf(warroom.EINVALID, "A stakeholder group is required.")
	} else if err := g.Validate(); err != nil {
		return err
	} else if err := db.checkChannels(ctx, g.Channels); err != nil {
		return err
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	before, err := findStakeholderGroup(ctx, tx, id)
	if err != nil {
		return err
	}
	channels, _ := json.Marshal(nonNil(g.Channels))
	_, err = tx.exec(ctx, `UPDATE stakeholder_groups SET name = ?, description = ?, channels = ?, updated_at = ? WHERE id = ?`,
		g.Name, g.Description, string(channels), tx.now, id)
	if isUnique(err) {
		return groupNameTaken(g.Name)
	} else if err != nil {
		return fmt.Errorf("replace stakeholder group: %w", err)
	}
	if g.MemberIDs, err = setGroupMembers(ctx, tx, id, g.MemberIDs); err != nil {
		return err
	}
	g.ID, g.CreatedAt, g.UpdatedAt = id, before.CreatedAt, tx.now
	c := changes{}
	c.add("name", before.Name, g.Name)
	c.add("description", before.Description, g.Description)
	c.add("member_ids", before.MemberIDs, g.MemberIDs)
	c.add("channels", before.Channels, g.Channels)
	if err := writeAudit(ctx, tx, warroom.AuditStakeholderGroupUpdate, "stakeholder_group", id, c); err != nil {
		return err
	}
	return tx.commit()
}

// DeleteStakeholderGroup removes a group and the rules naming it.
func (db *DB) DeleteStakeholderGroup(ctx context.Context, id int64) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	g, err := findStakeholderGroup(ctx, tx, id)
	if err != nil {
		return err
	}
	for _, q := range []string{`DELETE FROM scope_rules WHERE group_id = ?`, `DELETE FROM stakeholder_members WHERE group_id = ?`, `DELETE FROM stakeholder_groups WHERE id = ?`} {
		if _, err := tx.exec(ctx, q, id); err != nil {
			return fmt.Errorf("delete stakeholder group: %w", err)
		}
	}
	if err := writeAudit(ctx, tx, warroom.AuditStakeholderGroupDelete, "stakeholder_group", id, map[string]any{"name": g.Name}); err != nil {
		return err
	}
	return tx.commit()
}

// FindScopeRules returns the rules in force in the order they were set.
func (db *DB) FindScopeRules(ctx context.Context) ([]warroom.ScopeRule, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	rules, err := findScopeRules(ctx, tx)
	if err != nil {
		return nil, err
	}
	return rules, tx.commit()
}

func findScopeRules(ctx context.Context, tx *tx) ([]warroom.ScopeRule, error) {
	rows, err := tx.query(ctx, `SELECT severity, type, group_id, triggers FROM scope_rules ORDER BY position`)
	if err != nil {
		return nil, fmt.Errorf("find scope rules: %w", err)
	}
	defer rows.Close()
	rules := []warroom.ScopeRule{}
	for rows.Next() {
		var r warroom.ScopeRule
		var triggers string
		if err := rows.Scan(&r.Severity, &r.Type, &r.GroupID, &triggers); err != nil {
			return nil, fmt.Errorf("find scope rules: %w", err)
		}
		if err := json.Unmarshal([]byte(triggers), &r.Triggers); err != nil {
			return nil, fmt.Errorf("find scope rules: triggers: %w", err)
		}
		rules = append(rules, r)
	}
	return rules, rows.Err()
}

// ReplaceScopeRules replaces every rule.
func (db *DB) ReplaceScopeRules(ctx context.Context, rules []warroom.ScopeRule) error {
	if err := warroom.ValidateScopeRules(rules); err != nil {
		return err
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	before, err := findScopeRules(ctx, tx)
	if err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `DELETE FROM scope_rules`); err != nil {
		return fmt.Errorf("replace scope rules: %w", err)
	}
	for i, r := range rules {
		var one int
		err := tx.queryRow(ctx, `SELECT 1 FROM stakeholder_groups WHERE id = ?`, r.GroupID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			f := fmt.Sprintf("rules[%d].group_id", i)
			return &warroom.Error{Code: warroom.ENOTFOUND, Field: f, Message: fmt.Sprintf("%s: stakeholder group %d not found", f, r.GroupID)}
		} else if err != nil {
			return fmt.Errorf("replace scope rules: %w", err)
		}
		triggers, _ := json.Marshal(r.Triggers)
		if _, err := tx.exec(ctx, `INSERT INTO scope_rules (position, severity, type, group_id, triggers) VALUES (?, ?, ?, ?, ?)`,
			i, string(r.Severity), string(r.Type), r.GroupID, string(triggers)); err != nil {
			return fmt.Errorf("replace scope rules: %w", err)
		}
	}
	if err := writeAuditTarget(ctx, tx, warroom.AuditScopeRulesUpdate, "scope_rules", "", map[string]any{"from": before, "to": rules}); err != nil {
		return err
	}
	return tx.commit()
}

// nonNil turns a nil slice into an empty one so that JSON columns hold []
// rather than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
