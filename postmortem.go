package warroom

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// PostmortemStatus is where a postmortem stands in its review workflow.
type PostmortemStatus string

// The workflow: a draft is written, submitted for review to named
// reviewers, and published once at least one of them, not the author, has
// approved it. Asking for changes sends it back to draft.
const (
	PostmortemDraft     PostmortemStatus = "draft"
	PostmortemInReview  PostmortemStatus = "in_review"
	PostmortemPublished PostmortemStatus = "published"
)

// CauseCategory is the kind of root cause (seed 003's review: people,
// technology, outside parties, management).
type CauseCategory string

// Cause categories.
const (
	CauseHuman      CauseCategory = "human"
	CauseTechnical  CauseCategory = "technical"
	CauseExternal   CauseCategory = "external"
	CauseManagement CauseCategory = "management"
)

// CauseCategories lists the categories with their sub-categories, in the
// order forms show them. A human cause names what made the mistake
// possible, never who made it.
var CauseCategories = []struct {
	Category      CauseCategory `json:"category"`
	Subcategories []string      `json:"subcategories"`
}{
	{CauseHuman, []string{"operation_error", "missing_knowledge", "miscommunication", "fatigue"}},
	{CauseTechnical, []string{"software_bug", "configuration", "capacity", "hardware", "dependency", "data"}},
	{CauseExternal, []string{"vendor", "network_provider", "attack", "environment"}},
	{CauseManagement, []string{"process_gap", "change_control", "access_control", "monitoring_gap", "staffing"}},
}

// Valid reports whether c is a known category.
func (c CauseCategory) Valid() bool {
	for _, v := range CauseCategories {
		if v.Category == c {
			return true
		}
	}
	return false
}

// ValidSubcategory reports whether sub belongs to c; "" always does.
func (c CauseCategory) ValidSubcategory(sub string) bool {
	if sub == "" {
		return true
	}
	for _, v := range CauseCategories {
		if v.Category == c {
			for _, s := range v.Subcategories {
				if s == sub {
					return true
				}
			}
		}
	}
	return false
}

// Why is one step of a 5-whys chain: the question, its answer and the
// evidence that the answer is true, not a guess.
type Why struct {
	ID       int64  `json:"id"`
	Position int    `json:"position"`
	Question string `json:"question"`
	Answer   string `json:"answer"`
	Evidence string `json:"evidence"`
}

// MaxWhys bounds a chain; five is the habit, a few more are allowed.
const MaxWhys = 10

// Key moment names, in lifecycle order.
const (
	MomentDetected     = "detected"
	MomentAcknowledged = "acknowledged"
	MomentMitigated    = "mitigated"
	MomentResolved     = "resolved"
)

// KeyMoment is a milestone of the incident and the time since the one
// before it: the gaps are what the review discusses (how long until someone
// looked, until the bleeding stopped, until it was fixed).
type KeyMoment struct {
	Name string     `json:"name"`
	At   *time.Time `json:"at"`
	// GapSeconds is the time since the previous moment that happened; 0
	// for the first or for one that has not happened.
	GapSeconds int64 `json:"gap_seconds"`
}

// KeyMoments returns detected, acknowledged, mitigated and resolved with
// the gaps between them.
func KeyMoments(inc *Incident) []KeyMoment {
	det := inc.DetectedAt
	ms := []KeyMoment{
		{Name: MomentDetected, At: &det},
		{Name: MomentAcknowledged, At: inc.AcknowledgedAt},
		{Name: MomentMitigated, At: inc.MitigatedAt},
		{Name: MomentResolved, At: inc.ResolvedAt},
	}
	var prev *time.Time
	for i := range ms {
		if ms[i].At == nil {
			continue
		}
		if prev != nil {
			ms[i].GapSeconds = int64(ms[i].At.Sub(*prev) / time.Second)
		}
		prev = ms[i].At
	}
	return ms
}

