package main

import (
	"strings"
	"testing"
)

func TestCLI_HelpAndCompletion(t *testing.T) {
	env := map[string]string{}
	t.Run("subcommand help lists its own flags only", func(t *testing.T) {
		r := warroomCLIEnv(t, env, "", "incident", "list", "--help")
		if r.code != 0 || !strings.Contains(r.stdout, "--state") {
			t.Fatalf("incident list --help: code %d, stdout %q", r.code, r.stdout)
		}
		for _, f := range []string{"--smtp-host", "--oidc-issuer", "--twilio-from", "--addr"} {
			if strings.Contains(r.stdout, f) {
				t.Errorf("incident list --help lists the server's %s", f)
			}
		}
		if !strings.Contains(r.stdout, "--server") || !strings.Contains(r.stdout, "--token") {
			t.Error("incident list --help no longer lists --server and --token")
		}
	})
	t.Run("serve help lists the server's flags", func(t *testing.T) {
		r := warroomCLIEnv(t, env, "", "serve", "--help")
		if !strings.Contains(r.stdout, "--smtp-host") || !strings.Contains(r.stdout, "--oidc-issuer") {
			t.Errorf("serve --help lacks the server's flags: %q", r.stdout)
		}
	})
	for shell, want := range map[string]string{"bash": "bash completion", "zsh": "#compdef warroom", "fish": "complete -c warroom"} {
		t.Run("completion "+shell, func(t *testing.T) {
			r := warroomCLIEnv(t, env, "", "completion", shell)
			if r.code != 0 || !strings.Contains(r.stdout, want) {
				t.Errorf("completion %s: code %d, stdout starts %.120q", shell, r.code, r.stdout)
			}
		})
	}
	t.Run("completion of an unknown shell", func(t *testing.T) {
		r := warroomCLIEnv(t, env, "", "completion", "tcsh")
		if r.code == 0 || !strings.Contains(r.stderr, "tcsh") {
			t.Errorf("completion tcsh: code %d, stderr %q", r.code, r.stderr)
		}
	})
}

func TestCLI_ListAllStates(t *testing.T) {
	m := startServer(t, "sqlite")
	ok(t, m, "incident", "declare", "--title", "Only a title")
	out := ok(t, m, "incident", "list", "--state", "all")
	if !strings.Contains(out, "Only a title") {
		t.Errorf("incident list --state all = %q", out)
	}
	fails(t, m, exitUsage, "incident", "list", "--state", "every")
}
