package store

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/warroomhq/warroom"
)

var _ warroom.SearchService = (*DB)(nil)

// snippetWidth is how many characters of context a hit shows.
const snippetWidth = 160

// Search returns a page of hits, best first, and the total.
//
// Both engines apply the same rule, so they return the same hits in the
// same order: every term occurs in the title or body (substring, ignoring
// case); hits rank by the number of terms found in the title, then newest
// first. The index only narrows the candidates: FTS5 trigram MATCH on
// SQLite, pg_trgm GIN under ILIKE on PostgreSQL. Terms shorter than three
// characters, which a trigram cannot hold, are checked by LIKE on the
// candidates (or on every document when no term is long enough).
func (db *DB) Search(ctx context.Context, q warroom.SearchQuery) ([]*warroom.SearchHit, int, error) {
	if err := q.Validate(); err != nil {
		return nil, 0, err
	}
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer tx.rollback()
	hits, n, err := search(ctx, tx, q)
	if err != nil {
		return nil, 0, err
	}
	return hits, n, tx.commit()
}

func search(ctx context.Context, tx *tx, q warroom.SearchQuery) ([]*warroom.SearchHit, int, error) {
	terms := warroom.SearchTerms(q.Text)
	where, args := []string{}, []any{}
	var long []string
	for _, t := range terms {
		if utf8.RuneCountInString(t) >= warroom.MinIndexedTermLen {
			long = append(long, t)
		}
	}
	if !tx.d.postgres && len(long) > 0 {
		phrases := make([]string, len(long))
		for i, t := range long {
			phrases[i] = `"` + strings.ReplaceAll(t, `"`, `""`) + `"`
		}
		where = append(where, "d.id IN (SELECT rowid FROM search_fts WHERE search_fts MATCH ?)")
		args = append(args, strings.Join(phrases, " AND "))
	}
	for _, t := range terms {
		if !tx.d.postgres && utf8.RuneCountInString(t) >= warroom.MinIndexedTermLen {
			continue
		}
		like := "LIKE"
		if tx.d.postgres {
			like = "ILIKE"
		}
		pat := "%" + escapeLike(t) + "%"
		where = append(where, `(d.title `+like+` ? ESCAPE '\' OR d.body `+like+` ? ESCAPE '\')`)
		args = append(args, pat, pat)
	}
	if len(q.DocTypes) > 0 {
		where = append(where, "d.doc_type IN ("+placeholders(len(q.DocTypes))+")")
		for _, t := range q.DocTypes {
			args = append(args, string(t))
		}
	}
	if v := q.ServiceID; v != nil {
		where, args = append(where, "EXISTS (SELECT 1 FROM incident_services x WHERE x.incident_id = d.incident_id AND x.service_id = ?)"), append(args, *v)
	}
	if v := q.Type; v != nil {
		where, args = append(where, "i.type = ?"), append(args, string(*v))
	}
	if len(q.Severities) > 0 {
		where = append(where, "i.severity IN ("+placeholders(len(q.Severities))+")")
		for _, s := range q.Severities {
			args = append(args, string(s))
		}
	}
	if v := q.CauseCategory; v != nil {
		where, args = append(where, "EXISTS (SELECT 1 FROM postmortems p WHERE p.incident_id = d.incident_id AND p.cause_category = ?)"), append(args, string(*v))
	}
	if v := q.After; v != nil {
		where, args = append(where, "i.detected_at >= ?"), append(args, *v)
	}
	if v := q.Before; v != nil {
		where, args = append(where, "i.detected_at < ?"), append(args, *v)
	}
	// Ranking every match of a common word would sort tens of thousands of
	// rows; the newest MaxSearchHits matches (by document ID, which grows
	// with time) are ranked instead, which keeps
	// a search over 100,000 incidents fast and is the same rule on both
	// engines. The join with incidents is made only when a filter needs it.
	from := "search_docs d"
	if q.Type != nil || len(q.Severities) > 0 || q.After != nil || q.Before != nil {
		from += " JOIN incidents i ON i.id = d.incident_id"
	}
	cond := strings.Join(append(where, "1 = 1"), " AND ")
	newest := `SELECT d.id FROM ` + from + ` WHERE ` + cond + ` ORDER BY d.id DESC LIMIT ` + strconv.Itoa(warroom.MaxSearchHits)
	if ftsOnly := !tx.d.postgres && len(long) > 0 && len(where) == 1 && from == "search_docs d"; ftsOnly {
		// FTS5 walks its own rowids newest first and stops at the limit,
		// without reading a single document row.
		newest = `SELECT rowid FROM search_fts WHERE search_fts MATCH ? ORDER BY rowid DESC LIMIT ` + strconv.Itoa(warroom.MaxSearchHits)
	}
	// The score counts the terms found in the title; lower() folds ASCII
	// the same way on both engines.
	instr := "instr(lower(d.title), ?)"
	if tx.d.postgres {
		instr = "strpos(lower(d.title), ?)"
	}
	score, scoreArgs := []string{"0"}, []any{}
	for _, t := range terms {
		score = append(score, "CASE WHEN "+instr+" > 0 THEN 1 ELSE 0 END")
		scoreArgs = append(scoreArgs, t)
	}
	offset, limit := pageLimits(q.Offset, q.Limit)
	query := `SELECT d.doc_type, d.incident_id, i.title, i.severity, i.type, d.ref_id, d.title, d.body, d.at, ` + strings.Join(score, " + ") + ` AS score,
		COUNT(*) OVER ()
		FROM search_docs d JOIN incidents i ON i.id = d.incident_id
		WHERE d.id IN (` + newest + `) ORDER BY score DESC, d.at DESC, d.id DESC LIMIT ? OFFSET ?`
	all := append(append(append([]any{}, scoreArgs...), args...), limit, offset)
	rows, err := tx.query(ctx, query, all...)
	if err != nil {
		return nil, 0, fmt.Errorf("search: %w", err)
	}
	defer rows.Close()
	hits, n := []*warroom.SearchHit{}, 0
	for rows.Next() {
		var h warroom.SearchHit
		var body string
		if err := rows.Scan(&h.DocType, &h.IncidentID, &h.IncidentTitle, &h.Severity, &h.Type, &h.RefID, &h.Title, &body, scanTime(&h.At), &h.Score, &n); err != nil {
			return nil, 0, fmt.Errorf("search: %w", err)
		}
		h.IncidentNumber = warroom.FormatNumber(h.IncidentID)
		h.Snippet = warroom.Snippet(body, terms, snippetWidth)
		hits = append(hits, &h)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("search: %w", err)
	}
	if len(hits) == 0 && offset > 0 {
		if n, err = count(ctx, tx, `SELECT COUNT(*) FROM (`+newest+`) c`, args...); err != nil {
			return nil, 0, err
		}
	}
	return hits, n, nil
}

