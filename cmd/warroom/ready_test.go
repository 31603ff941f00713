package main

import (
	"testing"

	"github.com/warroomhq/warroom/internal/store"
)

func TestReady(t *testing.T) {
	m := startServer(t, store.EngineSQLite)
	if r := warroomCLIEnv(t, map[string]string{"WARROOM_SERVER": m.Server.URL()}, "", "ready"); r.code != exitOK || r.stdout != "ready\n" {
		t.Errorf("ready: code %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if r := warroomCLIEnv(t, map[string]string{"WARROOM_SERVER": "http://127.0.0.1:1"}, "", "ready"); r.code != exitFailure {
		t.Errorf("ready without a server: code %d, want 1", r.code)
	}
}
