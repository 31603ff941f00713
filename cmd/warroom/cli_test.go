package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/client"
	"github.com/warroomhq/warroom/cmd/warroom/app"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

const testToken = "wr_cli_test_token_0123456789abcdef"

// startServer runs the real server in-process on a fresh database of the
// engine, with the first admin's token set through the environment.
func startServer(t *testing.T, engine string) *app.Main {
	t.Helper()
	m := app.NewMain()
	m.Getenv = func(k string) string {
		return map[string]string{"WARROOM_BOOTSTRAP_TOKEN": testToken, "WARROOM_BOOTSTRAP_PASSWORD": "correct horse battery staple"}[k]
	}
	m.Logger = slog.New(slog.DiscardHandler)
	m.Stderr = &bytes.Buffer{}
	if err := m.ParseFlags(context.Background(), []string{"--addr", "127.0.0.1:0", "--database", storetest.DSN(t, engine)}); err != nil {
		t.Fatal(err)
	}
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := m.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return m
}

// result is what one command run produced.
type result struct {
	stdout, stderr string
	code           int
}

// warroomCLI runs the command line in-process against m with the admin's
// token, as a person would with WARROOM_SERVER and WARROOM_TOKEN exported.
func warroomCLI(t *testing.T, m *app.Main, args ...string) result {
	t.Helper()
	return warroomCLIEnv(t, map[string]string{"WARROOM_SERVER": m.Server.URL(), "WARROOM_TOKEN": testToken}, "", args...)
}

func warroomCLIEnv(t *testing.T, env map[string]string, stdin string, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, func(k string) string { return env[k] }, strings.NewReader(stdin), &stdout, &stderr)
	return result{stdout.String(), stderr.String(), code}
}

// ok runs a command that must succeed and returns its output.
func ok(t *testing.T, m *app.Main, args ...string) string {
	t.Helper()
	r := warroomCLI(t, m, args...)
	if r.code != exitOK {
		t.Fatalf("warroom %s: exit %d\nstderr: %s", strings.Join(args, " "), r.code, r.stderr)
	}
	return r.stdout
}

// fails runs a command that must exit with code and returns its stderr.
func fails(t *testing.T, m *app.Main, code int, args ...string) string {
	t.Helper()
	r := warroomCLI(t, m, args...)
	if r.code != code {
		t.Fatalf("warroom %s: exit %d, want %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.code, code, r.stdout, r.stderr)
	}
	return r.stderr
}

func contains(t *testing.T, what, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("%s does not contain %q:\n%s", what, w, got)
		}
	}
}

