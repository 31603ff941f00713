package main

import (
	"strings"
	"testing"

	"github.com/warroomhq/warroom/internal/store/storetest"
)

func TestCLI_Webhook(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		m := startServer(t, engine)
		ok(t, m, "service", "create", "payments", "--team", "payments-sre", "--tier", "1")

		out := ok(t, m, "webhook", "create", "tickets", "https://hooks.example.com/warroom", "--event", "incident.declared",
			"--severity", "p0", "--severity", "P1", "--service", "payments")
		contains(t, "create", out, "Webhook tickets created (ID 1)", "secret: whsec_")

		stderr := fails(t, m, exitFailure, "webhook", "create", "bad", "https://hooks.example.com/x", "--event", "incident.exploded")
		contains(t, "bad event", stderr, "event_types[0]", "incident.exploded")

		ok(t, m, "incident", "declare", "--title", "Checkout down", "--severity", "P0", "--service", "payments")
		ok(t, m, "incident", "declare", "--title", "Typo on the help page", "--severity", "P4", "--service", "payments")
		out = ok(t, m, "webhook", "deliveries", "1")
		contains(t, "deliveries", out, "INC-1", "incident.declared")
		if strings.Contains(out, "INC-2") {
			t.Errorf("a P4 passed the P0/P1 filter:\n%s", out)
		}

		out = ok(t, m, "webhook", "list")
		contains(t, "list", out, "tickets", "https://hooks.example.com/warroom", "incident.declared", "P0,P1")
		out = ok(t, m, "webhook", "set", "1", "--paused")
		contains(t, "set", out, "Webhook tickets: paused")
		fails(t, m, exitUsage, "webhook", "set", "1", "--paused", "--resume")
		out = ok(t, m, "webhook", "rotate", "1")
		contains(t, "rotate", out, "new secret: whsec_")
		out = ok(t, m, "webhook", "events")
		contains(t, "events", out, "incident.declared", "alert.attached", "change.linked", "postmortem.updated", "action_item.updated")
		ok(t, m, "webhook", "delete", "1")
		fails(t, m, exitFailure, "webhook", "deliveries", "1")
	})
}
