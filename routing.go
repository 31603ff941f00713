package warroom

import (
	"context"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// MatchOp compares an alert field with a matcher's value, as Alertmanager's
// label matchers do.
type MatchOp string

// Match operators.
const (
	MatchEqual       MatchOp = "="
	MatchNotEqual    MatchOp = "!="
	MatchRegexp      MatchOp = "=~"
	MatchNotRegexp   MatchOp = "!~"
	MatchContains    MatchOp = "contains"
	MatchNotContains MatchOp = "!contains"
)

// Matcher tests one field of an alert. Field is a label name, or one of
// the alert's own fields written with a leading dot: .summary, .source,
// .severity, .dedup_key.
type Matcher struct {
	Field string  `json:"field"`
	Op    MatchOp `json:"op"`
	Value string  `json:"value"`

	re *regexp.Regexp
}

// Validate checks the operator and compiles a regular expression, anchored
// at both ends as in Alertmanager.
func (m *Matcher) Validate() error {
	if strings.TrimSpace(m.Field) == "" {
		return FieldErrorf("matchers.field", "is required")
	}
	switch m.Op {
	case MatchEqual, MatchNotEqual, MatchContains, MatchNotContains:
	case MatchRegexp, MatchNotRegexp:
		re, err := regexp.Compile("^(?:" + m.Value + ")$")
		if err != nil {
			return FieldErrorf("matchers.value", "bad regular expression %q: %v", m.Value, err)
		}
		m.re = re
	default:
		return FieldErrorf("matchers.op", "unknown operator %q (want =, !=, =~, !~, contains or !contains)", m.Op)
	}
	return nil
}

// field returns the value a matcher looks at; a missing label is "".
func field(a *Alert, name string) string {
	switch name {
	case ".summary":
		return a.Summary
	case ".source":
		return a.Source
	case ".severity":
		return string(a.Severity)
	case ".dedup_key":
		return a.DedupKey
	}
	return a.Labels[name]
}

// Matches reports whether the alert passes the matcher.
func (m *Matcher) Matches(a *Alert) bool {
	v := field(a, m.Field)
	switch m.Op {
	case MatchEqual:
		return v == m.Value
	case MatchNotEqual:
		return v != m.Value
	case MatchContains:
		return strings.Contains(strings.ToLower(v), strings.ToLower(m.Value))
	case MatchNotContains:
		return !strings.Contains(strings.ToLower(v), strings.ToLower(m.Value))
	case MatchRegexp, MatchNotRegexp:
		if m.re == nil && m.Validate() != nil {
			return false
		}
		return m.re.MatchString(v) == (m.Op == MatchRegexp)
	}
	return false
}

// RoutingRule decides what an alert on a service leads to. A service's
// rules are tried in position order and the first whose matchers all pass
// wins; when none does, DefaultRoutingRule applies.
type RoutingRule struct {
	ID        int64     `json:"id"`
	ServiceID int64     `json:"service_id"`
	Name      string    `json:"name"`
	Position  int       `json:"position"`
	Matchers  []Matcher `json:"matchers"`
	// SeverityMap gives the incident severity for each alert severity;
	// missing entries take DefaultSeverityMap's.
	SeverityMap map[AlertSeverity]Severity `json:"severity_map"`
	// AutoOpen opens an incident for a new alert; without it the alert is
	// stored and shown only.
	AutoOpen bool `json:"auto_open"`
	// Grouping says which alerts share an incident: GroupUpstream (the
	// default) keeps the sender's own groups, GroupLabels groups by the
	// GroupBy labels, GroupNone opens an incident for every new alert.
	Grouping Grouping `json:"grouping"`
	// GroupBy names the labels whose values make the group key: alerts
	// with the same key attach to the group's open incident for as long as
	// the last of them is younger than GroupWindowSeconds.
	GroupBy            []string `json:"group_by"`
	GroupWindowSeconds int      `json:"group_window_seconds"`
	// MitigateOnResolve moves the incident to mitigated once every alert
	// attached to it has resolved.
	MitigateOnResolve bool      `json:"mitigate_on_resolve"`
	CreatedAt         time.Time `json:"created_at"`
	UpdatedAt         time.Time `json:"updated_at"`
}

// Grouping is how a routing rule groups alerts into incidents.
type Grouping string

// Groupings.
const (
	// GroupUpstream attaches every alert of one upstream group (an
	// Alertmanager or Grafana notification's groupKey, a PagerDuty
	// dedup_key) to the incident the group opened, for as long as that
	// incident is open (or, with a window, while its last alert is younger
	// than the window). An alert without a group opens its own incident.
	GroupUpstream Grouping = "upstream"
	// GroupLabels groups by the values of the GroupBy labels.
	GroupLabels Grouping = "labels"
	// GroupNone opens an incident for every new alert.
	GroupNone Grouping = "none"
)

// DefaultSeverityMap maps PagerDuty's four levels onto P1–P4. P0 is kept
// for people to declare: no single alert should claim the worst case.
func DefaultSeverityMap() map[AlertSeverity]Severity {
	return map[AlertSeverity]Severity{AlertCritical: P1, AlertError: P2, AlertWarning: P3, AlertInfo: P4}
}

// DefaultRoutingRule is what applies when no rule matches: every new alert
// opens an incident, or joins the one its upstream group opened.
func DefaultRoutingRule(serviceID int64) *RoutingRule {
	return &RoutingRule{ServiceID: serviceID, Name: "default", AutoOpen: true, Grouping: GroupUpstream, SeverityMap: DefaultSeverityMap()}
}

// GroupWindow is how long after a group's last alert a new one still
// joins its open incident. An upstream group with no window stays joined for
// as long as its incident is open: the sender decides when a group ends.
func (r *RoutingRule) GroupWindow() time.Duration {
	if r.GroupWindowSeconds == 0 && r.Grouping != GroupLabels {
		return MaxGroupWindow
	}
	return time.Duration(r.GroupWindowSeconds) * time.Second
}

// MaxGroupWindow bounds how long a group stays open to new alerts.
const MaxGroupWindow = 7 * 24 * time.Hour

// Validate checks the rule and compiles its matchers.
func (r *RoutingRule) Validate() error {
	r.Name = strings.TrimSpace(r.Name)
	if r.ServiceID <= 0 {
		return FieldErrorf("service_id", "is required")
	} else if r.Name == "" {
		return FieldErrorf("name", "is required")
	} else if utf8.RuneCountInString(r.Name) > MaxTitleLen {
		return FieldErrorf("name", "must be at most %d characters", MaxTitleLen)
	} else if len(r.Matchers) > 20 {
		return FieldErrorf("matchers", "at most 20 matchers")
	} else if r.Position < 0 {
		return FieldErrorf("position", "must not be negative")
	}
	for i := range r.Matchers {
		if err := r.Matchers[i].Validate(); err != nil {
			return err
		}
	}
	for as, s := range r.SeverityMap {
		if !as.Valid() {
			return FieldErrorf("severity_map", "unknown alert severity %q", as)
		} else if !s.Valid() {
			return FieldErrorf("severity_map", "unknown severity %q for %s", s, as)
		}
	}
	if len(r.GroupBy) > 10 {
		return FieldErrorf("group_by", "at most 10 labels")
	}
	switch r.Grouping {
	case "":
		r.Grouping = GroupUpstream
		if len(r.GroupBy) > 0 {
			r.Grouping = GroupLabels
		}
	case GroupUpstream, GroupNone:
		if len(r.GroupBy) > 0 {
			return FieldErrorf("group_by", "only applies to grouping %q, not %q", GroupLabels, r.Grouping)
		}
	case GroupLabels:
		if len(r.GroupBy) == 0 {
			return FieldErrorf("group_by", "is required when grouping is %q", GroupLabels)
		}
	default:
		return FieldErrorf("grouping", "must be upstream, labels or none, got %q", r.Grouping)
	}
	for _, l := range r.GroupBy {
		if strings.TrimSpace(l) == "" {
			return FieldErrorf("group_by", "label names must not be empty")
		}
	}
	if r.GroupWindowSeconds < 0 || time.Duration(r.GroupWindowSeconds)*time.Second > MaxGroupWindow {
		return FieldErrorf("group_window_seconds", "must be 0 to %d", int(MaxGroupWindow/time.Second))
	} else if r.Grouping == GroupLabels && r.GroupWindowSeconds == 0 {
		r.GroupWindowSeconds = 3600
	}
	return nil
}

// Matches reports whether every matcher passes; a rule without matchers
// matches everything, which makes a catch-all last rule easy to write.
func (r *RoutingRule) Matches(a *Alert) bool {
	for i := range r.Matchers {
		if !r.Matchers[i].Matches(a) {
			return false
		}
	}
	return true
}

// SeverityFor returns the incident severity for an alert severity.
func (r *RoutingRule) SeverityFor(s AlertSeverity) Severity {
	if v, ok := r.SeverityMap[s]; ok {
		return v
	}
	if v, ok := DefaultSeverityMap()[s]; ok {
		return v
	}
	return P2
}

// GroupKey returns the key an alert groups under, "" when the rule does
// not group it. Labels are joined with their names and a separator that is
// removed from values (the ASCII unit separator: PostgreSQL text cannot
// hold NUL), so that {a="x,b"} and {a="x", b=""} cannot collide; an
// upstream key starts with the separator, which no label key does.
func (r *RoutingRule) GroupKey(a *Alert) string {
	switch r.Grouping {
	case GroupNone:
		return ""
	case GroupUpstream, "":
		if len(r.GroupBy) == 0 {
			if a.GroupKey == "" {
				return ""
			}
			return "\x1fupstream\x1f" + a.GroupKey
		}
	}
	if len(r.GroupBy) == 0 {
		return ""
	}
	var b strings.Builder
	for _, l := range r.GroupBy {
		b.WriteString(l)
		b.WriteByte('=')
		b.WriteString(strings.ReplaceAll(a.Labels[l], "\x1f", ""))
		b.WriteByte(0x1f)
	}
	return b.String()
}

// MatchRule returns the first rule, in order, that matches a; nil when none
// does.
func MatchRule(rules []*RoutingRule, a *Alert) *RoutingRule {
	for _, r := range rules {
		if r.Matches(a) {
			return r
		}
	}
	return nil
}

// RoutingService manages routing rules.
type RoutingService interface {
	// FindRoutingRules returns a service's rules in the order they are tried.
	// Returns ENOTFOUND for the service.
	FindRoutingRules(ctx context.Context, serviceID int64) ([]*RoutingRule, error)

	// FindRoutingRuleByID returns ENOTFOUND.
	FindRoutingRuleByID(ctx context.Context, id int64) (*RoutingRule, error)

	// CreateRoutingRule adds a rule at its position (0 means last).
	// Returns EINVALID, ENOTFOUND for the service.
	CreateRoutingRule(ctx context.Context, r *RoutingRule) error

	// ReplaceRoutingRule replaces every field of a rule but its service.
	// Returns ENOTFOUND, EINVALID.
	ReplaceRoutingRule(ctx context.Context, id int64, r *RoutingRule) (*RoutingRule, error)

	// DeleteRoutingRule returns ENOTFOUND.
	DeleteRoutingRule(ctx context.Context, id int64) error

	// MatchRoutingRule says which of a service's rules an event would match,
	// without storing anything: the default rule when none does.
	// Returns ENOTFOUND for the service, EINVALID for the event.
	MatchRoutingRule(ctx context.Context, serviceID int64, e *AlertEvent) (*RoutingRule, error)
}

// Audit actions of routing rules.
const (
	AuditRoutingRuleCreate  AuditAction = "routing_rule.create"
	AuditRoutingRuleReplace AuditAction = "routing_rule.replace"
	AuditRoutingRuleDelete  AuditAction = "routing_rule.delete"
)
