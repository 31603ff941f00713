package engine_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/engine"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

// TestReminders runs the module through the engine with a fast-forwarded
// clock: a resolved P1 gets its postmortem, the author is reminded before
// and after the due date, each once, and failed deliveries stay pending.
func TestReminders(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engineName string) {
		var mu sync.Mutex
		now := time.Date(2026, 3, 4, 9, 0, 0, 0, time.UTC) // a Wednesday
		clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
		advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }

		db := storetest.Open(t, engineName, clock)
		author, ctx, _ := storetest.User(t, db, warroom.UserRoleResponder)
		inc := &warroom.Incident{Title: "Orders stuck", Type: warroom.TypeSystemCrash, Severity: warroom.P1, SeverityReason: "orders"}
		if err := db.DeclareIncident(ctx, inc); err != nil {
			t.Fatal(err)
		}
		if _, err := db.TransitionIncident(ctx, inc.ID, warroom.StateResolved, "restarted"); err != nil {
			t.Fatal(err)
		}

		var delivered []*warroom.Reminder
		fail := true
		m := &engine.Reminders{Reminders: db, Deliver: func(_ context.Context, r *warroom.Reminder) error {
			if fail {
				return errors.New("channel down")
			}
			delivered = append(delivered, r)
			return nil
		}}
		e := engine.New(engine.Options{Now: clock}, m)
		e.Tick(context.Background())
		p, err := db.FindPostmortemByIncident(ctx, inc.ID)
		if err != nil {
			t.Fatalf("no postmortem after a tick: %v", err)
		}
		// Wednesday 09:00 plus five working days is next Wednesday 09:00.
		if want := time.Date(2026, 3, 11, 9, 0, 0, 0, time.UTC); p.DueAt == nil || !p.DueAt.Equal(want) || p.AuthorID != author.ID {
			t.Fatalf("due %v author %d, want %v and %d", p.DueAt, p.AuthorID, want, author.ID)
		}

		advance(6*24*time.Hour + time.Hour) // Tuesday 10:00: due within a day
		e.Tick(context.Background())
		fail = false
		advance(24 * time.Hour) // Wednesday 10:00: overdue
		e.Tick(context.Background())
		e.Tick(context.Background())
		if len(delivered) != 1 || delivered[0].Kind != warroom.ReminderPostmortemOverdue || delivered[0].RecipientID != author.ID {
			t.Fatalf("delivered = %+v, want the overdue reminder once", delivered)
		}
		pending, _, err := db.FindReminders(ctx, warroom.ReminderFilter{Undelivered: true})
		if err != nil || len(pending) != 1 || pending[0].Kind != warroom.ReminderPostmortemDue {
			t.Errorf("undelivered = %+v (%v), want the due reminder whose delivery failed", pending, err)
		}
		if st := e.Stats()["reminders"]; st.Failures != 0 || st.Ticks != 4 {
			t.Errorf("stats = %+v", st)
		}
	})
}
