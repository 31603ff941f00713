package store_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

func TestLoginLockout(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		u := &warroom.User{Name: "Li", Email: "li@example.com", Role: warroom.UserRoleResponder}
		if err := e.db.CreateUser(e.ctx, u); err != nil {
			t.Fatal(err)
		}
		const pw = "a long enough password"
		if err := e.db.SetPassword(e.ctx, u.ID, pw); err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		for i := range warroom.MaxLoginFailures {
			if _, err := e.db.AuthenticatePassword(ctx, u.Email, "wrong password "+string(rune('a'+i))); warroom.ErrorCode(err) != warroom.EUNAUTHORIZED {
				t.Fatalf("attempt %d: %v", i, err)
			}
		}
		_, err := e.db.AuthenticatePassword(ctx, u.Email, pw)
		wantCode(t, err, warroom.EUNAUTHORIZED) // locked: even the right password is refused
		if n := len(e.audits(t, warroom.AuditUserLocked)); n != 1 {
			t.Errorf("user.locked entries = %d, want 1", n)
		}
		if n := len(e.audits(t, warroom.AuditUserLoginFailed)); n != warroom.MaxLoginFailures {
			t.Errorf("user.login_failed entries = %d, want %d", n, warroom.MaxLoginFailures)
		}
		e.clock.Add(warroom.LoginLockout)
		if got, err := e.db.AuthenticatePassword(ctx, u.Email, pw); err != nil || got.ID != u.ID {
			t.Fatalf("after the lockout: %v, %v", got, err)
		}
	})
}

func TestPasswordChangeEndsSessions(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		_, secret, err := e.db.CreateSession(e.ctx, e.admin.ID, "test", "192.0.2.1")
		if err != nil {
			t.Fatal(err)
		}
		if err := e.db.SetPassword(e.ctx, e.admin.ID, "another long password"); err != nil {
			t.Fatal(err)
		}
		_, _, err = e.db.FindSession(context.Background(), secret)
		wantCode(t, err, warroom.EUNAUTHORIZED)
	})
}

func TestTokenKindsAndScopes(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		exp := e.clock.Now().Add(time.Hour)
		tok, secret, err := e.db.IssueToken(e.ctx, e.admin.ID, warroom.TokenInput{Name: "ci", Kind: warroom.TokenService, Scopes: []warroom.TokenScope{warroom.ScopeIngest}, ExpiresAt: &exp})
		if err != nil {
			t.Fatal(err)
		}
		u, got, err := e.db.AuthenticateToken(context.Background(), secret)
		if err != nil || u.ID != e.admin.ID || got.ID != tok.ID || got.Kind != warroom.TokenService || len(got.Scopes) != 1 || !got.Allows(warroom.PermIngest) || got.Allows(warroom.PermRead) {
			t.Fatalf("authenticate = %+v, %+v, %v", u, got, err)
		}
		e.clock.Add(time.Hour)
		_, _, err = e.db.AuthenticateToken(context.Background(), secret)
		wantCode(t, err, warroom.EUNAUTHORIZED)

		_, _, err = e.db.IssueToken(e.ctx, e.admin.ID, warroom.TokenInput{Name: "svc", Kind: warroom.TokenService})
		wantField(t, err, "expires_at")
		_, _, err = e.db.IssueToken(e.ctx, e.admin.ID, warroom.TokenInput{Name: "x", Scopes: []warroom.TokenScope{"root"}})
		wantField(t, err, "scopes")
	})
}

func TestTeamsAndGrants(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		pay := &warroom.Service{Name: "pay", Team: "Payments", Tier: 1}
		web := &warroom.Service{Name: "web", Team: "Web", Tier: 2}
		direct := &warroom.Service{Name: "direct", Tier: 3}
		for _, s := range []*warroom.Service{pay, web, direct} {
			if err := e.db.CreateService(e.ctx, s); err != nil {
				t.Fatal(err)
			}
		}
		team := &warroom.Team{Name: "payments"}
		if err := e.db.CreateTeam(e.ctx, team); err != nil {
			t.Fatal(err)
		}
		wantCode(t, e.db.CreateTeam(e.ctx, &warroom.Team{Name: "Payments"}), warroom.ECONFLICT)
		c := &warroom.User{Name: "Vendor", Email: "v@example.com", Role: warroom.UserRoleContractor}
		if err := e.db.CreateUser(e.ctx, c); err != nil {
			t.Fatal(err)
		}
		if err := e.db.AddTeamMember(e.ctx, team.ID, c.ID); err != nil {
			t.Fatal(err)
		}
		wantCode(t, e.db.AddTeamMember(e.ctx, team.ID, c.ID), warroom.ECONFLICT)
		if err := e.db.GrantService(e.ctx, c.ID, direct.ID); err != nil {
			t.Fatal(err)
		}
		wantCode(t, e.db.GrantService(e.ctx, c.ID, 999999), warroom.ENOTFOUND)
		ids, err := e.db.FindUserServiceIDs(e.ctx, c.ID)
		if err != nil || len(ids) != 2 || ids[0] != pay.ID || ids[1] != direct.ID {
			t.Fatalf("services = %v, %v; want [%d %d]", ids, err, pay.ID, direct.ID)
		}
		got, err := e.db.FindTeamByID(e.ctx, team.ID)
		if err != nil || len(got.MemberIDs) != 1 || got.MemberIDs[0] != c.ID {
			t.Fatalf("team = %+v, %v", got, err)
		}
		if err := e.db.RemoveTeamMember(e.ctx, team.ID, c.ID); err != nil {
			t.Fatal(err)
		}
		if err := e.db.RevokeService(e.ctx, c.ID, direct.ID); err != nil {
			t.Fatal(err)
		}
		wantCode(t, e.db.RevokeService(e.ctx, c.ID, direct.ID), warroom.ENOTFOUND)
		if ids, _ := e.db.FindUserServiceIDs(e.ctx, c.ID); len(ids) != 0 {
			t.Errorf("services after revoking = %v", ids)
		}
	})
}

