package warroom

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// HookEventType names an event sent to webhook subscriptions: the kind of
// object it is about and what happened to it, "incident.declared",
// "alert.attached". Each is one timeline event kind, so that what a
// subscriber hears is exactly what the incident's timeline records.
type HookEventType string

// hookKinds maps every event type a subscription can ask for to the
// timeline event kind it carries. Notification attempts and reminders are
// left out on purpose: they are warroom talking to people, not changes to
// the incident, and would drown the changes.
var hookKinds = []struct {
	t HookEventType
	k EventKind
}{
	{"incident.declared", EventDeclared},
	{"incident.state_changed", EventStateChanged},
	{"incident.severity_proposed", EventSeverityProposed},
	{"incident.severity_changed", EventSeverityChanged},
	{"incident.severity_override", EventSeverityOverride},
	{"incident.impact_updated", EventImpactUpdated},
	{"incident.loss_updated", EventLossUpdated},
	{"incident.fields_updated", EventFieldsUpdated},
	{"incident.services_changed", EventServicesChanged},
	{"incident.role_assigned", EventRoleAssigned},
	{"incident.role_ended", EventRoleEnded},
	{"incident.task_added", EventTaskAdded},
	{"incident.task_updated", EventTaskUpdated},
	{"incident.task_completed", EventTaskCompleted},
	{"incident.task_reopened", EventTaskReopened},
	{"incident.note", EventNote},
	{"incident.status_update", EventStatusUpdate},
	{"incident.status_update_due", EventStatusUpdateDue},
	{"incident.escalated", EventEscalated},
	{"incident.sla_warning", EventSLAWarning},
	{"incident.sla_breach", EventSLABreach},
	{"alert.opened", EventAlertOpened},
	{"alert.attached", EventAlertAttached},
	{"alert.resolved", EventAlertResolved},
	{"change.linked", EventChangeLinked},
	{"change.unlinked", EventChangeUnlinked},
	{"change.rolled_back", EventChangeRolledBack},
	{"postmortem.updated", EventPostmortem},
	{"action_item.updated", EventActionItem},
}

// HookEventTypes lists every event type a subscription may ask for.
func HookEventTypes() []HookEventType {
	out := make([]HookEventType, len(hookKinds))
	for i, h := range hookKinds {
		out[i] = h.t
	}
	return out
}

// Kind returns the timeline event kind the type carries, or "" for an
// unknown type.
func (t HookEventType) Kind() EventKind {
	for _, h := range hookKinds {
		if h.t == t {
			return h.k
		}
	}
	return ""
}

// HookEventTypeOf returns the event type that carries a timeline kind, or
// "" when subscriptions never hear of it.
func HookEventTypeOf(k EventKind) HookEventType {
	for _, h := range hookKinds {
		if h.k == k {
			return h.t
		}
	}
	return ""
}

// HookSubscription is an endpoint outside warroom told about incident,
// alert, change, postmortem and action-item events as they happen, by a
// signed JSON POST for each.
type HookSubscription struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	// URL receives the POSTs. It is sealed at rest: such URLs often carry
	// a token.
	URL string `json:"url"`
	// EventTypes, Severities, IncidentTypes and ServiceIDs filter what is
	// sent; an empty list means every value. An event passes when the
	// incident it belongs to matches every non-empty filter at the moment
	// the event is recorded.
	EventTypes    []HookEventType `json:"event_types"`
	Severities    []Severity      `json:"severities"`
	IncidentTypes []IncidentType  `json:"incident_types"`
	ServiceIDs    []int64         `json:"service_ids"`
	// Drills sends events of drill incidents too; off, rehearsals never
	// leave warroom.
	Drills bool `json:"drills"`
	// Active subscriptions are sent to; a paused one queues nothing.
	Active bool `json:"active"`
	// Secret signs every payload (X-Warroom-Signature). It is returned
	// once, when the subscription is created or its secret rotated.
	Secret string `json:"secret,omitempty"`

	// The endpoint's health, from its latest deliveries.
	ConsecutiveFailures int        `json:"consecutive_failures"`
	LastStatus          int        `json:"last_status"`
	LastError           string     `json:"last_error"`
	LastSuccessAt       *time.Time `json:"last_success_at"`
	LastFailureAt       *time.Time `json:"last_failure_at"`
	// Pending counts deliveries still to be made.
	Pending int `json:"pending"`

	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Failing reports whether the endpoint's latest attempt failed.
