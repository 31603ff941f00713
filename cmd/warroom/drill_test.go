package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestCLI_Drill(t *testing.T) {
	m := startServer(t, "sqlite")
	contains(t, "scenarios", ok(t, m, "drill", "scenarios"), "database-deleted", "database-deleted-zh", "data-leak")
	contains(t, "export", ok(t, m, "drill", "export", "database-deleted"), "slug: database-deleted", "offset_seconds: 300")
	f := filepath.Join(t.TempDir(), "dns.yaml")
	if err := os.WriteFile(f, []byte("slug: dns-expired\nname: DNS expired\nseverity: P1\nsteps:\n  - kind: alert\n    summary: site unreachable\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	contains(t, "import", ok(t, m, "drill", "import", f), "Saved scenario dns-expired (1 steps)")
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte("slug: x\nname: x\nseverity: P1\nstepz: []\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	fails(t, m, exitFailure, "drill", "import", bad)
	ok(t, m, "service", "create", "orders")
	fails(t, m, exitUsage, "drill", "run", "dns-expired")
	contains(t, "run", ok(t, m, "drill", "run", "dns-expired", "--service", "orders", "--at", time.Now().Add(24*time.Hour).Format(time.RFC3339)), "Drill 1 of dns-expired starts")
	contains(t, "list", ok(t, m, "drill", "list"), "scheduled", "dns-expired")
	fails(t, m, exitFailure, "drill", "pause", "1")
	contains(t, "abort", ok(t, m, "drill", "abort", "1"), "Drill 1 is aborted")
	contains(t, "report", ok(t, m, "drill", "report", "1"), "# Drill report: DNS expired", "never opened its incident")
	contains(t, "insights", ok(t, m, "drill", "insights"), "orders", "never")
	contains(t, "delete", ok(t, m, "drill", "delete", "dns-expired"), "Deleted scenario dns-expired")
}
