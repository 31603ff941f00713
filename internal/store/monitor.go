package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/warroomhq/warroom"
)

var _ warroom.MonitorService = (*DB)(nil)

const monitorColumns = `id, service_id, name, kind, token, severity, period_seconds, grace_seconds, min_events, window_seconds,
	business_hours, matchers, status, last_check_in_at, due_at, window_start, window_count, created_at, updated_at`

func scanMonitor(s interface{ Scan(...any) error }, extra ...any) (*warroom.Monitor, error) {
	var m warroom.Monitor
	var hours, matchers string
	dest := []any{&m.ID, &m.ServiceID, &m.Name, &m.Kind, &m.Token, &m.Severity, &m.PeriodSeconds, &m.GraceSeconds, &m.MinEvents, &m.WindowSeconds,
		&hours, &matchers, &m.Status, scanNullTime(&m.LastCheckInAt), scanNullTime(&m.DueAt), scanNullTime(&m.WindowStart), &m.WindowCount,
		scanTime(&m.CreatedAt), scanTime(&m.UpdatedAt)}
	if err := s.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(hours), &m.BusinessHours); err != nil {
		return nil, fmt.Errorf("monitor %d: %w", m.ID, err)
	}
	if err := json.Unmarshal([]byte(matchers), &m.Matchers); err != nil {
		return nil, fmt.Errorf("monitor %d: %w", m.ID, err)
	}
	for i := range m.Matchers {
		m.Matchers[i].Validate()
	}
	if m.Matchers == nil {
		m.Matchers = []warroom.Matcher{}
	}
	return &m, nil
}

