package oncall

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"
)

// TestWriteICal parses the feed back with an independent iCalendar library:
// a feed that only this package can read is no feed.
func TestWriteICal(t *testing.T) {
	start := time.Date(2025, 3, 9, 13, 0, 0, 0, time.UTC)
	long := strings.Repeat("值班 on-call, primary; ", 10)
	events := []CalendarEvent{
		{UID: "schedule-1-user-2-1741525200@warroom", Summary: "On call: payments", Start: start, End: start.Add(23 * time.Hour)},
		{UID: "u2", Summary: long, Start: start.Add(24 * time.Hour), End: start.Add(48 * time.Hour)},
	}
	var buf bytes.Buffer
	if err := WriteICal(&buf, "Ana — on call", events, start); err != nil {
		t.Fatal(err)
	}
	for i, l := range strings.Split(strings.TrimSuffix(buf.String(), "\r\n"), "\r\n") {
		if len(l) > 75 {
			t.Errorf("line %d is %d octets, want ≤ 75", i, len(l))
		}
	}
	cal, err := ical.NewDecoder(&buf).Decode()
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	got := cal.Events()
	if len(got) != len(events) {
		t.Fatalf("got %d events, want %d", len(got), len(events))
	}
	for i, e := range got {
		uid, _ := e.Props.Text(ical.PropUID)
		summary, _ := e.Props.Text(ical.PropSummary)
		s, err := e.DateTimeStart(time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		end, err := e.DateTimeEnd(time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		if uid != events[i].UID || summary != events[i].Summary || !s.Equal(events[i].Start) || !end.Equal(events[i].End) {
			t.Errorf("event %d: got %q %q %s–%s, want %+v", i, uid, summary, s, end, events[i])
		}
	}
	if name, _ := cal.Props.Text("X-WR-CALNAME"); name != "Ana — on call" {
		t.Errorf("calendar name: got %q", name)
	}
}
