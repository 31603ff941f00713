package store_test

import (
	"testing"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

// resolvedP1 declares a P1 with a commander and resolves it an hour later.
func resolvedP1(t *testing.T, e *env, commander *warroom.User) *warroom.Incident {
	t.Helper()
	inc := e.declare(t, &warroom.Incident{Title: "Payments down after release", Summary: "Checkout failed for all card payments", Severity: warroom.P1, SeverityReason: "card payments down"})
	if _, err := e.db.AssignRole(e.ctx, inc.ID, warroom.RoleCommander, commander.ID); err != nil {
		t.Fatalf("AssignRole: %v", err)
	}
	e.clock.Add(5 * time.Minute)
	if _, err := e.db.TransitionIncident(e.ctx, inc.ID, warroom.StateAcknowledged, ""); err != nil {
		t.Fatal(err)
	}
	e.clock.Add(20 * time.Minute)
	if _, err := e.db.TransitionIncident(e.ctx, inc.ID, warroom.StateMitigated, "rolled back release 42"); err != nil {
		t.Fatal(err)
	}
	e.clock.Add(35 * time.Minute)
	inc, err := e.db.TransitionIncident(e.ctx, inc.ID, warroom.StateResolved, "fixed the card token migration")
	if err != nil {
		t.Fatal(err)
	}
	return inc
}

// TestPostmortemLifecycle is the "done when": a resolved P1 gets a
// postmortem due date, reminders fire when it is late, and its whys and
// action items are tracked to completion.
func TestPostmortemLifecycle(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		commander, cctx, _ := storetest.User(t, e.db, warroom.UserRoleResponder)
		reviewer, rctx, _ := storetest.User(t, e.db, warroom.UserRoleResponder)
		inc := resolvedP1(t, e, commander)

		// The engine's tick creates the required draft with its due date:
		// resolved Sunday 10:00 is due five working days from Monday.
		got, err := e.db.RunReminders(e.ctx, e.clock.Now())
		if err != nil {
			t.Fatalf("RunReminders: %v", err)
		}
		if len(got) != 0 {
			t.Errorf("reminders right after resolution = %d, want 0", len(got))
		}
		p, err := e.db.FindPostmortemByIncident(e.ctx, inc.ID)
		if err != nil {
			t.Fatalf("FindPostmortemByIncident: %v", err)
		}
		wantDue := time.Date(2026, 3, 9, 10, 0, 0, 0, time.UTC)
		if p.DueAt == nil || !p.DueAt.Equal(wantDue) {
			t.Errorf("due = %v, want %v", p.DueAt, wantDue)
		}
		if p.AuthorID != commander.ID || p.Status != warroom.PostmortemDraft {
			t.Errorf("author %d status %s, want commander %d and draft", p.AuthorID, p.Status, commander.ID)
		}
		if len(p.Whys) != 5 || p.Whys[0].Question == "" {
			t.Errorf("whys from the default template = %d, want 5", len(p.Whys))
		}
		moments := map[string]bool{}
		for _, te := range p.Timeline {
			if te.Moment != "" {
				moments[te.Moment] = true
			}
		}
		for _, m := range []string{warroom.MomentDetected, warroom.MomentAcknowledged, warroom.MomentMitigated, warroom.MomentResolved} {
			if !moments[m] {
				t.Errorf("timeline does not mark %s: %+v", m, p.Timeline)
			}
		}
		if g := p.KeyMoments[3].GapSeconds; g != 35*60 {
			t.Errorf("mitigated→resolved gap = %d s, want %d", g, 35*60)
		}
		if _, err := e.db.CreatePostmortem(e.ctx, inc.ID, nil); warroom.ErrorCode(err) != warroom.ECONFLICT {
			t.Errorf("second postmortem: %v, want conflict", err)
		}

		// A day before the due date the author is reminded, once.
		e.clock.Add(wantDue.Sub(e.clock.Now()) - 23*time.Hour)
		got, err = e.db.RunReminders(e.ctx, e.clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].Kind != warroom.ReminderPostmortemDue || got[0].RecipientID != commander.ID {
			t.Fatalf("due reminders = %+v, want one postmortem_due to the commander", got)
		}
		if again, _ := e.db.RunReminders(e.ctx, e.clock.Now()); len(again) != 0 {
			t.Errorf("a repeated tick sent %d reminders again", len(again))
		}
		e.clock.Add(24 * time.Hour)
		got, _ = e.db.RunReminders(e.ctx, e.clock.Now())
		if len(got) != 1 || got[0].Kind != warroom.ReminderPostmortemOverdue {
			t.Fatalf("overdue reminders = %+v, want one postmortem_overdue", got)
		}
		if es := e.events(t, inc.ID, warroom.EventReminder); len(es) != 2 {
			t.Errorf("reminder events = %d, want 2", len(es))
		}
		if as := e.audits(t, warroom.AuditReminderSend); len(as) != 2 {
			t.Errorf("reminder audits = %d, want 2", len(as))
		}

		// Blameless hint: a person's name as a cause.
		sum := "Deploy by " + commander.Name + " was careless"
		whys := []warroom.Why{{ID: p.Whys[0].ID, Question: "Why did checkout fail?", Answer: "Card tokens were migrated without a backfill", Evidence: "migration log"}}
		p, err = e.db.UpdatePostmortem(cctx, p.ID, warroom.PostmortemUpdate{Summary: &sum, Whys: &whys,
			CauseCategory: ptr(warroom.CauseTechnical), CauseSubcategory: ptr("software_bug"), ContributingFactors: &[]string{"no canary"}})
		if err != nil {
			t.Fatalf("UpdatePostmortem: %v", err)
		}
		if len(p.Whys) != 1 || p.Whys[0].ID != whys[0].ID {
			t.Errorf("whys = %+v, want the first kept with its ID", p.Whys)
		}
		kinds := map[string]bool{}
		for _, h := range p.Hints {
			kinds[h.Kind] = true
		}
		if !kinds["person"] || !kinds["blame"] {
			t.Errorf("hints = %+v, want a person and a blame hint", p.Hints)
		}

		// An action item from the why, tracked to done.
		a := &warroom.ActionItem{IncidentID: inc.ID, OwnerID: commander.ID, DueDate: e.clock.Now().Add(72 * time.Hour),
			Kind: warroom.ActionPrevent, SourceType: warroom.SourceWhy, SourceID: p.Whys[0].ID}
		if err := e.db.CreateActionItem(e.ctx, a); err != nil {
			t.Fatalf("CreateActionItem: %v", err)
		}
		if a.Title != "Card tokens were migrated without a backfill" || a.PostmortemID == nil || *a.PostmortemID != p.ID {
			t.Errorf("item = %+v, want the why's answer as title and the postmortem linked", a)
		}

		// Workflow: the author cannot review; publishing needs an approval.
		if _, err := e.db.SubmitPostmortem(cctx, p.ID, []int64{commander.ID}); warroom.ErrorField(err) != "reviewer_ids" {
			t.Errorf("author as reviewer: %v", err)
		}
		if _, err := e.db.SubmitPostmortem(cctx, p.ID, []int64{reviewer.ID}); err != nil {
			t.Fatalf("SubmitPostmortem: %v", err)
		}
		if _, err := e.db.PublishPostmortem(cctx, p.ID); warroom.ErrorCode(err) != warroom.ECONFLICT {
			t.Errorf("publish without approval: %v, want conflict", err)
		}
		if _, err := e.db.ReviewPostmortem(cctx, p.ID, warroom.ReviewApproved, ""); warroom.ErrorCode(err) != warroom.EFORBIDDEN {
			t.Errorf("review by a non-reviewer: %v, want forbidden", err)
		}
		if _, err := e.db.ReviewPostmortem(rctx, p.ID, warroom.ReviewApproved, "clear"); err != nil {
			t.Fatalf("ReviewPostmortem: %v", err)
		}
		p, err = e.db.PublishPostmortem(cctx, p.ID)
		if err != nil {
			t.Fatalf("PublishPostmortem: %v", err)
		}
		if p.Status != warroom.PostmortemPublished || p.PublishedAt == nil || len(p.ActionItems) != 1 {
			t.Errorf("published = %s at %v with %d items", p.Status, p.PublishedAt, len(p.ActionItems))
		}
		if _, err := e.db.UpdatePostmortem(cctx, p.ID, warroom.PostmortemUpdate{Summary: &sum}); warroom.ErrorCode(err) != warroom.ECONFLICT {
			t.Errorf("edit after publishing: %v, want conflict", err)
		}

		// The item goes overdue: owner first, the commander's lead after
		// the escalation delay (here the owner is the commander, so the
		// escalation reaches them too: there is no team lead).
		e.clock.Add(73 * time.Hour)
		got, _ = e.db.RunReminders(e.ctx, e.clock.Now())
		if len(got) != 1 || got[0].Kind != warroom.ReminderActionItemOverdue || got[0].RecipientID != commander.ID {
			t.Fatalf("item reminders = %+v", got)
		}
		e.clock.Add(48 * time.Hour)
		got, _ = e.db.RunReminders(e.ctx, e.clock.Now())
		if len(got) != 1 || got[0].Kind != warroom.ReminderActionItemEscalated {
			t.Fatalf("escalations = %+v", got)
		}
		done := warroom.ActionDone
		a2, err := e.db.UpdateActionItem(cctx, a.ID, warroom.ActionItemUpdate{Status: &done})
		if err != nil {
			t.Fatalf("UpdateActionItem: %v", err)
		}
		if a2.DoneAt == nil {
			t.Errorf("done item has no done_at")
		}
		e.clock.Add(240 * time.Hour)
		if got, _ = e.db.RunReminders(e.ctx, e.clock.Now()); len(got) != 0 {
			t.Errorf("reminders after everything is done = %+v", got)
		}
		mine, n, err := e.db.FindReminders(e.ctx, warroom.ReminderFilter{RecipientID: &commander.ID})
		if err != nil || n != 4 || len(mine) != 4 {
			t.Errorf("commander's reminders = %d (%v), want 4", n, err)
		}
	})
}

