package warroom_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/warroomhq/warroom"
)

func TestMatchScope(t *testing.T) {
	const (
		management, cs, legal, pr = 1, 2, 3, 4
	)
	all := []warroom.StakeholderTrigger{warroom.TriggerDeclare, warroom.TriggerUpdate, warroom.TriggerResolve}
	rules := []warroom.ScopeRule{
		{Severity: warroom.P0, GroupID: management, Triggers: all},
		{Severity: warroom.P0, GroupID: pr, Triggers: []warroom.StakeholderTrigger{warroom.TriggerDeclare, warroom.TriggerResolve}},
		{Severity: warroom.P0, GroupID: cs, Triggers: all},
		{Severity: warroom.P1, GroupID: cs, Triggers: []warroom.StakeholderTrigger{warroom.TriggerDeclare}},
		{Type: warroom.TypeSecurityBreach, GroupID: legal, Triggers: all},
		{Severity: warroom.P2, Type: warroom.TypeDataLoss, GroupID: legal, Triggers: []warroom.StakeholderTrigger{warroom.TriggerResolve}},
		// A second rule naming the same group must not tell it twice.
		{Severity: warroom.P0, Type: warroom.TypeSecurityBreach, GroupID: management, Triggers: all},
	}
	for _, tt := range []struct {
		name string
		sev  warroom.Severity
		typ  warroom.IncidentType
		trig warroom.StakeholderTrigger
		want []int64
	}{
		{"P0 declare", warroom.P0, warroom.TypeSystemCrash, warroom.TriggerDeclare, []int64{management, cs, pr}},
		{"P0 update skips PR", warroom.P0, warroom.TypeSystemCrash, warroom.TriggerUpdate, []int64{management, cs}},
		{"P0 resolve", warroom.P0, warroom.TypeOther, warroom.TriggerResolve, []int64{management, cs, pr}},
		{"P0 security breach adds legal once", warroom.P0, warroom.TypeSecurityBreach, warroom.TriggerDeclare, []int64{management, cs, legal, pr}},
		{"P1 declare", warroom.P1, warroom.TypeNetworkFailure, warroom.TriggerDeclare, []int64{cs}},
		{"P1 update tells nobody", warroom.P1, warroom.TypeNetworkFailure, warroom.TriggerUpdate, nil},
		{"P4 security breach tells legal", warroom.P4, warroom.TypeSecurityBreach, warroom.TriggerUpdate, []int64{legal}},
		{"P2 data loss only on resolve", warroom.P2, warroom.TypeDataLoss, warroom.TriggerDeclare, nil},
		{"P2 data loss resolve", warroom.P2, warroom.TypeDataLoss, warroom.TriggerResolve, []int64{legal}},
		{"P3 nothing", warroom.P3, warroom.TypeOther, warroom.TriggerDeclare, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := warroom.MatchScope(rules, tt.sev, tt.typ, tt.trig); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("MatchScope(%s, %s, %s) = %v, want %v", tt.sev, tt.typ, tt.trig, got, tt.want)
			}
		})
	}
}

func TestValidateScopeRules(t *testing.T) {
	decl := []warroom.StakeholderTrigger{warroom.TriggerDeclare}
	for _, tt := range []struct {
		name  string
		rule  warroom.ScopeRule
		field string
	}{
		{"OK severity", warroom.ScopeRule{Severity: warroom.P0, GroupID: 1, Triggers: decl}, ""},
		{"OK type", warroom.ScopeRule{Type: warroom.TypeSecurityBreach, GroupID: 1, Triggers: decl}, ""},
		{"matches everything", warroom.ScopeRule{GroupID: 1, Triggers: decl}, "rules[0]"},
		{"bad severity", warroom.ScopeRule{Severity: "P9", GroupID: 1, Triggers: decl}, "rules[0].severity"},
		{"bad type", warroom.ScopeRule{Type: "fire", GroupID: 1, Triggers: decl}, "rules[0].type"},
		{"no group", warroom.ScopeRule{Severity: warroom.P0, Triggers: decl}, "rules[0].group_id"},
		{"no trigger", warroom.ScopeRule{Severity: warroom.P0, GroupID: 1}, "rules[0].triggers"},
		{"bad trigger", warroom.ScopeRule{Severity: warroom.P0, GroupID: 1, Triggers: []warroom.StakeholderTrigger{"later"}}, "rules[0].triggers[0]"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := warroom.ValidateScopeRules([]warroom.ScopeRule{tt.rule})
			if got := warroom.ErrorField(err); got != tt.field || (tt.field == "") != (err == nil) {
				t.Errorf("field = %q (err %v), want %q", got, err, tt.field)
			}
		})
	}
}

func TestStatusUpdate_Validate(t *testing.T) {
	now := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	soon, past, far := now.Add(time.Hour), now.Add(-time.Minute), now.Add(8*24*time.Hour)
	for _, tt := range []struct {
		name  string
		u     warroom.StatusUpdate
		field string
	}{
		{"OK stakeholder", warroom.StatusUpdate{WhatHappened: "x", NextUpdateBy: &soon}, ""},
		{"OK public", warroom.StatusUpdate{Audience: warroom.AudiencePublic, WhatHappened: "x", PublicStatus: warroom.PublicIdentified,
			Components: []warroom.ComponentImpact{{ComponentID: 1, Status: warroom.ComponentMajorOutage}}}, ""},
		{"no text", warroom.StatusUpdate{}, "what_happened"},
		{"bad audience", warroom.StatusUpdate{Audience: "world", WhatHappened: "x"}, "audience"},
		{"next update in the past", warroom.StatusUpdate{WhatHappened: "x", NextUpdateBy: &past}, "next_update_by"},
		{"next update too far", warroom.StatusUpdate{WhatHappened: "x", NextUpdateBy: &far}, "next_update_by"},
		{"public without stage", warroom.StatusUpdate{Audience: warroom.AudiencePublic, WhatHappened: "x"}, "public_status"},
		{"public fields on internal", warroom.StatusUpdate{Audience: warroom.AudienceInternal, WhatHappened: "x", PublicTitle: "t"}, "audience"},
		{"bad component status", warroom.StatusUpdate{Audience: warroom.AudiencePublic, WhatHappened: "x", PublicStatus: warroom.PublicResolved,
			Components: []warroom.ComponentImpact{{ComponentID: 1, Status: "on_fire"}}}, "components[0].status"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.u.Validate(now)
			if got := warroom.ErrorField(err); got != tt.field || (tt.field == "") != (err == nil) {
				t.Errorf("field = %q (err %v), want %q", got, err, tt.field)
			}
		})
	}
}
