// Package holiday holds the built-in regions of working calendars (public
// holidays and, for mainland China, make-up workdays) and reads the ICS and
// JSON files that add days to a calendar.
package holiday

import (
	"slices"
	"strings"

	"github.com/warroomhq/warroom"
)

// region is one built-in region: its description and the dated days of a
// year.
type region struct {
	info warroom.CalendarRegion
	days func(year int) []warroom.CalendarDay
}

// regions are listed once, in the order the UI offers them.
var regions = []region{
	{warroom.CalendarRegion{Code: "CN", Name: "Mainland China", TimeZone: "Asia/Shanghai", FirstYear: chinaFirstYear, LastYear: chinaLastYear,
		Source: "State Council General Office holiday notices, as bundled in github.com/6tail/lunar-go HolidayUtil"}, chinaDays},
	{warroom.CalendarRegion{Code: "US", Name: "United States (federal)", TimeZone: "America/New_York",
		Source: "5 U.S.C. 6103 federal holidays, observed on the Friday or Monday when on a weekend"}, usDays},
	{warroom.CalendarRegion{Code: "GB-ENG", Name: "England and Wales", TimeZone: "Europe/London",
		Source: "Banking and Financial Dealings Act 1971 bank holidays with substitute days; one-off proclamations are not included"}, gbDays},
	{warroom.CalendarRegion{Code: "DE", Name: "Germany (nationwide)", TimeZone: "Europe/Berlin",
		Source: "Public holidays observed in every German state; state-only holidays are not included"}, deDays},
}

// Regions returns the built-in regions.
func Regions() []warroom.CalendarRegion {
	out := make([]warroom.CalendarRegion, len(regions))
	for i, r := range regions {
		out[i] = r.info
	}
	return out
}

// Region returns the region of code (case-insensitive).
func Region(code string) (warroom.CalendarRegion, bool) {
	for _, r := range regions {
		if strings.EqualFold(r.info.Code, code) {
			return r.info, true
		}
	}
	return warroom.CalendarRegion{}, false
}

// Days returns the region's dated days of years from..to, sorted by date;
// years without data give none.
func Days(code string, from, to int) []warroom.CalendarDay {
	var out []warroom.CalendarDay
	for _, r := range regions {
		if !strings.EqualFold(r.info.Code, code) {
			continue
		}
		for y := from; y <= to; y++ {
			if r.info.LastYear != 0 && (y < r.info.FirstYear || y > r.info.LastYear) {
				continue
			}
			out = append(out, r.days(y)...)
		}
	}
	slices.SortFunc(out, func(a, b warroom.CalendarDay) int { return strings.Compare(a.Date, b.Date) })
	return slices.CompactFunc(out, func(a, b warroom.CalendarDay) bool { return a.Date == b.Date })
}

// Fill sets c's RegionInfo and RegionDays for years from..to; an unknown
// or empty region leaves them empty.
func Fill(c *warroom.Calendar, from, to int) {
	c.RegionInfo, c.RegionDays = nil, nil
	info, ok := Region(c.Region)
	if !ok {
		return
	}
	c.RegionInfo = &info
	if info.LastYear != 0 {
		from, to = max(from, info.FirstYear), min(to, info.LastYear)
	}
	c.RegionDays = Days(info.Code, from, to)
}
