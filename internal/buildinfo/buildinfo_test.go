package buildinfo

import (
	"runtime/debug"
	"testing"
)

func TestRead(t *testing.T) {
	recorded := func() (*debug.BuildInfo, bool) {
		return &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "0123456789abcdef0123"},
			{Key: "vcs.time", Value: "2026-12-01T10:00:00Z"},
			{Key: "vcs.modified", Value: "true"},
		}}, true
	}
	for _, tt := range []struct {
		name                  string
		version, commit, date string
		read                  func() (*debug.BuildInfo, bool)
		want                  Info
		short                 string
	}{
		{"OK/recorded", "", "", "", recorded,
			Info{Version: "devel", Commit: "0123456789abcdef0123+dirty", Date: "2026-12-01T10:00:00Z", GoVersion: "go1.26.8"}, "devel (0123456789ab)"},
		{"OK/stamped", "v0.1.0", "fedcba", "2026-12-03T12:00:00Z", recorded,
			Info{Version: "v0.1.0", Commit: "fedcba", Date: "2026-12-03T12:00:00Z", GoVersion: "go1.26.8"}, "v0.1.0 (fedcba)"},
		{"OK/module", "", "", "", func() (*debug.BuildInfo, bool) {
			return &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v0.2.0"}}, true
		}, Info{Version: "v0.2.0", GoVersion: "go1.26.8"}, "v0.2.0"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := read(tt.version, tt.commit, tt.date, tt.read)
			if got != tt.want {
				t.Errorf("read = %+v, want %+v", got, tt.want)
			}
			if s := got.Short(); s != tt.short {
				t.Errorf("Short = %q, want %q", s, tt.short)
			}
		})
	}
	got := read("", "", "", func() (*debug.BuildInfo, bool) { return nil, false })
	if got.Version != "devel" || got.GoVersion == "" {
		t.Errorf("without build info: %+v", got)
	}
}
