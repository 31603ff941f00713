package warroom

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// ComponentStatus is what the public status page says about a component.
type ComponentStatus string

// Component statuses, from best to worst; maintenance is planned work.
const (
	ComponentOperational   ComponentStatus = "operational"
	ComponentMaintenance   ComponentStatus = "maintenance"
	ComponentDegraded      ComponentStatus = "degraded"
	ComponentPartialOutage ComponentStatus = "partial_outage"
	ComponentMajorOutage   ComponentStatus = "major_outage"
)

// ComponentStatuses lists every status, best first.
var ComponentStatuses = []ComponentStatus{ComponentOperational, ComponentMaintenance, ComponentDegraded, ComponentPartialOutage, ComponentMajorOutage}

// Valid reports whether s is a known status.
func (s ComponentStatus) Valid() bool { return s.Rank() >= 0 }

// Rank is 0 for operational up to 4 for a major outage, -1 when unknown.
func (s ComponentStatus) Rank() int {
	for i, v := range ComponentStatuses {
		if v == s {
			return i
		}
	}
	return -1
}

// Worse reports whether s is worse than t.
func (s ComponentStatus) Worse(t ComponentStatus) bool { return s.Rank() > t.Rank() }

// Outage reports whether the status counts as downtime in uptime figures:
// a partial or major outage; degraded service and maintenance do not.
func (s ComponentStatus) Outage() bool {
	return s == ComponentPartialOutage || s == ComponentMajorOutage
}

// PublicStatus is the stage of an incident as the public sees it.
type PublicStatus string

// Public stages, in their usual order.
const (
	PublicInvestigating PublicStatus = "investigating"
	PublicIdentified    PublicStatus = "identified"
	PublicMonitoring    PublicStatus = "monitoring"
	PublicResolved      PublicStatus = "resolved"
)

// Valid reports whether s is a known stage.
func (s PublicStatus) Valid() bool {
	return s == PublicInvestigating || s == PublicIdentified || s == PublicMonitoring || s == PublicResolved
}

// Component is a part of the product as customers know it, shown on the
// status page. It may map to a service of the catalog; Group gathers
// components under one heading.
type Component struct {
	ID          int64           `json:"id"`
	Name        string          `json:"name"`
	Description string          `json:"description"`
	Group       string          `json:"group"`
	ServiceID   *int64          `json:"service_id"`
	Status      ComponentStatus `json:"status"`
	Position    int             `json:"position"`
	CreatedAt   time.Time       `json:"created_at"`
	UpdatedAt   time.Time       `json:"updated_at"`
}

// Validate checks the component; Status defaults to operational.
func (c *Component) Validate() error {
	c.Name, c.Group = strings.TrimSpace(c.Name), strings.TrimSpace(c.Group)
	if c.Status == "" {
		c.Status = ComponentOperational
	}
	if c.Name == "" || utf8.RuneCountInString(c.Name) > 100 {
		return FieldErrorf("name", "must be 1 to 100 characters")
	} else if utf8.RuneCountInString(c.Description) > MaxTitleLen {
		return FieldErrorf("description", "must be at most %d characters", MaxTitleLen)
	} else if utf8.RuneCountInString(c.Group) > 100 {
		return FieldErrorf("group", "must be at most 100 characters")
	} else if c.ServiceID != nil && *c.ServiceID <= 0 {
		return FieldErrorf("service_id", "%d is not a service ID", *c.ServiceID)
	} else if !c.Status.Valid() {
		return FieldErrorf("status", "unknown status %q (want operational, degraded, partial_outage, major_outage or maintenance)", c.Status)
	} else if c.Position < 0 || c.Position > 100000 {
		return FieldErrorf("position", "must be 0 to 100000")
	}
	return nil
}

