package holiday

import (
	"testing"
	"time"

	"github.com/warroomhq/warroom"
)

// BenchmarkFillChina is what every read of a China calendar costs: the
// store fills the region's days for the years around now, and the engine
// reads the calendars of flow monitors on each pass.
func BenchmarkFillChina(b *testing.B) {
	for b.Loop() {
		c := &warroom.Calendar{Name: "cn", Region: "CN", TimeZone: "Asia/Shanghai"}
		Fill(c, 2021, 2036)
	}
}

// BenchmarkAddWorkingDaysChina dates a postmortem ten working days out
// across National Day.
func BenchmarkAddWorkingDaysChina(b *testing.B) {
	c := &warroom.Calendar{Name: "cn", Region: "CN", TimeZone: "Asia/Shanghai"}
	Fill(c, 2021, 2036)
	from := time.Date(2026, 9, 29, 10, 0, 0, 0, time.UTC)
	for b.Loop() {
		c.AddWorkingDays(from, 10)
	}
}
