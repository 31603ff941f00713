package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

// changeEnv adds an author and an approver to env.
type changeEnv struct {
	*env
	svc      *warroom.Service
	author   *warroom.User
	authorX  context.Context
	approver *warroom.User
	approveX context.Context
}

func newChangeEnv(t *testing.T, engine string) *changeEnv {
	t.Helper()
	e := newEnv(t, engine)
	svc := &warroom.Service{Name: "orders", Team: "orders-team", Tier: 1}
	if err := e.db.CreateService(e.ctx, svc); err != nil {
		t.Fatal(err)
	}
	a, actx, _ := storetest.User(t, e.db, warroom.UserRoleResponder)
	b, bctx, _ := storetest.User(t, e.db, warroom.UserRoleResponder)
	return &changeEnv{env: e, svc: svc, author: a, authorX: actx, approver: b, approveX: bctx}
}

func (e *changeEnv) create(t *testing.T, c *warroom.Change) *warroom.Change {
	t.Helper()
	if c.Kind == "" {
		c.Kind = warroom.ChangeDeploy
	}
	if c.Title == "" {
		c.Title = "Release 2.4"
	}
	if c.ServiceIDs == nil {
		c.ServiceIDs = []int64{e.svc.ID}
	}
	if err := e.db.CreateChange(e.authorX, c); err != nil {
		t.Fatalf("CreateChange: %v", err)
	}
	return c
}

func (e *changeEnv) changeEvents(t *testing.T, id int64) []warroom.ChangeEventKind {
	t.Helper()
	es, err := e.db.FindChangeEvents(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []warroom.ChangeEventKind
	for _, ev := range es {
		kinds = append(kinds, ev.Kind)
	}
	return kinds
}

func TestChange_Create(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newChangeEnv(t, engine)
		t.Run("ProposesRisk", func(t *testing.T) {
			c := e.create(t, &warroom.Change{Links: []warroom.ChangeLink{{Title: "PR", URL: "https://git.example.com/pr/1"}}})
			if c.Risk != warroom.RiskHigh || c.ProposedRisk != warroom.RiskHigh || c.State != warroom.ChangeDraft {
				t.Errorf("risk %s proposed %s state %s, want high, high, draft", c.Risk, c.ProposedRisk, c.State)
			}
			if c.Number != warroom.FormatChangeNumber(c.ID) || c.AuthorID != e.author.ID || c.AuthorName != e.author.Name {
				t.Errorf("number %q author %d %q", c.Number, c.AuthorID, c.AuthorName)
			}
			if len(c.Services) != 1 || c.Services[0].Name != "orders" || len(c.Links) != 1 {
				t.Errorf("services %v links %v", c.Services, c.Links)
			}
			if n := len(e.audits(t, warroom.AuditChangeCreate)); n != 1 {
				t.Errorf("audit entries = %d, want 1", n)
			}
		})
		t.Run("OverrideNeedsReason", func(t *testing.T) {
			err := e.db.CreateChange(e.authorX, &warroom.Change{Kind: warroom.ChangeDeploy, Title: "x", ServiceIDs: []int64{e.svc.ID}, Risk: warroom.RiskLow})
			wantCode(t, err, warroom.EINVALID)
			wantField(t, err, "risk_reason")
			c := e.create(t, &warroom.Change{Risk: warroom.RiskLow, RiskReason: "feature flag off"})
			if c.Risk != warroom.RiskLow || c.ProposedRisk != warroom.RiskHigh {
				t.Errorf("risk %s proposed %s", c.Risk, c.ProposedRisk)
			}
			if got := e.changeEvents(t, c.ID); len(got) != 2 || got[1] != warroom.ChangeEventRiskOverride {
				t.Errorf("events = %v", got)
			}
		})
		t.Run("UnknownService", func(t *testing.T) {
			err := e.db.CreateChange(e.authorX, &warroom.Change{Kind: warroom.ChangeDeploy, Title: "x", ServiceIDs: []int64{999}})
			wantCode(t, err, warroom.ENOTFOUND)
		})
	})
}

