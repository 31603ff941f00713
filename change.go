package warroom

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// ChangeKind says what a change does to production. The risk a change is
// proposed at starts from its kind.
type ChangeKind string

// Change kinds.
const (
	ChangeDeploy         ChangeKind = "deploy"
	ChangeMigration      ChangeKind = "database_migration"
	ChangeConfiguration  ChangeKind = "configuration"
	ChangeDataOperation  ChangeKind = "data_operation"
	ChangeInfrastructure ChangeKind = "infrastructure"
	ChangeOther          ChangeKind = "other"
)

// ChangeKinds lists every kind.
var ChangeKinds = []ChangeKind{ChangeDeploy, ChangeMigration, ChangeConfiguration, ChangeDataOperation, ChangeInfrastructure, ChangeOther}

// Valid reports whether k is a known kind.
func (k ChangeKind) Valid() bool {
	for _, v := range ChangeKinds {
		if v == k {
			return true
		}
	}
	return false
}

// Risk grades how much a change can break.
type Risk string

// Risks, least first.
const (
	RiskLow      Risk = "low"
	RiskMedium   Risk = "medium"
	RiskHigh     Risk = "high"
	RiskCritical Risk = "critical"
)

// Risks lists every risk, least first.
var Risks = []Risk{RiskLow, RiskMedium, RiskHigh, RiskCritical}

// Valid reports whether r is a known risk.
func (r Risk) Valid() bool { return r.rank() >= 0 }

func (r Risk) rank() int {
	for i, v := range Risks {
		if v == r {
			return i
		}
	}
	return -1
}

// kindRisk is where each kind starts before the service tier moves it:
// schema and data operations are the ones that cannot simply be redeployed
// away (seed 000: a report query locked the orders table; seed 004: a
// deletion took the backups with it).
var kindRisk = map[ChangeKind]Risk{
	ChangeOther:          RiskLow,
	ChangeConfiguration:  RiskLow,
	ChangeDeploy:         RiskMedium,
	ChangeInfrastructure: RiskMedium,
	ChangeMigration:      RiskHigh,
	ChangeDataOperation:  RiskHigh,
}

// ProposeRisk proposes a change's risk from its kind and the tier of the
// most critical service it touches (0 when it names none): a tier-1 service
// raises the kind's risk one step, tier 2 keeps it, tiers 3 and 4 lower it
// one step.
func ProposeRisk(kind ChangeKind, tier int) Risk {
	r, ok := kindRisk[kind]
	if !ok {
		r = RiskMedium
	}
	i := r.rank()
	switch {
	case tier == 1:
		i++
	case tier >= 3:
		i--
	}
	return Risks[max(0, min(i, len(Risks)-1))]
}

// ChangeState is where a change stands in its lifecycle.
type ChangeState string

// The change lifecycle.
const (
	ChangeDraft      ChangeState = "draft"
	ChangeSubmitted  ChangeState = "submitted"
	ChangeApproved   ChangeState = "approved"
	ChangeRejected   ChangeState = "rejected"
	ChangeInProgress ChangeState = "in_progress"
	ChangeCompleted  ChangeState = "completed"
	ChangeRolledBack ChangeState = "rolled_back"
	ChangeFailed     ChangeState = "failed"
)

// ChangeStates lists every state in lifecycle order.
var ChangeStates = []ChangeState{ChangeDraft, ChangeSubmitted, ChangeApproved, ChangeRejected, ChangeInProgress, ChangeCompleted, ChangeRolledBack, ChangeFailed}

// changeTransitions lists the legal next states. A change that needs no
// approval may start straight from draft or submitted (the policy decides
// whether it may); a completed or failed change can still be rolled back,
// which is what an incident it caused asks for.
var changeTransitions = map[ChangeState][]ChangeState{
	ChangeDraft:      {ChangeSubmitted, ChangeInProgress},
	ChangeSubmitted:  {ChangeApproved, ChangeRejected, ChangeInProgress},
	ChangeApproved:   {ChangeInProgress},
	ChangeRejected:   nil,
	ChangeInProgress: {ChangeCompleted, ChangeRolledBack, ChangeFailed},
	ChangeCompleted:  {ChangeRolledBack},
	ChangeFailed:     {ChangeRolledBack},
	ChangeRolledBack: nil,
}

// Valid reports whether s is a known state.
func (s ChangeState) Valid() bool {
	_, ok := changeTransitions[s]
	return ok
}

