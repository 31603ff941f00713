package store_test

import (
	"context"
	"testing"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

func TestInvite(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		const pw = "a long enough password"
		t.Run("accept once", func(t *testing.T) {
			e := newEnv(t, engine)
			inv, secret, err := e.db.CreateInvite(e.ctx, "Mei@Example.com", warroom.UserRoleContractor)
			if err != nil {
				t.Fatal(err)
			}
			if inv.Email != "mei@example.com" || inv.InvitedBy != e.admin.ID || !inv.ExpiresAt.Equal(e.clock.Now().Add(warroom.InviteTTL)) {
				t.Errorf("invite = %+v", inv)
			}
			if got, err := e.db.FindInviteBySecret(context.Background(), secret); err != nil || got.ID != inv.ID {
				t.Fatalf("find by secret: %v, %v", got, err)
			}
			_, err = e.db.AcceptInvite(context.Background(), secret, "Mei", "short")
			wantField(t, err, "password")
			_, err = e.db.AcceptInvite(context.Background(), secret, "", pw)
			wantField(t, err, "name")
			u, err := e.db.AcceptInvite(context.Background(), secret, "Mei", pw)
			if err != nil {
				t.Fatal(err)
			}
			if u.Email != "mei@example.com" || u.Role != warroom.UserRoleContractor || !u.Active {
				t.Errorf("user = %+v", u)
			}
			if got, err := e.db.AuthenticatePassword(context.Background(), u.Email, pw); err != nil || got.ID != u.ID {
				t.Errorf("sign in: %v, %v", got, err)
			}
			_, err = e.db.AcceptInvite(context.Background(), secret, "Mei again", pw)
			wantCode(t, err, warroom.ENOTFOUND)
			_, err = e.db.FindInviteBySecret(context.Background(), secret)
			wantCode(t, err, warroom.ENOTFOUND)
			if us, _, err := e.db.FindUsers(e.ctx, warroom.UserFilter{Email: ptr("mei@example.com")}); err != nil || len(us) != 1 {
				t.Errorf("users with the email = %d, %v; want 1", len(us), err)
			}
			acc := e.audits(t, warroom.AuditInviteAccept)
			if len(acc) != 1 || acc[0].ActorID != u.ID || len(e.audits(t, warroom.AuditInviteCreate)) != 1 {
				t.Errorf("audit: accept %+v", acc)
			}
		})
		t.Run("expired", func(t *testing.T) {
			e := newEnv(t, engine)
			_, secret, err := e.db.CreateInvite(e.ctx, "old@example.com", warroom.UserRoleViewer)
			if err != nil {
				t.Fatal(err)
			}
			e.clock.Add(warroom.InviteTTL)
			_, err = e.db.AcceptInvite(context.Background(), secret, "Old", pw)
			wantCode(t, err, warroom.ENOTFOUND)
			if us, _, _ := e.db.FindUsers(e.ctx, warroom.UserFilter{Email: ptr("old@example.com")}); len(us) != 0 {
				t.Errorf("an expired invite created %d users", len(us))
			}
		})
		t.Run("revoked", func(t *testing.T) {
			e := newEnv(t, engine)
			inv, secret, err := e.db.CreateInvite(e.ctx, "gone@example.com", warroom.UserRoleViewer)
			if err != nil {
				t.Fatal(err)
			}
			if err := e.db.RevokeInvite(e.ctx, inv.ID); err != nil {
				t.Fatal(err)
			}
			wantCode(t, e.db.RevokeInvite(e.ctx, inv.ID), warroom.ECONFLICT)
			wantCode(t, e.db.RevokeInvite(e.ctx, inv.ID+100), warroom.ENOTFOUND)
			_, err = e.db.AcceptInvite(context.Background(), secret, "Gone", pw)
			wantCode(t, err, warroom.ENOTFOUND)
			if n := len(e.audits(t, warroom.AuditInviteRevoke)); n != 1 {
				t.Errorf("invite.revoke entries = %d, want 1", n)
			}
			invs, err := e.db.FindInvites(e.ctx)
			if err != nil || len(invs) != 1 || invs[0].State(e.clock.Now()) != warroom.InviteRevoked {
				t.Errorf("invites = %+v, %v", invs, err)
			}
		})
		t.Run("bad input", func(t *testing.T) {
			e := newEnv(t, engine)
			_, _, err := e.db.CreateInvite(e.ctx, "not an address", warroom.UserRoleViewer)
			wantField(t, err, "email")
			_, _, err = e.db.CreateInvite(e.ctx, "x@example.com", "root")
			wantField(t, err, "role")
			_, _, err = e.db.CreateInvite(e.ctx, e.admin.Email, warroom.UserRoleViewer)
			wantCode(t, err, warroom.ECONFLICT)
			_, err = e.db.AcceptInvite(context.Background(), "' OR 1=1 --", "X", pw)
			wantCode(t, err, warroom.ENOTFOUND)
			if invs, _ := e.db.FindInvites(e.ctx); len(invs) != 0 {
				t.Errorf("refused invites wrote %d rows", len(invs))
			}
		})
	})
}

// TestAuditBeforeID pages the audit log by key while entries are being
// appended, as the JSON-lines export does, and expects every entry exactly
// once.
func TestAuditBeforeID(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		for i := range 5 {
			if err := e.db.CreateTeam(e.ctx, &warroom.Team{Name: "team " + string(rune('a'+i))}); err != nil {
				t.Fatal(err)
			}
		}
		all, total, err := e.db.FindAuditEntries(e.ctx, warroom.AuditFilter{Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		var got []int64
		f := warroom.AuditFilter{Limit: 2}
		for page := 0; ; page++ {
			es, _, err := e.db.FindAuditEntries(e.ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			for _, en := range es {
				got = append(got, en.ID)
			}
			if len(es) < f.Limit {
				break
			}
			f.BeforeID = &es[len(es)-1].ID
			// A write between pages must not shift the next page.
			if err := e.db.CreateTeam(e.ctx, &warroom.Team{Name: "during " + string(rune('a'+page))}); err != nil {
				t.Fatal(err)
			}
		}
		if len(got) != total {
			t.Fatalf("paged %d entries, want the %d there were at the start", len(got), total)
		}
		for i, id := range got {
			if id != all[i].ID {
				t.Fatalf("entry %d: ID %d, want %d", i, id, all[i].ID)
			}
		}
	})
}
