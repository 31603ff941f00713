package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

var shanghai, _ = time.LoadLocation("Asia/Shanghai")

// setClock moves the env's clock to t.
func (e *env) setClock(t time.Time) { e.clock.Add(t.Sub(e.clock.Now())) }

func (e *env) calendar(t *testing.T, c *warroom.Calendar) *warroom.Calendar {
	t.Helper()
	if err := e.db.CreateCalendar(e.ctx, c); err != nil {
		t.Fatalf("CreateCalendar: %v", err)
	}
	return c
}

// TestCalendarStore: a China calendar carries the region's days and its
// own; bad input names its field and writes nothing; a calendar in use
// cannot be deleted.
func TestCalendarStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		c := e.calendar(t, &warroom.Calendar{Name: "China ops", Region: "cn", Days: []warroom.CalendarDay{{Date: "2026-03-06", Kind: warroom.DayOff, Name: "Company offsite"}}})
		if c.Region != "CN" || c.TimeZone != "Asia/Shanghai" {
			t.Errorf("region %q zone %q, want CN and the region's zone", c.Region, c.TimeZone)
		}
		got, err := e.db.FindCalendarByID(e.ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if d, ok := got.Day("2026-02-14"); !ok || d.Kind != warroom.DayWorkday {
			t.Errorf("2026-02-14 = %+v, want the Spring Festival make-up workday", d)
		}
		if got.IsWorkingDate(2026, 3, 6) || !got.IsWorkingDate(2026, 9, 20) || got.IsWorkingDate(2026, 10, 1) {
			t.Error("offsite, make-up Sunday or National Day misjudged")
		}
		cov := got.CoverageAt(e.clock.Now())
		if len(cov.Years) == 0 || cov.Years[len(cov.Years)-1] != 2027 || cov.Warning != "" {
			t.Errorf("coverage = %+v, want through 2027 and no warning in March 2026", cov)
		}

		t.Run("Import", func(t *testing.T) {
			c, err := e.db.AddCalendarDays(e.ctx, c.ID, []warroom.CalendarDay{{Date: "2028-01-01", Kind: warroom.DayHoliday, Name: "New Year's Day"},
				{Date: "2026-03-06", Kind: warroom.DayWorkday, Name: "offsite moved"}})
			if err != nil {
				t.Fatal(err)
			}
			if len(c.Days) != 2 || !c.IsWorkingDate(2026, 3, 6) {
				t.Errorf("days = %+v, want the offsite replaced and 2028 added", c.Days)
			}
			if years, _ := c.CoveredYears(); years[len(years)-1] != 2028 {
				t.Errorf("covered = %v, want 2028 by the import", years)
			}
			if len(e.audits(t, warroom.AuditCalendarDays)) != 1 {
				t.Error("no audit row for the import")
			}
		})
		t.Run("ErrInvalid", func(t *testing.T) {
			wantField(t, e.db.CreateCalendar(e.ctx, &warroom.Calendar{Name: "x", Region: "Atlantis"}), "region")
			wantField(t, e.db.CreateCalendar(e.ctx, &warroom.Calendar{Name: "x", TimeZone: "Mars/Olympus"}), "time_zone")
			wantField(t, e.db.CreateCalendar(e.ctx, &warroom.Calendar{Name: "x", TimeZone: "UTC", Days: []warroom.CalendarDay{{Date: "2026-13-01", Kind: warroom.DayOff}}}), "days[0].date")
			_, err := e.db.AddCalendarDays(e.ctx, c.ID, []warroom.CalendarDay{{Date: "2029-01-01", Kind: warroom.DayHoliday}, {Date: "2029-01-02", Kind: "nap"}})
			wantField(t, err, "days[1].kind")
			if got, _ := e.db.FindCalendarByID(e.ctx, c.ID); len(got.Days) != 2 {
				t.Errorf("a refused import wrote days: %+v", got.Days)
			}
			err = e.db.CreateCalendar(e.ctx, &warroom.Calendar{Name: "China ops", TimeZone: "UTC"})
			wantCode(t, err, warroom.ECONFLICT)
			_, err = e.db.RemoveCalendarDay(e.ctx, c.ID, "2026-10-01") // the region's, not its own
			wantCode(t, err, warroom.ENOTFOUND)
		})
		t.Run("DeleteInUse", func(t *testing.T) {
			s := e.service(t, "crm")
			m := &warroom.Monitor{ServiceID: s.ID, Name: "leads", Kind: warroom.MonitorFlow, MinEvents: 1, WindowSeconds: 1800,
				BusinessHours: warroom.BusinessHours{Days: []int{1, 2, 3, 4, 5}, Start: "09:00", End: "18:00", TimeZone: "Asia/Shanghai", CalendarID: c.ID}}
			if err := e.db.CreateMonitor(e.ctx, m); err != nil {
				t.Fatal(err)
			}
			wantCode(t, e.db.DeleteCalendar(e.ctx, c.ID), warroom.ECONFLICT)
			bad := *m
			bad.Name, bad.BusinessHours.CalendarID = "other", 999
			wantField(t, e.db.CreateMonitor(e.ctx, &bad), "business_hours.calendar_id")
			if err := e.db.DeleteMonitor(e.ctx, m.ID); err != nil {
				t.Fatal(err)
			}
			if err := e.db.DeleteCalendar(e.ctx, c.ID); err != nil {
				t.Fatal(err)
			}
			_, err := e.db.FindCalendarByID(e.ctx, c.ID)
			wantCode(t, err, warroom.ENOTFOUND)
		})
	})
}

