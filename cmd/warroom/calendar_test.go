package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/warroomhq/warroom/internal/store"
)

// TestCLI_Calendar creates China's calendar, shows 2026 with its make-up
// workdays, imports 2028, plans holiday freezes and makes a flow monitor
// follow the calendar.
func TestCLI_Calendar(t *testing.T) {
	m := startServer(t, store.EngineSQLite)
	contains(t, "regions", ok(t, m, "calendar", "regions"), "CN", "Mainland China", "2002–2027", "every year (fixed rules)")
	contains(t, "create", ok(t, m, "calendar", "create", "China", "--region", "CN"), `Calendar 1 "China" (CN, Asia/Shanghai)`)
	show := ok(t, m, "calendar", "show", "China", "--year", "2026")
	contains(t, "show", show, "February", " 14+ 15*", "holiday  2026-10-01 to 2026-10-07", "workday  2026-09-20", "春节 补班")

	file := filepath.Join(t.TempDir(), "cn-2028.json")
	if err := os.WriteFile(file, []byte(`{"source":"notice","days":[{"date":"2028-01-01","kind":"holiday","name":"New Year's Day"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	contains(t, "import", ok(t, m, "calendar", "import", "China", file), "Imported 1 days", "covered: 2002–2028")
	contains(t, "list", ok(t, m, "calendar", "list"), "China", "CN", "2002–2028")
	fails(t, m, exitFailure, "calendar", "add-day", "China", "2028-02-30")
	fails(t, m, exitUsage, "calendar", "show", "Atlantis")

	contains(t, "freeze", ok(t, m, "calendar", "freeze", "China", "--year", "2027", "--working-days", "2"), "Spring Festival freeze (China)")
	ok(t, m, "service", "create", "crm", "--tier", "2")
	contains(t, "flow", ok(t, m, "heartbeat", "flow", "crm", "leads", "--min", "1", "--window", "30m", "--days", "1-5", "--hours", "09:00-18:00", "--tz", "Asia/Shanghai", "--calendar", "China"), "Monitor leads created")
	fails(t, m, exitFailure, "calendar", "delete", "China")
}
