package warroom

import (
	"context"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// ContactType is the channel a contact method reaches a person on.
type ContactType string

// Contact types. Every one has its own notifier with the vendor's wire
// format and signing.
const (
	ContactEmail      ContactType = "email"
	ContactWebhook    ContactType = "webhook"
	ContactSlack      ContactType = "slack"
	ContactTeams      ContactType = "teams"
	ContactMattermost ContactType = "mattermost"
	ContactFeishu     ContactType = "feishu"
	ContactDingTalk   ContactType = "dingtalk"
	ContactWeCom      ContactType = "wecom"
	// ContactSMS and ContactVoice reach a phone number (E.164) through the
	// SMS and voice providers the server is configured with.
	ContactSMS   ContactType = "sms"
	ContactVoice ContactType = "voice"
)

// ContactTypes lists every contact type.
var ContactTypes = []ContactType{ContactEmail, ContactWebhook, ContactSlack, ContactTeams, ContactMattermost, ContactFeishu, ContactDingTalk, ContactWeCom, ContactSMS, ContactVoice}

// Phone reports whether t reaches a phone number rather than an address
// or a URL.
func (t ContactType) Phone() bool { return t == ContactSMS || t == ContactVoice }

// Valid reports whether t is a known contact type.
func (t ContactType) Valid() bool {
	for _, v := range ContactTypes {
		if v == t {
			return true
		}
	}
	return false
}

// ContactMethod is one way to reach a user: an email address or a chat
// webhook. Pages go only to verified methods, so that a typo in an address
// is found when it is added rather than during an outage.
type ContactMethod struct {
	ID     int64       `json:"id"`
	UserID int64       `json:"user_id"`
	Type   ContactType `json:"type"`
	Name   string      `json:"name"`
	// Address is the email address or the webhook URL. Webhook URLs embed
	// credentials, so they are encrypted at rest and only shown to the
	// method's owner.
	Address string `json:"address"`
	// Secret signs requests (webhook HMAC key, Feishu and DingTalk bot
	// secret). It is write-only: reads leave it empty and set HasSecret.
	Secret     string     `json:"secret,omitempty"`
	HasSecret  bool       `json:"has_secret"`
	VerifiedAt *time.Time `json:"verified_at"`
	CreatedAt  time.Time  `json:"created_at"`
}

// Verified reports whether the method has proved it reaches its owner.
func (cm *ContactMethod) Verified() bool { return cm.VerifiedAt != nil }

// Validate checks the method and normalises an email address.
func (cm *ContactMethod) Validate() error {
	if !cm.Type.Valid() {
		return FieldErrorf("type", "unknown type %q (want email, webhook, slack, teams, mattermost, feishu, dingtalk, wecom, sms or voice)", cm.Type)
	} else if strings.TrimSpace(cm.Name) == "" || utf8.RuneCountInString(cm.Name) > 100 {
		return FieldErrorf("name", "must be 1 to 100 characters")
	} else if len(cm.Secret) > 512 {
		return FieldErrorf("secret", "must be at most 512 characters")
	}
	if cm.Type == ContactEmail {
		addr, err := mail.ParseAddress(cm.Address)
		if err != nil || addr.Address != strings.TrimSpace(cm.Address) || len(cm.Address) > 254 {
			return FieldErrorf("address", "must be a plain address such as ana@example.com")
		}
		cm.Address = strings.ToLower(addr.Address)
		return nil
	}
	if cm.Type.Phone() {
		// The store checks the number against the numbering plans and
		// normalises it; here only its shape.
		if !e164.MatchString(strings.Map(dropPhoneSeparators, cm.Address)) {
			return FieldErrorf("address", "must be a phone number with its country code, such as +8613812345678")
		}
		return nil
	}
	u, err := url.Parse(cm.Address)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(cm.Address) > 2048 {
		return FieldErrorf("address", "must be an http(s) webhook URL")
	}
	return nil
}

// e164 is the shape of an international number: +, a country code that
// does not start with 0, at most 15 digits.
var e164 = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)

// dropPhoneSeparators drops the spaces, dashes, dots and brackets people
// write numbers with.
func dropPhoneSeparators(r rune) rune {
	switch r {
	case ' ', '-', '.', '(', ')':
		return -1
	}
	return r
}

// NotificationRule says when a user is told of a page on one contact
// method: "immediately by email, after 2 minutes also by DingTalk".
type NotificationRule struct {
	ID              int64     `json:"id"`
	UserID          int64     `json:"user_id"`
	ContactMethodID int64     `json:"contact_method_id"`
	DelaySeconds    int64     `json:"delay_seconds"`
	CreatedAt       time.Time `json:"created_at"`
}

// MaxRuleDelay bounds a notification rule's delay: a page held back longer
// than an hour is not a page.
const MaxRuleDelay = time.Hour

// Validate checks the rule's delay.
func (r *NotificationRule) Validate() error {
	if r.ContactMethodID <= 0 {
		return FieldErrorf("contact_method_id", "is required")
	} else if r.DelaySeconds < 0 || time.Duration(r.DelaySeconds)*time.Second > MaxRuleDelay {
		return FieldErrorf("delay_seconds", "must be 0 to %d", int64(MaxRuleDelay/time.Second))
	}
	return nil
}

// Contact audit actions.
const (
	AuditContactCreate AuditAction = "contact_method.create"
	AuditContactDelete AuditAction = "contact_method.delete"
	AuditContactVerify AuditAction = "contact_method.verify"
	AuditRuleCreate    AuditAction = "notification_rule.create"
	AuditRuleDelete    AuditAction = "notification_rule.delete"
)

// ContactService manages users' contact methods and notification rules.
// Callers check that the acting user may manage userID (themselves, or any
// user for an admin).
type ContactService interface {
	// FindContactMethods lists a user's methods, oldest first, with
	// addresses but never secrets.
	FindContactMethods(ctx context.Context, userID int64) ([]*ContactMethod, error)

	// CreateContactMethod adds an unverified method and queues a
	// verification code to it.
	// Returns EINVALID, ENOTFOUND for the user.
	CreateContactMethod(ctx context.Context, cm *ContactMethod) error

	// DeleteContactMethod removes a method and the rules that use it.
	// Returns ENOTFOUND.
	DeleteContactMethod(ctx context.Context, userID, id int64) error

	// SendContactVerification queues a new code to the method; the previous
	// one stops working.
	// Returns ENOTFOUND.
	SendContactVerification(ctx context.Context, userID, id int64) error

	// VerifyContactMethod marks the method verified when code is the last
	// one sent and has not expired.
	// Returns ENOTFOUND, EINVALID for a wrong or expired code.
	VerifyContactMethod(ctx context.Context, userID, id int64, code string) error

	// SendTestNotification queues a test message to a verified method.
	// Returns ENOTFOUND, ECONFLICT when the method is not verified.
	SendTestNotification(ctx context.Context, userID, id int64) error

	// FindNotificationRules lists a user's rules by delay.
	FindNotificationRules(ctx context.Context, userID int64) ([]*NotificationRule, error)

	// CreateNotificationRule adds a rule.
	// Returns EINVALID, ENOTFOUND for the user or the method.
	CreateNotificationRule(ctx context.Context, r *NotificationRule) error

	// DeleteNotificationRule removes a rule.
	// Returns ENOTFOUND.
	DeleteNotificationRule(ctx context.Context, userID, id int64) error
}
