package app_test

import (
	"bytes"
	"context"
	"log/slog"
	"regexp"
	"strings"
	"testing"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/client"
	"github.com/warroomhq/warroom/cmd/warroom/app"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

// runMain starts a Main on dsn with env as its environment and returns it
// with what it printed.
func runMain(t *testing.T, dsn string, env map[string]string) (*app.Main, *bytes.Buffer) {
	t.Helper()
	var stderr bytes.Buffer
	m := app.NewMain()
	m.Getenv = func(k string) string { return env[k] }
	m.Stderr = &stderr
	m.Logger = slog.New(slog.DiscardHandler)
	if err := m.ParseFlags(context.Background(), []string{"--addr", "127.0.0.1:0", "--database", dsn}); err != nil {
		t.Fatal(err)
	}
	if err := m.Run(context.Background()); err != nil {
		t.Fatalf("run: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	return m, &stderr
}

var printedToken = regexp.MustCompile(`API token: (wr_\S+)`)
var printedPassword = regexp.MustCompile(`password:\s+(\S+)`)

func TestMain_Bootstrap(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		t.Run("Generated", func(t *testing.T) {
			ctx := context.Background()
			dsn := storetest.DSN(t, engine)
			m, stderr := runMain(t, dsn, nil)
			tok := printedToken.FindStringSubmatch(stderr.String())
			pw := printedPassword.FindStringSubmatch(stderr.String())
			if tok == nil || pw == nil {
				t.Fatalf("credentials not printed:\n%s", stderr)
			}
			me, err := client.New(m.Server.URL(), tok[1]).Me(ctx)
			if err != nil {
				t.Fatalf("printed token does not authenticate: %v", err)
			}
			if me.Email != "admin@localhost" || me.Role != warroom.UserRoleAdmin {
				t.Errorf("me = %s %s, want admin@localhost admin", me.Email, me.Role)
			}
			if _, err := m.DB.AuthenticatePassword(ctx, "admin@localhost", pw[1]); err != nil {
				t.Errorf("printed password does not authenticate: %v", err)
			}

			// A restart on the same database creates nobody and prints nothing.
			if err := m.Close(); err != nil {
				t.Fatal(err)
			}
			m2, stderr2 := runMain(t, dsn, nil)
			if stderr2.Len() != 0 {
				t.Errorf("restart printed %q", stderr2)
			}
			if _, err := client.New(m2.Server.URL(), tok[1]).Me(ctx); err != nil {
				t.Errorf("token lost across restart: %v", err)
			}

			// The default checklists exist once, and the first incident
			// already gets its tasks from them.
			c := client.New(m2.Server.URL(), tok[1])
			tmpls, err := c.FindSOPTemplates(ctx)
			if err != nil {
				t.Fatal(err)
			} else if got, want := len(tmpls), len(warroom.DefaultSOPTemplates()); got != want {
				t.Errorf("%d SOP templates after a restart, want %d", got, want)
			}
			inc := &warroom.Incident{Title: "Orders table truncated", Type: warroom.TypeDataLoss, Severity: warroom.P1, Impact: warroom.Impact{UsersAffected: 20000}}
			if err := c.DeclareIncident(ctx, inc); err != nil {
				t.Fatal(err)
			}
			if got, want := len(inc.Tasks), len(warroom.DefaultSOPTemplates()[0].Tasks)+len(warroom.DefaultSOPTemplates()[1].Tasks); got != want {
				t.Errorf("P1 data loss got %d tasks, want %d (major incident + data loss)", got, want)
			}
		})

		t.Run("FromEnv", func(t *testing.T) {
			const token, password = "wr_bootstrap_from_env_0123456789", "correct horse battery staple"
			m, stderr := runMain(t, storetest.DSN(t, engine), map[string]string{
				"WARROOM_BOOTSTRAP_TOKEN": token, "WARROOM_BOOTSTRAP_PASSWORD": password,
			})
			if strings.Contains(stderr.String(), token) || strings.Contains(stderr.String(), password) {
				t.Errorf("credentials from the environment were printed:\n%s", stderr)
			}
			if _, err := client.New(m.Server.URL(), token).Me(context.Background()); err != nil {
				t.Errorf("WARROOM_BOOTSTRAP_TOKEN does not authenticate: %v", err)
			}
			if _, err := m.DB.AuthenticatePassword(context.Background(), "admin@localhost", password); err != nil {
				t.Errorf("WARROOM_BOOTSTRAP_PASSWORD does not authenticate: %v", err)
			}
		})

		t.Run("WeakToken", func(t *testing.T) {
			m := app.NewMain()
			m.Getenv = func(k string) string { return map[string]string{"WARROOM_BOOTSTRAP_TOKEN": "short"}[k] }
			m.Stderr, m.Logger = &bytes.Buffer{}, slog.New(slog.DiscardHandler)
			if err := m.ParseFlags(context.Background(), []string{"--addr", "127.0.0.1:0", "--database", storetest.DSN(t, engine)}); err != nil {
				t.Fatal(err)
			}
			err := m.Run(context.Background())
			if err == nil || !strings.Contains(err.Error(), "WARROOM_BOOTSTRAP_TOKEN") {
				t.Errorf("err = %v, want one naming WARROOM_BOOTSTRAP_TOKEN", err)
			}
			if m.Server != nil && m.Server.URL() != "" {
				t.Error("server left listening after a failed start")
			}
		})
	})
}

func TestMain_Routes(t *testing.T) {
	m, _ := runMain(t, storetest.DSN(t, "sqlite"), map[string]string{"WARROOM_BOOTSTRAP_TOKEN": "wr_routes_test_token_0123456789"})
	c := client.New(m.Server.URL(), "")
	if err := c.Health(context.Background()); err != nil {
		t.Errorf("healthz: %v", err)
	}
	if err := c.Ready(context.Background()); err != nil {
		t.Errorf("readyz: %v", err)
	}
	// The API refuses a request without a token: nothing is open by default.
	if _, err := c.Me(context.Background()); warroom.ErrorCode(err) != warroom.EUNAUTHORIZED {
		t.Errorf("me without a token: err = %v, want %s", err, warroom.EUNAUTHORIZED)
	}
}
