package ui

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/warroomhq/warroom"
)

// changesEnabled reports whether change management is wired in; its pages
// are not found otherwise.
func (h *Handler) changesEnabled(w http.ResponseWriter, r *http.Request, rc *request) bool {
	if h.d.Changes == nil || h.d.ChangePolicy == nil {
		h.renderError(w, r, rc, http.StatusNotFound, rc.L.T("error.status.404"))
		return false
	}
	return true
}

type changeListData struct {
	Changes  []*warroom.Change
	Total    int
	State    string
	Service  int64
	Violated bool
	Services []*warroom.Service
	States   []warroom.ChangeState
	Kinds    []warroom.ChangeKind
	Risks    []warroom.Risk
	Err      string
}

func (d changeListData) ErrorText() string { return d.Err }

func (h *Handler) changeList(w http.ResponseWriter, r *http.Request, rc *request) {
	h.renderChangeList(w, r, rc, http.StatusOK, "")
}

func (h *Handler) renderChangeList(w http.ResponseWriter, r *http.Request, rc *request, status int, errMsg string) {
	if !h.changesEnabled(w, r, rc) {
		return
	}
	q := r.URL.Query()
	d := changeListData{State: q.Get("state"), Violated: q.Get("violated") == "true", States: warroom.ChangeStates,
		Kinds: warroom.ChangeKinds, Risks: warroom.Risks, Err: errMsg}
	f := warroom.ChangeFilter{Limit: listPageSize}
	if warroom.ChangeState(d.State).Valid() {
		f.States = []warroom.ChangeState{warroom.ChangeState(d.State)}
	} else {
		d.State = ""
	}
	if id, err := strconv.ParseInt(q.Get("service"), 10, 64); err == nil && id > 0 {
		f.ServiceID, d.Service = &id, id
	}
	if d.Violated {
		f.Violated = &d.Violated
	}
	var err error
	if d.Changes, d.Total, err = h.d.Changes.FindChanges(r.Context(), f); err != nil {
		h.fail(w, r, rc, err)
		return
	}
	if d.Services, _, err = h.d.Services.FindServices(r.Context(), warroom.ServiceFilter{Limit: warroom.MaxPageSize}); err != nil {
		h.fail(w, r, rc, err)
		return
	}
	h.render(w, r, rc, status, "changes", rc.L.T("nav.changes"), d)
}

// changeCreate records a draft from the form on the list page.
func (h *Handler) changeCreate(w http.ResponseWriter, r *http.Request, rc *request) {
	if !h.changesEnabled(w, r, rc) {
		return
	}
	c := &warroom.Change{Kind: warroom.ChangeKind(r.PostFormValue("kind")), Title: strings.TrimSpace(r.PostFormValue("title")),
		Description: strings.TrimSpace(r.PostFormValue("description")), ServiceIDs: formIDs(r, "service_ids"),
		Risk: warroom.Risk(r.PostFormValue("risk")), RiskReason: strings.TrimSpace(r.PostFormValue("risk_reason")), Source: warroom.SourceUI}
	if l := strings.TrimSpace(r.PostFormValue("link")); l != "" {
		c.Links = []warroom.ChangeLink{{URL: l}}
	}
	upd := formEvidence(r, rc.L.Now)
	upd.ApplyEvidence(&c.Evidence)
	if err := h.d.Changes.CreateChange(r.Context(), c); err != nil {
		h.renderChangeList(w, r, rc, statusFor(warroom.ErrorCode(err)), h.errorText(r, rc, err))
		return
	}
	http.Redirect(w, r, "/changes/"+strconv.FormatInt(c.ID, 10), http.StatusSeeOther)
}

// formEvidence reads the evidence fields; a checked "verified" box stamps
// the backup as verified now, and a named acceptor accepts now.
func formEvidence(r *http.Request, now time.Time) warroom.ChangeUpdate {
	var u warroom.ChangeUpdate
	now = now.UTC()
	set := func(name string) *string {
		if v := strings.TrimSpace(r.PostFormValue(name)); v != "" {
			return &v
		}
		return nil
	}
	u.TestReport, u.RollbackPlan, u.BackupLocation, u.AcceptedBy = set("test_report"), set("rollback_plan"), set("backup_location"), set("accepted_by")
	if r.PostFormValue("backup_verified") != "" {
		u.BackupVerifiedAt = &now
	}
	if u.AcceptedBy != nil {
		u.AcceptedAt = &now
	}
	return u
}