func TestChange_PolicyGate(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newChangeEnv(t, engine)
		c := e.create(t, &warroom.Change{Evidence: warroom.Evidence{TestReport: "https://ci/1"}})

		t.Run("StartRefusedNamingWhatIsMissing", func(t *testing.T) {
			_, err := e.db.StartChange(e.authorX, c.ID)
			wantCode(t, err, warroom.ECONFLICT)
			for _, want := range []string{"rollback plan", "needs 1 approval"} {
				if !strings.Contains(warroom.ErrorMessage(err), want) {
					t.Errorf("message %q lacks %q", warroom.ErrorMessage(err), want)
				}
			}
			got, _ := e.db.FindChangeByID(context.Background(), c.ID)
			if got.State != warroom.ChangeDraft || got.StartedAt != nil {
				t.Errorf("refused start changed the change: %s %v", got.State, got.StartedAt)
			}
		})
		t.Run("AuthorCannotApprove", func(t *testing.T) {
			if _, err := e.db.SubmitChange(e.authorX, c.ID); err != nil {
				t.Fatal(err)
			}
			_, err := e.db.ApproveChange(e.authorX, c.ID, "lgtm")
			wantCode(t, err, warroom.EFORBIDDEN)
			if !strings.Contains(warroom.ErrorMessage(err), "author") {
				t.Errorf("message %q does not say why", warroom.ErrorMessage(err))
			}
			_, err = e.db.RejectChange(e.authorX, c.ID, "nah")
			wantCode(t, err, warroom.EFORBIDDEN)
		})
		t.Run("ExcludedRoleCannotApprove", func(t *testing.T) {
			viewer, vctx, _ := storetest.User(t, e.db, warroom.UserRoleViewer)
			_, err := e.db.ApproveChange(vctx, c.ID, "")
			wantCode(t, err, warroom.EFORBIDDEN)
			if !strings.Contains(warroom.ErrorMessage(err), string(viewer.Role)) {
				t.Errorf("message %q does not name the role", warroom.ErrorMessage(err))
			}
		})
		t.Run("ContractorCannotApprove", func(t *testing.T) {
			_, cctx, _ := storetest.User(t, e.db, warroom.UserRoleContractor)
			_, err := e.db.ApproveChange(cctx, c.ID, "")
			wantCode(t, err, warroom.EFORBIDDEN)
			if !strings.Contains(warroom.ErrorMessage(err), "contractor") {
				t.Errorf("message %q does not say why", warroom.ErrorMessage(err))
			}
		})
		t.Run("ApproveEvidenceStart", func(t *testing.T) {
			got, err := e.db.ApproveChange(e.approveX, c.ID, "reviewed")
			if err != nil {
				t.Fatal(err)
			}
			if got.State != warroom.ChangeApproved || len(got.Approvals) != 1 || got.Approvals[0].UserID != e.approver.ID {
				t.Fatalf("state %s approvals %v", got.State, got.Approvals)
			}
			// Submitting asked the approvers; approving tells the author.
			var decisions, requests []*warroom.ChangeNotification
			for _, n := range got.Notifications {
				switch n.Kind {
				case warroom.NotifyDecision:
					decisions = append(decisions, n)
				case warroom.NotifyApprovalRequest:
					requests = append(requests, n)
				}
			}
			if len(decisions) != 1 || decisions[0].UserID != e.author.ID {
				t.Errorf("decisions = %+v, want one to the author", decisions)
			}
			for _, n := range requests {
				if n.UserID == e.author.ID {
					t.Errorf("the author was asked to approve their own change")
				}
			}
			if len(requests) == 0 {
				t.Errorf("no approval requests among %d notifications", len(got.Notifications))
			}
			_, err = e.db.ApproveChange(e.approveX, c.ID, "again")
			wantCode(t, err, warroom.ECONFLICT)
			_, err = e.db.StartChange(e.authorX, c.ID)
			wantCode(t, err, warroom.ECONFLICT)
			plan := "kubectl rollout undo deploy/orders"
			if _, err := e.db.UpdateChange(e.authorX, c.ID, warroom.ChangeUpdate{RollbackPlan: &plan}); err != nil {
				t.Fatal(err)
			}
			got, err = e.db.StartChange(e.authorX, c.ID)
			if err != nil {
				t.Fatalf("StartChange: %v", err)
			}
			if got.State != warroom.ChangeInProgress || got.StartedAt == nil || got.Violated() {
				t.Errorf("state %s started %v violations %v", got.State, got.StartedAt, got.Violations)
			}
			e.clock.Add(10 * time.Minute)
			if got, err = e.db.CompleteChange(e.authorX, c.ID, "done"); err != nil || got.State != warroom.ChangeCompleted || got.EndedAt == nil {
				t.Fatalf("CompleteChange: %v %+v", err, got)
			}
			want := []warroom.ChangeEventKind{warroom.ChangeEventCreated, warroom.ChangeEventEvidence, warroom.ChangeEventState,
				warroom.ChangeEventApproval, warroom.ChangeEventState, warroom.ChangeEventEvidence, warroom.ChangeEventUpdated,
				warroom.ChangeEventState, warroom.ChangeEventState}
			if got := e.changeEvents(t, c.ID); !equalKinds(got, want) {
				t.Errorf("timeline = %v, want %v", got, want)
			}
			if n := len(e.audits(t, warroom.AuditChangeTransition)); n != 4 {
				t.Errorf("transition audit entries = %d, want 4", n)
			}
			if n := len(e.audits(t, warroom.AuditChangeApprove)); n != 1 {
				t.Errorf("approve audit entries = %d, want 1", n)
			}
		})
		t.Run("Reject", func(t *testing.T) {
			r := e.create(t, &warroom.Change{})
			if _, err := e.db.SubmitChange(e.authorX, r.ID); err != nil {
				t.Fatal(err)
			}
			got, err := e.db.RejectChange(e.approveX, r.ID, "no tests")
			if err != nil || got.State != warroom.ChangeRejected {
				t.Fatalf("RejectChange: %v %v", err, got)
			}
			_, err = e.db.StartChange(e.authorX, r.ID)
			wantCode(t, err, warroom.ECONFLICT)
		})
	})
}

