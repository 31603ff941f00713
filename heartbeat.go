package warroom

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// MonitorKind says what a monitor expects.
type MonitorKind string

// Monitor kinds.
const (
	// MonitorHeartbeat expects a check-in at least every period (plus
	// grace): a backup job, a cron, a queue consumer (seed 002).
	MonitorHeartbeat MonitorKind = "heartbeat"
	// MonitorFlow expects at least MinEvents events in every window during
	// business hours: leads dispatched, orders taken (seed 000).
	MonitorFlow MonitorKind = "flow"
)

// MonitorStatus is a monitor's state.
type MonitorStatus string

// Monitor statuses.
const (
	MonitorUp   MonitorStatus = "up"
	MonitorDown MonitorStatus = "down"
)

// BusinessHours are the days and hours a flow monitor watches, in a time
// zone. Empty Days means every day; empty Start and End mean all day.
type BusinessHours struct {
	// Days are 0 (Sunday) to 6 (Saturday).
	Days     []int  `json:"days"`
	Start    string `json:"start"` // "09:00"
	End      string `json:"end"`   // "18:00"; "24:00" is midnight
	TimeZone string `json:"time_zone"`
	// CalendarID, when set, makes the days follow a working calendar:
	// its holidays and days off are not watched even when in Days, and
	// its make-up workdays are watched even when not (a Sunday before
	// Spring Festival). The store fills Calendar from it.
	CalendarID int64     `json:"calendar_id,omitempty"`
	Calendar   *Calendar `json:"-"`
}

// parseClock reads "HH:MM" as minutes after midnight.
func parseClock(s string, def int) (int, error) {
	if s == "" {
		return def, nil
	}
	var h, m int
	if n, err := fmt.Sscanf(s, "%d:%d", &h, &m); err != nil || n != 2 || len(s) != 5 || h < 0 || h > 24 || m < 0 || m > 59 || (h == 24 && m != 0) {
		return 0, fmt.Errorf("%q is not a time of day such as 09:30", s)
	}
	return h*60 + m, nil
}

// Validate checks days, times and the zone.
func (b *BusinessHours) Validate() error {
	for _, d := range b.Days {
		if d < 0 || d > 6 {
			return FieldErrorf("business_hours.days", "days are 0 (Sunday) to 6 (Saturday), got %d", d)
		}
	}
	start, err := parseClock(b.Start, 0)
	if err != nil {
		return FieldErrorf("business_hours.start", "%v", err)
	}
	end, err := parseClock(b.End, 24*60)
	if err != nil {
		return FieldErrorf("business_hours.end", "%v", err)
	}
	if end <= start {
		return FieldErrorf("business_hours.end", "must be after start")
	}
	if _, err := time.LoadLocation(b.TimeZone); err != nil {
		return FieldErrorf("business_hours.time_zone", "unknown time zone %q", b.TimeZone)
	}
	if b.CalendarID < 0 {
		return FieldErrorf("business_hours.calendar_id", "must be a calendar's ID")
	}
	return nil
}

// watches reports whether the local day of lt is watched: the calendar's
// dated day when it has one, else Days (empty: every day).
func (b *BusinessHours) watches(lt time.Time) bool {
	if b.Calendar != nil {
		y, m, d := lt.Date()
		if day, ok := b.Calendar.Day(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)); ok {
			return day.Kind == DayWorkday
		}
	}
	if len(b.Days) == 0 {
		return true
	}
	for _, d := range b.Days {
		if time.Weekday(d) == lt.Weekday() {
			return true
		}
	}
	return false
}

// WindowAt returns the start of the window of length w that holds t.
// Windows are laid end to end from the day's start hour; ok is false
// outside business hours and in a last window that would run past the
// end hour, so that a short window at closing time never fires.
func (b *BusinessHours) WindowAt(t time.Time, w time.Duration) (start time.Time, ok bool) {
	loc, err := time.LoadLocation(b.TimeZone)
	if err != nil || w <= 0 {
		return time.Time{}, false
	}
	lt := t.In(loc)
	if !b.watches(lt) {
		return time.Time{}, false
	}
	sm, _ := parseClock(b.Start, 0)
	em, _ := parseClock(b.End, 24*60)
	y, mo, d := lt.Date()
	// time.Date with the zone keeps wall-clock hours right across DST.
	dayStart := time.Date(y, mo, d, sm/60, sm%60, 0, 0, loc)
	dayEnd := time.Date(y, mo, d, em/60, em%60, 0, 0, loc)
	if lt.Before(dayStart) || !lt.Before(dayEnd) {
		return time.Time{}, false
	}
	k := lt.Sub(dayStart) / w
	start = dayStart.Add(k * w)
	if start.Add(w).After(dayEnd) {
		return time.Time{}, false
	}
	return start.UTC(), true
}