type changeData struct {
	// Steps are the lifecycle buttons, in order.
	Steps  []string
	Change *warroom.Change
	Check  *warroom.PolicyCheck
	Events []*warroom.ChangeEvent
	Err    string
}

func (d *changeData) ErrorText() string { return d.Err }

func (h *Handler) changeShow(w http.ResponseWriter, r *http.Request, rc *request) {
	h.showChange(w, r, rc, http.StatusOK, "")
}

func (h *Handler) showChange(w http.ResponseWriter, r *http.Request, rc *request, status int, errMsg string) {
	if !h.changesEnabled(w, r, rc) {
		return
	}
	id, err := warroom.ParseChangeNumber(r.PathValue("id"))
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	d := &changeData{Err: errMsg, Steps: []string{"submit", "approve", "reject", "start", "complete", "fail", "rollback"}}
	if d.Change, err = h.d.Changes.FindChangeByID(r.Context(), id); err != nil {
		h.fail(w, r, rc, err)
		return
	}
	if !d.Change.State.Started() && d.Change.State != warroom.ChangeRejected {
		if d.Check, err = h.d.Changes.CheckChange(r.Context(), id); err != nil {
			h.fail(w, r, rc, err)
			return
		}
	}
	if d.Events, err = h.d.Changes.FindChangeEvents(r.Context(), id); err != nil {
		h.fail(w, r, rc, err)
		return
	}
	h.render(w, r, rc, status, "change", d.Change.Number+" "+d.Change.Title, d)
}

