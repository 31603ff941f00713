package warroom

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Severity ranks an incident from P0 (the worst) to P4.
type Severity string

// The five severities, worst first.
const (
	P0 Severity = "P0"
	P1 Severity = "P1"
	P2 Severity = "P2"
	P3 Severity = "P3"
	P4 Severity = "P4"
)

// Severities lists every severity, worst first.
var Severities = []Severity{P0, P1, P2, P3, P4}

// Valid reports whether s is one of P0–P4.
func (s Severity) Valid() bool {
	switch s {
	case P0, P1, P2, P3, P4:
		return true
	}
	return false
}

// Rank returns 0 for P0 up to 4 for P4, and 5 for anything invalid, so that
// a lower rank always means more severe.
func (s Severity) Rank() int {
	for i, v := range Severities {
		if v == s {
			return i
		}
	}
	return len(Severities)
}

// MoreSevere reports whether s is worse than t.
func (s Severity) MoreSevere(t Severity) bool { return s.Rank() < t.Rank() }

// ParseSeverity accepts "P1" or "p1".
func ParseSeverity(s string) (Severity, error) {
	v := Severity(strings.ToUpper(strings.TrimSpace(s)))
	if !v.Valid() {
		return "", fmt.Errorf("unknown severity %q (want P0, P1, P2, P3 or P4)", s)
	}
	return v, nil
}

// SeverityRule proposes its severity when every criterion it sets holds.
// Unset criteria are ignored; a rule with no criterion never matches, so a
// typo cannot silently make every incident a P0.
type SeverityRule struct {
	Name     string   `json:"name"`
	Severity Severity `json:"severity"`

	MinUsersAffected  *int64 `json:"min_users_affected,omitempty"`
	MinOrdersAffected *int64 `json:"min_orders_affected,omitempty"`
	// MinMoneyAffected matches only money in the same currency: warroom does
	// not convert currencies, and a guessed rate would be a silent error.
	MinMoneyAffected *Money `json:"min_money_affected,omitempty"`
	// ComplianceImpact, when set, requires the incident's compliance flag to equal it.
	ComplianceImpact *bool `json:"compliance_impact,omitempty"`
	// NoRecoveryPath, when true, requires that no backup or recovery path exists.
	NoRecoveryPath *bool `json:"no_recovery_path,omitempty"`
}

// Matches reports whether every criterion of the rule holds for impact.
func (r *SeverityRule) Matches(impact Impact) bool {
	n := 0
	if r.MinUsersAffected != nil {
		if impact.UsersAffected < *r.MinUsersAffected {
			return false
		}
		n++
	}
	if r.MinOrdersAffected != nil {
		if impact.OrdersAffected < *r.MinOrdersAffected {
			return false
		}
		n++
	}
	if r.MinMoneyAffected != nil {
		m := impact.MoneyAffected
		if m.Currency != r.MinMoneyAffected.Currency || m.Amount < r.MinMoneyAffected.Amount {
			return false
		}
		n++
	}
	if r.ComplianceImpact != nil {
		if impact.ComplianceImpact != *r.ComplianceImpact {
			return false
		}
		n++
	}
	if r.NoRecoveryPath != nil && *r.NoRecoveryPath {
		if impact.RecoveryPathAvailable == nil || *impact.RecoveryPathAvailable {
			return false
		}
		n++
	}
	return n > 0
}

// criteria counts the criteria a rule sets.
func (r *SeverityRule) criteria() int {
	n := 0
	for _, set := range []bool{r.MinUsersAffected != nil, r.MinOrdersAffected != nil, r.MinMoneyAffected != nil, r.ComplianceImpact != nil, r.NoRecoveryPath != nil && *r.NoRecoveryPath} {
		if set {
			n++
		}
	}
	return n
}

// DurationEscalator proposes a worse severity for an incident that has stayed
// unresolved for longer than After: "a P2 still open after 2 h is a P1".
type DurationEscalator struct {
	From         Severity `json:"from"`
	To           Severity `json:"to"`
	AfterSeconds int64    `json:"after_seconds"`
}

// After returns the escalator's threshold as a duration.
func (e DurationEscalator) After() time.Duration { return time.Duration(e.AfterSeconds) * time.Second }

