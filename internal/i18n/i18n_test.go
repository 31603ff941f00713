package i18n_test

import (
	"testing"

	"github.com/warroomhq/warroom/internal/i18n"
)

func mustNew(t *testing.T) *i18n.Catalog {
	t.Helper()
	c, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestCataloguesHaveSameKeys fails when a message exists in one language
// but not the other, which would show a raw ID to someone.
func TestCataloguesHaveSameKeys(t *testing.T) {
	c := mustNew(t)
	sets := map[string]map[string]bool{}
	for _, l := range i18n.Languages {
		sets[l] = map[string]bool{}
		for _, k := range c.Keys(l) {
			sets[l][k] = true
		}
		if len(sets[l]) == 0 {
			t.Fatalf("%s catalogue is empty", l)
		}
	}
	for _, a := range i18n.Languages {
		for _, b := range i18n.Languages {
			for k := range sets[a] {
				if !sets[b][k] {
					t.Errorf("key %q is in %s but not in %s", k, a, b)
				}
			}
		}
	}
}

func TestMatch(t *testing.T) {
	c := mustNew(t)
	for _, tt := range []struct {
		name, locale, accept, want string
	}{
		{"UserSettingWins", "zh-CN", "en-US,en;q=0.9", "zh-CN"},
		{"UserEnglishWins", "en", "zh-CN", "en"},
		{"AcceptChinese", "", "zh-CN,zh;q=0.9,en;q=0.8", "zh-CN"},
		{"AcceptPlainZh", "", "zh", "zh-CN"},
		{"AcceptEnglishFirst", "", "en-GB,zh-CN;q=0.5", "en"},
		{"AcceptUnsupported", "", "fr-FR", "en"},
		{"AcceptGarbage", "", ";;;", "en"},
		{"Nothing", "", "", "en"},
		{"UnknownUserLocale", "de", "zh-CN", "zh-CN"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := c.Match(tt.locale, tt.accept); got != tt.want {
				t.Errorf("Match(%q, %q) = %q, want %q", tt.locale, tt.accept, got, tt.want)
			}
		})
	}
}

func TestLocalize(t *testing.T) {
	c := mustNew(t)
	en, zh := c.Localizer(i18n.English), c.Localizer(i18n.Chinese)
	for _, tt := range []struct {
		name string
		got  string
		want string
	}{
		{"English", en.T("nav.incidents"), "Incidents"},
		{"Chinese", zh.T("nav.incidents"), "事件"},
		{"Placeholder", en.T("error.not_saved", "Message", "title: is required"), "Not saved: title: is required"},
		{"PluralOne", en.N("list.count", 1), "1 incident"},
		{"PluralOther", en.N("list.count", 3), "3 incidents"},
		{"PluralZero", en.N("list.count", 0), "0 incidents"},
		{"ChineseHasOneForm", zh.N("list.count", 1), "共 1 个事件"},
		{"MissingShowsID", en.T("no.such.key"), "no.such.key"},
		{"UnsupportedIsEnglish", c.Localizer("fr").T("nav.incidents"), "Incidents"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %q, want %q", tt.got, tt.want)
			}
		})
	}
}
