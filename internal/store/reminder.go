package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/warroomhq/warroom"
)

var _ warroom.ReminderService = (*DB)(nil)

// settingPostmortemScan holds the resolution time up to which incidents
// have been given their required postmortem, so each tick reads only the
// incidents resolved since.
const settingPostmortemScan = "postmortem_scan_after"

// scanMargin re-reads incidents resolved shortly before the watermark: on
// PostgreSQL a transaction that resolved earlier may commit later.
const scanMargin = 10 * time.Minute

// dueSoon is how long before its due date a postmortem's author is reminded.
const dueSoon = 24 * time.Hour

// RunReminders creates the drafts the policy requires and records every
// reminder due at now.
func (db *DB) RunReminders(ctx context.Context, now time.Time) ([]*warroom.Reminder, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	// The engine's tick instant is the one now of this unit of work.
	tx.now = now.UTC().Truncate(time.Microsecond)
	policy, err := findPostmortemPolicy(ctx, tx)
	if err != nil {
		return nil, err
	}
	if err := requirePostmortems(ctx, tx, policy); err != nil {
		return nil, err
	}
	// Reminders are never urgent: on a day off of the policy's calendar
	// they wait, and the first tick of the next working day sends them
	// (each is sent once, so none is lost or doubled).
	if wait, err := reminderDayOff(ctx, tx, policy); err != nil {
		return nil, err
	} else if wait {
		return nil, tx.commit()
	}
	var out []*warroom.Reminder
	pm, err := postmortemReminders(ctx, tx)
	if err != nil {
		return nil, err
	}
	out = append(out, pm...)
	ai, err := actionItemReminders(ctx, tx, policy)
	if err != nil {
		return nil, err
	}
	out = append(out, ai...)
	return out, tx.commit()
}

// requirePostmortems gives every incident resolved since the last scan that
// the policy covers a draft postmortem with its due date, and dates the
// drafts started before their incident was resolved.
func requirePostmortems(ctx context.Context, tx *tx, policy *warroom.PostmortemPolicy) error {
	var after time.Time
	if _, err := getSetting(ctx, tx, settingPostmortemScan, &after); err != nil {
		return err
	}
	if len(policy.RequiredSeverities) > 0 {
		args := []any{after.Add(-scanMargin), false}
		for _, s := range policy.RequiredSeverities {
			args = append(args, string(s))
		}
		rows, err := tx.query(ctx, `SELECT i.id FROM incidents i WHERE i.resolved_at >= ? AND i.drill = ?
			AND i.severity IN (`+placeholders(len(policy.RequiredSeverities))+`)
			AND NOT EXISTS (SELECT 1 FROM postmortems p WHERE p.incident_id = i.id) ORDER BY i.id`, args...)
		if err != nil {
			return fmt.Errorf("require postmortems: %w", err)
		}
		var ids []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return fmt.Errorf("require postmortems: %w", err)
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("require postmortems: %w", err)
		}
		for _, id := range ids {
			inc, err := loadIncident(ctx, tx, id, true)
			if err != nil {
				return err
			}
			// Started by the system: the author is the commander.
			if _, err := createPostmortem(warroom.NewContextWithUser(ctx, nil), tx, inc, nil, 0, policy); err != nil {
				return err
			}
		}
		if err := dateDrafts(ctx, tx, policy, after.Add(-scanMargin)); err != nil {
			return err
		}
	}
	return putSetting(ctx, tx, settingPostmortemScan, tx.now)
}