func TestPostmortemPolicy(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		p, err := e.db.FindPostmortemPolicy(e.ctx)
		if err != nil || p.DueWorkingDays != 5 || len(p.RequiredSeverities) != 3 {
			t.Fatalf("default policy = %+v (%v)", p, err)
		}
		err = e.db.UpdatePostmortemPolicy(e.ctx, &warroom.PostmortemPolicy{RequiredSeverities: []warroom.Severity{"P9"}, DueWorkingDays: 5, EscalateAfterDays: 1})
		wantField(t, err, "required_severities[0]")
		if err := e.db.UpdatePostmortemPolicy(e.ctx, &warroom.PostmortemPolicy{RequiredSeverities: []warroom.Severity{warroom.P0}, DueWorkingDays: 3, EscalateAfterDays: 1}); err != nil {
			t.Fatal(err)
		}
		// A P1 is no longer required: the tick leaves it alone.
		commander, _, _ := storetest.User(t, e.db, warroom.UserRoleResponder)
		inc := resolvedP1(t, e, commander)
		if _, err := e.db.RunReminders(e.ctx, e.clock.Now()); err != nil {
			t.Fatal(err)
		}
		_, err = e.db.FindPostmortemByIncident(e.ctx, inc.ID)
		wantCode(t, err, warroom.ENOTFOUND)
	})
}

