package oncall

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// CalendarEvent is one shift as a calendar entry.
type CalendarEvent struct {
	// UID must be stable across refreshes so that calendar clients update
	// an entry instead of duplicating it.
	UID     string
	Summary string
	Start   time.Time
	End     time.Time
}

// WriteICal writes an RFC 5545 calendar of events. Instants are written in
// UTC so that no VTIMEZONE is needed: every client converts them to its
// user's zone, which is what a person checking their shifts wants.
func WriteICal(w io.Writer, name string, events []CalendarEvent, stamp time.Time) error {
	bw := bufio.NewWriter(w)
	line := func(s string) { writeFolded(bw, s) }
	line("BEGIN:VCALENDAR")
	line("VERSION:2.0")
	line("PRODID:-//warroom//on-call//EN")
	line("CALSCALE:GREGORIAN")
	line("METHOD:PUBLISH")
	line("X-WR-CALNAME:" + escapeText(name))
	for _, e := range events {
		line("BEGIN:VEVENT")
		line("UID:" + escapeText(e.UID))
		line("DTSTAMP:" + icalTime(stamp))
		line("DTSTART:" + icalTime(e.Start))
		line("DTEND:" + icalTime(e.End))
		line("SUMMARY:" + escapeText(e.Summary))
		line("TRANSP:TRANSPARENT")
		line("END:VEVENT")
	}
	line("END:VCALENDAR")
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write ical: %w", err)
	}
	return nil
}

func icalTime(t time.Time) string { return t.UTC().Format("20060102T150405Z") }

// escapeText escapes a TEXT value (RFC 5545 §3.3.11).
func escapeText(s string) string {
	r := strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\r\n", `\n`, "\n", `\n`, "\r", `\n`)
	return r.Replace(s)
}

// writeFolded writes a content line ending in CRLF, folded so that no line
// exceeds 75 octets and no UTF-8 sequence is split (RFC 5545 §3.1).
func writeFolded(w *bufio.Writer, s string) {
	limit := 75
	for len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		w.WriteString(s[:cut])
		w.WriteString("\r\n ")
		s = s[cut:]
		limit = 74 // the continuation's leading space counts
	}
	w.WriteString(s)
	w.WriteString("\r\n")
}