// ComponentUpdate changes a component; nil fields are left alone, and a
// ServiceID of 0 unmaps the service.
type ComponentUpdate struct {
	Name        *string          `json:"name"`
	Description *string          `json:"description"`
	Group       *string          `json:"group"`
	ServiceID   *int64           `json:"service_id"`
	Status      *ComponentStatus `json:"status"`
	Position    *int             `json:"position"`
}

// Apply copies the set fields onto c.
func (u *ComponentUpdate) Apply(c *Component) {
	if u.Name != nil {
		c.Name = *u.Name
	}
	if u.Description != nil {
		c.Description = *u.Description
	}
	if u.Group != nil {
		c.Group = *u.Group
	}
	if u.ServiceID != nil {
		c.ServiceID = u.ServiceID
		if *u.ServiceID == 0 {
			c.ServiceID = nil
		}
	}
	if u.Status != nil {
		c.Status = *u.Status
	}
	if u.Position != nil {
		c.Position = *u.Position
	}
}

// ComponentImpact is the status an incident gives one component.
type ComponentImpact struct {
	ComponentID int64           `json:"component_id"`
	Status      ComponentStatus `json:"status"`
}

// StatusPageSettings brand the public page. PublicURL is the address the
// page is reached at (a custom domain in front of warroom); links in emails
// and the feed use it.
type StatusPageSettings struct {
	Name        string    `json:"name"`
	LogoURL     string    `json:"logo_url"`
	AccentColor string    `json:"accent_color"`
	PublicURL   string    `json:"public_url"`
	UpdatedAt   time.Time `json:"updated_at"`
}

var hexColour = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

// ValidAccentColour reports whether c is a #rrggbb colour, the only form
// the status page writes into its style sheet.
func ValidAccentColour(c string) bool { return hexColour.MatchString(c) }

// Validate checks the settings and fills defaults.
func (s *StatusPageSettings) Validate() error {
	s.Name, s.PublicURL = strings.TrimSpace(s.Name), strings.TrimRight(strings.TrimSpace(s.PublicURL), "/")
	if s.AccentColor == "" {
		s.AccentColor = "#1f6feb"
	}
	if s.Name == "" || utf8.RuneCountInString(s.Name) > 100 {
		return FieldErrorf("name", "must be 1 to 100 characters")
	} else if !hexColour.MatchString(s.AccentColor) {
		return FieldErrorf("accent_color", "must be a colour such as #1f6feb")
	}
	if s.LogoURL != "" {
		if err := statusURL("logo_url", s.LogoURL); err != nil {
			return err
		}
	}
	if s.PublicURL != "" {
		if err := statusURL("public_url", s.PublicURL); err != nil {
			return err
		}
	}
	return nil
}

// DefaultStatusPageSettings are in force until an admin changes them.
func DefaultStatusPageSettings() StatusPageSettings {
	return StatusPageSettings{Name: "Service status", AccentColor: "#1f6feb"}
}

// PublicIncident is an incident as the status page shows it: its public
// title, stage, affected components and public updates. Nothing else of the
// incident reaches it.
type PublicIncident struct {
	ID         int64           `json:"id"`
	IncidentID int64           `json:"incident_id"`
	Title      string          `json:"title"`
	Status     PublicStatus    `json:"status"`
	Impact     ComponentStatus `json:"impact"`
	Components []int64         `json:"component_ids"`
	Updates    []*PublicUpdate `json:"updates"`
	CreatedAt  time.Time       `json:"created_at"`
	UpdatedAt  time.Time       `json:"updated_at"`
	ResolvedAt *time.Time      `json:"resolved_at"`
}

// PublicUpdate is one public message on a public incident.
type PublicUpdate struct {
	ID               int64        `json:"id"`
	PublicIncidentID int64        `json:"public_incident_id"`
	Status           PublicStatus `json:"status"`
	WhatHappened     string       `json:"what_happened"`
	Impact           string       `json:"impact"`
	Actions          string       `json:"actions"`
	NextUpdateBy     *time.Time   `json:"next_update_by"`
	CreatedAt        time.Time    `json:"created_at"`
}

