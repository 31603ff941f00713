package warroom

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Subscriber is someone outside the company who asked to hear about public
// incidents and maintenance: by email (confirmed by a link first, so that
// nobody can subscribe someone else) or by a signed webhook.
type Subscriber struct {
	ID     int64       `json:"id"`
	Kind   ChannelKind `json:"kind"`
	Target string      `json:"target"`
	Locale string      `json:"locale"`
	// ComponentIDs limits the subscription; empty means every component.
	ComponentIDs []int64    `json:"component_ids"`
	ConfirmedAt  *time.Time `json:"confirmed_at"`
	CreatedAt    time.Time  `json:"created_at"`
	// Token confirms and unsubscribes; it travels only in the subscriber's
	// own links. Secret signs webhook payloads and is shown once, when the
	// webhook is subscribed.
	Token  string `json:"-"`
	Secret string `json:"secret,omitempty"`
}

// Validate checks the subscriber and normalises an email address. Only
// email and webhook subscriptions exist.
func (s *Subscriber) Validate() error {
	s.Target = strings.TrimSpace(s.Target)
	if err := statusLocale("locale", &s.Locale); err != nil {
		return err
	} else if len(s.ComponentIDs) > 1000 {
		return FieldErrorf("component_ids", "at most 1000 components")
	}
	for i, id := range s.ComponentIDs {
		if id <= 0 {
			return FieldErrorf(fmt.Sprintf("component_ids[%d]", i), "%d is not a component ID", id)
		}
	}
	switch s.Kind {
	case ChannelEmail:
		return statusAddress("target", &s.Target)
	case ChannelWebhook:
		return statusURL("target", s.Target)
	}
	return FieldErrorf("kind", "must be email or webhook")
}

// Wants reports whether the subscriber hears about something affecting
// components; something affecting none (a general notice) reaches all.
func (s *Subscriber) Wants(components []int64) bool {
	if len(s.ComponentIDs) == 0 || len(components) == 0 {
		return true
	}
	for _, a := range s.ComponentIDs {
		for _, b := range components {
			if a == b {
				return true
			}
		}
	}
	return false
}

// SubscriberFilter selects subscribers.
type SubscriberFilter struct {
	Kind      *ChannelKind
	Confirmed *bool

	Offset int
	Limit  int
}

// SubscriberService keeps the status page's subscribers.
type SubscriberService interface {
	// Subscribe adds a subscriber and fills its ID, Token and, for a
	// webhook, Secret. Webhooks are confirmed at once; an email address is
	// sent a confirmation link and hears nothing else until it is
	// followed. Subscribing an address again re-sends the link (or, when it
	// is confirmed, changes nothing) so that the answer never reveals who
	// is subscribed.
	// Returns EINVALID, ENOTFOUND for an unknown component.
	Subscribe(ctx context.Context, s *Subscriber) error

	// ConfirmSubscriber confirms the subscription holding token.
	// Returns ENOTFOUND.
	ConfirmSubscriber(ctx context.Context, token string) (*Subscriber, error)

	// Unsubscribe removes the subscription holding token.
	// Returns ENOTFOUND.
	Unsubscribe(ctx context.Context, token string) error

	// FindSubscribers returns a page of subscribers, newest first, and the
	// total. Secrets are never returned.
	FindSubscribers(ctx context.Context, filter SubscriberFilter) ([]*Subscriber, int, error)

	// DeleteSubscriber removes a subscriber.
	// Returns ENOTFOUND.
	DeleteSubscriber(ctx context.Context, id int64) error
}

// NoticeKind says what a queued notice is about.
type NoticeKind string

// Notice kinds.
const (
	NoticeDeclared      NoticeKind = "declared"
	NoticeResolved      NoticeKind = "resolved"
	NoticeStatusUpdate  NoticeKind = "status_update"
	NoticeMaintenance   NoticeKind = "maintenance"
	NoticeConfirm       NoticeKind = "subscriber_confirm"
	NoticeUpdateOverdue NoticeKind = "update_overdue"
)

// MaxDeliveryAttempts is how often a delivery is tried before it is
// recorded as failed.
const MaxDeliveryAttempts = 8

// MaxNoticeAttempts is how often fanning a notice out may fail before the
// notice is recorded as failed and leaves the queue.
const MaxNoticeAttempts = 8

// Notice is something to tell people, queued in the transaction of the
// change that caused it and fanned out to deliveries after commit, so that
// nothing accepted is lost and nothing is sent for a change that rolled
// back.
type Notice struct {
	ID             int64      `json:"id"`
	Kind           NoticeKind `json:"kind"`
	IncidentID     int64      `json:"incident_id"`
	StatusUpdateID int64      `json:"status_update_id"`
	SubscriberID   int64      `json:"subscriber_id"`
	MaintenanceID  int64      `json:"maintenance_id"`
	// EventID is the timeline event a declared or resolved notice came
	// from; each event gives at most one notice.
	EventID   int64     `json:"event_id"`
	CreatedAt time.Time `json:"created_at"`
}

