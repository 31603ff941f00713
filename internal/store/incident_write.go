package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/warroomhq/warroom"
)

// DeclareIncident opens inc in the triggered state, proposes its severity,
// records an override when the declared severity differs, and turns the
// matching SOP templates into tasks. Declarations arriving together share
// a transaction (see declareQueue).
func (db *DB) DeclareIncident(ctx context.Context, inc *warroom.Incident) error {
	if inc == nil {
		return warroom.Errorf(warroom.EINVALID, "An incident is required.")
	}
	if err := inc.Validate(); err != nil {
		return err
	}
	return db.declare(ctx, inc)
}

func declareIncident(ctx context.Context, tx *tx, inc *warroom.Incident) error {
	audit, err := declareRows(ctx, tx, inc)
	if err != nil {
		return err
	}
	return writeAudit(ctx, tx, warroom.AuditIncidentDeclare, "incident", inc.ID, audit)
}

// declareRows writes everything of a declaration but its audit row, which
// it returns for the caller to write in the same transaction: declarations
// batched together write their audit rows last, so that on PostgreSQL the
// audit chain's row lock is held for as short a time as possible.
func declareRows(ctx context.Context, tx *tx, inc *warroom.Incident) (map[string]any, error) {
	if inc.DetectedAt.IsZero() {
		inc.DetectedAt = tx.now
	}
	inc.DetectedAt = inc.DetectedAt.UTC().Truncate(time.Microsecond)
	if inc.DetectedAt.After(tx.now) {
		return nil, warroom.FieldErrorf("detected_at", "must not be in the future")
	}
	serviceIDs := uniqueIDs(inc.ServiceIDs)
	services, err := declaredServices(ctx, tx, serviceIDs)
	if err != nil {
		return nil, err
	}
	m, err := findSeverityMatrix(ctx, tx)
	if err != nil {
		return nil, err
	}
	p := m.Propose(inc.Impact, tx.now.Sub(inc.DetectedAt))
	// The API lets the declarer explain an override in severity_reason; the
	// field itself keeps the matrix's reason.
	overrideReason := inc.SeverityReason
	inc.ProposedSeverity, inc.SeverityReason = p.Severity, p.Reason
	if inc.Severity == "" {
		inc.Severity = p.Severity
	}
	inc.State = warroom.StateTriggered
	inc.AcknowledgedAt, inc.MitigatedAt, inc.ResolvedAt, inc.ClosedAt = nil, nil, nil, nil
	inc.CreatedAt, inc.UpdatedAt = tx.now, tx.now
	inc.CreatedBy = warroom.UserIDFromContext(ctx)

	im, l := &inc.Impact, &inc.Loss
	inc.ID, err = tx.insert(ctx, `INSERT INTO incidents (title, summary, type, state, severity, proposed_severity, severity_reason,
		users_affected, money_affected, money_affected_currency, orders_affected, compliance_impact, compliance_note, recovery_path_available,
		money_lost, money_lost_currency, compensation_paid, compensation_paid_currency, orders_lost, downtime_minutes, loss_note,
		drill, detected_at, created_at, updated_at, created_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		inc.Title, inc.Summary, string(inc.Type), string(inc.State), string(inc.Severity), string(inc.ProposedSeverity), inc.SeverityReason,
		im.UsersAffected, int64(im.MoneyAffected.Amount), im.MoneyAffected.Currency, im.OrdersAffected, im.ComplianceImpact, im.ComplianceNote, im.RecoveryPathAvailable,
		int64(l.MoneyLost.Amount), l.MoneyLost.Currency, int64(l.CompensationPaid.Amount), l.CompensationPaid.Currency, l.OrdersLost, l.DowntimeMinutes, l.Note,
		inc.Drill, inc.DetectedAt, tx.now, tx.now, nullID(inc.CreatedBy))
	if err != nil {
		return nil, fmt.Errorf("declare incident: %w", err)
	}
	inc.Number = warroom.FormatNumber(inc.ID)
	if err := setServices(ctx, tx, inc.ID, serviceIDs); err != nil {
		return nil, err
	}

	evs := []newEvent{{warroom.EventDeclared, inc.Title, map[string]any{
		"severity": inc.Severity, "proposed_severity": inc.ProposedSeverity, "severity_reason": inc.SeverityReason,
		"type": inc.Type, "drill": inc.Drill,
	}}}
	if inc.Severity != inc.ProposedSeverity {
		text := fmt.Sprintf("declared as %s, proposed %s", inc.Severity, inc.ProposedSeverity)
		if overrideReason != "" {
			text += ": " + overrideReason
		}
		evs = append(evs, newEvent{warroom.EventSeverityOverride, text, map[string]any{
			"from": inc.ProposedSeverity, "to": inc.Severity, "reason": text,
		}})
	}
	// A new incident has no tasks yet: its SOP tasks are numbered from 1.
	ts, err := findSOPTemplates(ctx, tx)
	if err != nil {
		return nil, err
	}
	tasks, sopEvents, err := addSOPTasks(ctx, tx, inc, ts, nil, 1)
	if err != nil {
		return nil, err
	}
	// The declaration, an override and the SOPs applied are one INSERT.
	if err := addEvents(ctx, tx, inc.ID, append(evs, sopEvents...)); err != nil {
		return nil, err
	}
	if inc.Drill {
		// Participants before paging starts: the first page already
		// goes to them alone.
		oncall, err := serviceOnCall(ctx, tx, serviceIDs)
		if err != nil {
			return nil, err
		}
		if err := addDrillParticipants(ctx, tx, inc.ID, append([]int64{inc.CreatedBy}, oncall...)...); err != nil {
			return nil, err
		}
	}
	// Escalations and SLA timers are written in the declare transaction, so
	// an incident that exists is always being paged for.
	if err := startPaging(ctx, tx, inc); err != nil {
		return nil, err
	}
	audit := map[string]any{
		"title": inc.Title, "type": inc.Type, "severity": inc.Severity, "proposed_severity": inc.ProposedSeverity,
		"service_ids": serviceIDs, "impact": inc.Impact, "loss": inc.Loss, "drill": inc.Drill, "detected_at": inc.DetectedAt,
	}

	// The incident is returned as findIncident would read it back, built
	// from what this transaction wrote rather than read again: the row
	// as inserted, its services by name, no roles yet, its SOP tasks.
	stored := *inc
	stored.ServiceIDs, stored.Services = make([]int64, 0, len(services)), services
	for _, s := range services {
		stored.ServiceIDs = append(stored.ServiceIDs, s.ID)
	}
	if im.RecoveryPathAvailable != nil {
		v := *im.RecoveryPathAvailable
		stored.Impact.RecoveryPathAvailable = &v
	}
	stored.SLA = nil
	if err := fillSLA(ctx, tx, []*warroom.Incident{&stored}); err != nil {
		return nil, err
	}
	stored.Roles = []*warroom.RoleAssignment{}
	stored.Tasks = tasks
	if stored.Tasks == nil {
		stored.Tasks = []*warroom.Task{}
	}
	*inc = stored
	return audit, nil
}

// declaredServices returns the services of a new incident by name, or
// ENOTFOUND naming service_ids as checkServices does.
func declaredServices(ctx context.Context, tx *tx, ids []int64) ([]*warroom.Service, error) {
	services := []*warroom.Service{}
	if len(ids) == 0 {
		return services, nil
	}
	rows, err := tx.query(ctx, `SELECT `+serviceColumns+` FROM services s WHERE s.id IN (`+placeholders(len(ids))+`) ORDER BY s.name`, idArgs(ids)...)
	if err != nil {
		return nil, fmt.Errorf("check services: %w", err)
	}
	defer rows.Close()
	found := map[int64]bool{}
	for rows.Next() {
		s, err := scanService(rows)
		if err != nil {
			return nil, fmt.Errorf("check services: %w", err)
		}
		found[s.ID] = true
		services = append(services, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("check services: %w", err)
	}
	for _, id := range ids {
		if !found[id] {
			return nil, &warroom.Error{Code: warroom.ENOTFOUND, Field: "service_ids", Message: fmt.Sprintf("service_ids: service %d not found", id)}
		}
	}
	return services, nil
}

// UpdateIncident changes descriptive fields; a change of impact re-proposes
// the severity and records the new proposal on the timeline.
func (db *DB) UpdateIncident(ctx context.Context, id int64, upd warroom.IncidentUpdate) (*warroom.Incident, error) {
	if err := upd.Validate(); err != nil {
		return nil, err
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	inc, err := updateIncident(ctx, tx, id, upd)
	if err != nil {
		return nil, err
	}
	return inc, tx.commit()
}

func updateIncident(ctx context.Context, tx *tx, id int64, upd warroom.IncidentUpdate) (*warroom.Incident, error) {
	inc, err := openIncidentForChange(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	audit, fields := changes{}, changes{}
	if upd.Title != nil {
		fields.add("title", inc.Title, *upd.Title)
		inc.Title = *upd.Title
	}
	if upd.Summary != nil {
		fields.add("summary", inc.Summary, *upd.Summary)
		inc.Summary = *upd.Summary
	}
	if upd.Type != nil {
		fields.add("type", inc.Type, *upd.Type)
		inc.Type = *upd.Type
	}
	if len(fields) > 0 {
		if _, err := addEvent(ctx, tx, id, warroom.EventFieldsUpdated, "", "", fields); err != nil {
			return nil, err
		}
		for k, v := range fields {
			audit[k] = v
		}
	}
	if upd.ServiceIDs != nil {
		before, after := uniqueIDs(inc.ServiceIDs), uniqueIDs(*upd.ServiceIDs)
		if !slices.Equal(before, after) {
			if err := checkServices(ctx, tx, after); err != nil {
				return nil, err
			}
			if _, err := tx.exec(ctx, `DELETE FROM incident_services WHERE incident_id = ?`, id); err != nil {
				return nil, fmt.Errorf("update incident services: %w", err)
			}
			if err := setServices(ctx, tx, id, after); err != nil {
				return nil, err
			}
			c := change{From: before, To: after}
			if _, err := addEvent(ctx, tx, id, warroom.EventServicesChanged, "", "", c); err != nil {
				return nil, err
			}
			audit["service_ids"] = c
		}
	}
	if upd.Impact != nil && !sameJSON(inc.Impact, *upd.Impact) {
		c := change{From: inc.Impact, To: *upd.Impact}
		inc.Impact = *upd.Impact
		if _, err := addEvent(ctx, tx, id, warroom.EventImpactUpdated, "", "", c); err != nil {
			return nil, err
		}
		audit["impact"] = c
		if err := repropose(ctx, tx, inc, audit); err != nil {
			return nil, err
		}
	}
	if upd.Loss != nil && !sameJSON(inc.Loss, *upd.Loss) {
		c := change{From: inc.Loss, To: *upd.Loss}
		inc.Loss = *upd.Loss
		if _, err := addEvent(ctx, tx, id, warroom.EventLossUpdated, "", "", c); err != nil {
			return nil, err
		}
		audit["loss"] = c
	}
	if len(audit) == 0 {
		return findIncident(ctx, tx, id)
	}
	if err := saveIncident(ctx, tx, inc); err != nil {
		return nil, err
	}
	if err := writeAudit(ctx, tx, warroom.AuditIncidentUpdate, "incident", id, audit); err != nil {
		return nil, err
	}
	return findIncident(ctx, tx, id)
}

// repropose applies the matrix to the incident's new impact. The severity
// itself stays as it is: a proposal is for the commander to accept.
func repropose(ctx context.Context, tx *tx, inc *warroom.Incident, audit changes) error {
	m, err := findSeverityMatrix(ctx, tx)
	if err != nil {
		return err
	}
	end := tx.now
	if inc.ResolvedAt != nil {
		end = *inc.ResolvedAt
	}
	p := m.Propose(inc.Impact, end.Sub(inc.DetectedAt))
	if p.Severity == inc.ProposedSeverity && p.Reason == inc.SeverityReason {
		return nil
	}
	if _, err := addEvent(ctx, tx, inc.ID, warroom.EventSeverityProposed, p.Reason, "", map[string]any{
		"from": inc.ProposedSeverity, "to": p.Severity, "reason": p.Reason,
	}); err != nil {
		return err
	}
	audit.add("proposed_severity", inc.ProposedSeverity, p.Severity)
	audit.add("severity_reason", inc.SeverityReason, p.Reason)
	inc.ProposedSeverity, inc.SeverityReason = p.Severity, p.Reason
	return nil
}

// saveIncident writes every mutable column of the incident row.
func saveIncident(ctx context.Context, tx *tx, inc *warroom.Incident) error {
	im, l := &inc.Impact, &inc.Loss
	inc.UpdatedAt = tx.now
	_, err := tx.exec(ctx, `UPDATE incidents SET title = ?, summary = ?, type = ?, state = ?, severity = ?, proposed_severity = ?, severity_reason = ?,
		users_affected = ?, money_affected = ?, money_affected_currency = ?, orders_affected = ?, compliance_impact = ?, compliance_note = ?, recovery_path_available = ?,
		money_lost = ?, money_lost_currency = ?, compensation_paid = ?, compensation_paid_currency = ?, orders_lost = ?, downtime_minutes = ?, loss_note = ?,
		acknowledged_at = ?, mitigated_at = ?, resolved_at = ?, closed_at = ?, updated_at = ?
		WHERE id = ?`,
		inc.Title, inc.Summary, string(inc.Type), string(inc.State), string(inc.Severity), string(inc.ProposedSeverity), inc.SeverityReason,
		im.UsersAffected, int64(im.MoneyAffected.Amount), im.MoneyAffected.Currency, im.OrdersAffected, im.ComplianceImpact, im.ComplianceNote, im.RecoveryPathAvailable,
		int64(l.MoneyLost.Amount), l.MoneyLost.Currency, int64(l.CompensationPaid.Amount), l.CompensationPaid.Currency, l.OrdersLost, l.DowntimeMinutes, l.Note,
		inc.AcknowledgedAt, inc.MitigatedAt, inc.ResolvedAt, inc.ClosedAt, tx.now, inc.ID)
	if err != nil {
		return fmt.Errorf("save incident: %w", err)
	}
	return nil
}

// TransitionIncident moves the incident to state to and stamps the time of
// that step.
func (db *DB) TransitionIncident(ctx context.Context, id int64, to warroom.State, note string) (*warroom.Incident, error) {
	if !to.Valid() {
		return nil, warroom.CheckTransition(warroom.StateTriggered, to)
	}
	if utf8.RuneCountInString(note) > warroom.MaxTextLen {
		return nil, warroom.FieldErrorf("note", "must be at most %d characters", warroom.MaxTextLen)
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	inc, err := transitionIncident(ctx, tx, id, to, note)
	if err != nil {
		return nil, err
	}
	return inc, tx.commit()
}

func transitionIncident(ctx context.Context, tx *tx, id int64, to warroom.State, note string) (*warroom.Incident, error) {
	inc, err := loadIncident(ctx, tx, id, true)
	if err != nil {
		return nil, err
	}
	from := inc.State
	if err := warroom.CheckTransition(from, to); err != nil {
		return nil, err
	}
	now := tx.now
	audit := changes{}
	stamp := func(field string, p **time.Time, v *time.Time) {
		audit.add(field, *p, v)
		*p = v
	}
	// Leaving triggered in any direction means someone has picked it up.
	if from == warroom.StateTriggered && inc.AcknowledgedAt == nil {
		stamp("acknowledged_at", &inc.AcknowledgedAt, &now)
	}
	switch to {
	case warroom.StateMitigated:
		stamp("mitigated_at", &inc.MitigatedAt, &now)
	case warroom.StateResolved:
		if inc.MitigatedAt == nil {
			stamp("mitigated_at", &inc.MitigatedAt, &now)
		}
		stamp("resolved_at", &inc.ResolvedAt, &now)
	case warroom.StateClosed:
		stamp("closed_at", &inc.ClosedAt, &now)
	}
	if from == warroom.StateResolved && to != warroom.StateClosed {
		stamp("resolved_at", &inc.ResolvedAt, nil)
	}
	inc.State = to
	audit["state"] = change{From: from, To: to}
	if _, err := addEvent(ctx, tx, id, warroom.EventStateChanged, note, "", map[string]any{"from": from, "to": to}); err != nil {
		return nil, err
	}
	if err := saveIncident(ctx, tx, inc); err != nil {
		return nil, err
	}
	// Someone is on it, or it is over: nobody else needs waking.
	if to != warroom.StateTriggered {
		reason := "acknowledged"
		if !to.Open() {
			reason = string(to)
		}
		if err := stopIncidentEscalations(ctx, tx, id, reason); err != nil {
			return nil, err
		}
	}
	if err := writeAudit(ctx, tx, warroom.AuditIncidentTransition, "incident", id, audit); err != nil {
		return nil, err
	}
	return findIncident(ctx, tx, id)
}

// SetSeverity sets the severity by hand; a reason is required whenever the
// new severity differs from the proposal.
func (db *DB) SetSeverity(ctx context.Context, id int64, sev warroom.Severity, reason string) (*warroom.Incident, error) {
	if !sev.Valid() {
		return nil, warroom.FieldErrorf("severity", "unknown severity %q (want P0, P1, P2, P3 or P4)", sev)
	}
	if utf8.RuneCountInString(reason) > warroom.MaxTextLen {
		return nil, warroom.FieldErrorf("reason", "must be at most %d characters", warroom.MaxTextLen)
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	inc, err := setSeverity(ctx, tx, id, sev, reason)
	if err != nil {
		return nil, err
	}
	return inc, tx.commit()
}

func setSeverity(ctx context.Context, tx *tx, id int64, sev warroom.Severity, reason string) (*warroom.Incident, error) {
	inc, err := openIncidentForChange(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if sev != inc.ProposedSeverity && isBlank(reason) {
		return nil, warroom.FieldErrorf("reason", "is required when the severity differs from the proposed %s", inc.ProposedSeverity)
	}
	if sev == inc.Severity {
		return findIncident(ctx, tx, id)
	}
	from := inc.Severity
	inc.Severity = sev
	if _, err := addEvent(ctx, tx, id, warroom.EventSeverityChanged, reason, "", map[string]any{
		"from": from, "to": sev, "proposed": inc.ProposedSeverity, "reason": reason,
	}); err != nil {
		return nil, err
	}
	if err := saveIncident(ctx, tx, inc); err != nil {
		return nil, err
	}
	applied, err := appliedTemplates(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if err := instantiateSOPs(ctx, tx, inc, applied); err != nil {
		return nil, err
	}
	if err := writeAudit(ctx, tx, warroom.AuditIncidentSeverity, "incident", id, map[string]any{
		"severity": change{From: from, To: sev}, "reason": reason,
	}); err != nil {
		return nil, err
	}
	return findIncident(ctx, tx, id)
}

// checkServices returns ENOTFOUND naming service_ids unless every service
// exists, so that a bad reference is a clear error, not a constraint failure.
func checkServices(ctx context.Context, tx *tx, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := tx.query(ctx, `SELECT id FROM services WHERE id IN (`+placeholders(len(ids))+`)`, args...)
	if err != nil {
		return fmt.Errorf("check services: %w", err)
	}
	defer rows.Close()
	found := map[int64]bool{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return fmt.Errorf("check services: %w", err)
		}
		found[id] = true
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("check services: %w", err)
	}
	for _, id := range ids {
		if !found[id] {
			return &warroom.Error{Code: warroom.ENOTFOUND, Field: "service_ids", Message: fmt.Sprintf("service_ids: service %d not found", id)}
		}
	}
	return nil
}

func setServices(ctx context.Context, tx *tx, incidentID int64, ids []int64) error {
	for _, sid := range ids {
		_, err := tx.exec(ctx, `INSERT INTO incident_services (incident_id, service_id) VALUES (?, ?)`, incidentID, sid)
		if isForeignKey(err) {
			// checkServices ran first; this is the constraint catching what it
			// could not, and it means the same to the caller.
			return &warroom.Error{Code: warroom.ENOTFOUND, Field: "service_ids", Message: fmt.Sprintf("service_ids: service %d not found", sid)}
		} else if err != nil {
			return fmt.Errorf("set services: %w", err)
		}
	}
	return nil
}

// uniqueIDs returns ids sorted without duplicates, never nil.
func uniqueIDs(ids []int64) []int64 {
	out := append([]int64{}, ids...)
	slices.Sort(out)
	return slices.Compact(out)
}

func sameJSON(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

func isBlank(s string) bool { return strings.TrimSpace(s) == "" }