// TimelineEntry is an incident event imported into a postmortem. Moment
// names the key moment it marks, if any.
type TimelineEntry struct {
	EventID int64     `json:"event_id"`
	At      time.Time `json:"at"`
	Kind    EventKind `json:"kind"`
	Actor   string    `json:"actor"`
	Text    string    `json:"text"`
	Moment  string    `json:"moment,omitempty"`
}

// ReviewDecision is a reviewer's verdict.
type ReviewDecision string

// Review decisions.
const (
	ReviewPending          ReviewDecision = "pending"
	ReviewApproved         ReviewDecision = "approved"
	ReviewChangesRequested ReviewDecision = "changes_requested"
)

// Review is one named reviewer's standing on a postmortem.
type Review struct {
	UserID    int64          `json:"user_id"`
	UserName  string         `json:"user_name"`
	Decision  ReviewDecision `json:"decision"`
	Comment   string         `json:"comment"`
	DecidedAt *time.Time     `json:"decided_at"`
}

// Postmortem is the blameless review of one incident (seed 002: "focus on
// the issue, not the person").
type Postmortem struct {
	ID         int64            `json:"id"`
	IncidentID int64            `json:"incident_id"`
	Status     PostmortemStatus `json:"status"`
	TemplateID *int64           `json:"template_id"`

	Summary             string        `json:"summary"`
	CauseCategory       CauseCategory `json:"cause_category"`
	CauseSubcategory    string        `json:"cause_subcategory"`
	ContributingFactors []string      `json:"contributing_factors"`
	WentWell            string        `json:"went_well"`
	WentBadly           string        `json:"went_badly"`
	GotLucky            string        `json:"got_lucky"`
	Lessons             string        `json:"lessons"`
	Whys                []*Why        `json:"whys"`

	// AuthorID is who answers for the draft; their own approval does not
	// count towards publishing.
	AuthorID    int64      `json:"author_id"`
	AuthorName  string     `json:"author_name"`
	DueAt       *time.Time `json:"due_at"`
	SubmittedAt *time.Time `json:"submitted_at"`
	PublishedAt *time.Time `json:"published_at"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`

	// Filled on reads.
	Incident    *Incident        `json:"incident,omitempty"`
	KeyMoments  []KeyMoment      `json:"key_moments,omitempty"`
	Timeline    []*TimelineEntry `json:"timeline"`
	Reviews     []*Review        `json:"reviews"`
	ActionItems []*ActionItem    `json:"action_items"`
	// Hints are blameless-writing warnings about the current text.
	Hints []BlamelessHint `json:"hints"`
}

// Approvals counts approvals by reviewers other than the author.
func (p *Postmortem) Approvals() int {
	n := 0
	for _, r := range p.Reviews {
		if r.Decision == ReviewApproved && r.UserID != p.AuthorID {
			n++
		}
	}
	return n
}

// Overdue reports whether the postmortem is unpublished past its due date.
func (p *Postmortem) Overdue(now time.Time) bool {
	return p.Status != PostmortemPublished && p.DueAt != nil && !now.Before(*p.DueAt)
}

// PostmortemUpdate changes a draft or a postmortem in review; nil fields are
// left alone. Whys replaces the whole chain: entries whose ID names an
// existing why keep that ID (action items may point at it).
type PostmortemUpdate struct {
	Summary             *string        `json:"summary"`
	CauseCategory       *CauseCategory `json:"cause_category"`
	CauseSubcategory    *string        `json:"cause_subcategory"`
	ContributingFactors *[]string      `json:"contributing_factors"`
	WentWell            *string        `json:"went_well"`
	WentBadly           *string        `json:"went_badly"`
	GotLucky            *string        `json:"got_lucky"`
	Lessons             *string        `json:"lessons"`
	Whys                *[]Why         `json:"whys"`
}