func TestCLI_IncidentLifecycle(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		m := startServer(t, engine)
		matrix := warroom.DefaultSeverityMatrix()

		ok(t, m, "service", "create", "payments", "--team", "payments-sre", "--tier", "1")

		// The matrix's most severe matching rule is printed with the
		// severity: money wins over users here.
		out := ok(t, m, "incident", "declare", "--title", "Checkout fails for card payments",
			"--type", "system_crash", "--service", "payments",
			"--users-affected", "12000", "--money", "20000000 CNY", "--summary", "Card payments time out.")
		p := matrix.Propose(warroom.Impact{UsersAffected: 12000, MoneyAffected: warroom.Money{Amount: 20_000_000 * 100, Currency: "CNY"}}, 0)
		want := `INC-1 declared: P0 (proposed P0: ` + p.Reason + ")"
		contains(t, "declare output", out, want, `rule "massive financial impact": money affected ≥ 1000000 CNY`)

		out = ok(t, m, "incident", "declare", "--title", "Login is slow", "--users-affected", "12000")
		contains(t, "declare output", out, `INC-2 declared: P1 (proposed P1: rule "major user impact": users affected ≥ 10000)`)

		t.Run("List", func(t *testing.T) {
			out := ok(t, m, "incident", "list")
			contains(t, "list", out, "NUMBER", "SLA", "INC-1", "P0", "triggered", "Checkout fails for card payments", "INC-2", "ack in")
			// Most severe first.
			if strings.Index(out, "INC-1") > strings.Index(out, "INC-2") {
				t.Errorf("INC-1 (P0) listed after INC-2 (P1):\n%s", out)
			}
			out = ok(t, m, "incident", "list", "--severity", "P1", "--state", "open")
			if strings.Contains(out, "INC-1") || !strings.Contains(out, "INC-2") {
				t.Errorf("filtered list:\n%s", out)
			}
			out = ok(t, m, "incident", "list", "--service", "payments", "-q", "checkout")
			if !strings.Contains(out, "INC-1") || strings.Contains(out, "INC-2") {
				t.Errorf("list by service and query:\n%s", out)
			}
		})

		t.Run("JSON", func(t *testing.T) {
			var page struct {
				Incidents []warroom.Incident `json:"incidents"`
				Total     int                `json:"total"`
				Limit     int                `json:"limit"`
			}
			if err := json.Unmarshal([]byte(ok(t, m, "incident", "list", "--json")), &page); err != nil {
				t.Fatal(err)
			}
			if page.Total != 2 || len(page.Incidents) != 2 || page.Limit != warroom.DefaultPageSize {
				t.Errorf("list --json: total %d, %d incidents, limit %d", page.Total, len(page.Incidents), page.Limit)
			}
			var inc warroom.Incident
			if err := json.Unmarshal([]byte(ok(t, m, "incident", "show", "INC-1", "--json")), &inc); err != nil {
				t.Fatal(err)
			}
			if inc.Number != "INC-1" || inc.Severity != warroom.P0 || inc.SeverityReason != p.Reason || inc.SLA == nil || len(inc.Services) != 1 {
				t.Errorf("show --json = %+v", inc)
			}
			var declared warroom.Incident
			if err := json.Unmarshal([]byte(ok(t, m, "incident", "declare", "--json", "--title", "Drill: database failover", "--drill", "--no-recovery-path")), &declared); err != nil {
				t.Fatal(err)
			}
			if declared.Number != "INC-3" || !declared.Drill || declared.ProposedSeverity != warroom.P2 {
				t.Errorf("declare --json = %s drill=%t proposed=%s", declared.Number, declared.Drill, declared.ProposedSeverity)
			}
		})

		t.Run("Respond", func(t *testing.T) {
			contains(t, "ack", ok(t, m, "incident", "ack", "INC-1", "--note", "on it"), "INC-1 is now acknowledged")
			contains(t, "assign", ok(t, m, "incident", "assign", "INC-1", "commander", "admin@localhost"), "admin is now commander of INC-1")
			contains(t, "note", ok(t, m, "incident", "note", "INC-1", "--public", "We", "are", "investigating"), "Status update (public) added to INC-1")
			contains(t, "task add", ok(t, m, "incident", "task", "add", "INC-1", "Roll back release 4.2"), "added to INC-1: Roll back release 4.2")
			var tasks struct{ Tasks []warroom.Task }
			if err := json.Unmarshal([]byte(ok(t, m, "incident", "task", "list", "INC-1", "--json")), &tasks); err != nil {
				t.Fatal(err)
			}
			if len(tasks.Tasks) == 0 {
				t.Fatal("no tasks")
			}
			last := tasks.Tasks[len(tasks.Tasks)-1]
			id := strconv.FormatInt(last.ID, 10)
			contains(t, "task done", ok(t, m, "incident", "task", "done", "INC-1", id), "is done: Roll back release 4.2")
			contains(t, "task list", ok(t, m, "incident", "task", "list", "INC-1"), "[x] #"+id+" Roll back release 4.2")
			contains(t, "update", ok(t, m, "incident", "update", "INC-1", "--users-affected", "150000", "--money-lost", "5000 CNY", "--downtime", "2h30m"),
				`INC-1 updated: P0 (proposed P0: rule "massive user impact": users affected ≥ 100000)`)

			out := ok(t, m, "incident", "show", "INC-1")
			contains(t, "show", out,
				"INC-1  Checkout fails for card payments",
				"State:", "acknowledged (next: investigating, identified, mitigated, resolved)",
				`P0 (proposed P0: rule "massive user impact": users affected ≥ 100000)`,
				"Services:", "payments",
				"Impact:", "150000 users, 20000000 CNY",
				"Loss:", "5000 CNY lost", "2h30m downtime",
				"SLA acknowledge:", "(met)", "SLA resolve:",
				"Card payments time out.",
				"commander", "admin",
				"[x] #"+id,
				"Latest events", "We are investigating", "on it")
		})

		t.Run("Resolve", func(t *testing.T) {
			contains(t, "resolve", ok(t, m, "incident", "resolve", "INC-1"), "INC-1 is now resolved (next: investigating, closed)")
			contains(t, "close", ok(t, m, "incident", "close", "INC-1", "--note", "postmortem scheduled"), "INC-1 is now closed")
			out := ok(t, m, "incident", "list", "--state", "closed")
			contains(t, "closed list", out, "INC-1", "closed", "met")
		})

		t.Run("IllegalTransition", func(t *testing.T) {
			ok(t, m, "incident", "resolve", "INC-2")
			stderr := fails(t, m, exitFailure, "incident", "ack", "INC-2")
			contains(t, "stderr", stderr, "cannot go from resolved to acknowledged", "legal next states: investigating, closed")
			stderr = fails(t, m, exitFailure, "incident", "state", "INC-1", "investigating")
			contains(t, "stderr", stderr, "closed incident cannot change state")
		})

		t.Run("Errors", func(t *testing.T) {
			// The API's message names the field.
			contains(t, "stderr", fails(t, m, exitFailure, "incident", "declare", "--title", "x", "--type", "meteor"), "type: unknown type \"meteor\"")
			contains(t, "stderr", fails(t, m, exitFailure, "incident", "declare", "--title", "x", "--money", "-5 CNY"), "impact.money_affected.amount: must not be negative")
			contains(t, "stderr", fails(t, m, exitFailure, "incident", "declare", "--title", "x", "--money", "5"), "impact.money_affected.currency")
			contains(t, "stderr", fails(t, m, exitFailure, "incident", "show", "INC-99"), "INC-99")
			contains(t, "stderr", fails(t, m, exitFailure, "incident", "declare", "--title", "x", "--service", "no-such-service"), "no-such-service")

			r := warroomCLIEnv(t, map[string]string{"WARROOM_SERVER": m.Server.URL(), "WARROOM_TOKEN": "wr_not_a_real_token_000000"}, "", "incident", "list")
			if r.code != exitFailure || !strings.Contains(r.stderr, "WARROOM_TOKEN") {
				t.Errorf("bad token: exit %d, stderr %q", r.code, r.stderr)
			}
		})

		t.Run("Usage", func(t *testing.T) {
			for _, args := range [][]string{
				{"incident", "declare"},
				{"incident", "declare", "--title", "x", "--money", "lots"},
				{"incident", "declare", "--title", "x", "--recovery-path", "--no-recovery-path"},
				{"incident", "declare", "--title", "x", "--severity", "P9"},
				{"incident", "list", "--state", "sleeping"},
				{"incident", "list", "--since", "last tuesday"},
				{"incident", "show"},
				{"incident", "show", "abc"},
				{"incident", "note", "INC-x", "hello"},
				{"incident", "note", "INC-1"},
				{"incident", "task", "add", "first", "Roll back"},
				{"incident", "frobnicate"},
				{"incident", "task", "done", "INC-1", "first"},
				{"incident", "update", "INC-2"},
				{"--server", "localhost:8080", "incident", "list"},
				{"incident", "list", "--colour"},
			} {
				r := warroomCLI(t, m, args...)
				if r.code != exitUsage {
					t.Errorf("warroom %s: exit %d, want %d (stderr %q)", strings.Join(args, " "), r.code, exitUsage, r.stderr)
				}
				if !strings.Contains(r.stderr, "error: ") || !strings.Contains(r.stderr, "--help") {
					t.Errorf("warroom %s: stderr %q, want an error and a pointer to --help", strings.Join(args, " "), r.stderr)
				}
			}
		})

		t.Run("Users", func(t *testing.T) {
			r := warroomCLIEnv(t, map[string]string{"WARROOM_SERVER": m.Server.URL(), "WARROOM_TOKEN": testToken}, "a long enough password\n",
				"user", "create", "--name", "Ana", "--email", "ana@example.com", "--role", "responder", "--password-stdin")
			if r.code != exitOK {
				t.Fatalf("user create: exit %d: %s", r.code, r.stderr)
			}
			if _, err := m.DB.AuthenticatePassword(context.Background(), "ana@example.com", "a long enough password"); err != nil {
				t.Errorf("password from stdin not set: %v", err)
			}
			contains(t, "user list", ok(t, m, "user", "list"), "ana@example.com", "responder")
			contains(t, "assign", ok(t, m, "incident", "assign", "INC-2", "scribe", "ana@example.com"), "Ana is now scribe of INC-2")
			contains(t, "unassign", ok(t, m, "incident", "unassign", "INC-2", "scribe", "ana@example.com"), "Ana is no longer scribe of INC-2")

			// A token made with the CLI works with the CLI.
			var created struct {
				Token  warroom.Token `json:"token"`
				Secret string        `json:"secret"`
			}
			if err := json.Unmarshal([]byte(ok(t, m, "token", "create", "ci", "--expires", "24h", "--json")), &created); err != nil {
				t.Fatal(err)
			}
			r = warroomCLIEnv(t, map[string]string{"WARROOM_SERVER": m.Server.URL()}, "", "--token", created.Secret, "incident", "list")
			if r.code != exitOK {
				t.Errorf("new token: exit %d: %s", r.code, r.stderr)
			}
			contains(t, "token list", ok(t, m, "token", "list"), "ci", created.Token.Prefix)
			ok(t, m, "token", "revoke", strconv.FormatInt(created.Token.ID, 10))
			r = warroomCLIEnv(t, map[string]string{"WARROOM_SERVER": m.Server.URL(), "WARROOM_TOKEN": created.Secret}, "", "incident", "list")
			if r.code != exitFailure {
				t.Errorf("revoked token: exit %d, want %d", r.code, exitFailure)
			}
		})
	})
}

