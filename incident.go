package warroom

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// IncidentType classifies what kind of failure an incident is (seed 003).
type IncidentType string

// The built-in incident types.
const (
	TypeSystemCrash    IncidentType = "system_crash"
	TypeDataLoss       IncidentType = "data_loss"
	TypeNetworkFailure IncidentType = "network_failure"
	TypeSecurityBreach IncidentType = "security_breach"
	TypeOther          IncidentType = "other"
)

// IncidentTypes lists the built-in types.
var IncidentTypes = []IncidentType{TypeSystemCrash, TypeDataLoss, TypeNetworkFailure, TypeSecurityBreach, TypeOther}

// Valid reports whether t is a known type.
func (t IncidentType) Valid() bool {
	for _, v := range IncidentTypes {
		if v == t {
			return true
		}
	}
	return false
}

// State is where an incident stands in its lifecycle.
type State string

// The lifecycle, in its usual order.
const (
	StateTriggered     State = "triggered"
	StateAcknowledged  State = "acknowledged"
	StateInvestigating State = "investigating"
	StateIdentified    State = "identified"
	StateMitigated     State = "mitigated"
	StateResolved      State = "resolved"
	StateClosed        State = "closed"
)

// States lists every state in lifecycle order.
var States = []State{StateTriggered, StateAcknowledged, StateInvestigating, StateIdentified, StateMitigated, StateResolved, StateClosed}

// transitions lists the legal next states. Work can skip ahead (a false
// alarm is resolved straight from triggered) and step back while open (a fix
// that did not hold returns a mitigated incident to investigating); a
// resolved incident can be reopened until it is closed, and closed is final.
var transitions = map[State][]State{
	StateTriggered:     {StateAcknowledged, StateInvestigating, StateIdentified, StateMitigated, StateResolved},
	StateAcknowledged:  {StateInvestigating, StateIdentified, StateMitigated, StateResolved},
	StateInvestigating: {StateIdentified, StateMitigated, StateResolved},
	StateIdentified:    {StateInvestigating, StateMitigated, StateResolved},
	StateMitigated:     {StateInvestigating, StateIdentified, StateResolved},
	StateResolved:      {StateInvestigating, StateClosed},
	StateClosed:        nil,
}

// Valid reports whether s is a known state.
func (s State) Valid() bool {
	_, ok := transitions[s]
	return ok
}

// Open reports whether the incident still needs work.
func (s State) Open() bool { return s != StateResolved && s != StateClosed }

// NextStates returns the states s may move to.
func (s State) NextStates() []State { return append([]State(nil), transitions[s]...) }

// CanTransition reports whether moving from s to t is legal.
func (s State) CanTransition(t State) bool {
	for _, v := range transitions[s] {
		if v == t {
			return true
		}
	}
	return false
}

// CheckTransition returns ECONFLICT naming the legal next states when s
// cannot move to t, and EINVALID when t is not a state at all.
func CheckTransition(from, to State) error {
	if !to.Valid() {
		return &Error{Code: EINVALID, Field: "state", Message: fmt.Sprintf("state: unknown state %q", to)}
	}
	if from.CanTransition(to) {
		return nil
	}
	next := from.NextStates()
	if len(next) == 0 {
		return &Error{Code: ECONFLICT, Field: "state", Message: fmt.Sprintf("state: a %s incident cannot change state", from)}
	}
	names := make([]string, len(next))
	for i, v := range next {
		names[i] = string(v)
	}
	return &Error{Code: ECONFLICT, Field: "state", Message: fmt.Sprintf("state: cannot go from %s to %s; legal next states: %s", from, to, strings.Join(names, ", "))}
}

// Impact holds the quickly quantifiable numbers the severity matrix reads.
type Impact struct {
	UsersAffected    int64  `json:"users_affected"`
	MoneyAffected    Money  `json:"money_affected"`
	OrdersAffected   int64  `json:"orders_affected"`
	ComplianceImpact bool   `json:"compliance_impact"`
	ComplianceNote   string `json:"compliance_note,omitempty"`
	// RecoveryPathAvailable is nil while nobody knows yet.
	RecoveryPathAvailable *bool `json:"recovery_path_available"`
}

// Validate checks the numbers are not negative.
func (im *Impact) Validate() error {
	if im.UsersAffected < 0 {
		return FieldErrorf("impact.users_affected", "must not be negative")
	} else if im.OrdersAffected < 0 {
		return FieldErrorf("impact.orders_affected", "must not be negative")
	} else if err := im.MoneyAffected.Validate("impact.money_affected"); err != nil {
		return err
	} else if utf8.RuneCountInString(im.ComplianceNote) > MaxTextLen {
		return FieldErrorf("impact.compliance_note", "must be at most %d characters", MaxTextLen)
	}
	return nil
}

