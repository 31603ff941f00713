package warroom

import (
	"context"
	"time"
	"unicode/utf8"
)

// MaxMaintenance bounds a maintenance window: longer silences are how
// alerts get forgotten.
const MaxMaintenance = 14 * 24 * time.Hour

// MaintenanceWindow silences a service for a while: alerts that arrive
// during it are stored and shown, but open no incident and page no one.
type MaintenanceWindow struct {
	ID        int64     `json:"id"`
	ServiceID int64     `json:"service_id"`
	StartsAt  time.Time `json:"starts_at"`
	EndsAt    time.Time `json:"ends_at"`
	Reason    string    `json:"reason"`
	CreatedBy int64     `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// Validate checks the window.
func (w *MaintenanceWindow) Validate() error {
	if w.ServiceID <= 0 {
		return FieldErrorf("service_id", "is required")
	} else if w.StartsAt.IsZero() {
		return FieldErrorf("starts_at", "is required")
	} else if !w.EndsAt.After(w.StartsAt) {
		return FieldErrorf("ends_at", "must be after starts_at")
	} else if w.EndsAt.Sub(w.StartsAt) > MaxMaintenance {
		return FieldErrorf("ends_at", "a window lasts at most %d days", int(MaxMaintenance/(24*time.Hour)))
	} else if utf8.RuneCountInString(w.Reason) > MaxTextLen {
		return FieldErrorf("reason", "must be at most %d characters", MaxTextLen)
	}
	return nil
}

// Covers reports whether t falls in [StartsAt, EndsAt).
func (w *MaintenanceWindow) Covers(t time.Time) bool {
	return !t.Before(w.StartsAt) && t.Before(w.EndsAt)
}

// MaintenanceFilter selects windows.
type MaintenanceFilter struct {
	ServiceID *int64
	// ActiveAt returns only windows covering this instant.
	ActiveAt *time.Time
	// EndedAfter returns only windows ending after this instant: the
	// current and upcoming ones.
	EndedAfter *time.Time

	Offset int
	Limit  int
}

// MaintenanceService manages maintenance windows.
type MaintenanceService interface {
	// FindMaintenanceWindows returns a page ordered by start, latest first,
	// and the total.
	FindMaintenanceWindows(ctx context.Context, filter MaintenanceFilter) ([]*MaintenanceWindow, int, error)

	// CreateMaintenanceWindow adds a window.
	// Returns EINVALID, ENOTFOUND for the service.
	CreateMaintenanceWindow(ctx context.Context, w *MaintenanceWindow) error

	// EndMaintenanceWindow ends a window now (or deletes one not yet begun).
	// Returns ENOTFOUND, ECONFLICT when it is already over.
	EndMaintenanceWindow(ctx context.Context, id int64) (*MaintenanceWindow, error)
}

// Audit actions of maintenance windows.
const (
	AuditMaintenanceWindowCreate AuditAction = "maintenance_window.create"
	AuditMaintenanceWindowEnd    AuditAction = "maintenance_window.end"
)