// SeverityMatrix is the team's agreement, made before anything breaks, on how
// impact numbers map to a severity (seed 001).
type SeverityMatrix struct {
	// Rules are alternatives: the most severe matching rule wins; among rules
	// of equal severity the first listed is named as the reason.
	Rules []SeverityRule `json:"rules"`
	// Default is proposed when no rule matches.
	Default    Severity            `json:"default"`
	Escalators []DurationEscalator `json:"escalators"`
}

// Validate checks every rule and escalator, naming the offending one.
func (m *SeverityMatrix) Validate() error {
	if !m.Default.Valid() {
		return FieldErrorf("default", "unknown severity %q", m.Default)
	}
	if len(m.Rules) > 100 {
		return FieldErrorf("rules", "at most 100 rules")
	}
	for i := range m.Rules {
		r := &m.Rules[i]
		f := fmt.Sprintf("rules[%d]", i)
		if strings.TrimSpace(r.Name) == "" || len(r.Name) > 200 {
			return FieldErrorf(f+".name", "must be 1 to 200 characters")
		} else if !r.Severity.Valid() {
			return FieldErrorf(f+".severity", "unknown severity %q", r.Severity)
		} else if r.criteria() == 0 {
			return FieldErrorf(f, "sets no criterion")
		} else if r.MinUsersAffected != nil && *r.MinUsersAffected < 0 {
			return FieldErrorf(f+".min_users_affected", "must not be negative")
		} else if r.MinOrdersAffected != nil && *r.MinOrdersAffected < 0 {
			return FieldErrorf(f+".min_orders_affected", "must not be negative")
		}
		if r.MinMoneyAffected != nil {
			if err := r.MinMoneyAffected.Validate(f + ".min_money_affected"); err != nil {
				return err
			} else if r.MinMoneyAffected.Currency == "" {
				return FieldErrorf(f+".min_money_affected.currency", "is required")
			}
		}
	}
	if len(m.Escalators) > 100 {
		return FieldErrorf("escalators", "at most 100 escalators")
	}
	for i, e := range m.Escalators {
		f := fmt.Sprintf("escalators[%d]", i)
		if !e.From.Valid() {
			return FieldErrorf(f+".from", "unknown severity %q", e.From)
		} else if !e.To.Valid() {
			return FieldErrorf(f+".to", "unknown severity %q", e.To)
		} else if !e.To.MoreSevere(e.From) {
			return FieldErrorf(f+".to", "must be more severe than %s", e.From)
		} else if e.AfterSeconds <= 0 {
			return FieldErrorf(f+".after_seconds", "must be positive")
		}
	}
	return nil
}

// Proposal is the severity the matrix proposes and the reason why.
type Proposal struct {
	Severity Severity `json:"proposed_severity"`
	Reason   string   `json:"severity_reason"`
}

// Propose applies the matrix to impact numbers for an incident that has been
// open for openFor. Duration escalators chain, each counting from the moment
// the previous one took effect: with P3→P2 after 8 h and P2→P1 after 2 h, a
// P3 is proposed as P2 at 8 h and as P1 at 10 h.
func (m *SeverityMatrix) Propose(impact Impact, openFor time.Duration) Proposal {
	p := Proposal{Severity: m.Default, Reason: fmt.Sprintf("no rule matched: default %s", m.Default)}
	var best *SeverityRule
	for i := range m.Rules {
		r := &m.Rules[i]
		if r.Matches(impact) && (best == nil || r.Severity.MoreSevere(best.Severity)) {
			best = r
		}
	}
	if best != nil {
		p = Proposal{Severity: best.Severity, Reason: fmt.Sprintf("rule %q: %s", best.Name, best.describe())}
	}
	remaining, elapsed := openFor, time.Duration(0)
	// Bounded by the number of severities so that a cycle in a hand-edited
	// matrix cannot loop; Validate forbids escalating to a milder level anyway.
	for range Severities {
		escalated := false
		for _, e := range m.Escalators {
			if e.From == p.Severity && e.After() > 0 && remaining >= e.After() && e.To.MoreSevere(p.Severity) {
				remaining -= e.After()
				elapsed += e.After()
				p = Proposal{Severity: e.To, Reason: fmt.Sprintf("%s; still %s after %s: %s", p.Reason, e.From, formatDuration(elapsed), e.To)}
				escalated = true
				break
			}
		}
		if !escalated {
			break
		}
	}
	return p
}

