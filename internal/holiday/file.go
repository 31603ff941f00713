package holiday

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/emersion/go-ical"
	"github.com/warroomhq/warroom"
)

// MaxFileBytes bounds an imported file: a decade of a national calendar
// is a few tens of kilobytes.
const MaxFileBytes = 512 << 10

// maxEventDays bounds one ICS event, so that a DTEND years away cannot
// expand into a calendar of nothing but holidays.
const maxEventDays = 31

// File is a file of dated days, in JSON:
//
//	{"source": "…", "days": [{"date": "2028-01-01", "kind": "holiday", "name": "New Year's Day"}]}
//
// A bare array of days is read as well.
type File struct {
	Source string                `json:"source"`
	Days   []warroom.CalendarDay `json:"days"`
}

// Parse reads days from data in format "ics" or "json"; ICS events that do
// not say their kind get def (holiday when empty). The days are validated
// and unique by date.
func Parse(format string, data []byte, def warroom.CalendarDayKind) ([]warroom.CalendarDay, error) {
	if len(data) > MaxFileBytes {
		return nil, warroom.FieldErrorf("file", "must be at most %d KiB", MaxFileBytes>>10)
	}
	if def == "" {
		def = warroom.DayHoliday
	}
	if !def.Valid() {
		return nil, warroom.FieldErrorf("default_kind", "must be holiday, workday or off, got %q", def)
	}
	var days []warroom.CalendarDay
	var err error
	switch strings.ToLower(format) {
	case "ics", "ical":
		days, err = parseICS(data, def)
	case "json":
		days, err = parseJSON(data)
	default:
		return nil, warroom.FieldErrorf("format", "must be ics or json, got %q", format)
	}
	if err != nil {
		return nil, err
	}
	if len(days) == 0 {
		return nil, warroom.FieldErrorf("file", "holds no days")
	}
	// Validate with the calendar's own rules: dates, kinds, names, one
	// day per date, the count.
	c := warroom.Calendar{Name: "import", TimeZone: "UTC", Days: days}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c.Days, nil
}

func parseJSON(data []byte) ([]warroom.CalendarDay, error) {
	data = bytes.TrimSpace(data)
	var f File
	var err error
	if len(data) > 0 && data[0] == '[' {
		err = json.Unmarshal(data, &f.Days)
	} else {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		err = dec.Decode(&f)
	}
	if err != nil {
		return nil, warroom.FieldErrorf("file", "is not a JSON calendar file: %v", err)
	}
	for i := range f.Days {
		f.Days[i].Kind = warroom.CalendarDayKind(strings.ToLower(string(f.Days[i].Kind)))
		if f.Days[i].Kind == "" {
			f.Days[i].Kind = warroom.DayHoliday
		}
	}
	return f.Days, nil
}

// icsKind reads an event's kind: X-WARROOM-KIND, else a CATEGORIES value,
// else the words Chinese holiday feeds put in the summary for a make-up
// workday ("补班", "上班"), else def.
func icsKind(e *ical.Event, summary string, def warroom.CalendarDayKind) (warroom.CalendarDayKind, error) {
	if p := e.Props.Get("X-WARROOM-KIND"); p != nil {
		k := warroom.CalendarDayKind(strings.ToLower(strings.TrimSpace(p.Value)))
		if !k.Valid() {
			return "", fmt.Errorf("X-WARROOM-KIND must be holiday, workday or off, got %q", p.Value)
		}
		return k, nil
	}
	if p := e.Props.Get(ical.PropCategories); p != nil {
		for _, c := range strings.Split(p.Value, ",") {
			if k := warroom.CalendarDayKind(strings.ToLower(strings.TrimSpace(c))); k.Valid() {
				return k, nil
			}
		}
	}
	if strings.Contains(summary, "补班") || strings.Contains(summary, "上班") {
		return warroom.DayWorkday, nil
	}
	return def, nil
}

// decodeICS decodes an iCalendar file. go-ical's decoder panics on some
// malformed content lines (a parameter without a value at the end of a
// line, found by FuzzParse), so a panic is turned into the invalid-file
// error it stands for.
func decodeICS(data []byte) (cal *ical.Calendar, err error) {
	defer func() {
		if r := recover(); r != nil {
			cal, err = nil, fmt.Errorf("malformed content line")
		}
	}()
	return ical.NewDecoder(bytes.NewReader(data)).Decode()
}

func parseICS(data []byte, def warroom.CalendarDayKind) ([]warroom.CalendarDay, error) {
	cal, err := decodeICS(data)
	if err != nil {
		return nil, warroom.FieldErrorf("file", "is not an iCalendar file: %v", err)
	}
	var days []warroom.CalendarDay
	for i, e := range cal.Events() {
		field := fmt.Sprintf("file.events[%d]", i)
		summary := ""
		if p := e.Props.Get(ical.PropSummary); p != nil {
			summary, _ = p.Text()
		}
		kind, err := icsKind(&e, summary, def)
		if err != nil {
			return nil, warroom.FieldErrorf(field, "%v", err)
		}
		if p := e.Props.Get(ical.PropRecurrenceRule); p != nil {
			return nil, warroom.FieldErrorf(field, "repeats (RRULE); list each year's day instead, as holiday dates move")
		}
		start, err := e.DateTimeStart(time.UTC)
		if err != nil || start.IsZero() {
			return nil, warroom.FieldErrorf(field, "has no valid DTSTART")
		}
		// DTEND is exclusive; an all-day event without it lasts a day.
		end := start.AddDate(0, 0, 1)
		if p := e.Props.Get(ical.PropDateTimeEnd); p != nil {
			if end, err = e.DateTimeEnd(time.UTC); err != nil {
				return nil, warroom.FieldErrorf(field, "has an invalid DTEND")
			}
		}
		first := time.Date(start.Year(), start.Month(), start.Day(), 0, 0, 0, 0, time.UTC)
		if !end.After(first) {
			end = first.AddDate(0, 0, 1)
		}
		if end.Sub(first) > maxEventDays*24*time.Hour {
			return nil, warroom.FieldErrorf(field, "lasts more than %d days", maxEventDays)
		}
		for d := first; d.Before(end); d = d.AddDate(0, 0, 1) {
			days = append(days, warroom.CalendarDay{Date: d.Format(time.DateOnly), Kind: kind, Name: summary})
			if len(days) > warroom.MaxCalendarDays {
				return nil, warroom.FieldErrorf("days", "at most %d days", warroom.MaxCalendarDays)
			}
		}
	}
	return days, nil
}
