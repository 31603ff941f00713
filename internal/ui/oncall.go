package ui

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/warroomhq/warroom"
)

// scheduleDays is how far the schedule calendar looks ahead.
const scheduleDays = 14

type onCallData struct {
	Now       []*warroom.OnCallShift
	Schedules []*warroom.Schedule
	Policies  []*warroom.EscalationPolicy
	// PolicyJSON is the editor's text for each policy, and New a template
	// for a new one.
	PolicyJSON map[int64]string
	New        string
	Err        string
}

func (d onCallData) ErrorText() string { return d.Err }

func (h *Handler) onCall(w http.ResponseWriter, r *http.Request, rc *request) {
	h.renderOnCall(w, r, rc, http.StatusOK, "", "")
}

func (h *Handler) renderOnCall(w http.ResponseWriter, r *http.Request, rc *request, status int, errMsg, draft string) {
	if h.d.Schedules == nil || h.d.Escalations == nil {
		h.renderError(w, r, rc, http.StatusNotFound, rc.L.T("error.status.404"))
		return
	}
	now, err := h.d.Schedules.FindOnCall(r.Context(), 0, h.d.Now())
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	ss, err := h.d.Schedules.FindSchedules(r.Context())
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	ps, err := h.d.Escalations.FindEscalationPolicies(r.Context())
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	d := onCallData{Now: now, Schedules: ss, Policies: ps, PolicyJSON: map[int64]string{}, Err: errMsg, New: draft}
	for _, p := range ps {
		b, _ := json.MarshalIndent(map[string]any{"name": p.Name, "description": p.Description, "repeat": p.Repeat, "levels": p.Levels}, "", "  ")
		d.PolicyJSON[p.ID] = string(b)
	}
	if d.New == "" {
		d.New = `{
  "name": "",
  "repeat": 1,
  "levels": [
    {"delay_seconds": 300, "targets": [{"type": "schedule", "id": 1}]},
    {"delay_seconds": 600, "targets": [{"type": "user", "id": 1}]}
  ]
}`
	}
	h.render(w, r, rc, status, "oncall", rc.L.T("nav.oncall"), d)
}

// policyFromForm reads the policy editor's JSON strictly, so that a typo
// in a field name is an error rather than a silently ignored setting.
func policyFromForm(r *http.Request) (*warroom.EscalationPolicy, error) {
	dec := json.NewDecoder(strings.NewReader(r.PostFormValue("policy")))
	dec.DisallowUnknownFields()
	var p warroom.EscalationPolicy
	if err := dec.Decode(&p); err != nil {
		return nil, warroom.FieldErrorf("policy", "is not valid JSON: %v", err)
	}
	return &p, nil
}

func (h *Handler) policyCreate(w http.ResponseWriter, r *http.Request, rc *request) {
	p, err := policyFromForm(r)
	if err == nil {
		err = h.d.Escalations.CreateEscalationPolicy(r.Context(), p)
	}
	if err != nil {
		h.renderOnCall(w, r, rc, statusFor(warroom.ErrorCode(err)), h.errorText(r, rc, err), r.PostFormValue("policy"))
		return
	}
	http.Redirect(w, r, "/oncall", http.StatusSeeOther)
}

func (h *Handler) policyReplace(w http.ResponseWriter, r *http.Request, rc *request) {
	id, err := pathID(r, "id")
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	p, err := policyFromForm(r)
	if err == nil {
		err = h.d.Escalations.ReplaceEscalationPolicy(r.Context(), id, p)
	}
	if err != nil {
		h.renderOnCall(w, r, rc, statusFor(warroom.ErrorCode(err)), h.errorText(r, rc, err), "")
		return
	}
	http.Redirect(w, r, "/oncall", http.StatusSeeOther)
}

// scheduleDay is one day of a schedule's calendar.
type scheduleDay struct {
	Day    time.Time
	Shifts []*warroom.OnCallShift
}

type scheduleData struct {
	Schedule  *warroom.Schedule
	Days      []scheduleDay
	Overrides []*warroom.ScheduleOverride
	Swaps     []*warroom.ShiftSwap
	Users     []*warroom.User
	Names     map[int64]string
	Me        int64
	Err       string
}

func (d scheduleData) ErrorText() string { return d.Err }

func (h *Handler) scheduleShow(w http.ResponseWriter, r *http.Request, rc *request) {
	h.renderSchedule(w, r, rc, http.StatusOK, "")
}

