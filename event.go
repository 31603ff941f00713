package warroom

import (
	"context"
	"encoding/json"
	"strings"
	"time"
	"unicode/utf8"
)

// EventKind names what a timeline event records. Every change to an
// incident has its own kind so that the timeline can be filtered and the
// postmortem can find its key moments.
type EventKind string

// Timeline event kinds.
const (
	EventDeclared         EventKind = "declared"
	EventStateChanged     EventKind = "state_changed"
	EventSeverityProposed EventKind = "severity_proposed"
	EventSeverityChanged  EventKind = "severity_changed"
	EventSeverityOverride EventKind = "severity_override"
	EventImpactUpdated    EventKind = "impact_updated"
	EventLossUpdated      EventKind = "loss_updated"
	EventFieldsUpdated    EventKind = "fields_updated"
	EventServicesChanged  EventKind = "services_changed"
	EventRoleAssigned     EventKind = "role_assigned"
	EventRoleEnded        EventKind = "role_ended"
	EventTaskAdded        EventKind = "task_added"
	EventTaskUpdated      EventKind = "task_updated"
	EventTaskCompleted    EventKind = "task_completed"
	EventTaskReopened     EventKind = "task_reopened"
	EventNote             EventKind = "note"
	EventStatusUpdate     EventKind = "status_update"
)

// EventKinds lists every kind, for filters and documentation.
var EventKinds = []EventKind{
	EventDeclared, EventStateChanged, EventSeverityProposed, EventSeverityChanged,
	EventSeverityOverride, EventImpactUpdated, EventLossUpdated, EventFieldsUpdated,
	EventServicesChanged, EventRoleAssigned, EventRoleEnded, EventTaskAdded,
	EventTaskUpdated, EventTaskCompleted, EventTaskReopened, EventNote, EventStatusUpdate,
	EventStatusUpdateDue,
	EventEscalated, EventNotificationSent, EventNotificationRetry, EventNotificationFailed, EventSLAWarning, EventSLABreach,
	EventAlertOpened, EventAlertAttached, EventAlertResolved,
	EventChangeLinked, EventChangeUnlinked, EventChangeRolledBack,
	EventPostmortem, EventActionItem, EventReminder, EventDrill,
}

// Valid reports whether k is a known kind.
func (k EventKind) Valid() bool {
	for _, v := range EventKinds {
		if v == k {
			return true
		}
	}
	return false
}

// Visibility says who may read a note or status update.
type Visibility string

// Visibilities. Public updates may be shown on the status page; nothing else
// ever is.
const (
	VisibilityInternal Visibility = "internal"
	VisibilityPublic   Visibility = "public"
)

// Event is one entry on an incident's timeline.
type Event struct {
	ID         int64     `json:"id"`
	IncidentID int64     `json:"incident_id"`
	Kind       EventKind `json:"kind"`
	// ActorID is the user who caused the event; 0 for the system.
	ActorID    int64      `json:"actor_id"`
	ActorName  string     `json:"actor_name"`
	At         time.Time  `json:"at"`
	Text       string     `json:"text"`
	Visibility Visibility `json:"visibility"`
	// Data holds the kind's structured details, e.g. {"from":"triggered","to":"acknowledged"}.
	Data json.RawMessage `json:"data,omitempty"`
}

// NoteInput is a free-text note or status update added by a person.
type NoteInput struct {
	Kind       EventKind  `json:"kind"`
	Text       string     `json:"text"`
	Visibility Visibility `json:"visibility"`
}

// Validate checks a note; Kind defaults to note and Visibility to internal.
func (n *NoteInput) Validate() error {
	if n.Kind == "" {
		n.Kind = EventNote
	}
	if n.Visibility == "" {
		n.Visibility = VisibilityInternal
	}
	if n.Kind != EventNote && n.Kind != EventStatusUpdate {
		return FieldErrorf("kind", "must be %q or %q", EventNote, EventStatusUpdate)
	} else if n.Visibility != VisibilityInternal && n.Visibility != VisibilityPublic {
		return FieldErrorf("visibility", "must be %q or %q", VisibilityInternal, VisibilityPublic)
	} else if n.Kind == EventNote && n.Visibility == VisibilityPublic {
		return FieldErrorf("visibility", "notes are internal; post a status update to publish")
	} else if strings.TrimSpace(n.Text) == "" {
		return FieldErrorf("text", "is required")
	} else if utf8.RuneCountInString(n.Text) > MaxTextLen {
		return FieldErrorf("text", "must be at most %d characters", MaxTextLen)
	}
	return nil
}

// EventFilter selects timeline events.
type EventFilter struct {
	IncidentID int64
	Kinds      []EventKind
	// AfterID returns only events newer than this ID, for live updates.
	AfterID int64
	// Ascending orders oldest first; the default is newest first.
	Ascending bool

	Offset int
	Limit  int
}

// TimelineService reads the timeline and adds notes to it.
type TimelineService interface {
	// FindEvents returns a page of an incident's events and the total.
	// Returns ENOTFOUND for the incident, EINVALID for an unknown kind.
	FindEvents(ctx context.Context, filter EventFilter) ([]*Event, int, error)

	// AddNote adds a note or status update.
	// Returns ENOTFOUND, EINVALID, ECONFLICT when closed.
	AddNote(ctx context.Context, incidentID int64, note NoteInput) (*Event, error)
}