func TestPostmortemTemplates(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		ts, err := e.db.FindPostmortemTemplates(e.ctx)
		if err != nil || len(ts) != 1 || !ts[0].Default {
			t.Fatalf("templates = %+v (%v), want the built-in default", ts, err)
		}
		err = e.db.DeletePostmortemTemplate(e.ctx, ts[0].ID)
		wantCode(t, err, warroom.ECONFLICT)
		nt := &warroom.PostmortemTemplate{Name: "Security", Default: true, Summary: "Attack vector:", Whys: []string{"How did they get in?"}}
		if err := e.db.CreatePostmortemTemplate(e.ctx, nt); err != nil {
			t.Fatal(err)
		}
		inc := e.declare(t, &warroom.Incident{Title: "Leaked key", Type: warroom.TypeSecurityBreach})
		p, err := e.db.CreatePostmortem(e.ctx, inc.ID, nil)
		if err != nil {
			t.Fatal(err)
		}
		if p.Summary != "Attack vector:" || len(p.Whys) != 1 || p.DueAt != nil {
			t.Errorf("postmortem from new default = %q, %d whys, due %v", p.Summary, len(p.Whys), p.DueAt)
		}
		if err := e.db.DeletePostmortemTemplate(e.ctx, ts[0].ID); err != nil {
			t.Errorf("delete the old default: %v", err)
		}
		err = e.db.CreatePostmortemTemplate(e.ctx, &warroom.PostmortemTemplate{Name: ""})
		wantField(t, err, "name")
	})
}

