package warroom_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/warroomhq/warroom"
)

func TestProposeRisk(t *testing.T) {
	for _, tt := range []struct {
		kind warroom.ChangeKind
		tier int
		want warroom.Risk
	}{
		{warroom.ChangeDeploy, 1, warroom.RiskHigh},
		{warroom.ChangeDeploy, 2, warroom.RiskMedium},
		{warroom.ChangeDeploy, 3, warroom.RiskLow},
		{warroom.ChangeDeploy, 0, warroom.RiskMedium},
		{warroom.ChangeMigration, 1, warroom.RiskCritical},
		{warroom.ChangeMigration, 4, warroom.RiskMedium},
		{warroom.ChangeDataOperation, 2, warroom.RiskHigh},
		{warroom.ChangeConfiguration, 1, warroom.RiskMedium},
		{warroom.ChangeConfiguration, 4, warroom.RiskLow},
		{warroom.ChangeOther, 3, warroom.RiskLow},
		{warroom.ChangeInfrastructure, 1, warroom.RiskHigh},
	} {
		if got := warroom.ProposeRisk(tt.kind, tt.tier); got != tt.want {
			t.Errorf("ProposeRisk(%s, %d) = %s, want %s", tt.kind, tt.tier, got, tt.want)
		}
	}
}

// evidence builds evidence holding exactly the given kinds.
func evidence(kinds ...warroom.EvidenceKind) warroom.Evidence {
	at := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	var e warroom.Evidence
	for _, k := range kinds {
		switch k {
		case warroom.EvidenceTestReport:
			e.TestReport = "https://ci.example.com/run/1"
		case warroom.EvidenceRollbackPlan:
			e.RollbackPlan = "redeploy v1.2.3"
		case warroom.EvidenceBackup:
			e.BackupLocation, e.BackupVerifiedAt = "s3://backups/orders", &at
		case warroom.EvidenceAcceptance:
			e.AcceptedBy, e.AcceptedAt = "Li Na (PM)", &at
		}
	}
	return e
}

func approvals(authorID int64, roles ...warroom.UserRole) []*warroom.ChangeApproval {
	var as []*warroom.ChangeApproval
	for i, r := range roles {
		as = append(as, &warroom.ChangeApproval{UserID: authorID + int64(i) + 1, UserRole: r, Decision: warroom.DecisionApproved})
	}
	return as
}

