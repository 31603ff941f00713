package store_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

// poisonWorld is two incidents, each paging its own responder through its
// own service's policy; the "bad" policy is then corrupted in the database.
type poisonWorld struct {
	good, bad           *warroom.Incident
	goodUser, badUser   *warroom.User
	goodPolicy, badPoly *warroom.EscalationPolicy
}

func newPoisonWorld(t *testing.T, e *env) *poisonWorld {
	t.Helper()
	w := &poisonWorld{}
	person := func(name string) *warroom.User {
		u := &warroom.User{Name: name, Email: name + "@example.com", Role: warroom.UserRoleAdmin}
		if err := e.db.CreateUser(e.ctx, u); err != nil {
			t.Fatal(err)
		}
		if err := store.ExecSQL(e.ctx, e.db, `INSERT INTO contact_methods (user_id, type, name, address_sealed, verified_at, created_at) VALUES (?, 'email', 'work', ?, ?, ?)`,
			u.ID, "plain:"+name+"@example.com", e.clock.Now(), e.clock.Now()); err != nil {
			t.Fatal(err)
		}
		return u
	}
	w.goodUser, w.badUser = person("good"), person("bad")
	start := func(name string, u *warroom.User) (*warroom.EscalationPolicy, *warroom.Incident) {
		p := &warroom.EscalationPolicy{Name: name, Levels: []warroom.EscalationLevel{
			{DelaySeconds: 600, Targets: []warroom.EscalationTarget{{Type: warroom.TargetUser, ID: u.ID}}},
		}}
		if err := e.db.CreateEscalationPolicy(e.ctx, p); err != nil {
			t.Fatal(err)
		}
		svc := e.service(t, name)
		if err := e.db.SetServiceEscalationPolicy(e.ctx, svc.ID, p.ID); err != nil {
			t.Fatal(err)
		}
		inc := e.declare(t, &warroom.Incident{Title: name + " is down", Severity: warroom.P1, ServiceIDs: []int64{svc.ID}})
		return p, inc
	}
	w.goodPolicy, w.good = start("good", w.goodUser)
	w.badPoly, w.bad = start("bad", w.badUser)
	return w
}

func escalationOf(t *testing.T, e *env, incidentID int64) *warroom.Escalation {
	t.Helper()
	es, err := e.db.FindEscalations(e.ctx, incidentID)
	if err != nil || len(es) != 1 {
		t.Fatalf("FindEscalations(%d) = %v, %v; want one", incidentID, es, err)
	}
	return es[0]
}

func rowFailure(t *testing.T, e *env, table string, id int64) *store.RowFailure {
	t.Helper()
	f, err := store.FindRowFailure(e.ctx, e.db, table, id)
	if err != nil {
		t.Fatalf("FindRowFailure(%s, %d): %v", table, id, err)
	}
	return f
}

