package ui

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/i18n"
)

// TestMessagesExist finds every message ID the templates and handlers use
// literally, plus those built from domain values, and checks that each is
// in the catalogue: a missing one would show its raw ID on the page.
func TestMessagesExist(t *testing.T) {
	cat, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, k := range cat.Keys(i18n.English) {
		have[k] = true
	}
	literal := regexp.MustCompile(`(?:\.T|\.N|T\(|N\() ?"([a-z_]+\.[a-z_0-9.]+)"`)
	files, _ := filepath.Glob("templates/*.html")
	gofiles, _ := filepath.Glob("*.go")
	used := map[string]bool{}
	for _, f := range append(files, gofiles...) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range literal.FindAllStringSubmatch(string(b), -1) {
			if m[1][len(m[1])-1] != '.' {
				used[m[1]] = true
			}
		}
	}
	if len(used) < 100 {
		t.Fatalf("found only %d message IDs; is the pattern still right?", len(used))
	}
	for _, s := range warroom.States {
		used["state."+string(s)] = true
		for _, n := range s.NextStates() {
			used["action.to."+string(n)] = true
		}
	}
	for _, v := range warroom.IncidentTypes {
		used["type."+string(v)] = true
	}
	for _, k := range warroom.EventKinds {
		used["kind."+string(k)] = true
	}
	for _, r := range warroom.UserRoles {
		used["userrole."+string(r)] = true
	}
	for _, r := range []string{warroom.RoleCommander, warroom.RoleCommunications, warroom.RoleScribe} {
		used["role."+r] = true
	}
	for _, l := range i18n.Languages {
		used["lang."+l] = true
	}
	for _, s := range []int{400, 401, 403, 404, 409, 413, 422, 500} {
		used["error.status."+strconv.Itoa(s)] = true
	}
	for k := range used {
		if !have[k] {
			t.Errorf("message %q is used but not in the catalogue", k)
		}
	}
}