func equalKinds(a, b []warroom.ChangeEventKind) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestChange_CustomPolicy checks that approver roles are configuration: a
// role left out of the list cannot approve, which is how a contractor role
// is excluded.
func TestChange_CustomPolicy(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newChangeEnv(t, engine)
		p := &warroom.ChangePolicy{Mode: warroom.PolicyEnforce, Rules: []warroom.ChangeRule{
			{Name: "admins only", Approvals: 1, ApproverRoles: []warroom.UserRole{warroom.UserRoleAdmin}, StarterRoles: []warroom.UserRole{warroom.UserRoleAdmin}},
		}}
		if err := e.db.UpdateChangePolicy(e.ctx, p); err != nil {
			t.Fatal(err)
		}
		if got, err := e.db.FindChangePolicy(context.Background()); err != nil || got.Rules[0].Name != "admins only" {
			t.Fatalf("FindChangePolicy = %v, %v", got, err)
		}
		err := e.db.UpdateChangePolicy(e.ctx, &warroom.ChangePolicy{Mode: "loose"})
		wantCode(t, err, warroom.EINVALID)

		c := e.create(t, &warroom.Change{})
		if _, err := e.db.SubmitChange(e.authorX, c.ID); err != nil {
			t.Fatal(err)
		}
		_, err = e.db.ApproveChange(e.approveX, c.ID, "")
		wantCode(t, err, warroom.EFORBIDDEN)
		if _, err := e.db.ApproveChange(e.ctx, c.ID, ""); err != nil {
			t.Fatalf("admin approval: %v", err)
		}
		_, err = e.db.StartChange(e.authorX, c.ID)
		wantCode(t, err, warroom.EFORBIDDEN)
		if _, err := e.db.StartChange(e.ctx, c.ID); err != nil {
			t.Fatalf("admin start: %v", err)
		}
	})
}

