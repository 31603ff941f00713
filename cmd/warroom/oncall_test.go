package main

import (
	"strings"
	"testing"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

func TestOnCallCommands(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		m := startServer(t, engine)
		env := map[string]string{"WARROOM_SERVER": m.Server.URL(), "WARROOM_TOKEN": testToken}
		start := time.Now().UTC().Add(-time.Hour).Format(warroom.StartLayout)
		schedule := `{"name":"primary","time_zone":"Asia/Shanghai","layers":[{"name":"daily","rotation":"daily","start":"` + start + `","user_ids":[1]}]}`
		if r := warroomCLIEnv(t, env, schedule, "oncall", "schedule", "create", "--file", "-"); r.code != exitOK || !strings.Contains(r.stdout, `Schedule "primary" created (ID 1)`) {
			t.Fatalf("schedule create: %d %q %q", r.code, r.stdout, r.stderr)
		}
		if out := ok(t, m, "oncall", "now"); !strings.Contains(out, "primary") || !strings.Contains(out, "admin") {
			t.Errorf("oncall now:\n%s", out)
		}
		if out := ok(t, m, "oncall", "schedule", "show", "1", "--days", "3"); !strings.Contains(out, "primary") || !strings.Contains(out, "daily") {
			t.Errorf("schedule show:\n%s", out)
		}
		policy := `{"name":"payments","levels":[{"delay_seconds":300,"targets":[{"type":"schedule","id":1}]}]}`
		if r := warroomCLIEnv(t, env, policy, "oncall", "policy", "create"); r.code != exitOK {
			t.Fatalf("policy create: %d %q", r.code, r.stderr)
		}
		ok(t, m, "service", "create", "payments", "--tier", "1")
		ok(t, m, "oncall", "policy", "assign", "payments", "1")
		if out := ok(t, m, "oncall", "policy", "list"); !strings.Contains(out, "payments") {
			t.Errorf("policy list:\n%s", out)
		}
		ok(t, m, "incident", "declare", "--title", "checkout down", "--service", "payments")
		if msg := fails(t, m, exitUsage, "page", "--escalate", "nope"); !strings.Contains(msg, "--escalate") {
			t.Errorf("bad incident: %q", msg)
		}
		if out := ok(t, m, "contact", "add", "slack", "team", "https://hooks.slack.com/services/T/B/X"); !strings.Contains(out, "warroom contact verify 1 CODE") {
			t.Errorf("contact add: %q", out)
		}
		if msg := fails(t, m, exitFailure, "contact", "verify", "1", "000000x"); !strings.Contains(msg, "code") {
			t.Errorf("wrong code: %q", msg)
		}
		if msg := fails(t, m, exitFailure, "page", "--user", "1"); !strings.Contains(msg, "message") {
			t.Errorf("page without message: %q", msg)
		}
	})
}
