package api_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

type calendarBody struct {
	warroom.Calendar
	Coverage       warroom.CalendarCoverage `json:"coverage"`
	Year           int                      `json:"year"`
	YearDays       []warroom.CalendarDay    `json:"year_days"`
	HolidayPeriods []warroom.HolidayPeriod  `json:"holiday_periods"`
}

const ics2028 = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n" +
	"BEGIN:VEVENT\r\nUID:a\r\nDTSTAMP:20271101T000000Z\r\nDTSTART;VALUE=DATE:20280124\r\nDTEND;VALUE=DATE:20280201\r\nSUMMARY:春节\r\nEND:VEVENT\r\n" +
	"BEGIN:VEVENT\r\nUID:b\r\nDTSTAMP:20271101T000000Z\r\nDTSTART;VALUE=DATE:20280122\r\nSUMMARY:春节 补班\r\nEND:VEVENT\r\n" +
	"END:VCALENDAR\r\n"

func TestCalendarAPI(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		h := newHarness(t, engine)
		var c calendarBody
		h.ok(h.adminToken, http.MethodPost, "/api/v1/calendars", map[string]any{"name": "China", "region": "CN"}, http.StatusCreated, &c)
		if c.TimeZone != "Asia/Shanghai" || c.RegionInfo == nil || c.RegionInfo.LastYear < 2027 {
			t.Fatalf("created %+v", c.Calendar)
		}
		base := fmt.Sprintf("/api/v1/calendars/%d", c.ID)

		t.Run("YearView", func(t *testing.T) {
			var got calendarBody
			h.ok(h.viewerToken, http.MethodGet, base+"?year=2026", nil, http.StatusOK, &got)
			kinds := map[string]warroom.CalendarDayKind{}
			for _, d := range got.YearDays {
				kinds[d.Date] = d.Kind
			}
			if kinds["2026-02-14"] != warroom.DayWorkday || kinds["2026-10-01"] != warroom.DayHoliday || len(got.HolidayPeriods) != 7 {
				t.Errorf("2026: %d days, %d periods", len(got.YearDays), len(got.HolidayPeriods))
			}
			h.fail(h.viewerToken, http.MethodGet, base+"?year=twenty", nil, http.StatusBadRequest, "year")
			var regions struct{ Regions []warroom.CalendarRegion }
			h.ok(h.viewerToken, http.MethodGet, "/api/v1/calendar-regions", nil, http.StatusOK, &regions)
			if len(regions.Regions) < 4 {
				t.Errorf("regions = %+v", regions.Regions)
			}
		})
		t.Run("Import", func(t *testing.T) {
			var got struct {
				Imported int
				Calendar calendarBody
			}
			h.ok(h.adminToken, http.MethodPost, base+"/import", map[string]any{"format": "ics", "data": ics2028}, http.StatusOK, &got)
			if got.Imported != 9 || got.Calendar.Coverage.Years[len(got.Calendar.Coverage.Years)-1] != 2028 {
				t.Errorf("imported %d, coverage %+v", got.Imported, got.Calendar.Coverage)
			}
			audit := h.auditTotal()
			h.fail(h.adminToken, http.MethodPost, base+"/import", map[string]any{"format": "ics", "data": "BEGIN:VCALENDAR"}, http.StatusUnprocessableEntity, "file")
			h.fail(h.adminToken, http.MethodPost, base+"/import", map[string]any{"format": "xls", "data": "x"}, http.StatusUnprocessableEntity, "format")
			h.fail(h.adminToken, http.MethodPost, base+"/days", map[string]any{"days": []map[string]any{{"date": "2028-02-30", "kind": "off"}}}, http.StatusUnprocessableEntity, "days[0].date")
			h.fail(h.adminToken, http.MethodPost, base+"/import", map[string]any{"format": "json", "data": "[]", "surprise": 1}, http.StatusBadRequest, "")
			if h.auditTotal() != audit {
				t.Error("a refused import wrote something")
			}
			h.ok(h.adminToken, http.MethodDelete, base+"/days/2028-01-22", nil, http.StatusOK, nil)
			h.fail(h.adminToken, http.MethodDelete, base+"/days/2026-10-01", nil, http.StatusNotFound, "")
		})
		t.Run("Freezes", func(t *testing.T) {
			var got struct {
				FreezeWindows []*warroom.FreezeWindow `json:"freeze_windows"`
			}
			h.ok(h.adminToken, http.MethodPost, base+"/freezes", map[string]any{"year": 2027, "working_days_before": 1}, http.StatusCreated, &got)
			if len(got.FreezeWindows) != 7 {
				t.Fatalf("%d windows for 2027", len(got.FreezeWindows))
			}
			h.fail(h.adminToken, http.MethodPost, base+"/freezes", map[string]any{"year": 2027, "working_days_before": 0}, http.StatusUnprocessableEntity, "working_days_before")
		})
		t.Run("HolidayCover", func(t *testing.T) {
			var s warroom.Schedule
			h.ok(h.adminToken, http.MethodPost, "/api/v1/schedules", map[string]any{
				"name": "primary", "time_zone": "Asia/Shanghai",
				"layers": []map[string]any{{"name": "weekly", "rotation": "weekly", "start": time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC).Format(warroom.StartLayout), "user_ids": []int64{h.responder.ID, h.admin.ID}}},
			}, http.StatusCreated, &s)
			var got struct {
				Holidays []struct {
					warroom.HolidayPeriod
					Shifts []*warroom.OnCallShift
				}
			}
			h.ok(h.viewerToken, http.MethodGet, fmt.Sprintf("%s/holiday-cover?year=2026&schedule_id=%d", base, s.ID), nil, http.StatusOK, &got)
			if len(got.Holidays) != 7 || got.Holidays[1].First != "2026-02-15" || len(got.Holidays[1].Shifts) == 0 {
				t.Fatalf("cover = %+v", got.Holidays)
			}
			for _, sh := range got.Holidays[1].Shifts {
				if sh.End.Before(got.Holidays[1].Start) || sh.Start.After(got.Holidays[1].End) {
					t.Errorf("shift %v–%v outside Spring Festival", sh.Start, sh.End)
				}
			}
			h.fail(h.viewerToken, http.MethodGet, base+"/holiday-cover", nil, http.StatusBadRequest, "schedule_id")
		})
		t.Run("InUse", func(t *testing.T) {
			p := warroom.DefaultPostmortemPolicy()
			p.CalendarID = c.ID
			if err := h.db.UpdatePostmortemPolicy(context.Background(), &p); err != nil {
				t.Fatal(err)
			}
			h.fail(h.adminToken, http.MethodDelete, base, nil, http.StatusConflict, "")
		})
	})
}

