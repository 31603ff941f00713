package holiday

import (
	"testing"

	"github.com/warroomhq/warroom"
)

const ics2028 = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n" +
	"BEGIN:VEVENT\r\nUID:a\r\nDTSTAMP:20271101T000000Z\r\nDTSTART;VALUE=DATE:20280101\r\nSUMMARY:元旦\r\nEND:VEVENT\r\n" +
	"BEGIN:VEVENT\r\nUID:b\r\nDTSTAMP:20271101T000000Z\r\nDTSTART;VALUE=DATE:20280124\r\nDTEND;VALUE=DATE:20280201\r\nSUMMARY:春节\r\nEND:VEVENT\r\n" +
	"BEGIN:VEVENT\r\nUID:c\r\nDTSTAMP:20271101T000000Z\r\nDTSTART;VALUE=DATE:20280122\r\nSUMMARY:春节 补班\r\nEND:VEVENT\r\n" +
	"BEGIN:VEVENT\r\nUID:d\r\nDTSTAMP:20271101T000000Z\r\nDTSTART;VALUE=DATE:20280303\r\nSUMMARY:Offsite\r\nX-WARROOM-KIND:off\r\nEND:VEVENT\r\n" +
	"END:VCALENDAR\r\n"

func TestParseICS(t *testing.T) {
	days, err := Parse("ics", []byte(ics2028), "")
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]warroom.CalendarDayKind{}
	for _, d := range days {
		kinds[d.Date] = d.Kind
	}
	if len(days) != 1+8+1+1 {
		t.Errorf("%d days, want 11: %+v", len(days), days)
	}
	for date, want := range map[string]warroom.CalendarDayKind{"2028-01-01": warroom.DayHoliday, "2028-01-24": warroom.DayHoliday,
		"2028-01-31": warroom.DayHoliday, "2028-02-01": "", "2028-01-22": warroom.DayWorkday, "2028-03-03": warroom.DayOff} {
		if kinds[date] != want {
			t.Errorf("%s = %q, want %q", date, kinds[date], want)
		}
	}
}

func TestParseJSON(t *testing.T) {
	days, err := Parse("json", []byte(`{"source":"notice","days":[{"date":"2028-10-01","kind":"holiday","name":"National Day"},{"date":"2028-09-30","kind":"WORKDAY"}]}`), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(days) != 2 || days[0].Date != "2028-09-30" || days[0].Kind != warroom.DayWorkday {
		t.Errorf("days = %+v", days)
	}
	if days, err := Parse("json", []byte(`[{"date":"2028-05-01"}]`), ""); err != nil || days[0].Kind != warroom.DayHoliday {
		t.Errorf("bare array: %+v %v", days, err)
	}
}

// TestParseRefuses: every bad file names the field it fails on.
func TestParseRefuses(t *testing.T) {
	tests := []struct {
		name, format, data, field string
	}{
		{"Format", "csv", "x", "format"},
		{"Empty", "json", `{"days":[]}`, "file"},
		{"NotJSON", "json", `{"days":`, "file"},
		{"UnknownField", "json", `{"dayz":[]}`, "file"},
		{"BadDate", "json", `[{"date":"2028-02-30"}]`, "days[0].date"},
		{"BadKind", "json", `[{"date":"2028-02-03","kind":"party"}]`, "days[0].kind"},
		{"Twice", "json", `[{"date":"2028-02-03"},{"date":"2028-02-03"}]`, "days"},
		{"NotICS", "ics", "hello", "file"},
		{"RRule", "ics", "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTAMP:20271101T000000Z\r\nDTSTART;VALUE=DATE:20280101\r\nRRULE:FREQ=YEARLY\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", "file.events[0]"},
		{"Long", "ics", "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTAMP:20271101T000000Z\r\nDTSTART;VALUE=DATE:20280101\r\nDTEND;VALUE=DATE:20290101\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", "file.events[0]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.format, []byte(tt.data), "")
			if warroom.ErrorCode(err) != warroom.EINVALID || warroom.ErrorField(err) != tt.field {
				t.Errorf("err = %v (field %q), want invalid %q", err, warroom.ErrorField(err), tt.field)
			}
		})
	}
}

// FuzzParse: any file gives days that pass validation or an invalid-input
// error, never a panic nor another kind of error.
func FuzzParse(f *testing.F) {
	f.Add("ics", []byte(ics2028))
	f.Add("json", []byte(`{"days":[{"date":"2028-10-01","kind":"holiday"}]}`))
	f.Add("json", []byte(`[{"date":"2028-05-01"}]`))
	f.Add("ics", []byte("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:20280101T090000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"))
	f.Fuzz(func(t *testing.T, format string, data []byte) {
		days, err := Parse(format, data, "")
		if err != nil {
			if warroom.ErrorCode(err) != warroom.EINVALID {
				t.Fatalf("error %v is not invalid input", err)
			}
			return
		}
		c := warroom.Calendar{Name: "f", TimeZone: "UTC", Days: days}
		if err := c.Validate(); err != nil {
			t.Fatalf("parsed days do not validate: %v", err)
		}
	})
}