func TestChange_Freeze(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newChangeEnv(t, engine)
		low := &warroom.Service{Name: "blog", Team: "web", Tier: 4}
		if err := e.db.CreateService(e.ctx, low); err != nil {
			t.Fatal(err)
		}
		now := e.clock.Now()
		f := &warroom.FreezeWindow{Name: "Double 11", Reason: "promotion", StartsAt: now.Add(-time.Hour), EndsAt: now.Add(48 * time.Hour), ServiceIDs: []int64{low.ID}}
		if err := e.db.CreateFreezeWindow(e.ctx, f); err != nil {
			t.Fatal(err)
		}
		other := e.create(t, &warroom.Change{Kind: warroom.ChangeConfiguration, ServiceIDs: []int64{e.svc.ID}, Risk: warroom.RiskLow, RiskReason: "flag"})
		c := e.create(t, &warroom.Change{Kind: warroom.ChangeOther, ServiceIDs: []int64{low.ID}})
		if c.Risk != warroom.RiskLow {
			t.Fatalf("risk = %s, want low", c.Risk)
		}

		t.Run("Refused", func(t *testing.T) {
			_, err := e.db.StartChange(e.authorX, c.ID)
			wantCode(t, err, warroom.ECONFLICT)
			if !strings.Contains(warroom.ErrorMessage(err), "Double 11") {
				t.Errorf("message %q does not name the freeze", warroom.ErrorMessage(err))
			}
		})
		t.Run("OtherServiceUnaffected", func(t *testing.T) {
			if _, err := e.db.StartChange(e.authorX, other.ID); err != nil {
				t.Fatalf("StartChange: %v", err)
			}
		})
		t.Run("ExceptionNeedsReason", func(t *testing.T) {
			_, err := e.db.GrantFreezeException(e.ctx, f.ID, c.ID, " ")
			wantCode(t, err, warroom.EINVALID)
			wantField(t, err, "reason")
		})
		t.Run("Exception", func(t *testing.T) {
			if _, err := e.db.GrantFreezeException(e.ctx, f.ID, c.ID, "fixes checkout"); err != nil {
				t.Fatal(err)
			}
			_, err := e.db.GrantFreezeException(e.ctx, f.ID, c.ID, "again")
			wantCode(t, err, warroom.ECONFLICT)
			if _, err := e.db.StartChange(e.authorX, c.ID); err != nil {
				t.Fatalf("StartChange with exception: %v", err)
			}
			if n := len(e.audits(t, warroom.AuditFreezeException)); n != 1 {
				t.Errorf("exception audit entries = %d, want 1", n)
			}
		})
		t.Run("List", func(t *testing.T) {
			to := now.Add(time.Hour)
			fs, err := e.db.FindFreezeWindows(context.Background(), warroom.FreezeFilter{From: &now, To: &to})
			if err != nil || len(fs) != 1 || len(fs[0].Exceptions) != 1 || len(fs[0].Services) != 1 {
				t.Fatalf("FindFreezeWindows = %v, %v", fs, err)
			}
			later := now.Add(72 * time.Hour)
			end := later.Add(time.Hour)
			if fs, _ := e.db.FindFreezeWindows(context.Background(), warroom.FreezeFilter{From: &later, To: &end}); len(fs) != 0 {
				t.Errorf("windows after the freeze = %d, want 0", len(fs))
			}
			if err := e.db.DeleteFreezeWindow(e.ctx, f.ID); err != nil {
				t.Fatal(err)
			}
			wantCode(t, e.db.DeleteFreezeWindow(e.ctx, f.ID), warroom.ENOTFOUND)
		})
	})
}

