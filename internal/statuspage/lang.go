package statuspage

import (
	"embed"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"time"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"

	"github.com/warroomhq/warroom"
)

// The public page keeps its own catalogues: its words are for customers,
// not for responders, and nothing of the internal UI should show through.
//
//go:embed active.*.json
var catalogueFS embed.FS

var languages = []string{warroom.LocaleEnglish, warroom.LocaleChinese}

type catalog struct {
	bundle  *goi18n.Bundle
	matcher language.Matcher
	keys    map[string][]string
}

func newCatalog() (*catalog, error) {
	b := goi18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("json", json.Unmarshal)
	c := &catalog{bundle: b, keys: map[string][]string{}, matcher: language.NewMatcher([]language.Tag{language.English, language.SimplifiedChinese})}
	for _, l := range languages {
		name := "active." + l + ".json"
		data, err := catalogueFS.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("catalogue %s: %w", name, err)
		}
		mf, err := b.ParseMessageFileBytes(data, name)
		if err != nil {
			return nil, fmt.Errorf("catalogue %s: %w", name, err)
		}
		for _, m := range mf.Messages {
			c.keys[l] = append(c.keys[l], m.ID)
		}
		sort.Strings(c.keys[l])
	}
	return c, nil
}

// langCookie remembers the visitor's choice of language.
const langCookie = "status_lang"

// choose picks the language: ?lang= first (and remembered), then the
// cookie, then Accept-Language, then English.
func (c *catalog) choose(w http.ResponseWriter, r *http.Request) string {
	if l := r.URL.Query().Get("lang"); l == warroom.LocaleEnglish || l == warroom.LocaleChinese {
		if w != nil {
			http.SetCookie(w, &http.Cookie{Name: langCookie, Value: l, Path: "/status", MaxAge: 365 * 24 * 3600, HttpOnly: true, SameSite: http.SameSiteLaxMode})
		}
		return l
	}
	if ck, err := r.Cookie(langCookie); err == nil && (ck.Value == warroom.LocaleEnglish || ck.Value == warroom.LocaleChinese) {
		return ck.Value
	}
	tags, _, err := language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
	if err != nil || len(tags) == 0 {
		return warroom.LocaleEnglish
	}
	if _, i, conf := c.matcher.Match(tags...); conf != language.No {
		return languages[i]
	}
	return warroom.LocaleEnglish
}

// lang renders text and times in one language.
type lang struct {
	Code string
	l    *goi18n.Localizer
}

func (c *catalog) lang(code string) *lang {
	if code != warroom.LocaleChinese {
		code = warroom.LocaleEnglish
	}
	return &lang{Code: code, l: goi18n.NewLocalizer(c.bundle, code)}
}

// T returns message id filled with the key/value pairs in kv; a missing
// message shows its id, and the catalogue test keeps that from shipping.
func (l *lang) T(id string, kv ...any) string {
	data := make(map[string]any, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		if k, ok := kv[i].(string); ok {
			data[k] = kv[i+1]
		}
	}
	s, err := l.l.Localize(&goi18n.LocalizeConfig{MessageID: id, TemplateData: data})
	if err != nil && s == "" {
		return id
	}
	return s
}

// Time formats an instant in UTC with its zone spelt out: visitors are
// everywhere, and an explicit zone leaves nobody guessing.
func (l *lang) Time(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 MST") }

// TimePtr formats an optional instant.
func (l *lang) TimePtr(t *time.Time) string {
	if t == nil {
		return ""
	}
	return l.Time(*t)
}

// ISO formats an instant for <time datetime> and the feed.
func (l *lang) ISO(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// Status and Stage name public values in the visitor's language.
func (l *lang) Status(s warroom.ComponentStatus) string { return l.T("status." + string(s)) }
func (l *lang) Stage(s warroom.PublicStatus) string     { return l.T("stage." + string(s)) }
