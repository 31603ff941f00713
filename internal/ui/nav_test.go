package ui

import (
	"testing"

	"github.com/warroomhq/warroom/internal/i18n"
)

// TestNavItems checks the navigation list: every link names a known group
// and has its text in every language, so adding a page is one line that
// cannot show a raw message ID.
func TestNavItems(t *testing.T) {
	cat, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	groups := map[string]bool{}
	for _, g := range navGroups {
		groups[g] = true
	}
	for _, l := range i18n.Languages {
		have := map[string]bool{}
		for _, k := range cat.Keys(l) {
			have[k] = true
		}
		for _, g := range navGroups {
			if !have["nav.group."+g] {
				t.Errorf("%s: group %q has no name", l, g)
			}
		}
		for _, it := range navItems {
			if !have[it.Key] {
				t.Errorf("%s: link %s has no text %q", l, it.Href, it.Key)
			}
		}
	}
	for _, it := range navItems {
		if !groups[it.Group] {
			t.Errorf("link %s is in unknown group %q", it.Href, it.Group)
		}
		if len(it.Pages) == 0 {
			t.Errorf("link %s marks no page as current", it.Href)
		}
	}
}
