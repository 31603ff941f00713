package warroom

import (
	"context"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// Service is an entry in the service catalog: something that can break and
// that a team owns.
type Service struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Team        string `json:"team"`
	// Tier is the criticality: 1 for the most critical, up to 4.
	Tier int `json:"tier"`
	// AlertHandling says what the service's alerts do to its incidents;
	// nil on a new service means DefaultAlertHandling.
	AlertHandling *AlertHandling `json:"alert_handling"`
	CreatedAt     time.Time      `json:"created_at"`
	UpdatedAt     time.Time      `json:"updated_at"`
}

// AlertHandling is a service's storm control and how its alerts' state
// reaches the incidents they opened.
type AlertHandling struct {
	// ResolveIncidents resolves an incident opened by alerts once every
	// alert on it has resolved, as PagerDuty does. Off, the incident stays
	// open for a person to resolve; escalation stops either way.
	ResolveIncidents bool `json:"resolve_incidents"`
	// An alert whose key fires more than FlapThreshold times within
	// FlapWindowSeconds is flapping: it joins the key's last incident and
	// pages nobody. 0 turns flap detection off.
	FlapThreshold     int `json:"flap_threshold"`
	FlapWindowSeconds int `json:"flap_window_seconds"`
	// Once alerts have opened StormThreshold incidents on the service within
	// StormWindowSeconds, further alerts that would open one join a single
	// "alert storm" incident instead, which pages once. 0 turns the guard off.
	StormThreshold     int `json:"storm_threshold"`
	StormWindowSeconds int `json:"storm_window_seconds"`
}

// DefaultAlertHandling is what a new service gets.
func DefaultAlertHandling() *AlertHandling {
	return &AlertHandling{ResolveIncidents: true, FlapThreshold: 5, FlapWindowSeconds: 3600, StormThreshold: 20, StormWindowSeconds: 300}
}

// Validate checks the bounds.
func (h *AlertHandling) Validate() error {
	const day = 24 * 3600
	switch {
	case h.FlapThreshold < 0 || h.FlapThreshold > 1000:
		return FieldErrorf("alert_handling.flap_threshold", "must be 0 (off) to 1000")
	case h.FlapWindowSeconds < 0 || h.FlapWindowSeconds > day:
		return FieldErrorf("alert_handling.flap_window_seconds", "must be 0 to %d", day)
	case h.FlapThreshold > 0 && h.FlapWindowSeconds == 0:
		return FieldErrorf("alert_handling.flap_window_seconds", "is required when flap_threshold is set")
	case h.StormThreshold < 0 || h.StormThreshold > 100000:
		return FieldErrorf("alert_handling.storm_threshold", "must be 0 (off) to 100000")
	case h.StormWindowSeconds < 0 || h.StormWindowSeconds > day:
		return FieldErrorf("alert_handling.storm_window_seconds", "must be 0 to %d", day)
	case h.StormThreshold > 0 && h.StormWindowSeconds == 0:
		return FieldErrorf("alert_handling.storm_window_seconds", "is required when storm_threshold is set")
	}
	return nil
}

// serviceName keeps names usable in URLs, labels and CLI flags.
var serviceName = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,62}$`)

// Validate checks the service fields.
func (s *Service) Validate() error {
	if !serviceName.MatchString(s.Name) {
		return FieldErrorf("name", "must be 1 to 63 lowercase letters, digits, '.', '_' or '-', starting with a letter or digit")
	} else if utf8.RuneCountInString(s.Description) > MaxTextLen {
		return FieldErrorf("description", "must be at most %d characters", MaxTextLen)
	} else if utf8.RuneCountInString(s.Team) > MaxTitleLen {
		return FieldErrorf("team", "must be at most %d characters", MaxTitleLen)
	} else if s.Tier < 1 || s.Tier > 4 {
		return FieldErrorf("tier", "must be 1 (most critical) to 4")
	}
	if s.AlertHandling != nil {
		return s.AlertHandling.Validate()
	}
	return nil
}

// ServiceFilter selects services.
type ServiceFilter struct {
	ID    *int64
	Name  *string
	Team  *string
	Query *string

	Offset int
	Limit  int
}

// ServiceUpdate changes a service; nil fields are left alone.
type ServiceUpdate struct {
	Name        *string `json:"name"`
	Description *string `json:"description"`
	Team        *string `json:"team"`
	Tier        *int    `json:"tier"`
	// AlertHandling replaces the whole setting when given.
	AlertHandling *AlertHandling `json:"alert_handling"`
}

// Apply copies the set fields onto s.
func (u *ServiceUpdate) Apply(s *Service) {
	if u.Name != nil {
		s.Name = strings.TrimSpace(*u.Name)
	}
	if u.Description != nil {
		s.Description = *u.Description
	}
	if u.Team != nil {
		s.Team = *u.Team
	}
	if u.Tier != nil {
		s.Tier = *u.Tier
	}
	if u.AlertHandling != nil {
		h := *u.AlertHandling
		s.AlertHandling = &h
	}
}

// ServiceCatalog manages services.
type ServiceCatalog interface {
	// FindServiceByID returns ENOTFOUND.
	FindServiceByID(ctx context.Context, id int64) (*Service, error)

	// FindServiceByName returns ENOTFOUND.
	FindServiceByName(ctx context.Context, name string) (*Service, error)

	// FindServices returns a page of services ordered by name and the total.
	FindServices(ctx context.Context, filter ServiceFilter) ([]*Service, int, error)

	// CreateService adds a service.
	// Returns EINVALID, ECONFLICT when the name is taken.
	CreateService(ctx context.Context, s *Service) error

	// UpdateService changes a service.
	// Returns ENOTFOUND, EINVALID, ECONFLICT.
	UpdateService(ctx context.Context, id int64, upd ServiceUpdate) (*Service, error)
}
