package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/warroomhq/warroom"
)

var _ warroom.RoutingService = (*DB)(nil)

const ruleColumns = `id, service_id, name, position, matchers, severity_map, auto_open, group_mode, group_by, group_window_seconds, mitigate_on_resolve, created_at, updated_at`

func scanRule(s interface{ Scan(...any) error }) (*warroom.RoutingRule, error) {
	var r warroom.RoutingRule
	var matchers, sevMap, groupBy string
	if err := s.Scan(&r.ID, &r.ServiceID, &r.Name, &r.Position, &matchers, &sevMap, &r.AutoOpen, &r.Grouping, &groupBy,
		&r.GroupWindowSeconds, &r.MitigateOnResolve, scanTime(&r.CreatedAt), scanTime(&r.UpdatedAt)); err != nil {
		return nil, err
	}
	for _, f := range []struct {
		s string
		v any
	}{{matchers, &r.Matchers}, {sevMap, &r.SeverityMap}, {groupBy, &r.GroupBy}} {
		if err := json.Unmarshal([]byte(f.s), f.v); err != nil {
			return nil, fmt.Errorf("routing rule %d: %w", r.ID, err)
		}
	}
	// Compiles the regular expressions once per load.
	for i := range r.Matchers {
		r.Matchers[i].Validate()
	}
	if r.Matchers == nil {
		r.Matchers = []warroom.Matcher{}
	}
	if r.GroupBy == nil {
		r.GroupBy = []string{}
	}
	return &r, nil
}

