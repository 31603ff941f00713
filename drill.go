package warroom

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// A drill is an incident whose Drill flag is set: a rehearsal. It pages and
// tells only its participants, its public updates go to a preview of the
// status page instead of the page, and it is left out of real statistics
// (docs/drills.md). A game day plays a DrillScenario on chosen services as
// a DrillRun.

// CountsAsReal reports whether inc belongs in real statistics (incident
// insights, SLA compliance, on-call load): every incident but a drill.
func (inc *Incident) CountsAsReal() bool { return !inc.Drill }

// AlertSourceDrill is the source of the synthetic alerts a drill run
// injects. Routing honours a drill label only on alerts of this source,
// which no integration can send: a real alert can never be silenced by
// labelling it a drill.
const AlertSourceDrill = "drill"

// DrillRunLabel is the alert label naming the drill run an injected alert
// belongs to.
const DrillRunLabel = "warroom_drill_run"

// DrillStepKind is what one step of a scenario injects.
type DrillStepKind string

// Step kinds.
const (
	// DrillStepAlert is a synthetic alert sent through the ingest path.
	DrillStepAlert DrillStepKind = "alert"
	// DrillStepHeartbeat is a heartbeat that stops: the alert the
	// heartbeat monitor raises when pings stop, through the same path.
	DrillStepHeartbeat DrillStepKind = "heartbeat"
	// DrillStepChange is the change that "caused" it, recorded on the
	// drill's timeline only, never in the real change calendar.
	DrillStepChange DrillStepKind = "change"
	// DrillStepNote is a fact revealed to the team on the timeline.
	DrillStepNote DrillStepKind = "note"
)

// Valid reports whether k is a known kind.
func (k DrillStepKind) Valid() bool {
	return k == DrillStepAlert || k == DrillStepHeartbeat || k == DrillStepChange || k == DrillStepNote
}

// DrillStep is one injected event, at an offset from the drill's start.
type DrillStep struct {
	OffsetSeconds int64         `json:"offset_seconds" yaml:"offset_seconds"`
	Kind          DrillStepKind `json:"kind" yaml:"kind"`
	Summary       string        `json:"summary" yaml:"summary"`
	// Severity is the alert severity of alert and heartbeat steps.
	Severity AlertSeverity `json:"severity,omitempty" yaml:"severity,omitempty"`
	Detail   string        `json:"detail,omitempty" yaml:"detail,omitempty"`
}

// DrillScenario is a saved script for a game day.
type DrillScenario struct {
	// Slug names the scenario in URLs and commands: lower-case letters,
	// digits and dashes.
	Slug        string `json:"slug" yaml:"slug"`
	Name        string `json:"name" yaml:"name"`
	Description string `json:"description" yaml:"description"`
	// Language is the language the scenario is written in (en or zh-CN).
	Language string       `json:"language" yaml:"language"`
	Severity Severity     `json:"severity" yaml:"severity"`
	Type     IncidentType `json:"type" yaml:"type"`
	// ExpectedRoles are the incident roles the team should fill.
	ExpectedRoles []string `json:"expected_roles" yaml:"expected_roles"`
	// SOP are the steps the team is expected to take; each becomes a task
	// of the drill incident, and the report says which were done.
	SOP   []string    `json:"sop" yaml:"sop"`
	Steps []DrillStep `json:"steps" yaml:"steps"`
	// BuiltIn is set on the scenarios shipped with warroom, which cannot
	// be changed or deleted.
	BuiltIn   bool      `json:"built_in" yaml:"-"`
	CreatedAt time.Time `json:"created_at" yaml:"-"`
	UpdatedAt time.Time `json:"updated_at" yaml:"-"`
}

var slugPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// Drill limits.
const (
	MaxDrillSteps  = 100
	MaxDrillOffset = 24 * 3600
)

