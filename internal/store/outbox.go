package store

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/warroomhq/warroom"
)

// Reminders and change notices travel the paging outbox: the transaction
// that records one queues a notification per contact method of each
// recipient (by the recipient's notification rules, as a page would), so
// the pager's delivery module sends them with its retries and back-off and
// records every failure. A recipient with no verified contact method gets
// nothing queued; the reminder or notice then stays unsent on record
// (FindReminders with Undelivered, a change's notifications), which is
// where it is seen rather than lost.

// loadSubject fills what a reminder or change message is about.
func loadSubject(ctx context.Context, tx *tx, d *warroom.NotificationDelivery) error {
	var reminderID, noticeID int64
	if err := tx.queryRow(ctx, `SELECT reminder_id, change_notification_id FROM notifications WHERE id = ?`, d.ID).Scan(scanID(&reminderID), scanID(&noticeID)); err != nil {
		return fmt.Errorf("load subject: %w", err)
	}
	if reminderID != 0 {
		var r warroom.Reminder
		if err := tx.queryRow(ctx, `SELECT id, kind, target_type, target_id, incident_id, recipient_id, text, due_at, created_at, delivered_at
			FROM reminders WHERE id = ?`, reminderID).Scan(&r.ID, &r.Kind, &r.TargetType, &r.TargetID, &r.IncidentID, &r.RecipientID, &r.Text,
			scanTime(&r.DueAt), scanTime(&r.CreatedAt), scanNullTime(&r.DeliveredAt)); err != nil {
			return fmt.Errorf("load reminder %d: %w", reminderID, err)
		}
		d.Reminder = &r
		if r.TargetType == "action_item" {
			if err := tx.queryRow(ctx, `SELECT title FROM action_items WHERE id = ?`, r.TargetID).Scan(&d.TargetTitle); err != nil {
				return fmt.Errorf("load action item %d: %w", r.TargetID, err)
			}
		} else if d.Incident != nil {
			d.TargetTitle = d.Incident.Title
		}
	}
	if noticeID != 0 {
		var n warroom.ChangeNotification
		if err := tx.queryRow(ctx, `SELECT id, change_id, kind, user_id, team, text, created_at, sent_at FROM change_notifications WHERE id = ?`, noticeID).Scan(
			&n.ID, &n.ChangeID, &n.Kind, scanID(&n.UserID), &n.Team, &n.Text, scanTime(&n.CreatedAt), scanNullTime(&n.SentAt)); err != nil {
			return fmt.Errorf("load change notification %d: %w", noticeID, err)
		}
		d.ChangeNotice = &n
		c, err := loadChange(ctx, tx, n.ChangeID, false)
		if err != nil {
			return err
		}
		d.Change = c
	}
	return nil
}

// markSubjectSent records that the reminder or change notice a sent
// notification carried has reached its recipient; the first channel to
// succeed sets the time.
func markSubjectSent(ctx context.Context, tx *tx, notificationID int64) error {
	if _, err := tx.exec(ctx, `UPDATE reminders SET delivered_at = ? WHERE delivered_at IS NULL AND id = (SELECT reminder_id FROM notifications WHERE id = ?)`,
		tx.now, notificationID); err != nil {
		return fmt.Errorf("mark reminder delivered: %w", err)
	}
	if _, err := tx.exec(ctx, `UPDATE change_notifications SET sent_at = ? WHERE sent_at IS NULL AND id = (SELECT change_notification_id FROM notifications WHERE id = ?)`,
		tx.now, notificationID); err != nil {
		return fmt.Errorf("mark change notification sent: %w", err)
	}
	return nil
}

// queueReminder queues a recorded reminder for its recipient.
func queueReminder(ctx context.Context, tx *tx, r *warroom.Reminder) error {
	_, err := pageUser(ctx, tx, r.RecipientID, page{incidentID: r.IncidentID, kind: warroom.NotifyReminder, text: r.Text, reminderID: r.ID})
	return err
}