// TestFlowMonitorCalendar is the CRM lead flow of seed 000 on China's
// calendar: on the make-up Sunday before National Day it alerts at the end
// of its first empty window; on National Day it stays quiet all day.
func TestFlowMonitorCalendar(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		cn := e.calendar(t, &warroom.Calendar{Name: "China", Region: "CN"})
		s := e.service(t, "crm")
		hours := warroom.BusinessHours{Days: []int{1, 2, 3, 4, 5}, Start: "09:00", End: "18:00", TimeZone: "Asia/Shanghai"}
		plain := &warroom.Monitor{ServiceID: s.ID, Name: "leads (weekdays)", Kind: warroom.MonitorFlow, MinEvents: 1, WindowSeconds: 1800, BusinessHours: hours}
		hours.CalendarID = cn.ID
		m := &warroom.Monitor{ServiceID: s.ID, Name: "leads (China calendar)", Kind: warroom.MonitorFlow, MinEvents: 1, WindowSeconds: 1800, BusinessHours: hours}
		// Sunday 2026-09-20 08:50: a make-up workday for National Day.
		e.setClock(time.Date(2026, 9, 20, 8, 50, 0, 0, shanghai))
		for _, x := range []*warroom.Monitor{plain, m} {
			if err := e.db.CreateMonitor(e.ctx, x); err != nil {
				t.Fatal(err)
			}
		}
		e.clock.Add(15 * time.Minute) // 09:05: the first window opens
		if rep := e.checkMonitors(t); rep.Down != 0 {
			t.Fatalf("report = %+v at 09:05", rep)
		}
		if got, _ := e.db.FindMonitorByID(e.ctx, m.ID); got.WindowStart == nil || !got.WindowStart.Equal(time.Date(2026, 9, 20, 9, 0, 0, 0, shanghai)) {
			t.Fatalf("window start = %v, want 09:00 on the make-up Sunday", got.WindowStart)
		}
		e.clock.Add(30 * time.Minute) // 09:35: nothing from 09:00 to 09:30
		if rep := e.checkMonitors(t); rep.Down != 1 {
			t.Fatalf("report = %+v, want the calendar monitor down at the end of its first empty window", rep)
		}
		if got, _ := e.db.FindMonitorByID(e.ctx, plain.ID); got.Status != warroom.MonitorUp || got.WindowStart != nil {
			t.Errorf("the weekday monitor watched a Sunday: %+v", got)
		}
		if rep := e.route(t); len(rep.Opened) != 1 {
			t.Errorf("routing = %+v, want one incident", rep)
		}

		// A lead at 09:40 meets the 09:30 window: the flow is back up.
		if _, err := e.db.CheckIn(context.Background(), m.Token); err != nil {
			t.Fatal(err)
		}
		e.clock.Add(30 * time.Minute)
		if rep := e.checkMonitors(t); rep.Up != 1 {
			t.Fatalf("report = %+v, want the flow up", rep)
		}

		// National Day, Thursday 2026-10-01: an empty flow all day is right.
		// A monitor made that morning, as the first one saw days go by
		// unwatched while the clock jumped.
		e.setClock(time.Date(2026, 10, 1, 8, 0, 0, 0, shanghai))
		if err := e.db.DeleteMonitor(e.ctx, m.ID); err != nil {
			t.Fatal(err)
		}
		m = &warroom.Monitor{ServiceID: s.ID, Name: "leads (holiday)", Kind: warroom.MonitorFlow, MinEvents: 1, WindowSeconds: 1800, BusinessHours: hours}
		if err := e.db.CreateMonitor(e.ctx, m); err != nil {
			t.Fatal(err)
		}
		e.checkMonitors(t)
		down := 0
		for i := 0; i < 24; i++ {
			e.clock.Add(30 * time.Minute)
			down += e.checkMonitors(t).Down
			if got, _ := e.db.FindMonitorByID(e.ctx, m.ID); got.Status != warroom.MonitorUp || got.WindowStart != nil {
				t.Fatalf("at %s the calendar monitor is %s, window %v: want quiet on a holiday", e.clock.Now().In(shanghai).Format(time.Kitchen), got.Status, got.WindowStart)
			}
		}
		if down != 1 {
			t.Errorf("%d monitors went down on National Day, want only the weekday one", down)
		}
		if got, _ := e.db.FindMonitorByID(e.ctx, plain.ID); got.Status != warroom.MonitorDown {
			t.Errorf("the weekday monitor = %s on National Day, want down: it knows no holidays", got.Status)
		}
	})
}

