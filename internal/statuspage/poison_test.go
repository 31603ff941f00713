package statuspage_test

import (
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

// rawSQL opens the env's database directly, as a damaged database would be
// found, around the store.
func rawSQL(t *testing.T, e *env) *sql.DB {
	t.Helper()
	driver := "sqlite"
	if e.db.Engine() == store.EnginePostgres {
		driver = "pgx"
	}
	db, err := sql.Open(driver, e.dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// noticeFailure is what the queue recorded about a notice's failures.
type noticeFailure struct {
	attempts  int
	lastError string
	next      time.Time
}

func findNoticeFailure(t *testing.T, db *sql.DB, id int64) noticeFailure {
	t.Helper()
	var (
		f    noticeFailure
		next any
	)
	if err := db.QueryRow(fmt.Sprintf(`SELECT attempts, last_error, next_attempt_at FROM notices WHERE id = %d`, id)).Scan(&f.attempts, &f.lastError, &next); err != nil {
		t.Fatal(err)
	}
	switch v := next.(type) {
	case time.Time:
		f.next = v
	case string:
		p, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			t.Fatal(err)
		}
		f.next = p
	}
	return f
}

// TestPoisonNotice: a notice that cannot be loaded, queued before the
// others, neither stops them on the same tick nor is lost: it is deferred
// with back-off and its error kept.
func TestPoisonNotice(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		raw := rawSQL(t, e)
		// A status update notice whose update is gone.
		if _, err := raw.Exec(`INSERT INTO notices (kind, status_update_id, created_at) VALUES ('status_update', 999999, '2026-03-01T08:00:00.000000Z')`); err != nil {
			t.Fatal(err)
		}
		var bad int64
		if err := raw.QueryRow(`SELECT id FROM notices WHERE status_update_id = 999999`).Scan(&bad); err != nil {
			t.Fatal(err)
		}
		readers := []string{"ana@example.com", "bo@example.com"}
		for _, r := range readers {
			if err := e.db.Subscribe(e.ctx, &warroom.Subscriber{Kind: warroom.ChannelEmail, Target: r}); err != nil {
				t.Fatal(err)
			}
		}
		if ns, err := e.db.PendingNotices(e.ctx, 10); err != nil || len(ns) != 3 || ns[0].ID != bad {
			t.Fatalf("pending = %v, %v; want the bad notice first of 3", ns, err)
		}

		e.tick(t)
		for _, r := range readers {
			if m := e.mail.to(r); len(m) != 1 {
				t.Errorf("mails to %s = %d; want 1 confirmation on the same tick", r, len(m))
			}
		}
		first := e.clock.Now()
		f := findNoticeFailure(t, raw, bad)
		if f.attempts != 1 || !strings.Contains(f.lastError, "999999") || !f.next.Equal(first.Add(30*time.Second)) {
			t.Errorf("bad notice = %+v; want 1 attempt, its error, next attempt at %v", f, first.Add(30*time.Second))
		}

		// Not retried in a hot loop.
		e.fresh()
		e.tick(t)
		if f := findNoticeFailure(t, raw, bad); f.attempts != 1 {
			t.Errorf("attempts before the back-off passed = %d; want 1", f.attempts)
		}
		// Retried once due, with the back-off doubled.
		e.clock.Add(30 * time.Second)
		e.tick(t)
		second := e.clock.Now()
		if f := findNoticeFailure(t, raw, bad); f.attempts != 2 || !f.next.Equal(second.Add(time.Minute)) {
			t.Errorf("bad notice = %+v; want 2 attempts, next attempt at %v", f, second.Add(time.Minute))
		}
		for _, r := range readers {
			if m := e.mail.to(r); len(m) != 1 {
				t.Errorf("mails to %s = %d; want still 1", r, len(m))
			}
		}
	})
}
