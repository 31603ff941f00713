package main

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/cmd/warroom/app"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

// startServerWithKey is startServer with the secret key in a file of the
// test's, so that commands opening the database directly find it too. It
// returns the environment those commands need.
func startServerWithKey(t *testing.T, engine string) (*app.Main, map[string]string) {
	t.Helper()
	env := map[string]string{
		"WARROOM_BOOTSTRAP_TOKEN": testToken, "WARROOM_BOOTSTRAP_PASSWORD": "correct horse battery staple",
		"WARROOM_DATABASE": storetest.DSN(t, engine), "WARROOM_SECRET_KEY_FILE": filepath.Join(t.TempDir(), "warroom.key"),
	}
	m := app.NewMain()
	m.Getenv = func(k string) string { return env[k] }
	m.Logger = slog.New(slog.DiscardHandler)
	m.Stderr = &bytes.Buffer{}
	if err := m.ParseFlags(context.Background(), []string{"--addr", "127.0.0.1:0"}); err != nil {
		t.Fatal(err)
	}
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m, map[string]string{"WARROOM_DATABASE": env["WARROOM_DATABASE"], "WARROOM_SECRET_KEY_FILE": env["WARROOM_SECRET_KEY_FILE"], "WARROOM_SERVER": m.Server.URL()}
}

// TestRecoverAdmin recovers a lost admin password and token from the
// database directly while the server runs, and finds both in the audit log.
func TestRecoverAdmin(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		m, env := startServerWithKey(t, engine)
		ctx := context.Background()

		r := warroomCLIEnv(t, env, "", "user", "reset-password", "admin@localhost")
		if r.code != exitOK || !strings.Contains(r.stdout, "shown only now") {
			t.Fatalf("reset-password: code %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
		}
		lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
		password := lines[len(lines)-1]
		if _, err := m.DB.AuthenticatePassword(ctx, "admin@localhost", password); err != nil {
			t.Errorf("the new password does not sign in: %v", err)
		}
		if _, err := m.DB.AuthenticatePassword(ctx, "admin@localhost", "correct horse battery staple"); err == nil {
			t.Error("the old password still signs in")
		}
		r = warroomCLIEnv(t, env, "mine-is-long-enough\n", "user", "reset-password", "admin@localhost", "--password-stdin")
		if r.code != exitOK || strings.Contains(r.stdout, "mine-is-long-enough") {
			t.Fatalf("reset-password --password-stdin: code %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
		}
		if _, err := m.DB.AuthenticatePassword(ctx, "admin@localhost", "mine-is-long-enough"); err != nil {
			t.Errorf("the password from stdin does not sign in: %v", err)
		}
		if r := warroomCLIEnv(t, env, "short\n", "user", "reset-password", "admin@localhost", "--password-stdin"); r.code != exitFailure || !strings.Contains(r.stderr, "password") {
			t.Errorf("short password: code %d, stderr %q", r.code, r.stderr)
		}
		if r := warroomCLIEnv(t, env, "", "user", "reset-password", "nobody@example.com"); r.code != exitFailure || !strings.Contains(r.stderr, "no active user") {
			t.Errorf("unknown user: code %d, stderr %q", r.code, r.stderr)
		}

		r = warroomCLIEnv(t, env, "", "token", "create", "recovery", "--user", "admin@localhost", "--expires", "24h", "--direct")
		if r.code != exitOK {
			t.Fatalf("token create --direct: code %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
		}
		lines = strings.Split(strings.TrimSpace(r.stdout), "\n")
		env["WARROOM_TOKEN"] = lines[len(lines)-1]
		if r := warroomCLIEnv(t, env, "", "user", "list"); r.code != exitOK || !strings.Contains(r.stdout, "admin@localhost") {
			t.Errorf("the direct token against the running server: code %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
		}
		if r := warroomCLIEnv(t, env, "", "token", "create", "x", "--direct"); r.code != exitUsage {
			t.Errorf("--direct for \"me\": code %d, want %d", r.code, exitUsage)
		}

		for _, action := range []warroom.AuditAction{warroom.AuditUserPassword, warroom.AuditTokenCreate} {
			es, _, err := m.DB.FindAuditEntries(ctx, warroom.AuditFilter{Action: &action})
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, e := range es {
				if e.ActorID == 0 && strings.HasPrefix(e.SourceIP, "local:") {
					found = true
				}
			}
			if !found {
				t.Errorf("no %s audit entry by the system from local:…: %+v", action, es)
			}
		}
		if r := warroomCLIEnv(t, env, "", "audit", "verify"); r.code != exitOK {
			t.Errorf("audit verify after recovery: code %d, stdout %q", r.code, r.stdout)
		}
	})
}
