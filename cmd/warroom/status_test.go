package main

import (
	"os"
	"path/filepath"
	"testing"
)

func TestCLI_StatusPage(t *testing.T) {
	m := startServer(t, "sqlite")
	contains(t, "component create", ok(t, m, "status", "component", "create", "Payments API", "--group", "Core"), "Component Payments API created")
	contains(t, "component set", ok(t, m, "status", "component", "set", "payments api", "degraded"), "Payments API is now degraded")
	fails(t, m, exitFailure, "status", "component", "set", "Payments API", "on_fire")
	contains(t, "component list", ok(t, m, "status", "component", "list"), "Payments API", "degraded")
	contains(t, "stakeholder create", ok(t, m, "stakeholder", "create", "Legal", "--channel", "email:legal@example.com:zh-CN"), "Stakeholder group Legal created (ID 1)")
	rules := filepath.Join(t.TempDir(), "rules.json")
	if err := os.WriteFile(rules, []byte(`{"rules":[{"type":"security_breach","group_id":1,"triggers":["declare"]}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	contains(t, "rules set", ok(t, m, "stakeholder", "rules", "set", rules), "1 scope rules set")
	contains(t, "rules show", ok(t, m, "stakeholder", "rules", "show"), `"security_breach"`)
	contains(t, "declare", ok(t, m, "incident", "declare", "--title", "Card payments fail"), "INC-1")
	contains(t, "status update", ok(t, m, "status", "update", "INC-1", "--audience", "public", "--stage", "investigating",
		"--what", "Some card payments fail", "--component", "Payments API=major_outage", "--next-in", "30m"), "public update posted on INC-1")
	fails(t, m, exitUsage, "status", "update", "INC-1", "--what", "x", "--component", "no-equals-sign")
	contains(t, "maintenance", ok(t, m, "status", "maintenance", "create", "DB upgrade", "--start", "1h", "--end", "2h", "--component", "Payments API"), "Maintenance 1 scheduled")
	contains(t, "maintenance list", ok(t, m, "status", "maintenance", "list"), "DB upgrade")
	contains(t, "maintenance cancel", ok(t, m, "status", "maintenance", "cancel", "1"), "Maintenance 1 cancelled")
}