func TestApprovalExpiry(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		_, sctx, _ := storetest.User(t, e.db, warroom.UserRoleAdmin)
		if err := e.db.SetApprovalSettings(e.ctx, &warroom.ApprovalSettings{Required: []warroom.ApprovalOp{warroom.OpTokensRevokeAll}, TTLHours: 2}); err != nil {
			t.Fatal(err)
		}
		_, err := e.db.RevokeAllTokens(e.ctx, 0)
		wantCode(t, err, warroom.ECONFLICT)
		a, err := e.db.RequestApproval(e.ctx, warroom.OpTokensRevokeAll, json.RawMessage(`{"user_id":0}`), "key leaked")
		if err != nil {
			t.Fatal(err)
		}
		e.clock.Add(2 * time.Hour)
		_, err = e.db.Approve(sctx, a.ID)
		wantCode(t, err, warroom.ECONFLICT)
		got, err := e.db.FindApprovalByID(e.ctx, a.ID)
		if err != nil || got.State != warroom.ApprovalExpired {
			t.Fatalf("approval = %+v, %v; want expired", got, err)
		}
		// A fresh request approved in time runs.
		a, err = e.db.RequestApproval(e.ctx, warroom.OpTokensRevokeAll, json.RawMessage(`{"user_id":0}`), "key leaked")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.db.Approve(e.ctx, a.ID); warroom.ErrorCode(err) != warroom.EFORBIDDEN {
			t.Fatalf("self-approval: %v", err)
		}
		if a, err = e.db.Approve(sctx, a.ID); err != nil || a.State != warroom.ApprovalExecuted {
			t.Fatalf("approve = %+v, %v", a, err)
		}
		if n := len(e.audits(t, warroom.AuditTokenRevokeAll)); n != 1 {
			t.Errorf("token.revoke_all entries = %d, want 1", n)
		}
		_, err = e.db.Approve(sctx, a.ID)
		wantCode(t, err, warroom.ECONFLICT)
		// Tightening needs nothing; loosening is guarded once required.
		if err := e.db.SetApprovalSettings(e.ctx, &warroom.ApprovalSettings{Required: []warroom.ApprovalOp{warroom.OpTokensRevokeAll, warroom.OpApprovalSettings}, TTLHours: 2}); err != nil {
			t.Fatal(err)
		}
		wantCode(t, e.db.SetApprovalSettings(e.ctx, &warroom.ApprovalSettings{TTLHours: 2}), warroom.ECONFLICT)
	})
}

func TestLoginExternal(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		pre := &warroom.User{Name: "Ana", Email: "ana@example.com", Role: warroom.UserRoleViewer}
		if err := e.db.CreateUser(e.ctx, pre); err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		id := warroom.ExternalIdentity{Issuer: "https://idp", Subject: "s-1", Email: "ANA@example.com", Role: warroom.UserRoleResponder}
		u, err := e.db.LoginExternal(ctx, id)
		if err != nil || u.ID != pre.ID || u.Role != warroom.UserRoleResponder {
			t.Fatalf("link = %+v, %v; want the existing user, now responder", u, err)
		}
		id.Email = "changed@example.com"
		if u, err = e.db.LoginExternal(ctx, id); err != nil || u.ID != pre.ID {
			t.Fatalf("by subject = %+v, %v", u, err)
		}
		if _, err := e.db.UpdateUser(e.ctx, pre.ID, warroom.UserUpdate{Active: ptr(false)}); err != nil {
			t.Fatal(err)
		}
		_, err = e.db.LoginExternal(ctx, id)
		wantCode(t, err, warroom.EUNAUTHORIZED)
		_, err = e.db.LoginExternal(ctx, warroom.ExternalIdentity{Issuer: "https://idp", Subject: "s-2", Email: "not an email", Role: warroom.UserRoleViewer})
		wantField(t, err, "email")
	})
}