// Loss is what an incident cost once it is over (seed 000 gives every case
// one).
type Loss struct {
	MoneyLost        Money  `json:"money_lost"`
	CompensationPaid Money  `json:"compensation_paid"`
	OrdersLost       int64  `json:"orders_lost"`
	DowntimeMinutes  int64  `json:"downtime_minutes"`
	Note             string `json:"note,omitempty"`
}

// Validate checks the numbers are not negative.
func (l *Loss) Validate() error {
	if err := l.MoneyLost.Validate("loss.money_lost"); err != nil {
		return err
	} else if err := l.CompensationPaid.Validate("loss.compensation_paid"); err != nil {
		return err
	} else if l.OrdersLost < 0 {
		return FieldErrorf("loss.orders_lost", "must not be negative")
	} else if l.DowntimeMinutes < 0 {
		return FieldErrorf("loss.downtime_minutes", "must not be negative")
	} else if utf8.RuneCountInString(l.Note) > MaxTextLen {
		return FieldErrorf("loss.note", "must be at most %d characters", MaxTextLen)
	}
	return nil
}

// Length limits shared by the domain.
const (
	MaxTitleLen = 200
	MaxTextLen  = 20000
)

// Incident is a production problem being handled.
type Incident struct {
	ID int64 `json:"id"`
	// Number is the human reference, "INC-42".
	Number   string       `json:"number"`
	Title    string       `json:"title"`
	Summary  string       `json:"summary"`
	Type     IncidentType `json:"type"`
	State    State        `json:"state"`
	Severity Severity     `json:"severity"`
	// ProposedSeverity and SeverityReason are what the matrix proposes from
	// the impact numbers; Severity differs from it only after an override.
	ProposedSeverity Severity `json:"proposed_severity"`
	SeverityReason   string   `json:"severity_reason"`
	// ServiceIDs are the affected services; Services is filled on reads.
	ServiceIDs []int64    `json:"service_ids"`
	Services   []*Service `json:"services,omitempty"`
	Impact     Impact     `json:"impact"`
	Loss       Loss       `json:"loss"`
	// Drill marks a rehearsal, kept out of real statistics.
	Drill bool `json:"drill"`

	DetectedAt     time.Time  `json:"detected_at"`
	AcknowledgedAt *time.Time `json:"acknowledged_at"`
	MitigatedAt    *time.Time `json:"mitigated_at"`
	ResolvedAt     *time.Time `json:"resolved_at"`
	ClosedAt       *time.Time `json:"closed_at"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
	CreatedBy      int64      `json:"created_by"`

	// Filled on reads.
	SLA   *SLAStatus        `json:"sla,omitempty"`
	Roles []*RoleAssignment `json:"roles,omitempty"`
	Tasks []*Task           `json:"tasks,omitempty"`
}

// FormatNumber renders an incident ID as its human number.
func FormatNumber(id int64) string { return "INC-" + strconv.FormatInt(id, 10) }

// ParseNumber accepts "INC-42", "inc-42" or "42".
func ParseNumber(s string) (int64, error) {
	t := strings.TrimSpace(s)
	if len(t) > 4 && strings.EqualFold(t[:4], "INC-") {
		t = t[4:]
	}
	id, err := strconv.ParseInt(t, 10, 64)
	if err != nil || id <= 0 {
		return 0, Errorf(ENOTFOUND, "%q is not an incident number such as INC-42", s)
	}
	return id, nil
}

// Validate checks the fields a caller may set when declaring. Type
// defaults to TypeOther: whoever declares at night should not be stopped by
// a classification that can be set later.
func (inc *Incident) Validate() error {
	if inc.Type == "" {
		inc.Type = TypeOther
	}
	if err := validateTitle(inc.Title); err != nil {
		return err
	} else if utf8.RuneCountInString(inc.Summary) > MaxTextLen {
		return FieldErrorf("summary", "must be at most %d characters", MaxTextLen)
	} else if !inc.Type.Valid() {
		return FieldErrorf("type", "unknown type %q (want one of %s)", inc.Type, joinTypes())
	} else if inc.Severity != "" && !inc.Severity.Valid() {
		return FieldErrorf("severity", "unknown severity %q (want P0, P1, P2, P3 or P4)", inc.Severity)
	} else if err := validateServiceIDs(inc.ServiceIDs); err != nil {
		return err
	} else if err := inc.Impact.Validate(); err != nil {
		return err
	}
	return inc.Loss.Validate()
}

func validateTitle(t string) error {
	if strings.TrimSpace(t) == "" {
		return FieldErrorf("title", "is required")
	} else if utf8.RuneCountInString(t) > MaxTitleLen {
		return FieldErrorf("title", "must be at most %d characters", MaxTitleLen)
	} else if !utf8.ValidString(t) {
		return FieldErrorf("title", "must be valid UTF-8")
	}
	return nil
}

func validateServiceIDs(ids []int64) error {
	if len(ids) > 100 {
		return FieldErrorf("service_ids", "at most 100 services")
	}
	for _, id := range ids {
		if id <= 0 {
			return FieldErrorf("service_ids", "%d is not a service ID", id)
		}
	}
	return nil
}

func joinTypes() string {
	s := make([]string, len(IncidentTypes))
	for i, t := range IncidentTypes {
		s[i] = string(t)
	}
	return strings.Join(s, ", ")
}

// IncidentFilter selects incidents. Empty fields do not filter.
type IncidentFilter struct {
	ID         *int64
	States     []State
	Severities []Severity
	ServiceID  *int64
	Type       *IncidentType
	// DetectedAfter and DetectedBefore bound detection time: [after, before).
	DetectedAfter  *time.Time
	DetectedBefore *time.Time
	// Query matches title and summary, case-insensitively.
	Query *string
	// Drill nil returns both real incidents and drills.
	Drill *bool

	Offset int
	// Limit 0 means the default page size; it is capped at MaxPageSize.
	Limit int
}

// Page sizes for every list endpoint.
const (
	DefaultPageSize = 50
	MaxPageSize     = 500
)

// IncidentUpdate changes the descriptive fields of an incident. Nil fields are
// left alone. Changing Impact re-proposes the severity.
type IncidentUpdate struct {
	Title      *string       `json:"title"`
	Summary    *string       `json:"summary"`
	Type       *IncidentType `json:"type"`
	ServiceIDs *[]int64      `json:"service_ids"`
	Impact     *Impact       `json:"impact"`
	Loss       *Loss         `json:"loss"`
}

// Validate checks the fields that are set.
func (u *IncidentUpdate) Validate() error {
	if u.Title != nil {
		if err := validateTitle(*u.Title); err != nil {
			return err
		}
	}
	if u.Summary != nil && utf8.RuneCountInString(*u.Summary) > MaxTextLen {
		return FieldErrorf("summary", "must be at most %d characters", MaxTextLen)
	}
	if u.Type != nil && !u.Type.Valid() {
		return FieldErrorf("type", "unknown type %q (want one of %s)", *u.Type, joinTypes())
	}
	if u.ServiceIDs != nil {
		if err := validateServiceIDs(*u.ServiceIDs); err != nil {
			return err
		}
	}
	if u.Impact != nil {
		if err := u.Impact.Validate(); err != nil {
			return err
		}
	}
	if u.Loss != nil {
		return u.Loss.Validate()
	}
	return nil
}

// IncidentService manages incidents and everything recorded on them. Every
// mutating method records timeline events and an audit entry in the same
// transaction as the change, attributed to the user in ctx.
type IncidentService interface {
	// FindIncidentByID returns one incident with its services, SLA status,
	// current role assignments and tasks.
	// Returns ENOTFOUND.
	FindIncidentByID(ctx context.Context, id int64) (*Incident, error)

	// FindIncidents returns a page of incidents, most severe then oldest
	// first, and the total number matching the filter. Services and SLA are
	// filled; roles and tasks are not.
	FindIncidents(ctx context.Context, filter IncidentFilter) ([]*Incident, int, error)

	// DeclareIncident opens inc in the triggered state. The severity is
	// proposed from the impact numbers; when inc.Severity is set and differs,
	// it is recorded as an override. DetectedAt defaults to now and may not
	// be in the future. The SOP templates matching severity and type become
	// tasks. On return inc holds every stored field.
	// Returns EINVALID (naming the field), ENOTFOUND for an unknown service.
	DeclareIncident(ctx context.Context, inc *Incident) error

	// UpdateIncident changes descriptive fields; a change of impact records
	// the new proposal on the timeline.
	// Returns ENOTFOUND, EINVALID, ECONFLICT when the incident is closed.
	UpdateIncident(ctx context.Context, id int64, upd IncidentUpdate) (*Incident, error)

	// TransitionIncident moves the incident to state to and stamps the time
	// of that step; note, if any, goes on the timeline with the change.
	// Returns ENOTFOUND, EINVALID for an unknown state, ECONFLICT naming the
	// legal next states.
	TransitionIncident(ctx context.Context, id int64, to State, note string) (*Incident, error)

	// SetSeverity sets the severity by hand. A reason is required whenever
	// the new severity differs from the proposal. SOP templates for the new
	// severity that have not been applied yet add their tasks.
	// Returns ENOTFOUND, EINVALID, ECONFLICT when closed.
	SetSeverity(ctx context.Context, id int64, sev Severity, reason string) (*Incident, error)

	// ProposeSeverity applies the matrix in force without storing anything.
	ProposeSeverity(ctx context.Context, impact Impact, openFor time.Duration) (Proposal, error)
}
