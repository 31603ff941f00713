package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/warroomhq/warroom"
)

var _ warroom.IncidentService = (*DB)(nil)

const incidentColumns = `i.id, i.title, i.summary, i.type, i.state, i.severity, i.proposed_severity, i.severity_reason,
	i.users_affected, i.money_affected, i.money_affected_currency, i.orders_affected, i.compliance_impact, i.compliance_note, i.recovery_path_available,
	i.money_lost, i.money_lost_currency, i.compensation_paid, i.compensation_paid_currency, i.orders_lost, i.downtime_minutes, i.loss_note,
	i.drill, i.detected_at, i.acknowledged_at, i.mitigated_at, i.resolved_at, i.closed_at, i.created_at, i.updated_at, i.created_by`

type scanner interface{ Scan(dest ...any) error }

// scanIncident reads incidentColumns, then any extra columns into extra.
func scanIncident(s scanner, extra ...any) (*warroom.Incident, error) {
	var inc warroom.Incident
	var recovery sql.NullBool
	im, l := &inc.Impact, &inc.Loss
	dest := []any{&inc.ID, &inc.Title, &inc.Summary, &inc.Type, &inc.State, &inc.Severity, &inc.ProposedSeverity, &inc.SeverityReason,
		&im.UsersAffected, &im.MoneyAffected.Amount, &im.MoneyAffected.Currency, &im.OrdersAffected, &im.ComplianceImpact, &im.ComplianceNote, &recovery,
		&l.MoneyLost.Amount, &l.MoneyLost.Currency, &l.CompensationPaid.Amount, &l.CompensationPaid.Currency, &l.OrdersLost, &l.DowntimeMinutes, &l.Note,
		&inc.Drill, scanTime(&inc.DetectedAt), scanNullTime(&inc.AcknowledgedAt), scanNullTime(&inc.MitigatedAt), scanNullTime(&inc.ResolvedAt),
		scanNullTime(&inc.ClosedAt), scanTime(&inc.CreatedAt), scanTime(&inc.UpdatedAt), scanID(&inc.CreatedBy)}
	if err := s.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	if recovery.Valid {
		v := recovery.Bool
		im.RecoveryPathAvailable = &v
	}
	inc.Number = warroom.FormatNumber(inc.ID)
	inc.ServiceIDs = []int64{}
	return &inc, nil
}

// loadIncident reads the incident row and its service IDs; lock takes the
// row lock a mutation needs on PostgreSQL.
func loadIncident(ctx context.Context, tx *tx, id int64, lock bool) (*warroom.Incident, error) {
	q := `SELECT ` + incidentColumns + ` FROM incidents i WHERE i.id = ?`
	if lock {
		q += tx.d.forUpdate()
	}
	inc, err := scanIncident(tx.queryRow(ctx, q, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, warroom.Errorf(warroom.ENOTFOUND, "Incident %s not found.", warroom.FormatNumber(id))
	} else if err != nil {
		return nil, fmt.Errorf("load incident: %w", err)
	}
	if err := fillServices(ctx, tx, []*warroom.Incident{inc}); err != nil {
		return nil, err
	}
	return inc, nil
}

// openIncidentForChange locks an incident that is about to change and
// refuses closed ones: closed is final.
func openIncidentForChange(ctx context.Context, tx *tx, id int64) (*warroom.Incident, error) {
	inc, err := loadIncident(ctx, tx, id, true)
	if err != nil {
		return nil, err
	}
	if inc.State == warroom.StateClosed {
		return nil, warroom.Errorf(warroom.ECONFLICT, "Incident %s is closed.", inc.Number)
	}
	return inc, nil
}

// incidentExists returns ENOTFOUND unless the incident exists.
func incidentExists(ctx context.Context, tx *tx, id int64) error {
	var n int
	err := tx.queryRow(ctx, `SELECT 1 FROM incidents WHERE id = ?`, id).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return warroom.Errorf(warroom.ENOTFOUND, "Incident %s not found.", warroom.FormatNumber(id))
	} else if err != nil {
		return fmt.Errorf("incident exists: %w", err)
	}
	return nil
}

