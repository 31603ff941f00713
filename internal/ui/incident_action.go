package ui

import (
	"cmp"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/warroomhq/warroom"
)

// inplaceHeader marks a form the page's script submitted with fetch: it
// wants a status, not a page, and refreshes the live regions itself.
const inplaceHeader = "X-Warroom-Inplace"

// acted finishes a successful action: 204 for the script, else
// post/redirect/get back to the incident so that a reload cannot repeat it.
func (h *Handler) acted(w http.ResponseWriter, r *http.Request, id int64) {
	if r.Header.Get(inplaceHeader) != "" {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	http.Redirect(w, r, "/incidents/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

// refused shows why an action failed: plain text for the script, else the
// incident page again with the message in its banner.
func (h *Handler) refused(w http.ResponseWriter, r *http.Request, rc *request, err error) {
	msg := h.errorText(r, rc, err)
	status := statusFor(warroom.ErrorCode(err))
	if r.Header.Get(inplaceHeader) != "" {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(msg))
		return
	}
	h.showIncident(w, r, rc, status, msg)
}

// incidentAction runs fn for the incident in the path and answers.
func (h *Handler) incidentAction(w http.ResponseWriter, r *http.Request, rc *request, fn func(id int64) error) {
	id, err := pathID(r, "id")
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	if err := fn(id); err != nil {
		h.refused(w, r, rc, err)
		return
	}
	h.acted(w, r, id)
}

func (h *Handler) incidentTransition(w http.ResponseWriter, r *http.Request, rc *request) {
	h.incidentAction(w, r, rc, func(id int64) error {
		_, err := h.d.Incidents.TransitionIncident(r.Context(), id, warroom.State(r.PostFormValue("state")), strings.TrimSpace(r.PostFormValue("note")))
		return err
	})
}

func (h *Handler) incidentSeverity(w http.ResponseWriter, r *http.Request, rc *request) {
	h.incidentAction(w, r, rc, func(id int64) error {
		sev, err := warroom.ParseSeverity(r.PostFormValue("severity"))
		if err != nil {
			return warroom.FieldErrorf("severity", "%s", rc.L.T("form.choose"))
		}
		_, err = h.d.Incidents.SetSeverity(r.Context(), id, sev, strings.TrimSpace(r.PostFormValue("reason")))
		return err
	})
}

func (h *Handler) incidentAssignRole(w http.ResponseWriter, r *http.Request, rc *request) {
	h.incidentAction(w, r, rc, func(id int64) error {
		uid, err := strconv.ParseInt(r.PostFormValue("user_id"), 10, 64)
		if err != nil {
			return warroom.FieldErrorf("user_id", "%s", rc.L.T("form.choose"))
		} else if err := h.grants().ReachUser(r.Context(), rc.User, "user_id", id, uid); err != nil {
			return err
		}
		_, err = h.d.Roles.AssignRole(r.Context(), id, r.PostFormValue("role"), uid)
		return err
	})
}

func (h *Handler) incidentEndRole(w http.ResponseWriter, r *http.Request, rc *request) {
	h.incidentAction(w, r, rc, func(id int64) error {
		aid, err := pathID(r, "assignmentID")
		if err != nil {
			return err
		}
		return h.d.Roles.EndRoleAssignment(r.Context(), id, aid)
	})
}

func (h *Handler) incidentNote(w http.ResponseWriter, r *http.Request, rc *request) {
	h.incidentAction(w, r, rc, func(id int64) error {
		_, err := h.d.Timeline.AddNote(r.Context(), id, warroom.NoteInput{
			Kind: warroom.EventKind(r.PostFormValue("kind")), Text: strings.TrimSpace(r.PostFormValue("text")),
			Visibility: warroom.Visibility(r.PostFormValue("visibility")),
		})
		return err
	})
}

// incidentStatusUpdate posts a public status update: on the timeline, to
// the stakeholder groups whose rules say "update", and on the status page
// with its subscribers.
func (h *Handler) incidentStatusUpdate(w http.ResponseWriter, r *http.Request, rc *request) {
	if h.d.Stakeholders == nil {
		h.renderError(w, r, rc, http.StatusNotFound, rc.L.T("error.status.404"))
		return
	}
	h.incidentAction(w, r, rc, func(id int64) error {
		u, err := formStatusUpdate(r, rc, h.d.Now())
		if err != nil {
			return err
		} else if err := h.grants().ReachComponents(r.Context(), rc.User, u.Components); err != nil {
			return err
		}
		return h.d.Stakeholders.PostStatusUpdate(r.Context(), id, u)
	})
}

// formStatusUpdate reads the public status update form. Each component has
// its own select, named component_<id>, so the form needs no script; the
// empty choice leaves the component out.
func formStatusUpdate(r *http.Request, rc *request, now time.Time) (*warroom.StatusUpdate, error) {
	_ = r.ParseForm()
	u := &warroom.StatusUpdate{
		Audience:     warroom.AudiencePublic,
		WhatHappened: strings.TrimSpace(r.PostFormValue("what_happened")),
		Impact:       strings.TrimSpace(r.PostFormValue("impact")),
		Actions:      strings.TrimSpace(r.PostFormValue("actions")),
		PublicStatus: warroom.PublicStatus(r.PostFormValue("public_status")),
		PublicTitle:  strings.TrimSpace(r.PostFormValue("public_title")),
		RealWorld:    r.PostFormValue("real_world") != "",
	}
	if v := strings.TrimSpace(r.PostFormValue("next_in")); v != "" {
		// Bounded before multiplying, so that a huge number cannot
		// overflow the duration into an allowed one.
		m, err := strconv.Atoi(v)
		if err != nil || m <= 0 || m > int(warroom.MaxNextUpdate/time.Minute) {
			return nil, warroom.FieldErrorf("next_update_by", "%s", rc.L.T("statusupdate.next_invalid"))
		}
		t := now.Add(time.Duration(m) * time.Minute)
		u.NextUpdateBy = &t
	}
	for k, vs := range r.PostForm {
		rest, ok := strings.CutPrefix(k, "component_")
		if !ok || len(vs) == 0 || vs[0] == "" {
			continue
		}
		cid, err := strconv.ParseInt(rest, 10, 64)
		if err != nil || cid <= 0 {
			return nil, warroom.FieldErrorf("components", "%s", rc.L.T("form.choose"))
		}
		u.Components = append(u.Components, warroom.ComponentImpact{ComponentID: cid, Status: warroom.ComponentStatus(vs[0])})
	}
	// Map order is random; the stored order should not be.
	slices.SortFunc(u.Components, func(a, b warroom.ComponentImpact) int { return cmp.Compare(a.ComponentID, b.ComponentID) })
	return u, nil
}

func (h *Handler) incidentAddTask(w http.ResponseWriter, r *http.Request, rc *request) {
	h.incidentAction(w, r, rc, func(id int64) error {
		return h.d.SOPs.AddTask(r.Context(), id, &warroom.Task{Title: strings.TrimSpace(r.PostFormValue("title"))})
	})
}

func (h *Handler) incidentToggleTask(w http.ResponseWriter, r *http.Request, rc *request) {
	h.incidentAction(w, r, rc, func(id int64) error {
		tid, err := pathID(r, "taskID")
		if err != nil {
			return err
		}
		done := r.PostFormValue("done") == "true"
		_, err = h.d.SOPs.UpdateTask(r.Context(), id, tid, warroom.TaskUpdate{Done: &done})
		return err
	})
}

func (h *Handler) incidentImpact(w http.ResponseWriter, r *http.Request, rc *request) {
	h.incidentAction(w, r, rc, func(id int64) error {
		im, err := formImpact(r, rc)
		if err != nil {
			return err
		}
		_, err = h.d.Incidents.UpdateIncident(r.Context(), id, warroom.IncidentUpdate{Impact: &im})
		return err
	})
}

func (h *Handler) incidentLoss(w http.ResponseWriter, r *http.Request, rc *request) {
	h.incidentAction(w, r, rc, func(id int64) error {
		l, err := formLoss(r, rc)
		if err != nil {
			return err
		}
		_, err = h.d.Incidents.UpdateIncident(r.Context(), id, warroom.IncidentUpdate{Loss: &l})
		return err
	})
}