// Validate checks the scenario and fills defaults.
func (s *DrillScenario) Validate() error {
	s.Slug, s.Name = strings.TrimSpace(s.Slug), strings.TrimSpace(s.Name)
	if s.Language == "" {
		s.Language = "en"
	}
	if s.Type == "" {
		s.Type = TypeOther
	}
	switch {
	case !slugPattern.MatchString(s.Slug):
		return FieldErrorf("slug", "must be 1 to 63 lower-case letters, digits and dashes, starting with a letter or digit")
	case s.Name == "" || utf8.RuneCountInString(s.Name) > MaxTitleLen:
		return FieldErrorf("name", "must be 1 to %d characters", MaxTitleLen)
	case utf8.RuneCountInString(s.Description) > MaxTextLen:
		return FieldErrorf("description", "must be at most %d characters", MaxTextLen)
	case s.Language != "en" && s.Language != "zh-CN":
		return FieldErrorf("language", "must be en or zh-CN")
	case !s.Severity.Valid():
		return FieldErrorf("severity", "unknown severity %q (want P0, P1, P2, P3 or P4)", s.Severity)
	case !s.Type.Valid():
		return FieldErrorf("type", "unknown type %q (want one of %s)", s.Type, joinTypes())
	case len(s.ExpectedRoles) > 10:
		return FieldErrorf("expected_roles", "at most 10 roles")
	case len(s.SOP) > 50:
		return FieldErrorf("sop", "at most 50 steps")
	case len(s.Steps) == 0 || len(s.Steps) > MaxDrillSteps:
		return FieldErrorf("steps", "must have 1 to %d steps", MaxDrillSteps)
	}
	for i, r := range s.ExpectedRoles {
		if !slices.Contains([]string{RoleCommander, RoleCommunications, RoleScribe}, r) {
			return FieldErrorf(fmt.Sprintf("expected_roles[%d]", i), "unknown role %q (want commander, communications or scribe)", r)
		}
	}
	for i, t := range s.SOP {
		if err := validateTitle(t); err != nil {
			return FieldErrorf(fmt.Sprintf("sop[%d]", i), "%s", ErrorMessage(err))
		}
	}
	alerts := 0
	for i := range s.Steps {
		st := &s.Steps[i]
		f := fmt.Sprintf("steps[%d]", i)
		st.Summary = strings.TrimSpace(st.Summary)
		if (st.Kind == DrillStepAlert || st.Kind == DrillStepHeartbeat) && st.Severity == "" {
			st.Severity = AlertCritical
		}
		switch {
		case !st.Kind.Valid():
			return FieldErrorf(f+".kind", "unknown kind %q (want alert, heartbeat, change or note)", st.Kind)
		case st.OffsetSeconds < 0 || st.OffsetSeconds > MaxDrillOffset:
			return FieldErrorf(f+".offset_seconds", "must be 0 to %d", MaxDrillOffset)
		case st.Summary == "" || utf8.RuneCountInString(st.Summary) > MaxTitleLen:
			return FieldErrorf(f+".summary", "must be 1 to %d characters", MaxTitleLen)
		case utf8.RuneCountInString(st.Detail) > MaxTextLen:
			return FieldErrorf(f+".detail", "must be at most %d characters", MaxTextLen)
		case st.Severity != "" && !st.Severity.Valid():
			return FieldErrorf(f+".severity", "unknown alert severity %q (want critical, error, warning or info)", st.Severity)
		case st.Severity != "" && st.Kind != DrillStepAlert && st.Kind != DrillStepHeartbeat:
			return FieldErrorf(f+".severity", "applies to alert and heartbeat steps only")
		}
		if st.Kind == DrillStepAlert || st.Kind == DrillStepHeartbeat {
			alerts++
		}
	}
	if alerts == 0 {
		// The drill incident is opened by routing, as a real one is.
		return FieldErrorf("steps", "needs at least one alert or heartbeat step: it opens the drill incident")
	}
	slices.SortStableFunc(s.Steps, func(a, b DrillStep) int { return int(a.OffsetSeconds - b.OffsetSeconds) })
	return nil
}

