package main

import (
	"errors"
	"testing"
	"time"

	"github.com/warroomhq/warroom"
)

func TestParseMoney(t *testing.T) {
	for _, tt := range []struct {
		value, currency string
		want            warroom.Money
		wantErr         bool
	}{
		{value: "20000000 CNY", want: warroom.Money{Amount: 20_000_000 * 100, Currency: "CNY"}},
		{value: "CNY 20000000", want: warroom.Money{Amount: 20_000_000 * 100, Currency: "CNY"}},
		{value: "20,000,000", currency: "cny", want: warroom.Money{Amount: 20_000_000 * 100, Currency: "CNY"}},
		{value: "1234.5 usd", want: warroom.Money{Amount: 123450, Currency: "USD"}},
		{value: "", currency: "CNY", want: warroom.Money{Currency: "CNY"}},
		// A sign is left for the server to refuse, naming the field.
		{value: "-5 CNY", want: warroom.Money{Amount: -500, Currency: "CNY"}},
		{value: "lots", wantErr: true},
		{value: "1.234 CNY", wantErr: true},
		{value: "1 2 3", wantErr: true},
	} {
		t.Run(tt.value, func(t *testing.T) {
			got, err := parseMoney("--money", tt.value, tt.currency)
			var ue *usageError
			if tt.wantErr {
				if !errors.As(err, &ue) {
					t.Errorf("got %v, %v; want a usage error", got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("got %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

func TestParseTime(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		in      string
		want    time.Time
		wantErr bool
	}{
		{in: "2025-02-28T08:30:00Z", want: time.Date(2025, 2, 28, 8, 30, 0, 0, time.UTC)},
		{in: "2025-02-28T16:30:00+08:00", want: time.Date(2025, 2, 28, 8, 30, 0, 0, time.UTC)},
		{in: "2025-02-28", want: time.Date(2025, 2, 28, 0, 0, 0, 0, time.UTC)},
		{in: "90m", want: now.Add(-90 * time.Minute)},
		{in: "7d", want: now.Add(-7 * 24 * time.Hour)},
		{in: "-1h", wantErr: true},
		{in: "yesterday", wantErr: true},
	} {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseTime("--since", tt.in, now)
			if tt.wantErr {
				if err == nil {
					t.Errorf("got %v, want an error", got)
				}
				return
			}
			if err != nil || !got.Equal(tt.want) {
				t.Errorf("got %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

func TestAge(t *testing.T) {
	for _, tt := range []struct {
		d    time.Duration
		want string
	}{
		{0, "0s"}, {59 * time.Second, "59s"}, {time.Minute, "1m"}, {59*time.Minute + 59*time.Second, "59m"},
		{time.Hour, "1h"}, {3*time.Hour + 5*time.Minute, "3h5m"}, {24 * time.Hour, "1d"},
		{52 * time.Hour, "2d4h"}, {-90 * time.Second, "1m"},
	} {
		if got := age(tt.d); got != tt.want {
			t.Errorf("age(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

func TestSLACell(t *testing.T) {
	detected := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	acked := detected.Add(10 * time.Minute)
	sla := &warroom.SLAStatus{AckDue: detected.Add(15 * time.Minute), ResolveDue: detected.Add(48 * time.Hour)}
	for _, tt := range []struct {
		name string
		inc  warroom.Incident
		now  time.Time
		want string
	}{
		{"AckDue", warroom.Incident{State: warroom.StateTriggered, SLA: sla}, detected.Add(5 * time.Minute), "ack in 10m"},
		{"AckOverdue", warroom.Incident{State: warroom.StateTriggered, SLA: sla}, detected.Add(20 * time.Minute), "ACK OVERDUE 5m"},
		{"ResolveDue", warroom.Incident{State: warroom.StateAcknowledged, AcknowledgedAt: &acked, SLA: sla}, detected.Add(time.Hour), "resolve in 1d23h"},
		{"ResolveOverdue", warroom.Incident{State: warroom.StateMitigated, AcknowledgedAt: &acked, SLA: sla}, detected.Add(50 * time.Hour), "RESOLVE OVERDUE 2h"},
		{"Met", warroom.Incident{State: warroom.StateResolved, SLA: sla}, detected.Add(50 * time.Hour), "met"},
		{"Breached", warroom.Incident{State: warroom.StateClosed, SLA: &warroom.SLAStatus{AckBreached: true}}, detected, "breached"},
		{"NoSLA", warroom.Incident{State: warroom.StateTriggered}, detected, "-"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := slaCell(&tt.inc, tt.now); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
