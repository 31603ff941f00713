package api

import (
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/oncall"
)

// defaultCalendar is the window a schedule's calendar and iCal feed cover
// when none is asked for: the past week and the next four.
const (
	calendarBack  = 7 * 24 * time.Hour
	calendarAhead = 28 * 24 * time.Hour
)

func (h *handler) getOnCall(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	at := time.Now()
	if t, err := timeParam(q, "at"); err != nil {
		return err
	} else if t != nil {
		at = *t
	}
	var sid int64
	if v, err := intParam(q, "schedule_id"); err != nil {
		return err
	} else if v != nil {
		sid = *v
	}
	shifts, err := h.Schedules.FindOnCall(r.Context(), sid, at)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, items("shifts", shifts))
	return nil
}

func (h *handler) listSchedules(w http.ResponseWriter, r *http.Request) error {
	ss, err := h.Schedules.FindSchedules(r.Context())
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, items("schedules", ss))
	return nil
}

func (h *handler) createSchedule(w http.ResponseWriter, r *http.Request) error {
	var s warroom.Schedule
	if err := decode(w, r, &s); err != nil {
		return err
	}
	if err := h.Schedules.CreateSchedule(r.Context(), &s); err != nil {
		return err
	}
	h.json(w, r, http.StatusCreated, &s)
	return nil
}

func (h *handler) getSchedule(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "schedule")
	if err != nil {
		return err
	}
	s, err := h.Schedules.FindScheduleByID(r.Context(), id)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, s)
	return nil
}

func (h *handler) replaceSchedule(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "schedule")
	if err != nil {
		return err
	}
	var s warroom.Schedule
	if err := decode(w, r, &s); err != nil {
		return err
	}
	if err := h.Schedules.ReplaceSchedule(r.Context(), id, &s); err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, &s)
	return nil
}

// window reads from and to, defaulting to the calendar window around now.
func window(q url.Values) (time.Time, time.Time, error) {
	from, to := time.Now().Add(-calendarBack), time.Now().Add(calendarAhead)
	if t, err := timeParam(q, "from"); err != nil {
		return from, to, err
	} else if t != nil {
		from = *t
	}
	if t, err := timeParam(q, "to"); err != nil {
		return from, to, err
	} else if t != nil {
		to = *t
	}
	return from, to, nil
}

func (h *handler) listShifts(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "schedule")
	if err != nil {
		return err
	}
	from, to, err := window(r.URL.Query())
	if err != nil {
		return err
	}
	shifts, err := h.Schedules.FindShifts(r.Context(), id, from, to)
	if err != nil {
		return err
	}
	overrides, err := h.Schedules.FindScheduleOverrides(r.Context(), id, from, to)
	if err != nil {
		return err
	}
	swaps, err := h.Schedules.FindShiftSwaps(r.Context(), id, from, to)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, map[string]any{"shifts": shifts, "overrides": overrides, "swaps": swaps})
	return nil
}

func (h *handler) createOverride(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "schedule")
	if err != nil {
		return err
	}
	var o warroom.ScheduleOverride
	if err := decode(w, r, &o); err != nil {
		return err
	}
	o.ScheduleID = id
	if err := h.Schedules.CreateScheduleOverride(r.Context(), &o); err != nil {
		return err
	}
	h.json(w, r, http.StatusCreated, &o)
	return nil
}

func (h *handler) deleteOverride(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "schedule")
	if err != nil {
		return err
	}
	oid, err := pathID(r, "overrideID", "override")
	if err != nil {
		return err
	}
	if err := h.Schedules.DeleteScheduleOverride(r.Context(), id, oid); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *handler) requestSwap(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "schedule")
	if err != nil {
		return err
	}
	var s warroom.ShiftSwap
	if err := decode(w, r, &s); err != nil {
		return err
	}
	s.ScheduleID = id
	if err := h.Schedules.RequestShiftSwap(r.Context(), &s); err != nil {
		return err
	}
	h.json(w, r, http.StatusCreated, &s)
	return nil
}

type swapDecision struct {
	Accept bool `json:"accept"`
}

func (h *handler) decideSwap(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "schedule")
	if err != nil {
		return err
	}
	sid, err := pathID(r, "swapID", "swap")
	if err != nil {
		return err
	}
	var d swapDecision
	if err := decode(w, r, &d); err != nil {
		return err
	}
	s, err := h.Schedules.DecideShiftSwap(r.Context(), id, sid, d.Accept)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, s)
	return nil
}

// scheduleICal serves a schedule's shifts as an RFC 5545 calendar.
func (h *handler) scheduleICal(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "schedule")
	if err != nil {
		return err
	}
	s, err := h.Schedules.FindScheduleByID(r.Context(), id)
	if err != nil {
		return err
	}
	from, to, err := window(r.URL.Query())
	if err != nil {
		return err
	}
	shifts, err := h.Schedules.FindShifts(r.Context(), id, from, to)
	if err != nil {
		return err
	}
	return writeICal(w, "On call: "+s.Name, shifts, func(sh *warroom.OnCallShift) string { return sh.UserName })
}

// userICal serves one person's shifts on every schedule.
func (h *handler) userICal(w http.ResponseWriter, r *http.Request) error {
	uid, err := pathID(r, "id", "user")
	if err != nil {
		return err
	}
	u, err := h.Users.FindUserByID(r.Context(), uid)
	if err != nil {
		return err
	}
	from, to, err := window(r.URL.Query())
	if err != nil {
		return err
	}
	ss, err := h.Schedules.FindSchedules(r.Context())
	if err != nil {
		return err
	}
	var mine []*warroom.OnCallShift
	for _, s := range ss {
		shifts, err := h.Schedules.FindShifts(r.Context(), s.ID, from, to)
		if err != nil {
			return err
		}
		for _, sh := range shifts {
			if sh.UserID == uid {
				mine = append(mine, sh)
			}
		}
	}
	return writeICal(w, u.Name+": on call", mine, func(sh *warroom.OnCallShift) string { return sh.ScheduleName })
}

func writeICal(w http.ResponseWriter, name string, shifts []*warroom.OnCallShift, summary func(*warroom.OnCallShift) string) error {
	events := make([]oncall.CalendarEvent, len(shifts))
	for i, sh := range shifts {
		events[i] = oncall.CalendarEvent{
			UID:     fmt.Sprintf("schedule-%d-user-%d-%d@warroom", sh.ScheduleID, sh.UserID, sh.Start.Unix()),
			Summary: "On call: " + summary(sh), Start: sh.Start, End: sh.End,
		}
	}
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Content-Disposition", `inline; filename="oncall.ics"`)
	return oncall.WriteICal(w, name, events, time.Now())
}