func TestCLI_Serve(t *testing.T) {
	// serve takes a fixed address, so one is reserved and released; the
	// race with another process taking it in between is acceptable here.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()

	env := map[string]string{"WARROOM_BOOTSTRAP_TOKEN": testToken, "WARROOM_DATABASE": filepath.Join(t.TempDir(), "serve.db")}
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	var stdout, stderr bytes.Buffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", addr}, func(k string) string { return env[k] }, strings.NewReader(""), &stdout, &stderr)
	}()

	c := client.New("http://"+addr, testToken)
	giveUp := time.After(30 * time.Second)
	for ready := false; !ready; {
		select {
		case <-giveUp:
			t.Fatal("serve never became ready")
		case code := <-done:
			t.Fatalf("serve exited early with %d: %s", code, stderr.String())
		case <-time.After(20 * time.Millisecond):
			ready = c.Ready(ctx) == nil
		}
	}
	if _, err := c.Me(ctx); err != nil {
		t.Errorf("bootstrap token: %v", err)
	}

	// Cancelling the context stands for SIGINT/SIGTERM (main wires the
	// signals to it): serve shuts down and exits 0.
	stop()
	if code := <-done; code != exitOK {
		t.Errorf("serve exit code = %d, want 0; stderr:\n%s", code, stderr.String())
	}
	contains(t, "serve log", stderr.String(), "created the first admin", "shutting down")
	if strings.Contains(stderr.String(), testToken) {
		t.Errorf("the bootstrap token was printed:\n%s", stderr.String())
	}
}

