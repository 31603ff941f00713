package warroom

import (
	"sort"
	"strings"
)

// BlamelessHint is a warning shown while a postmortem is written: a
// sentence that points at a person rather than at what let the mistake
// happen (seed 002: "focus on the issue, not the person").
type BlamelessHint struct {
	Field string `json:"field"`
	// Kind is "person" for a person's name, "blame" for blaming language.
	Kind string `json:"kind"`
	Term string `json:"term"`
}

// blameWords are phrases that assign fault instead of describing a cause.
var blameWords = []string{
	"fault of", "his fault", "her fault", "their fault", "blame", "careless", "negligent", "incompetent",
	"should have known", "human error", "forgot to", "lazy",
	"责任人", "追责", "背锅", "粗心", "疏忽", "失职", "怪他", "怪她", "处罚", "扣工资", "开除",
}

// BlamelessHints checks the texts of a postmortem, by field name, against
// blaming language and the given person names (users, incident
// participants). Names shorter than two characters are ignored: they would
// match inside ordinary words.
func BlamelessHints(fields map[string]string, names []string) []BlamelessHint {
	var out []BlamelessHint
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, f := range keys {
		text := strings.ToLower(fields[f])
		if strings.TrimSpace(text) == "" {
			continue
		}
		seen := map[string]bool{}
		for _, n := range names {
			n = strings.TrimSpace(n)
			if len([]rune(n)) < 2 || seen[n] {
				continue
			}
			if strings.Contains(text, strings.ToLower(n)) {
				seen[n] = true
				out = append(out, BlamelessHint{Field: f, Kind: "person", Term: n})
			}
		}
		for _, w := range blameWords {
			if strings.Contains(text, w) {
				out = append(out, BlamelessHint{Field: f, Kind: "blame", Term: w})
			}
		}
	}
	return out
}