// TestPostmortemDueOnCalendar: a P1 resolved the day before National Day
// is due five working days later on China's calendar, the make-up Saturday
// counting, instead of on the holiday's last day (five weekdays).
func TestPostmortemDueOnCalendar(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		cn := e.calendar(t, &warroom.Calendar{Name: "China", Region: "CN"})
		p := warroom.DefaultPostmortemPolicy()
		p.CalendarID = cn.ID
		if err := e.db.UpdatePostmortemPolicy(e.ctx, &p); err != nil {
			t.Fatal(err)
		}
		bad := p
		bad.CalendarID = 404
		wantField(t, e.db.UpdatePostmortemPolicy(e.ctx, &bad), "calendar_id")
		wantCode(t, e.db.DeleteCalendar(e.ctx, cn.ID), warroom.ECONFLICT)

		commander, _, _ := storetest.User(t, e.db, warroom.UserRoleResponder)
		e.setClock(time.Date(2026, 9, 30, 9, 0, 0, 0, shanghai))
		inc := resolvedP1(t, e, commander) // resolved 10:00 Wednesday
		if _, err := e.db.RunReminders(e.ctx, e.clock.Now()); err != nil {
			t.Fatal(err)
		}
		pm, err := e.db.FindPostmortemByIncident(e.ctx, inc.ID)
		if err != nil {
			t.Fatal(err)
		}
		// National Day is 1 to 7 October: Oct 8 (Thu), 9, 10 (Sat, make-up),
		// 12, 13.
		want := time.Date(2026, 10, 13, 10, 0, 0, 0, shanghai)
		if pm.DueAt == nil || !pm.DueAt.Equal(want) {
			t.Errorf("due = %v, want %v", pm.DueAt, want.UTC())
		}

		a := &warroom.ActionItem{IncidentID: inc.ID, Title: "Alert on token migration errors", OwnerID: commander.ID, Kind: warroom.ActionDetect, DueWorkingDays: 2}
		if err := e.db.CreateActionItem(e.ctx, a); err != nil {
			t.Fatal(err)
		}
		// From Wednesday 30 September: Oct 8 and 9.
		if want := time.Date(2026, 10, 9, 18, 0, 0, 0, shanghai); !a.DueDate.Equal(want) {
			t.Errorf("action item due %v, want %v", a.DueDate, want.UTC())
		}
	})
}

