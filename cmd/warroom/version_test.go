package main

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/warroomhq/warroom/internal/buildinfo"
	"github.com/warroomhq/warroom/internal/store"
)

// TestVersion asks the binary and a running server for their build.
func TestVersion(t *testing.T) {
	want := buildinfo.Get()
	for _, args := range [][]string{{"version"}, {"--version"}} {
		r := warroomCLIEnv(t, nil, "", args...)
		if r.code != exitOK || !strings.HasPrefix(r.stdout, "warroom "+want.Version+"\n") || !strings.Contains(r.stdout, want.GoVersion) {
			t.Errorf("%v: code %d, stdout %q", args, r.code, r.stdout)
		}
	}
	var got buildinfo.Info
	r := warroomCLIEnv(t, nil, "", "--json", "version")
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil || got != want {
		t.Errorf("version --json: %q (%v), want %+v", r.stdout, err, want)
	}

	m := startServer(t, store.EngineSQLite)
	res, err := http.Get(m.Server.URL() + "/api/v1/version")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized {
		t.Errorf("GET /api/v1/version without a token = %d, want 401", res.StatusCode)
	}
	req, _ := http.NewRequest(http.MethodGet, m.Server.URL()+"/api/v1/version", nil)
	req.Header.Set("Authorization", "Bearer "+testToken)
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	got = buildinfo.Info{}
	if err := json.Unmarshal(b, &got); err != nil || res.StatusCode != http.StatusOK || got != want {
		t.Errorf("GET /api/v1/version = %d %s, want %+v", res.StatusCode, b, want)
	}
}
