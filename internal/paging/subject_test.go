package paging_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/engine"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

// TestReminderDelivery: an overdue action item's reminder goes to its
// owner through the outbox in the owner's language. While the SMTP relay
// is down, Bo's (email only) is retried and stays undelivered, while Ana's
// reaches her DingTalk; once the relay is back both mails arrive and every
// reminder is marked delivered.
func TestReminderDelivery(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engineName string) {
		h := newHarness(t, engineName)
		defer h.close()
		ctx, ana, bo, _, _ := setup(t, h, 5*time.Minute)
		inc := &warroom.Incident{Title: "订单卡住", Type: warroom.TypeSystemCrash, Severity: warroom.P3, SeverityReason: "orders"}
		if err := h.db.DeclareIncident(ctx, inc); err != nil {
			t.Fatal(err)
		}
		if _, err := h.db.TransitionIncident(ctx, inc.ID, warroom.StateResolved, "restarted"); err != nil {
			t.Fatal(err)
		}
		item := &warroom.ActionItem{IncidentID: inc.ID, Title: "给订单队列加监控", OwnerID: ana.ID, Kind: warroom.ActionPrevent, DueDate: h.clock.Now().Add(24 * time.Hour)}
		if err := h.db.CreateActionItem(ctx, item); err != nil {
			t.Fatal(err)
		}
		boItem := &warroom.ActionItem{IncidentID: inc.ID, Title: "Alert on queue depth", OwnerID: bo.ID, Kind: warroom.ActionDetect, DueDate: item.DueDate}
		if err := h.db.CreateActionItem(ctx, boItem); err != nil {
			t.Fatal(err)
		}
		reminders := engine.New(engine.Options{Now: h.clock.Now}, &engine.Reminders{Reminders: h.db})
		h.clock.Add(25 * time.Hour)

		h.mail.Down()
		reminders.Tick(context.Background())
		if st := reminders.Stats()["reminders"]; st.LastError != "" {
			t.Fatalf("reminders: %s", st.LastError)
		}
		h.tick()
		pending, _, err := h.db.FindReminders(ctx, warroom.ReminderFilter{Undelivered: true})
		if err != nil || len(pending) != 1 || pending[0].Kind != warroom.ReminderActionItemOverdue || pending[0].RecipientID != bo.ID {
			t.Fatalf("undelivered while SMTP is down = %+v (%v), want Bo's overdue reminder only", pending, err)
		}
		state := warroom.NotificationPending
		queued, _, err := h.db.FindNotifications(ctx, warroom.NotificationFilter{UserID: &bo.ID, State: &state})
		if err != nil || len(queued) == 0 || queued[0].Kind != warroom.NotifyReminder || queued[0].Attempts != 1 || queued[0].LastError == "" {
			t.Fatalf("outbox while SMTP is down = %+v (%v), want the reminder pending with a failed attempt", queued, err)
		}

		h.mail.Up()
		h.advance(5*time.Minute, time.Minute)
		var got []*mailMsg
		for _, m := range h.mail.To(ana.Email) {
			if strings.Contains(m.Subject, "改进项已逾期") {
				got = append(got, m)
			}
		}
		if len(got) != 1 || !strings.Contains(got[0].Subject, item.Title) || !strings.Contains(got[0].Body, "你负责的改进项") || !strings.Contains(got[0].Body, "/action-items") {
			t.Fatalf("reminder mails to Ana = %+v, want one in Chinese naming the item with a link", got)
		}
		boMail := h.mail.To(bo.Email)
		if last := boMail[len(boMail)-1]; last.Subject != "Action item overdue: "+boItem.Title || !strings.Contains(last.Body, "Your action item") {
			t.Errorf("Bo's last mail = %+v, want the reminder in English", last)
		}
		pending, _, err = h.db.FindReminders(ctx, warroom.ReminderFilter{Undelivered: true})
		if err != nil || len(pending) != 0 {
			t.Errorf("undelivered after the relay came back = %+v (%v), want none", pending, err)
		}
	})
}