// findRules returns a service's rules in the order they are tried.
func findRules(ctx context.Context, tx *tx, serviceID int64) ([]*warroom.RoutingRule, error) {
	rows, err := tx.query(ctx, `SELECT `+ruleColumns+` FROM routing_rules WHERE service_id = ? ORDER BY position, id`, serviceID)
	if err != nil {
		return nil, fmt.Errorf("find routing rules: %w", err)
	}
	defer rows.Close()
	var out []*warroom.RoutingRule
	for rows.Next() {
		r, err := scanRule(rows)
		if err != nil {
			return nil, fmt.Errorf("find routing rules: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// FindRoutingRules returns a service's rules in order.
func (db *DB) FindRoutingRules(ctx context.Context, serviceID int64) ([]*warroom.RoutingRule, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	if err := checkServices(ctx, tx, []int64{serviceID}); err != nil {
		return nil, err
	}
	rules, err := findRules(ctx, tx, serviceID)
	if err != nil {
		return nil, err
	}
	return rules, tx.commit()
}

// FindRoutingRuleByID returns one rule.
func (db *DB) FindRoutingRuleByID(ctx context.Context, id int64) (*warroom.RoutingRule, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	r, err := findRule(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	return r, tx.commit()
}

func findRule(ctx context.Context, tx *tx, id int64) (*warroom.RoutingRule, error) {
	r, err := scanRule(tx.queryRow(ctx, `SELECT `+ruleColumns+` FROM routing_rules WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, warroom.Errorf(warroom.ENOTFOUND, "Routing rule %d not found.", id)
	} else if err != nil {
		return nil, fmt.Errorf("find routing rule: %w", err)
	}
	return r, nil
}

func ruleArgs(r *warroom.RoutingRule) (matchers, sevMap, groupBy string, err error) {
	if r.Matchers == nil {
		r.Matchers = []warroom.Matcher{}
	}
	if r.SeverityMap == nil {
		r.SeverityMap = map[warroom.AlertSeverity]warroom.Severity{}
	}
	if r.GroupBy == nil {
		r.GroupBy = []string{}
	}
	m, err1 := json.Marshal(r.Matchers)
	s, err2 := json.Marshal(r.SeverityMap)
	g, err3 := json.Marshal(r.GroupBy)
	return string(m), string(s), string(g), errors.Join(err1, err2, err3)
}

// CreateRoutingRule adds a rule; position 0 puts it last.
func (db *DB) CreateRoutingRule(ctx context.Context, r *warroom.RoutingRule) error {
	if r == nil {
		return warroom.Errorf(warroom.EINVALID, "A routing rule is required.")
	}
	if err := r.Validate(); err != nil {
		return err
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	if err := checkServices(ctx, tx, []int64{r.ServiceID}); err != nil {
		return err
	}
	if r.Position == 0 {
		if err := tx.queryRow(ctx, `SELECT COALESCE(MAX(position), 0) + 1 FROM routing_rules WHERE service_id = ?`, r.ServiceID).Scan(&r.Position); err != nil {
			return fmt.Errorf("create routing rule: %w", err)
		}
	}
	m, s, g, err := ruleArgs(r)
	if err != nil {
		return fmt.Errorf("create routing rule: %w", err)
	}
	r.CreatedAt, r.UpdatedAt = tx.now, tx.now
	r.ID, err = tx.insert(ctx, `INSERT INTO routing_rules (service_id, name, position, matchers, severity_map, auto_open, group_mode, group_by,
		group_window_seconds, mitigate_on_resolve, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.ServiceID, r.Name, r.Position, m, s, r.AutoOpen, string(r.Grouping), g, r.GroupWindowSeconds, r.MitigateOnResolve, tx.now, tx.now)
	if err != nil {
		return fmt.Errorf("create routing rule: %w", err)
	}
	if err := writeAudit(ctx, tx, warroom.AuditRoutingRuleCreate, "routing_rule", r.ID, r); err != nil {
		return err
	}
	return tx.commit()
}

// ReplaceRoutingRule replaces a rule's fields but its service.
func (db *DB) ReplaceRoutingRule(ctx context.Context, id int64, r *warroom.RoutingRule) (*warroom.RoutingRule, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	old, err := findRule(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	r.ID, r.ServiceID, r.CreatedAt, r.UpdatedAt = id, old.ServiceID, old.CreatedAt, tx.now
	if r.Position == 0 {
		r.Position = old.Position
	}
	if err := r.Validate(); err != nil {
		return nil, err
	}
	m, s, g, err := ruleArgs(r)
	if err != nil {
		return nil, fmt.Errorf("replace routing rule: %w", err)
	}
	if _, err := tx.exec(ctx, `UPDATE routing_rules SET name = ?, position = ?, matchers = ?, severity_map = ?, auto_open = ?, group_mode = ?, group_by = ?,
		group_window_seconds = ?, mitigate_on_resolve = ?, updated_at = ? WHERE id = ?`,
		r.Name, r.Position, m, s, r.AutoOpen, string(r.Grouping), g, r.GroupWindowSeconds, r.MitigateOnResolve, tx.now, id); err != nil {
		return nil, fmt.Errorf("replace routing rule: %w", err)
	}
	if err := writeAudit(ctx, tx, warroom.AuditRoutingRuleReplace, "routing_rule", id, change{From: old, To: r}); err != nil {
		return nil, err
	}
	return r, tx.commit()
}

// DeleteRoutingRule removes a rule.
func (db *DB) DeleteRoutingRule(ctx context.Context, id int64) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	// A deleted rule stops routing a service's alerts to anyone: the guard
	// of warroom.OpRoutingRuleDelete.
	if err := guard(ctx, tx, warroom.OpRoutingRuleDelete); err != nil {
		return err
	}
	if err := deleteRoutingRule(ctx, tx, id); err != nil {
		return err
	}
	return tx.commit()
}

// deleteRoutingRule deletes a rule and audits it with its last contents.
func deleteRoutingRule(ctx context.Context, tx *tx, id int64) error {
	old, err := findRule(ctx, tx, id)
	if err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `DELETE FROM routing_rules WHERE id = ?`, id); err != nil {
		return fmt.Errorf("delete routing rule: %w", err)
	}
	return writeAudit(ctx, tx, warroom.AuditRoutingRuleDelete, "routing_rule", id, old)
}

// MatchRoutingRule says which rule an event would match.
func (db *DB) MatchRoutingRule(ctx context.Context, serviceID int64, e *warroom.AlertEvent) (*warroom.RoutingRule, error) {
	if e == nil {
		return nil, warroom.Errorf(warroom.EINVALID, "An event is required.")
	}
	if e.Action == "" {
		e.Action = warroom.ActionTrigger
	}
	if e.DedupKey == "" {
		e.DedupKey = "test"
	}
	if err := e.Validate(); err != nil {
		return nil, err
	}
	rules, err := db.FindRoutingRules(ctx, serviceID)
	if err != nil {
		return nil, err
	}
	a := &warroom.Alert{ServiceID: serviceID, Summary: e.Summary, Source: e.Source, Severity: e.Severity, DedupKey: e.DedupKey, Labels: e.Labels}
	if r := warroom.MatchRule(rules, a); r != nil {
		return r, nil
	}
	return warroom.DefaultRoutingRule(serviceID), nil
}

// group is an alert group's row: the incident its alerts attach to.
type group struct {
	incidentID  int64
	lastAlertAt time.Time
	touched     bool // changed in this pass, to be saved
}
