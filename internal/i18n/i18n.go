// Package i18n holds the message catalogues of the web UI, in English and
// Simplified Chinese, and picks the language for a request.
//
// Messages are looked up with github.com/nicksnyder/go-i18n/v2, which
// applies the CLDR plural rules of each language ("1 task" / "2 tasks" in
// English, a single form in Chinese) and fills {{.Name}} placeholders. The
// catalogues are JSON so that no extra decoder is needed.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"sort"
	"strings"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

//go:embed active.*.json
var catalogues embed.FS

// The supported languages, as stored in warroom.User.Locale.
const (
	English = "en"
	Chinese = "zh-CN"
)

// Languages lists the supported languages, the default first.
var Languages = []string{English, Chinese}

// Catalog is the set of loaded catalogues and the language matcher. It is
// safe for concurrent use.
type Catalog struct {
	bundle  *goi18n.Bundle
	matcher language.Matcher
	keys    map[string][]string
}

// New loads the embedded catalogues.
func New() (*Catalog, error) {
	b := goi18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("json", json.Unmarshal)
	c := &Catalog{bundle: b, keys: map[string][]string{}}
	for _, lang := range Languages {
		name := "active." + lang + ".json"
		data, err := fs.ReadFile(catalogues, name)
		if err != nil {
			return nil, fmt.Errorf("i18n: read %s: %w", name, err)
		}
		mf, err := b.ParseMessageFileBytes(data, name)
		if err != nil {
			return nil, fmt.Errorf("i18n: parse %s: %w", name, err)
		}
		for _, m := range mf.Messages {
			c.keys[lang] = append(c.keys[lang], m.ID)
		}
		sort.Strings(c.keys[lang])
	}
	// The matcher understands that zh, zh-Hans and zh-SG read Simplified
	// Chinese; zh-TW and zh-Hant fall back to English rather than showing
	// simplified characters to someone who asked for traditional ones.
	c.matcher = language.NewMatcher([]language.Tag{language.English, language.SimplifiedChinese})
	return c, nil
}

// Keys returns the sorted message IDs of a language's catalogue.
func (c *Catalog) Keys(lang string) []string { return append([]string(nil), c.keys[lang]...) }

// Match chooses the language: the user's own setting when it is supported,
// else the best match for the Accept-Language header, else English.
func (c *Catalog) Match(userLocale, acceptLanguage string) string {
	for _, l := range Languages {
		if strings.EqualFold(userLocale, l) {
			return l
		}
	}
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return English
	}
	_, i, conf := c.matcher.Match(tags...)
	if conf == language.No {
		return English
	}
	return Languages[i]
}

// Localizer returns a localizer for one of Languages; anything else gets
// English.
func (c *Catalog) Localizer(lang string) *Localizer {
	if lang != Chinese {
		lang = English
	}
	return &Localizer{lang: lang, l: goi18n.NewLocalizer(c.bundle, lang)}
}

// Localizer translates messages into one language.
type Localizer struct {
	lang string
	l    *goi18n.Localizer
}

// Lang returns the language, "en" or "zh-CN".
func (l *Localizer) Lang() string { return l.lang }

// T returns message id filled with the key/value pairs in kv, e.g.
// T("incident.declared_by", "Name", "Ana"). A missing message returns the
// id itself so that a gap shows on screen instead of breaking the page; the
// catalogue tests keep that from shipping.
func (l *Localizer) T(id string, kv ...any) string {
	s, err := l.l.Localize(&goi18n.LocalizeConfig{MessageID: id, TemplateData: pairs(kv)})
	if err != nil && s == "" {
		return id
	}
	return s
}

// N returns the plural form of message id for count, with count available
// as {{.Count}} beside the pairs in kv.
func (l *Localizer) N(id string, count int64, kv ...any) string {
	data := pairs(kv)
	data["Count"] = count
	s, err := l.l.Localize(&goi18n.LocalizeConfig{MessageID: id, TemplateData: data, PluralCount: count})
	if err != nil && s == "" {
		return id
	}
	return s
}

func pairs(kv []any) map[string]any {
	m := make(map[string]any, len(kv)/2+1)
	for i := 0; i+1 < len(kv); i += 2 {
		if k, ok := kv[i].(string); ok {
			m[k] = kv[i+1]
		}
	}
	return m
}
