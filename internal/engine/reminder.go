package engine

import (
	"context"
	"log/slog"
	"time"

	"github.com/warroomhq/warroom"
)

// Reminders is the module that keeps learning from incidents on time: it
// gives resolved incidents their required postmortem and due date, and
// records reminders when a postmortem or an action item is due or overdue.
// The reminder rows are written in the store's transaction, so a restart
// neither loses nor repeats one; Deliver, when set, hands each new one to
// the notification channels after commit.
type Reminders struct {
	Reminders warroom.ReminderService
	// Deliver sends a reminder to its recipient; a nil error marks it
	// delivered. The store already queues every reminder in the paging
	// outbox, whose delivery marks it delivered, so Deliver is for an
	// extra channel only; serve leaves it nil.
	Deliver func(ctx context.Context, r *warroom.Reminder) error
	Logger  *slog.Logger
}

// Name implements Module.
func (m *Reminders) Name() string { return "reminders" }

// Tick implements Module.
func (m *Reminders) Tick(ctx context.Context, now time.Time) error {
	rs, err := m.Reminders.RunReminders(ctx, now)
	if err != nil {
		return err
	}
	for _, r := range rs {
		if m.Logger != nil {
			m.Logger.Info("reminder", "kind", r.Kind, "target", r.TargetType, "target_id", r.TargetID, "recipient", r.RecipientID)
		}
		if m.Deliver == nil {
			continue
		}
		// A failed delivery stays undelivered in the table for a retry by
		// whoever owns the channel; it does not fail the tick.
		if err := m.Deliver(ctx, r); err != nil {
			if m.Logger != nil {
				m.Logger.Warn("reminder not delivered", "id", r.ID, "err", err)
			}
			continue
		}
		if err := m.Reminders.MarkReminderDelivered(ctx, r.ID); err != nil {
			return err
		}
	}
	return nil
}