// TestCheckStart is the policy table: risk × tier × evidence × approvals
// under the default policy.
func TestCheckStart(t *testing.T) {
	const (
		test     = warroom.EvidenceTestReport
		rollback = warroom.EvidenceRollbackPlan
		backup   = warroom.EvidenceBackup
		accept   = warroom.EvidenceAcceptance
		admin    = warroom.UserRoleAdmin
		resp     = warroom.UserRoleResponder
		viewer   = warroom.UserRoleViewer
	)
	p := warroom.DefaultChangePolicy()
	starter := &warroom.User{ID: 1, Role: resp, Active: true}
	for _, tt := range []struct {
		name      string
		kind      warroom.ChangeKind
		risk      warroom.Risk
		tier      int
		evidence  []warroom.EvidenceKind
		approvers []warroom.UserRole
		rule      string
		missing   []warroom.EvidenceKind
		problems  []string
	}{
		{name: "low needs nothing", kind: warroom.ChangeConfiguration, risk: warroom.RiskLow, tier: 4, rule: "low"},
		{name: "medium without test report", kind: warroom.ChangeDeploy, risk: warroom.RiskMedium, tier: 2, approvers: []warroom.UserRole{resp},
			rule: "medium", missing: []warroom.EvidenceKind{test}, problems: []string{warroom.ViolationMissingEvidence}},
		{name: "medium complete", kind: warroom.ChangeDeploy, risk: warroom.RiskMedium, tier: 2, evidence: []warroom.EvidenceKind{test}, approvers: []warroom.UserRole{resp}, rule: "medium"},
		{name: "medium unapproved", kind: warroom.ChangeDeploy, risk: warroom.RiskMedium, tier: 2, evidence: []warroom.EvidenceKind{test},
			rule: "medium", problems: []string{warroom.ViolationApprovals}},
		{name: "high deploy without rollback plan", kind: warroom.ChangeDeploy, risk: warroom.RiskHigh, tier: 1, evidence: []warroom.EvidenceKind{test}, approvers: []warroom.UserRole{admin},
			rule: "high", missing: []warroom.EvidenceKind{rollback}, problems: []string{warroom.ViolationMissingEvidence}},
		{name: "high deploy complete", kind: warroom.ChangeDeploy, risk: warroom.RiskHigh, tier: 1, evidence: []warroom.EvidenceKind{test, rollback}, approvers: []warroom.UserRole{resp}, rule: "high"},
		{name: "high migration needs a backup", kind: warroom.ChangeMigration, risk: warroom.RiskHigh, tier: 2, evidence: []warroom.EvidenceKind{test, rollback}, approvers: []warroom.UserRole{resp},
			rule: "data at risk", missing: []warroom.EvidenceKind{backup}, problems: []string{warroom.ViolationMissingEvidence}},
		{name: "medium data operation needs a backup", kind: warroom.ChangeDataOperation, risk: warroom.RiskMedium, tier: 4, evidence: []warroom.EvidenceKind{test, rollback, backup}, approvers: []warroom.UserRole{resp},
			rule: "data at risk"},
		{name: "critical one approval", kind: warroom.ChangeMigration, risk: warroom.RiskCritical, tier: 1, evidence: []warroom.EvidenceKind{test, rollback, backup, accept}, approvers: []warroom.UserRole{admin},
			rule: "critical", problems: []string{warroom.ViolationApprovals}},
		{name: "critical responder approvals do not count", kind: warroom.ChangeMigration, risk: warroom.RiskCritical, tier: 1, evidence: []warroom.EvidenceKind{test, rollback, backup, accept}, approvers: []warroom.UserRole{resp, resp},
			rule: "critical", problems: []string{warroom.ViolationApprovals}},
		{name: "critical complete", kind: warroom.ChangeMigration, risk: warroom.RiskCritical, tier: 1, evidence: []warroom.EvidenceKind{test, rollback, backup, accept}, approvers: []warroom.UserRole{admin, admin}, rule: "critical"},
		{name: "critical missing everything", kind: warroom.ChangeDeploy, risk: warroom.RiskCritical, tier: 1,
			rule: "critical", missing: []warroom.EvidenceKind{test, rollback, backup, accept}, problems: []string{warroom.ViolationMissingEvidence, warroom.ViolationApprovals}},
		{name: "viewer approvals do not count", kind: warroom.ChangeDeploy, risk: warroom.RiskMedium, tier: 2, evidence: []warroom.EvidenceKind{test}, approvers: []warroom.UserRole{viewer},
			rule: "medium", problems: []string{warroom.ViolationApprovals}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := &warroom.Change{ID: 9, Number: "CHG-9", Kind: tt.kind, Risk: tt.risk, AuthorID: 100, Evidence: evidence(tt.evidence...), Approvals: approvals(100, tt.approvers...)}
			chk := p.CheckStart(c, tt.tier, starter, nil)
			if chk.Rule != tt.rule {
				t.Errorf("rule = %q, want %q", chk.Rule, tt.rule)
			}
			if !slices.Equal(chk.MissingEvidence, tt.missing) && !(len(chk.MissingEvidence) == 0 && len(tt.missing) == 0) {
				t.Errorf("missing = %v, want %v", chk.MissingEvidence, tt.missing)
			}
			var codes []string
			for _, pr := range chk.Problems {
				codes = append(codes, pr.Code)
			}
			if !slices.Equal(codes, tt.problems) {
				t.Errorf("problems = %v (%v), want %v", codes, chk.Problems, tt.problems)
			}
			if got := chk.Err(c.Number) == nil; got != (len(tt.problems) == 0) {
				t.Errorf("Err = %v, want nil: %v", chk.Err(c.Number), len(tt.problems) == 0)
			}
		})
	}
}