// PublicIncidentFilter selects public incidents.
type PublicIncidentFilter struct {
	ID *int64
	// Active nil returns all; true only unresolved ones.
	Active *bool
	// ComponentID returns only incidents affecting it.
	ComponentID *int64

	Offset int
	Limit  int
}

// Maintenance is planned work announced on the status page; its
// components show as under maintenance while the window is open.
type Maintenance struct {
	ID           int64      `json:"id"`
	Title        string     `json:"title"`
	Body         string     `json:"body"`
	StartsAt     time.Time  `json:"starts_at"`
	EndsAt       time.Time  `json:"ends_at"`
	ComponentIDs []int64    `json:"component_ids"`
	CancelledAt  *time.Time `json:"cancelled_at"`
	CreatedAt    time.Time  `json:"created_at"`
}

// Validate checks the maintenance window.
func (m *Maintenance) Validate() error {
	m.Title = strings.TrimSpace(m.Title)
	if m.Title == "" || utf8.RuneCountInString(m.Title) > MaxTitleLen {
		return FieldErrorf("title", "must be 1 to %d characters", MaxTitleLen)
	} else if utf8.RuneCountInString(m.Body) > MaxTextLen {
		return FieldErrorf("body", "must be at most %d characters", MaxTextLen)
	} else if m.StartsAt.IsZero() {
		return FieldErrorf("starts_at", "is required")
	} else if !m.EndsAt.After(m.StartsAt) {
		return FieldErrorf("ends_at", "must be after starts_at")
	} else if m.EndsAt.Sub(m.StartsAt) > 30*24*time.Hour {
		return FieldErrorf("ends_at", "a window lasts at most 30 days")
	} else if len(m.ComponentIDs) > 1000 {
		return FieldErrorf("component_ids", "at most 1000 components")
	}
	for i, id := range m.ComponentIDs {
		if id <= 0 {
			return FieldErrorf(fmt.Sprintf("component_ids[%d]", i), "%d is not a component ID", id)
		}
	}
	return nil
}

// Active reports whether the window is open at now.
func (m *Maintenance) Active(now time.Time) bool {
	return m.CancelledAt == nil && !now.Before(m.StartsAt) && now.Before(m.EndsAt)
}

// StatusChange is a component taking a status at an instant; the history
// the uptime bars are drawn from.
type StatusChange struct {
	ComponentID int64           `json:"component_id"`
	Status      ComponentStatus `json:"status"`
	At          time.Time       `json:"at"`
}

// DayStatus is one bar of the uptime chart: a UTC day, the worst status of
// the day and the seconds of outage in it.
type DayStatus struct {
	Day           time.Time       `json:"day"`
	Worst         ComponentStatus `json:"worst"`
	OutageSeconds int64           `json:"outage_seconds"`
	// Known is false for days before the component existed.
	Known bool `json:"known"`
}

