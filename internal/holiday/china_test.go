package holiday

import (
	"strings"
	"testing"

	"github.com/warroomhq/warroom"
)

// chinaYears are the State Council's schedules for 2025 to 2027, written
// out by hand from the notices: every day off and every make-up workday.
// Ranges are inclusive.
var chinaYears = map[int]struct {
	off  [][2]string
	work []string
}{
	2025: {
		off: [][2]string{{"2025-01-01", "2025-01-01"}, {"2025-01-28", "2025-02-04"}, {"2025-04-04", "2025-04-06"},
			{"2025-05-01", "2025-05-05"}, {"2025-05-31", "2025-06-02"}, {"2025-10-01", "2025-10-08"}},
		work: []string{"2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11"},
	},
	2026: {
		off: [][2]string{{"2026-01-01", "2026-01-03"}, {"2026-02-15", "2026-02-23"}, {"2026-04-04", "2026-04-06"},
			{"2026-05-01", "2026-05-05"}, {"2026-06-19", "2026-06-21"}, {"2026-09-25", "2026-09-27"}, {"2026-10-01", "2026-10-07"}},
		work: []string{"2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"},
	},
	2027: {
		off: [][2]string{{"2027-01-01", "2027-01-03"}, {"2027-02-05", "2027-02-13"}, {"2027-04-03", "2027-04-05"},
			{"2027-05-01", "2027-05-05"}, {"2027-06-09", "2027-06-09"}, {"2027-09-15", "2027-09-15"}, {"2027-10-01", "2027-10-07"}},
		work: []string{"2027-01-31", "2027-02-14", "2027-05-08", "2027-09-26", "2027-10-09"},
	},
}

// TestChinaYears checks the built-in region against the notices, date by
// date, and the working-day answer of a calendar on it for every day of
// each year: no holiday missing, none extra, every make-up workday a
// working day.
func TestChinaYears(t *testing.T) {
	for year, want := range chinaYears {
		days := Days("CN", year, year)
		got := map[string]warroom.CalendarDayKind{}
		for _, d := range days {
			got[d.Date] = d.Kind
			if d.Name == "" || d.LocalName == "" {
				t.Errorf("%s has no name: %+v", d.Date, d)
			}
		}
		wantKind := map[string]warroom.CalendarDayKind{}
		for _, r := range want.off {
			for d := mustDate(t, r[0]); !d.After(mustDate(t, r[1])); d = d.AddDate(0, 0, 1) {
				wantKind[d.Format("2006-01-02")] = warroom.DayHoliday
			}
		}
		for _, w := range want.work {
			wantKind[w] = warroom.DayWorkday
		}
		c := &warroom.Calendar{Name: "cn", Region: "CN", TimeZone: "Asia/Shanghai"}
		Fill(c, year, year)
		for d := date(year, 1, 1); d.Year() == year; d = d.AddDate(0, 0, 1) {
			key := d.Format("2006-01-02")
			k, listed := wantKind[key]
			if got[key] != k {
				t.Errorf("%s: region says %q, the notice %q", key, got[key], k)
			}
			working := d.Weekday() >= 1 && d.Weekday() <= 5
			if listed {
				working = k == warroom.DayWorkday
			}
			if c.IsWorkingDate(d.Date()) != working {
				t.Errorf("%s (%s): working = %v, want %v", key, d.Weekday(), !working, working)
			}
		}
		if len(days) != len(wantKind) {
			t.Errorf("%d: %d dated days, want %d", year, len(days), len(wantKind))
		}
	}
}

// TestChinaNames: make-up workdays say which holiday they pay for.
func TestChinaNames(t *testing.T) {
	c := &warroom.Calendar{Name: "cn", Region: "CN", TimeZone: "Asia/Shanghai"}
	Fill(c, 2026, 2026)
	d, ok := c.Day("2026-02-14")
	if !ok || d.Kind != warroom.DayWorkday || !strings.Contains(d.LocalName, "春节") || !strings.Contains(d.Name, "Spring Festival") {
		t.Errorf("2026-02-14 = %+v, want the Spring Festival make-up workday", d)
	}
	if d, _ := c.Day("2026-10-01"); d.Name != "National Day" || d.LocalName != "国庆节" {
		t.Errorf("2026-10-01 = %+v", d)
	}
}