func (h *Handler) renderSchedule(w http.ResponseWriter, r *http.Request, rc *request, status int, errMsg string) {
	if h.d.Schedules == nil {
		h.renderError(w, r, rc, http.StatusNotFound, rc.L.T("error.status.404"))
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	s, err := h.d.Schedules.FindScheduleByID(r.Context(), id)
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	// Days start at midnight in the reader's zone: that is the calendar
	// they plan their week by.
	y, m, dd := h.d.Now().In(rc.L.Loc).Date()
	from := time.Date(y, m, dd, 0, 0, 0, 0, rc.L.Loc)
	to := from.AddDate(0, 0, scheduleDays)
	shifts, err := h.d.Schedules.FindShifts(r.Context(), id, from, to)
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	overrides, err := h.d.Schedules.FindScheduleOverrides(r.Context(), id, from, to)
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	swaps, err := h.d.Schedules.FindShiftSwaps(r.Context(), id, from.AddDate(0, 0, -7), to.AddDate(0, 1, 0))
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	users, _, err := h.d.Users.FindUsers(r.Context(), warroom.UserFilter{Active: ptr(true), Limit: warroom.MaxPageSize})
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	d := scheduleData{Schedule: s, Overrides: overrides, Swaps: swaps, Users: users, Names: map[int64]string{}, Me: rc.User.ID, Err: errMsg}
	for _, u := range users {
		d.Names[u.ID] = u.Name
	}
	for day := from; day.Before(to); day = day.AddDate(0, 0, 1) {
		cd := scheduleDay{Day: day}
		next := day.AddDate(0, 0, 1)
		for _, sh := range shifts {
			if sh.Start.Before(next) && sh.End.After(day) {
				cd.Shifts = append(cd.Shifts, sh)
			}
		}
		d.Days = append(d.Days, cd)
	}
	h.render(w, r, rc, status, "schedule", s.Name, d)
}

// formLocalTime reads a datetime-local input in the reader's zone.
func formLocalTime(r *http.Request, rc *request, name string) (time.Time, error) {
	t, err := time.ParseInLocation("2006-01-02T15:04", r.PostFormValue(name), rc.L.Loc)
	if err != nil {
		return time.Time{}, warroom.FieldErrorf(name, "must be a date and time")
	}
	return t, nil
}

func (h *Handler) overrideCreate(w http.ResponseWriter, r *http.Request, rc *request) {
	id, err := pathID(r, "id")
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	o := &warroom.ScheduleOverride{ScheduleID: id}
	o.UserID, _ = strconv.ParseInt(r.PostFormValue("user_id"), 10, 64)
	o.ReplacesUserID, _ = strconv.ParseInt(r.PostFormValue("replaces_user_id"), 10, 64)
	if o.Start, err = formLocalTime(r, rc, "start"); err == nil {
		if o.End, err = formLocalTime(r, rc, "end"); err == nil {
			err = h.d.Schedules.CreateScheduleOverride(r.Context(), o)
		}
	}
	if err != nil {
		h.renderSchedule(w, r, rc, statusFor(warroom.ErrorCode(err)), h.errorText(r, rc, err))
		return
	}
	http.Redirect(w, r, "/oncall/schedules/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

func (h *Handler) overrideDelete(w http.ResponseWriter, r *http.Request, rc *request) {
	id, err := pathID(r, "id")
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	oid, err := pathID(r, "overrideID")
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	if err := h.d.Schedules.DeleteScheduleOverride(r.Context(), id, oid); err != nil {
		h.renderSchedule(w, r, rc, statusFor(warroom.ErrorCode(err)), h.errorText(r, rc, err))
		return
	}
	http.Redirect(w, r, "/oncall/schedules/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

func (h *Handler) swapRequest(w http.ResponseWriter, r *http.Request, rc *request) {
	id, err := pathID(r, "id")
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	s := &warroom.ShiftSwap{ScheduleID: id}
	s.ToUserID, _ = strconv.ParseInt(r.PostFormValue("to_user_id"), 10, 64)
	if s.Start, err = formLocalTime(r, rc, "start"); err == nil {
		if s.End, err = formLocalTime(r, rc, "end"); err == nil {
			err = h.d.Schedules.RequestShiftSwap(r.Context(), s)
		}
	}
	if err != nil {
		h.renderSchedule(w, r, rc, statusFor(warroom.ErrorCode(err)), h.errorText(r, rc, err))
		return
	}
	http.Redirect(w, r, "/oncall/schedules/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

func (h *Handler) swapDecide(w http.ResponseWriter, r *http.Request, rc *request) {
	id, err := pathID(r, "id")
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	sid, err := pathID(r, "swapID")
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	if _, err := h.d.Schedules.DecideShiftSwap(r.Context(), id, sid, r.PostFormValue("accept") == "1"); err != nil {
		h.renderSchedule(w, r, rc, statusFor(warroom.ErrorCode(err)), h.errorText(r, rc, err))
		return
	}
	http.Redirect(w, r, "/oncall/schedules/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}
