package warroom_test

import (
	"testing"
	"time"

	"github.com/warroomhq/warroom"
)

func TestUptimeDays(t *testing.T) {
	day := func(d, h int) time.Time { return time.Date(2024, 5, d, h, 0, 0, 0, time.UTC) }
	change := func(at time.Time, s warroom.ComponentStatus) warroom.StatusChange {
		return warroom.StatusChange{ComponentID: 1, Status: s, At: at}
	}
	for _, tt := range []struct {
		name    string
		created time.Time
		changes []warroom.StatusChange
		now     time.Time
		worst   []warroom.ComponentStatus // the last len(worst) bars
		outage  []int64
		known   []bool
		uptime  float64
	}{
		{"always operational", day(1, 0), nil, day(3, 12),
			[]warroom.ComponentStatus{"operational", "operational", "operational"}, []int64{0, 0, 0}, []bool{true, true, true}, 1},
		{"created today", day(3, 6), nil, day(3, 12),
			[]warroom.ComponentStatus{"operational", "operational"}, []int64{0, 0}, []bool{false, true}, 1},
		{"six hour major outage across midnight", day(1, 0),
			[]warroom.StatusChange{change(day(1, 21), warroom.ComponentMajorOutage), change(day(2, 3), warroom.ComponentOperational)}, day(3, 0),
			[]warroom.ComponentStatus{"major_outage", "major_outage", "operational"}, []int64{3 * 3600, 3 * 3600, 0}, []bool{true, true, false}, 1 - 6.0/48},
		{"degraded is not downtime", day(1, 0),
			[]warroom.StatusChange{change(day(2, 0), warroom.ComponentDegraded)}, day(3, 0),
			[]warroom.ComponentStatus{"operational", "degraded", "operational"}, []int64{0, 0, 0}, []bool{true, true, false}, 1},
		{"still down now", day(1, 0),
			[]warroom.StatusChange{change(day(2, 12), warroom.ComponentPartialOutage)}, day(3, 0),
			[]warroom.ComponentStatus{"partial_outage", "operational"}, []int64{12 * 3600, 0}, []bool{true, false}, 1 - 12.0/48},
		{"change before creation sets the start", day(2, 0),
			[]warroom.StatusChange{change(day(1, 0), warroom.ComponentMaintenance)}, day(2, 12),
			[]warroom.ComponentStatus{"maintenance"}, []int64{0}, []bool{true}, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			bars, uptime := warroom.UptimeDays(tt.created, tt.changes, 90, tt.now)
			if len(bars) != 90 {
				t.Fatalf("bars = %d, want 90", len(bars))
			}
			tail := bars[90-len(tt.worst):]
			for i := range tail {
				if tail[i].Worst != tt.worst[i] || tail[i].OutageSeconds != tt.outage[i] || tail[i].Known != tt.known[i] {
					t.Errorf("bar %s = %s/%ds/known %t, want %s/%ds/known %t", tail[i].Day.Format("01-02"), tail[i].Worst, tail[i].OutageSeconds, tail[i].Known,
						tt.worst[i], tt.outage[i], tt.known[i])
				}
			}
			if d := uptime - tt.uptime; d > 1e-9 || d < -1e-9 {
				t.Errorf("uptime = %v, want %v", uptime, tt.uptime)
			}
		})
	}
}

func TestSubscriber_Wants(t *testing.T) {
	for _, tt := range []struct {
		name       string
		sub, comps []int64
		want       bool
	}{
		{"all components", nil, []int64{3}, true},
		{"general notice", []int64{1}, nil, true},
		{"overlap", []int64{1, 2}, []int64{2, 5}, true},
		{"disjoint", []int64{1, 2}, []int64{3}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := warroom.Subscriber{ComponentIDs: tt.sub}
			if got := s.Wants(tt.comps); got != tt.want {
				t.Errorf("Wants(%v) = %t, want %t", tt.comps, got, tt.want)
			}
		})
	}
}
