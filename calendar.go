package warroom

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// CalendarDayKind says what a dated day of a calendar is.
type CalendarDayKind string

// Calendar day kinds.
const (
	// DayHoliday is a public holiday: not a working day, even on a weekday.
	DayHoliday CalendarDayKind = "holiday"
	// DayWorkday is a make-up workday (调休): a working day even on a
	// weekend, announced with the holidays it pays for.
	DayWorkday CalendarDayKind = "workday"
	// DayOff is a company day off: not a working day, but not a public
	// holiday either (no freeze is generated for it).
	DayOff CalendarDayKind = "off"
)

// Valid reports whether k is a known kind.
func (k CalendarDayKind) Valid() bool { return k == DayHoliday || k == DayWorkday || k == DayOff }

// MaxCalendarDays bounds the dated days a calendar (or one import) holds:
// ten years of a busy calendar.
const MaxCalendarDays = 2000

// CalendarDay is one dated day of a calendar.
type CalendarDay struct {
	// Date is the civil date, "2026-02-15", in the calendar's time zone.
	Date string          `json:"date"`
	Kind CalendarDayKind `json:"kind"`
	// Name is the English name, LocalName the region's own ("春节").
	Name      string `json:"name"`
	LocalName string `json:"local_name,omitempty"`
}

// Validate checks the date, the kind and the name's length.
func (d *CalendarDay) Validate(field string) error {
	t, err := time.Parse(time.DateOnly, d.Date)
	if err != nil || t.Format(time.DateOnly) != d.Date {
		return FieldErrorf(field+".date", "%q is not a date such as 2026-10-01", d.Date)
	} else if t.Year() < 1970 || t.Year() > 2200 {
		return FieldErrorf(field+".date", "year %d is out of range 1970 to 2200", t.Year())
	} else if !d.Kind.Valid() {
		return FieldErrorf(field+".kind", "must be holiday, workday or off, got %q", d.Kind)
	} else if utf8.RuneCountInString(d.Name) > MaxTitleLen || utf8.RuneCountInString(d.LocalName) > MaxTitleLen {
		return FieldErrorf(field+".name", "must be at most %d characters", MaxTitleLen)
	}
	return nil
}

// CalendarRegion is a built-in region: its public holidays and, where the
// region has them, make-up workdays, from the source it names.
type CalendarRegion struct {
	Code     string `json:"code"` // "CN"
	Name     string `json:"name"`
	TimeZone string `json:"time_zone"`
	// FirstYear and LastYear are the years with data; LastYear 0 means
	// the days follow from fixed rules for any year.
	FirstYear int    `json:"first_year"`
	LastYear  int    `json:"last_year"`
	Source    string `json:"source"`
}

// Calendar says which days are working days: a region's public holidays
// and make-up workdays, plus days of its own (imported or added: company
// days off, years the region's data does not reach yet). Its own days win
// over the region's on the same date. Weekdays Monday to Friday are
// working days unless a dated day says otherwise.
type Calendar struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	// Region is a built-in region code ("CN", "US", …) or "" for a
	// calendar of its own days only.
	Region   string `json:"region"`
	TimeZone string `json:"time_zone"`
	// Days are the calendar's own days, sorted by date.
	Days []CalendarDay `json:"days"`
	// RegionInfo and RegionDays are filled on reads from the built-in
	// region (RegionDays sorted by date, for the years it has).
	RegionInfo *CalendarRegion `json:"region_info,omitempty"`
	RegionDays []CalendarDay   `json:"-"`
	CreatedAt  time.Time       `json:"created_at"`
	UpdatedAt  time.Time       `json:"updated_at"`
}

// Validate checks the name, the zone and the days, and sorts the days.
func (c *Calendar) Validate() error {
	c.Name = strings.TrimSpace(c.Name)
	if c.Name == "" || utf8.RuneCountInString(c.Name) > MaxTitleLen {
		return FieldErrorf("name", "must be 1 to %d characters", MaxTitleLen)
	}
	if c.TimeZone == "" {
		return FieldErrorf("time_zone", "is required, such as Asia/Shanghai")
	}
	if _, err := time.LoadLocation(c.TimeZone); err != nil {
		return FieldErrorf("time_zone", "unknown time zone %q", c.TimeZone)
	}
	return c.setDays(c.Days)
}