// similarCandidates bounds how many past incidents are compared: the most
// recent ones sharing a service or the type.
const similarCandidates = 500

// FindSimilarIncidents returns past incidents like this one. Candidates
// share a service or the type; they rank by trigram similarity of title and
// summary (computed here, so both engines agree), with a bonus for a shared
// service.
func (db *DB) FindSimilarIncidents(ctx context.Context, incidentID int64, limit int) ([]*warroom.SimilarIncident, error) {
	if limit <= 0 || limit > 20 {
		limit = 5
	}
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	inc, err := loadIncident(ctx, tx, incidentID, false)
	if err != nil {
		return nil, err
	}
	args := []any{inc.ID, false, string(warroom.StateResolved), string(warroom.StateClosed), string(inc.Type)}
	svc := "1 = 0"
	if len(inc.ServiceIDs) > 0 {
		svc = "EXISTS (SELECT 1 FROM incident_services x WHERE x.incident_id = i.id AND x.service_id IN (" + placeholders(len(inc.ServiceIDs)) + "))"
		for _, id := range inc.ServiceIDs {
			args = append(args, id)
		}
	}
	// Candidates are scored on their title, summary, type and services
	// alone; only the few that are shown are read whole.
	rows, err := tx.query(ctx, `SELECT c.id, c.title, c.summary, c.type, COALESCE(x.service_id, 0) FROM (
		SELECT i.id, i.title, i.summary, i.type, i.detected_at FROM incidents i WHERE i.id <> ? AND i.drill = ? AND i.state IN (?, ?)
		AND (i.type = ? OR `+svc+`) ORDER BY i.detected_at DESC, i.id DESC LIMIT ?) c
		LEFT JOIN incident_services x ON x.incident_id = c.id ORDER BY c.detected_at DESC, c.id DESC`, append(args, similarCandidates)...)
	if err != nil {
		return nil, fmt.Errorf("similar incidents: %w", err)
	}
	type candidate struct {
		id            int64
		text          string
		typ           warroom.IncidentType
		sharesService bool
	}
	shared := map[int64]bool{}
	for _, id := range inc.ServiceIDs {
		shared[id] = true
	}
	var cands []*candidate
	for rows.Next() {
		var c candidate
		var title, summary string
		var service int64
		if err := rows.Scan(&c.id, &title, &summary, &c.typ, &service); err != nil {
			rows.Close()
			return nil, fmt.Errorf("similar incidents: %w", err)
		}
		if n := len(cands); n > 0 && cands[n-1].id == c.id {
			cands[n-1].sharesService = cands[n-1].sharesService || shared[service]
			continue
		}
		c.text, c.sharesService = title+" "+summary, shared[service]
		cands = append(cands, &c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("similar incidents: %w", err)
	}
	mine := warroom.Trigrams(inc.Title + " " + inc.Summary)
	type scored struct {
		id    int64
		score float64
	}
	var best []scored
	for _, c := range cands {
		score := warroom.Similarity(mine, warroom.Trigrams(c.text))
		if c.sharesService {
			score += 0.2
		}
		if c.typ == inc.Type {
			score += 0.1
		}
		// Sharing only a type or a service is not similarity.
		if score <= 0.3 {
			continue
		}
		best = append(best, scored{c.id, min(1, score)})
	}
	sort.SliceStable(best, func(i, j int) bool { return best[i].score > best[j].score })
	if len(best) > limit {
		best = best[:limit]
	}
	var out []*warroom.SimilarIncident
	for _, b := range best {
		c, err := loadIncident(ctx, tx, b.id, false)
		if err != nil {
			return nil, err
		}
		out = append(out, &warroom.SimilarIncident{Incident: c, Score: b.score})
	}
	for _, s := range out {
		if err := fillResolution(ctx, tx, s); err != nil {
			return nil, err
		}
	}
	if out == nil {
		out = []*warroom.SimilarIncident{}
	}
	return out, tx.commit()
}

// fillResolution adds what fixed a past incident: the note left when it was
// resolved and its postmortem's lessons.
func fillResolution(ctx context.Context, tx *tx, s *warroom.SimilarIncident) error {
	if s.Incident.ResolvedAt != nil {
		rows, err := tx.query(ctx, `SELECT text FROM events WHERE incident_id = ? AND kind = ? AND at = ? AND text <> '' ORDER BY id DESC LIMIT 1`,
			s.Incident.ID, string(warroom.EventStateChanged), *s.Incident.ResolvedAt)
		if err != nil {
			return fmt.Errorf("similar resolution: %w", err)
		}
		if rows.Next() {
			err = rows.Scan(&s.Resolution)
		}
		rows.Close()
		if err != nil {
			return fmt.Errorf("similar resolution: %w", err)
		}
	}
	rows, err := tx.query(ctx, `SELECT id, lessons FROM postmortems WHERE incident_id = ?`, s.Incident.ID)
	if err != nil {
		return fmt.Errorf("similar postmortem: %w", err)
	}
	defer rows.Close()
	if rows.Next() {
		var id int64
		if err := rows.Scan(&id, &s.Lessons); err != nil {
			return fmt.Errorf("similar postmortem: %w", err)
		}
		s.PostmortemID = &id
	}
	return rows.Err()
}