// Validate checks the fields that are set.
func (u *PostmortemUpdate) Validate() error {
	for _, f := range []struct {
		name string
		v    *string
	}{{"summary", u.Summary}, {"went_well", u.WentWell}, {"went_badly", u.WentBadly}, {"got_lucky", u.GotLucky}, {"lessons", u.Lessons}} {
		if f.v != nil && utf8.RuneCountInString(*f.v) > MaxTextLen {
			return FieldErrorf(f.name, "must be at most %d characters", MaxTextLen)
		}
	}
	if u.CauseCategory != nil && *u.CauseCategory != "" && !u.CauseCategory.Valid() {
		return FieldErrorf("cause_category", "unknown category %q (want human, technical, external or management)", *u.CauseCategory)
	}
	if u.CauseSubcategory != nil && *u.CauseSubcategory != "" {
		if u.CauseCategory == nil || !u.CauseCategory.ValidSubcategory(*u.CauseSubcategory) {
			return FieldErrorf("cause_subcategory", "unknown sub-category %q for the cause category", *u.CauseSubcategory)
		}
	}
	if u.ContributingFactors != nil {
		if len(*u.ContributingFactors) > 50 {
			return FieldErrorf("contributing_factors", "at most 50 factors")
		}
		for i, f := range *u.ContributingFactors {
			if strings.TrimSpace(f) == "" || utf8.RuneCountInString(f) > MaxTitleLen*2 {
				return FieldErrorf(fmt.Sprintf("contributing_factors[%d]", i), "must be 1 to %d characters", MaxTitleLen*2)
			}
		}
	}
	if u.Whys != nil {
		if len(*u.Whys) > MaxWhys {
			return FieldErrorf("whys", "at most %d whys", MaxWhys)
		}
		for i, w := range *u.Whys {
			f := fmt.Sprintf("whys[%d]", i)
			if strings.TrimSpace(w.Question) == "" || utf8.RuneCountInString(w.Question) > MaxTitleLen*2 {
				return FieldErrorf(f+".question", "must be 1 to %d characters", MaxTitleLen*2)
			} else if utf8.RuneCountInString(w.Answer) > MaxTextLen/4 {
				return FieldErrorf(f+".answer", "must be at most %d characters", MaxTextLen/4)
			} else if utf8.RuneCountInString(w.Evidence) > MaxTextLen/4 {
				return FieldErrorf(f+".evidence", "must be at most %d characters", MaxTextLen/4)
			}
		}
	}
	return nil
}

