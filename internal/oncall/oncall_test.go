package oncall

import (
	"slices"
	"testing"
	"time"

	"github.com/warroomhq/warroom"
)

func mustLoc(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("load %s: %v", name, err)
	}
	return loc
}

// local parses a wall-clock time in loc, the way layer starts are written.
func local(t *testing.T, loc *time.Location, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02T15:04", s, loc)
	if err != nil {
		t.Fatalf("parse %s: %v", s, err)
	}
	return v
}

func TestLayerUserAt(t *testing.T) {
	type probe struct {
		at   string // RFC 3339, with offset, so the instant is unambiguous
		want int64  // 0: nobody
	}
	tests := []struct {
		name     string
		zone     string
		rotation warroom.Rotation
		shift    time.Duration
		start    string
		users    []int64
		probes   []probe
	}{
		{"daily UTC", "UTC", warroom.RotationDaily, 0, "2025-01-01T09:00", []int64{1, 2, 3}, []probe{
			{"2024-12-31T23:00:00Z", 0},
			{"2025-01-01T08:59:59Z", 0},
			{"2025-01-01T09:00:00Z", 1},
			{"2025-01-02T08:59:59Z", 1},
			{"2025-01-02T09:00:00Z", 2},
			{"2025-01-03T09:00:00Z", 3},
			{"2025-01-04T09:00:00Z", 1},
			{"2025-12-31T12:00:00Z", []int64{1, 2, 3}[364%3]},
		}},
		// New York springs forward on 2025-03-09 at 02:00 and falls back on
		// 2025-11-02 at 02:00: hand-offs stay at 09:00 local.
		{"daily across spring forward", "America/New_York", warroom.RotationDaily, 0, "2025-03-07T09:00", []int64{1, 2, 3}, []probe{
			{"2025-03-08T08:59:00-05:00", 1},
			{"2025-03-08T09:00:00-05:00", 2},
			{"2025-03-09T08:59:00-04:00", 2}, // 23 real hours after 2's start
			{"2025-03-09T09:00:00-04:00", 3},
			{"2025-03-09T13:30:00Z", 3}, // 09:30 EDT
		}},
		{"daily across fall back", "America/New_York", warroom.RotationDaily, 0, "2025-11-01T09:00", []int64{1, 2}, []probe{
			{"2025-11-01T09:00:00-04:00", 1},
			{"2025-11-02T08:59:00-05:00", 1}, // a 25-hour shift
			{"2025-11-02T09:00:00-04:00", 1}, // 08:00 EST: still before hand-off
			{"2025-11-02T09:00:00-05:00", 2},
			{"2025-11-03T09:00:00-05:00", 1},
		}},
		{"hand-off inside the spring-forward gap", "America/New_York", warroom.RotationDaily, 0, "2025-03-07T02:30", []int64{1, 2, 3}, []probe{
			{"2025-03-08T02:30:00-05:00", 2},
			{"2025-03-09T01:59:00-05:00", 2},
			// 02:30 does not exist on the 9th; as in RFC 5545 it is read
			// with the offset before the gap: 03:30 EDT.
			{"2025-03-09T03:29:00-04:00", 2},
			{"2025-03-09T03:30:00-04:00", 3},
			{"2025-03-10T02:30:00-04:00", 1}, // back to 02:30, no drift
		}},
		{"ambiguous hand-off takes the first occurrence", "America/New_York", warroom.RotationDaily, 0, "2025-10-31T01:30", []int64{1, 2, 3}, []probe{
			{"2025-11-02T01:29:00-04:00", 2},
			{"2025-11-02T01:30:00-04:00", 3},
			{"2025-11-02T01:30:00-05:00", 3},
			{"2025-11-03T01:29:00-05:00", 3},
			{"2025-11-03T01:30:00-05:00", 1},
		}},
		{"hourly counts real hours across fall back", "America/New_York", warroom.RotationHourly, 0, "2025-11-02T00:00", []int64{1, 2, 3}, []probe{
			{"2025-11-02T00:00:00-04:00", 1},
			{"2025-11-02T01:00:00-04:00", 2},
			{"2025-11-02T01:00:00-05:00", 3}, // the repeated 01:00 is its own hour
			{"2025-11-02T02:00:00-05:00", 1},
		}},
		{"weekly across spring forward in London", "Europe/London", warroom.RotationWeekly, 0, "2025-03-24T10:00", []int64{7, 8}, []probe{
			{"2025-03-24T10:00:00Z", 7},
			{"2025-03-31T09:59:00+01:00", 7},
			{"2025-03-31T10:00:00+01:00", 8},
			{"2025-04-07T09:59:00+01:00", 8},
			{"2025-04-07T10:00:00+01:00", 7},
		}},
		{"custom 12h is real time across spring forward", "America/New_York", warroom.RotationCustom, 12 * time.Hour, "2025-03-08T20:00", []int64{1, 2}, []probe{
			{"2025-03-08T20:00:00-05:00", 1},
			{"2025-03-09T08:59:00-04:00", 1},
			{"2025-03-09T09:00:00-04:00", 2}, // 12 real hours later, 09:00 EDT
			{"2025-03-09T21:00:00-04:00", 1},
		}},
		{"Shanghai has no DST", "Asia/Shanghai", warroom.RotationDaily, 0, "2025-03-01T09:00", []int64{1, 2}, []probe{
			{"2025-03-09T09:00:00+08:00", 1},
			{"2025-11-02T08:59:00+08:00", 2}, // 245 days on
			{"2025-11-02T09:00:00+08:00", 1},
		}},
		{"Lord Howe shifts by half an hour", "Australia/Lord_Howe", warroom.RotationDaily, 0, "2025-04-04T09:00", []int64{1, 2}, []probe{
			{"2025-04-05T09:00:00+11:00", 2},
			{"2025-04-06T08:59:00+10:30", 2}, // DST ended at 02:00 on the 6th
			{"2025-04-06T09:00:00+10:30", 1},
		}},
		{"single user", "UTC", warroom.RotationWeekly, 0, "2025-01-01T00:00", []int64{9}, []probe{
			{"2030-06-01T00:00:00Z", 9},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			loc := mustLoc(t, tt.zone)
			l := Layer{Name: "l", Rotation: tt.rotation, Shift: tt.shift, Start: local(t, loc, tt.start), Users: tt.users}
			for _, p := range tt.probes {
				at, err := time.Parse(time.RFC3339, p.at)
				if err != nil {
					t.Fatal(err)
				}
				got, ok := l.UserAt(at)
				if !ok {
					got = 0
				}
				if got != p.want {
					t.Errorf("at %s (%s local): got user %d, want %d", p.at, at.In(loc).Format("Jan 2 15:04 MST"), got, p.want)
				}
			}
		})
	}
}

