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

// NotificationDelivery is a claimed notification with everything needed to send it:
// the destination with its credentials opened, the recipient and the
// incident as they are now.
type NotificationDelivery struct {
	Notification
	Contact  ContactMethod
	User     *User
	Incident *Incident
	// Reminder is set for a NotifyReminder, with TargetTitle the title of
	// the action item it is about (the incident's for a postmortem).
	Reminder    *Reminder
	TargetTitle string
	// ChangeNotice and Change are set for a NotifyChange.
	ChangeNotice *ChangeNotification
	Change       *Change
}

// DeliveryOutcome is the result of one attempt.
type DeliveryOutcome struct {
	Sent bool
	// RetryAt, when not zero, puts the notification back in the outbox
	// until then; otherwise an unsent notification has failed for good.
	RetryAt time.Time
	Error   string
}

// PagingStore is the durable side of paging that the engine drives. Every
// method claims its rows (SKIP LOCKED on PostgreSQL, the single writer on
// SQLite), so several engines never fire the same timer twice.
type PagingStore interface {
	// FireEscalations pages the due level of up to limit escalations due
	// at now and schedules their next level; it stops those whose incident
	// was acknowledged or resolved. It returns how many it handled.
	FireEscalations(ctx context.Context, now time.Time, limit int) (int, error)

	// FireSLATimers sends the due SLA warnings (80 % of a target) and breach
	// notices, and re-proposes the severity of incidents open long enough
	// for the matrix's duration escalators.
	FireSLATimers(ctx context.Context, now time.Time, limit int) (int, error)

	// ClaimNotifications leases up to limit due notifications for lease,
	// counting an attempt on each; pages for incidents acknowledged in the
	// meantime are cancelled instead.
	ClaimNotifications(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]*NotificationDelivery, error)

	// CompleteNotification records an attempt's outcome, and puts it on the
	// incident's timeline.
	CompleteNotification(ctx context.Context, id int64, now time.Time, out DeliveryOutcome) error

	// NextPagingDue returns the earliest due time of any paging timer, nil
	// when none is set.
	NextPagingDue(ctx context.Context) (*time.Time, error)

	// LinkKey returns the key that signs acknowledge and resolve links,
	// created on first use and shared by every instance.
	LinkKey(ctx context.Context) ([]byte, error)
}