// PostmortemTemplate is the admin-editable starting text of a new
// postmortem: prompts for each section.
type PostmortemTemplate struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Default   bool      `json:"default"`
	Summary   string    `json:"summary"`
	WentWell  string    `json:"went_well"`
	WentBadly string    `json:"went_badly"`
	GotLucky  string    `json:"got_lucky"`
	Lessons   string    `json:"lessons"`
	Whys      []string  `json:"whys"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Validate checks the template fields.
func (t *PostmortemTemplate) Validate() error {
	if strings.TrimSpace(t.Name) == "" || utf8.RuneCountInString(t.Name) > MaxTitleLen {
		return FieldErrorf("name", "must be 1 to %d characters", MaxTitleLen)
	}
	for _, f := range []struct{ name, v string }{{"summary", t.Summary}, {"went_well", t.WentWell}, {"went_badly", t.WentBadly}, {"got_lucky", t.GotLucky}, {"lessons", t.Lessons}} {
		if utf8.RuneCountInString(f.v) > MaxTextLen {
			return FieldErrorf(f.name, "must be at most %d characters", MaxTextLen)
		}
	}
	if len(t.Whys) > MaxWhys {
		return FieldErrorf("whys", "at most %d whys", MaxWhys)
	}
	for i, q := range t.Whys {
		if strings.TrimSpace(q) == "" || utf8.RuneCountInString(q) > MaxTitleLen*2 {
			return FieldErrorf(fmt.Sprintf("whys[%d]", i), "must be 1 to %d characters", MaxTitleLen*2)
		}
	}
	return nil
}

// PostmortemPolicy says which incidents must have a postmortem and by when.
type PostmortemPolicy struct {
	// RequiredSeverities need a published postmortem; drills never do.
	RequiredSeverities []Severity `json:"required_severities"`
	// DueWorkingDays after resolution: Monday to Friday in UTC, or the
	// working days of the calendar CalendarID names (0: none).
	DueWorkingDays int   `json:"due_working_days"`
	CalendarID     int64 `json:"calendar_id,omitempty"`
	// EscalateAfterDays is how long an action item may stay overdue before
	// its owner's lead is told as well.
	EscalateAfterDays int `json:"escalate_after_days"`
}

// DefaultPostmortemPolicy requires postmortems for P0–P2 within five working
// days and escalates action items two days overdue.
func DefaultPostmortemPolicy() PostmortemPolicy {
	return PostmortemPolicy{RequiredSeverities: []Severity{P0, P1, P2}, DueWorkingDays: 5, EscalateAfterDays: 2}
}

// Validate checks the policy.
func (p *PostmortemPolicy) Validate() error {
	for i, s := range p.RequiredSeverities {
		if !s.Valid() {
			return FieldErrorf(fmt.Sprintf("required_severities[%d]", i), "unknown severity %q", s)
		}
	}
	if p.DueWorkingDays < 1 || p.DueWorkingDays > 60 {
		return FieldErrorf("due_working_days", "must be 1 to 60")
	}
	if p.EscalateAfterDays < 1 || p.EscalateAfterDays > 60 {
		return FieldErrorf("escalate_after_days", "must be 1 to 60")
	}
	if p.CalendarID < 0 {
		return FieldErrorf("calendar_id", "must be a calendar's ID")
	}
	return nil
}

// Requires reports whether an incident of severity sev needs a postmortem.
func (p *PostmortemPolicy) Requires(sev Severity, drill bool) bool {
	if drill {
		return false
	}
	for _, s := range p.RequiredSeverities {
		if s == sev {
			return true
		}
	}
	return false
}

// AddWorkingDays returns t moved forward by n weekdays (Saturday and Sunday
// skipped, in UTC). A start on a weekend counts from the next Monday's same
// time, so a Saturday resolution is not due a day earlier than a Friday one.
func AddWorkingDays(t time.Time, n int) time.Time {
	t = t.UTC()
	for t.Weekday() == time.Saturday || t.Weekday() == time.Sunday {
		t = t.AddDate(0, 0, 1)
	}
	for n > 0 {
		t = t.AddDate(0, 0, 1)
		if t.Weekday() != time.Saturday && t.Weekday() != time.Sunday {
			n--
		}
	}
	return t
}

// PostmortemFilter selects postmortems.
type PostmortemFilter struct {
	IncidentID *int64
	Statuses   []PostmortemStatus
	AuthorID   *int64
	// ReviewerID selects postmortems awaiting that reviewer.
	ReviewerID *int64

	Offset int
	Limit  int
}

// PostmortemService manages postmortems, their templates and the policy.
// Every change writes its audit row (and timeline event on the incident) in
// the same transaction.
type PostmortemService interface {
	// FindPostmortemByID returns the postmortem with its incident, key
	// moments, timeline, reviews, action items and hints.
	// Returns ENOTFOUND.
	FindPostmortemByID(ctx context.Context, id int64) (*Postmortem, error)

	// FindPostmortemByIncident is FindPostmortemByID by incident.
	// Returns ENOTFOUND when the incident has none.
	FindPostmortemByIncident(ctx context.Context, incidentID int64) (*Postmortem, error)

	// FindPostmortems returns a page (newest first) without the filled
	// parts, and the total.
	FindPostmortems(ctx context.Context, filter PostmortemFilter) ([]*Postmortem, int, error)

	// CreatePostmortem starts the draft of an incident from a template (nil
	// means the default one), importing the incident's timeline. The user
	// in ctx is the author. A resolved incident the policy covers gets its
	// due date.
	// Returns ENOTFOUND (incident, template), ECONFLICT when one exists.
	CreatePostmortem(ctx context.Context, incidentID int64, templateID *int64) (*Postmortem, error)

	// UpdatePostmortem edits a draft or one in review.
	// Returns ENOTFOUND, EINVALID, ECONFLICT when published.
	UpdatePostmortem(ctx context.Context, id int64, upd PostmortemUpdate) (*Postmortem, error)

	// ImportTimeline replaces the imported timeline with the incident's
	// current events.
	// Returns ENOTFOUND, ECONFLICT when published.
	ImportTimeline(ctx context.Context, id int64) (*Postmortem, error)

	// SubmitPostmortem sends a draft to review by the named reviewers, who
	// must be active users other than the author.
	// Returns ENOTFOUND, EINVALID, ECONFLICT unless it is a draft.
	SubmitPostmortem(ctx context.Context, id int64, reviewerIDs []int64) (*Postmortem, error)

	// ReviewPostmortem records the decision of the user in ctx, who must be
	// a named reviewer. Asking for changes returns it to draft.
	// Returns ENOTFOUND, EFORBIDDEN for anyone else, ECONFLICT unless in
	// review, EINVALID.
	ReviewPostmortem(ctx context.Context, id int64, decision ReviewDecision, comment string) (*Postmortem, error)

	// PublishPostmortem publishes a postmortem in review with at least one
	// approval by someone other than the author.
	// Returns ENOTFOUND, ECONFLICT.
	PublishPostmortem(ctx context.Context, id int64) (*Postmortem, error)

	// FindPostmortemTemplates lists templates, the default first.
	FindPostmortemTemplates(ctx context.Context) ([]*PostmortemTemplate, error)
	// FindPostmortemTemplateByID returns ENOTFOUND.
	FindPostmortemTemplateByID(ctx context.Context, id int64) (*PostmortemTemplate, error)
	// CreatePostmortemTemplate adds a template; a default one takes over
	// from the previous default. Returns EINVALID.
	CreatePostmortemTemplate(ctx context.Context, t *PostmortemTemplate) error
	// ReplacePostmortemTemplate returns ENOTFOUND, EINVALID.
	ReplacePostmortemTemplate(ctx context.Context, id int64, t *PostmortemTemplate) error
	// DeletePostmortemTemplate returns ENOTFOUND, ECONFLICT for the default.
	DeletePostmortemTemplate(ctx context.Context, id int64) error

	// FindPostmortemPolicy returns the policy in force.
	FindPostmortemPolicy(ctx context.Context) (*PostmortemPolicy, error)
	// UpdatePostmortemPolicy replaces it. Returns EINVALID.
	UpdatePostmortemPolicy(ctx context.Context, p *PostmortemPolicy) error
}

// Postmortem audit actions and timeline event kinds.
const (
	AuditPostmortemCreate         AuditAction = "postmortem.create"
	AuditPostmortemUpdate         AuditAction = "postmortem.update"
	AuditPostmortemTimeline       AuditAction = "postmortem.timeline"
	AuditPostmortemSubmit         AuditAction = "postmortem.submit"
	AuditPostmortemReview         AuditAction = "postmortem.review"
	AuditPostmortemPublish        AuditAction = "postmortem.publish"
	AuditPostmortemTemplateCreate AuditAction = "postmortem_template.create"
	AuditPostmortemTemplateUpdate AuditAction = "postmortem_template.update"
	AuditPostmortemTemplateDelete AuditAction = "postmortem_template.delete"
	AuditPostmortemPolicyUpdate   AuditAction = "postmortem_policy.update"

	EventPostmortem EventKind = "postmortem"
)
