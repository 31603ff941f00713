package holiday

import (
	"time"

	"github.com/warroomhq/warroom"
)

// The regions below follow fixed rules, so they cover every year.

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// nthWeekday is the n-th wd of the month; n -1 is the last.
func nthWeekday(y int, m time.Month, wd time.Weekday, n int) time.Time {
	if n < 0 {
		t := date(y, m+1, 0)
		for t.Weekday() != wd {
			t = t.AddDate(0, 0, -1)
		}
		return t
	}
	t := date(y, m, 1)
	for t.Weekday() != wd {
		t = t.AddDate(0, 0, 1)
	}
	return t.AddDate(0, 0, 7*(n-1))
}

// easter is Easter Sunday of the Gregorian calendar (the anonymous
// Gregorian computus, valid for every year this calendar accepts).
func easter(y int) time.Time {
	a, b, c := y%19, y/100, y%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return date(y, time.Month(month), day)
}

func holidayOn(t time.Time, name, local string) warroom.CalendarDay {
	return warroom.CalendarDay{Date: t.Format(time.DateOnly), Kind: warroom.DayHoliday, Name: name, LocalName: local}
}

// usObserved moves a federal holiday off the weekend: Saturday to Friday,
// Sunday to Monday.
func usObserved(t time.Time) time.Time {
	switch t.Weekday() {
	case time.Saturday:
		return t.AddDate(0, 0, -1)
	case time.Sunday:
		return t.AddDate(0, 0, 1)
	}
	return t
}

// usDays are the eleven federal holidays as observed. New Year's Day of
// the next year observed on 31 December belongs to this year.
func usDays(y int) []warroom.CalendarDay {
	var out []warroom.CalendarDay
	add := func(t time.Time, name string) {
		if t.Year() == y {
			out = append(out, holidayOn(t, name, ""))
		}
	}
	add(usObserved(date(y, time.January, 1)), "New Year's Day")
	add(nthWeekday(y, time.January, time.Monday, 3), "Birthday of Martin Luther King, Jr.")
	add(nthWeekday(y, time.February, time.Monday, 3), "Washington's Birthday")
	add(nthWeekday(y, time.May, time.Monday, -1), "Memorial Day")
	add(usObserved(date(y, time.June, 19)), "Juneteenth National Independence Day")
	add(usObserved(date(y, time.July, 4)), "Independence Day")
	add(nthWeekday(y, time.September, time.Monday, 1), "Labor Day")
	add(nthWeekday(y, time.October, time.Monday, 2), "Columbus Day")
	add(usObserved(date(y, time.November, 11)), "Veterans Day")
	add(nthWeekday(y, time.November, time.Thursday, 4), "Thanksgiving Day")
	add(usObserved(date(y, time.December, 25)), "Christmas Day")
	add(usObserved(date(y+1, time.January, 1)), "New Year's Day")
	return out
}

// gbDays are the bank holidays of England and Wales. A holiday on a
// weekend is substituted by the next weekday not already a holiday, which
// moves Boxing Day to Tuesday when Christmas falls on a Saturday.
func gbDays(y int) []warroom.CalendarDay {
	e := easter(y)
	out := []warroom.CalendarDay{}
	taken := map[string]bool{}
	sub := func(t time.Time, name string) {
		for t.Weekday() == time.Saturday || t.Weekday() == time.Sunday || taken[t.Format(time.DateOnly)] {
			t = t.AddDate(0, 0, 1)
		}
		taken[t.Format(time.DateOnly)] = true
		out = append(out, holidayOn(t, name, ""))
	}
	sub(date(y, time.January, 1), "New Year's Day")
	sub(e.AddDate(0, 0, -2), "Good Friday")
	sub(e.AddDate(0, 0, 1), "Easter Monday")
	sub(nthWeekday(y, time.May, time.Monday, 1), "Early May bank holiday")
	sub(nthWeekday(y, time.May, time.Monday, -1), "Spring bank holiday")
	sub(nthWeekday(y, time.August, time.Monday, -1), "Summer bank holiday")
	sub(date(y, time.December, 25), "Christmas Day")
	sub(date(y, time.December, 26), "Boxing Day")
	return out
}

// deDays are the nine holidays kept in every German state. There are no
// substitute days.
func deDays(y int) []warroom.CalendarDay {
	e := easter(y)
	return []warroom.CalendarDay{
		holidayOn(date(y, time.January, 1), "New Year's Day", "Neujahr"),
		holidayOn(e.AddDate(0, 0, -2), "Good Friday", "Karfreitag"),
		holidayOn(e.AddDate(0, 0, 1), "Easter Monday", "Ostermontag"),
		holidayOn(date(y, time.May, 1), "Labour Day", "Tag der Arbeit"),
		holidayOn(e.AddDate(0, 0, 39), "Ascension Day", "Christi Himmelfahrt"),
		holidayOn(e.AddDate(0, 0, 50), "Whit Monday", "Pfingstmontag"),
		holidayOn(date(y, time.October, 3), "German Unity Day", "Tag der Deutschen Einheit"),
		holidayOn(date(y, time.December, 25), "Christmas Day", "1. Weihnachtstag"),
		holidayOn(date(y, time.December, 26), "Boxing Day", "2. Weihnachtstag"),
	}
}
