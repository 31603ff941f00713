package warroom_test

import (
	"testing"

	"github.com/warroomhq/warroom"
)

func TestMatchRule(t *testing.T) {
	a := &warroom.Alert{Summary: "Checkout error rate high", Severity: warroom.AlertCritical, Source: "prom",
		Labels: map[string]string{"team": "shop", "env": "prod"}}
	rule := func(name string, ms ...warroom.Matcher) *warroom.RoutingRule {
		r := &warroom.RoutingRule{ServiceID: 1, Name: name, Matchers: ms}
		if err := r.Validate(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return r
	}
	m := func(f string, op warroom.MatchOp, v string) warroom.Matcher {
		return warroom.Matcher{Field: f, Op: op, Value: v}
	}
	for _, tt := range []struct {
		name  string
		rules []*warroom.RoutingRule
		want  string
	}{
		{"FirstWins", []*warroom.RoutingRule{rule("a", m("team", "=", "shop")), rule("b")}, "a"},
		{"SkipNonMatching", []*warroom.RoutingRule{rule("a", m("team", "=", "db")), rule("b", m("env", "!=", "dev"))}, "b"},
		{"AllMatchersMustPass", []*warroom.RoutingRule{rule("a", m("team", "=", "shop"), m("env", "=", "dev")), rule("b")}, "b"},
		{"RegexpAnchored", []*warroom.RoutingRule{rule("a", m("env", "=~", "pro")), rule("b", m("env", "=~", "pro.*"))}, "b"},
		{"NotRegexp", []*warroom.RoutingRule{rule("a", m(".severity", "!~", "info|warning"))}, "a"},
		{"ContainsSummary", []*warroom.RoutingRule{rule("a", m(".summary", "contains", "ERROR RATE"))}, "a"},
		{"MissingLabelIsEmpty", []*warroom.RoutingRule{rule("a", m("region", "=", ""))}, "a"},
		{"None", []*warroom.RoutingRule{rule("a", m("team", "=", "db"))}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := ""
			if r := warroom.MatchRule(tt.rules, a); r != nil {
				got = r.Name
			}
			if got != tt.want {
				t.Errorf("matched %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRoutingRuleValidate(t *testing.T) {
	for _, tt := range []struct {
		name  string
		r     warroom.RoutingRule
		field string
	}{
		{"BadRegexp", warroom.RoutingRule{ServiceID: 1, Name: "x", Matchers: []warroom.Matcher{{Field: "a", Op: "=~", Value: "("}}}, "matchers.value"},
		{"BadOp", warroom.RoutingRule{ServiceID: 1, Name: "x", Matchers: []warroom.Matcher{{Field: "a", Op: "~="}}}, "matchers.op"},
		{"BadSeverity", warroom.RoutingRule{ServiceID: 1, Name: "x", SeverityMap: map[warroom.AlertSeverity]warroom.Severity{"critical": "P9"}}, "severity_map"},
		{"NoName", warroom.RoutingRule{ServiceID: 1}, "name"},
		{"Window", warroom.RoutingRule{ServiceID: 1, Name: "x", GroupWindowSeconds: -1}, "group_window_seconds"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := warroom.ErrorField(tt.r.Validate()); got != tt.field {
				t.Errorf("field = %q, want %q", got, tt.field)
			}
		})
	}
	r := warroom.RoutingRule{ServiceID: 1, Name: "g", GroupBy: []string{"alertname"}}
	if err := r.Validate(); err != nil || r.GroupWindowSeconds != 3600 {
		t.Errorf("group window default = %d (%v), want 3600", r.GroupWindowSeconds, err)
	}
	if k1, k2 := r.GroupKey(&warroom.Alert{Labels: map[string]string{"alertname": "a"}}), r.GroupKey(&warroom.Alert{Labels: map[string]string{"alertname": "b"}}); k1 == k2 {
		t.Errorf("different label values share group key %q", k1)
	}
}
