package main

import (
	"context"
	"strings"
	"testing"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/client"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

// TestCLI_ChangePipeline uses the change commands as a deploy pipeline
// would: the start step exits 1 naming the missing rollback plan and the
// missing approval, the author cannot approve, and once a second person
// approves and the plan is added the same step passes.
func TestCLI_ChangePipeline(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		m := startServer(t, engine)
		ok(t, m, "service", "create", "checkout", "--team", "pay", "--tier", "1")

		chg := strings.TrimSpace(ok(t, m, "change", "create", "-q", "--kind", "deploy", "--service", "checkout",
			"--title", "Release 7.1", "--link", "https://ci.example.com/pipelines/42", "--test-report", "https://ci.example.com/jobs/7"))
		if chg != "CHG-1" {
			t.Fatalf("create -q printed %q, want CHG-1", chg)
		}
		stderr := fails(t, m, exitFailure, "change", "start", chg)
		contains(t, "refusal", stderr, "CHG-1 cannot start", "rollback plan", "--rollback-plan", "needs 1 approval")
		if strings.Contains(stderr, "test report") {
			t.Errorf("refusal names evidence that is present: %s", stderr)
		}

		ok(t, m, "change", "submit", chg)
		stderr = fails(t, m, exitFailure, "change", "approve", chg, "--comment", "self-review")
		contains(t, "self-approval refusal", stderr, "author")

		// A second person approves with their own token.
		ctx := context.Background()
		admin := client.New(m.Server.URL(), testToken)
		reviewer := &warroom.User{Name: "Reviewer", Email: "reviewer@example.com", Role: warroom.UserRoleResponder}
		if err := admin.CreateUser(ctx, reviewer, ""); err != nil {
			t.Fatal(err)
		}
		_, secret, err := admin.CreateToken(ctx, reviewer.ID, "ci", nil)
		if err != nil {
			t.Fatal(err)
		}
		r := warroomCLIEnv(t, map[string]string{"WARROOM_SERVER": m.Server.URL(), "WARROOM_TOKEN": secret}, "", "change", "approve", chg, "--comment", "reviewed")
		if r.code != exitOK {
			t.Fatalf("reviewer approve: exit %d: %s", r.code, r.stderr)
		}

		stderr = fails(t, m, exitFailure, "change", "start", chg)
		contains(t, "refusal after approval", stderr, "rollback plan")
		if strings.Contains(stderr, "approval") {
			t.Errorf("refusal still asks for an approval: %s", stderr)
		}
		ok(t, m, "change", "evidence", chg, "--rollback-plan", "helm rollback checkout")
		contains(t, "start", ok(t, m, "change", "start", chg), "CHG-1 is in_progress")
		contains(t, "complete", ok(t, m, "change", "complete", chg, "--note", "deployed"), "CHG-1 is completed")

		contains(t, "list", ok(t, m, "change", "list", "--service", "checkout"), "CHG-1", "completed", "high", "Release 7.1")
		contains(t, "show", ok(t, m, "change", "show", chg), "Release 7.1", "rollback plan yes", "Approved by Reviewer", "Timeline:", "approval")

		fails(t, m, exitUsage, "change", "start", "nonsense")
		fails(t, m, exitUsage, "change", "create", "--kind", "deploy", "--title", "no service")
	})
}
