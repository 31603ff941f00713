package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/warroomhq/warroom"
)

// Built-in scenarios live in the code (warroom.BuiltInDrillScenarios) so
// that every installation has them in both languages without a migration;
// the ones admins write are kept here as their JSON document.

// FindDrillScenarios lists the built-in scenarios, then the saved ones by
// slug.
func (db *DB) FindDrillScenarios(ctx context.Context) ([]*warroom.DrillScenario, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	rows, err := tx.query(ctx, `SELECT document, created_at, updated_at FROM drill_scenarios ORDER BY slug`)
	if err != nil {
		return nil, fmt.Errorf("find drill scenarios: %w", err)
	}
	defer rows.Close()
	out := warroom.BuiltInDrillScenarios()
	var saved []*warroom.DrillScenario
	for rows.Next() {
		s, err := scanDrillScenario(rows)
		if err != nil {
			return nil, err
		}
		saved = append(saved, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find drill scenarios: %w", err)
	}
	sort.SliceStable(saved, func(i, j int) bool { return saved[i].Slug < saved[j].Slug })
	return append(out, saved...), tx.commit()
}

func scanDrillScenario(s scanner) (*warroom.DrillScenario, error) {
	var doc string
	sc := &warroom.DrillScenario{}
	var created, updated time.Time
	if err := s.Scan(&doc, scanTime(&created), scanTime(&updated)); err != nil {
		return nil, fmt.Errorf("scan drill scenario: %w", err)
	}
	if err := json.Unmarshal([]byte(doc), sc); err != nil {
		return nil, fmt.Errorf("scan drill scenario: %w", err)
	}
	sc.BuiltIn, sc.CreatedAt, sc.UpdatedAt = false, created, updated
	return sc, nil
}

// findDrillScenario returns a built-in or saved scenario.
func findDrillScenario(ctx context.Context, tx *tx, slug string) (*warroom.DrillScenario, error) {
	if s := warroom.BuiltInDrillScenario(slug); s != nil {
		return s, nil
	}
	s, err := scanDrillScenario(tx.queryRow(ctx, `SELECT document, created_at, updated_at FROM drill_scenarios WHERE slug = ?`, slug))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, &warroom.Error{Code: warroom.ENOTFOUND, Field: "scenario", Message: fmt.Sprintf("scenario: no drill scenario %q", slug)}
	}
	return s, err
}

// FindDrillScenario returns one scenario by slug.
func (db *DB) FindDrillScenario(ctx context.Context, slug string) (*warroom.DrillScenario, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	s, err := findDrillScenario(ctx, tx, slug)
	if err != nil {
		return nil, err
	}
	return s, tx.commit()
}

// SaveDrillScenario creates or replaces a scenario of the admins.
func (db *DB) SaveDrillScenario(ctx context.Context, s *warroom.DrillScenario) error {
	if s == nil {
		return warroom.Errorf(warroom.EINVALID, "A scenario is required.")
	}
	if err := s.Validate(); err != nil {
		return err
	}
	if warroom.BuiltInDrillScenario(s.Slug) != nil {
		return &warroom.Error{Code: warroom.ECONFLICT, Field: "slug", Message: fmt.Sprintf("slug: %q is a built-in scenario; save a copy under another slug", s.Slug)}
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	s.BuiltIn = false
	doc, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("save drill scenario: %w", err)
	}
	if _, err := tx.exec(ctx, `INSERT INTO drill_scenarios (slug, document, created_at, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (slug) DO UPDATE SET document = excluded.document, updated_at = excluded.updated_at`, s.Slug, string(doc), tx.now, tx.now); err != nil {
		return fmt.Errorf("save drill scenario: %w", err)
	}
	if err := tx.queryRow(ctx, `SELECT created_at, updated_at FROM drill_scenarios WHERE slug = ?`, s.Slug).
		Scan(scanTime(&s.CreatedAt), scanTime(&s.UpdatedAt)); err != nil {
		return fmt.Errorf("save drill scenario: %w", err)
	}
	if err := writeAuditTarget(ctx, tx, warroom.AuditDrillScenarioSave, "drill_scenario", s.Slug, map[string]any{
		"name": s.Name, "severity": s.Severity, "steps": len(s.Steps),
	}); err != nil {
		return err
	}
	return tx.commit()
}

// DeleteDrillScenario removes a saved scenario; runs keep their copy.
func (db *DB) DeleteDrillScenario(ctx context.Context, slug string) error {
	if warroom.BuiltInDrillScenario(slug) != nil {
		return warroom.Errorf(warroom.ECONFLICT, "%q is a built-in scenario and cannot be deleted.", slug)
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	res, err := tx.exec(ctx, `DELETE FROM drill_scenarios WHERE slug = ?`, slug)
	if err != nil {
		return fmt.Errorf("delete drill scenario: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return warroom.Errorf(warroom.ENOTFOUND, "No drill scenario %q.", slug)
	}
	if err := writeAuditTarget(ctx, tx, warroom.AuditDrillScenarioDelete, "drill_scenario", slug, nil); err != nil {
		return err
	}
	return tx.commit()
}
