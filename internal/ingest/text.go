package ingest

import (
	"slices"
	"strings"

	"github.com/warroomhq/warroom"
)

// What arrives is refused when it is not UTF-8 (decodeObject, through
// jsontext). NUL, which valid JSON can carry as \u0000 but PostgreSQL text
// cannot, is refused in identifiers, where dropping it would make two keys
// one, and dropped from free text, where it means nothing. Details and the
// raw payload are kept as JSON, where NUL stays the six characters \u0000
// that both engines store alike.

// identifier refuses NUL in a key named field.
func identifier(field, s string) error {
	if strings.IndexByte(s, 0) < 0 {
		return nil
	}
	return &warroom.Error{Code: warroom.EMALFORMED, Field: field, Message: field + ": must not contain NUL (\\u0000)"}
}

// labelValues refuses NUL in label values: labels tell alerts apart (a
// label set stands in for a missing fingerprint) and routing matches them.
// Names are refused earlier, as every JSON member name with NUL is.
func labelValues(field string, labels map[string]string) error {
	var bad []string
	for k, v := range labels {
		if strings.IndexByte(v, 0) >= 0 {
			bad = append(bad, k)
		}
	}
	if len(bad) == 0 {
		return nil
	}
	return identifier(field+"."+slices.Min(bad), "\x00")
}

// plain drops NUL from free text.
func plain(s string) string {
	if strings.IndexByte(s, 0) < 0 {
		return s
	}
	return strings.ReplaceAll(s, "\x00", "")
}

// plainLinks drops NUL from links' text and addresses.
func plainLinks(links []warroom.Link) []warroom.Link {
	for i := range links {
		links[i] = warroom.Link{Href: plain(links[i].Href), Text: plain(links[i].Text)}
	}
	return links
}
