package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

// TestCLI_Identity drives teams, grants, invitations, deactivation, scoped
// service tokens and the two-person rule through the command line against
// a real server.
func TestCLI_Identity(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		m := startServer(t, engine)

		out := ok(t, m, "user", "create", "--name", "Vendor", "--email", "vendor@example.com", "--role", "contractor")
		contains(t, "user create", out, "Vendor <vendor@example.com>", "contractor")
		ok(t, m, "service", "create", "checkout", "--tier", "1", "--team", "Payments")

		out = ok(t, m, "team", "create", "Payments", "--description", "Checkout and billing")
		contains(t, "team create", out, "Team Payments created")
		out = ok(t, m, "team", "add-member", "payments", "vendor@example.com")
		contains(t, "team add-member", out, "vendor@example.com (user ", ") added to team payments")
		out = ok(t, m, "team", "show", "Payments")
		contains(t, "team show", out, "Checkout and billing", "vendor@example.com", "contractor")
		out = ok(t, m, "team", "list")
		contains(t, "team list", out, "Payments", "1")
		fails(t, m, exitFailure, "team", "add-member", "payments", "vendor@example.com")
		fails(t, m, exitFailure, "team", "show", "nobody")

		out = ok(t, m, "grant", "list", "vendor@example.com")
		contains(t, "grant list (team)", out, "checkout")
		ok(t, m, "team", "remove-member", "payments", "vendor@example.com")
		out = ok(t, m, "grant", "list", "vendor@example.com")
		if strings.Contains(out, "checkout") {
			t.Errorf("grant list after leaving the team still shows checkout:\n%s", out)
		}
		ok(t, m, "grant", "add", "vendor@example.com", "checkout")
		out = ok(t, m, "grant", "list", "vendor@example.com")
		contains(t, "grant list (granted)", out, "checkout")
		fails(t, m, exitFailure, "grant", "add", "vendor@example.com", "checkout")
		ok(t, m, "grant", "remove", "vendor@example.com", "checkout")
		fails(t, m, exitFailure, "grant", "remove", "vendor@example.com", "checkout")

		out = ok(t, m, "user", "invite", "new@example.com", "--role", "viewer")
		contains(t, "user invite", out, "new@example.com (viewer)", m.Server.URL()+"/invite/")
		out = ok(t, m, "user", "invites")
		contains(t, "user invites", out, "new@example.com", "pending")
		if strings.Contains(out, "/invite/") {
			t.Errorf("the invite list shows the link:\n%s", out)
		}
		ok(t, m, "user", "invites", "--revoke", "1")
		contains(t, "user invites after revoke", ok(t, m, "user", "invites"), "revoked")
		fails(t, m, exitFailure, "user", "invite", "vendor@example.com")

		out = ok(t, m, "user", "deactivate", "vendor@example.com")
		contains(t, "user deactivate", out, "deactivated")
		out = ok(t, m, "user", "reactivate", "vendor@example.com")
		contains(t, "user reactivate", out, "is active")

		out = ok(t, m, "--json", "token", "create", "alertmanager", "--kind", "service", "--scope", "ingest", "--expires", "720h")
		var created struct {
			Token  warroom.Token
			Secret string
		}
		if err := json.Unmarshal([]byte(out), &created); err != nil {
			t.Fatalf("token create --json: %v\n%s", err, out)
		}
		if created.Token.Kind != warroom.TokenService || len(created.Token.Scopes) != 1 || created.Token.Scopes[0] != warroom.ScopeIngest || created.Token.ExpiresAt == nil {
			t.Errorf("service token = %+v", created.Token)
		}
		// An ingest-only token cannot read.
		r := warroomCLIEnv(t, map[string]string{"WARROOM_SERVER": m.Server.URL(), "WARROOM_TOKEN": created.Secret}, "", "incident", "list")
		if r.code != exitFailure || !strings.Contains(r.stderr, "scope") {
			t.Errorf("incident list with an ingest token: exit %d, stderr %q", r.code, r.stderr)
		}
		fails(t, m, exitFailure, "token", "create", "forever", "--kind", "service")
		fails(t, m, exitFailure, "token", "create", "x", "--scope", "root")
		contains(t, "token list", ok(t, m, "token", "list"), "alertmanager", "service", "ingest")

		// Two-person rule: the first admin asks, a second one decides.
		second := ok(t, m, "--json", "user", "create", "--name", "Second", "--email", "second@example.com", "--role", "admin")
		var sec warroom.User
		if err := json.Unmarshal([]byte(second), &sec); err != nil {
			t.Fatal(err)
		}
		out = ok(t, m, "--json", "token", "create", "second", "--user", "second@example.com")
		if err := json.Unmarshal([]byte(out), &created); err != nil {
			t.Fatal(err)
		}
		secondEnv := map[string]string{"WARROOM_SERVER": m.Server.URL(), "WARROOM_TOKEN": created.Secret}
		ctx := context.Background()
		first, _, err := m.DB.FindUsers(ctx, warroom.UserFilter{Email: ptr("admin@localhost")})
		if err != nil || len(first) != 1 {
			t.Fatalf("the bootstrap admin: %v, %v", first, err)
		}
		actx := warroom.NewContextWithUser(ctx, first[0])
		if err := m.DB.SetApprovalSettings(actx, &warroom.ApprovalSettings{Required: []warroom.ApprovalOp{warroom.OpUserRemoveAdmin}}); err != nil {
			t.Fatal(err)
		}
		fails(t, m, exitFailure, "user", "deactivate", "second@example.com")
		params, _ := json.Marshal(warroom.RemoveAdminParams{UserID: sec.ID, Active: ptr(false)})
		a, err := m.DB.RequestApproval(actx, warroom.OpUserRemoveAdmin, params, "left")
		if err != nil {
			t.Fatal(err)
		}
		req := a.ID
		out = ok(t, m, "approval", "list")
		contains(t, "approval list", out, "user.remove_admin", "pending")
		fails(t, m, exitFailure, "approval", "approve", fmt.Sprint(req))
		fails(t, m, exitUsage, "approval", "approve", "x")
		fails(t, m, exitUsage, "approval", "list", "--state", "weird")
		r = warroomCLIEnv(t, secondEnv, "", "approval", "reject", fmt.Sprint(req))
		if r.code != exitOK || !strings.Contains(r.stdout, "rejected") {
			t.Errorf("approval reject by the second admin: exit %d, %q %q", r.code, r.stdout, r.stderr)
		}
		contains(t, "approval list --state all", ok(t, m, "approval", "list", "--state", "all"), "rejected")
	})
}

func ptr[T any](v T) *T { return &v }
