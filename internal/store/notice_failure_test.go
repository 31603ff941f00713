package store_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

func pendingIDs(t *testing.T, e *env) []int64 {
	t.Helper()
	ns, err := e.db.PendingNotices(e.ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, n := range ns {
		ids = append(ids, n.ID)
	}
	return ids
}

// TestFailNotice: a notice that cannot be fanned out is deferred with a
// doubling back-off and its error kept, leaves the queue for good after
// MaxNoticeAttempts, and never hides the notices behind it.
func TestFailNotice(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		// Queued before the good notice, as a notice that blocks the queue
		// would be: its status update does not exist.
		if err := store.ExecSQL(e.ctx, e.db, `INSERT INTO notices (kind, status_update_id, created_at) VALUES ('status_update', 999999, ?)`, e.clock.Now()); err != nil {
			t.Fatal(err)
		}
		bad, err := store.QueryID(e.ctx, e.db, `SELECT id FROM notices WHERE status_update_id = 999999`)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.db.Subscribe(e.ctx, &warroom.Subscriber{Kind: warroom.ChannelEmail, Target: "reader@example.com"}); err != nil {
			t.Fatal(err)
		}
		all := pendingIDs(t, e)
		if len(all) != 2 || all[0] != bad {
			t.Fatalf("pending = %v; want the bad notice %d first, then the confirmation", all, bad)
		}
		good := all[1]

		_, loadErr := e.db.LoadNotice(e.ctx, bad)
		if loadErr == nil {
			t.Fatal("LoadNotice(bad) = nil error; want the missing status update")
		}
		start := e.clock.Now()
		if err := e.db.FailNotice(e.ctx, bad, loadErr); err != nil {
			t.Fatalf("FailNotice: %v", err)
		}
		f := rowFailure(t, e, "notices", bad)
		if f.Failures != 1 || !strings.Contains(f.LastError, "999999") || f.State != "" || f.Due == nil || !f.Due.Equal(start.Add(30*time.Second)) {
			t.Errorf("bad notice = %+v; want 1 attempt, its error, due 30s later", f)
		}
		if got := pendingIDs(t, e); len(got) != 1 || got[0] != good {
			t.Errorf("pending during back-off = %v; want only %d", got, good)
		}
		e.clock.Add(30 * time.Second)
		if got := pendingIDs(t, e); len(got) != 2 {
			t.Errorf("pending after back-off = %v; want both", got)
		}
		if err := e.db.FailNotice(e.ctx, bad, loadErr); err != nil {
			t.Fatal(err)
		}
		if f := rowFailure(t, e, "notices", bad); f.Failures != 2 || f.Due == nil || !f.Due.Equal(start.Add(90*time.Second)) {
			t.Errorf("bad notice = %+v; want 2 attempts, due 90s after the first", f)
		}
		for i := 2; i < warroom.MaxNoticeAttempts; i++ {
			if err := e.db.FailNotice(e.ctx, bad, errors.New("still broken")); err != nil {
				t.Fatal(err)
			}
		}
		f = rowFailure(t, e, "notices", bad)
		if f.Failures != warroom.MaxNoticeAttempts || f.State != "failed" || f.LastError != "still broken" {
			t.Errorf("bad notice = %+v; want failed after %d attempts", f, warroom.MaxNoticeAttempts)
		}
		e.clock.Add(24 * time.Hour)
		if got := pendingIDs(t, e); len(got) != 1 || got[0] != good {
			t.Errorf("pending after giving up = %v; want only %d", got, good)
		}

		// A notice already fanned out is left alone.
		if err := e.db.CompleteNotice(e.ctx, good, nil); err != nil {
			t.Fatal(err)
		}
		if err := e.db.FailNotice(e.ctx, good, errors.New("late")); err != nil {
			t.Fatal(err)
		}
		if f := rowFailure(t, e, "notices", good); f.Failures != 0 || f.LastError != "" {
			t.Errorf("completed notice = %+v; want untouched", f)
		}
		if err := e.db.FailNotice(e.ctx, 424242, errors.New("x")); warroom.ErrorCode(err) != warroom.ENOTFOUND {
			t.Errorf("FailNotice(unknown) = %v; want ENOTFOUND", err)
		}
	})
}

// TestNoticeLastBackoff: the last retry before a notice is given up on
// waits 32 minutes, within the hour cap.
func TestNoticeLastBackoff(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		if err := store.ExecSQL(e.ctx, e.db, `INSERT INTO notices (kind, status_update_id, attempts, created_at) VALUES ('status_update', 999999, 6, ?)`, e.clock.Now()); err != nil {
			t.Fatal(err)
		}
		id, err := store.QueryID(e.ctx, e.db, `SELECT id FROM notices`)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.db.FailNotice(e.ctx, id, errors.New("broken")); err != nil {
			t.Fatal(err)
		}
		// The seventh failure: 30s doubled six times is 32 minutes; the
		// eighth would be over an hour, but is the last.
		if f := rowFailure(t, e, "notices", id); f.Failures != 7 || f.Due == nil || !f.Due.Equal(e.clock.Now().Add(32*time.Minute)) {
			t.Errorf("notice = %+v; want 7 attempts, due in 32m", f)
		}
	})
}