func TestCheckStart_MessageNamesWhatIsMissing(t *testing.T) {
	p := warroom.DefaultChangePolicy()
	c := &warroom.Change{Number: "CHG-3", Kind: warroom.ChangeDeploy, Risk: warroom.RiskHigh, AuthorID: 1, Evidence: evidence(warroom.EvidenceTestReport)}
	err := p.CheckStart(c, 1, &warroom.User{ID: 1, Role: warroom.UserRoleResponder}, nil).Err(c.Number)
	if got := warroom.ErrorCode(err); got != warroom.ECONFLICT {
		t.Fatalf("code = %q, want %q", got, warroom.ECONFLICT)
	}
	msg := warroom.ErrorMessage(err)
	for _, want := range []string{"CHG-3", "rollback plan", "--rollback-plan", "needs 1 approval"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
	if strings.Contains(msg, "test report") {
		t.Errorf("message %q names evidence that is present", msg)
	}
}

func TestCanApprove(t *testing.T) {
	p := warroom.DefaultChangePolicy()
	c := &warroom.Change{Number: "CHG-1", Kind: warroom.ChangeDeploy, Risk: warroom.RiskMedium, AuthorID: 7}
	rule := p.RuleFor(c.Risk, 2, c.Kind)
	for _, tt := range []struct {
		name string
		user *warroom.User
		want string
	}{
		{"Author", &warroom.User{ID: 7, Name: "Ana", Role: warroom.UserRoleOwner}, warroom.EFORBIDDEN},
		{"Viewer", &warroom.User{ID: 8, Name: "Bo", Role: warroom.UserRoleViewer}, warroom.EFORBIDDEN},
		{"System", nil, warroom.EFORBIDDEN},
		{"Responder", &warroom.User{ID: 9, Name: "Cy", Role: warroom.UserRoleResponder}, ""},
		{"Admin", &warroom.User{ID: 10, Name: "Di", Role: warroom.UserRoleAdmin}, ""},
		{"Contractor", &warroom.User{ID: 11, Name: "Ed", Role: warroom.UserRoleContractor}, warroom.EFORBIDDEN},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := warroom.ErrorCode(rule.CanApprove(tt.user, c)); got != tt.want {
				t.Errorf("code = %q, want %q", got, tt.want)
			}
		})
	}
	// Every role outside the standard three (a contractor role among them)
	// is left out of every default rule.
	for _, r := range warroom.UserRoles {
		if r == warroom.UserRoleOwner || r == warroom.UserRoleAdmin || r == warroom.UserRoleResponder {
			continue
		}
		for _, rule := range p.Rules {
			if slices.Contains(rule.ApproverRoles, r) {
				t.Errorf("rule %q lets %s approve", rule.Name, r)
			}
		}
	}
}

func TestChangePolicy_Validate(t *testing.T) {
	for _, tt := range []struct {
		name  string
		edit  func(p *warroom.ChangePolicy)
		field string
	}{
		{"Default", func(*warroom.ChangePolicy) {}, ""},
		{"Mode", func(p *warroom.ChangePolicy) { p.Mode = "lenient" }, "mode"},
		{"Risk", func(p *warroom.ChangePolicy) { p.Rules[0].Risks = []warroom.Risk{"huge"} }, "rules[0].risks[0]"},
		{"Tier", func(p *warroom.ChangePolicy) { p.Rules[1].Tiers = []int{5} }, "rules[1].tiers[0]"},
		{"Evidence", func(p *warroom.ChangePolicy) { p.Rules[2].RequiredEvidence = []warroom.EvidenceKind{"vibes"} }, "rules[2].required_evidence[0]"},
		{"NoApprovers", func(p *warroom.ChangePolicy) { p.Rules[3].ApproverRoles = nil }, "rules[3].approver_roles"},
		{"Role", func(p *warroom.ChangePolicy) { p.Rules[3].StarterRoles = []warroom.UserRole{"root"} }, "rules[3].starter_roles[0]"},
		{"Approvals", func(p *warroom.ChangePolicy) { p.Rules[0].Approvals = -1 }, "rules[0].approvals"},
		{"Contractor", func(p *warroom.ChangePolicy) {
			p.Rules[3].ApproverRoles = append(p.Rules[3].ApproverRoles, warroom.UserRoleContractor)
		}, "rules[3].approver_roles[3]"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := warroom.DefaultChangePolicy()
			tt.edit(&p)
			if got := warroom.ErrorField(p.Validate()); got != tt.field {
				t.Errorf("field = %q (%v), want %q", got, p.Validate(), tt.field)
			}
		})
	}
}