// TestCalendarLowerRoleRefused: a responder or viewer reads calendars but
// changes none, and an admin's read-only token is refused the same;
// nothing is written.
func TestCalendarLowerRoleRefused(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		h := newHarness(t, engine)
		var c calendarBody
		h.ok(h.adminToken, http.MethodPost, "/api/v1/calendars", map[string]any{"name": "Germany", "region": "DE"}, http.StatusCreated, &c)
		base := fmt.Sprintf("/api/v1/calendars/%d", c.ID)
		readAdmin := h.issueToken(h.admin, warroom.ScopeRead)
		audit := h.auditTotal()
		for _, tok := range []string{h.responderToken, h.viewerToken, readAdmin} {
			h.fail(tok, http.MethodPost, "/api/v1/calendars", map[string]any{"name": "mine", "region": "US"}, http.StatusForbidden, "")
			h.fail(tok, http.MethodPost, base+"/days", map[string]any{"days": []map[string]any{{"date": "2026-12-24", "kind": "off"}}}, http.StatusForbidden, "")
			h.fail(tok, http.MethodPost, base+"/import", map[string]any{"format": "json", "data": `[{"date":"2026-12-24"}]`}, http.StatusForbidden, "")
			h.fail(tok, http.MethodDelete, base+"/days/2026-12-24", nil, http.StatusForbidden, "")
			h.fail(tok, http.MethodPost, base+"/freezes", map[string]any{"year": 2026, "working_days_before": 2}, http.StatusForbidden, "")
			h.fail(tok, http.MethodDelete, base, nil, http.StatusForbidden, "")
			h.ok(tok, http.MethodGet, base, nil, http.StatusOK, nil)
		}
		if got := h.auditTotal(); got != audit {
			t.Errorf("refused requests wrote %d audit rows", got-audit)
		}
		if cs, _ := h.db.FindCalendars(context.Background()); len(cs) != 1 || len(cs[0].Days) != 0 {
			t.Errorf("calendars after refusals: %+v", cs)
		}
	})
}