// DrillRunState is where a run stands.
type DrillRunState string

// Run states.
const (
	DrillScheduled DrillRunState = "scheduled"
	DrillRunning   DrillRunState = "running"
	DrillPaused    DrillRunState = "paused"
	DrillCompleted DrillRunState = "completed"
	DrillAborted   DrillRunState = "aborted"
)

// Ended reports whether the run can no longer change.
func (s DrillRunState) Ended() bool { return s == DrillCompleted || s == DrillAborted }

// DrillRun is a scenario played on services. The scenario is copied when the
// run is created, so that editing it later does not rewrite history.
type DrillRun struct {
	ID           int64         `json:"id"`
	ScenarioSlug string        `json:"scenario_slug"`
	Scenario     DrillScenario `json:"scenario"`
	ServiceIDs   []int64       `json:"service_ids"`
	// ParticipantIDs are the on-call of the services when the run
	// started, and the person who started it.
	ParticipantIDs []int64        `json:"participant_ids"`
	State          DrillRunState  `json:"state"`
	StartsAt       time.Time      `json:"starts_at"`
	StartedAt      *time.Time     `json:"started_at"`
	PausedAt       *time.Time     `json:"paused_at"`
	EndedAt        *time.Time     `json:"ended_at"`
	IncidentID     *int64         `json:"incident_id"`
	CreatedBy      int64          `json:"created_by"`
	CreatedAt      time.Time      `json:"created_at"`
	Steps          []DrillRunStep `json:"steps"`
}

// DrillRunStep is the progress of one scenario step in a run.
type DrillRunStep struct {
	Index  int        `json:"index"`
	DueAt  *time.Time `json:"due_at"`
	DoneAt *time.Time `json:"done_at"`
}

// DrillRunRequest starts a run: now, or at StartsAt.
type DrillRunRequest struct {
	Scenario   string     `json:"scenario"`
	ServiceIDs []int64    `json:"service_ids"`
	StartsAt   *time.Time `json:"starts_at"`
}

// Validate checks the request against now.
func (r *DrillRunRequest) Validate(now time.Time) error {
	if strings.TrimSpace(r.Scenario) == "" {
		return FieldErrorf("scenario", "is required")
	} else if len(r.ServiceIDs) == 0 {
		return FieldErrorf("service_ids", "name at least one service: their on-call take part")
	} else if err := validateServiceIDs(r.ServiceIDs); err != nil {
		return err
	} else if r.StartsAt != nil && r.StartsAt.After(now.Add(366*24*time.Hour)) {
		return FieldErrorf("starts_at", "must be within a year")
	}
	return nil
}

// DrillRunFilter selects runs.
type DrillRunFilter struct {
	ServiceID *int64
	States    []DrillRunState
	Offset    int
	Limit     int
}

// DrillMeasure is one clock of a drill against its severity's SLA.
type DrillMeasure struct {
	// Name is acknowledge, roles, first_update or mitigate.
	Name string `json:"name"`
	// Seconds from detection; nil when it never happened.
	Seconds       *int64 `json:"seconds"`
	TargetSeconds int64  `json:"target_seconds"`
	Met           bool   `json:"met"`
}

// DrillSOPStep says whether an expected step was done.
type DrillSOPStep struct {
	Title  string     `json:"title"`
	Done   bool       `json:"done"`
	DoneAt *time.Time `json:"done_at"`
}

// DrillRunSummary is one earlier drill of the same team, for comparison.
type DrillRunSummary struct {
	RunID           int64     `json:"run_id"`
	Scenario        string    `json:"scenario"`
	StartedAt       time.Time `json:"started_at"`
	AckSeconds      *int64    `json:"ack_seconds"`
	MitigateSeconds *int64    `json:"mitigate_seconds"`
}