// changeAction runs one lifecycle step named by the form's step field.
func (h *Handler) changeAction(w http.ResponseWriter, r *http.Request, rc *request) {
	if !h.changesEnabled(w, r, rc) {
		return
	}
	id, err := warroom.ParseChangeNumber(r.PathValue("id"))
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	ctx, text := r.Context(), strings.TrimSpace(r.PostFormValue("comment"))
	cs := h.d.Changes
	switch r.PostFormValue("step") {
	case "submit":
		_, err = cs.SubmitChange(ctx, id)
	case "approve":
		_, err = cs.ApproveChange(ctx, id, text)
	case "reject":
		_, err = cs.RejectChange(ctx, id, text)
	case "start":
		_, err = cs.StartChange(ctx, id)
	case "complete":
		_, err = cs.CompleteChange(ctx, id, text)
	case "fail":
		_, err = cs.FailChange(ctx, id, text)
	case "rollback":
		_, err = cs.RollbackChange(ctx, id, text)
	case "evidence":
		_, err = cs.UpdateChange(ctx, id, formEvidence(r, rc.L.Now))
	default:
		err = warroom.FieldErrorf("step", "%s", rc.L.T("form.choose"))
	}
	if err != nil {
		h.showChange(w, r, rc, statusFor(warroom.ErrorCode(err)), h.errorText(r, rc, err))
		return
	}
	http.Redirect(w, r, "/changes/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

// calendarDay is one day of the change calendar.
type calendarDay struct {
	Date    time.Time
	Label   string
	Today   bool
	Changes []*warroom.Change
	Freezes []*warroom.FreezeWindow
}

type calendarData struct {
	Days     []*calendarDay
	Freezes  []*warroom.FreezeWindow
	Services []*warroom.Service
	From     time.Time
	Prev     string
	Next     string
	Err      string
}

func (d calendarData) ErrorText() string { return d.Err }

// calendarDays is how many days the calendar shows: two weeks back and two
// ahead, the span of "recent and upcoming".
const calendarDays = 28

func (h *Handler) changeCalendar(w http.ResponseWriter, r *http.Request, rc *request) {
	h.renderCalendar(w, r, rc, http.StatusOK, "")
}

func (h *Handler) renderCalendar(w http.ResponseWriter, r *http.Request, rc *request, status int, errMsg string) {
	if !h.changesEnabled(w, r, rc) {
		return
	}
	today := rc.L.Now.In(rc.L.Loc)
	today = time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, rc.L.Loc)
	from := today.AddDate(0, 0, -14)
	if s := r.URL.Query().Get("from"); s != "" {
		if t, err := time.ParseInLocation("2006-01-02", s, rc.L.Loc); err == nil {
			from = t
		}
	}
	to := from.AddDate(0, 0, calendarDays)
	d := calendarData{From: from, Err: errMsg,
		Prev: "/changes/calendar?from=" + from.AddDate(0, 0, -calendarDays).Format("2006-01-02"),
		Next: "/changes/calendar?from=" + to.Format("2006-01-02")}
	ctx := r.Context()
	cs, _, err := h.d.Changes.FindChanges(ctx, warroom.ChangeFilter{From: &from, To: &to, Limit: warroom.MaxPageSize})
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	if d.Freezes, err = h.d.ChangePolicy.FindFreezeWindows(ctx, warroom.FreezeFilter{From: &from, To: &to}); err != nil {
		h.fail(w, r, rc, err)
		return
	}
	if d.Services, _, err = h.d.Services.FindServices(ctx, warroom.ServiceFilter{Limit: warroom.MaxPageSize}); err != nil {
		h.fail(w, r, rc, err)
		return
	}
	for i := 0; i < calendarDays; i++ {
		day := &calendarDay{Date: from.AddDate(0, 0, i)}
		day.Label = day.Date.Format("01-02") + " " + rc.L.T("weekday."+strings.ToLower(day.Date.Weekday().String()[:3]))
		end := day.Date.AddDate(0, 0, 1)
		day.Today = day.Date.Equal(today)
		for _, c := range cs {
			if b := changeBegins(c); !b.Before(day.Date) && b.Before(end) {
				day.Changes = append(day.Changes, c)
			}
		}
		for _, f := range d.Freezes {
			if f.StartsAt.Before(end) && f.EndsAt.After(day.Date) {
				day.Freezes = append(day.Freezes, f)
			}
		}
		d.Days = append(d.Days, day)
	}
	h.render(w, r, rc, status, "change_calendar", rc.L.T("nav.calendar"), d)
}

// changeBegins is when a change shows on the calendar: when it started,
// else when it is planned, else when it was recorded.
func changeBegins(c *warroom.Change) time.Time {
	switch {
	case c.StartedAt != nil:
		return *c.StartedAt
	case c.PlannedStart != nil:
		return *c.PlannedStart
	}
	return c.CreatedAt
}

func (h *Handler) freezeCreate(w http.ResponseWriter, r *http.Request, rc *request) {
	if !h.changesEnabled(w, r, rc) {
		return
	}
	f := &warroom.FreezeWindow{Name: strings.TrimSpace(r.PostFormValue("name")), Reason: strings.TrimSpace(r.PostFormValue("reason")),
		ServiceIDs: formIDs(r, "service_ids")}
	var err error
	if f.StartsAt, err = time.ParseInLocation("2006-01-02T15:04", r.PostFormValue("starts_at"), rc.L.Loc); err != nil {
		err = warroom.FieldErrorf("starts_at", "%s", rc.L.T("form.datetime"))
	} else if f.EndsAt, err = time.ParseInLocation("2006-01-02T15:04", r.PostFormValue("ends_at"), rc.L.Loc); err != nil {
		err = warroom.FieldErrorf("ends_at", "%s", rc.L.T("form.datetime"))
	} else {
		err = h.d.ChangePolicy.CreateFreezeWindow(r.Context(), f)
	}
	if err != nil {
		h.renderCalendar(w, r, rc, statusFor(warroom.ErrorCode(err)), h.errorText(r, rc, err))
		return
	}
	http.Redirect(w, r, "/changes/calendar", http.StatusSeeOther)
}

func (h *Handler) freezeException(w http.ResponseWriter, r *http.Request, rc *request) {
	if !h.changesEnabled(w, r, rc) {
		return
	}
	fid, err := pathID(r, "id")
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	cid, err := warroom.ParseChangeNumber(r.PostFormValue("change"))
	if err == nil {
		_, err = h.d.ChangePolicy.GrantFreezeException(r.Context(), fid, cid, r.PostFormValue("reason"))
	}
	if err != nil {
		h.renderCalendar(w, r, rc, statusFor(warroom.ErrorCode(err)), h.errorText(r, rc, err))
		return
	}
	http.Redirect(w, r, "/changes/calendar", http.StatusSeeOther)
}

type policyData struct {
	Policy *warroom.ChangePolicy
	JSON   string
	Err    string
}

func (d policyData) ErrorText() string { return d.Err }

func (h *Handler) changePolicyShow(w http.ResponseWriter, r *http.Request, rc *request) {
	h.renderPolicy(w, r, rc, http.StatusOK, "", "")
}

func (h *Handler) renderPolicy(w http.ResponseWriter, r *http.Request, rc *request, status int, errMsg, text string) {
	if !h.changesEnabled(w, r, rc) {
		return
	}
	p, err := h.d.ChangePolicy.FindChangePolicy(r.Context())
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	if text == "" {
		b, _ := json.MarshalIndent(p, "", "  ")
		text = string(b)
	}
	h.render(w, r, rc, status, "change_policy", rc.L.T("nav.change_policy"), policyData{Policy: p, JSON: text, Err: errMsg})
}

// changePolicyUpdate takes the policy as JSON, like the severity matrix:
// its rules are lists of optional conditions.
func (h *Handler) changePolicyUpdate(w http.ResponseWriter, r *http.Request, rc *request) {
	if !h.changesEnabled(w, r, rc) {
		return
	}
	text := r.PostFormValue("policy")
	var p warroom.ChangePolicy
	dec := json.NewDecoder(strings.NewReader(text))
	dec.DisallowUnknownFields()
	err := dec.Decode(&p)
	if err != nil {
		err = warroom.FieldErrorf("policy", "%s", rc.L.T("form.json", "Error", err.Error()))
	} else {
		err = h.d.ChangePolicy.UpdateChangePolicy(r.Context(), &p)
	}
	if err != nil {
		h.renderPolicy(w, r, rc, statusFor(warroom.ErrorCode(err)), h.errorText(r, rc, err), text)
		return
	}
	http.Redirect(w, r, "/change-policy", http.StatusSeeOther)
}

// incidentSuspect links a change from the brief as a suspected cause.
func (h *Handler) incidentSuspect(w http.ResponseWriter, r *http.Request, rc *request) {
	h.incidentAction(w, r, rc, func(id int64) error {
		if h.d.Changes == nil {
			return warroom.Errorf(warroom.ENOTFOUND, "%s", rc.L.T("error.status.404"))
		}
		cid, err := warroom.ParseChangeNumber(r.PathValue("changeID"))
		if err != nil {
			return err
		} else if err := h.grants().ReachChange(r.Context(), rc.User, cid); err != nil {
			return err
		}
		_, err = h.d.Changes.LinkSuspectedCause(r.Context(), id, cid, strings.TrimSpace(r.PostFormValue("note")))
		return err
	})
}

// incidentRollbackChange rolls a change back from the brief.
func (h *Handler) incidentRollbackChange(w http.ResponseWriter, r *http.Request, rc *request) {
	h.incidentAction(w, r, rc, func(id int64) error {
		if h.d.Changes == nil {
			return warroom.Errorf(warroom.ENOTFOUND, "%s", rc.L.T("error.status.404"))
		}
		cid, err := warroom.ParseChangeNumber(r.PathValue("changeID"))
		if err != nil {
			return err
		} else if err := h.grants().ReachChange(r.Context(), rc.User, cid); err != nil {
			return err
		}
		_, err = h.d.Changes.RollbackIncidentChange(r.Context(), id, cid, strings.TrimSpace(r.PostFormValue("reason")))
		return err
	})
}
