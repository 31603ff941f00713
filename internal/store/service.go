package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/warroomhq/warroom"
)

var _ warroom.ServiceCatalog = (*DB)(nil)

const serviceColumns = `s.id, s.name, s.description, s.team, s.tier, s.resolve_with_alerts, s.flap_threshold, s.flap_window_seconds,
	s.storm_threshold, s.storm_window_seconds, s.created_at, s.updated_at`

// scanService reads serviceColumns after any leading columns in lead.
func scanService(sc scanner, lead ...any) (*warroom.Service, error) {
	var s warroom.Service
	h := &warroom.AlertHandling{}
	s.AlertHandling = h
	dest := append(lead, &s.ID, &s.Name, &s.Description, &s.Team, &s.Tier, &h.ResolveIncidents, &h.FlapThreshold, &h.FlapWindowSeconds,
		&h.StormThreshold, &h.StormWindowSeconds, scanTime(&s.CreatedAt), scanTime(&s.UpdatedAt))
	if err := sc.Scan(dest...); err != nil {
		return nil, err
	}
	return &s, nil
}

func findService(ctx context.Context, tx *tx, where string, arg any, lock bool) (*warroom.Service, error) {
	q := `SELECT ` + serviceColumns + ` FROM services s WHERE ` + where
	if lock {
		q += tx.d.forUpdate()
	}
	s, err := scanService(tx.queryRow(ctx, q, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, warroom.Errorf(warroom.ENOTFOUND, "Service %v not found.", arg)
	} else if err != nil {
		return nil, fmt.Errorf("find service: %w", err)
	}
	return s, nil
}

// FindServiceByID returns one service.
func (db *DB) FindServiceByID(ctx context.Context, id int64) (*warroom.Service, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	s, err := findService(ctx, tx, "s.id = ?", id, false)
	if err != nil {
		return nil, err
	}
	return s, tx.commit()
}

// FindServiceByName returns one service.
func (db *DB) FindServiceByName(ctx context.Context, name string) (*warroom.Service, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	s, err := findService(ctx, tx, "s.name = ?", name, false)
	if err != nil {
		return nil, err
	}
	return s, tx.commit()
}

// FindServices returns a page of services ordered by name and the total.
func (db *DB) FindServices(ctx context.Context, filter warroom.ServiceFilter) ([]*warroom.Service, int, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer tx.rollback()
	where, args := []string{"1 = 1"}, []any{}
	if v := filter.ID; v != nil {
		where, args = append(where, "s.id = ?"), append(args, *v)
	}
	if v := filter.Name; v != nil {
		where, args = append(where, "s.name = ?"), append(args, *v)
	}
	if v := filter.Team; v != nil {
		where, args = append(where, "s.team = ?"), append(args, *v)
	}
	if v := filter.Query; v != nil && *v != "" {
		pat := "%" + escapeLike(strings.ToLower(*v)) + "%"
		where = append(where, `(LOWER(s.name) LIKE ? ESCAPE '\' OR LOWER(s.description) LIKE ? ESCAPE '\' OR LOWER(s.team) LIKE ? ESCAPE '\')`)
		args = append(args, pat, pat, pat)
	}
	offset, limit := pageLimits(filter.Offset, filter.Limit)
	cond := strings.Join(where, " AND ")
	rows, err := tx.query(ctx, `SELECT COUNT(*) OVER(), `+serviceColumns+` FROM services s WHERE `+cond+` ORDER BY s.name LIMIT ? OFFSET ?`,
		append(args, limit, offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("find services: %w", err)
	}
	defer rows.Close()
	ss, n := []*warroom.Service{}, 0
	for rows.Next() {
		s, err := scanService(rows, &n)
		if err != nil {
			return nil, 0, fmt.Errorf("find services: %w", err)
		}
		ss = append(ss, s)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("find services: %w", err)
	}
	if len(ss) == 0 && offset > 0 {
		if n, err = count(ctx, tx, "SELECT COUNT(*) FROM services s WHERE "+cond, args...); err != nil {
			return nil, 0, err
		}
	}
	return ss, n, tx.commit()
}

func serviceNameTaken(name string) error {
	return &warroom.Error{Code: warroom.ECONFLICT, Field: "name", Message: fmt.Sprintf("name: a service named %q already exists", name)}
}

// CreateService adds a service.
func (db *DB) CreateService(ctx context.Context, s *warroom.Service) error {
	if s == nil {
		return warroom.Errorf(warroom.EINVALID, "A service is required.")
	}
	s.Name = strings.TrimSpace(s.Name)
	if err := s.Validate(); err != nil {
		return err
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	if s.AlertHandling == nil {
		s.AlertHandling = warroom.DefaultAlertHandling()
	}
	h := s.AlertHandling
	id, err := tx.insert(ctx, `INSERT INTO services (name, description, team, tier, resolve_with_alerts, flap_threshold, flap_window_seconds,
		storm_threshold, storm_window_seconds, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		s.Name, s.Description, s.Team, s.Tier, h.ResolveIncidents, h.FlapThreshold, h.FlapWindowSeconds, h.StormThreshold, h.StormWindowSeconds, tx.now, tx.now)
	if isUnique(err) {
		return serviceNameTaken(s.Name)
	} else if err != nil {
		return fmt.Errorf("create service: %w", err)
	}
	s.ID, s.CreatedAt, s.UpdatedAt = id, tx.now, tx.now
	if err := writeAudit(ctx, tx, warroom.AuditServiceCreate, "service", id, s); err != nil {
		return err
	}
	return tx.commit()
}

// UpdateService changes a service.
func (db *DB) UpdateService(ctx context.Context, id int64, upd warroom.ServiceUpdate) (*warroom.Service, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	s, err := findService(ctx, tx, "s.id = ?", id, true)
	if err != nil {
		return nil, err
	}
	before := *s
	upd.Apply(s)
	if err := s.Validate(); err != nil {
		return nil, err
	}
	c := changes{}
	c.add("name", before.Name, s.Name)
	c.add("description", before.Description, s.Description)
	c.add("team", before.Team, s.Team)
	c.add("tier", before.Tier, s.Tier)
	c.add("alert_handling", before.AlertHandling, s.AlertHandling)
	if len(c) == 0 {
		return s, tx.commit()
	}
	h := s.AlertHandling
	_, err = tx.exec(ctx, `UPDATE services SET name = ?, description = ?, team = ?, tier = ?, resolve_with_alerts = ?, flap_threshold = ?,
		flap_window_seconds = ?, storm_threshold = ?, storm_window_seconds = ?, updated_at = ? WHERE id = ?`,
		s.Name, s.Description, s.Team, s.Tier, h.ResolveIncidents, h.FlapThreshold, h.FlapWindowSeconds, h.StormThreshold, h.StormWindowSeconds, tx.now, id)
	if isUnique(err) {
		return nil, serviceNameTaken(s.Name)
	} else if err != nil {
		return nil, fmt.Errorf("update service: %w", err)
	}
	s.UpdatedAt = tx.now
	if err := writeAudit(ctx, tx, warroom.AuditServiceUpdate, "service", id, c); err != nil {
		return nil, err
	}
	return s, tx.commit()
}