// findMonitors returns the monitors matching where, ordered by service and
// name, and their total.
func findMonitors(ctx context.Context, tx *tx, where string, args []any, offset, limit int) ([]*warroom.Monitor, int, error) {
	rows, err := tx.query(ctx, `SELECT `+monitorColumns+`, COUNT(*) OVER() FROM monitors WHERE `+where+
		` ORDER BY service_id, name, id LIMIT ? OFFSET ?`, append(args, limit, offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("find monitors: %w", err)
	}
	defer rows.Close()
	var out []*warroom.Monitor
	n := 0
	for rows.Next() {
		m, err := scanMonitor(rows, &n)
		if err != nil {
			return nil, 0, fmt.Errorf("find monitors: %w", err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("find monitors: %w", err)
	}
	rows.Close()
	if err := attachCalendars(ctx, tx, out); err != nil {
		return nil, 0, err
	}
	return out, n, nil
}

// attachCalendars fills the calendar of every flow monitor that follows
// one, loading each calendar once.
func attachCalendars(ctx context.Context, tx *tx, ms []*warroom.Monitor) error {
	cals := map[int64]*warroom.Calendar{}
	for _, m := range ms {
		id := m.BusinessHours.CalendarID
		if id == 0 || m.Kind != warroom.MonitorFlow {
			continue
		}
		if _, ok := cals[id]; !ok {
			c, err := findCalendar(ctx, tx, id)
			if err != nil && warroom.ErrorCode(err) != warroom.ENOTFOUND {
				return err
			}
			cals[id] = c // nil when gone: the monitor falls back to its days
		}
		m.BusinessHours.Calendar = cals[id]
	}
	return nil
}

// findMonitorForChange returns one monitor; on PostgreSQL its row is locked
// by an UPDATE first, so that two check-ins or a check-in and the engine
// take turns.
func findMonitorForChange(ctx context.Context, tx *tx, where string, arg any) (*warroom.Monitor, error) {
	if tx.d.postgres {
		if _, err := tx.exec(ctx, `UPDATE monitors SET updated_at = updated_at WHERE `+where, arg); err != nil {
			return nil, fmt.Errorf("lock monitor: %w", err)
		}
	}
	ms, _, err := findMonitors(ctx, tx, where, []any{arg}, 0, 1)
	if err != nil {
		return nil, err
	} else if len(ms) == 0 {
		return nil, warroom.Errorf(warroom.ENOTFOUND, "Monitor not found.")
	}
	return ms[0], nil
}

// FindMonitorByID returns one monitor.
func (db *DB) FindMonitorByID(ctx context.Context, id int64) (*warroom.Monitor, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	ms, _, err := findMonitors(ctx, tx, "id = ?", []any{id}, 0, 1)
	if err != nil {
		return nil, err
	} else if len(ms) == 0 {
		return nil, warroom.Errorf(warroom.ENOTFOUND, "Monitor %d not found.", id)
	}
	return ms[0], tx.commit()
}

// FindMonitors returns a page of monitors.
func (db *DB) FindMonitors(ctx context.Context, f warroom.MonitorFilter) ([]*warroom.Monitor, int, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer tx.rollback()
	where, args := []string{"1 = 1"}, []any{}
	if f.ServiceID != nil {
		where, args = append(where, "service_id = ?"), append(args, *f.ServiceID)
	}
	if f.Kind != nil {
		where, args = append(where, "kind = ?"), append(args, string(*f.Kind))
	}
	if f.Status != nil {
		where, args = append(where, "status = ?"), append(args, string(*f.Status))
	}
	offset, limit := pageLimits(f.Offset, f.Limit)
	w := strings.Join(where, " AND ")
	out, n, err := findMonitors(ctx, tx, w, args, offset, limit)
	if err != nil {
		return nil, 0, err
	}
	if len(out) == 0 && offset > 0 {
		if n, err = count(ctx, tx, "SELECT COUNT(*) FROM monitors WHERE "+w, args...); err != nil {
			return nil, 0, err
		}
	}
	return out, n, tx.commit()
}

// CreateMonitor adds a monitor.
func (db *DB) CreateMonitor(ctx context.Context, m *warroom.Monitor) error {
	if m == nil {
		return warroom.Errorf(warroom.EINVALID, "A monitor is required.")
	}
	if err := m.Validate(); err != nil {
		return err
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	if err := checkServices(ctx, tx, []int64{m.ServiceID}); err != nil {
		return err
	}
	if id := m.BusinessHours.CalendarID; id != 0 && m.Kind == warroom.MonitorFlow {
		if m.BusinessHours.Calendar, err = calendarRef(ctx, tx, id, "business_hours.calendar_id"); err != nil {
			return err
		}
	}
	m.Token, m.Status, m.CreatedAt, m.UpdatedAt = newKey(), warroom.MonitorUp, tx.now, tx.now
	m.LastCheckInAt, m.DueAt, m.WindowStart, m.WindowCount = nil, nil, nil, 0
	if m.Kind == warroom.MonitorHeartbeat {
		due := tx.now.Add(m.Period() + m.Grace())
		m.DueAt = &due
	} else {
		m.AdvanceFlow(tx.now)
	}
	if m.Matchers == nil {
		m.Matchers = []warroom.Matcher{}
	}
	hours, err1 := json.Marshal(m.BusinessHours)
	matchers, err2 := json.Marshal(m.Matchers)
	if err1 != nil || err2 != nil {
		return fmt.Errorf("create monitor: %v %v", err1, err2)
	}
	m.ID, err = tx.insert(ctx, `INSERT INTO monitors (service_id, name, kind, token, severity, period_seconds, grace_seconds, min_events,
		window_seconds, business_hours, matchers, status, due_at, window_start, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		m.ServiceID, m.Name, string(m.Kind), m.Token, string(m.Severity), m.PeriodSeconds, m.GraceSeconds, m.MinEvents,
		m.WindowSeconds, string(hours), string(matchers), string(m.Status), m.DueAt, m.WindowStart, tx.now, tx.now)
	if err != nil {
		return fmt.Errorf("create monitor: %w", err)
	}
	audit := *m
	audit.Token = ""
	if err := writeAudit(ctx, tx, warroom.AuditMonitorCreate, "monitor", m.ID, audit); err != nil {
		return err
	}
	return tx.commit()
}

// DeleteMonitor removes a monitor and resolves its open alert. Guarded by
// OpMonitorDelete: a heartbeat is what notices a job that stopped.
func (db *DB) DeleteMonitor(ctx context.Context, id int64) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	if err := guard(ctx, tx, warroom.OpMonitorDelete); err != nil {
		return err
	}
	if err := deleteMonitor(ctx, tx, id); err != nil {
		return err
	}
	return tx.commit()
}

func deleteMonitor(ctx context.Context, tx *tx, id int64) error {
	m, err := findMonitorForChange(ctx, tx, "id = ?", id)
	if err != nil {
		return err
	}
	if err := monitorAlert(ctx, tx, m, warroom.ActionResolve, ""); err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `DELETE FROM monitors WHERE id = ?`, id); err != nil {
		return fmt.Errorf("delete monitor: %w", err)
	}
	return writeAudit(ctx, tx, warroom.AuditMonitorDelete, "monitor", id, map[string]any{"name": m.Name, "service_id": m.ServiceID})
}

// CheckIn records a check-in.
func (db *DB) CheckIn(ctx context.Context, token string) (*warroom.Monitor, error) {
	if token == "" || len(token) > 64 {
		return nil, warroom.Errorf(warroom.ENOTFOUND, "Monitor not found.")
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	m, err := findMonitorForChange(ctx, tx, "token = ?", token)
	if err != nil {
		return nil, err
	}
	m.LastCheckInAt = &tx.now
	if m.Kind == warroom.MonitorHeartbeat {
		due := tx.now.Add(m.Period() + m.Grace())
		m.DueAt = &due
		if m.Status == warroom.MonitorDown {
			if err := setMonitorStatus(ctx, tx, m, warroom.MonitorUp, ""); err != nil {
				return nil, err
			}
		}
	} else {
		if err := judgeFlow(ctx, tx, m); err != nil {
			return nil, err
		}
		if m.WindowStart != nil {
			m.WindowCount++
		}
	}
	if err := saveMonitor(ctx, tx, m); err != nil {
		return nil, err
	}
	return m, tx.commit()
}

// CheckMonitors raises and resolves monitor alerts due at now. Two
// instances doing it at once cannot raise an alert twice: the alert upsert
// merges them into one.
func (db *DB) CheckMonitors(ctx context.Context, now time.Time) (warroom.MonitorReport, error) {
	var rep warroom.MonitorReport
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return rep, err
	}
	defer tx.rollback()
	tx.now = now.UTC().Truncate(time.Microsecond)
	late, _, err := findMonitors(ctx, tx, `kind = 'heartbeat' AND status = 'up' AND due_at <= ?`, []any{tx.now}, 0, warroom.MaxPageSize)
	if err != nil {
		return rep, err
	}
	for _, m := range late {
		since := m.CreatedAt
		if m.LastCheckInAt != nil {
			since = *m.LastCheckInAt
		}
		text := fmt.Sprintf("%s: no check-in since %s (expected every %s)", m.Name, since.Format(time.RFC3339), m.Period())
		if err := setMonitorStatus(ctx, tx, m, warroom.MonitorDown, text); err != nil {
			return rep, err
		}
		if err := saveMonitor(ctx, tx, m); err != nil {
			return rep, err
		}
		rep.Down++
	}
	flows, _, err := findMonitors(ctx, tx, `kind = 'flow'`, nil, 0, warroom.MaxPageSize)
	if err != nil {
		return rep, err
	}
	for _, m := range flows {
		before, start := m.Status, m.WindowStart
		if err := judgeFlow(ctx, tx, m); err != nil {
			return rep, err
		}
		switch {
		case before == warroom.MonitorUp && m.Status == warroom.MonitorDown:
			rep.Down++
		case before == warroom.MonitorDown && m.Status == warroom.MonitorUp:
			rep.Up++
		case m.WindowStart == start:
			continue // nothing changed: no write
		}
		if err := saveMonitor(ctx, tx, m); err != nil {
			return rep, err
		}
	}
	return rep, tx.commit()
}

// judgeFlow advances a flow monitor's window and, when one closed, raises
// its alert if the window fell short or resolves it if it did not.
func judgeFlow(ctx context.Context, tx *tx, m *warroom.Monitor) error {
	start, count := m.WindowStart, m.WindowCount
	closed, short := m.AdvanceFlow(tx.now)
	switch {
	case closed && short && m.Status == warroom.MonitorUp:
		what := "check-ins"
		if len(m.Matchers) > 0 {
			what = "matching alerts"
		}
		return setMonitorStatus(ctx, tx, m, warroom.MonitorDown, fmt.Sprintf("%s: %d %s between %s and %s, expected at least %d",
			m.Name, count, what, start.Format(time.RFC3339), start.Add(m.Window()).Format(time.RFC3339), m.MinEvents))
	case closed && !short && m.Status == warroom.MonitorDown:
		return setMonitorStatus(ctx, tx, m, warroom.MonitorUp, "")
	}
	return nil
}

// setMonitorStatus raises (down) or resolves (up) the monitor's alert.
func setMonitorStatus(ctx context.Context, tx *tx, m *warroom.Monitor, s warroom.MonitorStatus, summary string) error {
	m.Status = s
	action := warroom.ActionResolve
	if s == warroom.MonitorDown {
		action = warroom.ActionTrigger
	}
	return monitorAlert(ctx, tx, m, action, summary)
}

// monitorAlert writes the monitor's alert through the same path as
// ingested ones, so that routing, grouping and maintenance apply alike.
func monitorAlert(ctx context.Context, tx *tx, m *warroom.Monitor, action warroom.AlertAction, summary string) error {
	ev := &warroom.AlertEvent{Action: action, DedupKey: m.DedupKey(), Summary: summary, Source: string(m.Kind), Severity: m.Severity,
		Labels: map[string]string{"monitor": m.Name, "monitor_kind": string(m.Kind)}}
	if err := ev.Validate(); err != nil {
		return err
	}
	w := newAlertWriter(tx, nil)
	if err := w.write(ctx, &warroom.AlertBatch{MonitorID: m.ID, ServiceID: m.ServiceID, Source: string(m.Kind), Events: []*warroom.AlertEvent{ev}}); err != nil {
		return err
	}
	return w.flush(ctx)
}

func saveMonitor(ctx context.Context, tx *tx, m *warroom.Monitor) error {
	m.UpdatedAt = tx.now
	_, err := tx.exec(ctx, `UPDATE monitors SET status = ?, last_check_in_at = ?, due_at = ?, window_start = ?, window_count = ?, updated_at = ? WHERE id = ?`,
		string(m.Status), m.LastCheckInAt, m.DueAt, m.WindowStart, m.WindowCount, tx.now, m.ID)
	if err != nil {
		return fmt.Errorf("save monitor: %w", err)
	}
	return nil
}
