package warroom

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// PolicyMode says what happens to a change that breaks the policy.
type PolicyMode string

// Policy modes. Record mode exists for deploy tools that cannot wait for a
// human: the change goes ahead, but the violation is flagged and the
// services' owners are told.
const (
	PolicyEnforce PolicyMode = "enforce"
	PolicyRecord  PolicyMode = "record"
)

// ChangeRule says what a change must bring before it starts. It applies to
// changes of the listed risks, tiers and kinds; an empty list matches any.
type ChangeRule struct {
	Name  string       `json:"name"`
	Risks []Risk       `json:"risks"`
	Tiers []int        `json:"tiers"`
	Kinds []ChangeKind `json:"kinds"`

	RequiredEvidence []EvidenceKind `json:"required_evidence"`
	// Approvals is how many people other than the author must approve.
	Approvals int `json:"approvals"`
	// ApproverRoles may approve or reject. A role left out of the list
	// can never approve; the contractor role is refused even if listed
	// (seed 000 cases 5, 6).
	ApproverRoles []UserRole `json:"approver_roles"`
	// StarterRoles may start the change; empty means anyone who may
	// respond.
	StarterRoles []UserRole `json:"starter_roles"`
}

// Matches reports whether the rule applies.
func (r *ChangeRule) Matches(risk Risk, tier int, kind ChangeKind) bool {
	return (len(r.Risks) == 0 || slices.Contains(r.Risks, risk)) &&
		(len(r.Tiers) == 0 || slices.Contains(r.Tiers, tier)) &&
		(len(r.Kinds) == 0 || slices.Contains(r.Kinds, kind))
}

// CanApprove reports why u may not approve c under the rule: never the
// author (seed 000 case 4: an engineer shipped an untested fix alone), never
// a role the rule leaves out. It returns nil when u may.
func (r *ChangeRule) CanApprove(u *User, c *Change) error {
	if u == nil || u.ID == 0 {
		return Errorf(EFORBIDDEN, "an approval must come from a person")
	}
	if u.Role == UserRoleContractor {
		return Errorf(EFORBIDDEN, "%s is a contractor; contractors never approve or reject changes", u.Name)
	}
	if u.ID == c.AuthorID {
		return Errorf(EFORBIDDEN, "%s is the author of %s and cannot approve or reject it; ask someone else", u.Name, c.Number)
	}
	if !slices.Contains(r.ApproverRoles, u.Role) {
		return Errorf(EFORBIDDEN, "the %s role cannot approve %s changes under rule %q (approver roles: %s)", u.Role, c.Risk, r.Name, joinRoles(r.ApproverRoles))
	}
	return nil
}

// CanStart reports whether u may start a change under the rule.
func (r *ChangeRule) CanStart(u *User) bool {
	if len(r.StarterRoles) == 0 {
		return u != nil && u.Role.Can(PermRespond)
	}
	return u != nil && slices.Contains(r.StarterRoles, u.Role)
}

// Validate checks the rule.
func (r *ChangeRule) Validate(field string) error {
	if strings.TrimSpace(r.Name) == "" || utf8.RuneCountInString(r.Name) > MaxTitleLen {
		return FieldErrorf(field+".name", "must be 1 to %d characters", MaxTitleLen)
	}
	for i, v := range r.Risks {
		if !v.Valid() {
			return FieldErrorf(fmt.Sprintf("%s.risks[%d]", field, i), "unknown risk %q", v)
		}
	}
	for i, v := range r.Tiers {
		if v < 1 || v > 4 {
			return FieldErrorf(fmt.Sprintf("%s.tiers[%d]", field, i), "must be 1 to 4")
		}
	}
	for i, v := range r.Kinds {
		if !v.Valid() {
			return FieldErrorf(fmt.Sprintf("%s.kinds[%d]", field, i), "unknown kind %q", v)
		}
	}
	for i, v := range r.RequiredEvidence {
		if !v.Valid() {
			return FieldErrorf(fmt.Sprintf("%s.required_evidence[%d]", field, i), "unknown evidence %q (want test_report, rollback_plan, backup or production_acceptance)", v)
		}
	}
	if r.Approvals < 0 || r.Approvals > 10 {
		return FieldErrorf(field+".approvals", "must be 0 to 10")
	}
	if r.Approvals > 0 && len(r.ApproverRoles) == 0 {
		return FieldErrorf(field+".approver_roles", "name the roles that may approve when approvals are required")
	}
	for i, v := range r.ApproverRoles {
		if !v.Valid() {
			return FieldErrorf(fmt.Sprintf("%s.approver_roles[%d]", field, i), "unknown role %q", v)
		} else if v == UserRoleContractor {
			return FieldErrorf(fmt.Sprintf("%s.approver_roles[%d]", field, i), "contractors never approve changes")
		}
	}
	for i, v := range r.StarterRoles {
		if !v.Valid() {
			return FieldErrorf(fmt.Sprintf("%s.starter_roles[%d]", field, i), "unknown role %q", v)
		}
	}
	return nil
}

