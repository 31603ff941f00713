package warroom

import (
	"context"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// SearchDocType is the kind of text a search hit comes from.
type SearchDocType string

// Searchable documents.
const (
	DocIncident     SearchDocType = "incident"
	DocNote         SearchDocType = "note"
	DocStatusUpdate SearchDocType = "status_update"
	DocPostmortem   SearchDocType = "postmortem"
)

// SearchDocTypes lists every document type.
var SearchDocTypes = []SearchDocType{DocIncident, DocNote, DocStatusUpdate, DocPostmortem}

// Valid reports whether t is a known document type.
func (t SearchDocType) Valid() bool {
	for _, v := range SearchDocTypes {
		if v == t {
			return true
		}
	}
	return false
}

// Search limits.
const (
	MaxSearchQueryLen = 200
	MaxSearchTerms    = 8
	// MinIndexedTermLen is the shortest term a trigram index can find;
	// shorter ones (most Chinese words are two characters) are matched by
	// a scan instead.
	MinIndexedTermLen = 3
	// MaxSearchHits bounds what a search ranks and counts: the newest
	// matches; a total of MaxSearchHits means "at least".
	MaxSearchHits = 1000
)

// SearchQuery is a full-text search over the past (seed 001: experience
// "recorded and passed on"). Every term must occur, as a substring ignoring
// case, in the document's title or body; Chinese needs no spaces.
type SearchQuery struct {
	Text          string
	ServiceID     *int64
	Type          *IncidentType
	CauseCategory *CauseCategory
	Severities    []Severity
	DocTypes      []SearchDocType
	// After and Before bound the incident's detection time: [after, before).
	After  *time.Time
	Before *time.Time

	Offset int
	Limit  int
}

// Validate checks the query.
func (q *SearchQuery) Validate() error {
	if len(SearchTerms(q.Text)) == 0 {
		return FieldErrorf("q", "is required")
	} else if utf8.RuneCountInString(q.Text) > MaxSearchQueryLen {
		return FieldErrorf("q", "must be at most %d characters", MaxSearchQueryLen)
	} else if len(SearchTerms(q.Text)) > MaxSearchTerms {
		return FieldErrorf("q", "at most %d terms", MaxSearchTerms)
	}
	if q.Type != nil && !q.Type.Valid() {
		return FieldErrorf("type", "unknown type %q", *q.Type)
	}
	if q.CauseCategory != nil && !q.CauseCategory.Valid() {
		return FieldErrorf("cause", "unknown cause category %q", *q.CauseCategory)
	}
	for _, s := range q.Severities {
		if !s.Valid() {
			return FieldErrorf("severity", "unknown severity %q", s)
		}
	}
	for _, t := range q.DocTypes {
		if !t.Valid() {
			return FieldErrorf("doc_type", "unknown document type %q", t)
		}
	}
	return nil
}

// SearchTerms splits a query into lower-cased terms at white space and
// punctuation, without duplicates, in order.
func SearchTerms(text string) []string {
	fields := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return unicode.IsSpace(r) || (unicode.IsPunct(r) && r != '-' && r != '_' && r != '.')
	})
	var out []string
	seen := map[string]bool{}
	for _, f := range fields {
		if !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	return out
}

// SearchHit is one matching document.
type SearchHit struct {
	DocType        SearchDocType `json:"doc_type"`
	IncidentID     int64         `json:"incident_id"`
	IncidentNumber string        `json:"incident_number"`
	IncidentTitle  string        `json:"incident_title"`
	Severity       Severity      `json:"severity"`
	Type           IncidentType  `json:"type"`
	// RefID is the event or postmortem the text is from; the incident's
	// ID for incident documents.
	RefID   int64     `json:"ref_id"`
	Title   string    `json:"title"`
	Snippet string    `json:"snippet"`
	At      time.Time `json:"at"`
	// Score ranks hits: terms found in the title weigh more than in the body.
	Score int `json:"score"`
}

// SimilarIncident is a past incident like the one being handled, with what
// fixed it.
type SimilarIncident struct {
	Incident *Incident `json:"incident"`
	// Score is between 0 and 1.
	Score float64 `json:"score"`
	// Resolution is the note left when it was resolved.
	Resolution   string `json:"resolution"`
	PostmortemID *int64 `json:"postmortem_id"`
	Lessons      string `json:"lessons"`
}

// SearchService searches incidents, notes, status updates and postmortems.
type SearchService interface {
	// Search returns a page of hits, best first, and the total.
	// Returns EINVALID.
	Search(ctx context.Context, q SearchQuery) ([]*SearchHit, int, error)

	// FindSimilarIncidents returns up to limit past (resolved or closed,
	// not drill) incidents sharing a service or the type with the
	// incident, ranked by text similarity.
	// Returns ENOTFOUND.
	FindSimilarIncidents(ctx context.Context, incidentID int64, limit int) ([]*SimilarIncident, error)
}

// Trigrams returns the set of lower-cased three-character windows of s,
// spaces collapsed; it is the text similarity behind similar incidents,
// and works for Chinese as well as English.
func Trigrams(s string) map[string]bool {
	rs := []rune(strings.Join(strings.Fields(strings.ToLower(s)), " "))
	out := map[string]bool{}
	for i := 0; i+3 <= len(rs); i++ {
		out[string(rs[i:i+3])] = true
	}
	return out
}

// Similarity is the Jaccard index of two trigram sets.
func Similarity(a, b map[string]bool) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	n := 0
	for k := range a {
		if b[k] {
			n++
		}
	}
	return float64(n) / float64(len(a)+len(b)-n)
}

// Snippet returns up to width runes of text around the first occurrence of
// any term, with "…" where it was cut.
func Snippet(text string, terms []string, width int) string {
	rs := []rune(strings.Join(strings.Fields(text), " "))
	if len(rs) <= width {
		return string(rs)
	}
	lower := []rune(strings.ToLower(string(rs)))
	at := -1
	for _, t := range terms {
		if i := strings.Index(string(lower), t); i >= 0 {
			p := utf8.RuneCountInString(string(lower)[:i])
			if at < 0 || p < at {
				at = p
			}
		}
	}
	start := 0
	if at > width/3 {
		start = at - width/3
	}
	end := min(start+width, len(rs))
	if end-start < width {
		start = max(0, end-width)
	}
	out := string(rs[start:end])
	if start > 0 {
		out = "…" + out
	}
	if end < len(rs) {
		out += "…"
	}
	return out
}
