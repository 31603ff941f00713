package warroom

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// AlertAction is what an event from a monitoring system asks for, in
// PagerDuty's words.
type AlertAction string

// Alert actions.
const (
	ActionTrigger     AlertAction = "trigger"
	ActionAcknowledge AlertAction = "acknowledge"
	ActionResolve     AlertAction = "resolve"
)

// AlertStatus is where an alert stands.
type AlertStatus string

// Alert statuses.
const (
	AlertFiring       AlertStatus = "firing"
	AlertAcknowledged AlertStatus = "acknowledged"
	AlertResolved     AlertStatus = "resolved"
)

// AlertStatuses lists every status.
var AlertStatuses = []AlertStatus{AlertFiring, AlertAcknowledged, AlertResolved}

// Valid reports whether s is a known status.
func (s AlertStatus) Valid() bool {
	return s == AlertFiring || s == AlertAcknowledged || s == AlertResolved
}

// AlertSeverity is the severity a monitoring system gives an alert, in
// PagerDuty's four levels. Routing rules map it to an incident Severity.
type AlertSeverity string

// Alert severities, worst first.
const (
	AlertCritical AlertSeverity = "critical"
	AlertError    AlertSeverity = "error"
	AlertWarning  AlertSeverity = "warning"
	AlertInfo     AlertSeverity = "info"
)

// AlertSeverities lists every alert severity, worst first.
var AlertSeverities = []AlertSeverity{AlertCritical, AlertError, AlertWarning, AlertInfo}

// Valid reports whether s is one of the four levels.
func (s AlertSeverity) Valid() bool {
	return s == AlertCritical || s == AlertError || s == AlertWarning || s == AlertInfo
}

// Limits on what an alert keeps. Raw payloads are kept for debugging, not
// as the record: anything longer is cut.
const (
	MaxSummaryLen   = 1024
	MaxDedupKeyLen  = 255
	MaxGroupKeyLen  = 1024
	MaxRawBytes     = 16 << 10
	MaxDetailsBytes = 64 << 10
	MaxLabels       = 64
	MaxLabelLen     = 1024
	MaxLinks        = 20
)

// Link is a URL that helps whoever handles the alert: a dashboard, a runbook.
type Link struct {
	Href string `json:"href"`
	Text string `json:"text,omitempty"`
}

// AlertEvent is one event as parsed from any source, before it is stored:
// the common shape every parser in internal/ingest produces.
type AlertEvent struct {
	Action AlertAction `json:"action"`
	// DedupKey identifies the alert within its integration; events with the
	// same key update one open alert.
	DedupKey string            `json:"dedup_key"`
	Summary  string            `json:"summary"`
	Source   string            `json:"source"`
	Severity AlertSeverity     `json:"severity"`
	Labels   map[string]string `json:"labels,omitempty"`
	Details  json.RawMessage   `json:"details,omitempty"`
	Links    []Link            `json:"links,omitempty"`
	// GroupKey is the sender's own grouping of the event, when it has one:
	// an Alertmanager or Grafana notification's groupKey, PagerDuty's
	// dedup_key. By default every alert of one upstream group attaches to
	// the one incident the group opened, so that a storm the sender had
	// already grouped opens one incident, not thousands.
	GroupKey string `json:"group_key,omitempty"`
	// At is when the source says it happened; zero means on arrival.
	At time.Time `json:"at"`
	// Raw is the event as received, cut to MaxRawBytes.
	Raw json.RawMessage `json:"-"`
	// EncodedLabels and EncodedLinks are Labels and Links as JSON, as the
	// store writes them, set by Encode. The ingest endpoints encode in the
	// request's goroutine so that the single database writer does not;
	// the store encodes an event whose EncodedLabels is empty. Call Encode
	// again after changing Labels or Links.
	EncodedLabels string `json:"-"`
	EncodedLinks  string `json:"-"`
}

// Encode sets EncodedLabels and EncodedLinks (empty when there are no
// links).
func (e *AlertEvent) Encode() {
	e.EncodedLabels = string(appendLabelsJSON(make([]byte, 0, 64), e.Labels))
	e.EncodedLinks = ""
	if len(e.Links) > 0 {
		b, _ := json.Marshal(e.Links) // a []Link always encodes
		e.EncodedLinks = string(b)
	}
}

// appendLabelsJSON appends labels as a JSON object with sorted names, as
// encoding/json would write it, without its reflection: labels are encoded
// once per alert on the ingest path.
func appendLabelsJSON(b []byte, labels map[string]string) []byte {
	names := make([]string, 0, len(labels))
	for k, v := range labels {
		if !utf8.ValidString(k) || !utf8.ValidString(v) {
			// encoding/json replaces invalid bytes; leave that to it.
			enc, _ := json.Marshal(labels)
			return append(b, enc...)
		}
		names = append(names, k)
	}
	slices.Sort(names)
	b = append(b, '{')
	for i, k := range names {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, k)
		b = append(b, ':')
		b = appendJSONString(b, labels[k])
	}
	return append(b, '}')
}

