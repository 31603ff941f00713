package holiday

import (
	"testing"
	"time"

	"github.com/warroomhq/warroom"
)

// These tests run the root calendar logic on the built-in regions' real
// years.

func filled(region, zone string, from, to int) *warroom.Calendar {
	c := &warroom.Calendar{Name: region, Region: region, TimeZone: zone}
	Fill(c, from, to)
	return c
}

// TestAddWorkingDaysChina counts working days across China's holidays and
// make-up workdays.
func TestAddWorkingDaysChina(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	c := filled("CN", "Asia/Shanghai", 2024, 2028)
	tests := []struct {
		name     string
		from     time.Time
		n        int
		want     time.Time
		weekdays time.Time // what Monday-to-Friday in UTC gives
	}{
		// Before Spring Festival 2025 (28 Jan to 4 Feb): Sunday 26 January is
		// a make-up workday, then 27 January, then 5 February.
		{"SpringFestival2025", time.Date(2025, 1, 24, 10, 0, 0, 0, sh), 3, time.Date(2025, 2, 5, 10, 0, 0, 0, sh), time.Date(2025, 1, 29, 10, 0, 0, 0, sh)},
		// Start on a holiday: counting starts on the next working day.
		{"StartOnNationalDay2025", time.Date(2025, 10, 3, 15, 0, 0, 0, sh), 1, time.Date(2025, 10, 10, 15, 0, 0, 0, sh), time.Date(2025, 10, 6, 15, 0, 0, 0, sh)},
		// Saturday 11 October 2025 is a make-up workday.
		{"MakeUpSaturday2025", time.Date(2025, 10, 10, 9, 0, 0, 0, sh), 1, time.Date(2025, 10, 11, 9, 0, 0, 0, sh), time.Date(2025, 10, 13, 9, 0, 0, 0, sh)},
		// New Year 2026 is 1 to 3 January with Sunday the 4th worked.
		{"NewYear2026", time.Date(2025, 12, 31, 11, 0, 0, 0, sh), 1, time.Date(2026, 1, 4, 11, 0, 0, 0, sh), time.Date(2026, 1, 1, 11, 0, 0, 0, sh)},
		{"SpringFestival2026", time.Date(2026, 2, 13, 9, 0, 0, 0, sh), 2, time.Date(2026, 2, 24, 9, 0, 0, 0, sh), time.Date(2026, 2, 17, 9, 0, 0, 0, sh)},
		{"SpringFestival2027", time.Date(2027, 2, 4, 9, 0, 0, 0, sh), 1, time.Date(2027, 2, 14, 9, 0, 0, 0, sh), time.Date(2027, 2, 5, 9, 0, 0, 0, sh)},
		{"LabourDay2027", time.Date(2027, 4, 30, 9, 0, 0, 0, sh), 1, time.Date(2027, 5, 6, 9, 0, 0, 0, sh), time.Date(2027, 5, 3, 9, 0, 0, 0, sh)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := c.AddWorkingDays(tt.from, tt.n); !got.Equal(tt.want) {
				t.Errorf("AddWorkingDays = %v, want %v", got.In(sh), tt.want)
			}
			if got := warroom.AddWorkingDays(tt.from, tt.n); !got.Equal(tt.weekdays) {
				t.Errorf("weekday arithmetic = %v, want %v (the case shows a difference)", got.In(sh), tt.weekdays)
			}
		})
	}
}

// TestAddWorkingDaysDST: a due date keeps its wall-clock hour across the
// clock changes of New York and London, and skips their holidays.
func TestAddWorkingDaysDST(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	lon, _ := time.LoadLocation("Europe/London")
	us := filled("US", "America/New_York", 2026, 2027)
	gb := filled("GB-ENG", "Europe/London", 2026, 2027)
	tests := []struct {
		name     string
		c        *warroom.Calendar
		from, to time.Time
		n        int
		hours    float64 // real hours elapsed
	}{
		// Clocks go forward on Sunday 8 March 2026: the week is an hour short.
		{"NewYorkSpring", us, time.Date(2026, 3, 6, 9, 0, 0, 0, ny), time.Date(2026, 3, 9, 9, 0, 0, 0, ny), 1, 71},
		// Back on Sunday 1 November 2026.
		{"NewYorkFall", us, time.Date(2026, 10, 30, 9, 0, 0, 0, ny), time.Date(2026, 11, 2, 9, 0, 0, 0, ny), 1, 73},
		// Labor Day Monday 7 September 2026 is skipped.
		{"NewYorkLaborDay", us, time.Date(2026, 9, 4, 17, 30, 0, 0, ny), time.Date(2026, 9, 8, 17, 30, 0, 0, ny), 1, 96},
		// London: clocks back on 25 October 2026; forward 29 March 2026,
		// the Monday after Easter (6 April) a bank holiday.
		{"LondonAutumn", gb, time.Date(2026, 10, 23, 10, 0, 0, 0, lon), time.Date(2026, 10, 26, 10, 0, 0, 0, lon), 1, 73},
		{"LondonSpring", gb, time.Date(2026, 3, 27, 10, 0, 0, 0, lon), time.Date(2026, 3, 30, 10, 0, 0, 0, lon), 1, 71},
		{"LondonEaster", gb, time.Date(2026, 4, 2, 10, 0, 0, 0, lon), time.Date(2026, 4, 7, 10, 0, 0, 0, lon), 1, 120},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.c.AddWorkingDays(tt.from, tt.n)
			if !got.Equal(tt.to) {
				t.Errorf("AddWorkingDays = %v, want %v", got.In(tt.to.Location()), tt.to)
			}
			if h := got.Sub(tt.from).Hours(); h != tt.hours {
				t.Errorf("elapsed %v hours, want %v", h, tt.hours)
			}
		})
	}
}

