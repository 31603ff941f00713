package warroom_test

import (
	"strings"
	"testing"
	"time"

	"github.com/warroomhq/warroom"
)

func yes() *bool { b := true; return &b }
func no() *bool  { b := false; return &b }

func cny(units int64) warroom.Money {
	return warroom.Money{Amount: warroom.Amount(units * 100), Currency: "CNY"}
}

// TestDefaultMatrix_Boundaries checks every threshold of the default matrix
// on both sides of its boundary.
func TestDefaultMatrix_Boundaries(t *testing.T) {
	m := warroom.DefaultSeverityMatrix()
	if err := m.Validate(); err != nil {
		t.Fatalf("default matrix invalid: %v", err)
	}
	tests := []struct {
		name   string
		impact warroom.Impact
		want   warroom.Severity
		rule   string
	}{
		{"nothing", warroom.Impact{}, warroom.P4, "no rule matched"},
		{"users 99", warroom.Impact{UsersAffected: 99}, warroom.P4, "no rule matched"},
		{"users 100", warroom.Impact{UsersAffected: 100}, warroom.P3, "minor user impact"},
		{"users 999", warroom.Impact{UsersAffected: 999}, warroom.P3, "minor user impact"},
		{"users 1000", warroom.Impact{UsersAffected: 1000}, warroom.P2, "significant user impact"},
		{"users 9999", warroom.Impact{UsersAffected: 9999}, warroom.P2, "significant user impact"},
		{"users 10000", warroom.Impact{UsersAffected: 10000}, warroom.P1, "major user impact"},
		{"users 99999", warroom.Impact{UsersAffected: 99999}, warroom.P1, "major user impact"},
		{"users 100000", warroom.Impact{UsersAffected: 100000}, warroom.P0, "massive user impact"},
		{"orders 99", warroom.Impact{OrdersAffected: 99}, warroom.P4, "no rule matched"},
		{"orders 100", warroom.Impact{OrdersAffected: 100}, warroom.P3, "minor order impact"},
		{"orders 1000", warroom.Impact{OrdersAffected: 1000}, warroom.P2, "significant order impact"},
		{"orders 10000", warroom.Impact{OrdersAffected: 10000}, warroom.P1, "major order impact"},
		{"money 999.99", warroom.Impact{MoneyAffected: warroom.Money{Amount: 99999, Currency: "CNY"}}, warroom.P4, "no rule matched"},
		{"money 1000", warroom.Impact{MoneyAffected: cny(1000)}, warroom.P3, "minor financial impact"},
		{"money 10000", warroom.Impact{MoneyAffected: cny(10000)}, warroom.P2, "significant financial impact"},
		{"money 100000", warroom.Impact{MoneyAffected: cny(100000)}, warroom.P1, "major financial impact"},
		{"money 999999.99", warroom.Impact{MoneyAffected: warroom.Money{Amount: 99999999, Currency: "CNY"}}, warroom.P1, "major financial impact"},
		{"money 1000000", warroom.Impact{MoneyAffected: cny(1000000)}, warroom.P0, "massive financial impact"},
		// Seed 000 case 3: 20,000,000 RMB.
		{"seed 000 case 3", warroom.Impact{MoneyAffected: cny(20000000)}, warroom.P0, "massive financial impact"},
		{"money in another currency", warroom.Impact{MoneyAffected: warroom.Money{Amount: 1e9, Currency: "USD"}}, warroom.P4, "no rule matched"},
		{"compliance", warroom.Impact{ComplianceImpact: true}, warroom.P1, "compliance impact"},
		{"compliance, recovery unknown", warroom.Impact{ComplianceImpact: true, RecoveryPathAvailable: nil}, warroom.P1, "compliance impact"},
		{"compliance, recovery available", warroom.Impact{ComplianceImpact: true, RecoveryPathAvailable: yes()}, warroom.P1, "compliance impact"},
		{"compliance, no recovery", warroom.Impact{ComplianceImpact: true, RecoveryPathAvailable: no()}, warroom.P0, "compliance breach without recovery path"},
		{"no recovery path alone", warroom.Impact{RecoveryPathAvailable: no()}, warroom.P2, "no recovery path"},
		{"the worst rule wins", warroom.Impact{UsersAffected: 150, OrdersAffected: 20000}, warroom.P1, "major order impact"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := m.Propose(tt.impact, 0)
			if got.Severity != tt.want {
				t.Fatalf("severity: got %s, want %s (reason %q)", got.Severity, tt.want, got.Reason)
			}
			if !strings.Contains(got.Reason, tt.rule) {
				t.Fatalf("reason: got %q, want it to name %q", got.Reason, tt.rule)
			}
		})
	}
}