// UptimeDays draws the bars of the days days ending with now's UTC day
// from a component's changes, oldest first. created is when the component
// began (operational unless a change says otherwise); changes are in time
// order. uptime is the share of the known time that was not an outage, 1
// when nothing is known.
func UptimeDays(created time.Time, changes []StatusChange, days int, now time.Time) (bars []DayStatus, uptime float64) {
	end := now.UTC().Truncate(24 * time.Hour).Add(24 * time.Hour)
	start := end.Add(-time.Duration(days) * 24 * time.Hour)
	bars = make([]DayStatus, days)
	for i := range bars {
		bars[i] = DayStatus{Day: start.Add(time.Duration(i) * 24 * time.Hour), Worst: ComponentOperational}
	}
	var known, outage time.Duration
	// Walk the intervals [from, to) during which one status held, clipped to
	// the chart and to now, adding each to the days it overlaps.
	status, from := ComponentOperational, created
	emit := func(to time.Time) {
		if to.After(now) {
			to = now
		}
		a, b := from, to
		if a.Before(start) {
			a = start
		}
		if !b.After(a) {
			return
		}
		for d := a.Sub(start) / (24 * time.Hour); d < time.Duration(days); d++ {
			ds, de := start.Add(d*24*time.Hour), start.Add((d+1)*24*time.Hour)
			lo, hi := laterOf(a, ds), earlierOf(b, de)
			if !hi.After(lo) {
				break
			}
			bar := &bars[d]
			bar.Known = true
			if status.Worse(bar.Worst) {
				bar.Worst = status
			}
			known += hi.Sub(lo)
			if status.Outage() {
				bar.OutageSeconds += int64(hi.Sub(lo) / time.Second)
				outage += hi.Sub(lo)
			}
		}
	}
	for _, c := range changes {
		if c.At.Before(created) {
			status = c.Status
			continue
		}
		emit(c.At)
		status, from = c.Status, c.At
	}
	emit(now)
	if known == 0 {
		return bars, 1
	}
	return bars, 1 - float64(outage)/float64(known)
}

func laterOf(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earlierOf(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// StatusPageService keeps the public status page: its branding, its
// components, their history, scheduled maintenance and public incidents.
// Every change advances the page's version, which caches compare against.
type StatusPageService interface {
	// FindStatusPageSettings returns the branding (the defaults until set).
	FindStatusPageSettings(ctx context.Context) (*StatusPageSettings, error)

	// UpdateStatusPageSettings replaces the branding.
	// Returns EINVALID.
	UpdateStatusPageSettings(ctx context.Context, s *StatusPageSettings) error

	// FindComponents lists every component by group, position and name.
	FindComponents(ctx context.Context) ([]*Component, error)

	// CreateComponent adds a component.
	// Returns EINVALID, ENOTFOUND for an unknown service, ECONFLICT when
	// the name is taken.
	CreateComponent(ctx context.Context, c *Component) error

	// UpdateComponent changes a component; a new status is recorded in its
	// history.
	// Returns ENOTFOUND, EINVALID, ECONFLICT.
	UpdateComponent(ctx context.Context, id int64, upd ComponentUpdate) (*Component, error)

	// DeleteComponent removes a component and its history.
	// Returns ENOTFOUND.
	DeleteComponent(ctx context.Context, id int64) error

	// FindStatusChanges returns the changes of every component at or after
	// since, oldest first, with for each component the last change before
	// since so that its status at since is known.
	FindStatusChanges(ctx context.Context, since time.Time) ([]StatusChange, error)

	// FindMaintenances returns the windows not cancelled that end after
	// after, soonest first.
	FindMaintenances(ctx context.Context, after time.Time) ([]*Maintenance, error)

	// CreateMaintenance schedules a window.
	// Returns EINVALID, ENOTFOUND for an unknown component.
	CreateMaintenance(ctx context.Context, m *Maintenance) error

	// CancelMaintenance cancels a window.
	// Returns ENOTFOUND, ECONFLICT when already cancelled.
	CancelMaintenance(ctx context.Context, id int64) error

	// FindPublicIncidents returns a page of public incidents, newest first,
	// with their updates newest first, and the total.
	FindPublicIncidents(ctx context.Context, filter PublicIncidentFilter) ([]*PublicIncident, int, error)

	// StatusPageVersion returns a number that changes whenever anything the
	// public page shows changes.
	StatusPageVersion(ctx context.Context) (int64, error)
}

// Status page audit actions.
const (
	AuditStatusPageSettings AuditAction = "status_page.settings"
	AuditComponentCreate    AuditAction = "component.create"
	AuditComponentUpdate    AuditAction = "component.update"
	AuditComponentDelete    AuditAction = "component.delete"
	AuditMaintenanceCreate  AuditAction = "maintenance.create"
	AuditMaintenanceCancel  AuditAction = "maintenance.cancel"
)