// touchIncident records that something on the incident changed.
func touchIncident(ctx context.Context, tx *tx, id int64) error {
	if _, err := tx.exec(ctx, `UPDATE incidents SET updated_at = ? WHERE id = ?`, tx.now, id); err != nil {
		return fmt.Errorf("touch incident: %w", err)
	}
	return nil
}

// fillServices sets ServiceIDs and Services of each incident in one query.
func fillServices(ctx context.Context, tx *tx, incs []*warroom.Incident) error {
	if len(incs) == 0 {
		return nil
	}
	byID := make(map[int64]*warroom.Incident, len(incs))
	args := make([]any, len(incs))
	for i, inc := range incs {
		byID[inc.ID] = inc
		args[i] = inc.ID
		inc.ServiceIDs, inc.Services = []int64{}, []*warroom.Service{}
	}
	rows, err := tx.query(ctx, `SELECT x.incident_id, `+serviceColumns+` FROM incident_services x JOIN services s ON s.id = x.service_id
		WHERE x.incident_id IN (`+placeholders(len(incs))+`) ORDER BY s.name`, args...)
	if err != nil {
		return fmt.Errorf("fill services: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var incID int64
		s, err := scanService(rows, &incID)
		if err != nil {
			return fmt.Errorf("fill services: %w", err)
		}
		inc := byID[incID]
		inc.ServiceIDs = append(inc.ServiceIDs, s.ID)
		inc.Services = append(inc.Services, s)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("fill services: %w", err)
	}
	return nil
}

// fillSLA computes each incident's SLA standing at the transaction's now.
func fillSLA(ctx context.Context, tx *tx, incs []*warroom.Incident) error {
	if len(incs) == 0 {
		return nil
	}
	ps, err := findSLAPolicies(ctx, tx)
	if err != nil {
		return err
	}
	for _, inc := range incs {
		for _, p := range ps {
			if p.Severity == inc.Severity {
				s := warroom.SLAFor(inc, p, tx.now)
				inc.SLA = &s
			}
		}
	}
	return nil
}

// FindIncidentByID returns one incident with its services, SLA status,
// current role assignments and tasks.
func (db *DB) FindIncidentByID(ctx context.Context, id int64) (*warroom.Incident, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	inc, err := findIncident(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	return inc, tx.commit()
}

// findIncident reads an incident with everything a detail page shows.
func findIncident(ctx context.Context, tx *tx, id int64) (*warroom.Incident, error) {
	inc, err := loadIncident(ctx, tx, id, false)
	if err != nil {
		return nil, err
	}
	if err := fillSLA(ctx, tx, []*warroom.Incident{inc}); err != nil {
		return nil, err
	}
	if inc.Roles, err = findRoleAssignments(ctx, tx, id, false); err != nil {
		return nil, err
	}
	if inc.Tasks, err = findTasks(ctx, tx, id); err != nil {
		return nil, err
	}
	return inc, nil
}

// FindIncidents returns a page of incidents, most severe then oldest first,
// and the total number matching the filter.
func (db *DB) FindIncidents(ctx context.Context, filter warroom.IncidentFilter) ([]*warroom.Incident, int, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer tx.rollback()
	incs, n, err := findIncidents(ctx, tx, filter)
	if err != nil {
		return nil, 0, err
	}
	return incs, n, tx.commit()
}

// serviceCond filters incidents by service; busyService is the number of
// incidents past which a service's page is read in page order.
const (
	serviceCond = "i.id IN (SELECT incident_id FROM incident_services WHERE service_id = ?)"
	busyService = 2000
)

func findIncidents(ctx context.Context, tx *tx, filter warroom.IncidentFilter) ([]*warroom.Incident, int, error) {
	where, args := []string{"1 = 1"}, []any{}
	if v := filter.ID; v != nil {
		where, args = append(where, "i.id = ?"), append(args, *v)
	}
	if len(filter.States) > 0 {
		where = append(where, "i.state IN ("+placeholders(len(filter.States))+")")
		for _, s := range filter.States {
			args = append(args, string(s))
		}
	}
	if len(filter.Severities) > 0 {
		where = append(where, "i.severity IN ("+placeholders(len(filter.Severities))+")")
		for _, s := range filter.Severities {
			args = append(args, string(s))
		}
	}
	if v := filter.ServiceID; v != nil {
		// IN, not a correlated EXISTS: the count reads the service's rows of
		// incident_services_service instead of probing for every incident.
		where = append(where, serviceCond)
		args = append(args, *v)
	}
	if v := filter.Type; v != nil {
		where, args = append(where, "i.type = ?"), append(args, string(*v))
	}
	if v := filter.DetectedAfter; v != nil {
		where, args = append(where, "i.detected_at >= ?"), append(args, *v)
	}
	if v := filter.DetectedBefore; v != nil {
		where, args = append(where, "i.detected_at < ?"), append(args, *v)
	}
	if v := filter.Query; v != nil && *v != "" {
		// The search index holds every incident's title and summary; it
		// narrows the candidates (FTS5 trigram on SQLite, pg_trgm under
		// ILIKE on PostgreSQL) and the LIKE decides, on both engines alike.
		if tx.d.postgres {
			pat := "%" + escapeLike(*v) + "%"
			where = append(where, `i.id IN (SELECT ref_id FROM search_docs WHERE doc_type = 'incident' AND (title ILIKE ? ESCAPE '\' OR body ILIKE ? ESCAPE '\'))`)
			args = append(args, pat, pat)
		} else if utf8.RuneCountInString(*v) >= warroom.MinIndexedTermLen {
			where = append(where, `i.id IN (SELECT d.ref_id FROM search_docs d WHERE d.doc_type = 'incident' AND d.id IN (SELECT rowid FROM search_fts WHERE search_fts MATCH ?))`)
			args = append(args, `"`+strings.ReplaceAll(*v, `"`, `""`)+`"`)
		}
		pat := "%" + escapeLike(strings.ToLower(*v)) + "%"
		where = append(where, `(LOWER(i.title) LIKE ? ESCAPE '\' OR LOWER(i.summary) LIKE ? ESCAPE '\')`)
		args = append(args, pat, pat)
	}
	if v := filter.Drill; v != nil {
		where, args = append(where, "i.drill = ?"), append(args, *v)
	}
	offset, limit := pageLimits(filter.Offset, filter.Limit)
	cond := strings.Join(where, " AND ")
	// The total is a separate COUNT(*) in the same snapshot rather than
	// COUNT(*) OVER(): the window makes SQLite sort every matching row
	// (8 ms for 10,000 incidents) where the count is an index scan (0.2 ms)
	// and the page is read straight off the (severity, detected_at) index.
	countQ := "SELECT COUNT(*) FROM incidents i WHERE " + cond
	if len(where) == 2 && filter.ServiceID != nil {
		// A service's incidents alone are counted from its index rows.
		countQ = "SELECT COUNT(*) FROM incident_services WHERE service_id = ?"
	}
	n, err := count(ctx, tx, countQ, args...)
	if err != nil {
		return nil, 0, err
	}
	incs := []*warroom.Incident{}
	if n == 0 || offset >= n {
		return incs, n, nil
	}
	pageCond := cond
	if filter.ServiceID != nil && n > busyService && !tx.d.postgres {
		// A busy service's page is found faster by walking the incidents
		// in page order and keeping the service's (a few hundred rows)
		// than by reading all its incidents and sorting them; the unary
		// plus keeps SQLite from choosing the latter.
		pageCond = strings.Replace(cond, serviceCond, "+"+serviceCond, 1)
	}
	rows, err := tx.query(ctx, `SELECT `+incidentColumns+` FROM incidents i
		WHERE `+pageCond+` ORDER BY i.severity, i.detected_at, i.id LIMIT ? OFFSET ?`, append(args, limit, offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("find incidents: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		inc, err := scanIncident(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("find incidents: %w", err)
		}
		incs = append(incs, inc)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("find incidents: %w", err)
	}
	rows.Close()
	if err := fillServices(ctx, tx, incs); err != nil {
		return nil, 0, err
	}
	if err := fillSLA(ctx, tx, incs); err != nil {
		return nil, 0, err
	}
	return incs, n, nil
}

// escapeLike makes user input literal inside a LIKE pattern escaped with
// backslash: % and _ match themselves rather than anything.
func escapeLike(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s)
}
