package warroom

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Rotation is how often a schedule layer hands over to the next person.
type Rotation string

// Rotations. Daily and weekly hand over at the same wall-clock time in the
// schedule's time zone, so a shift across a DST change lasts 23 or 25 hours;
// hourly and custom shifts are fixed lengths of real time.
const (
	RotationHourly Rotation = "hourly"
	RotationDaily  Rotation = "daily"
	RotationWeekly Rotation = "weekly"
	RotationCustom Rotation = "custom"
)

// StartLayout is how a layer's first hand-off is written: wall-clock time in
// the schedule's time zone, without an offset, because the offset depends
// on the date.
const StartLayout = "2006-01-02T15:04"

// ScheduleLayer is one rotation of people. Higher layers (later in the
// list) win where they have someone on call.
type ScheduleLayer struct {
	Name     string   `json:"name"`
	Rotation Rotation `json:"rotation"`
	// ShiftSeconds is the shift length of a custom rotation.
	ShiftSeconds int64 `json:"shift_seconds,omitempty"`
	// Start is the first hand-off, in StartLayout, local to the schedule.
	Start   string  `json:"start"`
	UserIDs []int64 `json:"user_ids"`
}

// Schedule says who is on call when. Overrides and swaps are kept
// separately and applied on top of the layers.
type Schedule struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	// Team lets an escalation level page every schedule of a team.
	Team      string          `json:"team"`
	TimeZone  string          `json:"time_zone"`
	Layers    []ScheduleLayer `json:"layers"`
	CreatedAt time.Time       `json:"created_at"`
	UpdatedAt time.Time       `json:"updated_at"`
}

// Validate checks the schedule and every layer, naming the offending one.
func (s *Schedule) Validate() error {
	if strings.TrimSpace(s.Name) == "" || utf8.RuneCountInString(s.Name) > MaxTitleLen {
		return FieldErrorf("name", "must be 1 to %d characters", MaxTitleLen)
	} else if utf8.RuneCountInString(s.Description) > MaxTextLen {
		return FieldErrorf("description", "must be at most %d characters", MaxTextLen)
	} else if utf8.RuneCountInString(s.Team) > MaxTitleLen {
		return FieldErrorf("team", "must be at most %d characters", MaxTitleLen)
	}
	if s.TimeZone == "" {
		s.TimeZone = "UTC"
	}
	loc, err := time.LoadLocation(s.TimeZone)
	if err != nil || len(s.TimeZone) > 64 {
		return FieldErrorf("time_zone", "unknown time zone %q", s.TimeZone)
	}
	if len(s.Layers) == 0 || len(s.Layers) > 10 {
		return FieldErrorf("layers", "must have 1 to 10 layers")
	}
	for i := range s.Layers {
		l := &s.Layers[i]
		f := fmt.Sprintf("layers[%d]", i)
		if utf8.RuneCountInString(l.Name) > 100 {
			return FieldErrorf(f+".name", "must be at most 100 characters")
		}
		switch l.Rotation {
		case RotationHourly, RotationDaily, RotationWeekly:
			l.ShiftSeconds = 0
		case RotationCustom:
			if l.ShiftSeconds < 15*60 || l.ShiftSeconds > 90*24*3600 {
				return FieldErrorf(f+".shift_seconds", "must be 900 (15 minutes) to 7776000 (90 days)")
			}
		default:
			return FieldErrorf(f+".rotation", "unknown rotation %q (want hourly, daily, weekly or custom)", l.Rotation)
		}
		if _, err := time.ParseInLocation(StartLayout, l.Start, loc); err != nil {
			return FieldErrorf(f+".start", "must be local time such as 2025-03-01T09:00")
		}
		if len(l.UserIDs) == 0 || len(l.UserIDs) > 100 {
			return FieldErrorf(f+".user_ids", "must list 1 to 100 users")
		}
		for _, id := range l.UserIDs {
			if id <= 0 {
				return FieldErrorf(f+".user_ids", "%d is not a user ID", id)
			}
		}
	}
	return nil
}

// ScheduleOverride puts UserID on call for [Start, End), in place of
// ReplacesUserID or, when that is 0, in place of whoever the layers name.
type ScheduleOverride struct {
	ID             int64     `json:"id"`
	ScheduleID     int64     `json:"schedule_id"`
	UserID         int64     `json:"user_id"`
	ReplacesUserID int64     `json:"replaces_user_id"`
	Start          time.Time `json:"start"`
	End            time.Time `json:"end"`
	CreatedBy      int64     `json:"created_by"`
	CreatedAt      time.Time `json:"created_at"`
}

// MaxOverride bounds an override or swap: anything longer is a change of
// the rotation, not an exception to it.
const MaxOverride = 90 * 24 * time.Hour

// Validate checks the override's user and window.
func (o *ScheduleOverride) Validate() error {
	if o.UserID <= 0 {
		return FieldErrorf("user_id", "is required")
	} else if o.ReplacesUserID < 0 {
		return FieldErrorf("replaces_user_id", "must not be negative")
	}
	return validateShiftWindow(o.Start, o.End)
}

