package warroom

import (
	"context"
	"time"
)

// NotificationReceipt is what an SMS or voice provider reported about one
// notification it was given: its own identifier, the delivery state
// ("queued", "delivered", "undelivered", "completed", "no-answer"…), an
// error code, and the price once the provider knows it.
type NotificationReceipt struct {
	NotificationID int64     `json:"notification_id"`
	Provider       string    `json:"provider"`
	ProviderID     string    `json:"provider_id"`
	Status         string    `json:"status"`
	ErrorCode      string    `json:"error_code,omitempty"`
	Price          string    `json:"price,omitempty"`
	PriceUnit      string    `json:"price_unit,omitempty"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// Validate bounds what a provider's callback may store.
func (r *NotificationReceipt) Validate() error {
	for _, f := range []struct{ name, v string }{{"provider", r.Provider}, {"provider_id", r.ProviderID}, {"status", r.Status},
		{"error_code", r.ErrorCode}, {"price", r.Price}, {"price_unit", r.PriceUnit}} {
		if len(f.v) > 64 {
			return FieldErrorf(f.name, "must be at most 64 characters")
		}
	}
	if r.NotificationID <= 0 {
		return FieldErrorf("notification_id", "is required")
	} else if r.Provider == "" || r.Status == "" {
		return FieldErrorf("status", "is required")
	}
	return nil
}

// Audit actions of answers from phones.
const (
	// AuditPhoneReplyRefused records an SMS or key press that did not act:
	// an unknown number, an incident the person may not touch.
	AuditPhoneReplyRefused AuditAction = "phone_reply.refused"
)

// PhoneService is the store side of SMS and voice: who a number belongs
// to, and what providers report.
type PhoneService interface {
	// FindVerifiedPhone returns the verified SMS or voice method with the
	// E.164 number, its address set.
	// Returns ENOTFOUND, ECONFLICT when people other than one share it.
	FindVerifiedPhone(ctx context.Context, number string) (*ContactMethod, error)

	// RecordNotificationReceipt stores (replacing) a provider's report.
	// Returns ENOTFOUND for the notification, EINVALID.
	RecordNotificationReceipt(ctx context.Context, r *NotificationReceipt) error

	// FindNotificationReceipt returns the last report on a notification.
	// Returns ENOTFOUND.
	FindNotificationReceipt(ctx context.Context, notificationID int64) (*NotificationReceipt, error)

	// RecordPhoneRefusal audits an answer from a phone that did not act.
	RecordPhoneRefusal(ctx context.Context, channel, number, reason string) error
}