// Started reports whether the change has touched production.
func (s ChangeState) Started() bool {
	return s == ChangeInProgress || s == ChangeCompleted || s == ChangeRolledBack || s == ChangeFailed
}

// CheckChangeTransition returns ECONFLICT naming the legal next states when
// from cannot move to to.
func CheckChangeTransition(from, to ChangeState) error {
	for _, v := range changeTransitions[from] {
		if v == to {
			return nil
		}
	}
	next := changeTransitions[from]
	if len(next) == 0 {
		return &Error{Code: ECONFLICT, Field: "state", Message: fmt.Sprintf("state: a %s change cannot change state", from)}
	}
	names := make([]string, len(next))
	for i, v := range next {
		names[i] = string(v)
	}
	return &Error{Code: ECONFLICT, Field: "state", Message: fmt.Sprintf("state: cannot go from %s to %s; legal next states: %s", from, to, strings.Join(names, ", "))}
}

// EvidenceKind names one piece of evidence a policy can require.
type EvidenceKind string

// Evidence kinds (seed 000's release process: a passed test report, a
// rollback plan, a backup before every migration, production acceptance).
const (
	EvidenceTestReport   EvidenceKind = "test_report"
	EvidenceRollbackPlan EvidenceKind = "rollback_plan"
	EvidenceBackup       EvidenceKind = "backup"
	EvidenceAcceptance   EvidenceKind = "production_acceptance"
)

// EvidenceKinds lists every kind of evidence.
var EvidenceKinds = []EvidenceKind{EvidenceTestReport, EvidenceRollbackPlan, EvidenceBackup, EvidenceAcceptance}

// Valid reports whether k is a known kind of evidence.
func (k EvidenceKind) Valid() bool {
	for _, v := range EvidenceKinds {
		if v == k {
			return true
		}
	}
	return false
}

// Describe names the evidence and what supplies it, for refusal messages
// that must say what to add.
func (k EvidenceKind) Describe() string {
	switch k {
	case EvidenceTestReport:
		return "a test report (evidence.test_report, --test-report)"
	case EvidenceRollbackPlan:
		return "a rollback plan (evidence.rollback_plan, --rollback-plan)"
	case EvidenceBackup:
		return "a verified backup (evidence.backup_location and evidence.backup_verified_at, --backup --backup-verified)"
	case EvidenceAcceptance:
		return "production acceptance (evidence.accepted_by and evidence.accepted_at, --accepted-by)"
	}
	return string(k)
}

// Evidence is what a change brings to show it is safe.
type Evidence struct {
	// TestReport is a link to, or a reference of, the passed test report.
	TestReport   string `json:"test_report"`
	RollbackPlan string `json:"rollback_plan"`
	// BackupLocation says where the backup taken before the change is;
	// BackupVerifiedAt when someone checked it could be restored.
	BackupLocation   string     `json:"backup_location"`
	BackupVerifiedAt *time.Time `json:"backup_verified_at"`
	// AcceptedBy names who accepted the change in production, and when.
	AcceptedBy string     `json:"accepted_by"`
	AcceptedAt *time.Time `json:"accepted_at"`
}

// Has reports whether the evidence of kind k is present.
func (e *Evidence) Has(k EvidenceKind) bool {
	switch k {
	case EvidenceTestReport:
		return strings.TrimSpace(e.TestReport) != ""
	case EvidenceRollbackPlan:
		return strings.TrimSpace(e.RollbackPlan) != ""
	case EvidenceBackup:
		return strings.TrimSpace(e.BackupLocation) != "" && e.BackupVerifiedAt != nil
	case EvidenceAcceptance:
		return strings.TrimSpace(e.AcceptedBy) != "" && e.AcceptedAt != nil
	}
	return false
}

// Validate checks lengths.
func (e *Evidence) Validate() error {
	for _, f := range []struct {
		name, v string
		max     int
	}{
		{"evidence.test_report", e.TestReport, MaxTitleLen * 10},
		{"evidence.rollback_plan", e.RollbackPlan, MaxTextLen},
		{"evidence.backup_location", e.BackupLocation, MaxTitleLen * 10},
		{"evidence.accepted_by", e.AcceptedBy, MaxTitleLen},
	} {
		if utf8.RuneCountInString(f.v) > f.max {
			return FieldErrorf(f.name, "must be at most %d characters", f.max)
		}
	}
	return nil
}

