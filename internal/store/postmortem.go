package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/warroomhq/warroom"
)

var _ warroom.PostmortemService = (*DB)(nil)

const postmortemColumns = `p.id, p.incident_id, p.status, p.template_id, p.summary, p.cause_category, p.cause_subcategory,
	p.contributing_factors, p.went_well, p.went_badly, p.got_lucky, p.lessons, p.author_id, COALESCE(u.name, ''),
	p.due_at, p.submitted_at, p.published_at, p.created_at, p.updated_at`

const postmortemFrom = ` FROM postmortems p LEFT JOIN users u ON u.id = p.author_id`

func scanPostmortem(s scanner) (*warroom.Postmortem, error) {
	var p warroom.Postmortem
	var factors string
	if err := s.Scan(&p.ID, &p.IncidentID, &p.Status, scanIDPtr(&p.TemplateID), &p.Summary, &p.CauseCategory, &p.CauseSubcategory,
		&factors, &p.WentWell, &p.WentBadly, &p.GotLucky, &p.Lessons, scanID(&p.AuthorID), &p.AuthorName,
		scanNullTime(&p.DueAt), scanNullTime(&p.SubmittedAt), scanNullTime(&p.PublishedAt), scanTime(&p.CreatedAt), scanTime(&p.UpdatedAt)); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(factors), &p.ContributingFactors); err != nil {
		return nil, fmt.Errorf("decode postmortem %d: %w", p.ID, err)
	}
	if p.ContributingFactors == nil {
		p.ContributingFactors = []string{}
	}
	p.Whys, p.Timeline, p.Reviews, p.ActionItems, p.Hints = []*warroom.Why{}, []*warroom.TimelineEntry{}, []*warroom.Review{}, []*warroom.ActionItem{}, []warroom.BlamelessHint{}
	return &p, nil
}