func TestChange_RecordMode(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newChangeEnv(t, engine)
		p := warroom.DefaultChangePolicy()
		p.Mode = warroom.PolicyRecord
		if err := e.db.UpdateChangePolicy(e.ctx, &p); err != nil {
			t.Fatal(err)
		}
		c := e.create(t, &warroom.Change{})
		got, err := e.db.StartChange(e.authorX, c.ID)
		if err != nil {
			t.Fatalf("record mode refused: %v", err)
		}
		if got.State != warroom.ChangeInProgress || !got.Violated() {
			t.Fatalf("state %s violations %v, want in progress and flagged", got.State, got.Violations)
		}
		codes := map[string]bool{}
		for _, v := range got.Violations {
			codes[v.Code] = true
		}
		if !codes[warroom.ViolationMissingEvidence] || !codes[warroom.ViolationApprovals] {
			t.Errorf("violations = %v", codes)
		}
		var owner *warroom.ChangeNotification
		for _, n := range got.Notifications {
			if n.Kind == warroom.NotifyViolation {
				owner = n
			}
		}
		if owner == nil || owner.Team != "orders-team" || !strings.Contains(owner.Text, c.Number) {
			t.Errorf("owner notification = %+v, want one to orders-team naming %s", owner, c.Number)
		}
		if n := len(e.audits(t, warroom.AuditChangeViolation)); n != len(got.Violations) {
			t.Errorf("violation audit entries = %d, want %d", n, len(got.Violations))
		}
		violated := true
		list, _, err := e.db.FindChanges(context.Background(), warroom.ChangeFilter{Violated: &violated})
		if err != nil || len(list) != 1 || list[0].ID != c.ID {
			t.Errorf("violated changes = %v, %v", list, err)
		}
	})
}

func TestChange_Record(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newChangeEnv(t, engine)
		at := e.clock.Now().Add(-2 * time.Hour)
		c := &warroom.Change{Kind: warroom.ChangeDeploy, Title: "Deploy from PagerDuty", ServiceIDs: []int64{e.svc.ID}, Source: warroom.SourcePagerDuty, StartedAt: &at}
		if err := e.db.RecordChange(context.Background(), c); err != nil {
			t.Fatal(err)
		}
		// The deploy to a tier-1 service is high risk and brought no
		// evidence; TestChange_RecordJudgedByPolicy checks every violation.
		if c.State != warroom.ChangeCompleted || !c.StartedAt.Equal(at) || len(c.Violations) != 2 || c.Violations[0].Code != warroom.ViolationWithoutApproval {
			t.Errorf("recorded change: state %s started %v violations %v", c.State, c.StartedAt, c.Violations)
		}
		wantCode(t, e.db.RecordChange(context.Background(), &warroom.Change{Kind: warroom.ChangeDeploy}), warroom.EINVALID)
	})
}