// ChangeLink points at what a change comes from: a pull request, a pipeline
// run, a ticket.
type ChangeLink struct {
	Title string `json:"title"`
	URL   string `json:"url"`
}

// ChangeSource says how a change was recorded.
type ChangeSource string

// Change sources.
const (
	SourceAPI       ChangeSource = "api"
	SourceUI        ChangeSource = "ui"
	SourcePagerDuty ChangeSource = "pagerduty"
)

// Change is a release, migration or other risky operation on production.
type Change struct {
	ID int64 `json:"id"`
	// Number is the human reference, "CHG-42".
	Number      string     `json:"number"`
	Kind        ChangeKind `json:"kind"`
	Title       string     `json:"title"`
	Description string     `json:"description"`
	// ServiceIDs are the services changed; Services is filled on reads.
	ServiceIDs []int64      `json:"service_ids"`
	Services   []*Service   `json:"services,omitempty"`
	AuthorID   int64        `json:"author_id"`
	AuthorName string       `json:"author_name"`
	Links      []ChangeLink `json:"links"`

	PlannedStart *time.Time `json:"planned_start"`
	PlannedEnd   *time.Time `json:"planned_end"`

	// Risk is in force; ProposedRisk is what kind and tier propose. They
	// differ only after an override, whose reason is RiskReason.
	Risk         Risk   `json:"risk"`
	ProposedRisk Risk   `json:"proposed_risk"`
	RiskReason   string `json:"risk_reason"`

	Evidence Evidence     `json:"evidence"`
	State    ChangeState  `json:"state"`
	Source   ChangeSource `json:"source"`

	StartedAt *time.Time `json:"started_at"`
	// EndedAt is when it completed, failed or was rolled back.
	EndedAt   *time.Time `json:"ended_at"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`

	// Filled on reads.
	Approvals     []*ChangeApproval     `json:"approvals"`
	Violations    []*ChangeViolation    `json:"violations"`
	Notifications []*ChangeNotification `json:"notifications"`
}

// Violated reports whether the change went ahead against the policy.
func (c *Change) Violated() bool { return len(c.Violations) > 0 }

// FormatChangeNumber renders a change ID as its human number.
func FormatChangeNumber(id int64) string { return "CHG-" + strconv.FormatInt(id, 10) }

// ParseChangeNumber accepts "CHG-42", "chg-42" or "42".
func ParseChangeNumber(s string) (int64, error) {
	t := strings.TrimSpace(s)
	if len(t) > 4 && strings.EqualFold(t[:4], "CHG-") {
		t = t[4:]
	}
	id, err := strconv.ParseInt(t, 10, 64)
	if err != nil || id <= 0 {
		return 0, Errorf(ENOTFOUND, "%q is not a change number such as CHG-42", s)
	}
	return id, nil
}

// Validate checks the fields a caller may set.
func (c *Change) Validate() error {
	if !c.Kind.Valid() {
		return FieldErrorf("kind", "unknown kind %q (want one of %s)", c.Kind, joinChangeKinds())
	} else if err := validateTitle(c.Title); err != nil {
		return err
	} else if utf8.RuneCountInString(c.Description) > MaxTextLen {
		return FieldErrorf("description", "must be at most %d characters", MaxTextLen)
	} else if len(c.ServiceIDs) == 0 {
		return FieldErrorf("service_ids", "name at least one service the change touches")
	} else if err := validateServiceIDs(c.ServiceIDs); err != nil {
		return err
	} else if err := validateChangeLinks(c.Links); err != nil {
		return err
	} else if err := validateChangeWindow(c.PlannedStart, c.PlannedEnd); err != nil {
		return err
	} else if c.Risk != "" && !c.Risk.Valid() {
		return FieldErrorf("risk", "unknown risk %q (want low, medium, high or critical)", c.Risk)
	} else if utf8.RuneCountInString(c.RiskReason) > MaxTextLen {
		return FieldErrorf("risk_reason", "must be at most %d characters", MaxTextLen)
	}
	return c.Evidence.Validate()
}