// loadPostmortem reads the postmortem row; lock takes the row lock a
// mutation needs on PostgreSQL.
func loadPostmortem(ctx context.Context, tx *tx, where string, arg any, lock bool) (*warroom.Postmortem, error) {
	q := `SELECT ` + postmortemColumns + postmortemFrom + ` WHERE ` + where
	if lock {
		q += tx.d.forUpdate()
	}
	p, err := scanPostmortem(tx.queryRow(ctx, q, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, warroom.Errorf(warroom.ENOTFOUND, "Postmortem not found.")
	} else if err != nil {
		return nil, fmt.Errorf("load postmortem: %w", err)
	}
	return p, nil
}

// postmortemForChange locks a postmortem that is about to change and
// refuses published ones: what was published is the record.
func postmortemForChange(ctx context.Context, tx *tx, id int64) (*warroom.Postmortem, error) {
	// FOR UPDATE cannot lock the nullable side of an outer join on
	// PostgreSQL, so the row is locked on its own first.
	if tx.d.postgres {
		if _, err := tx.exec(ctx, `SELECT id FROM postmortems WHERE id = ? FOR UPDATE`, id); err != nil {
			return nil, fmt.Errorf("lock postmortem: %w", err)
		}
	}
	p, err := loadPostmortem(ctx, tx, "p.id = ?", id, false)
	if err != nil {
		return nil, err
	}
	if p.Status == warroom.PostmortemPublished {
		return nil, warroom.Errorf(warroom.ECONFLICT, "The postmortem of %s is published and can no longer change.", warroom.FormatNumber(p.IncidentID))
	}
	return p, nil
}

// fillPostmortem reads everything a postmortem page shows.
func fillPostmortem(ctx context.Context, tx *tx, p *warroom.Postmortem) error {
	inc, err := findIncident(ctx, tx, p.IncidentID)
	if err != nil {
		return err
	}
	p.Incident, p.KeyMoments = inc, warroom.KeyMoments(inc)
	if p.Whys, err = findWhys(ctx, tx, p.ID); err != nil {
		return err
	}
	if p.Timeline, err = findTimeline(ctx, tx, p.ID); err != nil {
		return err
	}
	if p.Reviews, err = findReviews(ctx, tx, p.ID); err != nil {
		return err
	}
	pid := p.ID
	if p.ActionItems, _, err = findActionItems(ctx, tx, warroom.ActionItemFilter{PostmortemID: &pid, Limit: warroom.MaxPageSize}); err != nil {
		return err
	}
	names, err := participantNames(ctx, tx, p.IncidentID)
	if err != nil {
		return err
	}
	p.Hints = warroom.BlamelessHints(postmortemTexts(p), names)
	if p.Hints == nil {
		p.Hints = []warroom.BlamelessHint{}
	}
	return nil
}

// postmortemTexts are the fields the blameless check reads, by JSON name.
func postmortemTexts(p *warroom.Postmortem) map[string]string {
	m := map[string]string{
		"summary": p.Summary, "went_well": p.WentWell, "went_badly": p.WentBadly, "got_lucky": p.GotLucky, "lessons": p.Lessons,
		"contributing_factors": strings.Join(p.ContributingFactors, "\n"),
	}
	for i, w := range p.Whys {
		m[fmt.Sprintf("whys[%d]", i)] = w.Question + "\n" + w.Answer + "\n" + w.Evidence
	}
	return m
}

// participantNames are the people who acted on or held a role on an
// incident: the names a blaming sentence would use.
func participantNames(ctx context.Context, tx *tx, incidentID int64) ([]string, error) {
	rows, err := tx.query(ctx, `SELECT DISTINCT u.name FROM users u WHERE u.id IN (SELECT actor_id FROM events WHERE incident_id = ?)
		OR u.id IN (SELECT user_id FROM role_assignments WHERE incident_id = ?)
		OR u.id IN (SELECT owner_id FROM action_items WHERE incident_id = ?) ORDER BY u.name`, incidentID, incidentID, incidentID)
	if err != nil {
		return nil, fmt.Errorf("participant names: %w", err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, fmt.Errorf("participant names: %w", err)
		}
		names = append(names, n)
	}
	return names, rows.Err()
}

func findWhys(ctx context.Context, tx *tx, postmortemID int64) ([]*warroom.Why, error) {
	rows, err := tx.query(ctx, `SELECT id, position, question, answer, evidence FROM postmortem_whys WHERE postmortem_id = ? ORDER BY position, id`, postmortemID)
	if err != nil {
		return nil, fmt.Errorf("find whys: %w", err)
	}
	defer rows.Close()
	ws := []*warroom.Why{}
	for rows.Next() {
		var w warroom.Why
		if err := rows.Scan(&w.ID, &w.Position, &w.Question, &w.Answer, &w.Evidence); err != nil {
			return nil, fmt.Errorf("find whys: %w", err)
		}
		ws = append(ws, &w)
	}
	return ws, rows.Err()
}

func findTimeline(ctx context.Context, tx *tx, postmortemID int64) ([]*warroom.TimelineEntry, error) {
	rows, err := tx.query(ctx, `SELECT event_id, at, kind, actor, text, moment FROM postmortem_timeline WHERE postmortem_id = ? ORDER BY at, event_id`, postmortemID)
	if err != nil {
		return nil, fmt.Errorf("find timeline: %w", err)
	}
	defer rows.Close()
	es := []*warroom.TimelineEntry{}
	for rows.Next() {
		var e warroom.TimelineEntry
		if err := rows.Scan(&e.EventID, scanTime(&e.At), &e.Kind, &e.Actor, &e.Text, &e.Moment); err != nil {
			return nil, fmt.Errorf("find timeline: %w", err)
		}
		es = append(es, &e)
	}
	return es, rows.Err()
}

func findReviews(ctx context.Context, tx *tx, postmortemID int64) ([]*warroom.Review, error) {
	rows, err := tx.query(ctx, `SELECT r.user_id, COALESCE(u.name, ''), r.decision, r.comment, r.decided_at
		FROM postmortem_reviews r LEFT JOIN users u ON u.id = r.user_id WHERE r.postmortem_id = ? ORDER BY u.name, r.user_id`, postmortemID)
	if err != nil {
		return nil, fmt.Errorf("find reviews: %w", err)
	}
	defer rows.Close()
	rs := []*warroom.Review{}
	for rows.Next() {
		var r warroom.Review
		if err := rows.Scan(&r.UserID, &r.UserName, &r.Decision, &r.Comment, scanNullTime(&r.DecidedAt)); err != nil {
			return nil, fmt.Errorf("find reviews: %w", err)
		}
		rs = append(rs, &r)
	}
	return rs, rows.Err()
}

// FindPostmortemByID returns the postmortem with everything it shows.
func (db *DB) FindPostmortemByID(ctx context.Context, id int64) (*warroom.Postmortem, error) {
	return db.findPostmortem(ctx, "p.id = ?", id)
}

// FindPostmortemByIncident returns the incident's postmortem.
func (db *DB) FindPostmortemByIncident(ctx context.Context, incidentID int64) (*warroom.Postmortem, error) {
	return db.findPostmortem(ctx, "p.incident_id = ?", incidentID)
}

func (db *DB) findPostmortem(ctx context.Context, where string, arg int64) (*warroom.Postmortem, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	p, err := loadPostmortem(ctx, tx, where, arg, false)
	if err != nil {
		return nil, err
	}
	if err := fillPostmortem(ctx, tx, p); err != nil {
		return nil, err
	}
	return p, tx.commit()
}

// FindPostmortems returns a page, newest first, and the total.
func (db *DB) FindPostmortems(ctx context.Context, filter warroom.PostmortemFilter) ([]*warroom.Postmortem, int, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer tx.rollback()
	where, args := []string{"1 = 1"}, []any{}
	if v := filter.IncidentID; v != nil {
		where, args = append(where, "p.incident_id = ?"), append(args, *v)
	}
	if len(filter.Statuses) > 0 {
		where = append(where, "p.status IN ("+placeholders(len(filter.Statuses))+")")
		for _, s := range filter.Statuses {
			args = append(args, string(s))
		}
	}
	if v := filter.AuthorID; v != nil {
		where, args = append(where, "p.author_id = ?"), append(args, *v)
	}
	if v := filter.ReviewerID; v != nil {
		where, args = append(where, "EXISTS (SELECT 1 FROM postmortem_reviews r WHERE r.postmortem_id = p.id AND r.user_id = ?)"), append(args, *v)
	}
	cond := strings.Join(where, " AND ")
	n, err := count(ctx, tx, "SELECT COUNT(*) FROM postmortems p WHERE "+cond, args...)
	if err != nil {
		return nil, 0, err
	}
	offset, limit := pageLimits(filter.Offset, filter.Limit)
	rows, err := tx.query(ctx, `SELECT `+postmortemColumns+postmortemFrom+` WHERE `+cond+` ORDER BY p.id DESC LIMIT ? OFFSET ?`, append(args, limit, offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("find postmortems: %w", err)
	}
	defer rows.Close()
	ps := []*warroom.Postmortem{}
	for rows.Next() {
		p, err := scanPostmortem(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("find postmortems: %w", err)
		}
		ps = append(ps, p)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("find postmortems: %w", err)
	}
	rows.Close()
	if err := fillPostmortemIncidents(ctx, tx, ps); err != nil {
		return nil, 0, err
	}
	return ps, n, tx.commit()
}

// fillPostmortemIncidents reads the page's incidents in one query, with
// their services in another, instead of two queries per postmortem.
func fillPostmortemIncidents(ctx context.Context, tx *tx, ps []*warroom.Postmortem) error {
	if len(ps) == 0 {
		return nil
	}
	ids := make([]any, len(ps))
	for i, p := range ps {
		ids[i] = p.IncidentID
	}
	rows, err := tx.query(ctx, `SELECT `+incidentColumns+` FROM incidents i WHERE i.id IN (`+placeholders(len(ids))+`)`, ids...)
	if err != nil {
		return fmt.Errorf("postmortem incidents: %w", err)
	}
	defer rows.Close()
	byID := map[int64]*warroom.Incident{}
	var incs []*warroom.Incident
	for rows.Next() {
		inc, err := scanIncident(rows)
		if err != nil {
			return fmt.Errorf("postmortem incidents: %w", err)
		}
		byID[inc.ID] = inc
		incs = append(incs, inc)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("postmortem incidents: %w", err)
	}
	rows.Close()
	if err := fillServices(ctx, tx, incs); err != nil {
		return err
	}
	for _, p := range ps {
		p.Incident = byID[p.IncidentID]
	}
	return nil
}

// CreatePostmortem starts the draft of an incident from a template.
func (db *DB) CreatePostmortem(ctx context.Context, incidentID int64, templateID *int64) (*warroom.Postmortem, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	inc, err := loadIncident(ctx, tx, incidentID, true)
	if err != nil {
		return nil, err
	}
	policy, err := findPostmortemPolicy(ctx, tx)
	if err != nil {
		return nil, err
	}
	id, err := createPostmortem(ctx, tx, inc, templateID, warroom.UserIDFromContext(ctx), policy)
	if err != nil {
		return nil, err
	}
	p, err := loadPostmortem(ctx, tx, "p.id = ?", id, false)
	if err != nil {
		return nil, err
	}
	if err := fillPostmortem(ctx, tx, p); err != nil {
		return nil, err
	}
	return p, tx.commit()
}

// createPostmortem writes a draft from a template, imports the timeline and
// indexes it. authorID 0 makes the incident's commander, else its
// declarer, the author.
func createPostmortem(ctx context.Context, tx *tx, inc *warroom.Incident, templateID *int64, authorID int64, policy *warroom.PostmortemPolicy) (int64, error) {
	var exists int
	err := tx.queryRow(ctx, `SELECT 1 FROM postmortems WHERE incident_id = ?`, inc.ID).Scan(&exists)
	if err == nil {
		return 0, warroom.Errorf(warroom.ECONFLICT, "%s already has a postmortem.", inc.Number)
	} else if !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("create postmortem: %w", err)
	}
	t, err := findTemplate(ctx, tx, templateID)
	if err != nil {
		return 0, err
	}
	if authorID == 0 {
		if authorID, err = defaultAuthor(ctx, tx, inc); err != nil {
			return 0, err
		}
	}
	var due any
	if inc.ResolvedAt != nil && policy.Requires(inc.Severity, inc.Drill) {
		d, err := policyDue(ctx, tx, policy, *inc.ResolvedAt, policy.DueWorkingDays)
		if err != nil {
			return 0, err
		}
		due = d
	}
	id, err := tx.insert(ctx, `INSERT INTO postmortems (incident_id, status, template_id, summary, went_well, went_badly, got_lucky, lessons,
		author_id, due_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		inc.ID, string(warroom.PostmortemDraft), t.ID, t.Summary, t.WentWell, t.WentBadly, t.GotLucky, t.Lessons,
		nullID(authorID), due, tx.now, tx.now)
	if isUnique(err) {
		return 0, warroom.Errorf(warroom.ECONFLICT, "%s already has a postmortem.", inc.Number)
	} else if err != nil {
		return 0, fmt.Errorf("create postmortem: %w", err)
	}
	for i, q := range t.Whys {
		if _, err := tx.exec(ctx, `INSERT INTO postmortem_whys (postmortem_id, position, question) VALUES (?, ?, ?)`, id, i+1, q); err != nil {
			return 0, fmt.Errorf("create postmortem whys: %w", err)
		}
	}
	if err := importTimeline(ctx, tx, id, inc); err != nil {
		return 0, err
	}
	if err := indexPostmortem(ctx, tx, id); err != nil {
		return 0, err
	}
	if _, err := addEvent(ctx, tx, inc.ID, warroom.EventPostmortem, "postmortem started", "", map[string]any{
		"postmortem_id": id, "status": warroom.PostmortemDraft, "due_at": due,
	}); err != nil {
		return 0, err
	}
	if err := writeAudit(ctx, tx, warroom.AuditPostmortemCreate, "postmortem", id, map[string]any{
		"incident_id": inc.ID, "template_id": t.ID, "author_id": authorID, "due_at": due,
	}); err != nil {
		return 0, err
	}
	return id, nil
}

// defaultAuthor is who answers for a postmortem nobody started by hand:
// the current commander, else whoever declared the incident.
func defaultAuthor(ctx context.Context, tx *tx, inc *warroom.Incident) (int64, error) {
	var id int64
	err := tx.queryRow(ctx, `SELECT user_id FROM role_assignments WHERE incident_id = ? AND role = ? AND ended_at IS NULL`, inc.ID, warroom.RoleCommander).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return inc.CreatedBy, nil
	} else if err != nil {
		return 0, fmt.Errorf("default author: %w", err)
	}
	return id, nil
}

// importTimeline copies the incident's events into the postmortem, marking
// the events that stamped a key moment. Reminders and postmortem events are
// bookkeeping about the review itself and are left out.
func importTimeline(ctx context.Context, tx *tx, postmortemID int64, inc *warroom.Incident) error {
	if _, err := tx.exec(ctx, `DELETE FROM postmortem_timeline WHERE postmortem_id = ?`, postmortemID); err != nil {
		return fmt.Errorf("import timeline: %w", err)
	}
	events, _, err := findEvents(ctx, tx, warroom.EventFilter{IncidentID: inc.ID, Ascending: true, Limit: warroom.MaxPageSize})
	if err != nil {
		return err
	}
	marked := map[string]bool{}
	for _, e := range events {
		if e.Kind == warroom.EventReminder || e.Kind == warroom.EventPostmortem || e.Kind == warroom.EventActionItem {
			continue
		}
		moment := keyMoment(inc, e)
		if marked[moment] {
			moment = ""
		}
		marked[moment] = true
		if _, err := tx.exec(ctx, `INSERT INTO postmortem_timeline (postmortem_id, event_id, at, kind, actor, text, moment) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			postmortemID, e.ID, e.At, string(e.Kind), e.ActorName, eventText(e), moment); err != nil {
			return fmt.Errorf("import timeline: %w", err)
		}
	}
	return nil
}

