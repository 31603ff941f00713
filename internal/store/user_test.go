package store_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

func TestUsers(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		t.Run("Create", func(t *testing.T) {
			u := &warroom.User{Name: "Ana", Email: "Ana@Example.com", Role: warroom.UserRoleViewer}
			if err := e.db.CreateUser(e.ctx, u); err != nil {
				t.Fatal(err)
			}
			got, err := e.db.FindUserByID(e.ctx, u.ID)
			if err != nil || got.Email != "ana@example.com" || !got.Active || got.Locale != "en" || got.TimeZone != "UTC" {
				t.Fatalf("user = %+v, %v", got, err)
			}
			us, n, err := e.db.FindUsers(e.ctx, warroom.UserFilter{Email: ptr("ANA@example.com")})
			if err != nil || n != 1 || us[0].ID != u.ID {
				t.Fatalf("by email = %+v, %v", us, err)
			}
		})
		t.Run("ErrConflict", func(t *testing.T) {
			err := e.db.CreateUser(e.ctx, &warroom.User{Name: "Ana 2", Email: "ANA@example.com", Role: warroom.UserRoleViewer})
			wantCode(t, err, warroom.ECONFLICT)
			wantField(t, err, "email")
			// The admin is the only one: demoting or deactivating it is refused.
			_, err = e.db.UpdateUser(e.ctx, e.admin.ID, warroom.UserUpdate{Role: ptr(warroom.UserRoleViewer)})
			wantCode(t, err, warroom.ECONFLICT)
			_, err = e.db.UpdateUser(e.ctx, e.admin.ID, warroom.UserUpdate{Active: ptr(false)})
			wantCode(t, err, warroom.ECONFLICT)
			if n := len(e.audits(t, warroom.AuditUserUpdate)); n != 0 {
				t.Fatalf("update audit rows = %d, want 0", n)
			}
		})
		t.Run("Update", func(t *testing.T) {
			other, _, _ := storetest.User(t, e.db, warroom.UserRoleOwner)
			got, err := e.db.UpdateUser(e.ctx, e.admin.ID, warroom.UserUpdate{Role: ptr(warroom.UserRoleResponder), Locale: ptr("zh-CN")})
			if err != nil || got.Role != warroom.UserRoleResponder || got.Locale != "zh-CN" {
				t.Fatalf("updated = %+v, %v", got, err)
			}
			_, err = e.db.UpdateUser(e.ctx, other.ID, warroom.UserUpdate{Active: ptr(false)})
			wantCode(t, err, warroom.ECONFLICT)
		})
		t.Run("ErrInvalid", func(t *testing.T) {
			wantField(t, e.db.CreateUser(e.ctx, &warroom.User{Name: "x", Email: "not an email", Role: warroom.UserRoleViewer}), "email")
			_, err := e.db.UpdateUser(e.ctx, e.admin.ID, warroom.UserUpdate{TimeZone: ptr("Mars/Olympus")})
			wantField(t, err, "time_zone")
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			_, err := e.db.FindUserByID(e.ctx, 999)
			wantCode(t, err, warroom.ENOTFOUND)
			_, err = e.db.UpdateUser(e.ctx, 999, warroom.UserUpdate{Name: ptr("x")})
			wantCode(t, err, warroom.ENOTFOUND)
		})
	})
}