func (s *HookSubscription) Failing() bool { return s.ConsecutiveFailures > 0 }

// maxHookFilter bounds each filter list.
const maxHookFilter = 200

// Validate checks a subscription and drops repeated filter values.
func (s *HookSubscription) Validate() error {
	s.Name = strings.TrimSpace(s.Name)
	s.URL = strings.TrimSpace(s.URL)
	if s.Name == "" {
		return FieldErrorf("name", "is required")
	} else if utf8.RuneCountInString(s.Name) > MaxTitleLen {
		return FieldErrorf("name", "must be at most %d characters", MaxTitleLen)
	} else if err := statusURL("url", s.URL); err != nil {
		return err
	}
	if len(s.EventTypes) > maxHookFilter || len(s.Severities) > maxHookFilter || len(s.IncidentTypes) > maxHookFilter || len(s.ServiceIDs) > maxHookFilter {
		return FieldErrorf("event_types", "each filter takes at most %d values", maxHookFilter)
	}
	for i, t := range s.EventTypes {
		if t.Kind() == "" {
			return FieldErrorf(fmt.Sprintf("event_types[%d]", i), "unknown event type %q", t)
		}
	}
	for i, v := range s.Severities {
		if !v.Valid() {
			return FieldErrorf(fmt.Sprintf("severities[%d]", i), "unknown severity %q", v)
		}
	}
	for i, v := range s.IncidentTypes {
		if !v.Valid() {
			return FieldErrorf(fmt.Sprintf("incident_types[%d]", i), "unknown incident type %q", v)
		}
	}
	for i, id := range s.ServiceIDs {
		if id <= 0 {
			return FieldErrorf(fmt.Sprintf("service_ids[%d]", i), "%d is not a service ID", id)
		}
	}
	s.EventTypes, s.Severities = dedupeHook(s.EventTypes), dedupeHook(s.Severities)
	s.IncidentTypes, s.ServiceIDs = dedupeHook(s.IncidentTypes), dedupeHook(s.ServiceIDs)
	return nil
}