// TestChange_IncidentCorrelation checks the brief's window: changes to the
// incident's services in progress or ended within the hours before
// detection, newest first, and nothing else.
func TestChange_IncidentCorrelation(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newChangeEnv(t, engine)
		other := e.service(t, "search")
		t0 := e.clock.Now()
		record := func(title string, svc int64, at time.Time) *warroom.Change {
			c := &warroom.Change{Kind: warroom.ChangeDeploy, Title: title, ServiceIDs: []int64{svc}, Source: warroom.SourcePagerDuty, StartedAt: &at}
			if err := e.db.RecordChange(context.Background(), c); err != nil {
				t.Fatal(err)
			}
			return c
		}
		// Detection is at t0+32h; the default window opens at t0+8h.
		e.clock.Add(30 * time.Hour)
		record("two days ago", e.svc.ID, t0)
		evening := record("the evening before", e.svc.ID, t0.Add(12*time.Hour))
		unrelated := record("other service", other.ID, t0.Add(12*time.Hour))
		running := e.create(t, &warroom.Change{Kind: warroom.ChangeConfiguration, Title: "still running", Risk: warroom.RiskLow, RiskReason: "flag"})
		if _, err := e.db.StartChange(e.authorX, running.ID); err != nil {
			t.Fatal(err)
		}
		e.clock.Add(2 * time.Hour)
		inc := e.declare(t, &warroom.Incident{Title: "Orders failing", ServiceIDs: []int64{e.svc.ID}})
		e.clock.Add(time.Hour)
		record("after detection", e.svc.ID, e.clock.Now())

		got, err := e.db.FindIncidentChanges(context.Background(), inc.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		var titles []string
		for _, cc := range got {
			titles = append(titles, cc.Change.Title)
		}
		want := []string{"still running", "the evening before"}
		if strings.Join(titles, "|") != strings.Join(want, "|") {
			t.Fatalf("correlated = %q, want %q", titles, want)
		}
		if got[1].SuspectedCause || !got[1].Change.Violated() {
			t.Errorf("evening change: suspected %v violated %v", got[1].SuspectedCause, got[1].Change.Violated())
		}
		narrow, _ := e.db.FindIncidentChanges(context.Background(), inc.ID, time.Hour)
		if len(narrow) != 1 || narrow[0].Change.ID != running.ID {
			t.Errorf("1h window = %d changes, want only the running one", len(narrow))
		}

		t.Run("SuspectedCause", func(t *testing.T) {
			if _, err := e.db.LinkSuspectedCause(e.ctx, inc.ID, evening.ID, "deployed the evening before"); err != nil {
				t.Fatal(err)
			}
			_, err := e.db.LinkSuspectedCause(e.ctx, inc.ID, evening.ID, "")
			wantCode(t, err, warroom.ECONFLICT)
			if _, err := e.db.LinkSuspectedCause(e.ctx, inc.ID, unrelated.ID, "outside the services"); err != nil {
				t.Fatal(err)
			}
			causes, err := e.db.FindSuspectedCauses(context.Background(), inc.ID)
			if err != nil || len(causes) != 2 || causes[0].Change == nil || causes[0].Change.ID != evening.ID || causes[0].Note == "" {
				t.Fatalf("FindSuspectedCauses = %+v, %v", causes, err)
			}
			got, _ := e.db.FindIncidentChanges(context.Background(), inc.ID, 0)
			if len(got) != 3 {
				t.Fatalf("with links: %d changes, want 3 (a linked change always shows)", len(got))
			}
			if n := len(e.events(t, inc.ID, warroom.EventChangeLinked)); n != 2 {
				t.Errorf("change_linked events = %d, want 2", n)
			}
			if err := e.db.UnlinkSuspectedCause(e.ctx, inc.ID, unrelated.ID); err != nil {
				t.Fatal(err)
			}
			wantCode(t, e.db.UnlinkSuspectedCause(e.ctx, inc.ID, unrelated.ID), warroom.ENOTFOUND)
		})
		t.Run("RollbackNotifiesAuthor", func(t *testing.T) {
			c, err := e.db.RollbackIncidentChange(e.ctx, inc.ID, running.ID, "suspected")
			if err != nil {
				t.Fatal(err)
			}
			if c.State != warroom.ChangeRolledBack {
				t.Errorf("state = %s", c.State)
			}
			var n *warroom.ChangeNotification
			for _, x := range c.Notifications {
				if x.Kind == warroom.NotifyRollback {
					n = x
				}
			}
			if n == nil || n.UserID != e.author.ID || !strings.Contains(n.Text, "suspected") {
				t.Errorf("rollback notification = %+v", n)
			}
			if len(e.events(t, inc.ID, warroom.EventChangeRolledBack)) != 1 {
				t.Errorf("no change_rolled_back event on the incident")
			}
			_, err = e.db.RollbackIncidentChange(e.ctx, inc.ID, running.ID, "")
			wantCode(t, err, warroom.ECONFLICT)
		})
	})
}