// describe renders the criteria of a rule for the reason text.
func (r *SeverityRule) describe() string {
	var parts []string
	if r.MinUsersAffected != nil {
		parts = append(parts, fmt.Sprintf("users affected ≥ %d", *r.MinUsersAffected))
	}
	if r.MinOrdersAffected != nil {
		parts = append(parts, fmt.Sprintf("orders affected ≥ %d", *r.MinOrdersAffected))
	}
	if r.MinMoneyAffected != nil {
		parts = append(parts, fmt.Sprintf("money affected ≥ %s", r.MinMoneyAffected))
	}
	if r.ComplianceImpact != nil {
		parts = append(parts, fmt.Sprintf("compliance impact = %t", *r.ComplianceImpact))
	}
	if r.NoRecoveryPath != nil && *r.NoRecoveryPath {
		parts = append(parts, "no recovery path")
	}
	return strings.Join(parts, " and ")
}

// formatDuration prints whole minutes or hours, the granularity people use.
func formatDuration(d time.Duration) string {
	d = d.Truncate(time.Minute)
	if d >= time.Hour && d%time.Hour == 0 {
		return fmt.Sprintf("%dh", d/time.Hour)
	}
	if d >= time.Hour {
		return fmt.Sprintf("%dh%dm", d/time.Hour, (d%time.Hour)/time.Minute)
	}
	return fmt.Sprintf("%dm", d/time.Minute)
}

func ptr[T any](v T) *T { return &v }

// DefaultSeverityMatrix returns the matrix a new installation starts with.
// Its thresholds follow seed 001's dimensions (users, money, orders,
// compliance, recovery path, duration); docs/severity.md explains each.
func DefaultSeverityMatrix() SeverityMatrix {
	return SeverityMatrix{
		Default: P4,
		Rules: []SeverityRule{
			{Name: "massive user impact", Severity: P0, MinUsersAffected: ptr[int64](100_000)},
			{Name: "massive financial impact", Severity: P0, MinMoneyAffected: &Money{Amount: 1_000_000 * 100, Currency: "CNY"}},
			{Name: "compliance breach without recovery path", Severity: P0, ComplianceImpact: ptr(true), NoRecoveryPath: ptr(true)},
			{Name: "major user impact", Severity: P1, MinUsersAffected: ptr[int64](10_000)},
			{Name: "major financial impact", Severity: P1, MinMoneyAffected: &Money{Amount: 100_000 * 100, Currency: "CNY"}},
			{Name: "major order impact", Severity: P1, MinOrdersAffected: ptr[int64](10_000)},
			{Name: "compliance impact", Severity: P1, ComplianceImpact: ptr(true)},
			{Name: "significant user impact", Severity: P2, MinUsersAffected: ptr[int64](1_000)},
			{Name: "significant financial impact", Severity: P2, MinMoneyAffected: &Money{Amount: 10_000 * 100, Currency: "CNY"}},
			{Name: "significant order impact", Severity: P2, MinOrdersAffected: ptr[int64](1_000)},
			{Name: "no recovery path", Severity: P2, NoRecoveryPath: ptr(true)},
			{Name: "minor user impact", Severity: P3, MinUsersAffected: ptr[int64](100)},
			{Name: "minor financial impact", Severity: P3, MinMoneyAffected: &Money{Amount: 1_000 * 100, Currency: "CNY"}},
			{Name: "minor order impact", Severity: P3, MinOrdersAffected: ptr[int64](100)},
		},
		Escalators: []DurationEscalator{
			{From: P1, To: P0, AfterSeconds: 4 * 3600},
			{From: P2, To: P1, AfterSeconds: 2 * 3600},
			{From: P3, To: P2, AfterSeconds: 8 * 3600},
		},
	}
}

// SLAPolicy is what a severity promises: how soon someone acknowledges and
// how soon the incident is resolved, counted from detection.
type SLAPolicy struct {
	Severity             Severity `json:"severity"`
	AckTargetSeconds     int64    `json:"ack_target_seconds"`
	ResolveTargetSeconds int64    `json:"resolve_target_seconds"`
}

