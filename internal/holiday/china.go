package holiday

import (
	"strings"

	"github.com/6tail/lunar-go/HolidayUtil"
	"github.com/warroomhq/warroom"
)

// The years lunar-go's bundled data covers: the State Council publishes
// each next year's schedule around November, and a new release of the
// library follows; years past chinaLastYear are imported.
const (
	chinaFirstYear = 2002
	chinaLastYear  = 2027
)

// chinaNames gives the English name of each holiday the library names.
var chinaNames = map[string]string{
	"元旦节":   "New Year's Day",
	"春节":    "Spring Festival",
	"清明节":   "Qingming Festival",
	"劳动节":   "Labour Day",
	"端午节":   "Dragon Boat Festival",
	"中秋节":   "Mid-Autumn Festival",
	"国庆节":   "National Day",
	"国庆中秋":  "National Day and Mid-Autumn Festival",
	"抗战胜利日": "Victory Day",
}

// chinaDays returns the year's holidays and make-up workdays (调休). A
// make-up workday is named after the holiday it pays for.
func chinaDays(year int) []warroom.CalendarDay {
	l := HolidayUtil.GetHolidaysByYear(year)
	out := make([]warroom.CalendarDay, 0, l.Len())
	for e := l.Front(); e != nil; e = e.Next() {
		h := e.Value.(*HolidayUtil.Holiday)
		date := strings.ReplaceAll(h.GetDay(), "-", "")
		if len(date) != 8 {
			continue
		}
		d := warroom.CalendarDay{Date: date[:4] + "-" + date[4:6] + "-" + date[6:], Kind: warroom.DayHoliday, LocalName: h.GetName(), Name: chinaNames[h.GetName()]}
		if d.Name == "" {
			d.Name = h.GetName()
		}
		if h.IsWork() {
			d.Kind = warroom.DayWorkday
			d.LocalName += " 补班"
			d.Name += " (make-up workday)"
		}
		out = append(out, d)
	}
	return out
}
