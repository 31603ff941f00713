package ui

import (
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/holiday"
	"github.com/warroomhq/warroom/internal/i18n"
)

type calendarsData struct {
	Calendars []*warroom.Calendar
	Coverage  map[int64]warroom.CalendarCoverage
	Span      map[int64]string // "2002–2027"
	Regions   []warroom.CalendarRegion
	Err       string
}

func (d calendarsData) ErrorText() string { return d.Err }

func (h *Handler) calendarsReady(w http.ResponseWriter, r *http.Request, rc *request) bool {
	if h.d.Calendars == nil {
		h.fail(w, r, rc, warroom.Errorf(warroom.ENOTFOUND, "Not found."))
		return false
	}
	return true
}

func (h *Handler) calendarList(w http.ResponseWriter, r *http.Request, rc *request) {
	if h.calendarsReady(w, r, rc) {
		h.renderCalendars(w, r, rc, http.StatusOK, "")
	}
}

func (h *Handler) renderCalendars(w http.ResponseWriter, r *http.Request, rc *request, status int, errMsg string) {
	cs, err := h.d.Calendars.FindCalendars(r.Context())
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	cov, span := map[int64]warroom.CalendarCoverage{}, map[int64]string{}
	for _, c := range cs {
		cov[c.ID] = c.CoverageAt(h.d.Now())
		if ys := cov[c.ID].Years; len(ys) > 0 {
			span[c.ID] = strconv.Itoa(ys[0]) + "–" + strconv.Itoa(ys[len(ys)-1])
		}
	}
	h.render(w, r, rc, status, "calendars", rc.L.T("nav.calendars"), calendarsData{Calendars: cs, Coverage: cov, Span: span, Regions: holiday.Regions(), Err: errMsg})
}

func (h *Handler) calendarCreate(w http.ResponseWriter, r *http.Request, rc *request) {
	if !h.calendarsReady(w, r, rc) {
		return
	}
	c := &warroom.Calendar{Name: r.PostFormValue("name"), Region: r.PostFormValue("region"), TimeZone: strings.TrimSpace(r.PostFormValue("time_zone"))}
	if err := h.d.Calendars.CreateCalendar(r.Context(), c); err != nil {
		h.renderCalendars(w, r, rc, statusFor(warroom.ErrorCode(err)), h.errorText(r, rc, err))
		return
	}
	http.Redirect(w, r, "/calendars/"+strconv.FormatInt(c.ID, 10), http.StatusSeeOther)
}

// dayCell is one day of the year view; Day 0 pads a week.
type dayCell struct {
	Day     int
	Date    string
	Kind    warroom.CalendarDayKind
	Name    string
	Weekend bool
	Working bool
}

type monthView struct {
	Key   string // i18n key of the month's name
	Weeks [][]dayCell
}

type yearViewData struct {
	Calendar *warroom.Calendar
	Coverage warroom.CalendarCoverage
	Year     int
	Prev     int
	Next     int
	Months   []monthView
	Periods  []warroom.HolidayPeriod
	Dated    []warroom.CalendarDay
	Local    bool // show the region's own names (zh-CN)
	Err      string
}

func (d yearViewData) ErrorText() string { return d.Err }

// DayName is the name to show in the page's language.
func (d yearViewData) DayName(name, local string) string {
	if d.Local && local != "" {
		return local
	}
	return name
}

// yearGrid lays the year out month by month, weeks from Monday.
func yearGrid(c *warroom.Calendar, year int, local bool) []monthView {
	dated := map[string]warroom.CalendarDay{}
	for _, d := range c.YearDays(year) {
		dated[d.Date] = d
	}
	months := make([]monthView, 0, 12)
	for m := time.January; m <= time.December; m++ {
		mv := monthView{Key: "month." + strings.ToLower(m.String())}
		first := time.Date(year, m, 1, 0, 0, 0, 0, time.UTC)
		week := make([]dayCell, (int(first.Weekday())+6)%7)
		for d := first; d.Month() == m; d = d.AddDate(0, 0, 1) {
			date := d.Format(time.DateOnly)
			cell := dayCell{Day: d.Day(), Date: date, Weekend: d.Weekday() == time.Saturday || d.Weekday() == time.Sunday, Working: c.IsWorkingDate(d.Date())}
			if x, ok := dated[date]; ok {
				cell.Kind, cell.Name = x.Kind, x.Name
				if local && x.LocalName != "" {
					cell.Name = x.LocalName
				}
			}
			week = append(week, cell)
			if len(week) == 7 {
				mv.Weeks, week = append(mv.Weeks, week), nil
			}
		}
		if len(week) > 0 {
			for len(week) < 7 {
				week = append(week, dayCell{})
			}
			mv.Weeks = append(mv.Weeks, week)
		}
		months = append(months, mv)
	}
	return months
}

func (h *Handler) calendarShow(w http.ResponseWriter, r *http.Request, rc *request) {
	if h.calendarsReady(w, r, rc) {
		h.renderYearView(w, r, rc, http.StatusOK, "")
	}
}

