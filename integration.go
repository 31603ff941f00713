package warroom

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// IntegrationKind says which wire format an integration key accepts.
type IntegrationKind string

// Integration kinds, one per ingest endpoint.
const (
	IntegrationPagerDuty    IntegrationKind = "pagerduty"
	IntegrationAlertmanager IntegrationKind = "alertmanager"
	IntegrationGrafana      IntegrationKind = "grafana"
	IntegrationGeneric      IntegrationKind = "generic"
)

// IntegrationKinds lists every kind.
var IntegrationKinds = []IntegrationKind{IntegrationPagerDuty, IntegrationAlertmanager, IntegrationGrafana, IntegrationGeneric}

// Valid reports whether k is a known kind.
func (k IntegrationKind) Valid() bool {
	for _, v := range IntegrationKinds {
		if v == k {
			return true
		}
	}
	return false
}

// IngestPath is the path of the endpoint that takes this kind's payloads.
func (k IntegrationKind) IngestPath() string {
	if k == IntegrationPagerDuty {
		return "/v2/enqueue"
	}
	return "/ingest/" + string(k)
}

// DefaultRateLimit is the number of events per minute a new integration
// accepts before answering 429: far above what a healthy monitoring system
// sends, low enough that a runaway loop cannot drown the others.
const DefaultRateLimit = 120000

// Integration is a key through which a monitoring system sends alerts to one
// service. The key is an ingest credential only: it can add alerts to its
// service and nothing else, so it is stored and shown as is (as PagerDuty
// shows routing keys) and can be rotated or revoked at any time.
type Integration struct {
	ID        int64           `json:"id"`
	ServiceID int64           `json:"service_id"`
	Name      string          `json:"name"`
	Kind      IntegrationKind `json:"kind"`
	// Key is 32 hexadecimal characters, the length PagerDuty clients expect
	// of a routing key.
	Key string `json:"key"`
	// Secret, when set, is the HMAC secret Grafana signs its webhooks with;
	// unsigned or wrongly signed requests are then refused.
	Secret string `json:"secret,omitempty"`
	// RateLimit is the events per minute accepted; 0 means no limit.
	RateLimit int        `json:"rate_limit"`
	CreatedAt time.Time  `json:"created_at"`
	RotatedAt *time.Time `json:"rotated_at"`
	RevokedAt *time.Time `json:"revoked_at"`
}

// Active reports whether the key is still accepted.
func (i *Integration) Active() bool { return i.RevokedAt == nil }

// Validate checks the fields a caller sets.
func (i *Integration) Validate() error {
	i.Name = strings.TrimSpace(i.Name)
	if i.ServiceID <= 0 {
		return FieldErrorf("service_id", "is required")
	} else if i.Name == "" {
		return FieldErrorf("name", "is required")
	} else if utf8.RuneCountInString(i.Name) > MaxTitleLen {
		return FieldErrorf("name", "must be at most %d characters", MaxTitleLen)
	} else if !i.Kind.Valid() {
		return FieldErrorf("kind", "unknown kind %q (want pagerduty, alertmanager, grafana or generic)", i.Kind)
	} else if i.Secret != "" && i.Kind != IntegrationGrafana {
		return FieldErrorf("secret", "only grafana integrations verify a signature")
	} else if len(i.Secret) > 200 {
		return FieldErrorf("secret", "must be at most 200 characters")
	} else if i.RateLimit < 0 {
		return FieldErrorf("rate_limit", "must not be negative")
	}
	return nil
}

// IntegrationFilter selects integrations.
type IntegrationFilter struct {
	ServiceID *int64
	Kind      *IntegrationKind
	// Revoked nil returns all; false only active keys.
	Revoked *bool

	Offset int
	Limit  int
}

// IntegrationService manages integration keys. Every change writes an audit
// entry; the key itself never appears in it.
type IntegrationService interface {
	// FindIntegrationByID returns ENOTFOUND.
	FindIntegrationByID(ctx context.Context, id int64) (*Integration, error)

	// FindIntegrationByKey returns the integration a key belongs to, revoked
	// or not: callers check Active.
	// Returns ENOTFOUND.
	FindIntegrationByKey(ctx context.Context, key string) (*Integration, error)

	// FindIntegrations returns a page ordered by service then name, and the
	// total.
	FindIntegrations(ctx context.Context, filter IntegrationFilter) ([]*Integration, int, error)

	// CreateIntegration adds a key to a service and fills in ID, Key and
	// the times.
	// Returns EINVALID, ENOTFOUND for the service.
	CreateIntegration(ctx context.Context, i *Integration) error

	// RotateIntegrationKey replaces the key; the old one stops working.
	// Returns ENOTFOUND, ECONFLICT when revoked.
	RotateIntegrationKey(ctx context.Context, id int64) (*Integration, error)

	// RevokeIntegration stops the key for good.
	// Returns ENOTFOUND, ECONFLICT when already revoked.
	RevokeIntegration(ctx context.Context, id int64) (*Integration, error)
}

// Audit actions of integrations.
const (
	AuditIntegrationCreate AuditAction = "integration.create"
	AuditIntegrationRotate AuditAction = "integration.rotate"
	AuditIntegrationRevoke AuditAction = "integration.revoke"
)