// AckTarget returns the acknowledge target as a duration.
func (p SLAPolicy) AckTarget() time.Duration {
	return time.Duration(p.AckTargetSeconds) * time.Second
}

// ResolveTarget returns the resolve target as a duration.
func (p SLAPolicy) ResolveTarget() time.Duration {
	return time.Duration(p.ResolveTargetSeconds) * time.Second
}

// ValidateSLAPolicies checks there is exactly one policy per severity with
// positive targets and an acknowledge target no later than the resolve one.
func ValidateSLAPolicies(ps []SLAPolicy) error {
	seen := map[Severity]bool{}
	for i, p := range ps {
		f := fmt.Sprintf("policies[%d]", i)
		if !p.Severity.Valid() {
			return FieldErrorf(f+".severity", "unknown severity %q", p.Severity)
		} else if seen[p.Severity] {
			return FieldErrorf(f+".severity", "%s is listed twice", p.Severity)
		} else if p.AckTargetSeconds <= 0 {
			return FieldErrorf(f+".ack_target_seconds", "must be positive")
		} else if p.ResolveTargetSeconds < p.AckTargetSeconds {
			return FieldErrorf(f+".resolve_target_seconds", "must not be shorter than the acknowledge target")
		} else if p.ResolveTargetSeconds > 366*24*3600 {
			return FieldErrorf(f+".resolve_target_seconds", "must be at most a year")
		}
		seen[p.Severity] = true
	}
	for _, s := range Severities {
		if !seen[s] {
			return FieldErrorf("policies", "%s has no policy", s)
		}
	}
	return nil
}

// DefaultSLAPolicies follows seed 001: a P0 is resolved within a day, a P1
// within two, and so on down the scale.
func DefaultSLAPolicies() []SLAPolicy {
	const m, h, d = 60, 3600, 24 * 3600
	return []SLAPolicy{
		{Severity: P0, AckTargetSeconds: 5 * m, ResolveTargetSeconds: 1 * d},
		{Severity: P1, AckTargetSeconds: 15 * m, ResolveTargetSeconds: 2 * d},
		{Severity: P2, AckTargetSeconds: 30 * m, ResolveTargetSeconds: 3 * d},
		{Severity: P3, AckTargetSeconds: 4 * h, ResolveTargetSeconds: 7 * d},
		{Severity: P4, AckTargetSeconds: 24 * h, ResolveTargetSeconds: 14 * d},
	}
}

// SLAStatus is an incident's standing against its severity's policy at a
// given moment.
type SLAStatus struct {
	AckDue          time.Time `json:"ack_due"`
	ResolveDue      time.Time `json:"resolve_due"`
	AckBreached     bool      `json:"ack_breached"`
	ResolveBreached bool      `json:"resolve_breached"`
}

// SLAFor computes the status of inc against policy p at now. A target met
// late stays breached; a target still open is breached once now passes it.
func SLAFor(inc *Incident, p SLAPolicy, now time.Time) SLAStatus {
	s := SLAStatus{AckDue: inc.DetectedAt.Add(p.AckTarget()), ResolveDue: inc.DetectedAt.Add(p.ResolveTarget())}
	if inc.AcknowledgedAt != nil {
		s.AckBreached = inc.AcknowledgedAt.After(s.AckDue)
	} else {
		s.AckBreached = now.After(s.AckDue)
	}
	if inc.ResolvedAt != nil {
		s.ResolveBreached = inc.ResolvedAt.After(s.ResolveDue)
	} else {
		s.ResolveBreached = now.After(s.ResolveDue)
	}
	return s
}

// SeverityPolicyService keeps the severity matrix and the SLA policies.
type SeverityPolicyService interface {
	// FindSeverityMatrix returns the matrix in force (the default until
	// someone changes it).
	FindSeverityMatrix(ctx context.Context) (*SeverityMatrix, error)

	// UpdateSeverityMatrix replaces the matrix.
	// Returns EINVALID.
	UpdateSeverityMatrix(ctx context.Context, m *SeverityMatrix) error

	// FindSLAPolicies returns one policy per severity, worst first.
	FindSLAPolicies(ctx context.Context) ([]SLAPolicy, error)

	// UpdateSLAPolicies replaces all policies.
	// Returns EINVALID.
	UpdateSLAPolicies(ctx context.Context, ps []SLAPolicy) error
}
