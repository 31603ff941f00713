package warroom

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

// ActionItemKind says what an action item is for.
type ActionItemKind string

// Action item kinds: stop it happening again, notice it sooner, limit the
// damage next time, or change how people work.
const (
	ActionPrevent  ActionItemKind = "prevent"
	ActionDetect   ActionItemKind = "detect"
	ActionMitigate ActionItemKind = "mitigate"
	ActionProcess  ActionItemKind = "process"
)

// ActionItemKinds lists every kind.
var ActionItemKinds = []ActionItemKind{ActionPrevent, ActionDetect, ActionMitigate, ActionProcess}

// Valid reports whether k is a known kind.
func (k ActionItemKind) Valid() bool {
	for _, v := range ActionItemKinds {
		if v == k {
			return true
		}
	}
	return false
}

// ActionItemStatus is how far an action item is.
type ActionItemStatus string

// Action item statuses. Done and won't-do are closed.
const (
	ActionOpen       ActionItemStatus = "open"
	ActionInProgress ActionItemStatus = "in_progress"
	ActionDone       ActionItemStatus = "done"
	ActionWontDo     ActionItemStatus = "wont_do"
)

// ActionItemStatuses lists every status.
var ActionItemStatuses = []ActionItemStatus{ActionOpen, ActionInProgress, ActionDone, ActionWontDo}

// Valid reports whether s is a known status.
func (s ActionItemStatus) Valid() bool {
	for _, v := range ActionItemStatuses {
		if v == s {
			return true
		}
	}
	return false
}

// Closed reports whether no more work is expected.
func (s ActionItemStatus) Closed() bool { return s == ActionDone || s == ActionWontDo }

// ActionItemPriority ranks action items.
type ActionItemPriority string

// Priorities.
const (
	PriorityHigh   ActionItemPriority = "high"
	PriorityMedium ActionItemPriority = "medium"
	PriorityLow    ActionItemPriority = "low"
)

// Valid reports whether p is a known priority.
func (p ActionItemPriority) Valid() bool {
	return p == PriorityHigh || p == PriorityMedium || p == PriorityLow
}

// Sources an action item can be created from.
const (
	SourceEvent = "event"
	SourceWhy   = "why"
)

