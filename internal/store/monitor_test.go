package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

func (e *env) checkMonitors(t *testing.T) warroom.MonitorReport {
	t.Helper()
	rep, err := e.db.CheckMonitors(context.Background(), e.clock.Now())
	if err != nil {
		t.Fatalf("CheckMonitors: %v", err)
	}
	return rep
}

// TestHeartbeat: a heartbeat that stops opens an incident; the next
// check-in resolves its alert.
func TestHeartbeat(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		s := e.service(t, "backups")
		m := &warroom.Monitor{ServiceID: s.ID, Name: "nightly backup", Kind: warroom.MonitorHeartbeat, PeriodSeconds: 3600, GraceSeconds: 600}
		if err := e.db.CreateMonitor(e.ctx, m); err != nil {
			t.Fatal(err)
		}
		if m.Token == "" || m.DueAt == nil || !m.DueAt.Equal(e.clock.Now().Add(70*time.Minute)) {
			t.Fatalf("monitor token %q due %v", m.Token, m.DueAt)
		}
		e.clock.Add(50 * time.Minute)
		if _, err := e.db.CheckIn(context.Background(), m.Token); err != nil {
			t.Fatal(err)
		}
		e.clock.Add(69 * time.Minute)
		if rep := e.checkMonitors(t); rep.Down != 0 {
			t.Fatalf("down before due: %+v", rep)
		}
		e.clock.Add(2 * time.Minute)
		if rep := e.checkMonitors(t); rep.Down != 1 {
			t.Fatalf("report = %+v, want the heartbeat down", rep)
		}
		if rep := e.checkMonitors(t); rep.Down != 0 {
			t.Errorf("second check raised again: %+v", rep)
		}
		rep := e.route(t)
		if len(rep.Opened) != 1 {
			t.Fatalf("routing = %+v, want an incident", rep)
		}
		alerts, _, _ := e.db.FindAlerts(context.Background(), warroom.AlertFilter{ServiceID: &s.ID})
		if len(alerts) != 1 || alerts[0].Status != warroom.AlertFiring || alerts[0].Severity != warroom.AlertCritical || !strings.Contains(alerts[0].Summary, "nightly backup") {
			t.Fatalf("alerts = %+v", alerts)
		}
		got, err := e.db.CheckIn(context.Background(), m.Token)
		if err != nil || got.Status != warroom.MonitorUp {
			t.Fatalf("check-in: %+v %v", got, err)
		}
		if a := e.alert(t, alerts[0].ID); a.Status != warroom.AlertResolved {
			t.Errorf("alert after check-in = %s, want resolved", a.Status)
		}
		if _, err := e.db.CheckIn(context.Background(), "nope"); warroom.ErrorCode(err) != warroom.ENOTFOUND {
			t.Errorf("unknown token: %v", err)
		}
	})
}

// TestFlowMonitor: "at least 1 lead dispatched in every 30 minutes from
// 09:00 to 18:00 on weekdays, Shanghai time".
func TestFlowMonitor(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		sh, _ := time.LoadLocation("Asia/Shanghai")
		// Monday 2026-03-02 08:50 in Shanghai.
		e.clock.Add(time.Date(2026, 3, 2, 8, 50, 0, 0, sh).Sub(e.clock.Now()))
		s := e.service(t, "crm")
		m := &warroom.Monitor{ServiceID: s.ID, Name: "leads dispatched", Kind: warroom.MonitorFlow, MinEvents: 1, WindowSeconds: 1800,
			BusinessHours: warroom.BusinessHours{Days: []int{1, 2, 3, 4, 5}, Start: "09:00", End: "18:00", TimeZone: "Asia/Shanghai"}}
		if err := e.db.CreateMonitor(e.ctx, m); err != nil {
			t.Fatal(err)
		}
		if m.WindowStart != nil {
			t.Errorf("window open before business hours: %v", m.WindowStart)
		}
		e.clock.Add(15 * time.Minute) // 09:05
		e.checkMonitors(t)
		if _, err := e.db.CheckIn(context.Background(), m.Token); err != nil {
			t.Fatal(err)
		}
		e.clock.Add(30 * time.Minute) // 09:35: the first window had its lead
		if rep := e.checkMonitors(t); rep.Down != 0 {
			t.Fatalf("report = %+v, the 09:00 window was met", rep)
		}
		e.clock.Add(30 * time.Minute) // 10:05: nothing between 09:30 and 10:00
		if rep := e.checkMonitors(t); rep.Down != 1 {
			t.Fatalf("report = %+v, want the 09:30 window short", rep)
		}
		if rep := e.route(t); len(rep.Opened) != 1 {
			t.Errorf("routing = %+v, want an incident", rep)
		}
		if _, err := e.db.CheckIn(context.Background(), m.Token); err != nil {
			t.Fatal(err)
		}
		e.clock.Add(30 * time.Minute) // 10:35: the 10:00 window had one
		if rep := e.checkMonitors(t); rep.Up != 1 {
			t.Errorf("report = %+v, want the flow back up", rep)
		}
	})
}