// appendJSONString appends s, valid UTF-8, as a JSON string.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	last := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[last:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		last = i + 1
	}
	b = append(b, s[last:]...)
	return append(b, '"')
}

// Validate checks an event and fills defaults: a trigger needs a summary
// and a severity (error when none is given); acknowledge and resolve need
// only the key.
func (e *AlertEvent) Validate() error {
	switch e.Action {
	case ActionTrigger, ActionAcknowledge, ActionResolve:
	default:
		return FieldErrorf("action", "must be trigger, acknowledge or resolve, got %q", e.Action)
	}
	e.Summary = truncateRunes(strings.TrimSpace(e.Summary), MaxSummaryLen)
	if e.Action == ActionTrigger && e.Summary == "" {
		return FieldErrorf("summary", "is required")
	}
	if e.DedupKey == "" {
		return FieldErrorf("dedup_key", "is required")
	} else if len(e.DedupKey) > MaxDedupKeyLen {
		return FieldErrorf("dedup_key", "must be at most %d bytes", MaxDedupKeyLen)
	} else if !utf8.ValidString(e.DedupKey) || strings.ContainsRune(e.DedupKey, 0) {
		return FieldErrorf("dedup_key", "must be valid UTF-8 without NUL characters")
	}
	// PostgreSQL text cannot hold NUL; it carries no meaning in a summary.
	e.Summary = strings.ReplaceAll(e.Summary, "\x00", "")
	e.Source = strings.ReplaceAll(e.Source, "\x00", "")
	if len(e.GroupKey) > MaxGroupKeyLen || strings.ContainsRune(e.GroupKey, 0) || !utf8.ValidString(e.GroupKey) {
		// A group key only ever compares equal to itself, so a key too
		// long or not storable as text is kept as its digest: cutting or
		// cleaning it could merge two groups.
		sum := sha256.Sum256([]byte(e.GroupKey))
		e.GroupKey = "sha256:" + hex.EncodeToString(sum[:])
	}
	if e.Severity == "" {
		e.Severity = AlertError
	}
	if !e.Severity.Valid() {
		return FieldErrorf("severity", "must be critical, error, warning or info, got %q", e.Severity)
	}
	e.Source = truncateRunes(e.Source, MaxTitleLen)
	if len(e.Labels) > MaxLabels {
		return FieldErrorf("labels", "at most %d labels", MaxLabels)
	}
	for k, v := range e.Labels {
		if k == "" || len(k) > MaxLabelLen || len(v) > MaxLabelLen {
			return FieldErrorf("labels", "names must be 1 to %d bytes and values at most %d", MaxLabelLen, MaxLabelLen)
		}
	}
	if len(e.Details) > MaxDetailsBytes {
		return FieldErrorf("details", "must be at most %d bytes of JSON", MaxDetailsBytes)
	}
	if len(e.Links) > MaxLinks {
		e.Links = e.Links[:MaxLinks]
	}
	if len(e.Raw) > MaxRawBytes {
		e.Raw = nil
	}
	return nil
}

// truncateRunes cuts s to at most n runes without splitting one.
func truncateRunes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := 0
	for j := range s {
		if i == n {
			return s[:j]
		}
		i++
	}
	return s
}

// Alert is what warroom keeps of a signal from monitoring: one row per open
// dedup key, updated by every repeat until resolved.
type Alert struct {
	ID            int64             `json:"id"`
	ServiceID     int64             `json:"service_id"`
	IntegrationID int64             `json:"integration_id,omitempty"`
	MonitorID     int64             `json:"monitor_id,omitempty"`
	Source        string            `json:"source"`
	DedupKey      string            `json:"dedup_key"`
	Status        AlertStatus       `json:"status"`
	Summary       string            `json:"summary"`
	Severity      AlertSeverity     `json:"severity"`
	Labels        map[string]string `json:"labels"`
	Details       json.RawMessage   `json:"details,omitempty"`
	Links         []Link            `json:"links"`
	Raw           json.RawMessage   `json:"raw,omitempty"`
	// Occurrences counts the triggers merged into this alert.
	Occurrences    int64      `json:"occurrences"`
	FirstSeenAt    time.Time  `json:"first_seen_at"`
	LastSeenAt     time.Time  `json:"last_seen_at"`
	AcknowledgedAt *time.Time `json:"acknowledged_at"`
	ResolvedAt     *time.Time `json:"resolved_at"`
	// IncidentID is the incident the alert opened or was attached to.
	IncidentID *int64 `json:"incident_id"`
	// RuleID is the routing rule that matched, nil for the default route.
	RuleID *int64 `json:"rule_id"`
	// GroupKey is the sender's grouping of the alert (AlertEvent.GroupKey).
	GroupKey string `json:"group_key"`
	// Flapping is set when the alert's key fired more often within its
	// service's flap window than the service allows: it was attached to the
	// key's last incident without paging anyone.
	Flapping bool `json:"flapping"`
	// RoutingError is why routing last failed for this alert, "" when it
	// did not; RoutingFailures counts the attempts that failed. A failing
	// alert is retried with back-off and never holds up the others.
	RoutingError    string `json:"routing_error"`
	RoutingFailures int    `json:"routing_failures"`
	// Suppressed is set when the alert arrived during a maintenance window:
	// kept and shown, but it pages no one and opens nothing.
	Suppressed bool `json:"suppressed"`
	// Routed is set once routing has run after the alert was stored.
	Routed bool `json:"routed"`
}