// ChangePolicy is the set of rules changes go through. The first rule that
// matches a change applies; a change no rule matches needs nothing.
type ChangePolicy struct {
	Mode  PolicyMode   `json:"mode"`
	Rules []ChangeRule `json:"rules"`
}

// Validate checks the policy.
func (p *ChangePolicy) Validate() error {
	if p.Mode != PolicyEnforce && p.Mode != PolicyRecord {
		return FieldErrorf("mode", "must be %q or %q", PolicyEnforce, PolicyRecord)
	}
	if len(p.Rules) > 100 {
		return FieldErrorf("rules", "at most 100 rules")
	}
	for i := range p.Rules {
		if err := p.Rules[i].Validate(fmt.Sprintf("rules[%d]", i)); err != nil {
			return err
		}
	}
	return nil
}

// RuleFor returns the rule that applies to a change of risk, tier and kind;
// a rule requiring nothing when none matches.
func (p *ChangePolicy) RuleFor(risk Risk, tier int, kind ChangeKind) *ChangeRule {
	for i := range p.Rules {
		if p.Rules[i].Matches(risk, tier, kind) {
			return &p.Rules[i]
		}
	}
	return &ChangeRule{Name: "none"}
}

// standardRoles may approve and start by default. Any role added later,
// such as a contractor role, is left out until an admin adds it.
var standardRoles = []UserRole{UserRoleOwner, UserRoleAdmin, UserRoleResponder}

// DefaultChangePolicy follows seed 000's release process: a test report
// for anything above low risk, a rollback plan for every high-risk change,
// a verified backup before every migration and data operation that is not
// low risk, production acceptance and two admin approvals for critical
// ones, never approved by the author.
func DefaultChangePolicy() ChangePolicy {
	return ChangePolicy{Mode: PolicyEnforce, Rules: []ChangeRule{
		{Name: "critical", Risks: []Risk{RiskCritical},
			RequiredEvidence: []EvidenceKind{EvidenceTestReport, EvidenceRollbackPlan, EvidenceBackup, EvidenceAcceptance},
			Approvals:        2, ApproverRoles: []UserRole{UserRoleOwner, UserRoleAdmin}},
		{Name: "data at risk", Risks: []Risk{RiskMedium, RiskHigh}, Kinds: []ChangeKind{ChangeMigration, ChangeDataOperation},
			RequiredEvidence: []EvidenceKind{EvidenceTestReport, EvidenceRollbackPlan, EvidenceBackup},
			Approvals:        1, ApproverRoles: standardRoles},
		{Name: "high", Risks: []Risk{RiskHigh},
			RequiredEvidence: []EvidenceKind{EvidenceTestReport, EvidenceRollbackPlan},
			Approvals:        1, ApproverRoles: standardRoles},
		{Name: "medium", Risks: []Risk{RiskMedium},
			RequiredEvidence: []EvidenceKind{EvidenceTestReport},
			Approvals:        1, ApproverRoles: standardRoles},
		{Name: "low", Risks: []Risk{RiskLow}, ApproverRoles: standardRoles},
	}}
}

// PolicyProblem is one reason the policy refuses to let a change start.
type PolicyProblem struct {
	// Code is one of the Violation* codes.
	Code    string `json:"code"`
	Message string `json:"message"`
}

// PolicyCheck is what the policy says about starting a change now.
type PolicyCheck struct {
	Rule              string          `json:"rule"`
	Risk              Risk            `json:"risk"`
	Tier              int             `json:"tier"`
	Mode              PolicyMode      `json:"mode"`
	MissingEvidence   []EvidenceKind  `json:"missing_evidence"`
	Approvals         int             `json:"approvals"`
	ApprovalsRequired int             `json:"approvals_required"`
	Problems          []PolicyProblem `json:"problems"`
}

// OK reports whether the change may start without breaking the policy.
func (c *PolicyCheck) OK() bool { return len(c.Problems) == 0 }

// Err is the refusal: nil when the check passed, else an error naming
// everything missing at once, so that a pipeline run shows the whole list
// rather than one item per attempt. A starter without the role is
// EFORBIDDEN; anything else that is missing is ECONFLICT.
func (c *PolicyCheck) Err(number string) error {
	if c.OK() {
		return nil
	}
	msgs := make([]string, len(c.Problems))
	code := ECONFLICT
	for i, p := range c.Problems {
		msgs[i] = p.Message
		if p.Code == ViolationStarter {
			code = EFORBIDDEN
		}
	}
	return Errorf(code, "%s cannot start under policy rule %q (%s risk, tier %d): %s", number, c.Rule, c.Risk, c.Tier, strings.Join(msgs, "; "))
}

