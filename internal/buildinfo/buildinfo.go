// Package buildinfo says which build of warroom is running: the version,
// commit and build date stamped by the linker for a release, or else what
// the Go toolchain recorded in the binary (module version, VCS revision and
// time), so that a plain `go build` in a checkout still names its commit.
package buildinfo

import (
	"runtime"
	"runtime/debug"
	"sync"
)

// Stamped by release builds:
//
//	go build -ldflags "-X github.com/warroomhq/warroom/internal/buildinfo.version=v0.1.0
//	  -X github.com/warroomhq/warroom/internal/buildinfo.commit=$(git rev-parse HEAD)
//	  -X github.com/warroomhq/warroom/internal/buildinfo.date=$(date -u +%FT%TZ)"
var version, commit, date string

// Info describes one build.
type Info struct {
	// Version is a release tag (v0.1.0), a Go pseudo-version, or "devel"
	// for a build from a checkout that is not a release.
	Version string `json:"version"`
	// Commit is the VCS revision, with "+dirty" when the tree had
	// uncommitted changes; "" when unknown (go run without VCS stamping).
	Commit string `json:"commit"`
	// Date is when the build was made, or the commit's time when no date
	// was stamped; RFC 3339, "" when unknown.
	Date string `json:"date"`
	// GoVersion is the Go toolchain that built the binary.
	GoVersion string `json:"go_version"`
}

var (
	once sync.Once
	info Info
)

// Get returns this binary's build.
func Get() Info {
	once.Do(func() { info = read(version, commit, date, debug.ReadBuildInfo) })
	return info
}

// read combines the stamped values with the toolchain's record; stamped
// values win.
func read(version, commit, date string, readBuild func() (*debug.BuildInfo, bool)) Info {
	in := Info{Version: version, Commit: commit, Date: date, GoVersion: runtime.Version()}
	bi, ok := readBuild()
	if !ok {
		if in.Version == "" {
			in.Version = "devel"
		}
		return in
	}
	if in.Version == "" {
		in.Version = bi.Main.Version
		if in.Version == "" || in.Version == "(devel)" {
			in.Version = "devel"
		}
	}
	var revision, vcsTime string
	dirty := false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			revision = s.Value
		case "vcs.time":
			vcsTime = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if in.Commit == "" && revision != "" {
		in.Commit = revision
		if dirty {
			in.Commit += "+dirty"
		}
	}
	if in.Date == "" {
		in.Date = vcsTime
	}
	if bi.GoVersion != "" {
		in.GoVersion = bi.GoVersion
	}
	return in
}

// Short is the version with the first 12 characters of the commit, for a
// footer or a log line: "v0.1.0 (3e6ac52e1f2a)".
func (in Info) Short() string {
	if in.Commit == "" {
		return in.Version
	}
	c := in.Commit
	if len(c) > 12 {
		c = c[:12]
	}
	return in.Version + " (" + c + ")"
}
