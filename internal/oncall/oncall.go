// Package oncall answers who is on call when: pure functions over a
// schedule's layers, overrides and swaps, with no storage and no clock. The
// store loads a schedule and asks; tests ask directly with big tables.
//
// Daily and weekly rotations hand over at the same wall-clock time in the
// schedule's time zone, so the shift that spans a daylight-saving change is
// an hour shorter or longer; hourly and custom rotations are fixed lengths
// of real time. Each hand-off is computed from the layer's start rather than
// from the previous hand-off, so a DST gap never makes the rotation drift.
package oncall

import (
	"fmt"
	"slices"
	"time"

	"github.com/warroomhq/warroom"
)

// Layer is one rotation: Users take turns, each for one shift, starting at
// Start (whose location is the schedule's time zone).
type Layer struct {
	Name     string
	Rotation warroom.Rotation
	// Shift is the length of a custom rotation; ignored for the others.
	Shift time.Duration
	Start time.Time
	Users []int64
}

// Override puts UserID on call for [Start, End) in place of Replaces, or of
// everyone the layers name when Replaces is 0.
type Override struct {
	UserID   int64
	Replaces int64
	Start    time.Time
	End      time.Time
}

// Schedule is a schedule ready to be asked: later layers win over earlier
// ones where they name someone, and overrides apply in order on top.
type Schedule struct {
	Location  *time.Location
	Layers    []Layer
	Overrides []Override
}

// Shift is a stretch [Start, End) during which UserID is on call.
type Shift struct {
	UserID   int64
	Start    time.Time
	End      time.Time
	Layer    string
	Override bool
}

// FromDomain builds a Schedule from its stored form. Accepted swaps become
// overrides of the person who asked; requested and declined ones are
// ignored. Overrides come first and swaps after, each in the order given, so
// the latest decision wins.
func FromDomain(s *warroom.Schedule, overrides []*warroom.ScheduleOverride, swaps []*warroom.ShiftSwap) (Schedule, error) {
	loc, err := time.LoadLocation(s.TimeZone)
	if err != nil {
		return Schedule{}, fmt.Errorf("schedule %d: time zone: %w", s.ID, err)
	}
	out := Schedule{Location: loc}
	for _, l := range s.Layers {
		start, err := time.ParseInLocation(warroom.StartLayout, l.Start, loc)
		if err != nil {
			return Schedule{}, fmt.Errorf("schedule %d: layer %q: start: %w", s.ID, l.Name, err)
		}
		out.Layers = append(out.Layers, Layer{
			Name: l.Name, Rotation: l.Rotation, Shift: time.Duration(l.ShiftSeconds) * time.Second,
			Start: start, Users: slices.Clone(l.UserIDs),
		})
	}
	for _, o := range overrides {
		out.Overrides = append(out.Overrides, Override{UserID: o.UserID, Replaces: o.ReplacesUserID, Start: o.Start, End: o.End})
	}
	for _, sw := range swaps {
		if sw.State == warroom.SwapAccepted {
			out.Overrides = append(out.Overrides, Override{UserID: sw.ToUserID, Replaces: sw.FromUserID, Start: sw.Start, End: sw.End})
		}
	}
	return out, nil
}

// nominal is a shift's usual length, used only to guess the shift index
// before correcting it against the real hand-off times.
func (l Layer) nominal() time.Duration {
	switch l.Rotation {
	case warroom.RotationHourly:
		return time.Hour
	case warroom.RotationDaily:
		return 24 * time.Hour
	case warroom.RotationWeekly:
		return 7 * 24 * time.Hour
	}
	if l.Shift <= 0 {
		return time.Hour
	}
	return l.Shift
}

// handoff returns the start of shift k.
func (l Layer) handoff(k int64) time.Time {
	switch l.Rotation {
	case warroom.RotationDaily:
		return wallClock(l.Start, int(k))
	case warroom.RotationWeekly:
		return wallClock(l.Start, 7*int(k))
	}
	return l.Start.Add(time.Duration(k) * l.nominal())
}

// wallClock returns start's wall-clock time days later, in start's zone.
// As RFC 5545 §3.3.5 says, a time that falls in a DST gap is read with the
// offset before the gap (02:30 becomes 03:30), and a time that occurs twice
// is its first occurrence.
func wallClock(start time.Time, days int) time.Time {
	y, m, d := start.Date()
	hh, mm, ss := start.Clock()
	naive := time.Date(y, m, d+days, hh, mm, ss, start.Nanosecond(), time.UTC)
	loc := start.Location()
	// The offsets in force a day before and a day after cover both sides of
	// any transition on that date.
	var best time.Time
	for _, probe := range []time.Duration{-26 * time.Hour, 26 * time.Hour} {
		_, off := naive.Add(probe).In(loc).Zone()
		t := naive.Add(-time.Duration(off) * time.Second).In(loc)
		if h, mi, s := t.Clock(); h == hh && mi == mm && s == ss && (best.IsZero() || t.Before(best)) {
			best = t
		}
	}
	if best.IsZero() {
		_, off := naive.Add(-26 * time.Hour).In(loc).Zone()
		best = naive.Add(-time.Duration(off) * time.Second).In(loc)
	}
	return best
}

