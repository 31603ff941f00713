package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/warroomhq/warroom"
)

// A drill run is durable time like every other timer: the run's start is
// drill_runs.starts_at, each step's moment is drill_run_steps.due_at, and
// FireDrills (an engine module) acts on whatever is due. Pausing holds the
// steps; resuming moves every step not yet injected by the pause's length.

const drillRunColumns = `r.id, r.scenario_slug, r.scenario, r.service_ids, r.participants, r.state, r.starts_at, r.started_at, r.paused_at,
	r.ended_at, r.incident_id, r.created_by, r.created_at`

func scanDrillRun(s scanner) (*warroom.DrillRun, error) {
	r := &warroom.DrillRun{}
	var scenario, services, participants string
	if err := s.Scan(&r.ID, &r.ScenarioSlug, &scenario, &services, &participants, &r.State, scanTime(&r.StartsAt), scanNullTime(&r.StartedAt),
		scanNullTime(&r.PausedAt), scanNullTime(&r.EndedAt), scanIDPtr(&r.IncidentID), scanID(&r.CreatedBy), scanTime(&r.CreatedAt)); err != nil {
		return nil, fmt.Errorf("scan drill run: %w", err)
	}
	for _, f := range []struct {
		s string
		v any
	}{{scenario, &r.Scenario}, {services, &r.ServiceIDs}, {participants, &r.ParticipantIDs}} {
		if err := json.Unmarshal([]byte(f.s), f.v); err != nil {
			return nil, fmt.Errorf("scan drill run: %w", err)
		}
	}
	return r, nil
}

