package warroom

import (
	"context"
	"time"
)

// NotificationKind says why a message is sent.
type NotificationKind string

// Notification kinds.
const (
	NotifyPage         NotificationKind = "page"
	NotifySLAWarning   NotificationKind = "sla_warning"
	NotifySLABreach    NotificationKind = "sla_breach"
	NotifyVerification NotificationKind = "verification"
	NotifyTest         NotificationKind = "test"
)

// NotificationState is where a message stands in the outbox.
type NotificationState string

// Notification states. Pending messages are retried with back-off until
// they are sent or fail for good; cancelled ones were pages for an incident
// acknowledged before they went out.
const (
	NotificationPending   NotificationState = "pending"
	NotificationSent      NotificationState = "sent"
	NotificationFailed    NotificationState = "failed"
	NotificationCancelled NotificationState = "cancelled"
)

// Notification is one message to one contact method, kept in the outbox
// until its outcome is known.
type Notification struct {
	ID              int64             `json:"id"`
	Kind            NotificationKind  `json:"kind"`
	State           NotificationState `json:"state"`
	IncidentID      int64             `json:"incident_id"`
	UserID          int64             `json:"user_id"`
	ContactMethodID int64             `json:"contact_method_id"`
	ContactType     ContactType       `json:"contact_type"`
	// Level is the escalation level that paged, 1-based; 0 outside escalations.
	Level int `json:"level"`
	// Text is a manual page's message, or what an SLA warning is about
	// ("acknowledge", "resolve").
	Text      string     `json:"text"`
	Attempts  int        `json:"attempts"`
	NextAt    *time.Time `json:"next_at"`
	LastError string     `json:"last_error"`
	CreatedAt time.Time  `json:"created_at"`
	SentAt    *time.Time `json:"sent_at"`
}

// NotificationFilter selects notifications.
type NotificationFilter struct {
	IncidentID *int64
	UserID     *int64
	State      *NotificationState

	Offset int
	Limit  int
}

// Timeline event kinds of paging.
const (
	EventEscalated          EventKind = "escalated"
	EventNotificationSent   EventKind = "notification_sent"
	EventNotificationRetry  EventKind = "notification_retry"
	EventNotificationFailed EventKind = "notification_failed"
	EventSLAWarning         EventKind = "sla_warning"
	EventSLABreach          EventKind = "sla_breach"
)

// LinkAction is what a signed link in a notification does.
type LinkAction string

// Link actions.
const (
	LinkAcknowledge LinkAction = "acknowledge"
	LinkResolve     LinkAction = "resolve"
)

// NotificationService reads the outbox.
type NotificationService interface {
	// FindNotifications returns a page of notifications, newest first, and
	// the total.
	FindNotifications(ctx context.Context, filter NotificationFilter) ([]*Notification, int, error)
}