// keyMoment names the moment an event stamped: the incident's timestamps
// are written in the same transaction as the event, so they are equal.
func keyMoment(inc *warroom.Incident, e *warroom.Event) string {
	if e.Kind == warroom.EventDeclared {
		return warroom.MomentDetected
	}
	if e.Kind != warroom.EventStateChanged {
		return ""
	}
	switch {
	case inc.ResolvedAt != nil && e.At.Equal(*inc.ResolvedAt):
		return warroom.MomentResolved
	case inc.MitigatedAt != nil && e.At.Equal(*inc.MitigatedAt):
		return warroom.MomentMitigated
	case inc.AcknowledgedAt != nil && e.At.Equal(*inc.AcknowledgedAt):
		return warroom.MomentAcknowledged
	}
	return ""
}

// eventText is what the postmortem shows for an event: its text, or for a
// state change without a note, the change itself.
func eventText(e *warroom.Event) string {
	if e.Text != "" {
		return e.Text
	}
	var d struct{ From, To string }
	if e.Kind == warroom.EventStateChanged && json.Unmarshal(e.Data, &d) == nil {
		return d.From + " → " + d.To
	}
	return ""
}

// indexPostmortem writes the postmortem's searchable text.
func indexPostmortem(ctx context.Context, tx *tx, id int64) error {
	p, err := loadPostmortem(ctx, tx, "p.id = ?", id, false)
	if err != nil {
		return err
	}
	if p.Whys, err = findWhys(ctx, tx, id); err != nil {
		return err
	}
	var title string
	if err := tx.queryRow(ctx, `SELECT title FROM incidents WHERE id = ?`, p.IncidentID).Scan(&title); err != nil {
		return fmt.Errorf("index postmortem: %w", err)
	}
	parts := []string{p.Summary}
	for _, w := range p.Whys {
		parts = append(parts, w.Question, w.Answer, w.Evidence)
	}
	parts = append(parts, strings.Join(p.ContributingFactors, "\n"), p.WentWell, p.WentBadly, p.GotLucky, p.Lessons)
	body := strings.Join(parts, "\n")
	_, err = tx.exec(ctx, `INSERT INTO search_docs (doc_type, incident_id, ref_id, title, body, at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (doc_type, ref_id) DO UPDATE SET title = excluded.title, body = excluded.body`,
		string(warroom.DocPostmortem), p.IncidentID, id, title, body, p.CreatedAt)
	if err != nil {
		return fmt.Errorf("index postmortem: %w", err)
	}
	return nil
}
