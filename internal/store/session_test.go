package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

func TestSessions(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		ctx := context.Background()
		s, secret, err := e.db.CreateSession(ctx, e.admin.ID, "Firefox", "192.0.2.1")
		if err != nil {
			t.Fatal(err)
		}
		t.Run("Find", func(t *testing.T) {
			got, u, err := e.db.FindSession(ctx, secret)
			if err != nil || got.ID != s.ID || got.CSRFToken != s.CSRFToken || u.ID != e.admin.ID || got.CSRFToken == "" {
				t.Fatalf("session = %+v %+v, %v", got, u, err)
			}
		})
		t.Run("Sliding", func(t *testing.T) {
			e.clock.Add(warroom.SessionTTL - time.Minute)
			got, _, err := e.db.FindSession(ctx, secret)
			if err != nil || !got.ExpiresAt.Equal(e.clock.Now().Add(warroom.SessionTTL)) {
				t.Fatalf("session = %+v, %v", got, err)
			}
			e.clock.Add(warroom.SessionTTL - time.Minute)
			if _, _, err := e.db.FindSession(ctx, secret); err != nil {
				t.Fatalf("session used within its TTL expired: %v", err)
			}
			e.clock.Add(warroom.SessionTTL + time.Second)
			_, _, err = e.db.FindSession(ctx, secret)
			wantCode(t, err, warroom.EUNAUTHORIZED)
		})
		t.Run("Delete", func(t *testing.T) {
			_, secret, _ := e.db.CreateSession(ctx, e.admin.ID, "", "")
			if err := e.db.DeleteSession(ctx, secret); err != nil {
				t.Fatal(err)
			}
			if err := e.db.DeleteSession(ctx, secret); err != nil {
				t.Fatal(err)
			}
			_, _, err := e.db.FindSession(ctx, secret)
			wantCode(t, err, warroom.EUNAUTHORIZED)
			_, secret, _ = e.db.CreateSession(ctx, e.admin.ID, "", "")
			if err := e.db.DeleteUserSessions(ctx, e.admin.ID); err != nil {
				t.Fatal(err)
			}
			_, _, err = e.db.FindSession(ctx, secret)
			wantCode(t, err, warroom.EUNAUTHORIZED)
			if n := len(e.audits(t, warroom.AuditSessionDelete)); n != 2 {
				t.Fatalf("session delete audit rows = %d, want 2", n)
			}
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			_, _, err := e.db.CreateSession(ctx, 999, "", "")
			wantCode(t, err, warroom.ENOTFOUND)
		})
		t.Run("ErrUnauthorized", func(t *testing.T) {
			u, _, _ := storetest.User(t, e.db, warroom.UserRoleViewer)
			_, secret, _ := e.db.CreateSession(ctx, u.ID, "", "")
			if _, err := e.db.UpdateUser(e.ctx, u.ID, warroom.UserUpdate{Active: ptr(false)}); err != nil {
				t.Fatal(err)
			}
			_, _, err := e.db.FindSession(ctx, secret)
			wantCode(t, err, warroom.EUNAUTHORIZED)
			_, _, err = e.db.CreateSession(ctx, u.ID, "", "")
			wantCode(t, err, warroom.EUNAUTHORIZED)
		})
	})
}