func validateChangeLinks(links []ChangeLink) error {
	if len(links) > 20 {
		return FieldErrorf("links", "at most 20 links")
	}
	for i, l := range links {
		field := fmt.Sprintf("links[%d]", i)
		u, err := url.Parse(l.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(l.URL) > 2000 {
			return FieldErrorf(field+".url", "must be an http:// or https:// URL of at most 2000 characters")
		}
		if utf8.RuneCountInString(l.Title) > MaxTitleLen {
			return FieldErrorf(field+".title", "must be at most %d characters", MaxTitleLen)
		}
	}
	return nil
}

func validateChangeWindow(start, end *time.Time) error {
	if (start == nil) != (end == nil) {
		return FieldErrorf("planned_end", "give both planned_start and planned_end, or neither")
	}
	if start != nil && !end.After(*start) {
		return FieldErrorf("planned_end", "must be after planned_start")
	}
	return nil
}

func joinChangeKinds() string {
	s := make([]string, len(ChangeKinds))
	for i, k := range ChangeKinds {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}

// ChangeUpdate changes a change before it is over; nil fields are left
// alone. Evidence fields are merged one by one so that a pipeline can add
// the test report and, later, someone else the backup.
type ChangeUpdate struct {
	Title        *string       `json:"title"`
	Description  *string       `json:"description"`
	Links        *[]ChangeLink `json:"links"`
	PlannedStart *time.Time    `json:"planned_start"`
	PlannedEnd   *time.Time    `json:"planned_end"`
	// Risk overrides the proposal; RiskReason is then required.
	Risk       *Risk   `json:"risk"`
	RiskReason *string `json:"risk_reason"`

	TestReport       *string    `json:"test_report"`
	RollbackPlan     *string    `json:"rollback_plan"`
	BackupLocation   *string    `json:"backup_location"`
	BackupVerifiedAt *time.Time `json:"backup_verified_at"`
	AcceptedBy       *string    `json:"accepted_by"`
	AcceptedAt       *time.Time `json:"accepted_at"`
}

// ApplyEvidence merges the evidence fields that are set into e and returns
// the kinds that became present.
func (u *ChangeUpdate) ApplyEvidence(e *Evidence) []EvidenceKind {
	before := map[EvidenceKind]bool{}
	for _, k := range EvidenceKinds {
		before[k] = e.Has(k)
	}
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = strings.TrimSpace(*v)
		}
	}
	set(&e.TestReport, u.TestReport)
	set(&e.RollbackPlan, u.RollbackPlan)
	set(&e.BackupLocation, u.BackupLocation)
	set(&e.AcceptedBy, u.AcceptedBy)
	if u.BackupVerifiedAt != nil {
		t := u.BackupVerifiedAt.UTC()
		e.BackupVerifiedAt = &t
	}
	if u.AcceptedAt != nil {
		t := u.AcceptedAt.UTC()
		e.AcceptedAt = &t
	}
	var added []EvidenceKind
	for _, k := range EvidenceKinds {
		if !before[k] && e.Has(k) {
			added = append(added, k)
		}
	}
	return added
}

// ChangeFilter selects changes.
type ChangeFilter struct {
	ID        *int64
	States    []ChangeState
	Kind      *ChangeKind
	ServiceID *int64
	AuthorID  *int64
	// Violated selects changes with (true) or without (false) violations.
	Violated *bool
	// From and To select changes whose planned or actual activity overlaps
	// [From, To), for the calendar.
	From  *time.Time
	To    *time.Time
	Query *string

	Offset int
	Limit  int
}

// ChangeDecision is an approver's answer.
type ChangeDecision string

// Decisions.
const (
	DecisionApproved ChangeDecision = "approved"
	DecisionRejected ChangeDecision = "rejected"
)

// ChangeApproval is one approver's decision on a change.
type ChangeApproval struct {
	ID       int64          `json:"id"`
	ChangeID int64          `json:"change_id"`
	UserID   int64          `json:"user_id"`
	UserName string         `json:"user_name"`
	UserRole UserRole       `json:"user_role"`
	Decision ChangeDecision `json:"decision"`
	Comment  string         `json:"comment"`
	At       time.Time      `json:"at"`
}

// Violation codes: why a change that went ahead broke the policy.
const (
	ViolationMissingEvidence = "missing_evidence"
	ViolationApprovals       = "approvals"
	ViolationStarter         = "starter_role"
	ViolationFreeze          = "freeze"
	ViolationWithoutApproval = "recorded_without_approval"
)

// ChangeViolation records a rule a change broke and was let through for:
// in record mode, or because it was reported after the fact.
type ChangeViolation struct {
	ID       int64     `json:"id"`
	ChangeID int64     `json:"change_id"`
	Code     string    `json:"code"`
	Message  string    `json:"message"`
	At       time.Time `json:"at"`
}