// TestBusinessHoursDST: a flow monitor on the US calendar opens its 09:00
// window at 09:00 local on both sides of the change, and not on a holiday.
func TestBusinessHoursDST(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	b := warroom.BusinessHours{Days: []int{1, 2, 3, 4, 5}, Start: "09:00", End: "17:00", TimeZone: "America/New_York", Calendar: filled("US", "America/New_York", 2026, 2027)}
	for _, day := range []int{6, 9} { // Friday before, Monday after 8 March
		at := time.Date(2026, 3, day, 9, 10, 0, 0, ny)
		start, ok := b.WindowAt(at, 30*time.Minute)
		if !ok || !start.Equal(time.Date(2026, 3, day, 9, 0, 0, 0, ny)) {
			t.Errorf("window on March %d = %v %v, want 09:00 local", day, start.In(ny), ok)
		}
	}
	if _, ok := b.WindowAt(time.Date(2026, 11, 26, 10, 0, 0, 0, ny), 30*time.Minute); ok {
		t.Error("a window on Thanksgiving")
	}
}

// TestHolidayPeriods2026: the periods of China's 2026 calendar, with the
// freeze each gets two working days ahead.
func TestHolidayPeriods2026(t *testing.T) {
	c := filled("CN", "Asia/Shanghai", 2025, 2027)
	want := []struct{ first, last, freeze string }{
		{"2026-01-01", "2026-01-03", "2025-12-30"},
		{"2026-02-15", "2026-02-23", "2026-02-13"}, // Saturday 14th worked
		{"2026-04-04", "2026-04-06", "2026-04-02"},
		{"2026-05-01", "2026-05-05", "2026-04-29"},
		{"2026-06-19", "2026-06-21", "2026-06-17"},
		{"2026-09-25", "2026-09-27", "2026-09-23"},
		{"2026-10-01", "2026-10-07", "2026-09-29"},
	}
	ps := c.HolidayPeriods(2026)
	fs := c.FreezeWindows(warroom.HolidayFreezePlan{Year: 2026, WorkingDaysBefore: 2})
	if len(ps) != len(want) || len(fs) != len(want) {
		t.Fatalf("periods = %+v, want %d", ps, len(want))
	}
	sh := c.Location()
	for i, w := range want {
		if ps[i].First != w.first || ps[i].Last != w.last {
			t.Errorf("period %d = %s to %s, want %s to %s", i, ps[i].First, ps[i].Last, w.first, w.last)
		}
		if got := fs[i].StartsAt.In(sh).Format("2006-01-02 15:04"); got != w.freeze+" 00:00" {
			t.Errorf("freeze %d starts %s, want %s", i, got, w.freeze)
		}
		if !fs[i].EndsAt.Equal(ps[i].Start) {
			t.Errorf("freeze %d ends %v, want the holiday's start", i, fs[i].EndsAt)
		}
	}
	// A period across New Year belongs to the year of its first holiday:
	// 30 December 2017 to 1 January 2018 is 2017's, not 2018's too.
	old := filled("CN", "Asia/Shanghai", 2017, 2018)
	if p := old.HolidayPeriods(2018); len(p) == 0 || p[0].First == "2017-12-30" {
		t.Errorf("2018 periods start %+v", p[0])
	}
	if p := old.HolidayPeriods(2017); p[len(p)-1].Last != "2018-01-01" {
		t.Errorf("2017's last period = %+v", p[len(p)-1])
	}
}

// TestCoverage: China's data runs to 2027, so from mid-November 2027 an
// admin is told 2028 is missing, and in 2028 that the year is not covered;
// an import of 2028 clears it. Ruled regions never warn.
func TestCoverage(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	c := filled("CN", "Asia/Shanghai", 2020, 2030)
	tests := []struct {
		at      time.Time
		missing int
	}{
		{time.Date(2026, 12, 3, 12, 0, 0, 0, sh), 0},
		{time.Date(2027, 11, 10, 12, 0, 0, 0, sh), 0},
		{time.Date(2027, 11, 20, 12, 0, 0, 0, sh), 2028},
		{time.Date(2028, 1, 2, 12, 0, 0, 0, sh), 2028},
	}
	for _, tt := range tests {
		cov := c.CoverageAt(tt.at)
		if cov.MissingYear != tt.missing || (cov.Warning == "") != (tt.missing == 0) {
			t.Errorf("at %s: %+v, want missing %d", tt.at.Format("2006-01-02"), cov, tt.missing)
		}
	}
	if err := c.MergeDays([]warroom.CalendarDay{{Date: "2028-01-01", Kind: warroom.DayHoliday, Name: "New Year's Day"}}); err != nil {
		t.Fatal(err)
	}
	if cov := c.CoverageAt(time.Date(2027, 12, 20, 0, 0, 0, 0, sh)); cov.Warning != "" {
		t.Errorf("after the import: %+v", cov)
	}
	if cov := filled("DE", "Europe/Berlin", 2020, 2030).CoverageAt(time.Date(2040, 12, 20, 0, 0, 0, 0, time.UTC)); !cov.Ruled || cov.Warning != "" {
		t.Errorf("Germany: %+v", cov)
	}
}