func dedupeHook[T comparable](in []T) []T {
	out := make([]T, 0, len(in))
	seen := make(map[T]bool, len(in))
	for _, v := range in {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// HookSubscriptionUpdate changes a subscription; nil fields stay.
type HookSubscriptionUpdate struct {
	Name          *string          `json:"name"`
	URL           *string          `json:"url"`
	EventTypes    *[]HookEventType `json:"event_types"`
	Severities    *[]Severity      `json:"severities"`
	IncidentTypes *[]IncidentType  `json:"incident_types"`
	ServiceIDs    *[]int64         `json:"service_ids"`
	Drills        *bool            `json:"drills"`
	Active        *bool            `json:"active"`
}

// Apply copies the set fields onto s; Validate is the caller's next step.
func (u HookSubscriptionUpdate) Apply(s *HookSubscription) {
	if u.Name != nil {
		s.Name = *u.Name
	}
	if u.URL != nil {
		s.URL = *u.URL
	}
	if u.EventTypes != nil {
		s.EventTypes = *u.EventTypes
	}
	if u.Severities != nil {
		s.Severities = *u.Severities
	}
	if u.IncidentTypes != nil {
		s.IncidentTypes = *u.IncidentTypes
	}
	if u.ServiceIDs != nil {
		s.ServiceIDs = *u.ServiceIDs
	}
	if u.Drills != nil {
		s.Drills = *u.Drills
	}
	if u.Active != nil {
		s.Active = *u.Active
	}
}

// HookDeliveryState is where a delivery stands.
type HookDeliveryState string

// Delivery states. A pending delivery is due at NextAt; delivered and
// failed ones are settled until someone redelivers them.
const (
	HookPending   HookDeliveryState = "pending"
	HookDelivered HookDeliveryState = "delivered"
	HookFailed    HookDeliveryState = "failed"
)

// MaxHookAttempts is how often a delivery is tried before it is given up
// and recorded as failed; with HookBackoff the last try is about eleven
// hours after the first.
const MaxHookAttempts = 10

// HookBackoff is the wait after the n-th failed attempt (n from 1).
func HookBackoff(n int) time.Duration {
	steps := []time.Duration{10 * time.Second, 30 * time.Second, time.Minute, 5 * time.Minute, 15 * time.Minute,
		30 * time.Minute, time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour}
	if n < 1 {
		n = 1
	}
	if n > len(steps) {
		n = len(steps)
	}
	return steps[n-1]
}

// HookDelivery is one event queued for one subscription, with every
// attempt made to deliver it.
type HookDelivery struct {
	ID             int64             `json:"id"`
	SubscriptionID int64             `json:"subscription_id"`
	EventID        int64             `json:"event_id"`
	EventType      HookEventType     `json:"event_type"`
	IncidentID     int64             `json:"incident_id"`
	IncidentNumber string            `json:"incident_number"`
	State          HookDeliveryState `json:"state"`
	Attempts       int               `json:"attempts"`
	NextAt         *time.Time        `json:"next_at"`
	LastStatus     int               `json:"last_status"`
	LastError      string            `json:"last_error"`
	CreatedAt      time.Time         `json:"created_at"`
	DeliveredAt    *time.Time        `json:"delivered_at"`
	// Log lists the attempts, oldest first; only FindHookDeliveryByID
	// fills it.
	Log []HookAttempt `json:"log,omitempty"`
	// Body is the signed JSON payload, fixed at the first attempt so that
	// a retry or a redelivery sends the same bytes.
	Body string `json:"body,omitempty"`
}

// HookPayload is the JSON body of every POST to a subscription. The event
// is as the timeline recorded it; the incident is as it stood when the
// delivery was first attempted, normally within a second of the event.
type HookPayload struct {
	// ID is the delivery ID, also in X-Warroom-Delivery; a retry or a
	// redelivery reuses it, so receivers deduplicate on it.
	ID         int64           `json:"id"`
	Type       HookEventType   `json:"type"`
	EventID    int64           `json:"event_id"`
	OccurredAt time.Time       `json:"occurred_at"`
	Actor      string          `json:"actor"`
	Text       string          `json:"text"`
	Data       json.RawMessage `json:"data"`
	Incident   HookIncident    `json:"incident"`
}

// HookIncident is the incident a payload is about.
type HookIncident struct {
	ID         int64        `json:"id"`
	Number     string       `json:"number"`
	Title      string       `json:"title"`
	State      State        `json:"state"`
	Severity   Severity     `json:"severity"`
	Type       IncidentType `json:"type"`
	Drill      bool         `json:"drill"`
	Services   []string     `json:"services"`
	DetectedAt time.Time    `json:"detected_at"`
}

// HookAttempt is one POST of a delivery and what the endpoint answered.
type HookAttempt struct {
	At time.Time `json:"at"`
	// Status is the HTTP status code; 0 when no answer came.
	Status     int    `json:"status"`
	Error      string `json:"error"`
	DurationMS int64  `json:"duration_ms"`
	// Redelivery marks an attempt someone asked for after the delivery
	// had settled.
	Redelivery bool `json:"redelivery"`
}

// HookDeliveryFilter selects deliveries.
type HookDeliveryFilter struct {
	SubscriptionID int64
	IncidentID     *int64
	State          *HookDeliveryState

	Offset int
	Limit  int
}

// HookSend is a claimed delivery with what sending it needs.
type HookSend struct {
	HookDelivery
	URL    string
	Secret string
}

// HookOutcome is the result of one attempt.
type HookOutcome struct {
	Status   int
	Error    string
	Duration time.Duration
	// Retry says the failure may pass (a 5xx, 429, a timeout); a
	// permanent failure is given up at once.
	Retry bool
	// RetryAfter is the endpoint's own Retry-After, when it sent one.
	RetryAfter time.Duration
}

// OK reports whether the endpoint accepted the delivery.
func (o HookOutcome) OK() bool { return o.Error == "" && o.Status >= 200 && o.Status < 300 }

// HookService keeps webhook subscriptions and their deliveries. Only
// admins reach it.
type HookService interface {
	// CreateHookSubscription adds a subscription and fills its ID and
	// Secret. Returns EINVALID (a bad filter, a URL the outbound policy
	// refuses), ENOTFOUND for an unknown service.
	CreateHookSubscription(ctx context.Context, s *HookSubscription) error

	// FindHookSubscriptions lists every subscription by name, without
	// secrets.
	FindHookSubscriptions(ctx context.Context) ([]*HookSubscription, error)

	// FindHookSubscriptionByID returns one subscription without its secret.
	// Returns ENOTFOUND.
	FindHookSubscriptionByID(ctx context.Context, id int64) (*HookSubscription, error)

	// UpdateHookSubscription changes a subscription. Events already queued
	// are delivered under the filters they were queued by.
	// Returns ENOTFOUND, EINVALID.
	UpdateHookSubscription(ctx context.Context, id int64, upd HookSubscriptionUpdate) (*HookSubscription, error)

	// RotateHookSecret replaces the signing secret and returns the
	// subscription with the new one. Returns ENOTFOUND.
	RotateHookSecret(ctx context.Context, id int64) (*HookSubscription, error)

	// DeleteHookSubscription removes a subscription, its queue and its log.
	// Returns ENOTFOUND.
	DeleteHookSubscription(ctx context.Context, id int64) error

	// FindHookDeliveries returns a page of a subscription's deliveries,
	// newest first, and the total. Returns ENOTFOUND for the subscription.
	FindHookDeliveries(ctx context.Context, filter HookDeliveryFilter) ([]*HookDelivery, int, error)

	// FindHookDeliveryByID returns a delivery with its attempt log and
	// body. Returns ENOTFOUND.
	FindHookDeliveryByID(ctx context.Context, id int64) (*HookDelivery, error)

	// RedeliverHook queues a settled delivery to be sent again, with the
	// same body and delivery ID, at once. Returns ENOTFOUND, ECONFLICT
	// when it is still pending.
	RedeliverHook(ctx context.Context, id int64) (*HookDelivery, error)
}

// HookQueue is what the delivery module needs from the store.
type HookQueue interface {
	// ClaimHookDeliveries leases up to limit due deliveries, at most one
	// per subscription and incident (the oldest pending), so that each
	// endpoint hears of an incident's events in order. Several instances
	// never claim the same row.
	ClaimHookDeliveries(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]*HookSend, error)

	// CompleteHookDelivery records an attempt: delivered, retried after a
	// back-off, or given up.
	CompleteHookDelivery(ctx context.Context, id int64, now time.Time, out HookOutcome) error
}

// Audit actions of webhook subscriptions.
const (
	AuditHookCreate    AuditAction = "hook_subscription.create"
	AuditHookUpdate    AuditAction = "hook_subscription.update"
	AuditHookRotate    AuditAction = "hook_subscription.rotate"
	AuditHookDelete    AuditAction = "hook_subscription.delete"
	AuditHookRedeliver AuditAction = "hook_delivery.redeliver"
)