func TestActionItemValidation(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		inc := e.declare(t, &warroom.Incident{Title: "Disk full"})
		other := e.declare(t, &warroom.Incident{Title: "Other"})
		note, err := e.db.AddNote(e.ctx, other.ID, warroom.NoteInput{Text: "add disk alerts"})
		if err != nil {
			t.Fatal(err)
		}
		due := e.clock.Now().Add(24 * time.Hour)
		for name, tc := range map[string]struct {
			a     warroom.ActionItem
			code  string
			field string
		}{
			"NoOwner":       {warroom.ActionItem{IncidentID: inc.ID, Title: "x", DueDate: due, Kind: warroom.ActionDetect}, warroom.EINVALID, "owner_id"},
			"BadKind":       {warroom.ActionItem{IncidentID: inc.ID, Title: "x", OwnerID: e.admin.ID, DueDate: due, Kind: "fix"}, warroom.EINVALID, "kind"},
			"BadLink":       {warroom.ActionItem{IncidentID: inc.ID, Title: "x", OwnerID: e.admin.ID, DueDate: due, Kind: warroom.ActionDetect, Links: []string{"javascript:alert(1)"}}, warroom.EINVALID, "links[0]"},
			"UnknownOwner":  {warroom.ActionItem{IncidentID: inc.ID, Title: "x", OwnerID: 999, DueDate: due, Kind: warroom.ActionDetect}, warroom.ENOTFOUND, "owner_id"},
			"ForeignSource": {warroom.ActionItem{IncidentID: inc.ID, OwnerID: e.admin.ID, DueDate: due, Kind: warroom.ActionDetect, SourceType: warroom.SourceEvent, SourceID: note.ID}, warroom.ENOTFOUND, "source_id"},
		} {
			t.Run(name, func(t *testing.T) {
				a := tc.a
				err := e.db.CreateActionItem(e.ctx, &a)
				if warroom.ErrorCode(err) != tc.code || warroom.ErrorField(err) != tc.field {
					t.Errorf("err = %v, want %s on %s", err, tc.code, tc.field)
				}
			})
		}
		// From a timeline event of the same incident, the text is the title.
		a := &warroom.ActionItem{IncidentID: other.ID, OwnerID: e.admin.ID, DueDate: due, Kind: warroom.ActionDetect, SourceType: warroom.SourceEvent, SourceID: note.ID}
		if err := e.db.CreateActionItem(e.ctx, a); err != nil || a.Title != "add disk alerts" {
			t.Errorf("from event: %+v (%v)", a, err)
		}
		items, n, err := e.db.FindActionItems(e.ctx, warroom.ActionItemFilter{OwnerID: &e.admin.ID})
		if err != nil || n != 1 || len(items) != 1 {
			t.Errorf("my items = %d (%v), want 1", n, err)
		}
	})
}
