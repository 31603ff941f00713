package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/warroomhq/warroom"
)

// UpdatePostmortem edits a draft or a postmortem in review.
func (db *DB) UpdatePostmortem(ctx context.Context, id int64, upd warroom.PostmortemUpdate) (*warroom.Postmortem, error) {
	if err := upd.Validate(); err != nil {
		return nil, err
	}
	return db.changePostmortem(ctx, id, func(tx *tx, p *warroom.Postmortem) error {
		return updatePostmortem(ctx, tx, p, upd)
	})
}

// changePostmortem runs f on a postmortem locked for change, then reindexes
// it and returns it filled.
func (db *DB) changePostmortem(ctx context.Context, id int64, f func(tx *tx, p *warroom.Postmortem) error) (*warroom.Postmortem, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	p, err := postmortemForChange(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if err := f(tx, p); err != nil {
		return nil, err
	}
	if err := indexPostmortem(ctx, tx, id); err != nil {
		return nil, err
	}
	if p, err = loadPostmortem(ctx, tx, "p.id = ?", id, false); err != nil {
		return nil, err
	}
	if err := fillPostmortem(ctx, tx, p); err != nil {
		return nil, err
	}
	return p, tx.commit()
}

func updatePostmortem(ctx context.Context, tx *tx, p *warroom.Postmortem, upd warroom.PostmortemUpdate) error {
	audit := changes{}
	set := func(field string, dst *string, v *string) {
		if v != nil {
			audit.add(field, *dst, *v)
			*dst = *v
		}
	}
	set("summary", &p.Summary, upd.Summary)
	set("went_well", &p.WentWell, upd.WentWell)
	set("went_badly", &p.WentBadly, upd.WentBadly)
	set("got_lucky", &p.GotLucky, upd.GotLucky)
	set("lessons", &p.Lessons, upd.Lessons)
	set("cause_subcategory", &p.CauseSubcategory, upd.CauseSubcategory)
	if upd.CauseCategory != nil {
		audit.add("cause_category", p.CauseCategory, *upd.CauseCategory)
		p.CauseCategory = *upd.CauseCategory
		if upd.CauseSubcategory == nil && !p.CauseCategory.ValidSubcategory(p.CauseSubcategory) {
			audit.add("cause_subcategory", p.CauseSubcategory, "")
			p.CauseSubcategory = ""
		}
	}
	if upd.ContributingFactors != nil {
		fs := make([]string, 0, len(*upd.ContributingFactors))
		for _, f := range *upd.ContributingFactors {
			fs = append(fs, strings.TrimSpace(f))
		}
		audit.add("contributing_factors", p.ContributingFactors, fs)
		p.ContributingFactors = fs
	}
	factors, _ := json.Marshal(p.ContributingFactors)
	if _, err := tx.exec(ctx, `UPDATE postmortems SET summary = ?, cause_category = ?, cause_subcategory = ?, contributing_factors = ?,
		went_well = ?, went_badly = ?, got_lucky = ?, lessons = ?, updated_at = ? WHERE id = ?`,
		p.Summary, string(p.CauseCategory), p.CauseSubcategory, string(factors), p.WentWell, p.WentBadly, p.GotLucky, p.Lessons, tx.now, p.ID); err != nil {
		return fmt.Errorf("update postmortem: %w", err)
	}
	if upd.Whys != nil {
		n, err := replaceWhys(ctx, tx, p.ID, *upd.Whys)
		if err != nil {
			return err
		}
		if n {
			audit["whys"] = change{To: len(*upd.Whys)}
		}
	}
	if len(audit) == 0 {
		return nil
	}
	return writeAudit(ctx, tx, warroom.AuditPostmortemUpdate, "postmortem", p.ID, audit)
}

// replaceWhys makes the chain equal to ws, keeping the IDs of entries that
// name an existing why so that action items created from one still point
// at it. It reports whether anything changed.
func replaceWhys(ctx context.Context, tx *tx, postmortemID int64, ws []warroom.Why) (bool, error) {
	old, err := findWhys(ctx, tx, postmortemID)
	if err != nil {
		return false, err
	}
	byID := map[int64]*warroom.Why{}
	for _, w := range old {
		byID[w.ID] = w
	}
	changed, keep := false, map[int64]bool{}
	for i, w := range ws {
		pos := i + 1
		if o := byID[w.ID]; o != nil && !keep[w.ID] {
			keep[w.ID] = true
			if o.Position == pos && o.Question == w.Question && o.Answer == w.Answer && o.Evidence == w.Evidence {
				continue
			}
			if _, err := tx.exec(ctx, `UPDATE postmortem_whys SET position = ?, question = ?, answer = ?, evidence = ? WHERE id = ?`,
				pos, w.Question, w.Answer, w.Evidence, w.ID); err != nil {
				return false, fmt.Errorf("update why: %w", err)
			}
		} else if _, err := tx.exec(ctx, `INSERT INTO postmortem_whys (postmortem_id, position, question, answer, evidence) VALUES (?, ?, ?, ?, ?)`,
			postmortemID, pos, w.Question, w.Answer, w.Evidence); err != nil {
			return false, fmt.Errorf("add why: %w", err)
		}
		changed = true
	}
	for _, o := range old {
		if !keep[o.ID] {
			if _, err := tx.exec(ctx, `DELETE FROM postmortem_whys WHERE id = ?`, o.ID); err != nil {
				return false, fmt.Errorf("delete why: %w", err)
			}
			changed = true
		}
	}
	return changed, nil
}

// ImportTimeline replaces the imported timeline with the incident's events.
func (db *DB) ImportTimeline(ctx context.Context, id int64) (*warroom.Postmortem, error) {
	return db.changePostmortem(ctx, id, func(tx *tx, p *warroom.Postmortem) error {
		inc, err := loadIncident(ctx, tx, p.IncidentID, false)
		if err != nil {
			return err
		}
		if err := importTimeline(ctx, tx, p.ID, inc); err != nil {
			return err
		}
		return writeAudit(ctx, tx, warroom.AuditPostmortemTimeline, "postmortem", p.ID, nil)
	})
}

// SubmitPostmortem sends a draft to review by the named reviewers.
func (db *DB) SubmitPostmortem(ctx context.Context, id int64, reviewerIDs []int64) (*warroom.Postmortem, error) {
	ids := uniqueIDs(reviewerIDs)
	if len(ids) == 0 {
		return nil, warroom.FieldErrorf("reviewer_ids", "name at least one reviewer")
	} else if len(ids) > 20 {
		return nil, warroom.FieldErrorf("reviewer_ids", "at most 20 reviewers")
	}
	return db.changePostmortem(ctx, id, func(tx *tx, p *warroom.Postmortem) error {
		if p.Status != warroom.PostmortemDraft {
			return warroom.Errorf(warroom.ECONFLICT, "Only a draft can be submitted; this postmortem is %s.", p.Status)
		}
		if slices.Contains(ids, p.AuthorID) {
			return warroom.FieldErrorf("reviewer_ids", "the author cannot review their own postmortem")
		}
		for _, uid := range ids {
			if err := activeUserExists(ctx, tx, uid, "reviewer_ids"); err != nil {
				return err
			}
		}
		if _, err := tx.exec(ctx, `DELETE FROM postmortem_reviews WHERE postmortem_id = ?`, p.ID); err != nil {
			return fmt.Errorf("submit postmortem: %w", err)
		}
		for _, uid := range ids {
			if _, err := tx.exec(ctx, `INSERT INTO postmortem_reviews (postmortem_id, user_id, decision) VALUES (?, ?, ?)`,
				p.ID, uid, string(warroom.ReviewPending)); err != nil {
				return fmt.Errorf("submit postmortem: %w", err)
			}
		}
		if _, err := tx.exec(ctx, `UPDATE postmortems SET status = ?, submitted_at = ?, updated_at = ? WHERE id = ?`,
			string(warroom.PostmortemInReview), tx.now, tx.now, p.ID); err != nil {
			return fmt.Errorf("submit postmortem: %w", err)
		}
		if _, err := addEvent(ctx, tx, p.IncidentID, warroom.EventPostmortem, "postmortem submitted for review", "", map[string]any{
			"postmortem_id": p.ID, "status": warroom.PostmortemInReview, "reviewer_ids": ids,
		}); err != nil {
			return err
		}
		return writeAudit(ctx, tx, warroom.AuditPostmortemSubmit, "postmortem", p.ID, map[string]any{"reviewer_ids": ids})
	})
}

// ReviewPostmortem records the decision of the user in ctx.
func (db *DB) ReviewPostmortem(ctx context.Context, id int64, decision warroom.ReviewDecision, comment string) (*warroom.Postmortem, error) {
	if decision != warroom.ReviewApproved && decision != warroom.ReviewChangesRequested {
		return nil, warroom.FieldErrorf("decision", "must be %q or %q", warroom.ReviewApproved, warroom.ReviewChangesRequested)
	} else if utf8.RuneCountInString(comment) > warroom.MaxTextLen {
		return nil, warroom.FieldErrorf("comment", "must be at most %d characters", warroom.MaxTextLen)
	} else if decision == warroom.ReviewChangesRequested && isBlank(comment) {
		return nil, warroom.FieldErrorf("comment", "say what should change")
	}
	uid := warroom.UserIDFromContext(ctx)
	return db.changePostmortem(ctx, id, func(tx *tx, p *warroom.Postmortem) error {
		if p.Status != warroom.PostmortemInReview {
			return warroom.Errorf(warroom.ECONFLICT, "This postmortem is %s, not in review.", p.Status)
		}
		res, err := tx.exec(ctx, `UPDATE postmortem_reviews SET decision = ?, comment = ?, decided_at = ? WHERE postmortem_id = ? AND user_id = ?`,
			string(decision), comment, tx.now, p.ID, uid)
		if err != nil {
			return fmt.Errorf("review postmortem: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return warroom.Errorf(warroom.EFORBIDDEN, "Only the named reviewers may review this postmortem.")
		}
		text := "postmortem approved"
		if decision == warroom.ReviewChangesRequested {
			text = "changes requested on the postmortem: " + comment
			// Back to the author; earlier approvals were of other text.
			if _, err := tx.exec(ctx, `UPDATE postmortems SET status = ?, updated_at = ? WHERE id = ?`, string(warroom.PostmortemDraft), tx.now, p.ID); err != nil {
				return fmt.Errorf("review postmortem: %w", err)
			}
		}
		if _, err := addEvent(ctx, tx, p.IncidentID, warroom.EventPostmortem, text, "", map[string]any{
			"postmortem_id": p.ID, "decision": decision,
		}); err != nil {
			return err
		}
		return writeAudit(ctx, tx, warroom.AuditPostmortemReview, "postmortem", p.ID, map[string]any{"decision": decision, "comment": comment})
	})
}

// PublishPostmortem publishes a reviewed postmortem.
func (db *DB) PublishPostmortem(ctx context.Context, id int64) (*warroom.Postmortem, error) {
	return db.changePostmortem(ctx, id, func(tx *tx, p *warroom.Postmortem) error {
		if p.Status != warroom.PostmortemInReview {
			return warroom.Errorf(warroom.ECONFLICT, "Only a postmortem in review can be published; this one is %s.", p.Status)
		}
		var err error
		if p.Reviews, err = findReviews(ctx, tx, p.ID); err != nil {
			return err
		}
		if p.Approvals() == 0 {
			return warroom.Errorf(warroom.ECONFLICT, "Publishing needs at least one approval by a reviewer other than the author.")
		}
		if _, err := tx.exec(ctx, `UPDATE postmortems SET status = ?, published_at = ?, updated_at = ? WHERE id = ?`,
			string(warroom.PostmortemPublished), tx.now, tx.now, p.ID); err != nil {
			return fmt.Errorf("publish postmortem: %w", err)
		}
		if _, err := addEvent(ctx, tx, p.IncidentID, warroom.EventPostmortem, "postmortem published", "", map[string]any{
			"postmortem_id": p.ID, "status": warroom.PostmortemPublished,
		}); err != nil {
			return err
		}
		return writeAudit(ctx, tx, warroom.AuditPostmortemPublish, "postmortem", p.ID, map[string]any{"approvals": p.Approvals()})
	})
}