// dateDrafts sets the due date of postmortems written while their incident
// was still open, once it is resolved.
func dateDrafts(ctx context.Context, tx *tx, policy *warroom.PostmortemPolicy, after time.Time) error {
	rows, err := tx.query(ctx, `SELECT p.id, i.severity, i.drill, i.resolved_at FROM postmortems p JOIN incidents i ON i.id = p.incident_id
		WHERE p.due_at IS NULL AND p.status <> ? AND i.resolved_at >= ?`, string(warroom.PostmortemPublished), after)
	if err != nil {
		return fmt.Errorf("date drafts: %w", err)
	}
	type due struct {
		id int64
		at time.Time
	}
	var dues []due
	for rows.Next() {
		var id int64
		var sev warroom.Severity
		var drill bool
		var resolved time.Time
		if err := rows.Scan(&id, &sev, &drill, scanTime(&resolved)); err != nil {
			rows.Close()
			return fmt.Errorf("date drafts: %w", err)
		}
		if policy.Requires(sev, drill) {
			dues = append(dues, due{id, resolved})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("date drafts: %w", err)
	}
	for i := range dues {
		// Dated after the rows are read: the calendar is another query.
		if dues[i].at, err = policyDue(ctx, tx, policy, dues[i].at, policy.DueWorkingDays); err != nil {
			return err
		}
	}
	for _, d := range dues {
		if _, err := tx.exec(ctx, `UPDATE postmortems SET due_at = ? WHERE id = ?`, d.at, d.id); err != nil {
			return fmt.Errorf("date drafts: %w", err)
		}
		if err := writeAudit(ctx, tx, warroom.AuditPostmortemUpdate, "postmortem", d.id, map[string]any{"due_at": change{To: d.at}}); err != nil {
			return err
		}
	}
	return nil
}

// postmortemReminders tells the author a day before the due date and again
// once it has passed.
func postmortemReminders(ctx context.Context, tx *tx) ([]*warroom.Reminder, error) {
	rows, err := tx.query(ctx, `SELECT p.id, p.incident_id, p.author_id, p.due_at, i.title FROM postmortems p JOIN incidents i ON i.id = p.incident_id
		WHERE p.status <> ? AND p.due_at IS NOT NULL AND p.due_at <= ? ORDER BY p.due_at, p.id`, string(warroom.PostmortemPublished), tx.now.Add(dueSoon))
	if err != nil {
		return nil, fmt.Errorf("postmortem reminders: %w", err)
	}
	var pending []*warroom.Reminder
	for rows.Next() {
		var id, incID, author int64
		var at time.Time
		var title string
		if err := rows.Scan(&id, &incID, scanID(&author), scanTime(&at), &title); err != nil {
			rows.Close()
			return nil, fmt.Errorf("postmortem reminders: %w", err)
		}
		r := &warroom.Reminder{Kind: warroom.ReminderPostmortemDue, TargetType: "postmortem", TargetID: id, IncidentID: incID, RecipientID: author, DueAt: at,
			Text: fmt.Sprintf("The postmortem of %s %s is due %s.", warroom.FormatNumber(incID), title, at.Format("2006-01-02 15:04 MST"))}
		pending = append(pending, r)
		if !tx.now.Before(at) {
			o := *r
			o.Kind = warroom.ReminderPostmortemOverdue
			o.Text = fmt.Sprintf("The postmortem of %s %s is overdue: it was due %s.", warroom.FormatNumber(incID), title, at.Format("2006-01-02 15:04 MST"))
			pending = append(pending, &o)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postmortem reminders: %w", err)
	}
	var out []*warroom.Reminder
	for _, r := range pending {
		recipients := []int64{r.RecipientID}
		if r.RecipientID == 0 {
			// Nobody answers for it: the admins do.
			var err error
			if recipients, err = admins(ctx, tx); err != nil {
				return nil, err
			}
		}
		sent, err := sendReminder(ctx, tx, r, recipients)
		if err != nil {
			return nil, err
		}
		out = append(out, sent...)
	}
	return out, nil
}

// actionItemReminders tells the owner of an overdue item, and after the
// policy's delay whoever leads them. warroom's teams have no leads, so the
// lead is the incident's commander, or the admins when it has none.
func actionItemReminders(ctx context.Context, tx *tx, policy *warroom.PostmortemPolicy) ([]*warroom.Reminder, error) {
	rows, err := tx.query(ctx, `SELECT a.id, a.incident_id, a.owner_id, a.due_date, a.title FROM action_items a
		WHERE a.status IN (?, ?) AND a.due_date <= ? ORDER BY a.due_date, a.id`, string(warroom.ActionOpen), string(warroom.ActionInProgress), tx.now)
	if err != nil {
		return nil, fmt.Errorf("action item reminders: %w", err)
	}
	var pending []*warroom.Reminder
	escalateAfter := time.Duration(policy.EscalateAfterDays) * 24 * time.Hour
	for rows.Next() {
		var id, incID, owner int64
		var due time.Time
		var title string
		if err := rows.Scan(&id, &incID, &owner, scanTime(&due), &title); err != nil {
			rows.Close()
			return nil, fmt.Errorf("action item reminders: %w", err)
		}
		r := &warroom.Reminder{Kind: warroom.ReminderActionItemOverdue, TargetType: "action_item", TargetID: id, IncidentID: incID, RecipientID: owner, DueAt: due,
			Text: fmt.Sprintf("Action item #%d of %s is overdue (due %s): %s", id, warroom.FormatNumber(incID), due.Format("2006-01-02"), title)}
		pending = append(pending, r)
		if !tx.now.Before(due.Add(escalateAfter)) {
			e := *r
			e.Kind, e.RecipientID = warroom.ReminderActionItemEscalated, 0
			e.Text = fmt.Sprintf("Action item #%d of %s is still open %d days after its due date %s: %s", id, warroom.FormatNumber(incID),
				policy.EscalateAfterDays, due.Format("2006-01-02"), title)
			pending = append(pending, &e)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("action item reminders: %w", err)
	}
	var out []*warroom.Reminder
	for _, r := range pending {
		recipients := []int64{r.RecipientID}
		if r.Kind == warroom.ReminderActionItemEscalated {
			if recipients, err = leads(ctx, tx, r.IncidentID); err != nil {
				return nil, err
			}
		}
		sent, err := sendReminder(ctx, tx, r, recipients)
		if err != nil {
			return nil, err
		}
		out = append(out, sent...)
	}
	return out, nil
}

// leads are who hears of an item still overdue: the commander, else the
// active admins and owners.
func leads(ctx context.Context, tx *tx, incidentID int64) ([]int64, error) {
	var id int64
	err := tx.queryRow(ctx, `SELECT user_id FROM role_assignments WHERE incident_id = ? AND role = ? AND ended_at IS NULL`, incidentID, warroom.RoleCommander).Scan(&id)
	if err == nil {
		return []int64{id}, nil
	}
	return admins(ctx, tx)
}

func admins(ctx context.Context, tx *tx) ([]int64, error) {
	rows, err := tx.query(ctx, `SELECT id FROM users WHERE active = ? AND role IN (?, ?) ORDER BY id`, true, string(warroom.UserRoleOwner), string(warroom.UserRoleAdmin))
	if err != nil {
		return nil, fmt.Errorf("admins: %w", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("admins: %w", err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// sendReminder records r once per recipient; a reminder already recorded
// is skipped, which is what makes a tick safe to repeat.
func sendReminder(ctx context.Context, tx *tx, r *warroom.Reminder, recipients []int64) ([]*warroom.Reminder, error) {
	var out []*warroom.Reminder
	for _, to := range recipients {
		if to == 0 {
			continue
		}
		c := *r
		c.RecipientID, c.CreatedAt = to, tx.now
		rows, err := tx.query(ctx, `INSERT INTO reminders (kind, target_type, target_id, incident_id, recipient_id, text, due_at, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (kind, target_type, target_id, recipient_id) DO NOTHING RETURNING id`,
			string(c.Kind), c.TargetType, c.TargetID, c.IncidentID, to, c.Text, c.DueAt, tx.now)
		if err != nil {
			return nil, fmt.Errorf("send reminder: %w", err)
		}
		inserted := rows.Next()
		if inserted {
			err = rows.Scan(&c.ID)
		}
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("send reminder: %w", err)
		}
		if !inserted {
			continue
		}
		if _, err := addEvent(ctx, tx, c.IncidentID, warroom.EventReminder, c.Text, "", map[string]any{
			"reminder_id": c.ID, "kind": c.Kind, "target_type": c.TargetType, "target_id": c.TargetID, "recipient_id": to,
		}); err != nil {
			return nil, err
		}
		if err := writeAudit(ctx, tx, warroom.AuditReminderSend, "reminder", c.ID, map[string]any{
			"kind": c.Kind, "target_type": c.TargetType, "target_id": c.TargetID, "recipient_id": to,
		}); err != nil {
			return nil, err
		}
		if err := queueReminder(ctx, tx, &c); err != nil {
			return nil, err
		}
		out = append(out, &c)
	}
	return out, nil
}

// FindReminders returns a page of reminders, newest first, and the total.
func (db *DB) FindReminders(ctx context.Context, filter warroom.ReminderFilter) ([]*warroom.Reminder, int, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer tx.rollback()
	where, args := []string{"1 = 1"}, []any{}
	if v := filter.RecipientID; v != nil {
		where, args = append(where, "recipient_id = ?"), append(args, *v)
	}
	if v := filter.TargetType; v != nil {
		where, args = append(where, "target_type = ?"), append(args, *v)
	}
	if v := filter.TargetID; v != nil {
		where, args = append(where, "target_id = ?"), append(args, *v)
	}
	if filter.Undelivered {
		where = append(where, "delivered_at IS NULL")
	}
	cond := strings.Join(where, " AND ")
	n, err := count(ctx, tx, "SELECT COUNT(*) FROM reminders WHERE "+cond, args...)
	if err != nil {
		return nil, 0, err
	}
	offset, limit := pageLimits(filter.Offset, filter.Limit)
	rows, err := tx.query(ctx, `SELECT id, kind, target_type, target_id, incident_id, recipient_id, text, due_at, created_at, delivered_at
		FROM reminders WHERE `+cond+` ORDER BY id DESC LIMIT ? OFFSET ?`, append(args, limit, offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("find reminders: %w", err)
	}
	defer rows.Close()
	rs := []*warroom.Reminder{}
	for rows.Next() {
		var r warroom.Reminder
		if err := rows.Scan(&r.ID, &r.Kind, &r.TargetType, &r.TargetID, &r.IncidentID, &r.RecipientID, &r.Text, scanTime(&r.DueAt),
			scanTime(&r.CreatedAt), scanNullTime(&r.DeliveredAt)); err != nil {
			return nil, 0, fmt.Errorf("find reminders: %w", err)
		}
		rs = append(rs, &r)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("find reminders: %w", err)
	}
	return rs, n, tx.commit()
}

// MarkReminderDelivered records that a channel delivered a reminder.
func (db *DB) MarkReminderDelivered(ctx context.Context, id int64) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	res, err := tx.exec(ctx, `UPDATE reminders SET delivered_at = ? WHERE id = ? AND delivered_at IS NULL`, tx.now, id)
	if err != nil {
		return fmt.Errorf("mark reminder delivered: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		var x int
		if err := tx.queryRow(ctx, `SELECT 1 FROM reminders WHERE id = ?`, id).Scan(&x); err != nil {
			return warroom.Errorf(warroom.ENOTFOUND, "Reminder %d not found.", id)
		}
	}
	return tx.commit()
}