// DrillReport is what a drill showed.
type DrillReport struct {
	Run      *DrillRun       `json:"run"`
	Incident *Incident       `json:"incident"`
	Measures []DrillMeasure  `json:"measures"`
	SOP      []DrillSOPStep  `json:"sop"`
	Roles    map[string]bool `json:"roles"`
	// Missed lists, in plain words, what the team did not do.
	Missed      []string          `json:"missed"`
	Previous    []DrillRunSummary `json:"previous"`
	ActionItems []*ActionItem     `json:"action_items"`
}

// Drill measure names.
const (
	MeasureAcknowledge = "acknowledge"
	MeasureRoles       = "roles"
	MeasureFirstUpdate = "first_update"
	MeasureMitigate    = "mitigate"
)

// DrillMeasures computes the four clocks of a drill incident from when it
// was detected: acknowledged, every expected role filled (rolesAt),
// first status update (firstUpdate) and mitigated. Acknowledgement, roles
// and the first update are held to the acknowledge target of the
// severity (the team is to be assembled and saying something by the time
// it promises to have answered); mitigation to the resolve target.
func DrillMeasures(inc *Incident, p SLAPolicy, rolesAt, firstUpdate *time.Time) []DrillMeasure {
	since := func(t *time.Time) *int64 {
		if t == nil {
			return nil
		}
		s := int64(t.Sub(inc.DetectedAt) / time.Second)
		return &s
	}
	m := func(name string, t *time.Time, target time.Duration) DrillMeasure {
		d := DrillMeasure{Name: name, Seconds: since(t), TargetSeconds: int64(target / time.Second)}
		d.Met = d.Seconds != nil && *d.Seconds <= d.TargetSeconds
		return d
	}
	return []DrillMeasure{
		m(MeasureAcknowledge, inc.AcknowledgedAt, p.AckTarget()),
		m(MeasureRoles, rolesAt, p.AckTarget()),
		m(MeasureFirstUpdate, firstUpdate, p.AckTarget()),
		m(MeasureMitigate, inc.MitigatedAt, p.ResolveTarget()),
	}
}

// DrillServiceStatus is when a service last had a drill.
type DrillServiceStatus struct {
	ServiceID   int64      `json:"service_id"`
	ServiceName string     `json:"service_name"`
	Team        string     `json:"team"`
	LastDrillAt *time.Time `json:"last_drill_at"`
	// Overdue is set when the service had no drill within the window.
	Overdue bool `json:"overdue"`
}

// DrillTeamStats counts a team's drills and their clocks.
type DrillTeamStats struct {
	Team  string       `json:"team"`
	Runs  int          `json:"runs"`
	MTTA  DrillClock   `json:"mtta"`
	MTTR  DrillClock   `json:"mttr"`
	Trend []DrillMonth `json:"trend"`
}

// DrillClock summarises one clock over drills, in seconds.
type DrillClock struct {
	Count  int   `json:"count"`
	Mean   int64 `json:"mean_seconds"`
	Median int64 `json:"median_seconds"`
}

// SummarizeDrillClock computes the clock of values (seconds): a mean
// rounded down and the nearest-rank median. values is sorted in place.
func SummarizeDrillClock(values []int64) DrillClock {
	if len(values) == 0 {
		return DrillClock{}
	}
	slices.Sort(values)
	var sum int64
	for _, v := range values {
		sum += v
	}
	return DrillClock{Count: len(values), Mean: sum / int64(len(values)), Median: values[(len(values)+1)/2-1]}
}

// DrillMonth is one month of a team's drill trend.
type DrillMonth struct {
	Month string     `json:"month"`
	Runs  int        `json:"runs"`
	MTTA  DrillClock `json:"mtta"`
	MTTR  DrillClock `json:"mttr"`
}

// DrillInsights answer whether teams rehearse and get faster.
type DrillInsights struct {
	From     time.Time            `json:"from"`
	To       time.Time            `json:"to"`
	Teams    []DrillTeamStats     `json:"teams"`
	Services []DrillServiceStatus `json:"services"`
	// StaleDays is the N of "no drill in N days".
	StaleDays int `json:"stale_days"`
}