// Delivery is one message to one destination, rendered in its language
// when its notice was fanned out, and retried with backoff until it is
// delivered or MaxDeliveryAttempts is reached.
type Delivery struct {
	ID       int64       `json:"id"`
	NoticeID int64       `json:"notice_id"`
	Channel  ChannelKind `json:"channel"`
	Target   string      `json:"target"`
	Subject  string      `json:"subject"`
	// Body is the plain text of a message, or the JSON payload of a
	// webhook.
	Body string `json:"body"`
	// Headers are extra email headers, e.g. List-Unsubscribe.
	Headers map[string]string `json:"headers,omitempty"`
	// Secret signs a webhook payload; never shown.
	Secret        string     `json:"-"`
	Attempts      int        `json:"attempts"`
	NextAttemptAt time.Time  `json:"next_attempt_at"`
	DeliveredAt   *time.Time `json:"delivered_at"`
	FailedAt      *time.Time `json:"failed_at"`
	LastError     string     `json:"last_error"`
}

// CommunicationQueue is the durable outbox of notices and deliveries and
// the "next update by" timers, worked by the engine.
type CommunicationQueue interface {
	// QueueDueNotices turns what happened since the last call into notices:
	// incidents declared and resolved (read from the timeline after a
	// stored cursor) and "next update by" timers that passed at now with no
	// newer update. It returns how many notices it queued.
	QueueDueNotices(ctx context.Context, now time.Time) (int, error)

	// PendingNotices returns up to limit notices not yet fanned out,
	// oldest first: those not failed for good and, after a failure
	// (FailNotice), only once their back-off has passed.
	PendingNotices(ctx context.Context, limit int) ([]*Notice, error)

	// FailNotice records that a notice could not be fanned out (loaded or
	// completed) because of cause, so that it does not hold up the notices
	// behind it: it is due again after a back-off doubling from 30 seconds
	// up to an hour, and after MaxNoticeAttempts failures it is marked
	// failed with cause kept. A notice already fanned out is left alone.
	// Returns ENOTFOUND.
	FailNotice(ctx context.Context, noticeID int64, cause error) error

	// CompleteNotice stores a notice's deliveries and marks it fanned out,
	// atomically; completing a notice twice stores nothing the second time.
	CompleteNotice(ctx context.Context, noticeID int64, deliveries []*Delivery) error

	// ClaimDeliveries returns up to limit deliveries due at now and leases
	// them until now+lease, so that another instance does not send them
	// too.
	ClaimDeliveries(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]*Delivery, error)

	// FinishDelivery records an attempt: sendErr nil marks it delivered;
	// otherwise it is retried at retryAt, or failed for good when retryAt
	// is nil or the attempts are used up.
	FinishDelivery(ctx context.Context, id int64, sendErr error, retryAt *time.Time) error

	// FindDeliveries lists a notice's deliveries, for tests and the admin
	// pages.
	FindDeliveries(ctx context.Context, noticeID int64) ([]*Delivery, error)

	// LoadNotice reads everything needed to fan a notice out, in one
	// snapshot.
	// Returns ENOTFOUND.
	LoadNotice(ctx context.Context, noticeID int64) (*NoticeContext, error)
}

// NoticeContext is what a notice is about and who hears of it, read in one
// snapshot when it is fanned out.
type NoticeContext struct {
	Notice *Notice
	// Incident is set for incident notices; Update for status updates;
	// PublicIncident when the update is public; Maintenance for
	// maintenance notices.
	Incident       *Incident
	Update         *StatusUpdate
	PublicIncident *PublicIncident
	Maintenance    *Maintenance
	// Groups are the stakeholder groups the scope rules name, and Members
	// their active members by user ID.
	Groups  []*StakeholderGroup
	Members map[int64]*User
	// Subscribers hear of public notices (confirmed ones wanting the
	// components) and of their own confirmation link; tokens and secrets
	// are filled.
	Subscribers []*Subscriber
	// Communicator is reminded of an overdue update: the communications
	// role, else the commander; nil when nobody holds either.
	Communicator *User
	Settings     *StatusPageSettings
}

// Subscriber audit actions.
const (
	AuditSubscriberCreate  AuditAction = "subscriber.create"
	AuditSubscriberConfirm AuditAction = "subscriber.confirm"
	AuditSubscriberDelete  AuditAction = "subscriber.delete"
)