// CheckStart evaluates starting c now: its evidence, its approvals by
// allowed roles, the starter's role and the freeze windows in force
// (freezes lists those that cover it). It is the one judgement every path
// a change arrives by goes through (API, UI, CLI, a recorded change, a
// PagerDuty change event; see CheckRecorded), so that no path is more
// lenient than another. An exception counts only when someone other than
// the author granted it, as with approvals (seed 000 case 3: staff
// whitelisted their own approvals).
func (p *ChangePolicy) CheckStart(c *Change, tier int, starter *User, freezes []*FreezeWindow) *PolicyCheck {
	r := p.RuleFor(c.Risk, tier, c.Kind)
	chk := &PolicyCheck{Rule: r.Name, Risk: c.Risk, Tier: tier, Mode: p.Mode, ApprovalsRequired: r.Approvals, MissingEvidence: []EvidenceKind{}, Problems: []PolicyProblem{}}
	var missing []string
	for _, k := range r.RequiredEvidence {
		if !c.Evidence.Has(k) {
			chk.MissingEvidence = append(chk.MissingEvidence, k)
			missing = append(missing, k.Describe())
		}
	}
	if len(missing) > 0 {
		chk.Problems = append(chk.Problems, PolicyProblem{ViolationMissingEvidence, "missing " + strings.Join(missing, ", ")})
	}
	for _, a := range c.Approvals {
		if a.Decision == DecisionApproved && a.UserID != c.AuthorID && slices.Contains(r.ApproverRoles, a.UserRole) {
			chk.Approvals++
		}
	}
	if chk.Approvals < r.Approvals {
		chk.Problems = append(chk.Problems, PolicyProblem{ViolationApprovals,
			fmt.Sprintf("needs %d approval(s) by %s other than the author, has %d", r.Approvals, joinRoles(r.ApproverRoles), chk.Approvals)})
	}
	if !r.CanStart(starter) {
		role := UserRole("system")
		if starter != nil {
			role = starter.Role
		}
		who := "anyone who may respond"
		if len(r.StarterRoles) > 0 {
			who = joinRoles(r.StarterRoles)
		}
		chk.Problems = append(chk.Problems, PolicyProblem{ViolationStarter, fmt.Sprintf("the %s role may not start it (allowed: %s)", role, who)})
	}
	for _, f := range freezes {
		if f.ExceptsByOther(c) {
			continue
		}
		chk.Problems = append(chk.Problems, PolicyProblem{ViolationFreeze,
			fmt.Sprintf("freeze window %q (%s to %s) is in force; an admin must grant an exception with a reason",
				f.Name, f.StartsAt.UTC().Format("2006-01-02 15:04Z"), f.EndsAt.UTC().Format("2006-01-02 15:04Z"))})
	}
	return chk
}

// CheckRecorded judges a change reported after it happened, by a deploy
// tool or a PagerDuty change event, with CheckStart: the evidence missing,
// the freeze windows it went ahead in (freezes: those in force when it
// started) and the reporter's role all become violations. Nobody was asked
// before it happened, so it always carries one recorded_without_approval
// violation, which names the approvals the rule wanted, if any. A nil
// reporter is an integration acting on its routing key; there is no person
// whose role could be judged.
func (p *ChangePolicy) CheckRecorded(c *Change, tier int, reporter *User, freezes []*FreezeWindow) *PolicyCheck {
	chk := p.CheckStart(c, tier, reporter, freezes)
	without := PolicyProblem{ViolationWithoutApproval, "recorded without approval by " + string(c.Source)}
	problems := []PolicyProblem{}
	for _, pr := range chk.Problems {
		switch {
		case pr.Code == ViolationApprovals:
			without.Message += "; " + pr.Message
		case pr.Code == ViolationStarter && reporter == nil:
		default:
			problems = append(problems, pr)
		}
	}
	chk.Problems = append([]PolicyProblem{without}, problems...)
	return chk
}

func joinRoles(rs []UserRole) string {
	if len(rs) == 0 {
		return "nobody"
	}
	s := make([]string, len(rs))
	for i, r := range rs {
		s[i] = string(r)
	}
	return strings.Join(s, ", ")
}

// ChangePolicyService keeps the change policy and the freeze calendar.
type ChangePolicyService interface {
	// FindChangePolicy returns the policy in force.
	FindChangePolicy(ctx context.Context) (*ChangePolicy, error)

	// UpdateChangePolicy replaces the policy. Returns EINVALID.
	UpdateChangePolicy(ctx context.Context, p *ChangePolicy) error

	// FindFreezeWindows lists windows overlapping [filter.From, filter.To),
	// by start. Returns EINVALID.
	FindFreezeWindows(ctx context.Context, filter FreezeFilter) ([]*FreezeWindow, error)

	// CreateFreezeWindow adds a window. Returns EINVALID, ENOTFOUND for an
	// unknown service.
	CreateFreezeWindow(ctx context.Context, f *FreezeWindow) error

	// DeleteFreezeWindow removes a window and its exceptions.
	// Returns ENOTFOUND.
	DeleteFreezeWindow(ctx context.Context, id int64) error

	// GrantFreezeException lets one change start during a window. A reason
	// is required, and the grant comes from someone other than the change's
	// author, like an approval. Returns ENOTFOUND, EINVALID, EFORBIDDEN for
	// the author, ECONFLICT when granted already.
	GrantFreezeException(ctx context.Context, freezeID, changeID int64, reason string) (*FreezeException, error)
}