// TestPropose_DurationEscalators checks escalation at exactly the threshold,
// chaining, and that P0 stays P0.
func TestPropose_DurationEscalators(t *testing.T) {
	m := warroom.DefaultSeverityMatrix()
	p2 := warroom.Impact{UsersAffected: 1000}
	p3 := warroom.Impact{UsersAffected: 100}
	tests := []struct {
		name    string
		impact  warroom.Impact
		openFor time.Duration
		want    warroom.Severity
	}{
		{"P2 just under 2h", p2, 2*time.Hour - time.Second, warroom.P2},
		{"P2 at 2h", p2, 2 * time.Hour, warroom.P1},
		{"P2 at 6h chains to P0", p2, 6 * time.Hour, warroom.P0},
		{"P3 under 8h", p3, 8*time.Hour - time.Minute, warroom.P3},
		{"P3 at 8h", p3, 8 * time.Hour, warroom.P2},
		{"P3 at 10h chains to P1", p3, 10 * time.Hour, warroom.P1},
		{"P4 never escalates", warroom.Impact{}, 1000 * time.Hour, warroom.P4},
		{"P0 stays", warroom.Impact{UsersAffected: 1e6}, 1000 * time.Hour, warroom.P0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := m.Propose(tt.impact, tt.openFor)
			if got.Severity != tt.want {
				t.Fatalf("got %s, want %s (reason %q)", got.Severity, tt.want, got.Reason)
			}
			if tt.want != m.Propose(tt.impact, 0).Severity && !strings.Contains(got.Reason, "still") {
				t.Fatalf("reason %q does not explain the escalation", got.Reason)
			}
		})
	}
}

func TestSeverityRule_NoCriterionNeverMatches(t *testing.T) {
	r := warroom.SeverityRule{Name: "empty", Severity: warroom.P0}
	if r.Matches(warroom.Impact{UsersAffected: 1e9, ComplianceImpact: true}) {
		t.Fatal("a rule without criteria matched")
	}
}

func TestSeverityRule_AllCriteriaMustHold(t *testing.T) {
	min := int64(10)
	r := warroom.SeverityRule{Name: "both", Severity: warroom.P1, MinUsersAffected: &min, ComplianceImpact: yes()}
	if r.Matches(warroom.Impact{UsersAffected: 10}) {
		t.Fatal("matched without compliance impact")
	}
	if !r.Matches(warroom.Impact{UsersAffected: 10, ComplianceImpact: true}) {
		t.Fatal("did not match with both criteria")
	}
}

func TestSeverityMatrix_Validate(t *testing.T) {
	neg := int64(-1)
	tests := []struct {
		name  string
		edit  func(m *warroom.SeverityMatrix)
		field string
	}{
		{"bad default", func(m *warroom.SeverityMatrix) { m.Default = "P9" }, "default"},
		{"rule without name", func(m *warroom.SeverityMatrix) { m.Rules[0].Name = " " }, "rules[0].name"},
		{"rule bad severity", func(m *warroom.SeverityMatrix) { m.Rules[1].Severity = "high" }, "rules[1].severity"},
		{"rule without criteria", func(m *warroom.SeverityMatrix) {
			m.Rules = append(m.Rules, warroom.SeverityRule{Name: "x", Severity: warroom.P1})
		}, "rules[14]"},
		{"negative users", func(m *warroom.SeverityMatrix) { m.Rules[0].MinUsersAffected = &neg }, "rules[0].min_users_affected"},
		{"money without currency", func(m *warroom.SeverityMatrix) { m.Rules[1].MinMoneyAffected = &warroom.Money{Amount: 5} }, "rules[1].min_money_affected.currency"},
		{"escalator to milder", func(m *warroom.SeverityMatrix) { m.Escalators[0].To = warroom.P2 }, "escalators[0].to"},
		{"escalator without time", func(m *warroom.SeverityMatrix) { m.Escalators[1].AfterSeconds = 0 }, "escalators[1].after_seconds"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := warroom.DefaultSeverityMatrix()
			tt.edit(&m)
			err := m.Validate()
			if got := warroom.ErrorCode(err); got != warroom.EINVALID {
				t.Fatalf("code: got %q, want %q (err %v)", got, warroom.EINVALID, err)
			}
			if got := warroom.ErrorField(err); got != tt.field {
				t.Fatalf("field: got %q, want %q", got, tt.field)
			}
		})
	}
}