// Monitor watches for a signal that should keep coming and raises an alert
// on its service when it stops.
type Monitor struct {
	ID        int64       `json:"id"`
	ServiceID int64       `json:"service_id"`
	Name      string      `json:"name"`
	Kind      MonitorKind `json:"kind"`
	// Token is the secret part of the check-in URL, /ingest/heartbeat/{token}.
	Token string `json:"token"`
	// Severity is given to the alert the monitor raises.
	Severity AlertSeverity `json:"severity"`

	// Heartbeat: a check-in is due every PeriodSeconds, late after
	// GraceSeconds more.
	PeriodSeconds int `json:"period_seconds"`
	GraceSeconds  int `json:"grace_seconds"`

	// Flow: at least MinEvents in every window of WindowSeconds during
	// BusinessHours. Events are check-ins, or, when Matchers are set,
	// alerts on the service that match them all.
	MinEvents     int           `json:"min_events"`
	WindowSeconds int           `json:"window_seconds"`
	BusinessHours BusinessHours `json:"business_hours"`
	Matchers      []Matcher     `json:"matchers"`

	Status        MonitorStatus `json:"status"`
	LastCheckInAt *time.Time    `json:"last_check_in_at"`
	// DueAt is when a heartbeat monitor goes down without a check-in.
	DueAt *time.Time `json:"due_at"`
	// WindowStart and WindowCount are the flow monitor's current window.
	WindowStart *time.Time `json:"window_start"`
	WindowCount int64      `json:"window_count"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
}

// Period and Grace as durations.
func (m *Monitor) Period() time.Duration { return time.Duration(m.PeriodSeconds) * time.Second }

// Grace is how late a check-in may be.
func (m *Monitor) Grace() time.Duration { return time.Duration(m.GraceSeconds) * time.Second }

// Window is the flow monitor's window.
func (m *Monitor) Window() time.Duration { return time.Duration(m.WindowSeconds) * time.Second }

// DedupKey is the key of the alert the monitor raises, so that a monitor
// has at most one open alert.
func (m *Monitor) DedupKey() string { return fmt.Sprintf("monitor-%d", m.ID) }

// AdvanceFlow moves a flow monitor's window up to now. closed reports that
// the window being counted has ended, short that it ended with fewer than
// MinEvents. Check-ins and the engine both call it before they count or
// judge, so that they always agree on the window.
func (m *Monitor) AdvanceFlow(now time.Time) (closed, short bool) {
	if m.WindowStart != nil && !now.Before(m.WindowStart.Add(m.Window())) {
		closed, short = true, m.WindowCount < int64(m.MinEvents)
		m.WindowStart, m.WindowCount = nil, 0
	}
	if m.WindowStart == nil {
		if ws, ok := m.BusinessHours.WindowAt(now, m.Window()); ok {
			m.WindowStart = &ws
		}
	}
	return closed, short
}

// Validate checks the fields of the monitor's kind.
func (m *Monitor) Validate() error {
	m.Name = strings.TrimSpace(m.Name)
	if m.ServiceID <= 0 {
		return FieldErrorf("service_id", "is required")
	} else if m.Name == "" {
		return FieldErrorf("name", "is required")
	} else if utf8.RuneCountInString(m.Name) > MaxTitleLen {
		return FieldErrorf("name", "must be at most %d characters", MaxTitleLen)
	}
	if m.Severity == "" {
		m.Severity = AlertCritical
	}
	if !m.Severity.Valid() {
		return FieldErrorf("severity", "must be critical, error, warning or info")
	}
	const week = 7 * 24 * 3600
	switch m.Kind {
	case MonitorHeartbeat:
		if m.PeriodSeconds < 10 || m.PeriodSeconds > 5*week {
			return FieldErrorf("period_seconds", "must be 10 seconds to 5 weeks")
		} else if m.GraceSeconds < 0 || m.GraceSeconds > week {
			return FieldErrorf("grace_seconds", "must be 0 to a week")
		}
	case MonitorFlow:
		if m.MinEvents < 1 {
			return FieldErrorf("min_events", "must be at least 1")
		} else if m.WindowSeconds < 60 || m.WindowSeconds > 24*3600 {
			return FieldErrorf("window_seconds", "must be a minute to a day")
		} else if err := m.BusinessHours.Validate(); err != nil {
			return err
		}
		for i := range m.Matchers {
			if err := m.Matchers[i].Validate(); err != nil {
				return err
			}
		}
	default:
		return FieldErrorf("kind", "must be heartbeat or flow, got %q", m.Kind)
	}
	return nil
}

// MonitorFilter selects monitors.
type MonitorFilter struct {
	ServiceID *int64
	Kind      *MonitorKind
	Status    *MonitorStatus

	Offset int
	Limit  int
}

// MonitorReport is what one pass of CheckMonitors did.
type MonitorReport struct {
	Down int // alerts raised
	Up   int // alerts resolved
}

// MonitorService manages heartbeat and flow monitors.
type MonitorService interface {
	// FindMonitorByID returns ENOTFOUND.
	FindMonitorByID(ctx context.Context, id int64) (*Monitor, error)

	// FindMonitors returns a page ordered by service and name, and the total.
	FindMonitors(ctx context.Context, filter MonitorFilter) ([]*Monitor, int, error)

	// CreateMonitor adds a monitor and fills ID, Token, Status and times. A
	// heartbeat is due one period plus grace after creation, so that a job
	// that never starts is noticed too.
	// Returns EINVALID, ENOTFOUND for the service.
	CreateMonitor(ctx context.Context, m *Monitor) error

	// DeleteMonitor removes a monitor and resolves its open alert.
	// Returns ENOTFOUND.
	DeleteMonitor(ctx context.Context, id int64) error

	// CheckIn records a check-in: a heartbeat becomes due again one period
	// later and its open alert resolves; a flow monitor counts it.
	// Returns ENOTFOUND for an unknown token.
	CheckIn(ctx context.Context, token string) (*Monitor, error)

	// CheckMonitors raises alerts for heartbeats past due and flow windows
	// that closed short, and resolves flow alerts whose window was met. It
	// is what the engine runs.
	CheckMonitors(ctx context.Context, now time.Time) (MonitorReport, error)
}

// Audit actions of monitors.
const (
	AuditMonitorCreate AuditAction = "monitor.create"
	AuditMonitorDelete AuditAction = "monitor.delete"
)