// TestCalendarFollowers: a flow monitor, the postmortem policy and an
// action item take a calendar through the API; an unknown one names its
// field.
func TestCalendarFollowers(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		h := newHarness(t, engine)
		var c calendarBody
		h.ok(h.adminToken, http.MethodPost, "/api/v1/calendars", map[string]any{"name": "China", "region": "CN"}, http.StatusCreated, &c)
		h.ok(h.adminToken, http.MethodPost, "/api/v1/services", map[string]any{"name": "crm", "tier": 2}, http.StatusCreated, nil)
		flow := func(cal int64) map[string]any {
			return map[string]any{"service": "crm", "name": fmt.Sprintf("leads %d", cal), "kind": "flow", "min_events": 1, "window_seconds": 1800,
				"business_hours": map[string]any{"days": []int{1, 2, 3, 4, 5}, "start": "09:00", "end": "18:00", "time_zone": "Asia/Shanghai", "calendar_id": cal}}
		}
		var m warroom.Monitor
		h.ok(h.adminToken, http.MethodPost, "/api/v1/monitors", flow(c.ID), http.StatusCreated, &m)
		if m.BusinessHours.CalendarID != c.ID {
			t.Errorf("monitor calendar = %d", m.BusinessHours.CalendarID)
		}
		h.fail(h.adminToken, http.MethodPost, "/api/v1/monitors", flow(4040), http.StatusUnprocessableEntity, "business_hours.calendar_id")

		p := warroom.DefaultPostmortemPolicy()
		p.CalendarID = 4040
		h.fail(h.adminToken, http.MethodPut, "/api/v1/postmortem-policy", p, http.StatusUnprocessableEntity, "calendar_id")
		p.CalendarID = c.ID
		h.ok(h.adminToken, http.MethodPut, "/api/v1/postmortem-policy", p, http.StatusOK, nil)

		inc := h.declare(map[string]any{"title": "Leads stuck", "severity": "P2", "severity_reason": "test"})
		var a warroom.ActionItem
		h.ok(h.responderToken, http.MethodPost, "/api/v1/action-items", map[string]any{"incident_id": inc.Number, "title": "Alert on stuck leads",
			"owner_id": h.responder.ID, "kind": "detect", "due_working_days": 3}, http.StatusCreated, &a)
		cal, err := h.db.FindCalendarByID(context.Background(), c.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := cal.AddWorkingDays(time.Now(), 3).In(cal.Location())
		if got := a.DueDate.In(cal.Location()); got.Format("2006-01-02 15:04") != want.Format("2006-01-02")+" 18:00" {
			t.Errorf("due %v, want 18:00 on %s", got, want.Format("2006-01-02"))
		}
		h.fail(h.responderToken, http.MethodPost, "/api/v1/action-items", map[string]any{"incident_id": inc.Number, "title": "x",
			"owner_id": h.responder.ID, "kind": "detect"}, http.StatusUnprocessableEntity, "due_date")
	})
}
