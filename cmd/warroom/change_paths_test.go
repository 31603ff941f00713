package main

import (
	"strings"
	"testing"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

// TestCLI_ChangeCreateStartRecordMode is issue 22's silent CLI defect: in
// record mode `change create --start` started a change against the policy
// and printed no violation. They are printed, and with -q they go to
// stderr so that stdout stays the bare number.
func TestCLI_ChangeCreateStartRecordMode(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		m := startServer(t, engine)
		ok(t, m, "service", "create", "checkout", "--team", "pay", "--tier", "1")
		_, actx, _ := storetest.User(t, m.DB, warroom.UserRoleAdmin)
		p := warroom.DefaultChangePolicy()
		p.Mode = warroom.PolicyRecord
		if err := m.DB.UpdateChangePolicy(actx, &p); err != nil {
			t.Fatal(err)
		}

		out := ok(t, m, "change", "create", "--kind", "deploy", "--service", "checkout", "--title", "Hotfix", "--start")
		contains(t, "create --start", out, "CHG-1", "in_progress", "violation", "test report", "rollback plan", "needs 1 approval")

		r := warroomCLI(t, m, "change", "create", "-q", "--kind", "deploy", "--service", "checkout", "--title", "Hotfix 2", "--start")
		if r.code != exitOK || strings.TrimSpace(r.stdout) != "CHG-2" {
			t.Fatalf("create -q --start: exit %d stdout %q stderr %s", r.code, r.stdout, r.stderr)
		}
		contains(t, "create -q --start stderr", r.stderr, "violation", "test report")
	})
}