// setDays validates days and keeps them sorted, one per date.
func (c *Calendar) setDays(days []CalendarDay) error {
	if len(days) > MaxCalendarDays {
		return FieldErrorf("days", "at most %d days", MaxCalendarDays)
	}
	for i := range days {
		if err := days[i].Validate(fmt.Sprintf("days[%d]", i)); err != nil {
			return err
		}
	}
	out := slices.Clone(days)
	slices.SortStableFunc(out, func(a, b CalendarDay) int { return strings.Compare(a.Date, b.Date) })
	for i := 1; i < len(out); i++ {
		if out[i].Date == out[i-1].Date {
			return FieldErrorf("days", "%s is listed twice", out[i].Date)
		}
	}
	if out == nil {
		out = []CalendarDay{}
	}
	c.Days = out
	return nil
}

// MergeDays adds days to the calendar's own, a day on a date already held
// replacing it; the result is validated as a whole.
func (c *Calendar) MergeDays(days []CalendarDay) error {
	byDate := make(map[string]CalendarDay, len(c.Days)+len(days))
	for _, d := range c.Days {
		byDate[d.Date] = d
	}
	for i, d := range days {
		if err := d.Validate(fmt.Sprintf("days[%d]", i)); err != nil {
			return err
		}
		byDate[d.Date] = d
	}
	merged := make([]CalendarDay, 0, len(byDate))
	for _, d := range byDate {
		merged = append(merged, d)
	}
	return c.setDays(merged)
}