func TestScheduleUsersAt(t *testing.T) {
	utc := time.UTC
	at := func(s string) time.Time { return local(t, utc, s) }
	primary := Layer{Name: "primary", Rotation: warroom.RotationDaily, Start: at("2025-01-01T09:00"), Users: []int64{1, 2}}
	// A business-hours-only layer is modelled by a later layer starting later.
	nights := Layer{Name: "late", Rotation: warroom.RotationWeekly, Start: at("2025-01-10T00:00"), Users: []int64{5}}
	tests := []struct {
		name      string
		layers    []Layer
		overrides []Override
		at        string
		want      []int64
	}{
		{"one layer", []Layer{primary}, nil, "2025-01-01T10:00", []int64{1}},
		{"before any layer", []Layer{primary}, nil, "2024-12-31T10:00", nil},
		{"later layer wins once started", []Layer{primary, nights}, nil, "2025-01-10T10:00", []int64{5}},
		{"earlier layer while the later one has not started", []Layer{primary, nights}, nil, "2025-01-09T10:00", []int64{1}},
		{"override of everyone", []Layer{primary}, []Override{{UserID: 9, Start: at("2025-01-01T12:00"), End: at("2025-01-01T14:00")}}, "2025-01-01T13:00", []int64{9}},
		{"override ends exclusive", []Layer{primary}, []Override{{UserID: 9, Start: at("2025-01-01T12:00"), End: at("2025-01-01T14:00")}}, "2025-01-01T14:00", []int64{1}},
		{"override of the person on call", []Layer{primary}, []Override{{UserID: 9, Replaces: 1, Start: at("2025-01-01T12:00"), End: at("2025-01-01T14:00")}}, "2025-01-01T13:00", []int64{9}},
		{"override of someone not on call does nothing", []Layer{primary}, []Override{{UserID: 9, Replaces: 2, Start: at("2025-01-01T12:00"), End: at("2025-01-01T14:00")}}, "2025-01-01T13:00", []int64{1}},
		{"later override wins", []Layer{primary}, []Override{
			{UserID: 9, Start: at("2025-01-01T12:00"), End: at("2025-01-01T14:00")},
			{UserID: 8, Start: at("2025-01-01T13:00"), End: at("2025-01-01T15:00")},
		}, "2025-01-01T13:30", []int64{8}},
		{"override with no layer on call", []Layer{primary}, []Override{{UserID: 9, Start: at("2024-12-31T00:00"), End: at("2024-12-31T14:00")}}, "2024-12-31T10:00", []int64{9}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Schedule{Location: utc, Layers: tt.layers, Overrides: tt.overrides}
			if got := s.UsersAt(at(tt.at)); !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestShifts(t *testing.T) {
	ny := mustLoc(t, "America/New_York")
	at := func(s string) time.Time { return local(t, ny, s) }
	s := Schedule{Location: ny, Layers: []Layer{{Name: "p", Rotation: warroom.RotationDaily, Start: at("2025-03-07T09:00"), Users: []int64{1, 2}}},
		Overrides: []Override{{UserID: 3, Replaces: 2, Start: at("2025-03-08T12:00"), End: at("2025-03-08T18:00")}}}
	got := s.Shifts(at("2025-03-07T00:00"), at("2025-03-10T00:00"))
	want := []Shift{
		{UserID: 1, Start: at("2025-03-07T09:00"), End: at("2025-03-08T09:00"), Layer: "p"},
		{UserID: 2, Start: at("2025-03-08T09:00"), End: at("2025-03-08T12:00"), Layer: "p"},
		{UserID: 3, Start: at("2025-03-08T12:00"), End: at("2025-03-08T18:00"), Override: true},
		{UserID: 2, Start: at("2025-03-08T18:00"), End: at("2025-03-09T09:00"), Layer: "p"},
		{UserID: 1, Start: at("2025-03-09T09:00"), End: at("2025-03-10T00:00"), Layer: "p"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d shifts %+v, want %d", len(got), got, len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.UserID != w.UserID || !g.Start.Equal(w.Start) || !g.End.Equal(w.End) || g.Layer != w.Layer || g.Override != w.Override {
			t.Errorf("shift %d: got %+v, want %+v", i, g, w)
		}
	}
	// 15 hours of wall clock across spring forward are 14 of real time.
	if d := got[3].End.Sub(got[3].Start); d != 14*time.Hour {
		t.Errorf("shift across DST: got %s, want 14h (18:00 EST to 09:00 EDT)", d)
	}

	t.Run("At gives full bounds", func(t *testing.T) {
		cur := s.At(at("2025-03-09T12:00"))
		if len(cur) != 1 || cur[0].UserID != 1 || !cur[0].Start.Equal(at("2025-03-09T09:00")) || !cur[0].End.Equal(at("2025-03-10T09:00")) {
			t.Errorf("got %+v, want user 1 from Mar 9 09:00 to Mar 10 09:00", cur)
		}
	})
	t.Run("Next", func(t *testing.T) {
		next := s.Next(at("2025-03-08T10:00"), 48*time.Hour)
		if len(next) != 1 || next[0].UserID != 3 || !next[0].Start.Equal(at("2025-03-08T12:00")) {
			t.Errorf("got %+v, want user 3 at 12:00", next)
		}
	})
	t.Run("empty window", func(t *testing.T) {
		if got := s.Shifts(at("2025-03-09T00:00"), at("2025-03-09T00:00")); got != nil {
			t.Errorf("got %v, want none", got)
		}
	})
}

func TestFromDomain(t *testing.T) {
	d := &warroom.Schedule{ID: 1, TimeZone: "Asia/Shanghai", Layers: []warroom.ScheduleLayer{{Name: "a", Rotation: warroom.RotationDaily, Start: "2025-01-01T09:00", UserIDs: []int64{1, 2}}}}
	start := time.Date(2025, 1, 1, 1, 0, 0, 0, time.UTC) // 09:00 in Shanghai
	swaps := []*warroom.ShiftSwap{
		{FromUserID: 1, ToUserID: 4, Start: start, End: start.Add(time.Hour), State: warroom.SwapAccepted},
		{FromUserID: 1, ToUserID: 5, Start: start, End: start.Add(2 * time.Hour), State: warroom.SwapRequested},
	}
	s, err := FromDomain(d, nil, swaps)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		at   time.Time
		want []int64
	}{
		{start.Add(-time.Minute), nil},
		{start, []int64{4}},
		{start.Add(90 * time.Minute), []int64{1}}, // the requested swap does not count
		{start.Add(24 * time.Hour), []int64{2}},
	}
	for _, tt := range tests {
		if got := s.UsersAt(tt.at); !slices.Equal(got, tt.want) {
			t.Errorf("at %s: got %v, want %v", tt.at, got, tt.want)
		}
	}
	if _, err := FromDomain(&warroom.Schedule{TimeZone: "Mars/Olympus"}, nil, nil); err == nil {
		t.Error("unknown zone: got no error")
	}
}