func TestCLI_Migrate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "migrate.db")
	r := warroomCLIEnv(t, nil, "", "migrate", "--database", path)
	if r.code != exitOK {
		t.Fatalf("migrate: exit %d: %s", r.code, r.stderr)
	}
	contains(t, "migrate output", r.stdout, "sqlite database "+path+" is up to date")
	if _, err := os.Stat(path); err != nil {
		t.Errorf("database file: %v", err)
	}
	r = warroomCLIEnv(t, nil, "", "migrate", "--database", filepath.Join(t.TempDir(), "missing", "dir", "x.db"))
	if r.code != exitFailure {
		t.Errorf("migrate into a missing directory: exit %d, want %d", r.code, exitFailure)
	}
}

func TestParseID(t *testing.T) {
	for _, tt := range []struct {
		name, in, what, hint string
		want                 int64
		wantErr              string
	}{
		{name: "plain", in: "12", what: "task", want: 12},
		{name: "hash", in: "#12", what: "task", want: 12},
		{name: "zero", in: "0", what: "task", wantErr: `"0" is not a task ID`},
		{name: "trailing junk", in: "12abc", what: "token", hint: "warroom token list", wantErr: `"12abc" is not a token ID (see: warroom token list)`},
		{name: "article", in: "x", what: "alert", wantErr: `"x" is not an alert ID`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseID(tt.in, tt.what, tt.hint)
			if tt.wantErr != "" {
				var ue *usageError
				if !errors.As(err, &ue) || err.Error() != tt.wantErr {
					t.Fatalf("parseID(%q) error = %v, want usage error %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("parseID(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
			}
		})
	}
}