// AlertBatch is the events of one ingest request, for one integration. The
// store writes many batches in one transaction and fills Results.
type AlertBatch struct {
	IntegrationID int64
	// MonitorID is set instead of IntegrationID for alerts a monitor raises.
	MonitorID int64
	ServiceID int64
	// Source names the sender: an integration kind, or a monitor kind.
	Source string
	Events []*AlertEvent
	// Results has one entry per event, in order, once stored.
	Results []IngestResult
}

// IngestResult says what became of one event.
type IngestResult struct {
	AlertID  int64  `json:"alert_id"`
	DedupKey string `json:"dedup_key"`
	// Created is set when the event opened a new alert.
	Created bool `json:"created"`
	// Dropped is set for an acknowledge or resolve with no open alert,
	// which PagerDuty also accepts and ignores.
	Dropped bool `json:"dropped"`
}

// AlertFilter selects alerts.
// AlertCountLimit is how far alert lists count their matches. A year of
// alerts is a million rows; counting them all for each page costs more than
// the page (hundreds of milliseconds on PostgreSQL), and no one pages
// through ten thousand alerts: they narrow the filter.
const AlertCountLimit = 10000

type AlertFilter struct {
	ID            *int64
	ServiceID     *int64
	IntegrationID *int64
	IncidentID    *int64
	Statuses      []AlertStatus
	// Query matches the summary and the dedup key.
	Query *string

	Offset int
	Limit  int
}

// RoutingReport is what one pass of routing did.
type RoutingReport struct {
	Routed   int
	Opened   []int64 // incidents opened
	Attached int
	// Mitigated lists incidents moved to mitigated because every alert on
	// them resolved; Resolved those resolved for the same reason, and
	// Acknowledged those acknowledged by their source.
	Mitigated    []int64
	Resolved     []int64
	Acknowledged []int64
	Suppressed   int
	// Flapping counts alerts attached without paging because their key
	// flaps; Stormed those attached to a service's alert-storm incident.
	Flapping int
	Stormed  int
	// Failed counts alerts whose routing failed and will be retried.
	Failed int
	// More is set when the pass stopped early, having opened as many
	// incidents as one pass commits at once: more alerts are waiting.
	More bool
}

// AlertService stores and routes alerts.
type AlertService interface {
	// IngestAlerts stores every batch in one transaction, with PagerDuty's
	// dedup semantics per integration: a trigger updates the open alert of
	// its key or opens one (a trigger after a resolve opens a new alert); an
	// acknowledge or resolve with no open alert is dropped. Routing happens
	// later, from the outbox written in the same transaction.
	// Returns EINVALID naming the event's field.
	IngestAlerts(ctx context.Context, batches []*AlertBatch) error

	// FindAlertByID returns ENOTFOUND.
	FindAlertByID(ctx context.Context, id int64) (*Alert, error)

	// FindAlerts returns a page of alerts, newest first, and the total,
	// counted up to AlertCountLimit: more matching alerts than that report
	// AlertCountLimit+1.
	FindAlerts(ctx context.Context, filter AlertFilter) ([]*Alert, int, error)

	// ResolveAlert resolves an alert by hand.
	// Returns ENOTFOUND, ECONFLICT when already resolved.
	ResolveAlert(ctx context.Context, id int64) (*Alert, error)

	// RouteAlerts works through up to limit outbox entries at now: routing
	// rules, maintenance windows, grouping, opening and mitigating
	// incidents, flow-monitor counts. It is what the engine runs.
	RouteAlerts(ctx context.Context, now time.Time, limit int) (RoutingReport, error)
}

// Timeline event kinds written by alert routing. EventAlertOpened marks the
// moment an incident was opened automatically; whoever pages people keys on
// it.
const (
	EventAlertOpened   EventKind = "alert_opened"
	EventAlertAttached EventKind = "alert_attached"
	EventAlertResolved EventKind = "alert_resolved"
)

// Audit action of a person resolving an alert by hand.
const AuditAlertResolve AuditAction = "alert.resolve"