// ChangeNotification is a message owed to a person or a team about a
// change, kept durably until a notification channel delivers it.
type ChangeNotification struct {
	ID       int64  `json:"id"`
	ChangeID int64  `json:"change_id"`
	Kind     string `json:"kind"`
	// UserID is the recipient; Team is set instead for a service's owners.
	UserID    int64      `json:"user_id"`
	Team      string     `json:"team"`
	Text      string     `json:"text"`
	CreatedAt time.Time  `json:"created_at"`
	SentAt    *time.Time `json:"sent_at"`
}

// Notification kinds.
const (
	NotifyViolation = "violation" // to the owners of a service a violating change touched
	NotifyDecision  = "decision"  // to the author, on approval or rejection
	NotifyRollback  = "rollback"  // to the author, when the change is rolled back
)

// ChangeEventKind names an entry on a change's timeline.
type ChangeEventKind string

// Change timeline kinds.
const (
	ChangeEventCreated         ChangeEventKind = "created"
	ChangeEventUpdated         ChangeEventKind = "updated"
	ChangeEventEvidence        ChangeEventKind = "evidence_added"
	ChangeEventRiskOverride    ChangeEventKind = "risk_override"
	ChangeEventState           ChangeEventKind = "state_changed"
	ChangeEventApproval        ChangeEventKind = "approval"
	ChangeEventViolation       ChangeEventKind = "violation"
	ChangeEventFreezeException ChangeEventKind = "freeze_exception"
	ChangeEventIncidentLinked  ChangeEventKind = "incident_linked"
)

// ChangeEventKinds lists every change timeline kind.
var ChangeEventKinds = []ChangeEventKind{ChangeEventCreated, ChangeEventUpdated, ChangeEventEvidence, ChangeEventRiskOverride,
	ChangeEventState, ChangeEventApproval, ChangeEventViolation, ChangeEventFreezeException, ChangeEventIncidentLinked}

// ChangeEvent is one entry on a change's timeline.
type ChangeEvent struct {
	ID        int64           `json:"id"`
	ChangeID  int64           `json:"change_id"`
	Kind      ChangeEventKind `json:"kind"`
	ActorID   int64           `json:"actor_id"`
	ActorName string          `json:"actor_name"`
	At        time.Time       `json:"at"`
	Text      string          `json:"text"`
	Data      json.RawMessage `json:"data,omitempty"`
}

// Incident timeline kinds written by change management.
const (
	EventChangeLinked     EventKind = "change_linked"
	EventChangeUnlinked   EventKind = "change_unlinked"
	EventChangeRolledBack EventKind = "change_rolled_back"
)

// Change audit actions.
const (
	AuditChangeCreate      AuditAction = "change.create"
	AuditChangeUpdate      AuditAction = "change.update"
	AuditChangeTransition  AuditAction = "change.transition"
	AuditChangeApprove     AuditAction = "change.approve"
	AuditChangeReject      AuditAction = "change.reject"
	AuditChangeViolation   AuditAction = "change.violation"
	AuditChangeRecord      AuditAction = "change.record"
	AuditChangePolicy      AuditAction = "change_policy.update"
	AuditFreezeCreate      AuditAction = "freeze.create"
	AuditFreezeDelete      AuditAction = "freeze.delete"
	AuditFreezeException   AuditAction = "freeze.exception"
	AuditIncidentLinkCause AuditAction = "incident.change.link"
	AuditIncidentUnlink    AuditAction = "incident.change.unlink"
)

// DefaultCorrelationWindow is how far before an incident's detection the
// brief looks for changes to its services.
const DefaultCorrelationWindow = 24 * time.Hour

// CorrelatedChange is a change to an incident's services around its
// detection, and whether someone named it a suspected cause.
type CorrelatedChange struct {
	Change         *Change `json:"change"`
	SuspectedCause bool    `json:"suspected_cause"`
}

// SuspectedCause links an incident to a change someone believes caused it.
// The postmortem shows it.
type SuspectedCause struct {
	IncidentID int64     `json:"incident_id"`
	ChangeID   int64     `json:"change_id"`
	Change     *Change   `json:"change"`
	Note       string    `json:"note"`
	LinkedBy   int64     `json:"linked_by"`
	LinkedAt   time.Time `json:"linked_at"`
}

