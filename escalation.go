package warroom

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// TargetType is what an escalation level pages.
type TargetType string

// Target types.
const (
	TargetUser     TargetType = "user"
	TargetSchedule TargetType = "schedule"
	// TargetTeam pages whoever is on call on every schedule of the team.
	TargetTeam TargetType = "team"
)

// EscalationTarget is one recipient of a level: a user, a schedule or a team.
type EscalationTarget struct {
	Type TargetType `json:"type"`
	// ID is the user or schedule ID.
	ID   int64  `json:"id,omitempty"`
	Team string `json:"team,omitempty"`
}

// EscalationLevel pages its targets and, when nobody acknowledges within
// DelaySeconds, hands over to the next level.
type EscalationLevel struct {
	DelaySeconds int64              `json:"delay_seconds"`
	Targets      []EscalationTarget `json:"targets"`
}

// Delay returns the level's delay as a duration.
func (l EscalationLevel) Delay() time.Duration { return time.Duration(l.DelaySeconds) * time.Second }

// EscalationPolicy is the ordered list of who to page until someone
// acknowledges. After the last level it starts again from the first,
// Repeat more times.
type EscalationPolicy struct {
	ID          int64             `json:"id"`
	Name        string            `json:"name"`
	Description string            `json:"description"`
	Repeat      int               `json:"repeat"`
	Levels      []EscalationLevel `json:"levels"`
	CreatedAt   time.Time         `json:"created_at"`
	UpdatedAt   time.Time         `json:"updated_at"`
}

// Validate checks the policy, naming the offending level or target.
func (p *EscalationPolicy) Validate() error {
	if strings.TrimSpace(p.Name) == "" || utf8.RuneCountInString(p.Name) > MaxTitleLen {
		return FieldErrorf("name", "must be 1 to %d characters", MaxTitleLen)
	} else if utf8.RuneCountInString(p.Description) > MaxTextLen {
		return FieldErrorf("description", "must be at most %d characters", MaxTextLen)
	} else if p.Repeat < 0 || p.Repeat > 9 {
		return FieldErrorf("repeat", "must be 0 to 9")
	} else if len(p.Levels) == 0 || len(p.Levels) > 20 {
		return FieldErrorf("levels", "must have 1 to 20 levels")
	}
	for i, l := range p.Levels {
		f := fmt.Sprintf("levels[%d]", i)
		if l.DelaySeconds < 60 || l.DelaySeconds > 24*3600 {
			return FieldErrorf(f+".delay_seconds", "must be 60 to 86400")
		} else if len(l.Targets) == 0 || len(l.Targets) > 20 {
			return FieldErrorf(f+".targets", "must have 1 to 20 targets")
		}
		for j, t := range l.Targets {
			tf := fmt.Sprintf("%s.targets[%d]", f, j)
			switch t.Type {
			case TargetUser, TargetSchedule:
				if t.ID <= 0 {
					return FieldErrorf(tf+".id", "is required for a %s", t.Type)
				}
			case TargetTeam:
				if strings.TrimSpace(t.Team) == "" || utf8.RuneCountInString(t.Team) > MaxTitleLen {
					return FieldErrorf(tf+".team", "must be 1 to %d characters", MaxTitleLen)
				}
			default:
				return FieldErrorf(tf+".type", "unknown target type %q (want user, schedule or team)", t.Type)
			}
		}
	}
	return nil
}

// Escalation is the paging state of one incident under one policy.
type Escalation struct {
	ID         int64  `json:"id"`
	IncidentID int64  `json:"incident_id"`
	PolicyID   int64  `json:"policy_id"`
	PolicyName string `json:"policy_name"`
	// Level is the next level to page (0-based) and Loop how many times the
	// policy has been gone through.
	Level int `json:"level"`
	Loop  int `json:"loop"`
	// NextAt is when the next level is paged; nil once the escalation has
	// stopped.
	NextAt     *time.Time `json:"next_at"`
	StoppedAt  *time.Time `json:"stopped_at"`
	StopReason string     `json:"stop_reason"`
	CreatedAt  time.Time  `json:"created_at"`
}

// PageRequest is a manual page: a user or a whole policy, about an incident
// or with a free message.
type PageRequest struct {
	UserID     int64  `json:"user_id,omitempty"`
	PolicyID   int64  `json:"policy_id,omitempty"`
	IncidentID int64  `json:"incident_id,omitempty"`
	Message    string `json:"message"`
}

// Validate checks that exactly one recipient is named and, for a policy,
// that there is an incident to escalate.
func (p *PageRequest) Validate() error {
	if (p.UserID > 0) == (p.PolicyID > 0) {
		return FieldErrorf("user_id", "name exactly one of user_id and policy_id")
	} else if p.PolicyID > 0 && p.IncidentID <= 0 {
		return FieldErrorf("incident_id", "is required to page a policy")
	} else if p.IncidentID <= 0 && strings.TrimSpace(p.Message) == "" {
		return FieldErrorf("message", "is required without an incident")
	} else if utf8.RuneCountInString(p.Message) > 2000 {
		return FieldErrorf("message", "must be at most 2000 characters")
	}
	return nil
}

// Escalation audit actions.
const (
	AuditPolicyCreate   AuditAction = "escalation_policy.create"
	AuditPolicyReplace  AuditAction = "escalation_policy.replace"
	AuditEscalateNow    AuditAction = "incident.escalate"
	AuditPage           AuditAction = "page"
	AuditLinkAcknowlege AuditAction = "incident.link_action"
)

// EscalationService manages escalation policies and the escalations they
// drive. Escalations start by themselves when an incident is declared on a
// service that has a policy; the engine pages each level when it falls due.
type EscalationService interface {
	// FindEscalationPolicies lists every policy by name.
	FindEscalationPolicies(ctx context.Context) ([]*EscalationPolicy, error)

	// FindEscalationPolicyByID returns ENOTFOUND.
	FindEscalationPolicyByID(ctx context.Context, id int64) (*EscalationPolicy, error)

	// CreateEscalationPolicy adds a policy.
	// Returns EINVALID, ENOTFOUND for an unknown user or schedule target.
	CreateEscalationPolicy(ctx context.Context, p *EscalationPolicy) error

	// ReplaceEscalationPolicy replaces a policy; running escalations use the
	// new levels from their next step.
	// Returns ENOTFOUND, EINVALID.
	ReplaceEscalationPolicy(ctx context.Context, id int64, p *EscalationPolicy) error

	// SetServiceEscalationPolicy points a service to a policy (0 clears it).
	// Returns ENOTFOUND.
	SetServiceEscalationPolicy(ctx context.Context, serviceID, policyID int64) error

	// FindServiceEscalationPolicy returns the ID of the service's policy, 0
	// when it has none.
	// Returns ENOTFOUND.
	FindServiceEscalationPolicy(ctx context.Context, serviceID int64) (int64, error)

	// FindEscalations lists an incident's escalations.
	// Returns ENOTFOUND.
	FindEscalations(ctx context.Context, incidentID int64) ([]*Escalation, error)

	// EscalateNow makes the next level of every running escalation of the
	// incident due immediately ("notify the next level now").
	// Returns ENOTFOUND, ECONFLICT when nothing is escalating.
	EscalateNow(ctx context.Context, incidentID int64) error

	// Page pages a user now, or starts the policy on an incident.
	// Returns EINVALID, ENOTFOUND.
	Page(ctx context.Context, req PageRequest) error
}