// TestChangeNotifications walks a high-risk change through its life and
// checks who heard of each step over real SMTP: the approvers when it is
// submitted, the author of the decision and the rollback, the service's
// on-call engineer of the start and the end; and a change recorded
// without approval reaches the owning team's members.
func TestChangeNotifications(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engineName string) {
		h := newHarness(t, engineName)
		defer h.close()
		admin, ana, bo, cy, svc := setup(t, h, 5*time.Minute)
		cyCtx := warroom.NewContextWithUser(context.Background(), cy)
		boCtx := warroom.NewContextWithUser(context.Background(), bo)
		mails := func(u *warroom.User, subject string) []*mailMsg {
			var out []*mailMsg
			for _, m := range h.mail.To(u.Email) {
				if strings.Contains(m.Subject, subject) {
					out = append(out, m)
				}
			}
			return out
		}
		c := &warroom.Change{Kind: warroom.ChangeDeploy, Title: "Raise payment timeout", ServiceIDs: []int64{svc.ID},
			Evidence: warroom.Evidence{TestReport: "https://ci.example.com/1", RollbackPlan: "redeploy v41"}}
		if err := h.db.CreateChange(cyCtx, c); err != nil {
			t.Fatal(err)
		}
		if c.Risk != warroom.RiskHigh {
			t.Fatalf("risk = %s, want high (a deploy on a tier-1 service)", c.Risk)
		}
		if _, err := h.db.SubmitChange(cyCtx, c.ID); err != nil {
			t.Fatal(err)
		}
		h.tick()
		for _, u := range []*warroom.User{ana, bo} {
			if got := mails(u, c.Number); len(got) != 1 {
				t.Fatalf("%s got %d mails on submit, want the approval request", u.Name, len(got))
			}
		}
		if got := mails(ana, "请求审批"); len(got) != 1 {
			t.Errorf("Ana's approval request is not in Chinese: %+v", h.mail.To(ana.Email))
		}
		if got := mails(cy, c.Number); len(got) != 0 {
			t.Errorf("the author was asked to approve their own change: %+v", got)
		}

		if _, err := h.db.ApproveChange(boCtx, c.ID, "looks fine"); err != nil {
			t.Fatal(err)
		}
		h.tick()
		if got := mails(cy, "approved"); len(got) != 1 || !strings.Contains(got[0].Body, "looks fine") || !strings.Contains(got[0].Body, "/changes/") {
			t.Fatalf("author's decision mails = %+v", got)
		}

		// Whoever is on call for payments now hears of the start and end.
		before := map[int64]int{ana.ID: len(h.mail.To(ana.Email)), bo.ID: len(h.mail.To(bo.Email))}
		if _, err := h.db.StartChange(cyCtx, c.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := h.db.CompleteChange(cyCtx, c.ID, "done"); err != nil {
			t.Fatal(err)
		}
		h.tick()
		started := len(mails(ana, "高风险变更已开始")) + len(mails(bo, "high-risk change started"))
		ended := len(mails(ana, "高风险变更已结束")) + len(mails(bo, "high-risk change ended"))
		if started != 1 || ended != 1 {
			t.Fatalf("on-call start/end mails = %d/%d, want 1/1 (Ana %d new, Bo %d new)", started, ended,
				len(h.mail.To(ana.Email))-before[ana.ID], len(h.mail.To(bo.Email))-before[bo.ID])
		}

		if _, err := h.db.RollbackChange(boCtx, c.ID, "latency up"); err != nil {
			t.Fatal(err)
		}
		h.tick()
		if got := mails(cy, "rolled back"); len(got) != 1 || !strings.Contains(got[0].Body, "latency up") {
			t.Fatalf("author's rollback mails = %+v", got)
		}
		got, err := h.db.FindChangeByID(cyCtx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range got.Notifications {
			// The admin has no contact method: the request stays unsent
			// on record rather than vanishing.
			if reachable := n.UserID != warroom.UserFromContext(admin).ID; reachable != (n.SentAt != nil) {
				t.Errorf("notification %d (%s to %d) sent at %v, want sent only to people with a contact method", n.ID, n.Kind, n.UserID, n.SentAt)
			}
		}

		// A change reported after the fact violates the policy; the
		// payments team's members hear of it.
		team := &warroom.Team{Name: "Payments"}
		if err := h.db.CreateTeam(admin, team); err != nil {
			t.Fatal(err)
		}
		if err := h.db.AddTeamMember(admin, team.ID, bo.ID); err != nil {
			t.Fatal(err)
		}
		rec := &warroom.Change{Kind: warroom.ChangeConfiguration, Title: "Hotfix timeout flag", ServiceIDs: []int64{svc.ID}}
		if err := h.db.RecordChange(cyCtx, rec); err != nil {
			t.Fatal(err)
		}
		h.tick()
		if got := mails(bo, "change policy violated"); len(got) != 1 || !strings.Contains(got[0].Subject, rec.Number) {
			t.Errorf("team member's violation mails = %+v", got)
		}
		if got := mails(ana, "违反变更策略"); len(got) != 0 {
			t.Errorf("Ana is not on the team but got %+v", got)
		}
	})
}