// ChangeService records changes and walks them through their lifecycle
// under the change policy. Every mutating method writes the change's
// timeline and an audit entry in the same transaction, attributed to the
// user in ctx.
type ChangeService interface {
	// FindChangeByID returns a change with services, approvals, violations
	// and notifications. Returns ENOTFOUND.
	FindChangeByID(ctx context.Context, id int64) (*Change, error)

	// FindChanges returns a page of changes, newest first, and the total.
	// Services and violations are filled.
	FindChanges(ctx context.Context, filter ChangeFilter) ([]*Change, int, error)

	// CreateChange stores c as a draft authored by the user in ctx. The
	// risk is proposed from kind and tier; a different c.Risk is an
	// override and needs c.RiskReason.
	// Returns EINVALID, ENOTFOUND for an unknown service.
	CreateChange(ctx context.Context, c *Change) error

	// UpdateChange edits a change that is not over and adds evidence.
	// Returns ENOTFOUND, EINVALID, ECONFLICT when it is over.
	UpdateChange(ctx context.Context, id int64, upd ChangeUpdate) (*Change, error)

	// SubmitChange asks for approval. Returns ENOTFOUND, ECONFLICT.
	SubmitChange(ctx context.Context, id int64) (*Change, error)

	// ApproveChange records the caller's approval; the change is approved
	// once the policy's number is reached. Never by the author, only by
	// the roles the policy allows.
	// Returns ENOTFOUND, EFORBIDDEN, ECONFLICT.
	ApproveChange(ctx context.Context, id int64, comment string) (*Change, error)

	// RejectChange rejects a submitted change; the same people who may
	// approve may reject. Returns ENOTFOUND, EFORBIDDEN, ECONFLICT.
	RejectChange(ctx context.Context, id int64, comment string) (*Change, error)

	// StartChange puts the change in progress when the policy allows it:
	// evidence, approvals, who starts, freeze windows. Otherwise, in
	// enforce mode, ECONFLICT (EFORBIDDEN for the starter's role) names
	// everything missing; in record mode it starts and the violations are
	// flagged and notified to the services' owners.
	StartChange(ctx context.Context, id int64) (*Change, error)

	// CompleteChange, FailChange and RollbackChange end a change. A
	// rollback notifies the author. Returns ENOTFOUND, ECONFLICT.
	CompleteChange(ctx context.Context, id int64, note string) (*Change, error)
	FailChange(ctx context.Context, id int64, note string) (*Change, error)
	RollbackChange(ctx context.Context, id int64, reason string) (*Change, error)

	// RecordChange stores a change that has already happened, reported by
	// a deploy tool that does not ask first: completed at c.StartedAt
	// (default now) and flagged recorded without approval.
	// Returns EINVALID, ENOTFOUND.
	RecordChange(ctx context.Context, c *Change) error

	// CheckChange says what the policy would refuse if the change started
	// now, without changing anything. Returns ENOTFOUND.
	CheckChange(ctx context.Context, id int64) (*PolicyCheck, error)

	// FindChangeEvents returns a change's timeline, oldest first.
	// Returns ENOTFOUND.
	FindChangeEvents(ctx context.Context, id int64) ([]*ChangeEvent, error)

	// FindIncidentChanges lists changes to the incident's services that
	// were in progress or ended within window before its detection (and up
	// to detection), newest first, plus every suspected cause.
	// Returns ENOTFOUND.
	FindIncidentChanges(ctx context.Context, incidentID int64, window time.Duration) ([]*CorrelatedChange, error)

	// LinkSuspectedCause names a change as a suspected cause of an
	// incident. Returns ENOTFOUND, ECONFLICT when already linked.
	LinkSuspectedCause(ctx context.Context, incidentID, changeID int64, note string) (*SuspectedCause, error)

	// UnlinkSuspectedCause removes the link. Returns ENOTFOUND.
	UnlinkSuspectedCause(ctx context.Context, incidentID, changeID int64) error

	// FindSuspectedCauses lists an incident's suspected causes, oldest
	// link first. Returns ENOTFOUND.
	FindSuspectedCauses(ctx context.Context, incidentID int64) ([]*SuspectedCause, error)

	// RollbackIncidentChange rolls a change back from an incident's page:
	// the rollback, the author's notification and the incident's timeline
	// entry are written together. Returns ENOTFOUND, ECONFLICT.
	RollbackIncidentChange(ctx context.Context, incidentID, changeID int64, reason string) (*Change, error)
}
