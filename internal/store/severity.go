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

var _ warroom.SeverityPolicyService = (*DB)(nil)

// Setting keys. A missing key means the built-in default is in force.
const (
	settingSeverityMatrix = "severity_matrix"
	settingSLAPolicies    = "sla_policies"
)

// getSetting decodes a setting into v and reports whether it was set.
func getSetting(ctx context.Context, tx *tx, key string, v any) (bool, error) {
	var raw string
	err := tx.queryRow(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	} else if err != nil {
		return false, fmt.Errorf("get setting %s: %w", key, err)
	}
	if err := json.Unmarshal([]byte(raw), v); err != nil {
		return false, fmt.Errorf("get setting %s: %w", key, err)
	}
	return true, nil
}

// settingsMemo keeps the policies a transaction has read: a declaration
// reads the matrix and the SLA targets several times over, and
// declarations batched in one transaction the SOP templates too. A write
// of any setting forgets them; templates are only written in transactions
// of their own.
type settingsMemo struct {
	matrix       *warroom.SeverityMatrix
	slaPolicies  []warroom.SLAPolicy
	sopTemplates []*warroom.SOPTemplate
}

func putSetting(ctx context.Context, tx *tx, key string, v any) error {
	tx.settings = settingsMemo{}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("put setting %s: %w", key, err)
	}
	_, err = tx.exec(ctx, `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`, key, string(b), tx.now)
	if err != nil {
		return fmt.Errorf("put setting %s: %w", key, err)
	}
	return nil
}

// findSeverityMatrix returns the matrix in force, read once per
// transaction; callers must not change it.
func findSeverityMatrix(ctx context.Context, tx *tx) (*warroom.SeverityMatrix, error) {
	if tx.settings.matrix != nil {
		return tx.settings.matrix, nil
	}
	var m warroom.SeverityMatrix
	ok, err := getSetting(ctx, tx, settingSeverityMatrix, &m)
	if err != nil {
		return nil, err
	}
	if !ok {
		m = warroom.DefaultSeverityMatrix()
	}
	tx.settings.matrix = &m
	return &m, nil
}

// findSLAPolicies returns the policies, worst severity first, read once
// per transaction; callers must not change them.
func findSLAPolicies(ctx context.Context, tx *tx) ([]warroom.SLAPolicy, error) {
	if tx.settings.slaPolicies != nil {
		return tx.settings.slaPolicies, nil
	}
	var ps []warroom.SLAPolicy
	ok, err := getSetting(ctx, tx, settingSLAPolicies, &ps)
	if err != nil {
		return nil, err
	}
	if !ok {
		ps = warroom.DefaultSLAPolicies()
	}
	sort.Slice(ps, func(i, j int) bool { return ps[i].Severity.Rank() < ps[j].Severity.Rank() })
	tx.settings.slaPolicies = ps
	return ps, nil
}

// FindSeverityMatrix returns the matrix in force.
func (db *DB) FindSeverityMatrix(ctx context.Context) (*warroom.SeverityMatrix, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	m, err := findSeverityMatrix(ctx, tx)
	if err != nil {
		return nil, err
	}
	return m, tx.commit()
}

// UpdateSeverityMatrix replaces the matrix.
func (db *DB) UpdateSeverityMatrix(ctx context.Context, m *warroom.SeverityMatrix) error {
	if m == nil {
		return warroom.Errorf(warroom.EINVALID, "A severity matrix is required.")
	}
	if err := m.Validate(); err != nil {
		return err
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	before, err := findSeverityMatrix(ctx, tx)
	if err != nil {
		return err
	}
	if err := putSetting(ctx, tx, settingSeverityMatrix, m); err != nil {
		return err
	}
	if err := writeAuditTarget(ctx, tx, warroom.AuditSeverityMatrixUpdate, "setting", settingSeverityMatrix, change{From: before, To: m}); err != nil {
		return err
	}
	return tx.commit()
}

// FindSLAPolicies returns one policy per severity, worst first.
func (db *DB) FindSLAPolicies(ctx context.Context) ([]warroom.SLAPolicy, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	ps, err := findSLAPolicies(ctx, tx)
	if err != nil {
		return nil, err
	}
	return ps, tx.commit()
}

// UpdateSLAPolicies replaces all policies.
func (db *DB) UpdateSLAPolicies(ctx context.Context, ps []warroom.SLAPolicy) error {
	if err := warroom.ValidateSLAPolicies(ps); err != nil {
		return err
	}
	ps = append([]warroom.SLAPolicy(nil), ps...)
	sort.Slice(ps, func(i, j int) bool { return ps[i].Severity.Rank() < ps[j].Severity.Rank() })
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	before, err := findSLAPolicies(ctx, tx)
	if err != nil {
		return err
	}
	if err := putSetting(ctx, tx, settingSLAPolicies, ps); err != nil {
		return err
	}
	if err := writeAuditTarget(ctx, tx, warroom.AuditSLAPoliciesUpdate, "setting", settingSLAPolicies, change{From: before, To: ps}); err != nil {
		return err
	}
	return tx.commit()
}

// ProposeSeverity applies the matrix in force without storing anything.
func (db *DB) ProposeSeverity(ctx context.Context, impact warroom.Impact, openFor time.Duration) (warroom.Proposal, error) {
	if err := impact.Validate(); err != nil {
		return warroom.Proposal{}, err
	}
	if openFor < 0 {
		return warroom.Proposal{}, warroom.FieldErrorf("open_for_seconds", "must not be negative")
	}
	tx, err := db.beginRead(ctx)
	if err != nil {
		return warroom.Proposal{}, err
	}
	defer tx.rollback()
	m, err := findSeverityMatrix(ctx, tx)
	if err != nil {
		return warroom.Proposal{}, err
	}
	return m.Propose(impact, openFor), tx.commit()
}