// DrillService keeps scenarios, runs drills and reports on them.
type DrillService interface {
	// FindDrillScenarios lists the built-in and saved scenarios.
	FindDrillScenarios(ctx context.Context) ([]*DrillScenario, error)
	// FindDrillScenario returns ENOTFOUND.
	FindDrillScenario(ctx context.Context, slug string) (*DrillScenario, error)
	// SaveDrillScenario creates or replaces a scenario.
	// Returns EINVALID, ECONFLICT for a built-in slug.
	SaveDrillScenario(ctx context.Context, s *DrillScenario) error
	// DeleteDrillScenario returns ENOTFOUND, ECONFLICT for a built-in.
	DeleteDrillScenario(ctx context.Context, slug string) error

	// StartDrill schedules a run, started by the engine at StartsAt (now
	// when unset).
	// Returns EINVALID, ENOTFOUND for an unknown scenario or service.
	StartDrill(ctx context.Context, req DrillRunRequest) (*DrillRun, error)
	// FindDrillRuns returns a page of runs, newest first, and the total.
	FindDrillRuns(ctx context.Context, f DrillRunFilter) ([]*DrillRun, int, error)
	// FindDrillRun returns ENOTFOUND.
	FindDrillRun(ctx context.Context, id int64) (*DrillRun, error)
	// PauseDrill holds the run's remaining steps; ResumeDrill shifts them
	// by the pause. AbortDrill ends the run and its incident.
	// Each returns ENOTFOUND, ECONFLICT when the run is not in a state
	// that allows it.
	PauseDrill(ctx context.Context, id int64) (*DrillRun, error)
	ResumeDrill(ctx context.Context, id int64) (*DrillRun, error)
	AbortDrill(ctx context.Context, id int64) (*DrillRun, error)
	// FireDrills starts due runs and injects due steps at now; it returns
	// how much it did.
	FireDrills(ctx context.Context, now time.Time, limit int) (int, error)

	// DrillReport measures a run. Returns ENOTFOUND.
	DrillReport(ctx context.Context, id int64) (*DrillReport, error)
	// DrillInsights counts drills in [from, to); services with no drill
	// in staleDays before to are flagged.
	// Returns EINVALID.
	DrillInsights(ctx context.Context, from, to time.Time, staleDays int) (*DrillInsights, error)
	// DrillPreview returns the drill's public updates as the status page
	// would show them, without touching the page.
	// Returns ENOTFOUND, EINVALID when the incident is not a drill.
	DrillPreview(ctx context.Context, incidentID int64) (*DrillPreview, error)
	// FindDrillParticipants returns the people a drill incident reaches.
	FindDrillParticipants(ctx context.Context, incidentID int64) ([]int64, error)
}

// DrillPreview is a drill's public side as the status page would show it:
// the public incident its updates make, and the status each component
// would have (the latest one an update gave it).
type DrillPreview struct {
	Incident   *PublicIncident   `json:"incident"`
	Components []ComponentImpact `json:"components"`
}

// Drill audit actions.
const (
	AuditDrillScenarioSave   AuditAction = "drill.scenario_save"
	AuditDrillScenarioDelete AuditAction = "drill.scenario_delete"
	AuditDrillStart          AuditAction = "drill.start"
	AuditDrillPause          AuditAction = "drill.pause"
	AuditDrillResume         AuditAction = "drill.resume"
	AuditDrillAbort          AuditAction = "drill.abort"
	// AuditDrillRealWorld is a person choosing to send one message of a
	// drill to the real world.
	AuditDrillRealWorld AuditAction = "drill.real_world"
)

// EventDrill is a drill's own timeline entry: a step injected, the run
// paused, resumed or aborted.
const EventDrill EventKind = "drill"