func findDrillRun(ctx context.Context, tx *tx, id int64, lock bool) (*warroom.DrillRun, error) {
	q := `SELECT ` + drillRunColumns + ` FROM drill_runs r WHERE r.id = ?`
	if lock {
		q += tx.d.forUpdate()
	}
	r, err := scanDrillRun(tx.queryRow(ctx, q, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, warroom.Errorf(warroom.ENOTFOUND, "Drill run %d not found.", id)
	} else if err != nil {
		return nil, err
	}
	rows, err := tx.query(ctx, `SELECT idx, due_at, done_at FROM drill_run_steps WHERE run_id = ? ORDER BY idx`, id)
	if err != nil {
		return nil, fmt.Errorf("find drill run: %w", err)
	}
	defer rows.Close()
	r.Steps = []warroom.DrillRunStep{}
	for rows.Next() {
		var st warroom.DrillRunStep
		if err := rows.Scan(&st.Index, scanNullTime(&st.DueAt), scanNullTime(&st.DoneAt)); err != nil {
			return nil, fmt.Errorf("find drill run: %w", err)
		}
		r.Steps = append(r.Steps, st)
	}
	return r, rows.Err()
}

// StartDrill schedules a run of a scenario on services.
func (db *DB) StartDrill(ctx context.Context, req warroom.DrillRunRequest) (*warroom.DrillRun, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	if err := req.Validate(tx.now); err != nil {
		return nil, err
	}
	sc, err := findDrillScenario(ctx, tx, strings.TrimSpace(req.Scenario))
	if err != nil {
		return nil, err
	}
	ids := uniqueIDs(req.ServiceIDs)
	if _, err := declaredServices(ctx, tx, ids); err != nil {
		return nil, err
	}
	starts := tx.now
	if req.StartsAt != nil && req.StartsAt.After(tx.now) {
		starts = req.StartsAt.UTC().Truncate(time.Microsecond)
	}
	doc, _ := json.Marshal(sc)
	services, _ := json.Marshal(ids)
	by := warroom.UserIDFromContext(ctx)
	id, err := tx.insert(ctx, `INSERT INTO drill_runs (scenario_slug, scenario, service_ids, participants, state, starts_at, created_by, created_at)
		VALUES (?, ?, ?, '[]', ?, ?, ?, ?)`, sc.Slug, string(doc), string(services), string(warroom.DrillScheduled), starts, nullID(by), tx.now)
	if err != nil {
		return nil, fmt.Errorf("start drill: %w", err)
	}
	if err := writeAudit(ctx, tx, warroom.AuditDrillStart, "drill_run", id, map[string]any{
		"scenario": sc.Slug, "service_ids": ids, "starts_at": starts,
	}); err != nil {
		return nil, err
	}
	r, err := findDrillRun(ctx, tx, id, false)
	if err != nil {
		return nil, err
	}
	return r, tx.commit()
}

// FindDrillRun returns one run with its steps.
func (db *DB) FindDrillRun(ctx context.Context, id int64) (*warroom.DrillRun, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	r, err := findDrillRun(ctx, tx, id, false)
	if err != nil {
		return nil, err
	}
	return r, tx.commit()
}

// FindDrillRuns returns a page of runs, newest first.
func (db *DB) FindDrillRuns(ctx context.Context, f warroom.DrillRunFilter) ([]*warroom.DrillRun, int, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer tx.rollback()
	where, args := []string{"1 = 1"}, []any{}
	if len(f.States) > 0 {
		where = append(where, "r.state IN ("+placeholders(len(f.States))+")")
		for _, s := range f.States {
			args = append(args, string(s))
		}
	}
	runs, err := findDrillRunsWhere(ctx, tx, strings.Join(where, " AND "), args...)
	if err != nil {
		return nil, 0, err
	}
	if f.ServiceID != nil {
		kept := runs[:0]
		for _, r := range runs {
			if slices.Contains(r.ServiceIDs, *f.ServiceID) {
				kept = append(kept, r)
			}
		}
		runs = kept
	}
	n := len(runs)
	limit := f.Limit
	if limit <= 0 || limit > warroom.MaxPageSize {
		limit = warroom.DefaultPageSize
	}
	runs = runs[min(f.Offset, n):min(f.Offset+limit, n)]
	return runs, n, tx.commit()
}

func findDrillRunsWhere(ctx context.Context, tx *tx, where string, args ...any) ([]*warroom.DrillRun, error) {
	rows, err := tx.query(ctx, `SELECT `+drillRunColumns+` FROM drill_runs r WHERE `+where+` ORDER BY r.id DESC`, args...)
	if err != nil {
		return nil, fmt.Errorf("find drill runs: %w", err)
	}
	defer rows.Close()
	runs := []*warroom.DrillRun{}
	for rows.Next() {
		r, err := scanDrillRun(rows)
		if err != nil {
			return nil, err
		}
		runs = append(runs, r)
	}
	return runs, rows.Err()
}

// PauseDrill holds a running drill's remaining steps.
func (db *DB) PauseDrill(ctx context.Context, id int64) (*warroom.DrillRun, error) {
	return db.changeDrill(ctx, id, warroom.AuditDrillPause, func(tx *tx, r *warroom.DrillRun) (string, error) {
		if r.State != warroom.DrillRunning {
			return "", warroom.Errorf(warroom.ECONFLICT, "Drill run %d is %s; only a running drill can be paused.", id, r.State)
		}
		_, err := tx.exec(ctx, `UPDATE drill_runs SET state = ?, paused_at = ? WHERE id = ?`, string(warroom.DrillPaused), tx.now, id)
		return "Drill paused: no further events are injected until it resumes", err
	})
}

// ResumeDrill moves the steps not yet injected by the length of the pause.
func (db *DB) ResumeDrill(ctx context.Context, id int64) (*warroom.DrillRun, error) {
	return db.changeDrill(ctx, id, warroom.AuditDrillResume, func(tx *tx, r *warroom.DrillRun) (string, error) {
		if r.State != warroom.DrillPaused || r.PausedAt == nil {
			return "", warroom.Errorf(warroom.ECONFLICT, "Drill run %d is %s; only a paused drill can be resumed.", id, r.State)
		}
		pause := tx.now.Sub(*r.PausedAt)
		for _, st := range r.Steps {
			if st.DoneAt == nil && st.DueAt != nil {
				if _, err := tx.exec(ctx, `UPDATE drill_run_steps SET due_at = ? WHERE run_id = ? AND idx = ?`, st.DueAt.Add(pause), id, st.Index); err != nil {
					return "", err
				}
			}
		}
		_, err := tx.exec(ctx, `UPDATE drill_runs SET state = ?, paused_at = NULL WHERE id = ?`, string(warroom.DrillRunning), id)
		return "Drill resumed after " + pause.Round(time.Second).String(), err
	})
}

// AbortDrill ends a run; steps not yet injected never are. The drill
// incident stays for the team to close and to report on.
func (db *DB) AbortDrill(ctx context.Context, id int64) (*warroom.DrillRun, error) {
	return db.changeDrill(ctx, id, warroom.AuditDrillAbort, func(tx *tx, r *warroom.DrillRun) (string, error) {
		if r.State.Ended() {
			return "", warroom.Errorf(warroom.ECONFLICT, "Drill run %d has already ended (%s).", id, r.State)
		}
		if _, err := tx.exec(ctx, `UPDATE drill_run_steps SET due_at = NULL WHERE run_id = ? AND done_at IS NULL`, id); err != nil {
			return "", err
		}
		_, err := tx.exec(ctx, `UPDATE drill_runs SET state = ?, ended_at = ?, paused_at = NULL WHERE id = ?`, string(warroom.DrillAborted), tx.now, id)
		return "Drill aborted", err
	})
}

// changeDrill runs one person's change of a run with its audit row and,
// once the drill has an incident, its timeline entry.
func (db *DB) changeDrill(ctx context.Context, id int64, action warroom.AuditAction, change func(*tx, *warroom.DrillRun) (string, error)) (*warroom.DrillRun, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	r, err := findDrillRun(ctx, tx, id, true)
	if err != nil {
		return nil, err
	}
	text, err := change(tx, r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", action, err)
	}
	if r.IncidentID != nil {
		if _, err := addEvent(ctx, tx, *r.IncidentID, warroom.EventDrill, text, "", map[string]any{"run_id": id, "action": action}); err != nil {
			return nil, err
		}
	}
	if err := writeAudit(ctx, tx, action, "drill_run", id, map[string]any{"state_was": r.State}); err != nil {
		return nil, err
	}
	if r, err = findDrillRun(ctx, tx, id, false); err != nil {
		return nil, err
	}
	return r, tx.commit()
}

// FireDrills starts the runs due at now and injects their due steps.
func (db *DB) FireDrills(ctx context.Context, now time.Time, limit int) (int, error) {
	tx, err := db.beginAt(ctx, now)
	if err != nil {
		return 0, err
	}
	defer tx.rollback()
	done := 0
	starting, err := claimIDs(ctx, tx, `SELECT id FROM drill_runs WHERE state = ? AND starts_at <= ? ORDER BY starts_at, id LIMIT ?`,
		string(warroom.DrillScheduled), tx.now, limit)
	if err != nil {
		return 0, err
	}
	for _, id := range starting {
		if err := startDrillRun(ctx, tx, id); err != nil {
			return 0, err
		}
		done++
	}
	type due struct {
		run int64
		idx int
	}
	rows, err := tx.query(ctx, `SELECT s.run_id, s.idx FROM drill_run_steps s WHERE s.done_at IS NULL AND s.due_at <= ?
		AND s.run_id IN (SELECT id FROM drill_runs WHERE state = ?) ORDER BY s.due_at, s.run_id, s.idx LIMIT ?`, tx.now, string(warroom.DrillRunning), limit)
	if err != nil {
		return 0, fmt.Errorf("fire drills: %w", err)
	}
	var dues []due
	for rows.Next() {
		var d due
		if err := rows.Scan(&d.run, &d.idx); err != nil {
			rows.Close()
			return 0, fmt.Errorf("fire drills: %w", err)
		}
		dues = append(dues, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("fire drills: %w", err)
	}
	w := newAlertWriter(tx, nil)
	runs := map[int64]*warroom.DrillRun{}
	for _, d := range dues {
		r := runs[d.run]
		if r == nil {
			if r, err = findDrillRun(ctx, tx, d.run, true); err != nil {
				return 0, err
			}
			runs[d.run] = r
		}
		if err := injectDrillStep(ctx, tx, w, r, d.idx); err != nil {
			return 0, err
		}
		done++
	}
	if err := w.flush(ctx); err != nil {
		return 0, err
	}
	// A drill whose incident is resolved is over.
	if _, err := tx.exec(ctx, `UPDATE drill_runs SET state = ?, ended_at = ? WHERE state IN (?, ?)
		AND incident_id IN (SELECT id FROM incidents WHERE resolved_at IS NOT NULL)`,
		string(warroom.DrillCompleted), tx.now, string(warroom.DrillRunning), string(warroom.DrillPaused)); err != nil {
		return 0, fmt.Errorf("fire drills: %w", err)
	}
	if err := tx.commit(); err != nil {
		return 0, err
	}
	return done, nil
}

// startDrillRun takes the services' on-call as participants and makes the
// steps due at their offsets from now.
func startDrillRun(ctx context.Context, tx *tx, id int64) error {
	r, err := findDrillRun(ctx, tx, id, true)
	if err != nil {
		return err
	}
	people, err := serviceOnCall(ctx, tx, r.ServiceIDs)
	if err != nil {
		return err
	}
	if r.CreatedBy > 0 && !slices.Contains(people, r.CreatedBy) {
		people = append([]int64{r.CreatedBy}, people...)
	}
	if people == nil {
		people = []int64{}
	}
	pj, _ := json.Marshal(people)
	if _, err := tx.exec(ctx, `UPDATE drill_runs SET state = ?, started_at = ?, participants = ? WHERE id = ?`,
		string(warroom.DrillRunning), tx.now, string(pj), id); err != nil {
		return fmt.Errorf("start drill run: %w", err)
	}
	for i, st := range r.Scenario.Steps {
		if _, err := tx.exec(ctx, `INSERT INTO drill_run_steps (run_id, idx, due_at) VALUES (?, ?, ?)`,
			id, i, tx.now.Add(time.Duration(st.OffsetSeconds)*time.Second)); err != nil {
			return fmt.Errorf("start drill run: %w", err)
		}
	}
	return nil
}

// drillRetry is how long a timeline step waits for the drill's incident
// when its alert has not been routed yet.
const drillRetry = 5 * time.Second

// injectDrillStep injects one step: an alert goes through the ingest
// writer (routing then opens or joins the drill incident), a change or a
// note goes on the drill incident's timeline.
func injectDrillStep(ctx context.Context, tx *tx, w *alertWriter, r *warroom.DrillRun, idx int) error {
	if idx >= len(r.Scenario.Steps) {
		_, err := tx.exec(ctx, `UPDATE drill_run_steps SET done_at = ?, due_at = NULL WHERE run_id = ? AND idx = ?`, tx.now, r.ID, idx)
		return err
	}
	st := r.Scenario.Steps[idx]
	switch st.Kind {
	case warroom.DrillStepAlert, warroom.DrillStepHeartbeat:
		ev := &warroom.AlertEvent{Action: warroom.ActionTrigger, DedupKey: fmt.Sprintf("drill-%d-%d", r.ID, idx), Summary: st.Summary,
			Severity: st.Severity, Labels: map[string]string{warroom.DrillRunLabel: strconv.FormatInt(r.ID, 10), "drill_step": string(st.Kind)}}
		if st.Kind == warroom.DrillStepHeartbeat {
			ev.Labels["monitor"] = "heartbeat"
		}
		if err := ev.Validate(); err != nil {
			return fmt.Errorf("drill step %d: %w", idx, err)
		}
		b := &warroom.AlertBatch{ServiceID: r.ServiceIDs[0], Source: warroom.AlertSourceDrill, Events: []*warroom.AlertEvent{ev}}
		if err := w.write(ctx, b); err != nil {
			return err
		}
	default:
		if r.IncidentID == nil {
			_, err := tx.exec(ctx, `UPDATE drill_run_steps SET due_at = ? WHERE run_id = ? AND idx = ?`, tx.now.Add(drillRetry), r.ID, idx)
			return err
		}
		text := st.Summary
		if st.Kind == warroom.DrillStepChange {
			// Recorded on the drill's timeline, never as a change record:
			// the real change calendar and its policies know nothing of it.
			text = "Change (drill): " + st.Summary
		}
		if _, err := addEvent(ctx, tx, *r.IncidentID, warroom.EventDrill, text, "", map[string]any{
			"run_id": r.ID, "step": idx, "kind": st.Kind, "detail": st.Detail,
		}); err != nil {
			return err
		}
	}
	_, err := tx.exec(ctx, `UPDATE drill_run_steps SET done_at = ? WHERE run_id = ? AND idx = ?`, tx.now, r.ID, idx)
	return err
}

// drillAlertRun returns the run a routed alert belongs to. Only alerts the
// drill module wrote carry one: their dedup scope is "drill", which the
// store gives only to a batch with no integration and no monitor, and an
// event's own source or labels (the sender's to set) cannot give it.
func drillAlertRun(ra *routedAlert) int64 {
	if ra.scope != drillScope {
		return 0
	}
	id, _ := strconv.ParseInt(ra.Labels[warroom.DrillRunLabel], 10, 64)
	return id
}

// placeDrill puts a drill alert on its run's incident, opening the drill
// incident on the first one. Drill alerts skip grouping, flapping and
// storms: they must never join a real incident, nor a real alert a drill.
func (r *router) placeDrill(ctx context.Context, a *warroom.Alert, runID int64) (*placement, error) {
	run, err := findDrillRun(ctx, r.tx, runID, true)
	if err != nil {
		return nil, err
	}
	if run.IncidentID != nil {
		return &placement{incidentID: *run.IncidentID, attach: true}, nil
	}
	if run.State.Ended() {
		return &placement{}, nil
	}
	sc := run.Scenario
	inc := &warroom.Incident{Title: alertTitle(sc.Name, warroom.MaxTitleLen), Summary: sc.Description, Type: sc.Type, Severity: sc.Severity,
		ServiceIDs: run.ServiceIDs, Drill: true, DetectedAt: a.FirstSeenAt, SeverityReason: "severity of drill scenario " + sc.Slug}
	if inc.DetectedAt.After(r.tx.now) {
		inc.DetectedAt = r.tx.now
	}
	if err := inc.Validate(); err != nil {
		return nil, fmt.Errorf("drill incident: %w", err)
	}
	if err := declareIncident(ctx, r.tx, inc); err != nil {
		return nil, err
	}
	if err := addDrillParticipants(ctx, r.tx, inc.ID, run.ParticipantIDs...); err != nil {
		return nil, err
	}
	pos, err := nextTaskPosition(ctx, r.tx, inc.ID)
	if err != nil {
		return nil, err
	}
	for i, title := range sc.SOP {
		if _, err := r.tx.exec(ctx, `INSERT INTO tasks (incident_id, title, position, created_at) VALUES (?, ?, ?, ?)`, inc.ID, title, pos+i, r.tx.now); err != nil {
			return nil, fmt.Errorf("drill tasks: %w", err)
		}
	}
	if _, err := r.tx.exec(ctx, `UPDATE drill_runs SET incident_id = ? WHERE id = ?`, inc.ID, runID); err != nil {
		return nil, fmt.Errorf("drill incident: %w", err)
	}
	if _, err := addEvent(ctx, r.tx, inc.ID, warroom.EventDrill, fmt.Sprintf("Drill run %d of scenario %q opened this incident: %s", runID, sc.Slug, a.Summary), "",
		map[string]any{"run_id": runID, "scenario": sc.Slug, "alert_id": a.ID}); err != nil {
		return nil, err
	}
	return &placement{incidentID: inc.ID, opened: true}, nil
}