func TestFreezeWindow_Covers(t *testing.T) {
	start := time.Date(2026, 11, 10, 0, 0, 0, 0, time.UTC)
	f := &warroom.FreezeWindow{Name: "11.11", StartsAt: start, EndsAt: start.Add(48 * time.Hour), ServiceIDs: []int64{1, 2}}
	all := &warroom.FreezeWindow{Name: "all", StartsAt: start, EndsAt: start.Add(time.Hour)}
	for _, tt := range []struct {
		name string
		f    *warroom.FreezeWindow
		at   time.Time
		ids  []int64
		want bool
	}{
		{"Before", f, start.Add(-time.Second), []int64{1}, false},
		{"AtStart", f, start, []int64{1}, true},
		{"Inside", f, start.Add(24 * time.Hour), []int64{3, 2}, true},
		{"AtEnd", f, start.Add(48 * time.Hour), []int64{1}, false},
		{"OtherService", f, start.Add(time.Hour), []int64{3}, false},
		{"AllServices", all, start.Add(time.Minute), []int64{42}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.f.Covers(tt.at, tt.ids); got != tt.want {
				t.Errorf("Covers = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestChangeTransitions(t *testing.T) {
	for _, tt := range []struct {
		from, to warroom.ChangeState
		ok       bool
	}{
		{warroom.ChangeDraft, warroom.ChangeSubmitted, true},
		{warroom.ChangeDraft, warroom.ChangeApproved, false},
		{warroom.ChangeSubmitted, warroom.ChangeApproved, true},
		{warroom.ChangeRejected, warroom.ChangeInProgress, false},
		{warroom.ChangeApproved, warroom.ChangeInProgress, true},
		{warroom.ChangeInProgress, warroom.ChangeCompleted, true},
		{warroom.ChangeCompleted, warroom.ChangeRolledBack, true},
		{warroom.ChangeCompleted, warroom.ChangeInProgress, false},
		{warroom.ChangeRolledBack, warroom.ChangeCompleted, false},
	} {
		err := warroom.CheckChangeTransition(tt.from, tt.to)
		if (err == nil) != tt.ok {
			t.Errorf("%s → %s: err = %v, want ok %v", tt.from, tt.to, err, tt.ok)
		}
	}
}

func TestChange_Validate(t *testing.T) {
	at := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	later := at.Add(time.Hour)
	ok := func() *warroom.Change {
		return &warroom.Change{Kind: warroom.ChangeDeploy, Title: "Release 1.2", ServiceIDs: []int64{1}}
	}
	for _, tt := range []struct {
		name  string
		edit  func(c *warroom.Change)
		field string
	}{
		{"OK", func(*warroom.Change) {}, ""},
		{"Kind", func(c *warroom.Change) { c.Kind = "yolo" }, "kind"},
		{"Title", func(c *warroom.Change) { c.Title = " " }, "title"},
		{"NoServices", func(c *warroom.Change) { c.ServiceIDs = nil }, "service_ids"},
		{"Link", func(c *warroom.Change) { c.Links = []warroom.ChangeLink{{URL: "javascript:alert(1)"}} }, "links[0].url"},
		{"HalfWindow", func(c *warroom.Change) { c.PlannedStart = &at }, "planned_end"},
		{"BackwardWindow", func(c *warroom.Change) { c.PlannedStart, c.PlannedEnd = &later, &at }, "planned_end"},
		{"Risk", func(c *warroom.Change) { c.Risk = "yikes" }, "risk"},
		{"RollbackPlan", func(c *warroom.Change) { c.Evidence.RollbackPlan = strings.Repeat("x", warroom.MaxTextLen+1) }, "evidence.rollback_plan"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := ok()
			tt.edit(c)
			if got := warroom.ErrorField(c.Validate()); got != tt.field {
				t.Errorf("field = %q (%v), want %q", got, c.Validate(), tt.field)
			}
		})
	}
}