// queueChangeNotice queues a change notification for its user, or for
// every member of its team, and returns how many people it reaches.
func queueChangeNotice(ctx context.Context, tx *tx, noticeID, userID int64, team, text string) (int, error) {
	users := []int64{userID}
	if userID == 0 {
		var err error
		if users, err = selectIDs(ctx, tx, `SELECT m.user_id FROM team_members m JOIN teams t ON t.id = m.team_id JOIN users u ON u.id = m.user_id
			WHERE lower(t.name) = lower(?) AND u.active = ? ORDER BY m.user_id`, team, true); err != nil {
			return 0, fmt.Errorf("team members: %w", err)
		}
	}
	for _, uid := range users {
		if _, err := pageUser(ctx, tx, uid, page{kind: warroom.NotifyChange, text: text, changeNoticeID: noticeID}); err != nil {
			return 0, err
		}
	}
	return len(users), nil
}

// serviceOnCall returns who is on call for the services now: the first
// level of each service's escalation policy, resolved at the
// transaction's time, each person once.
func serviceOnCall(ctx context.Context, tx *tx, serviceIDs []int64) ([]int64, error) {
	if len(serviceIDs) == 0 {
		return nil, nil
	}
	policies, err := selectIDs(ctx, tx, `SELECT DISTINCT policy_id FROM service_escalation_policies WHERE service_id IN (`+placeholders(len(serviceIDs))+`) ORDER BY policy_id`,
		idArgs(serviceIDs)...)
	if err != nil {
		return nil, fmt.Errorf("service on call: %w", err)
	}
	var out []int64
	for _, id := range policies {
		p, err := findPolicy(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		if len(p.Levels) == 0 {
			continue
		}
		users, err := resolveTargets(ctx, tx, p.Levels[0].Targets)
		if err != nil {
			return nil, err
		}
		for _, u := range users {
			if !slices.Contains(out, u) {
				out = append(out, u)
			}
		}
	}
	return out, nil
}

// highRisk reports whether the on-call engineers hear of c's start and end.
func highRisk(c *warroom.Change) bool {
	return c.Risk == warroom.RiskHigh || c.Risk == warroom.RiskCritical
}

// notifyOnCall tells the on-call engineer of each service c touches that
// it started or ended.
func notifyOnCall(ctx context.Context, tx *tx, c *warroom.Change, kind string) error {
	if !highRisk(c) {
		return nil
	}
	users, err := serviceOnCall(ctx, tx, c.ServiceIDs)
	if err != nil {
		return err
	}
	verb := "started"
	if kind == warroom.NotifyChangeEnded {
		verb = "ended (" + string(c.State) + ")"
	}
	text := fmt.Sprintf("%s %s, a %s-risk %s on %s, %s.", c.Number, c.Title, c.Risk, c.Kind, serviceNames(c), verb)
	for _, u := range users {
		if err := notify(ctx, tx, c.ID, kind, u, "", text); err != nil {
			return err
		}
	}
	return nil
}

// notifyApprovers asks everyone who may approve c under the policy's rule
// for it, the author excepted, when the rule needs approvals at all.
func notifyApprovers(ctx context.Context, tx *tx, c *warroom.Change) error {
	p, err := findChangePolicy(ctx, tx)
	if err != nil {
		return err
	}
	r := p.RuleFor(c.Risk, changeTier(c), c.Kind)
	if r == nil || r.Approvals == 0 || len(r.ApproverRoles) == 0 {
		return nil
	}
	var roles []any
	for _, role := range r.ApproverRoles {
		if role != warroom.UserRoleContractor {
			roles = append(roles, string(role))
		}
	}
	if len(roles) == 0 {
		return nil
	}
	users, err := selectIDs(ctx, tx, `SELECT id FROM users WHERE active = ? AND id <> ? AND role IN (`+placeholders(len(roles))+`) ORDER BY id`,
		append([]any{true, c.AuthorID}, roles...)...)
	if err != nil {
		return fmt.Errorf("approvers: %w", err)
	}
	text := fmt.Sprintf("%s %s (%s risk, %s) by %s awaits your approval under rule %q.", c.Number, c.Title, c.Risk, serviceNames(c), c.AuthorName, r.Name)
	for _, u := range users {
		if err := notify(ctx, tx, c.ID, warroom.NotifyApprovalRequest, u, "", text); err != nil {
			return err
		}
	}
	return nil
}

func serviceNames(c *warroom.Change) string {
	names := make([]string, 0, len(c.Services))
	for _, s := range c.Services {
		names = append(names, s.Name)
	}
	return strings.Join(names, ", ")
}
