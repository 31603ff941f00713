package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/holiday"
)

// calendarView is a calendar as the API shows it: its own days, the
// coverage of its years, and every dated day and holiday period of one
// year.
type calendarView struct {
	*warroom.Calendar
	Coverage warroom.CalendarCoverage `json:"coverage"`
	Year     int                      `json:"year"`
	YearDays []warroom.CalendarDay    `json:"year_days"`
	Periods  []warroom.HolidayPeriod  `json:"holiday_periods"`
}

func viewCalendar(c *warroom.Calendar, year int, now time.Time) calendarView {
	v := calendarView{Calendar: c, Coverage: c.CoverageAt(now), Year: year, YearDays: c.YearDays(year), Periods: c.HolidayPeriods(year)}
	if v.Periods == nil {
		v.Periods = []warroom.HolidayPeriod{}
	}
	return v
}

// yearParam reads ?year=, defaulting to the current year in the
// calendar's zone.
func yearParam(r *http.Request, c *warroom.Calendar, now time.Time) (int, error) {
	s := r.URL.Query().Get("year")
	if s == "" {
		return now.In(c.Location()).Year(), nil
	}
	y, err := strconv.Atoi(s)
	if err != nil || y < 1970 || y > 2200 {
		return 0, paramError("year", "must be a year from 1970 to 2200, got %q", s)
	}
	return y, nil
}

func (h *handler) listCalendarRegions(w http.ResponseWriter, r *http.Request) error {
	h.json(w, r, http.StatusOK, items("regions", holiday.Regions()))
	return nil
}

func (h *handler) listCalendars(w http.ResponseWriter, r *http.Request) error {
	cs, err := h.Calendars.FindCalendars(r.Context())
	if err != nil {
		return err
	}
	now := time.Now()
	out := make([]calendarView, len(cs))
	for i, c := range cs {
		out[i] = viewCalendar(c, now.In(c.Location()).Year(), now)
		out[i].YearDays, out[i].Periods = []warroom.CalendarDay{}, []warroom.HolidayPeriod{}
	}
	h.json(w, r, http.StatusOK, items("calendars", out))
	return nil
}

func (h *handler) getCalendar(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "calendar")
	if err != nil {
		return err
	}
	c, err := h.Calendars.FindCalendarByID(r.Context(), id)
	if err != nil {
		return err
	}
	now := time.Now()
	year, err := yearParam(r, c, now)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, viewCalendar(c, year, now))
	return nil
}

type calendarRequest struct {
	Name     string                `json:"name"`
	Region   string                `json:"region"`
	TimeZone string                `json:"time_zone"`
	Days     []warroom.CalendarDay `json:"days"`
}

func (h *handler) createCalendar(w http.ResponseWriter, r *http.Request) error {
	var req calendarRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	c := &warroom.Calendar{Name: req.Name, Region: req.Region, TimeZone: req.TimeZone, Days: req.Days}
	if err := h.Calendars.CreateCalendar(r.Context(), c); err != nil {
		return err
	}
	now := time.Now()
	h.json(w, r, http.StatusCreated, viewCalendar(c, now.In(c.Location()).Year(), now))
	return nil
}

func (h *handler) deleteCalendar(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "calendar")
	if err != nil {
		return err
	}
	if err := h.Calendars.DeleteCalendar(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type calendarDaysRequest struct {
	Days []warroom.CalendarDay `json:"days"`
}

func (h *handler) addCalendarDays(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "calendar")
	if err != nil {
		return err
	}
	var req calendarDaysRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	c, err := h.Calendars.AddCalendarDays(r.Context(), id, req.Days)
	if err != nil {
		return err
	}
	now := time.Now()
	h.json(w, r, http.StatusOK, viewCalendar(c, now.In(c.Location()).Year(), now))
	return nil
}

// calendarImportRequest carries the file in the JSON body, as text: an ICS
// or JSON calendar file is text, and one body format keeps the route's
// limits and errors those of every other.
type calendarImportRequest struct {
	Format      string                  `json:"format"`
	DefaultKind warroom.CalendarDayKind `json:"default_kind"`
	Data        string                  `json:"data"`
}

func (h *handler) importCalendarDays(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "calendar")
	if err != nil {
		return err
	}
	var req calendarImportRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	days, err := holiday.Parse(req.Format, []byte(req.Data), req.DefaultKind)
	if err != nil {
		return err
	}
	c, err := h.Calendars.AddCalendarDays(r.Context(), id, days)
	if err != nil {
		return err
	}
	now := time.Now()
	h.json(w, r, http.StatusOK, map[string]any{"imported": len(days), "calendar": viewCalendar(c, now.In(c.Location()).Year(), now)})
	return nil
}

func (h *handler) removeCalendarDay(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "calendar")
	if err != nil {
		return err
	}
	c, err := h.Calendars.RemoveCalendarDay(r.Context(), id, r.PathValue("date"))
	if err != nil {
		return err
	}
	now := time.Now()
	h.json(w, r, http.StatusOK, viewCalendar(c, now.In(c.Location()).Year(), now))
	return nil
}

func (h *handler) createHolidayFreezes(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "calendar")
	if err != nil {
		return err
	}
	var p warroom.HolidayFreezePlan
	if err := decode(w, r, &p); err != nil {
		return err
	}
	fs, err := h.Calendars.CreateHolidayFreezes(r.Context(), id, p)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusCreated, items("freeze_windows", fs))
	return nil
}

// holidayCover is who is on call through one holiday period.
type holidayCover struct {
	warroom.HolidayPeriod
	Shifts []*warroom.OnCallShift `json:"shifts"`
}

// listHolidayCover answers "who covers Spring Festival": the shifts of a
// schedule through every holiday period of a year.
func (h *handler) listHolidayCover(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "calendar")
	if err != nil {
		return err
	}
	sid, err := intParam(r.URL.Query(), "schedule_id")
	if err != nil {
		return err
	} else if sid == nil {
		return paramError("schedule_id", "is required")
	}
	c, err := h.Calendars.FindCalendarByID(r.Context(), id)
	if err != nil {
		return err
	}
	year, err := yearParam(r, c, time.Now())
	if err != nil {
		return err
	}
	out := []holidayCover{}
	for _, p := range c.HolidayPeriods(year) {
		shifts, err := h.Schedules.FindShifts(r.Context(), *sid, p.Start, p.End)
		if err != nil {
			return err
		}
		if shifts == nil {
			shifts = []*warroom.OnCallShift{}
		}
		out = append(out, holidayCover{p, shifts})
	}
	h.json(w, r, http.StatusOK, map[string]any{"year": year, "holidays": out})
	return nil
}

// cal answers 404 on every calendar route of a server built without
// calendars, as the other optional services do.
func (h *handler) cal(f handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if h.Calendars == nil {
			return warroom.Errorf(warroom.ENOTFOUND, "Calendars are not enabled on this server.")
		}
		return f(w, r)
	}
}
