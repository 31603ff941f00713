package warroom_test

import (
	"testing"
	"time"

	"github.com/warroomhq/warroom"
)

func TestBusinessHoursWindowAt(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	ny, _ := time.LoadLocation("America/New_York")
	weekdays := warroom.BusinessHours{Days: []int{1, 2, 3, 4, 5}, Start: "09:00", End: "18:00", TimeZone: "Asia/Shanghai"}
	for _, tt := range []struct {
		name  string
		hours warroom.BusinessHours
		at    time.Time
		w     time.Duration
		start time.Time
		ok    bool
	}{
		{"FirstWindow", weekdays, time.Date(2026, 3, 2, 9, 0, 0, 0, sh), 30 * time.Minute, time.Date(2026, 3, 2, 9, 0, 0, 0, sh), true},
		{"Mid", weekdays, time.Date(2026, 3, 2, 9, 47, 0, 0, sh), 30 * time.Minute, time.Date(2026, 3, 2, 9, 30, 0, 0, sh), true},
		{"BeforeOpen", weekdays, time.Date(2026, 3, 2, 8, 59, 59, 0, sh), 30 * time.Minute, time.Time{}, false},
		{"AtClose", weekdays, time.Date(2026, 3, 2, 18, 0, 0, 0, sh), 30 * time.Minute, time.Time{}, false},
		{"LastFullWindow", weekdays, time.Date(2026, 3, 2, 17, 59, 0, 0, sh), 30 * time.Minute, time.Date(2026, 3, 2, 17, 30, 0, 0, sh), true},
		{"PartialWindowAtClose", weekdays, time.Date(2026, 3, 2, 17, 59, 0, 0, sh), 40 * time.Minute, time.Time{}, false},
		{"Sunday", weekdays, time.Date(2026, 3, 1, 10, 0, 0, 0, sh), 30 * time.Minute, time.Time{}, false},
		{"UTCInstantInZone", weekdays, time.Date(2026, 3, 2, 2, 10, 0, 0, time.UTC), 30 * time.Minute, time.Date(2026, 3, 2, 10, 0, 0, 0, sh), true},
		{"AllDay", warroom.BusinessHours{TimeZone: "UTC"}, time.Date(2026, 3, 1, 23, 59, 0, 0, time.UTC), 10 * time.Minute, time.Date(2026, 3, 1, 23, 50, 0, 0, time.UTC), true},
		// 2026-03-08 is the spring-forward day in New York: 09:00 is still
		// 09:00 on the wall clock.
		{"DST", warroom.BusinessHours{Start: "09:00", End: "17:00", TimeZone: "America/New_York"}, time.Date(2026, 3, 8, 9, 5, 0, 0, ny), time.Hour, time.Date(2026, 3, 8, 9, 0, 0, 0, ny), true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			start, ok := tt.hours.WindowAt(tt.at, tt.w)
			if ok != tt.ok || !start.Equal(tt.start) {
				t.Errorf("WindowAt(%v) = %v, %v; want %v, %v", tt.at, start, ok, tt.start, tt.ok)
			}
		})
	}
}

func TestBusinessHoursValidate(t *testing.T) {
	for _, tt := range []struct {
		name  string
		h     warroom.BusinessHours
		field string
	}{
		{"OK", warroom.BusinessHours{Start: "09:00", End: "24:00", TimeZone: "Europe/Berlin"}, ""},
		{"BadDay", warroom.BusinessHours{Days: []int{7}}, "business_hours.days"},
		{"BadStart", warroom.BusinessHours{Start: "9am"}, "business_hours.start"},
		{"EndBeforeStart", warroom.BusinessHours{Start: "10:00", End: "09:00"}, "business_hours.end"},
		{"BadZone", warroom.BusinessHours{TimeZone: "Mars/Olympus"}, "business_hours.time_zone"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := warroom.ErrorField(tt.h.Validate()); got != tt.field {
				t.Errorf("field = %q, want %q", got, tt.field)
			}
		})
	}
}