// TestHolidayFreezes: "freeze 2 working days before every public holiday"
// on China's 2026 calendar gives one window per holiday, all at once.
func TestHolidayFreezes(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		cn := e.calendar(t, &warroom.Calendar{Name: "China", Region: "CN"})
		s := e.service(t, "payments")
		fs, err := e.db.CreateHolidayFreezes(e.ctx, cn.ID, warroom.HolidayFreezePlan{Year: 2026, WorkingDaysBefore: 2, ThroughHoliday: true, ServiceIDs: []int64{s.ID}})
		if err != nil {
			t.Fatal(err)
		}
		if len(fs) != 7 {
			t.Fatalf("%d windows, want 7 (New Year to National Day)", len(fs))
		}
		stored, err := e.db.FindFreezeWindows(e.ctx, warroom.FreezeFilter{})
		if err != nil || len(stored) != 7 || len(stored[1].ServiceIDs) != 1 {
			t.Fatalf("stored = %d windows, %v", len(stored), err)
		}
		// Spring Festival starts Sunday 15 February; the Saturday before
		// is a make-up workday, so the freeze starts Friday the 13th.
		if want := time.Date(2026, 2, 13, 0, 0, 0, 0, shanghai); !stored[1].StartsAt.Equal(want) || !stored[1].EndsAt.Equal(time.Date(2026, 2, 24, 0, 0, 0, 0, shanghai)) {
			t.Errorf("Spring Festival freeze %v to %v", stored[1].StartsAt, stored[1].EndsAt)
		}
		if want := time.Date(2026, 9, 29, 0, 0, 0, 0, shanghai); !stored[6].StartsAt.Equal(want) || !stored[6].EndsAt.Equal(time.Date(2026, 10, 8, 0, 0, 0, 0, shanghai)) {
			t.Errorf("National Day freeze %v to %v", stored[6].StartsAt, stored[6].EndsAt)
		}
		_, err = e.db.CreateHolidayFreezes(e.ctx, cn.ID, warroom.HolidayFreezePlan{Year: 2026, WorkingDaysBefore: 2, ServiceIDs: []int64{s.ID, 9999}})
		if warroom.ErrorCode(err) == "" {
			t.Fatal("unknown service accepted")
		}
		_, err = e.db.CreateHolidayFreezes(e.ctx, cn.ID, warroom.HolidayFreezePlan{Year: 2031, WorkingDaysBefore: 2})
		wantField(t, err, "year")
		if stored, _ := e.db.FindFreezeWindows(e.ctx, warroom.FreezeFilter{}); len(stored) != 7 {
			t.Errorf("refused plans wrote windows: %d", len(stored))
		}
	})
}

// TestRemindersWaitForWorkingDay: an action item overdue during National
// Day is not chased on the holiday; the owner hears of it on the first
// working day after.
func TestRemindersWaitForWorkingDay(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		cn := e.calendar(t, &warroom.Calendar{Name: "China", Region: "CN"})
		p := warroom.DefaultPostmortemPolicy()
		p.CalendarID = cn.ID
		if err := e.db.UpdatePostmortemPolicy(e.ctx, &p); err != nil {
			t.Fatal(err)
		}
		owner, _, _ := storetest.User(t, e.db, warroom.UserRoleResponder)
		e.setClock(time.Date(2026, 9, 28, 9, 0, 0, 0, shanghai))
		inc := e.declare(t, &warroom.Incident{Title: "Leads stuck", Summary: "CRM", Severity: warroom.P3, SeverityReason: "test"})
		a := &warroom.ActionItem{IncidentID: inc.ID, Title: "Alert on stuck leads", OwnerID: owner.ID, Kind: warroom.ActionDetect,
			DueDate: time.Date(2026, 9, 30, 18, 0, 0, 0, shanghai)}
		if err := e.db.CreateActionItem(e.ctx, a); err != nil {
			t.Fatal(err)
		}
		for _, day := range []int{2, 5, 7} {
			got, err := e.db.RunReminders(e.ctx, time.Date(2026, 10, day, 10, 0, 0, 0, shanghai))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 0 {
				t.Fatalf("October %d (National Day): %d reminders, want them to wait", day, len(got))
			}
		}
		got, err := e.db.RunReminders(e.ctx, time.Date(2026, 10, 8, 9, 0, 0, 0, shanghai))
		if err != nil {
			t.Fatal(err)
		}
		overdue := 0
		for _, r := range got {
			if r.Kind == warroom.ReminderActionItemOverdue && r.RecipientID == owner.ID {
				overdue++
			}
		}
		if overdue != 1 {
			t.Errorf("first working day: %+v, want the owner told once", got)
		}
	})
}
