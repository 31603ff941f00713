package warroom

import (
	"context"
	"time"
)

// ReminderKind says why a reminder was sent.
type ReminderKind string

// Reminder kinds. Each is sent once per target and recipient.
const (
	// ReminderPostmortemDue: the postmortem is due within a day.
	ReminderPostmortemDue ReminderKind = "postmortem_due"
	// ReminderPostmortemOverdue: past its due date and not published.
	ReminderPostmortemOverdue ReminderKind = "postmortem_overdue"
	// ReminderActionItemOverdue: the owner's item is past its due date.
	ReminderActionItemOverdue ReminderKind = "action_item_overdue"
	// ReminderActionItemEscalated: still overdue after the policy's
	// escalation delay; sent to whoever leads the owner.
	ReminderActionItemEscalated ReminderKind = "action_item_escalated"
)

// Reminder is a durable record that someone was reminded of late work. The
// row is written in the same transaction that decides it is due, so a
// restart neither loses nor repeats one; delivery through notification
// channels follows the commit.
type Reminder struct {
	ID          int64        `json:"id"`
	Kind        ReminderKind `json:"kind"`
	TargetType  string       `json:"target_type"`
	TargetID    int64        `json:"target_id"`
	IncidentID  int64        `json:"incident_id"`
	RecipientID int64        `json:"recipient_id"`
	Text        string       `json:"text"`
	DueAt       time.Time    `json:"due_at"`
	CreatedAt   time.Time    `json:"created_at"`
	DeliveredAt *time.Time   `json:"delivered_at"`
}

// ReminderFilter selects reminders.
type ReminderFilter struct {
	RecipientID *int64
	TargetType  *string
	TargetID    *int64
	// Undelivered selects reminders no channel has delivered yet.
	Undelivered bool

	Offset int
	Limit  int
}

// ReminderService decides and records reminders for late postmortems and
// action items.
type ReminderService interface {
	// RunReminders gives every resolved incident the policy covers a draft
	// postmortem with a due date, then records every reminder due at now
	// that has not been recorded yet, with a timeline event and an audit
	// entry, and returns the new ones.
	RunReminders(ctx context.Context, now time.Time) ([]*Reminder, error)

	// FindReminders returns a page, newest first, and the total.
	FindReminders(ctx context.Context, filter ReminderFilter) ([]*Reminder, int, error)

	// MarkReminderDelivered records that a channel delivered it.
	// Returns ENOTFOUND.
	MarkReminderDelivered(ctx context.Context, id int64) error
}

// Reminder audit action and timeline event kind.
const (
	AuditReminderSend AuditAction = "reminder.send"

	EventReminder EventKind = "reminder"
)
