package warroom

import (
	"context"
	"fmt"
	"net/mail"
	"net/url"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// StakeholderTrigger is a moment in an incident's life at which stakeholder
// groups are told (seed 001: each severity says how far the news goes).
type StakeholderTrigger string

// Triggers.
const (
	TriggerDeclare StakeholderTrigger = "declare"
	TriggerUpdate  StakeholderTrigger = "update"
	TriggerResolve StakeholderTrigger = "resolve"
)

// StakeholderTriggers lists every trigger in lifecycle order.
var StakeholderTriggers = []StakeholderTrigger{TriggerDeclare, TriggerUpdate, TriggerResolve}

// Valid reports whether t is a known trigger.
func (t StakeholderTrigger) Valid() bool {
	return t == TriggerDeclare || t == TriggerUpdate || t == TriggerResolve
}

// ChannelKind is how a stakeholder group or a subscriber is reached. The
// values match the notification channels warroom speaks.
type ChannelKind string

// Channel kinds.
const (
	ChannelEmail    ChannelKind = "email"
	ChannelWebhook  ChannelKind = "webhook"
	ChannelSlack    ChannelKind = "slack"
	ChannelFeishu   ChannelKind = "feishu"
	ChannelDingTalk ChannelKind = "dingtalk"
	ChannelWeCom    ChannelKind = "wecom"
)

// ChannelKinds lists every channel kind.
var ChannelKinds = []ChannelKind{ChannelEmail, ChannelWebhook, ChannelSlack, ChannelFeishu, ChannelDingTalk, ChannelWeCom}

// Valid reports whether k is a known channel kind.
func (k ChannelKind) Valid() bool {
	for _, v := range ChannelKinds {
		if v == k {
			return true
		}
	}
	return false
}

// Locales a message can be written in.
const (
	LocaleEnglish = "en"
	LocaleChinese = "zh-CN"
)

// validLocale defaults an empty locale to English and refuses others.
func statusLocale(field string, l *string) error {
	if *l == "" {
		*l = LocaleEnglish
	}
	if *l != LocaleEnglish && *l != LocaleChinese {
		return FieldErrorf(field, "must be %q or %q", LocaleEnglish, LocaleChinese)
	}
	return nil
}

// validAddress checks a plain email address and lower-cases it.
func statusAddress(field string, s *string) error {
	addr, err := mail.ParseAddress(*s)
	if err != nil || addr.Address != strings.TrimSpace(*s) || len(*s) > 254 {
		return FieldErrorf(field, "must be a plain address such as ana@example.com")
	}
	*s = strings.ToLower(addr.Address)
	return nil
}

// validHTTPURL checks an absolute http(s) URL.
func statusURL(field, s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(s) > 2048 {
		return FieldErrorf(field, "must be an http(s) URL")
	}
	return nil
}

// StakeholderChannel is a shared destination of a group: an email list or a
// chat webhook, written to in its own language.
type StakeholderChannel struct {
	Kind   ChannelKind `json:"kind"`
	Target string      `json:"target"`
	Locale string      `json:"locale"`
}

// StakeholderGroup is a set of people told about incidents together:
// customer service, PR, legal & compliance, management, partners. Members
// are users, written to at their address in their own language; channels
// are shared destinations.
type StakeholderGroup struct {
	ID          int64                `json:"id"`
	Name        string               `json:"name"`
	Description string               `json:"description"`
	MemberIDs   []int64              `json:"member_ids"`
	Channels    []StakeholderChannel `json:"channels"`
	CreatedAt   time.Time            `json:"created_at"`
	UpdatedAt   time.Time            `json:"updated_at"`
}

// Validate checks the group and normalises its channels.
func (g *StakeholderGroup) Validate() error {
	g.Name = strings.TrimSpace(g.Name)
	if g.Name == "" || utf8.RuneCountInString(g.Name) > 100 {
		return FieldErrorf("name", "must be 1 to 100 characters")
	} else if utf8.RuneCountInString(g.Description) > MaxTitleLen {
		return FieldErrorf("description", "must be at most %d characters", MaxTitleLen)
	} else if len(g.MemberIDs) > 500 {
		return FieldErrorf("member_ids", "at most 500 members")
	} else if len(g.Channels) > 50 {
		return FieldErrorf("channels", "at most 50 channels")
	}
	for i, id := range g.MemberIDs {
		if id <= 0 {
			return FieldErrorf(fmt.Sprintf("member_ids[%d]", i), "%d is not a user ID", id)
		}
	}
	for i := range g.Channels {
		c := &g.Channels[i]
		f := fmt.Sprintf("channels[%d]", i)
		c.Target = strings.TrimSpace(c.Target)
		if !c.Kind.Valid() {
			return FieldErrorf(f+".kind", "unknown kind %q (want email, webhook, slack, feishu, dingtalk or wecom)", c.Kind)
		} else if err := statusLocale(f+".locale", &c.Locale); err != nil {
			return err
		}
		if c.Kind == ChannelEmail {
			if err := statusAddress(f+".target", &c.Target); err != nil {
				return err
			}
		} else if err := statusURL(f+".target", c.Target); err != nil {
			return err
		}
	}
	return nil
}

// ScopeRule says that incidents of a severity (and, optionally, of one
// type) are told to a group at the given moments: "P0 → management on
// declare, update and resolve", "security_breach → legal on declare".
type ScopeRule struct {
	// Severity "" matches every severity; Type "" matches every type.
	Severity Severity             `json:"severity,omitempty"`
	Type     IncidentType         `json:"type,omitempty"`
	GroupID  int64                `json:"group_id"`
	Triggers []StakeholderTrigger `json:"triggers"`
}

// ValidateScopeRules checks every rule, naming the offending one. A rule
// matching every severity and every type is refused: it would tell a group
// of every P4, which is never what a team means.
func ValidateScopeRules(rules []ScopeRule) error {
	if len(rules) > 500 {
		return FieldErrorf("rules", "at most 500 rules")
	}
	for i, r := range rules {
		f := fmt.Sprintf("rules[%d]", i)
		if r.Severity != "" && !r.Severity.Valid() {
			return FieldErrorf(f+".severity", "unknown severity %q", r.Severity)
		} else if r.Type != "" && !r.Type.Valid() {
			return FieldErrorf(f+".type", "unknown type %q", r.Type)
		} else if r.Severity == "" && r.Type == "" {
			return FieldErrorf(f, "must name a severity, a type or both")
		} else if r.GroupID <= 0 {
			return FieldErrorf(f+".group_id", "is required")
		} else if len(r.Triggers) == 0 {
			return FieldErrorf(f+".triggers", "must list at least one of declare, update, resolve")
		}
		for j, t := range r.Triggers {
			if !t.Valid() {
				return FieldErrorf(fmt.Sprintf("%s.triggers[%d]", f, j), "unknown trigger %q (want declare, update or resolve)", t)
			}
		}
	}
	return nil
}

// Matches reports whether the rule tells its group about an incident of
// severity sev and type typ at trigger.
func (r ScopeRule) Matches(sev Severity, typ IncidentType, trig StakeholderTrigger) bool {
	if r.Severity != "" && r.Severity != sev {
		return false
	} else if r.Type != "" && r.Type != typ {
		return false
	}
	for _, t := range r.Triggers {
		if t == trig {
			return true
		}
	}
	return false
}

// MatchScope returns the IDs of the groups the rules name for an incident
// of severity sev and type typ at trigger, each once, in ascending order.
func MatchScope(rules []ScopeRule, sev Severity, typ IncidentType, trig StakeholderTrigger) []int64 {
	seen := map[int64]bool{}
	var ids []int64
	for _, r := range rules {
		if r.Matches(sev, typ, trig) && !seen[r.GroupID] {
			seen[r.GroupID] = true
			ids = append(ids, r.GroupID)
		}
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}

// Audience says who a status update is for. Each wider audience includes
// the narrower ones: a public update is also told to stakeholders.
type Audience string

// Audiences, narrowest first.
const (
	AudienceInternal    Audience = "internal"
	AudienceStakeholder Audience = "stakeholder"
	AudiencePublic      Audience = "public"
)

// Valid reports whether a is a known audience.
func (a Audience) Valid() bool {
	return a == AudienceInternal || a == AudienceStakeholder || a == AudiencePublic
}

// StatusUpdate is a templated message about an incident (seed 001: every
// newcomer had to be told the problem, the impact and the progress again):
// what happened, the impact, what is being done and when the next update
// comes. NextUpdateBy is a durable timer: when it passes without a newer
// update, the communications role is reminded.
type StatusUpdate struct {
	ID           int64      `json:"id"`
	IncidentID   int64      `json:"incident_id"`
	Audience     Audience   `json:"audience"`
	WhatHappened string     `json:"what_happened"`
	Impact       string     `json:"impact"`
	Actions      string     `json:"actions"`
	NextUpdateBy *time.Time `json:"next_update_by"`
	// PublicStatus, PublicTitle and Components apply to public updates:
	// the stage shown on the status page, the title shown instead of the
	// internal one (the internal title is used when empty), and the status
	// each affected component takes.
	PublicStatus PublicStatus      `json:"public_status,omitempty"`
	PublicTitle  string            `json:"public_title,omitempty"`
	Components   []ComponentImpact `json:"components,omitempty"`
	// RealWorld, on a public update of a drill, is a person's choice to
	// send this one message to the real status page and its subscribers;
	// it is audited. Without it a drill's updates reach only its
	// participants and the drill preview.
	RealWorld bool      `json:"real_world,omitempty"`
	AuthorID  int64     `json:"author_id"`
	CreatedAt time.Time `json:"created_at"`
}

// MaxNextUpdate bounds how far ahead the next update may be promised: seed
// 004's company posted daily, and a promise further out is no promise.
const MaxNextUpdate = 7 * 24 * time.Hour

// Validate checks the update against now, the instant it is posted at.
func (u *StatusUpdate) Validate(now time.Time) error {
	if u.Audience == "" {
		u.Audience = AudienceStakeholder
	}
	if !u.Audience.Valid() {
		return FieldErrorf("audience", "must be internal, stakeholder or public")
	} else if strings.TrimSpace(u.WhatHappened) == "" {
		return FieldErrorf("what_happened", "is required")
	}
	for _, f := range []struct{ name, v string }{{"what_happened", u.WhatHappened}, {"impact", u.Impact}, {"actions", u.Actions}} {
		if utf8.RuneCountInString(f.v) > MaxTextLen {
			return FieldErrorf(f.name, "must be at most %d characters", MaxTextLen)
		}
	}
	if u.NextUpdateBy != nil && (!u.NextUpdateBy.After(now) || u.NextUpdateBy.Sub(now) > MaxNextUpdate) {
		return FieldErrorf("next_update_by", "must be in the future and at most 7 days away")
	}
	if u.Audience != AudiencePublic {
		if u.PublicStatus != "" || u.PublicTitle != "" || len(u.Components) > 0 {
			return FieldErrorf("audience", "public_status, public_title and components apply to public updates only")
		}
		return nil
	}
	if !u.PublicStatus.Valid() {
		return FieldErrorf("public_status", "must be investigating, identified, monitoring or resolved")
	} else if utf8.RuneCountInString(u.PublicTitle) > MaxTitleLen {
		return FieldErrorf("public_title", "must be at most %d characters", MaxTitleLen)
	} else if len(u.Components) > 1000 {
		return FieldErrorf("components", "at most 1000 components")
	}
	for i, c := range u.Components {
		f := fmt.Sprintf("components[%d]", i)
		if c.ComponentID <= 0 {
			return FieldErrorf(f+".component_id", "is required")
		} else if !c.Status.Valid() {
			return FieldErrorf(f+".status", "unknown status %q", c.Status)
		}
	}
	return nil
}

// StakeholderService keeps the stakeholder groups, the scope rules and the
// status updates posted on incidents.
type StakeholderService interface {
	// FindStakeholderGroups lists every group by name.
	FindStakeholderGroups(ctx context.Context) ([]*StakeholderGroup, error)

	// FindStakeholderGroupByID returns ENOTFOUND.
	FindStakeholderGroupByID(ctx context.Context, id int64) (*StakeholderGroup, error)

	// CreateStakeholderGroup adds a group.
	// Returns EINVALID, ENOTFOUND for an unknown member, ECONFLICT when the
	// name is taken.
	CreateStakeholderGroup(ctx context.Context, g *StakeholderGroup) error

	// ReplaceStakeholderGroup replaces a group's name, description, members
	// and channels with g's.
	// Returns ENOTFOUND, EINVALID, ECONFLICT when the name is taken.
	ReplaceStakeholderGroup(ctx context.Context, id int64, g *StakeholderGroup) error

	// DeleteStakeholderGroup removes a group and the scope rules naming it.
	// Returns ENOTFOUND.
	DeleteStakeholderGroup(ctx context.Context, id int64) error

	// FindScopeRules returns the rules in force, in the order they were set.
	FindScopeRules(ctx context.Context) ([]ScopeRule, error)

	// ReplaceScopeRules replaces every rule.
	// Returns EINVALID, ENOTFOUND for an unknown group.
	ReplaceScopeRules(ctx context.Context, rules []ScopeRule) error

	// PostStatusUpdate records u on an incident: on the timeline; for the
	// stakeholder and public audiences, queued for the groups the scope
	// rules name; for the public audience, on the status page (its
	// components take the given statuses) and queued for subscribers. A
	// NextUpdateBy replaces the incident's reminder timer.
	// Returns ENOTFOUND for the incident or a component, EINVALID, ECONFLICT
	// when the incident is closed.
	PostStatusUpdate(ctx context.Context, incidentID int64, u *StatusUpdate) error

	// FindStatusUpdates lists an incident's updates, newest first.
	// Returns ENOTFOUND.
	FindStatusUpdates(ctx context.Context, incidentID int64) ([]*StatusUpdate, error)
}

// Stakeholder audit actions and timeline event kinds.
const (
	AuditStakeholderGroupCreate AuditAction = "stakeholder_group.create"
	AuditStakeholderGroupUpdate AuditAction = "stakeholder_group.update"
	AuditStakeholderGroupDelete AuditAction = "stakeholder_group.delete"
	AuditScopeRulesUpdate       AuditAction = "scope_rules.update"
	AuditStatusUpdatePost       AuditAction = "incident.status_update"

	// EventStatusUpdateDue records that the promised next update is late
	// and the communications role was reminded.
	EventStatusUpdateDue EventKind = "status_update_due"
)