func validateShiftWindow(start, end time.Time) error {
	if start.IsZero() {
		return FieldErrorf("start", "is required")
	} else if !end.After(start) {
		return FieldErrorf("end", "must be after start")
	} else if end.Sub(start) > MaxOverride {
		return FieldErrorf("end", "must be at most 90 days after start")
	}
	return nil
}

// SwapState is where a shift swap stands.
type SwapState string

// Swap states: a swap is requested by the person on call and takes effect
// only when the other person accepts.
const (
	SwapRequested SwapState = "requested"
	SwapAccepted  SwapState = "accepted"
	SwapDeclined  SwapState = "declined"
)

// ShiftSwap asks ToUserID to cover FromUserID's shifts during [Start, End).
type ShiftSwap struct {
	ID         int64      `json:"id"`
	ScheduleID int64      `json:"schedule_id"`
	FromUserID int64      `json:"from_user_id"`
	ToUserID   int64      `json:"to_user_id"`
	Start      time.Time  `json:"start"`
	End        time.Time  `json:"end"`
	State      SwapState  `json:"state"`
	CreatedAt  time.Time  `json:"created_at"`
	DecidedAt  *time.Time `json:"decided_at"`
}

// Validate checks the swap's people and window.
func (s *ShiftSwap) Validate() error {
	if s.ToUserID <= 0 {
		return FieldErrorf("to_user_id", "is required")
	} else if s.ToUserID == s.FromUserID {
		return FieldErrorf("to_user_id", "must be someone else")
	}
	return validateShiftWindow(s.Start, s.End)
}

// OnCallShift is a stretch of time one user is on call on a schedule.
type OnCallShift struct {
	ScheduleID   int64     `json:"schedule_id"`
	ScheduleName string    `json:"schedule_name"`
	UserID       int64     `json:"user_id"`
	UserName     string    `json:"user_name"`
	Start        time.Time `json:"start"`
	End          time.Time `json:"end"`
	// Layer names the rotation, or is empty for an override or swap.
	Layer    string `json:"layer"`
	Override bool   `json:"override"`
}

// Schedule audit actions.
const (
	AuditScheduleCreate   AuditAction = "schedule.create"
	AuditScheduleReplace  AuditAction = "schedule.replace"
	AuditOverrideCreate   AuditAction = "schedule.override.create"
	AuditOverrideDelete   AuditAction = "schedule.override.delete"
	AuditSwapRequest      AuditAction = "schedule.swap.request"
	AuditSwapDecide       AuditAction = "schedule.swap.decide"
	AuditServicePolicySet AuditAction = "service.escalation_policy"
)

// ScheduleService manages on-call schedules and answers who is on call.
type ScheduleService interface {
	// FindSchedules lists every schedule by name.
	FindSchedules(ctx context.Context) ([]*Schedule, error)

	// FindScheduleByID returns ENOTFOUND.
	FindScheduleByID(ctx context.Context, id int64) (*Schedule, error)

	// CreateSchedule adds a schedule.
	// Returns EINVALID, ENOTFOUND for an unknown user.
	CreateSchedule(ctx context.Context, s *Schedule) error

	// ReplaceSchedule replaces a schedule's fields and layers.
	// Returns ENOTFOUND, EINVALID.
	ReplaceSchedule(ctx context.Context, id int64, s *Schedule) error

	// FindScheduleOverrides lists overrides that overlap [from, to).
	// Returns ENOTFOUND.
	FindScheduleOverrides(ctx context.Context, scheduleID int64, from, to time.Time) ([]*ScheduleOverride, error)

	// CreateScheduleOverride adds an override.
	// Returns ENOTFOUND, EINVALID.
	CreateScheduleOverride(ctx context.Context, o *ScheduleOverride) error

	// DeleteScheduleOverride removes an override.
	// Returns ENOTFOUND.
	DeleteScheduleOverride(ctx context.Context, scheduleID, id int64) error

	// RequestShiftSwap records a swap requested by the user in ctx.
	// Returns ENOTFOUND, EINVALID.
	RequestShiftSwap(ctx context.Context, s *ShiftSwap) error

	// DecideShiftSwap accepts or declines a requested swap; only its
	// ToUserID (or an admin) may.
	// Returns ENOTFOUND, EFORBIDDEN, ECONFLICT when already decided.
	DecideShiftSwap(ctx context.Context, scheduleID, id int64, accept bool) (*ShiftSwap, error)

	// FindShiftSwaps lists a schedule's swaps overlapping [from, to).
	FindShiftSwaps(ctx context.Context, scheduleID int64, from, to time.Time) ([]*ShiftSwap, error)

	// FindShifts returns who is on call on a schedule during [from, to),
	// overrides and swaps applied, in time order.
	// Returns ENOTFOUND, EINVALID for a window over 92 days.
	FindShifts(ctx context.Context, scheduleID int64, from, to time.Time) ([]*OnCallShift, error)

	// FindOnCall returns who is on call at t on every schedule (or on one
	// when scheduleID is not 0), with each shift's bounds.
	FindOnCall(ctx context.Context, scheduleID int64, t time.Time) ([]*OnCallShift, error)
}
