package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/warroomhq/warroom"
)

// CreateChange stores a draft authored by the user in ctx.
func (db *DB) CreateChange(ctx context.Context, c *warroom.Change) error {
	if c == nil {
		return warroom.Errorf(warroom.EINVALID, "A change is required.")
	}
	if c.Source == "" {
		c.Source = warroom.SourceAPI
	}
	if err := c.Validate(); err != nil {
		return err
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	if err := insertChange(ctx, tx, c, warroom.ChangeDraft); err != nil {
		return err
	}
	if err := writeAudit(ctx, tx, warroom.AuditChangeCreate, "change", c.ID, map[string]any{
		"kind": c.Kind, "title": c.Title, "service_ids": c.ServiceIDs, "risk": c.Risk, "proposed_risk": c.ProposedRisk, "source": c.Source,
	}); err != nil {
		return err
	}
	stored, err := loadChange(ctx, tx, c.ID, false)
	if err != nil {
		return err
	}
	*c = *stored
	return tx.commit()
}

// insertChange writes a new change in state: it proposes the risk, keeps an
// override only with its reason, and starts the change's timeline.
func insertChange(ctx context.Context, tx *tx, c *warroom.Change, state warroom.ChangeState) error {
	ids := uniqueIDs(c.ServiceIDs)
	tier, err := serviceTier(ctx, tx, ids)
	if err != nil {
		return err
	}
	c.ProposedRisk = warroom.ProposeRisk(c.Kind, tier)
	c.RiskReason = strings.TrimSpace(c.RiskReason)
	if c.Risk == "" {
		c.Risk = c.ProposedRisk
	}
	if c.Risk != c.ProposedRisk && c.RiskReason == "" {
		return warroom.FieldErrorf("risk_reason", "is required to set risk %s when %s is proposed for a %s on tier %d", c.Risk, c.ProposedRisk, c.Kind, tier)
	}
	if c.Links == nil {
		c.Links = []warroom.ChangeLink{}
	}
	links, err := json.Marshal(c.Links)
	if err != nil {
		return fmt.Errorf("create change: %w", err)
	}
	e := &c.Evidence
	c.State, c.AuthorID = state, warroom.UserIDFromContext(ctx)
	c.ID, err = tx.insert(ctx, `INSERT INTO changes (kind, title, description, author_id, links, planned_start, planned_end,
		risk, proposed_risk, risk_reason, test_report, rollback_plan, backup_location, backup_verified_at, accepted_by, accepted_at,
		state, source, started_at, ended_at, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		string(c.Kind), c.Title, c.Description, nullID(c.AuthorID), string(links), c.PlannedStart, c.PlannedEnd,
		string(c.Risk), string(c.ProposedRisk), c.RiskReason, e.TestReport, e.RollbackPlan, e.BackupLocation, e.BackupVerifiedAt, e.AcceptedBy, e.AcceptedAt,
		string(state), string(c.Source), c.StartedAt, c.EndedAt, tx.now, tx.now)
	if err != nil {
		return fmt.Errorf("create change: %w", err)
	}
	for _, id := range ids {
		if _, err := tx.exec(ctx, `INSERT INTO change_services (change_id, service_id) VALUES (?, ?)`, c.ID, id); err != nil {
			return fmt.Errorf("create change: %w", err)
		}
	}
	if err := addChangeEvent(ctx, tx, c.ID, warroom.ChangeEventCreated, c.Title, map[string]any{
		"kind": c.Kind, "risk": c.Risk, "proposed_risk": c.ProposedRisk, "source": c.Source, "state": state,
	}); err != nil {
		return err
	}
	if c.Risk != c.ProposedRisk {
		if err := addChangeEvent(ctx, tx, c.ID, warroom.ChangeEventRiskOverride, c.RiskReason, change{From: c.ProposedRisk, To: c.Risk}); err != nil {
			return err
		}
	}
	for _, k := range warroom.EvidenceKinds {
		if e.Has(k) {
			if err := addChangeEvent(ctx, tx, c.ID, warroom.ChangeEventEvidence, string(k), map[string]any{"evidence": k}); err != nil {
				return err
			}
		}
	}
	return nil
}

// UpdateChange edits a change that is not over and adds evidence.
func (db *DB) UpdateChange(ctx context.Context, id int64, upd warroom.ChangeUpdate) (*warroom.Change, error) {
	return db.changeStep(ctx, id, func(tx *tx, c *warroom.Change) error {
		switch c.State {
		case warroom.ChangeCompleted, warroom.ChangeRolledBack, warroom.ChangeFailed, warroom.ChangeRejected:
			return warroom.Errorf(warroom.ECONFLICT, "%s is %s and can no longer be edited.", c.Number, c.State)
		}
		before := *c
		if upd.Title != nil {
			c.Title = strings.TrimSpace(*upd.Title)
		}
		if upd.Description != nil {
			c.Description = *upd.Description
		}
		if upd.Links != nil {
			c.Links = *upd.Links
		}
		if upd.PlannedStart != nil || upd.PlannedEnd != nil {
			c.PlannedStart, c.PlannedEnd = upd.PlannedStart, upd.PlannedEnd
		}
		if upd.RiskReason != nil {
			c.RiskReason = strings.TrimSpace(*upd.RiskReason)
		}
		if upd.Risk != nil {
			c.Risk = *upd.Risk
		}
		added := upd.ApplyEvidence(&c.Evidence)
		if err := c.Validate(); err != nil {
			return err
		}
		if c.Risk != c.ProposedRisk && c.Risk != before.Risk && (upd.RiskReason == nil || c.RiskReason == "") {
			return warroom.FieldErrorf("risk_reason", "is required to set risk %s when %s is proposed", c.Risk, c.ProposedRisk)
		}
		if c.Risk != before.Risk && c.State.Started() {
			return warroom.Errorf(warroom.ECONFLICT, "The risk of %s cannot change once it has started.", c.Number)
		}
		ch := changes{}
		ch.add("title", before.Title, c.Title)
		ch.add("description", before.Description, c.Description)
		ch.add("links", before.Links, c.Links)
		ch.add("planned_start", before.PlannedStart, c.PlannedStart)
		ch.add("planned_end", before.PlannedEnd, c.PlannedEnd)
		ch.add("risk", before.Risk, c.Risk)
		ch.add("risk_reason", before.RiskReason, c.RiskReason)
		ch.add("evidence", before.Evidence, c.Evidence)
		if len(ch) == 0 {
			return nil
		}
		links, err := json.Marshal(c.Links)
		if err != nil {
			return fmt.Errorf("update change: %w", err)
		}
		e := &c.Evidence
		if _, err := tx.exec(ctx, `UPDATE changes SET title = ?, description = ?, links = ?, planned_start = ?, planned_end = ?,
			risk = ?, risk_reason = ?, test_report = ?, rollback_plan = ?, backup_location = ?, backup_verified_at = ?,
			accepted_by = ?, accepted_at = ?, updated_at = ? WHERE id = ?`,
			c.Title, c.Description, string(links), c.PlannedStart, c.PlannedEnd, string(c.Risk), c.RiskReason,
			e.TestReport, e.RollbackPlan, e.BackupLocation, e.BackupVerifiedAt, e.AcceptedBy, e.AcceptedAt, tx.now, id); err != nil {
			return fmt.Errorf("update change: %w", err)
		}
		for _, k := range added {
			if err := addChangeEvent(ctx, tx, id, warroom.ChangeEventEvidence, string(k), map[string]any{"evidence": k}); err != nil {
				return err
			}
		}
		if c.Risk != before.Risk {
			if err := addChangeEvent(ctx, tx, id, warroom.ChangeEventRiskOverride, c.RiskReason, change{From: before.Risk, To: c.Risk}); err != nil {
				return err
			}
		}
		fields := make([]string, 0, len(ch))
		for k := range ch {
			fields = append(fields, k)
		}
		slices.Sort(fields)
		if err := addChangeEvent(ctx, tx, id, warroom.ChangeEventUpdated, strings.Join(fields, ", "), nil); err != nil {
			return err
		}
		return writeAudit(ctx, tx, warroom.AuditChangeUpdate, "change", id, ch)
	})
}

// changeStep runs one lifecycle step on a locked change and returns the
// change as stored after it.
func (db *DB) changeStep(ctx context.Context, id int64, fn func(tx *tx, c *warroom.Change) error) (*warroom.Change, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	c, err := loadChange(ctx, tx, id, true)
	if err != nil {
		return nil, err
	}
	if err := fn(tx, c); err != nil {
		return nil, err
	}
	if c, err = loadChange(ctx, tx, id, false); err != nil {
		return nil, err
	}
	if err := tx.commit(); err != nil {
		return nil, err
	}
	// A step may have queued notifications; send them without waiting for
	// the engine's next interval.
	db.wakePaging()
	return c, nil
}

// setChangeState moves c to state to and stamps the step's time.
func setChangeState(ctx context.Context, tx *tx, c *warroom.Change, to warroom.ChangeState, note string) error {
	if err := warroom.CheckChangeTransition(c.State, to); err != nil {
		return err
	}
	q, args := `UPDATE changes SET state = ?, updated_at = ?`, []any{string(to), tx.now}
	switch to {
	case warroom.ChangeInProgress:
		q, args = q+`, started_at = ?`, append(args, tx.now)
	case warroom.ChangeCompleted, warroom.ChangeFailed, warroom.ChangeRolledBack:
		q, args = q+`, ended_at = ?`, append(args, tx.now)
	}
	if _, err := tx.exec(ctx, q+` WHERE id = ?`, append(args, c.ID)...); err != nil {
		return fmt.Errorf("set change state: %w", err)
	}
	if err := addChangeEvent(ctx, tx, c.ID, warroom.ChangeEventState, note, change{From: c.State, To: to}); err != nil {
		return err
	}
	data := map[string]any{"from": c.State, "to": to}
	if note != "" {
		data["note"] = note
	}
	if err := writeAudit(ctx, tx, warroom.AuditChangeTransition, "change", c.ID, data); err != nil {
		return err
	}
	c.State = to
	return nil
}

// SubmitChange asks for approval.
func (db *DB) SubmitChange(ctx context.Context, id int64) (*warroom.Change, error) {
	return db.changeStep(ctx, id, func(tx *tx, c *warroom.Change) error {
		if err := setChangeState(ctx, tx, c, warroom.ChangeSubmitted, ""); err != nil {
			return err
		}
		return notifyApprovers(ctx, tx, c)
	})
}

// ApproveChange records the caller's approval.
func (db *DB) ApproveChange(ctx context.Context, id int64, comment string) (*warroom.Change, error) {
	return db.decide(ctx, id, warroom.DecisionApproved, comment)
}

// RejectChange rejects a submitted change.
func (db *DB) RejectChange(ctx context.Context, id int64, comment string) (*warroom.Change, error) {
	return db.decide(ctx, id, warroom.DecisionRejected, comment)
}

func (db *DB) decide(ctx context.Context, id int64, d warroom.ChangeDecision, comment string) (*warroom.Change, error) {
	comment = strings.TrimSpace(comment)
	if len(comment) > warroom.MaxTextLen {
		return nil, warroom.FieldErrorf("comment", "must be at most %d characters", warroom.MaxTextLen)
	}
	return db.changeStep(ctx, id, func(tx *tx, c *warroom.Change) error {
		p, err := findChangePolicy(ctx, tx)
		if err != nil {
			return err
		}
		rule := p.RuleFor(c.Risk, changeTier(c), c.Kind)
		u := warroom.UserFromContext(ctx)
		if err := rule.CanApprove(u, c); err != nil {
			return err
		}
		if c.State != warroom.ChangeSubmitted {
			return warroom.Errorf(warroom.ECONFLICT, "%s is %s; only a submitted change can be approved or rejected.", c.Number, c.State)
		}
		for _, a := range c.Approvals {
			if a.UserID == u.ID {
				return warroom.Errorf(warroom.ECONFLICT, "%s already %s %s.", u.Name, a.Decision, c.Number)
			}
		}
		if _, err := tx.exec(ctx, `INSERT INTO change_approvals (change_id, user_id, user_role, decision, comment, at) VALUES (?, ?, ?, ?, ?, ?)`,
			c.ID, u.ID, string(u.Role), string(d), comment, tx.now); err != nil {
			if isUnique(err) {
				return warroom.Errorf(warroom.ECONFLICT, "%s already decided on %s.", u.Name, c.Number)
			}
			return fmt.Errorf("decide change: %w", err)
		}
		c.Approvals = append(c.Approvals, &warroom.ChangeApproval{UserID: u.ID, UserRole: u.Role, Decision: d})
		if err := addChangeEvent(ctx, tx, c.ID, warroom.ChangeEventApproval, comment, map[string]any{"decision": d, "role": u.Role}); err != nil {
			return err
		}
		action := warroom.AuditChangeApprove
		if d == warroom.DecisionRejected {
			action = warroom.AuditChangeReject
		}
		if err := writeAudit(ctx, tx, action, "change", c.ID, map[string]any{"decision": d, "comment": comment, "rule": rule.Name}); err != nil {
			return err
		}
		var next warroom.ChangeState
		if d == warroom.DecisionRejected {
			next = warroom.ChangeRejected
		} else if chk := p.CheckStart(c, changeTier(c), nil, nil); chk.Approvals >= chk.ApprovalsRequired {
			next = warroom.ChangeApproved
		}
		if next == "" {
			return nil
		}
		if err := setChangeState(ctx, tx, c, next, comment); err != nil {
			return err
		}
		text := fmt.Sprintf("%s %s was %s by %s.", c.Number, c.Title, next, u.Name)
		if comment != "" {
			text += " " + comment
		}
		return notify(ctx, tx, c.ID, warroom.NotifyDecision, c.AuthorID, "", text)
	})
}

// notify owes a message to a user or a team and queues it in the paging
// outbox in the same transaction (see outbox.go); the row is marked sent
// once a channel delivers it.
func notify(ctx context.Context, tx *tx, changeID int64, kind string, userID int64, team, text string) error {
	_, err := notifyCount(ctx, tx, changeID, kind, userID, team, text)
	return err
}

// notifyCount is notify returning how many people the message reaches.
func notifyCount(ctx context.Context, tx *tx, changeID int64, kind string, userID int64, team, text string) (int, error) {
	if userID == 0 && team == "" {
		return 0, nil
	}
	id, err := tx.insert(ctx, `INSERT INTO change_notifications (change_id, kind, user_id, team, text, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		changeID, kind, nullID(userID), team, text, tx.now)
	if err != nil {
		return 0, fmt.Errorf("notify: %w", err)
	}
	return queueChangeNotice(ctx, tx, id, userID, team, text)
}

// StartChange puts the change in progress when the policy allows it.
func (db *DB) StartChange(ctx context.Context, id int64) (*warroom.Change, error) {
	return db.changeStep(ctx, id, func(tx *tx, c *warroom.Change) error {
		if err := warroom.CheckChangeTransition(c.State, warroom.ChangeInProgress); err != nil {
			return err
		}
		p, chk, err := checkChange(ctx, tx, c, warroom.UserFromContext(ctx))
		if err != nil {
			return err
		}
		if !chk.OK() && p.Mode == warroom.PolicyEnforce {
			return chk.Err(c.Number)
		}
		if err := setChangeState(ctx, tx, c, warroom.ChangeInProgress, ""); err != nil {
			return err
		}
		if err := flagViolations(ctx, tx, c, chk.Problems); err != nil {
			return err
		}
		return notifyOnCall(ctx, tx, c, warroom.NotifyChangeStarted)
	})
}

// checkChange evaluates starting c now by starter.
func checkChange(ctx context.Context, tx *tx, c *warroom.Change, starter *warroom.User) (*warroom.ChangePolicy, *warroom.PolicyCheck, error) {
	p, err := findChangePolicy(ctx, tx)
	if err != nil {
		return nil, nil, err
	}
	fs, err := activeFreezes(ctx, tx, tx.now, c)
	if err != nil {
		return nil, nil, err
	}
	return p, p.CheckStart(c, changeTier(c), starter, fs), nil
}

// flagViolations records each rule c broke on its timeline and in the
// audit log, and tells the owners of every service it touched once, with
// every violation in one message. The owners are the service's team, or
// the service itself when it has none.
func flagViolations(ctx context.Context, tx *tx, c *warroom.Change, problems []warroom.PolicyProblem) error {
	if len(problems) == 0 {
		return nil
	}
	msgs := make([]string, len(problems))
	for i, pr := range problems {
		msgs[i] = pr.Message
		if _, err := tx.exec(ctx, `INSERT INTO change_violations (change_id, code, message, at) VALUES (?, ?, ?, ?)`, c.ID, pr.Code, pr.Message, tx.now); err != nil {
			return fmt.Errorf("flag violation: %w", err)
		}
		if err := addChangeEvent(ctx, tx, c.ID, warroom.ChangeEventViolation, pr.Message, map[string]any{"code": pr.Code}); err != nil {
			return err
		}
		if err := writeAudit(ctx, tx, warroom.AuditChangeViolation, "change", c.ID, map[string]any{"code": pr.Code, "message": pr.Message}); err != nil {
			return err
		}
	}
	msg := strings.Join(msgs, "; ")
	seen := map[string]bool{}
	for _, s := range c.Services {
		team := s.Team
		if team == "" {
			team = "service:" + s.Name
		}
		if seen[team] {
			continue
		}
		seen[team] = true
		text := fmt.Sprintf("%s %s on %s went ahead against the change policy: %s", c.Number, c.Title, s.Name, msg)
		reached, err := notifyCount(ctx, tx, c.ID, warroom.NotifyViolation, 0, team, text)
		if err != nil {
			return err
		}
		if reached > 0 {
			continue
		}
		// A service without a team (or a team without members) still has
		// someone answerable for it: whoever is on call for it now.
		oncall, err := serviceOnCall(ctx, tx, []int64{s.ID})
		if err != nil {
			return err
		}
		for _, u := range oncall {
			if err := notify(ctx, tx, c.ID, warroom.NotifyViolation, u, "", text); err != nil {
				return err
			}
		}
	}
	return nil
}

// CheckChange says what the policy would refuse if the change started now.
func (db *DB) CheckChange(ctx context.Context, id int64) (*warroom.PolicyCheck, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	c, err := loadChange(ctx, tx, id, false)
	if err != nil {
		return nil, err
	}
	_, chk, err := checkChange(ctx, tx, c, warroom.UserFromContext(ctx))
	if err != nil {
		return nil, err
	}
	return chk, tx.commit()
}

// CompleteChange ends a change in progress.
func (db *DB) CompleteChange(ctx context.Context, id int64, note string) (*warroom.Change, error) {
	return db.endChange(ctx, id, warroom.ChangeCompleted, note)
}

// FailChange records that a change in progress failed.
func (db *DB) FailChange(ctx context.Context, id int64, note string) (*warroom.Change, error) {
	return db.endChange(ctx, id, warroom.ChangeFailed, note)
}

// RollbackChange records a rollback and notifies the author.
func (db *DB) RollbackChange(ctx context.Context, id int64, reason string) (*warroom.Change, error) {
	return db.endChange(ctx, id, warroom.ChangeRolledBack, reason)
}

func (db *DB) endChange(ctx context.Context, id int64, to warroom.ChangeState, note string) (*warroom.Change, error) {
	note = strings.TrimSpace(note)
	if len(note) > warroom.MaxTextLen {
		return nil, warroom.FieldErrorf("note", "must be at most %d characters", warroom.MaxTextLen)
	}
	return db.changeStep(ctx, id, func(tx *tx, c *warroom.Change) error {
		return endChange(ctx, tx, c, to, note)
	})
}

func endChange(ctx context.Context, tx *tx, c *warroom.Change, to warroom.ChangeState, note string) error {
	if err := setChangeState(ctx, tx, c, to, note); err != nil {
		return err
	}
	if err := notifyOnCall(ctx, tx, c, warroom.NotifyChangeEnded); err != nil {
		return err
	}
	if to != warroom.ChangeRolledBack {
		return nil
	}
	by := "the system"
	if u := warroom.UserFromContext(ctx); u != nil {
		by = u.Name
	}
	text := fmt.Sprintf("%s %s was rolled back by %s.", c.Number, c.Title, by)
	if note != "" {
		text += " Reason: " + note
	}
	return notify(ctx, tx, c.ID, warroom.NotifyRollback, c.AuthorID, "", text)
}

// RecordChange stores a change that has already happened.
func (db *DB) RecordChange(ctx context.Context, c *warroom.Change) error {
	if c == nil {
		return warroom.Errorf(warroom.EINVALID, "A change is required.")
	}
	if c.Source == "" {
		c.Source = warroom.SourceAPI
	}
	if err := c.Validate(); err != nil {
		return err
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	at := tx.now
	if c.StartedAt != nil && !c.StartedAt.IsZero() {
		at = c.StartedAt.UTC().Truncate(time.Microsecond)
	}
	if at.After(tx.now) {
		at = tx.now
	}
	c.StartedAt, c.EndedAt = &at, &at
	if err := insertChange(ctx, tx, c, warroom.ChangeCompleted); err != nil {
		return err
	}
	if err := writeAudit(ctx, tx, warroom.AuditChangeRecord, "change", c.ID, map[string]any{
		"kind": c.Kind, "title": c.Title, "service_ids": c.ServiceIDs, "source": c.Source, "at": at,
	}); err != nil {
		return err
	}
	stored, err := loadChange(ctx, tx, c.ID, false)
	if err != nil {
		return err
	}
	// Judged by the same policy as a change that asks first, at the moment
	// it happened: what it lacked and the freezes it broke are violations.
	p, err := findChangePolicy(ctx, tx)
	if err != nil {
		return err
	}
	fs, err := activeFreezes(ctx, tx, at, stored)
	if err != nil {
		return err
	}
	if err := flagViolations(ctx, tx, stored, p.CheckRecorded(stored, changeTier(stored), warroom.UserFromContext(ctx), fs).Problems); err != nil {
		return err
	}
	if stored, err = loadChange(ctx, tx, c.ID, false); err != nil {
		return err
	}
	*c = *stored
	return tx.commit()
}