// TestPoisonRows: one row that cannot be processed, due before the others,
// neither stops the good rows on the same tick nor is lost: it is deferred
// with back-off and its error kept.
func TestPoisonRows(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		t.Run("escalations", func(t *testing.T) {
			e := newEnv(t, engine)
			w := newPoisonWorld(t, e)
			bad := escalationOf(t, e, w.bad.ID)
			if err := store.ExecSQL(e.ctx, e.db, `UPDATE escalation_policies SET levels = 'not json' WHERE id = ?`, w.badPoly.ID); err != nil {
				t.Fatal(err)
			}
			// Due first, as a poison row that blocks a batch would be.
			if err := store.ExecSQL(e.ctx, e.db, `UPDATE escalations SET next_at = ? WHERE id = ?`, e.clock.Now().Add(-time.Minute), bad.ID); err != nil {
				t.Fatal(err)
			}
			now := e.clock.Now()
			n, err := e.db.FireEscalations(e.ctx, now, 10)
			if err != nil || n != 2 {
				t.Fatalf("FireEscalations = %d, %v; want 2, nil", n, err)
			}
			if got := escalationOf(t, e, w.good.ID); got.Level != 1 {
				t.Errorf("good escalation level = %d; want 1 (paged on the same tick)", got.Level)
			}
			if got := len(e.events(t, w.good.ID, warroom.EventEscalated)); got != 1 {
				t.Errorf("good incident escalated events = %d; want 1", got)
			}
			f := rowFailure(t, e, "escalations", bad.ID)
			if f.Failures != 1 || f.LastError == "" || f.Due == nil || !f.Due.Equal(now.Add(30*time.Second)) {
				t.Errorf("bad escalation = %+v; want 1 failure, an error and due 30s later", f)
			}
			if got := escalationOf(t, e, w.bad.ID); got.Level != 0 {
				t.Errorf("bad escalation level = %d; want 0 (its changes undone)", got.Level)
			}
			// Not retried in a hot loop: nothing is due at the same now.
			if n, err := e.db.FireEscalations(e.ctx, now, 10); err != nil || n != 0 {
				t.Errorf("FireEscalations again = %d, %v; want 0, nil", n, err)
			}
			// Retried, with the back-off doubling.
			if n, err := e.db.FireEscalations(e.ctx, now.Add(30*time.Second), 10); err != nil || n != 1 {
				t.Errorf("FireEscalations after back-off = %d, %v; want 1, nil", n, err)
			}
			f = rowFailure(t, e, "escalations", bad.ID)
			if f.Failures != 2 || f.Due == nil || !f.Due.Equal(now.Add(90*time.Second)) {
				t.Errorf("bad escalation = %+v; want 2 failures, due 90s after the first", f)
			}
			// Repaired, it fires and its record is cleared.
			if err := store.ExecSQL(e.ctx, e.db, `UPDATE escalation_policies SET levels = ? WHERE id = ?`,
				fmt.Sprintf(`[{"delay_seconds":600,"targets":[{"type":"user","id":%d}]}]`, w.badUser.ID), w.badPoly.ID); err != nil {
				t.Fatal(err)
			}
			if n, err := e.db.FireEscalations(e.ctx, now.Add(90*time.Second), 10); err != nil || n != 1 {
				t.Errorf("FireEscalations after repair = %d, %v; want 1, nil", n, err)
			}
			if f := rowFailure(t, e, "escalations", bad.ID); f.Failures != 0 || f.LastError != "" {
				t.Errorf("repaired escalation = %+v; want its failures cleared", f)
			}
		})

		t.Run("sla timers", func(t *testing.T) {
			e := newEnv(t, engine)
			w := newPoisonWorld(t, e)
			if err := store.ExecSQL(e.ctx, e.db, `UPDATE escalation_policies SET levels = 'not json' WHERE id = ?`, w.badPoly.ID); err != nil {
				t.Fatal(err)
			}
			goodID, err := store.QueryID(e.ctx, e.db, `SELECT id FROM sla_timers WHERE incident_id = ? AND kind = 'ack_warning'`, w.good.ID)
			if err != nil {
				t.Fatal(err)
			}
			g := rowFailure(t, e, "sla_timers", goodID)
			if g.Due == nil {
				t.Fatal("good incident has no acknowledge warning timer")
			}
			// The bad incident's warning is due first.
			now := *g.Due
			if err := store.ExecSQL(e.ctx, e.db, `UPDATE sla_timers SET due_at = ? WHERE incident_id = ? AND kind = 'ack_warning'`, now.Add(-time.Second), w.bad.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := e.db.FireSLATimers(e.ctx, now, 10); err != nil {
				t.Fatalf("FireSLATimers: %v", err)
			}
			if got := len(e.events(t, w.good.ID, warroom.EventSLAWarning)); got != 1 {
				t.Errorf("good incident SLA warnings = %d; want 1 on the same tick", got)
			}
			if got := len(e.events(t, w.bad.ID, warroom.EventSLAWarning)); got != 0 {
				t.Errorf("bad incident SLA warnings = %d; want 0 (undone)", got)
			}
			id, err := store.QueryID(e.ctx, e.db, `SELECT id FROM sla_timers WHERE incident_id = ? AND kind = 'ack_warning'`, w.bad.ID)
			if err != nil {
				t.Fatal(err)
			}
			f := rowFailure(t, e, "sla_timers", id)
			if f.Failures != 1 || f.LastError == "" || f.Due == nil || !f.Due.Equal(now.Add(30*time.Second)) {
				t.Errorf("bad timer = %+v; want 1 failure, an error and due 30s later", f)
			}
			if n, err := e.db.FireSLATimers(e.ctx, now, 10); err != nil || n != 0 {
				t.Errorf("FireSLATimers again = %d, %v; want 0, nil", n, err)
			}
		})

		t.Run("notifications", func(t *testing.T) {
			e := newEnv(t, engine)
			w := newPoisonWorld(t, e)
			if _, err := e.db.FireEscalations(e.ctx, e.clock.Now(), 10); err != nil {
				t.Fatal(err)
			}
			// The bad responder's address is corrupted, and its page due first.
			if err := store.ExecSQL(e.ctx, e.db, `UPDATE contact_methods SET address_sealed = 'corrupt' WHERE user_id = ?`, w.badUser.ID); err != nil {
				t.Fatal(err)
			}
			badID, err := store.QueryID(e.ctx, e.db, `SELECT id FROM notifications WHERE user_id = ?`, w.badUser.ID)
			if err != nil {
				t.Fatal(err)
			}
			now := e.clock.Now()
			if err := store.ExecSQL(e.ctx, e.db, `UPDATE notifications SET next_at = ? WHERE id = ?`, now.Add(-time.Minute), badID); err != nil {
				t.Fatal(err)
			}
			ds, err := e.db.ClaimNotifications(e.ctx, now, time.Minute, 10)
			if err != nil {
				t.Fatalf("ClaimNotifications: %v", err)
			}
			if len(ds) != 1 || ds[0].UserID != w.goodUser.ID {
				t.Fatalf("claimed %d deliveries; want the good responder's page alone", len(ds))
			}
			f := rowFailure(t, e, "notifications", badID)
			if f.Failures != 1 || f.LastError == "" || f.State != string(warroom.NotificationPending) || f.Due == nil || !f.Due.Equal(now.Add(30*time.Second)) {
				t.Errorf("bad notification = %+v; want pending, 1 attempt, an error and due 30s later", f)
			}
			if ds, err := e.db.ClaimNotifications(e.ctx, now, time.Minute, 10); err != nil || len(ds) != 0 {
				t.Errorf("ClaimNotifications again = %d, %v; want 0, nil", len(ds), err)
			}
			// Out of attempts, it is marked failed rather than left due forever.
			if err := store.ExecSQL(e.ctx, e.db, `UPDATE notifications SET attempts = 11, next_at = ? WHERE id = ?`, now, badID); err != nil {
				t.Fatal(err)
			}
			if _, err := e.db.ClaimNotifications(e.ctx, now, time.Minute, 10); err != nil {
				t.Fatalf("ClaimNotifications: %v", err)
			}
			f = rowFailure(t, e, "notifications", badID)
			if f.State != string(warroom.NotificationFailed) || f.Due != nil || f.LastError == "" {
				t.Errorf("exhausted notification = %+v; want failed with its error, not due", f)
			}
		})
	})
}