func (h *Handler) renderYearView(w http.ResponseWriter, r *http.Request, rc *request, status int, errMsg string) {
	id, err := pathID(r, "id")
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	c, err := h.d.Calendars.FindCalendarByID(r.Context(), id)
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	now := h.d.Now()
	year := now.In(c.Location()).Year()
	if y, err := strconv.Atoi(r.URL.Query().Get("year")); err == nil && y >= 1970 && y <= 2200 {
		year = y
	}
	local := rc.L.Lang() == i18n.Chinese
	h.render(w, r, rc, status, "calendar", c.Name, yearViewData{Calendar: c, Coverage: c.CoverageAt(now), Year: year, Prev: year - 1, Next: year + 1,
		Months: yearGrid(c, year, local), Periods: c.HolidayPeriods(year), Dated: c.YearDays(year), Local: local, Err: errMsg})
}

// backToYear returns to the year being looked at.
func backToYear(w http.ResponseWriter, r *http.Request, id int64) {
	u := "/calendars/" + strconv.FormatInt(id, 10)
	if y := r.PostFormValue("year"); y != "" {
		if _, err := strconv.Atoi(y); err == nil {
			u += "?year=" + y
		}
	}
	http.Redirect(w, r, u, http.StatusSeeOther)
}

func (h *Handler) calendarAddDay(w http.ResponseWriter, r *http.Request, rc *request) {
	if !h.calendarsReady(w, r, rc) {
		return
	}
	id, err := pathID(r, "id")
	if err == nil {
		_, err = h.d.Calendars.AddCalendarDays(r.Context(), id, []warroom.CalendarDay{{Date: r.PostFormValue("date"),
			Kind: warroom.CalendarDayKind(r.PostFormValue("kind")), Name: strings.TrimSpace(r.PostFormValue("name"))}})
	}
	if err != nil {
		h.renderYearView(w, r, rc, statusFor(warroom.ErrorCode(err)), h.errorText(r, rc, err))
		return
	}
	backToYear(w, r, id)
}

func (h *Handler) calendarRemoveDay(w http.ResponseWriter, r *http.Request, rc *request) {
	if !h.calendarsReady(w, r, rc) {
		return
	}
	id, err := pathID(r, "id")
	if err == nil {
		_, err = h.d.Calendars.RemoveCalendarDay(r.Context(), id, r.PostFormValue("date"))
	}
	if err != nil {
		h.renderYearView(w, r, rc, statusFor(warroom.ErrorCode(err)), h.errorText(r, rc, err))
		return
	}
	backToYear(w, r, id)
}

// calendarImport reads an uploaded ICS or JSON file; the format follows
// the file's extension unless chosen.
func (h *Handler) calendarImport(w http.ResponseWriter, r *http.Request, rc *request) {
	if !h.calendarsReady(w, r, rc) {
		return
	}
	id, err := pathID(r, "id")
	if err == nil {
		err = h.importFile(r, id)
	}
	if err != nil {
		h.renderYearView(w, r, rc, statusFor(warroom.ErrorCode(err)), h.errorText(r, rc, err))
		return
	}
	backToYear(w, r, id)
}

func (h *Handler) importFile(r *http.Request, id int64) error {
	f, hdr, err := r.FormFile("file")
	if err != nil {
		return warroom.FieldErrorf("file", "choose an .ics or .json file")
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, holiday.MaxFileBytes+1))
	if err != nil {
		return warroom.FieldErrorf("file", "could not be read")
	}
	format := r.PostFormValue("format")
	if format == "" {
		format = strings.TrimPrefix(strings.ToLower(filepath.Ext(hdr.Filename)), ".")
	}
	days, err := holiday.Parse(format, data, warroom.CalendarDayKind(r.PostFormValue("default_kind")))
	if err != nil {
		return err
	}
	_, err = h.d.Calendars.AddCalendarDays(r.Context(), id, days)
	return err
}

func (h *Handler) calendarFreezes(w http.ResponseWriter, r *http.Request, rc *request) {
	if !h.calendarsReady(w, r, rc) {
		return
	}
	id, err := pathID(r, "id")
	if err == nil {
		p := warroom.HolidayFreezePlan{ThroughHoliday: r.PostFormValue("through_holiday") != ""}
		p.Year, _ = strconv.Atoi(r.PostFormValue("year"))
		p.WorkingDaysBefore, _ = strconv.Atoi(r.PostFormValue("working_days_before"))
		_, err = h.d.Calendars.CreateHolidayFreezes(r.Context(), id, p)
	}
	if err != nil {
		h.renderYearView(w, r, rc, statusFor(warroom.ErrorCode(err)), h.errorText(r, rc, err))
		return
	}
	http.Redirect(w, r, "/changes/calendar", http.StatusSeeOther)
}

func (h *Handler) calendarDelete(w http.ResponseWriter, r *http.Request, rc *request) {
	if !h.calendarsReady(w, r, rc) {
		return
	}
	id, err := pathID(r, "id")
	if err == nil {
		err = h.d.Calendars.DeleteCalendar(r.Context(), id)
	}
	if err != nil {
		h.renderCalendars(w, r, rc, statusFor(warroom.ErrorCode(err)), h.errorText(r, rc, err))
		return
	}
	http.Redirect(w, r, "/calendars", http.StatusSeeOther)
}