// shiftAt returns the index and bounds of the shift running at t; ok is
// false before the layer starts or when it has nobody.
func (l Layer) shiftAt(t time.Time) (k int64, start, end time.Time, ok bool) {
	if len(l.Users) == 0 || t.Before(l.Start) {
		return 0, time.Time{}, time.Time{}, false
	}
	k = int64(t.Sub(l.Start) / l.nominal())
	for k > 0 && l.handoff(k).After(t) {
		k--
	}
	for !l.handoff(k + 1).After(t) {
		k++
	}
	return k, l.handoff(k), l.handoff(k + 1), true
}

// UserAt returns who the layer names at t.
func (l Layer) UserAt(t time.Time) (int64, bool) {
	k, _, _, ok := l.shiftAt(t)
	if !ok {
		return 0, false
	}
	return l.Users[k%int64(len(l.Users))], true
}

// entry is one person on call at an instant and why.
type entry struct {
	user     int64
	layer    string
	override bool
}

// at returns who is on call at t, in a stable order.
func (s Schedule) at(t time.Time) []entry {
	var cur []entry
	for i := len(s.Layers) - 1; i >= 0; i-- {
		if u, ok := s.Layers[i].UserAt(t); ok {
			cur = []entry{{user: u, layer: s.Layers[i].Name}}
			break
		}
	}
	for _, o := range s.Overrides {
		if t.Before(o.Start) || !t.Before(o.End) {
			continue
		}
		if o.Replaces == 0 {
			cur = []entry{{user: o.UserID, override: true}}
			continue
		}
		for i := range cur {
			if cur[i].user == o.Replaces {
				cur[i] = entry{user: o.UserID, override: true}
			}
		}
	}
	return slices.CompactFunc(cur, func(a, b entry) bool { return a.user == b.user })
}

// UsersAt returns the IDs of everyone on call at t.
func (s Schedule) UsersAt(t time.Time) []int64 {
	var ids []int64
	for _, e := range s.at(t) {
		ids = append(ids, e.user)
	}
	return ids
}

// maxShift bounds how far back and ahead At looks for the edges of the
// shifts running at t.
func (s Schedule) maxShift() time.Duration {
	d := 25 * time.Hour
	for _, l := range s.Layers {
		d = max(d, 2*l.nominal()+25*time.Hour)
	}
	for _, o := range s.Overrides {
		d = max(d, o.End.Sub(o.Start))
	}
	return d
}

// At returns the shifts running at t, each with its full bounds (a person
// on call for three consecutive rotations' worth of overrides is one shift).
func (s Schedule) At(t time.Time) []Shift {
	w := s.maxShift()
	var out []Shift
	for _, sh := range s.Shifts(t.Add(-w), t.Add(w)) {
		if !t.Before(sh.Start) && t.Before(sh.End) {
			out = append(out, sh)
		}
	}
	return out
}

// Next returns the shifts that start after t, up to horizon later: who
// comes on call next.
func (s Schedule) Next(t time.Time, horizon time.Duration) []Shift {
	shifts := s.Shifts(t, t.Add(horizon))
	for _, sh := range shifts {
		if sh.Start.After(t) {
			var out []Shift
			for _, o := range shifts {
				if o.Start.Equal(sh.Start) {
					out = append(out, o)
				}
			}
			return out
		}
	}
	return nil
}

// Shifts returns who is on call during [from, to), in order of start then
// user, each shift clipped to the window.
func (s Schedule) Shifts(from, to time.Time) []Shift {
	if !to.After(from) {
		return nil
	}
	bounds := []time.Time{from, to}
	for _, l := range s.Layers {
		k, _, _, ok := l.shiftAt(from)
		if !ok {
			if l.Start.Before(to) && len(l.Users) > 0 {
				bounds = append(bounds, l.Start)
				k = 0
			} else {
				continue
			}
		}
		for ; ; k++ {
			h := l.handoff(k + 1)
			if !h.Before(to) {
				break
			}
			bounds = append(bounds, h)
		}
	}
	for _, o := range s.Overrides {
		for _, b := range []time.Time{o.Start, o.End} {
			if b.After(from) && b.Before(to) {
				bounds = append(bounds, b)
			}
		}
	}
	slices.SortFunc(bounds, func(a, b time.Time) int { return a.Compare(b) })
	bounds = slices.CompactFunc(bounds, func(a, b time.Time) bool { return a.Equal(b) })

	var out []Shift
	open := map[int64]int{} // user → index in out of the shift still running
	for i := 0; i+1 < len(bounds); i++ {
		a, b := bounds[i], bounds[i+1]
		now := s.at(a)
		seen := map[int64]bool{}
		for _, e := range now {
			seen[e.user] = true
			if j, ok := open[e.user]; ok && out[j].End.Equal(a) {
				out[j].End = b
				continue
			}
			open[e.user] = len(out)
			out = append(out, Shift{UserID: e.user, Start: a, End: b, Layer: e.layer, Override: e.override})
		}
		for u := range open {
			if !seen[u] {
				delete(open, u)
			}
		}
	}
	slices.SortStableFunc(out, func(x, y Shift) int {
		if c := x.Start.Compare(y.Start); c != 0 {
			return c
		}
		return int(x.UserID - y.UserID)
	})
	return out
}
