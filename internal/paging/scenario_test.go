package paging_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

// setup creates the on-call world of the scenarios: Ana is on call on the
// primary schedule (level 1, email and DingTalk), Bo is level 2 (email),
// Cy commands; the payments service escalates by the policy.
func setup(t *testing.T, h *harness, levelDelay time.Duration) (ctx context.Context, ana, bo, cy *warroom.User, svc *warroom.Service) {
	admin := &warroom.User{Name: "Admin", Email: "admin@example.com", Role: warroom.UserRoleAdmin}
	if err := h.db.CreateUser(context.Background(), admin); err != nil {
		t.Fatal(err)
	}
	ctx = warroom.NewContextWithUser(context.Background(), admin)
	ana = h.person(ctx, "Ana", "zh-CN", true)
	bo = h.person(ctx, "Bo", "en", false)
	cy = h.person(ctx, "Cy", "en", false)
	sched := &warroom.Schedule{Name: "primary", TimeZone: "Asia/Shanghai", Team: "payments",
		Layers: []warroom.ScheduleLayer{{Name: "weekly", Rotation: warroom.RotationWeekly, Start: "2025-02-24T10:00", UserIDs: []int64{ana.ID, bo.ID}}}}
	if err := h.db.CreateSchedule(ctx, sched); err != nil {
		t.Fatal(err)
	}
	policy := &warroom.EscalationPolicy{Name: "payments", Levels: []warroom.EscalationLevel{
		{DelaySeconds: int64(levelDelay / time.Second), Targets: []warroom.EscalationTarget{{Type: warroom.TargetSchedule, ID: sched.ID}}},
		{DelaySeconds: int64(levelDelay / time.Second), Targets: []warroom.EscalationTarget{{Type: warroom.TargetUser, ID: bo.ID}}},
	}}
	if err := h.db.CreateEscalationPolicy(ctx, policy); err != nil {
		t.Fatal(err)
	}
	svc = &warroom.Service{Name: "payments", Tier: 1, Team: "payments"}
	if err := h.db.CreateService(ctx, svc); err != nil {
		t.Fatal(err)
	}
	if err := h.db.SetServiceEscalationPolicy(ctx, svc.ID, policy.ID); err != nil {
		t.Fatal(err)
	}
	return ctx, ana, bo, cy, svc
}

// TestEscalationScenario: a P1 opens → level 1 is paged by email and
// DingTalk → nobody acknowledges for 5 minutes (the process restarts in
// between) → level 2 is paged → Bo acknowledges through the signed link →
// escalation stops → at 80 % of the resolve target the commander is warned.
func TestEscalationScenario(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		h := newHarness(t, engine)
		defer h.close()
		ctx, ana, bo, cy, svc := setup(t, h, 5*time.Minute)

		inc := &warroom.Incident{Title: "支付网关超时", Type: warroom.TypeSystemCrash, Severity: warroom.P1, ServiceIDs: []int64{svc.ID}}
		if err := h.db.DeclareIncident(ctx, inc); err != nil {
			t.Fatal(err)
		}
		declared := h.clock.Now()
		h.tick()

		t.Run("level 1 paged by email and DingTalk", func(t *testing.T) {
			mails := h.mail.To(ana.Email)
			last := mails[len(mails)-1]
			if !strings.Contains(last.Subject, inc.Number) || !strings.Contains(last.Body, "第 1 级") {
				t.Errorf("Ana's email: %q / %q", last.Subject, last.Body)
			}
			texts := h.robot.Texts()
			if got := texts[len(texts)-1]; !strings.Contains(got, inc.Number) || !strings.Contains(got, "/l/") {
				t.Errorf("Ana's DingTalk message: %q", got)
			}
			if n := len(h.mail.To(bo.Email)); n != 1 { // only the verification code
				t.Errorf("Bo got %d emails, want none but his code", n)
			}
			if got := h.events(inc.ID, warroom.EventNotificationSent); len(got) != 2 {
				t.Errorf("got %d notification_sent events, want 2", len(got))
			}
		})

		h.advance(4*time.Minute, time.Minute)
		h.restart() // nothing is in memory; the timer is a column
		if n := len(h.mail.To(bo.Email)); n != 1 {
			t.Fatalf("after 4 minutes Bo got %d emails, want only his code", n)
		}
		h.clock.Add(time.Minute)
		h.tick()
		h.tick() // a second tick must not page again

		t.Run("level 2 paged once after 5 minutes", func(t *testing.T) {
			mails := h.mail.To(bo.Email)
			if len(mails) != 2 || !strings.Contains(mails[1].Body, "escalation level 2") {
				t.Fatalf("Bo's emails: %+v", mails)
			}
			if got := h.events(inc.ID, warroom.EventEscalated); len(got) != 2 {
				t.Errorf("got %d escalated events, want 2", len(got))
			}
		})

		t.Run("acknowledge through the signed link", func(t *testing.T) {
			mails := h.mail.To(bo.Email)
			ack := link(t, mails[1].Body, "Acknowledge")
			u, _ := url.Parse(ack)
			target := h.links.URL + u.Path
			resp, err := http.Get(target)
			if err != nil {
				t.Fatal(err)
			}
			page, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), `method="post"`) {
				t.Fatalf("GET: %d %s", resp.StatusCode, page)
			}
			if got, _ := h.db.FindIncidentByID(ctx, inc.ID); got.AcknowledgedAt != nil {
				t.Fatal("GET acknowledged the incident; only POST may")
			}
			resp, err = http.Post(target, "application/x-www-form-urlencoded", nil)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("POST: %d", resp.StatusCode)
			}
			got, _ := h.db.FindIncidentByID(ctx, inc.ID)
			if got.State != warroom.StateAcknowledged {
				t.Fatalf("state %s, want acknowledged", got.State)
			}
			changes := h.events(inc.ID, warroom.EventStateChanged)
			if len(changes) != 1 || changes[0].ActorID != bo.ID {
				t.Errorf("state change attributed to %+v, want Bo (%d)", changes, bo.ID)
			}
			bad, _ := http.Post(h.links.URL+"/l/"+inc.Number+".1.acknowledge.9999999999.forged", "", nil)
			if bad.StatusCode != http.StatusNotFound {
				t.Errorf("forged link: got %d, want 404", bad.StatusCode)
			}
		})

		t.Run("escalation stops", func(t *testing.T) {
			before := len(h.mail.To(bo.Email)) + len(h.mail.To(ana.Email))
			h.advance(30*time.Minute, 5*time.Minute)
			if after := len(h.mail.To(bo.Email)) + len(h.mail.To(ana.Email)); after != before {
				t.Errorf("got %d more emails after the acknowledgement", after-before)
			}
			es, err := h.db.FindEscalations(ctx, inc.ID)
			if err != nil || len(es) != 1 || es[0].StopReason != "acknowledged" || es[0].NextAt != nil {
				t.Errorf("escalations: %+v %v", es, err)
			}
		})

		t.Run("SLA resolve warning at 80% reaches the commander", func(t *testing.T) {
			if _, err := h.db.AssignRole(ctx, inc.ID, warroom.RoleCommander, cy.ID); err != nil {
				t.Fatal(err)
			}
			// P1: resolve within 2 days; 80 % is 38h24m after detection.
			warnAt := declared.Add(38*time.Hour + 24*time.Minute)
			h.clock.Add(warnAt.Add(-time.Minute).Sub(h.clock.Now()))
			h.tick()
			if got := h.events(inc.ID, warroom.EventSLAWarning); len(got) != 0 {
				t.Fatalf("warning before 80%%: %+v", got)
			}
			h.clock.Add(time.Minute)
			h.tick()
			warnings := h.events(inc.ID, warroom.EventSLAWarning)
			if len(warnings) != 1 || !strings.Contains(warnings[0].Text, "resolve") {
				t.Fatalf("warnings: %+v", warnings)
			}
			mails := h.mail.To(cy.Email)
			if last := mails[len(mails)-1]; !strings.Contains(last.Subject, "resolve target due soon") {
				t.Errorf("Cy's last email: %q", last.Subject)
			}
			if got := h.events(inc.ID, warroom.EventSLABreach); len(got) != 0 {
				t.Errorf("breach before the target: %+v", got)
			}
		})
	})
}