// Location is the calendar's zone (UTC if it does not load, which Validate
// prevents).
func (c *Calendar) Location() *time.Location {
	loc, err := time.LoadLocation(c.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// findDay looks date up in a sorted slice.
func findDay(days []CalendarDay, date string) (CalendarDay, bool) {
	i, ok := slices.BinarySearchFunc(days, date, func(d CalendarDay, date string) int { return strings.Compare(d.Date, date) })
	if !ok {
		return CalendarDay{}, false
	}
	return days[i], true
}

// Day returns the dated day on date ("2026-10-01"), the calendar's own
// before the region's; ok is false for an ordinary day.
func (c *Calendar) Day(date string) (CalendarDay, bool) {
	if d, ok := findDay(c.Days, date); ok {
		return d, true
	}
	return findDay(c.RegionDays, date)
}

// IsWorkingDate reports whether the civil date y-m-d is a working day.
func (c *Calendar) IsWorkingDate(y int, m time.Month, d int) bool {
	date := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	if day, ok := c.Day(date.Format(time.DateOnly)); ok {
		return day.Kind == DayWorkday
	}
	return date.Weekday() != time.Saturday && date.Weekday() != time.Sunday
}

// IsWorkingDay reports whether t falls on a working day in the calendar's
// zone.
func (c *Calendar) IsWorkingDay(t time.Time) bool {
	y, m, d := t.In(c.Location()).Date()
	return c.IsWorkingDate(y, m, d)
}

// AddWorkingDays returns t moved forward by n working days at the same
// wall-clock time in the calendar's zone, so that a due date keeps its hour
// across a DST change. A start on a day off counts from the next working
// day, as warroom.AddWorkingDays does for weekends.
func (c *Calendar) AddWorkingDays(t time.Time, n int) time.Time {
	loc := c.Location()
	lt := t.In(loc)
	y, m, d := lt.Date()
	h, mi, s := lt.Clock()
	// At most a year of days off in a row, so that a calendar of nothing
	// but holidays cannot loop for ever.
	for i := 0; i < 366 && !c.IsWorkingDate(y, m, d); i++ {
		y, m, d = time.Date(y, m, d+1, 0, 0, 0, 0, time.UTC).Date()
	}
	for guard := 0; n > 0 && guard < 366*10; guard++ {
		y, m, d = time.Date(y, m, d+1, 0, 0, 0, 0, time.UTC).Date()
		if c.IsWorkingDate(y, m, d) {
			n--
		}
	}
	return time.Date(y, m, d, h, mi, s, lt.Nanosecond(), loc).UTC()
}

// WorkingDaysBefore returns the start (midnight, calendar zone) of the n-th
// working day before the civil date, counting back; n 0 is date itself.
func (c *Calendar) WorkingDaysBefore(date time.Time, n int) time.Time {
	y, m, d := date.Date()
	for guard := 0; n > 0 && guard < 366*10; guard++ {
		y, m, d = time.Date(y, m, d-1, 0, 0, 0, 0, time.UTC).Date()
		if c.IsWorkingDate(y, m, d) {
			n--
		}
	}
	return time.Date(y, m, d, 0, 0, 0, 0, c.Location())
}

// YearDays returns every dated day of year, own days replacing the
// region's on the same date, sorted by date.
func (c *Calendar) YearDays(year int) []CalendarDay {
	prefix := fmt.Sprintf("%04d-", year)
	byDate := map[string]CalendarDay{}
	for _, src := range [][]CalendarDay{c.RegionDays, c.Days} {
		for _, d := range src {
			if strings.HasPrefix(d.Date, prefix) {
				byDate[d.Date] = d
			}
		}
	}
	out := make([]CalendarDay, 0, len(byDate))
	for _, d := range byDate {
		out = append(out, d)
	}
	slices.SortFunc(out, func(a, b CalendarDay) int { return strings.Compare(a.Date, b.Date) })
	return out
}

// CoveredYears are the years the calendar knows the holidays of: the
// region's data years and the years of its own holidays. A region of fixed
// rules covers every year; ruled reports that.
func (c *Calendar) CoveredYears() (years []int, ruled bool) {
	seen := map[int]bool{}
	if r := c.RegionInfo; r != nil {
		if r.LastYear == 0 {
			ruled = true
		} else {
			for y := r.FirstYear; y <= r.LastYear; y++ {
				seen[y] = true
			}
		}
	}
	for _, d := range c.Days {
		if d.Kind == DayHoliday {
			var y int
			fmt.Sscanf(d.Date[:4], "%d", &y)
			seen[y] = true
		}
	}
	for y := range seen {
		years = append(years, y)
	}
	slices.Sort(years)
	return years, ruled
}

// CoverageWarnDays is how long before a year ends an admin is warned that
// the next one has no holidays yet: China announces the next year's
// holidays in November, so six weeks leaves time to import them.
const CoverageWarnDays = 45

// CalendarCoverage is what CoverageAt reports.
type CalendarCoverage struct {
	Years []int `json:"years"`
	// Ruled is true when the region follows fixed rules: every year.
	Ruled bool `json:"ruled"`
	// Warning is empty while the current year and, from CoverageWarnDays
	// before it, the next one are covered.
	Warning string `json:"warning,omitempty"`
	// MissingYear is the year the warning is about.
	MissingYear int `json:"missing_year,omitempty"`
}

// CoverageAt reports the covered years and whether, at now, a year is
// missing or about to be: the current one, or the next one within
// CoverageWarnDays of New Year.
func (c *Calendar) CoverageAt(now time.Time) CalendarCoverage {
	years, ruled := c.CoveredYears()
	cov := CalendarCoverage{Years: years, Ruled: ruled}
	if cov.Years == nil {
		cov.Years = []int{}
	}
	if ruled {
		return cov
	}
	lt := now.In(c.Location())
	y := lt.Year()
	newYear := time.Date(y+1, 1, 1, 0, 0, 0, 0, c.Location())
	switch {
	case !slices.Contains(years, y):
		cov.MissingYear = y
		cov.Warning = fmt.Sprintf("%d is not covered: its holidays and make-up workdays are unknown; import them", y)
	case newYear.Sub(lt) <= CoverageWarnDays*24*time.Hour && !slices.Contains(years, y+1):
		cov.MissingYear = y + 1
		cov.Warning = fmt.Sprintf("%d starts in %d days and is not covered; import its holidays and make-up workdays", y+1, int(newYear.Sub(lt).Hours()/24)+1)
	}
	return cov
}

// HolidayPeriod is a run of days off holding at least one public holiday,
// such as National Day with the weekend before it: [Start, End) in the
// calendar's zone.
type HolidayPeriod struct {
	Name      string    `json:"name"`
	LocalName string    `json:"local_name,omitempty"`
	First     string    `json:"first"` // first date off
	Last      string    `json:"last"`  // last date off
	Start     time.Time `json:"start"`
	End       time.Time `json:"end"`
}

// HolidayPeriods returns the holiday periods that start in year.
func (c *Calendar) HolidayPeriods(year int) []HolidayPeriod {
	var out []HolidayPeriod
	loc := c.Location()
	for _, d := range c.YearDays(year) {
		if d.Kind != DayHoliday {
			continue
		}
		t, _ := time.Parse(time.DateOnly, d.Date)
		if n := len(out); n > 0 && !out[n-1].End.Before(time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)) {
			continue // inside the period already found
		}
		first, last := t, t
		for {
			p := first.AddDate(0, 0, -1)
			if c.IsWorkingDate(p.Date()) {
				break
			}
			first = p
		}
		for {
			n := last.AddDate(0, 0, 1)
			if c.IsWorkingDate(n.Date()) {
				break
			}
			last = n
		}
		if earlierHoliday(c, first, t) {
			continue // counted with the year of its first holiday
		}
		end := last.AddDate(0, 0, 1)
		out = append(out, HolidayPeriod{Name: d.Name, LocalName: d.LocalName,
			First: first.Format(time.DateOnly), Last: last.Format(time.DateOnly),
			Start: time.Date(first.Year(), first.Month(), first.Day(), 0, 0, 0, 0, loc).UTC(),
			End:   time.Date(end.Year(), end.Month(), end.Day(), 0, 0, 0, 0, loc).UTC()})
	}
	return out
}

// earlierHoliday reports whether a holiday lies in [from, to) in an
// earlier year than to's: a period across New Year belongs to the year of
// its first holiday.
func earlierHoliday(c *Calendar, from, to time.Time) bool {
	for d := from; d.Before(to); d = d.AddDate(0, 0, 1) {
		if day, ok := c.Day(d.Format(time.DateOnly)); ok && day.Kind == DayHoliday && d.Year() < to.Year() {
			return true
		}
	}
	return false
}

// HolidayFreezePlan asks for a freeze window before every public holiday
// of a year: "freeze 2 working days before every public holiday".
type HolidayFreezePlan struct {
	Year int `json:"year"`
	// WorkingDaysBefore is how many working days before the holiday the
	// freeze starts (1 to 10).
	WorkingDaysBefore int `json:"working_days_before"`
	// ThroughHoliday keeps the freeze until the holiday ends; otherwise it
	// ends when the holiday begins.
	ThroughHoliday bool `json:"through_holiday"`
	// ServiceIDs are the frozen services; empty freezes every service.
	ServiceIDs []int64 `json:"service_ids"`
}

// Validate checks the plan.
func (p *HolidayFreezePlan) Validate() error {
	if p.Year < 1970 || p.Year > 2200 {
		return FieldErrorf("year", "must be 1970 to 2200")
	} else if p.WorkingDaysBefore < 1 || p.WorkingDaysBefore > 10 {
		return FieldErrorf("working_days_before", "must be 1 to 10")
	}
	return validateServiceIDs(p.ServiceIDs)
}

// FreezeWindows returns the windows the plan asks for, one per holiday
// period starting in the plan's year.
func (c *Calendar) FreezeWindows(p HolidayFreezePlan) []*FreezeWindow {
	var out []*FreezeWindow
	for _, h := range c.HolidayPeriods(p.Year) {
		first, _ := time.Parse(time.DateOnly, h.First)
		end := h.Start
		if p.ThroughHoliday {
			end = h.End
		}
		name := h.Name
		if h.LocalName != "" && h.LocalName != h.Name {
			name = h.LocalName + " " + h.Name
		}
		out = append(out, &FreezeWindow{
			Name:       fmt.Sprintf("%s freeze (%s)", name, c.Name),
			Reason:     fmt.Sprintf("%d working days before %s to %s, from calendar %q", p.WorkingDaysBefore, h.First, h.Last, c.Name),
			StartsAt:   c.WorkingDaysBefore(first, p.WorkingDaysBefore).UTC(),
			EndsAt:     end,
			ServiceIDs: slices.Clone(p.ServiceIDs),
		})
	}
	return out
}

// CalendarService manages working calendars. Every change writes its audit
// row in the same transaction.
type CalendarService interface {
	// FindCalendarByID returns the calendar with its region's days.
	// Returns ENOTFOUND.
	FindCalendarByID(ctx context.Context, id int64) (*Calendar, error)

	// FindCalendars returns every calendar by name, with their regions'
	// days.
	FindCalendars(ctx context.Context) ([]*Calendar, error)

	// CreateCalendar adds a calendar; a region's zone is the default zone.
	// Returns EINVALID (unknown region, bad days), ECONFLICT (name taken).
	CreateCalendar(ctx context.Context, c *Calendar) error

	// AddCalendarDays adds or replaces own days on the calendar.
	// Returns EINVALID, ENOTFOUND.
	AddCalendarDays(ctx context.Context, id int64, days []CalendarDay) (*Calendar, error)

	// RemoveCalendarDay removes one own day. Returns ENOTFOUND.
	RemoveCalendarDay(ctx context.Context, id int64, date string) (*Calendar, error)

	// DeleteCalendar removes a calendar no monitor or policy follows.
	// Returns ENOTFOUND, ECONFLICT (in use).
	DeleteCalendar(ctx context.Context, id int64) error

	// CreateHolidayFreezes creates the freeze windows the plan asks for,
	// all or none. Returns EINVALID, ENOTFOUND.
	CreateHolidayFreezes(ctx context.Context, id int64, p HolidayFreezePlan) ([]*FreezeWindow, error)
}

// Audit actions of calendars.
const (
	AuditCalendarCreate     AuditAction = "calendar.create"
	AuditCalendarDays       AuditAction = "calendar.days"
	AuditCalendarDelete     AuditAction = "calendar.delete"
	AuditCalendarFreezeList AuditAction = "calendar.freezes"
)