func TestParseSeverity(t *testing.T) {
	for in, want := range map[string]warroom.Severity{"P0": warroom.P0, "p1": warroom.P1, " P4 ": warroom.P4} {
		if got, err := warroom.ParseSeverity(in); err != nil || got != want {
			t.Errorf("ParseSeverity(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "P5", "critical", "P-1"} {
		if _, err := warroom.ParseSeverity(in); err == nil {
			t.Errorf("ParseSeverity(%q) accepted", in)
		}
	}
}

func TestSLAFor(t *testing.T) {
	p := warroom.SLAPolicy{Severity: warroom.P1, AckTargetSeconds: 900, ResolveTargetSeconds: 2 * 86400}
	t0 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	at := func(d time.Duration) *time.Time { v := t0.Add(d); return &v }
	tests := []struct {
		name           string
		ack, resolved  *time.Time
		now            time.Time
		ackB, resolveB bool
	}{
		{"fresh", nil, nil, t0.Add(time.Minute), false, false},
		{"ack due exactly now", nil, nil, t0.Add(15 * time.Minute), false, false},
		{"ack overdue", nil, nil, t0.Add(15*time.Minute + time.Second), true, false},
		{"acked in time stays met", at(14 * time.Minute), nil, t0.Add(time.Hour), false, false},
		{"acked late stays breached", at(16 * time.Minute), nil, t0.Add(time.Hour), true, false},
		{"resolve overdue", at(time.Minute), nil, t0.Add(49 * time.Hour), false, true},
		{"resolved in time", at(time.Minute), at(47 * time.Hour), t0.Add(100 * time.Hour), false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inc := &warroom.Incident{DetectedAt: t0, AcknowledgedAt: tt.ack, ResolvedAt: tt.resolved}
			s := warroom.SLAFor(inc, p, tt.now)
			if s.AckBreached != tt.ackB || s.ResolveBreached != tt.resolveB {
				t.Fatalf("got ack=%t resolve=%t, want ack=%t resolve=%t", s.AckBreached, s.ResolveBreached, tt.ackB, tt.resolveB)
			}
			if !s.AckDue.Equal(t0.Add(15*time.Minute)) || !s.ResolveDue.Equal(t0.Add(48*time.Hour)) {
				t.Fatalf("due times: got %v / %v", s.AckDue, s.ResolveDue)
			}
		})
	}
}

func TestValidateSLAPolicies(t *testing.T) {
	if err := warroom.ValidateSLAPolicies(warroom.DefaultSLAPolicies()); err != nil {
		t.Fatalf("defaults invalid: %v", err)
	}
	ps := warroom.DefaultSLAPolicies()
	if err := warroom.ValidateSLAPolicies(ps[:4]); warroom.ErrorField(err) != "policies" {
		t.Fatalf("missing P4: got %v", err)
	}
	ps[2].ResolveTargetSeconds = ps[2].AckTargetSeconds - 1
	if err := warroom.ValidateSLAPolicies(ps); warroom.ErrorField(err) != "policies[2].resolve_target_seconds" {
		t.Fatalf("resolve before ack: got %v", err)
	}
	ps = warroom.DefaultSLAPolicies()
	ps[4].Severity = warroom.P0
	if err := warroom.ValidateSLAPolicies(ps); warroom.ErrorField(err) != "policies[4].severity" {
		t.Fatalf("duplicate: got %v", err)
	}
}