// TestSMTPOutageScenario: the SMTP relay is down for 10 minutes. The page
// goes out on DingTalk at once, email is retried with back-off, delivered
// after recovery, exactly once, and every attempt is on the timeline.
func TestSMTPOutageScenario(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		h := newHarness(t, engine)
		defer h.close()
		ctx, ana, _, _, svc := setup(t, h, 30*time.Minute)
		mailsBefore := len(h.mail.To(ana.Email))
		dingBefore := len(h.robot.Texts())

		h.mail.Down()
		inc := &warroom.Incident{Title: "orders stuck", Type: warroom.TypeSystemCrash, Severity: warroom.P1, ServiceIDs: []int64{svc.ID}}
		if err := h.db.DeclareIncident(ctx, inc); err != nil {
			t.Fatal(err)
		}
		h.tick()
		if got := len(h.robot.Texts()) - dingBefore; got != 1 {
			t.Fatalf("DingTalk got %d messages while SMTP is down, want 1", got)
		}
		h.advance(10*time.Minute, 30*time.Second)
		if got := len(h.mail.To(ana.Email)) - mailsBefore; got != 0 {
			t.Fatalf("got %d emails while the relay was down", got)
		}
		retries := h.events(inc.ID, warroom.EventNotificationRetry)
		if len(retries) < 4 {
			t.Errorf("got %d retries in 10 minutes, want back-off attempts", len(retries))
		}
		h.mail.Up()
		h.advance(10*time.Minute, 30*time.Second)

		mails := h.mail.To(ana.Email)[mailsBefore:]
		if len(mails) != 1 || !strings.Contains(mails[0].Subject, inc.Number) {
			t.Fatalf("after recovery Ana got %d emails: %+v, want the page once", len(mails), mails)
		}
		if got := len(h.robot.Texts()) - dingBefore; got != 1 {
			t.Errorf("DingTalk got %d messages, want exactly 1", got)
		}
		if got := h.events(inc.ID, warroom.EventNotificationFailed); len(got) != 0 {
			t.Errorf("failures: %+v", got)
		}
		ns, _, err := h.db.FindNotifications(ctx, warroom.NotificationFilter{IncidentID: &inc.ID})
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range ns {
			if n.State != warroom.NotificationSent {
				t.Errorf("notification %d (%s) is %s: %s", n.ID, n.ContactType, n.State, n.LastError)
			}
			if n.UserID == ana.ID && n.Kind == warroom.NotifyPage && n.ContactType == warroom.ContactEmail && n.Attempts < 5 {
				t.Errorf("email took %d attempts, want the retries counted", n.Attempts)
			}
		}
	})
}