// ActionItem turns a finding into work with an owner and a date (seed 002),
// tracked until it is done.
type ActionItem struct {
	ID           int64     `json:"id"`
	IncidentID   int64     `json:"incident_id"`
	PostmortemID *int64    `json:"postmortem_id"`
	Title        string    `json:"title"`
	Description  string    `json:"description"`
	OwnerID      int64     `json:"owner_id"`
	OwnerName    string    `json:"owner_name"`
	DueDate      time.Time `json:"due_date"`
	// DueWorkingDays, on create without a DueDate, dates the item that
	// many working days from now by the postmortem policy's calendar, at
	// the end of that working day (18:00 in the calendar's zone).
	DueWorkingDays int                `json:"due_working_days,omitempty"`
	Priority       ActionItemPriority `json:"priority"`
	Kind           ActionItemKind     `json:"kind"`
	Status         ActionItemStatus   `json:"status"`
	Links          []string           `json:"links"`
	// SourceType and SourceID name the timeline event or why it came from.
	SourceType string     `json:"source_type,omitempty"`
	SourceID   int64      `json:"source_id,omitempty"`
	CreatedBy  int64      `json:"created_by"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
	DoneAt     *time.Time `json:"done_at"`
}

// Overdue reports whether the item is open past its due date.
func (a *ActionItem) Overdue(now time.Time) bool {
	return !a.Status.Closed() && !now.Before(a.DueDate)
}

// Validate checks the fields a caller sets and applies the defaults
// (status open, priority medium). A title may be empty only when a source
// is given: the source's text becomes the title.
func (a *ActionItem) Validate() error {
	if a.Status == "" {
		a.Status = ActionOpen
	}
	if a.Priority == "" {
		a.Priority = PriorityMedium
	}
	if a.IncidentID <= 0 {
		return FieldErrorf("incident_id", "is required")
	}
	if strings.TrimSpace(a.Title) == "" && a.SourceType == "" {
		return FieldErrorf("title", "is required")
	} else if utf8.RuneCountInString(a.Title) > MaxTitleLen {
		return FieldErrorf("title", "must be at most %d characters", MaxTitleLen)
	} else if utf8.RuneCountInString(a.Description) > MaxTextLen {
		return FieldErrorf("description", "must be at most %d characters", MaxTextLen)
	} else if a.OwnerID <= 0 {
		return FieldErrorf("owner_id", "is required: every action item has an owner")
	} else if a.DueDate.IsZero() && a.DueWorkingDays == 0 {
		return FieldErrorf("due_date", "is required (or due_working_days)")
	} else if a.DueWorkingDays < 0 || a.DueWorkingDays > 250 {
		return FieldErrorf("due_working_days", "must be 1 to 250")
	} else if !a.Priority.Valid() {
		return FieldErrorf("priority", "unknown priority %q (want high, medium or low)", a.Priority)
	} else if !a.Kind.Valid() {
		return FieldErrorf("kind", "unknown kind %q (want prevent, detect, mitigate or process)", a.Kind)
	} else if !a.Status.Valid() {
		return FieldErrorf("status", "unknown status %q", a.Status)
	} else if a.SourceType != "" && a.SourceType != SourceEvent && a.SourceType != SourceWhy {
		return FieldErrorf("source_type", "must be %q or %q", SourceEvent, SourceWhy)
	} else if a.SourceType != "" && a.SourceID <= 0 {
		return FieldErrorf("source_id", "is required with source_type")
	}
	return validateLinks(a.Links)
}

func validateLinks(links []string) error {
	if len(links) > 20 {
		return FieldErrorf("links", "at most 20 links")
	}
	for i, l := range links {
		u, err := url.Parse(l)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(l) > 2000 {
			return FieldErrorf(fmt.Sprintf("links[%d]", i), "must be an http or https URL")
		}
	}
	return nil
}

// ActionItemUpdate changes an action item; nil fields are left alone.
type ActionItemUpdate struct {
	Title       *string             `json:"title"`
	Description *string             `json:"description"`
	OwnerID     *int64              `json:"owner_id"`
	DueDate     *time.Time          `json:"due_date"`
	Priority    *ActionItemPriority `json:"priority"`
	Kind        *ActionItemKind     `json:"kind"`
	Status      *ActionItemStatus   `json:"status"`
	Links       *[]string           `json:"links"`
}

// Apply copies the set fields onto a and validates the result.
func (u *ActionItemUpdate) Apply(a *ActionItem) error {
	if u.Title != nil {
		if strings.TrimSpace(*u.Title) == "" {
			return FieldErrorf("title", "is required")
		}
		a.Title = *u.Title
	}
	if u.Description != nil {
		a.Description = *u.Description
	}
	if u.OwnerID != nil {
		a.OwnerID = *u.OwnerID
	}
	if u.DueDate != nil {
		a.DueDate = *u.DueDate
	}
	if u.Priority != nil {
		a.Priority = *u.Priority
		if a.Priority == "" {
			return FieldErrorf("priority", "must not be empty")
		}
	}
	if u.Kind != nil {
		a.Kind = *u.Kind
	}
	if u.Status != nil {
		a.Status = *u.Status
		if a.Status == "" {
			return FieldErrorf("status", "must not be empty")
		}
	}
	if u.Links != nil {
		a.Links = *u.Links
	}
	return a.Validate()
}

// ActionItemFilter selects action items.
type ActionItemFilter struct {
	ID           *int64
	OwnerID      *int64
	IncidentID   *int64
	PostmortemID *int64
	Statuses     []ActionItemStatus
	// OverdueAt selects open items due at or before this instant.
	OverdueAt *time.Time

	Offset int
	Limit  int
}

// ActionItemService manages action items.
type ActionItemService interface {
	// FindActionItemByID returns ENOTFOUND.
	FindActionItemByID(ctx context.Context, id int64) (*ActionItem, error)

	// FindActionItems returns a page, earliest due first, and the total.
	FindActionItems(ctx context.Context, filter ActionItemFilter) ([]*ActionItem, int, error)

	// CreateActionItem adds an item. PostmortemID defaults to the
	// incident's postmortem; a source must belong to the same incident
	// (event) or postmortem (why).
	// Returns EINVALID, ENOTFOUND (incident, postmortem, owner, source).
	CreateActionItem(ctx context.Context, a *ActionItem) error

	// UpdateActionItem changes an item; setting status done stamps DoneAt.
	// Returns ENOTFOUND, EINVALID.
	UpdateActionItem(ctx context.Context, id int64, upd ActionItemUpdate) (*ActionItem, error)
}

// Action item audit actions.
const (
	AuditActionItemCreate AuditAction = "action_item.create"
	AuditActionItemUpdate AuditAction = "action_item.update"

	EventActionItem EventKind = "action_item"
)