func TestTokens(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		u, _, _ := storetest.User(t, e.db, warroom.UserRoleResponder)
		expires := e.clock.Now().Add(time.Hour)
		tok, secret, err := e.db.CreateToken(e.ctx, u.ID, "ci", &expires)
		if err != nil {
			t.Fatal(err)
		}
		t.Run("OK", func(t *testing.T) {
			if !strings.HasPrefix(secret, warroom.TokenPrefix) || !strings.HasPrefix(secret, tok.Prefix) || len(secret) < 40 {
				t.Fatalf("secret %q prefix %q", secret, tok.Prefix)
			}
			got, err := e.db.Authenticate(context.Background(), secret)
			if err != nil || got.ID != u.ID {
				t.Fatalf("authenticate = %+v, %v", got, err)
			}
			ts, err := e.db.FindTokens(e.ctx, u.ID)
			if err != nil || len(ts) != 2 || ts[0].LastUsedAt == nil || !ts[0].LastUsedAt.Equal(e.clock.Now()) {
				t.Fatalf("tokens = %+v, %v", ts, err)
			}
			for _, a := range e.audits(t, warroom.AuditTokenCreate) {
				if strings.Contains(string(a.Data), secret) {
					t.Fatalf("audit row holds the secret: %s", a.Data)
				}
			}
		})
		t.Run("ErrUnauthorized", func(t *testing.T) {
			for _, s := range []string{"", "wr_nope", secret + "x", strings.ToUpper(secret)} {
				_, err := e.db.Authenticate(context.Background(), s)
				wantCode(t, err, warroom.EUNAUTHORIZED)
			}
			e.clock.Add(2 * time.Hour)
			_, err := e.db.Authenticate(context.Background(), secret)
			wantCode(t, err, warroom.EUNAUTHORIZED)
		})
		t.Run("Revoke", func(t *testing.T) {
			tok2, secret2, _ := e.db.CreateToken(e.ctx, u.ID, "laptop", nil)
			if err := e.db.RevokeToken(e.ctx, u.ID, tok2.ID); err != nil {
				t.Fatal(err)
			}
			_, err := e.db.Authenticate(context.Background(), secret2)
			wantCode(t, err, warroom.EUNAUTHORIZED)
			wantCode(t, e.db.RevokeToken(e.ctx, u.ID, tok2.ID), warroom.ECONFLICT)
			wantCode(t, e.db.RevokeToken(e.ctx, e.admin.ID, tok2.ID), warroom.ENOTFOUND)
		})
		t.Run("InactiveUser", func(t *testing.T) {
			_, s, _ := e.db.CreateToken(e.ctx, u.ID, "x", nil)
			if _, err := e.db.UpdateUser(e.ctx, u.ID, warroom.UserUpdate{Active: ptr(false)}); err != nil {
				t.Fatal(err)
			}
			_, err := e.db.Authenticate(context.Background(), s)
			wantCode(t, err, warroom.EUNAUTHORIZED)
		})
		t.Run("ErrInvalid", func(t *testing.T) {
			_, _, err := e.db.CreateToken(e.ctx, u.ID, "", nil)
			wantField(t, err, "name")
			past := e.clock.Now().Add(-time.Minute)
			_, _, err = e.db.CreateToken(e.ctx, u.ID, "x", &past)
			wantField(t, err, "expires_at")
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			_, _, err := e.db.CreateToken(e.ctx, 999, "x", nil)
			wantCode(t, err, warroom.ENOTFOUND)
		})
	})
}

func TestPasswords(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		const pw = "correct horse battery"
		if err := e.db.SetPassword(e.ctx, e.admin.ID, pw); err != nil {
			t.Fatal(err)
		}
		t.Run("OK", func(t *testing.T) {
			got, err := e.db.AuthenticatePassword(context.Background(), strings.ToUpper(e.admin.Email), pw)
			if err != nil || got.ID != e.admin.ID {
				t.Fatalf("authenticate = %+v, %v", got, err)
			}
			a := e.audits(t, warroom.AuditUserPassword)
			if len(a) != 1 || strings.Contains(string(a[0].Data), pw) || strings.Contains(string(a[0].Data), "argon2") {
				t.Fatalf("password audit = %+v", a)
			}
		})
		t.Run("ErrUnauthorized", func(t *testing.T) {
			for _, c := range [][2]string{{e.admin.Email, pw + "!"}, {"nobody@example.com", pw}, {e.admin.Email, ""}} {
				_, err := e.db.AuthenticatePassword(context.Background(), c[0], c[1])
				wantCode(t, err, warroom.EUNAUTHORIZED)
			}
		})
		t.Run("ErrInvalid", func(t *testing.T) {
			wantField(t, e.db.SetPassword(e.ctx, e.admin.ID, "short"), "password")
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			wantCode(t, e.db.SetPassword(e.ctx, 999, pw), warroom.ENOTFOUND)
		})
	})
}

func TestBootstrap(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		db := storetest.Open(t, engine, nil)
		t.Run("ErrInvalid", func(t *testing.T) {
			_, _, err := db.Bootstrap(context.Background(), "Root", "root@example.com", "guessable")
			wantField(t, err, "token")
		})
		t.Run("Race", func(t *testing.T) {
			var wg sync.WaitGroup
			created := make(chan string, 8)
			for i := 0; i < 8; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					u, secret, err := db.Bootstrap(context.Background(), "Root", "root@example.com", "")
					if err != nil {
						t.Error(err)
					} else if u != nil {
						created <- secret
					}
				}()
			}
			wg.Wait()
			close(created)
			var secrets []string
			for s := range created {
				secrets = append(secrets, s)
			}
			if len(secrets) != 1 {
				t.Fatalf("bootstraps that created an admin = %d, want 1", len(secrets))
			}
			u, err := db.Authenticate(context.Background(), secrets[0])
			if err != nil || u.Role != warroom.UserRoleAdmin {
				t.Fatalf("bootstrap admin = %+v, %v", u, err)
			}
		})
		t.Run("GivenToken", func(t *testing.T) {
			db := storetest.Open(t, engine, nil)
			const tok = "wr_given-bootstrap-token"
			_, secret, err := db.Bootstrap(context.Background(), "Root", "root@example.com", tok)
			if err != nil || secret != tok {
				t.Fatalf("secret = %q, %v", secret, err)
			}
			if _, err := db.Authenticate(context.Background(), tok); err != nil {
				t.Fatal(err)
			}
		})
	})
}
