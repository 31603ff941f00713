package ui

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/warroomhq/warroom"
)

// timelineLimit bounds the events rendered at once; the API serves the rest.
const timelineLimit = warroom.MaxPageSize

// briefData is the live brief: everything a late joiner needs on one page.
type briefData struct {
	Incident   *warroom.Incident
	Events     []*warroom.Event
	EventTotal int
	// Items are the timeline's lines: Events with paging folded unless
	// Kind asks for every event.
	Items       []*timelineItem
	Updates     []*warroom.Event
	Kind        string
	Kinds       []warroom.EventKind
	NextStates  []warroom.State
	TasksDone   int
	LastEventID int64
	LiveURL     string
	// Changes are those to the incident's services around detection
	// (ChangesOn when change management is wired in).
	Changes   []*warroom.CorrelatedChange
	ChangesOn bool
	// Reason is the severity reason in the reader's language when it is a
	// plain rule match, else the stored text.
	Reason string

	// For the action forms.
	Roles      []*warroom.IncidentRole
	Users      []*warroom.User
	Severities []warroom.Severity
	// StatusOn shows the public status update form (when stakeholder
	// communication is wired), with the status page's components.
	StatusOn          bool
	Components        []*warroom.Component
	ComponentStatuses []warroom.ComponentStatus
	// Similar past incidents and this incident's postmortem, when the
	// learning services are wired.
	Similar    []*warroom.SimilarIncident
	Postmortem *warroom.Postmortem
	Learning   bool
	Err        string
}

func (d *briefData) ErrorText() string { return d.Err }

// loadBrief reads the incident and its timeline; kind filters the timeline.
func (h *Handler) loadBrief(r *http.Request, rc *request, id int64, kind string) (*briefData, error) {
	ctx := r.Context()
	inc, err := h.d.Incidents.FindIncidentByID(ctx, id)
	if err != nil {
		return nil, err
	}
	d := &briefData{Incident: inc, Kinds: warroom.EventKinds, NextStates: inc.State.NextStates(), Severities: warroom.Severities, Reason: inc.SeverityReason}
	m, err := h.d.Severity.FindSeverityMatrix(ctx)
	if err != nil {
		return nil, err
	}
	// The stored reason is the domain's English; say it in the reader's
	// language when it is exactly the rule the matrix names today.
	if rule := bestRule(m, inc.Impact); rule != nil && rule.Severity == inc.ProposedSeverity &&
		strings.HasPrefix(inc.SeverityReason, fmt.Sprintf("rule %q: ", rule.Name)) && !strings.Contains(inc.SeverityReason, ";") {
		d.Reason = rc.L.T("severity.reason_rule", "Name", rule.Name, "Criteria", rc.L.Criteria(*rule))
	}
	f := warroom.EventFilter{IncidentID: id, Limit: timelineLimit}
	if warroom.EventKind(kind).Valid() {
		f.Kinds, d.Kind = []warroom.EventKind{warroom.EventKind(kind)}, kind
	} else if kind == timelineAll {
		d.Kind = kind
	}
	if d.Events, d.EventTotal, err = h.d.Timeline.FindEvents(ctx, f); err != nil {
		return nil, err
	}
	d.Items = foldTimeline(d.Events, d.Kind == "")
	// The live stream resumes after the newest event of any kind, which a
	// filtered timeline may not contain.
	if (d.Kind == "" || d.Kind == timelineAll) && len(d.Events) > 0 {
		d.LastEventID = d.Events[0].ID
	} else if last, _, err := h.d.Timeline.FindEvents(ctx, warroom.EventFilter{IncidentID: id, Limit: 1}); err != nil {
		return nil, err
	} else if len(last) > 0 {
		d.LastEventID = last[0].ID
	}
	if d.Updates, _, err = h.d.Timeline.FindEvents(ctx, warroom.EventFilter{IncidentID: id, Kinds: []warroom.EventKind{warroom.EventStatusUpdate}, Limit: 3}); err != nil {
		return nil, err
	}
	if h.d.Changes != nil {
		d.ChangesOn = true
		if d.Changes, err = h.d.Changes.FindIncidentChanges(ctx, id, warroom.DefaultCorrelationWindow); err != nil {
			return nil, err
		}
	}
	for _, t := range inc.Tasks {
		if t.Done {
			d.TasksDone++
		}
	}
	v := url.Values{}
	if d.Kind != "" {
		v.Set("kind", d.Kind)
	}
	d.LiveURL = "/incidents/" + strconv.FormatInt(id, 10) + "/live?" + v.Encode()
	return d, nil
}

func (h *Handler) incidentShow(w http.ResponseWriter, r *http.Request, rc *request) {
	h.showIncident(w, r, rc, http.StatusOK, "")
}

// showIncident renders the whole incident page, with errMsg in the banner
// when an action was refused.
func (h *Handler) showIncident(w http.ResponseWriter, r *http.Request, rc *request, status int, errMsg string) {
	id, err := pathID(r, "id")
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	d, err := h.loadBrief(r, rc, id, r.URL.Query().Get("kind"))
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	d.Err = errMsg
	if err := h.loadLearning(r, rc, d); err != nil {
		h.fail(w, r, rc, err)
		return
	}
	if rc.User.Can(warroom.PermRespond) && d.Incident.State != warroom.StateClosed {
		if d.Roles, err = h.d.Roles.FindIncidentRoles(r.Context()); err != nil {
			h.fail(w, r, rc, err)
			return
		}
		active := true
		if d.Users, _, err = h.d.Users.FindUsers(r.Context(), warroom.UserFilter{Active: &active, Limit: warroom.MaxPageSize}); err != nil {
			h.fail(w, r, rc, err)
			return
		}
		d.StatusOn = h.d.Stakeholders != nil
		if d.StatusOn && h.d.StatusPage != nil {
			d.ComponentStatuses = warroom.ComponentStatuses
			if d.Components, err = h.d.StatusPage.FindComponents(r.Context()); err != nil {
				h.fail(w, r, rc, err)
				return
			}
		}
	}
	h.render(w, r, rc, status, "incident", d.Incident.Number+" "+d.Incident.Title, d)
}

// incidentLive renders only the live regions, for the page's script to swap
// in when the stream reports a change.
func (h *Handler) incidentLive(w http.ResponseWriter, r *http.Request, rc *request) {
	id, err := pathID(r, "id")
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	d, err := h.loadBrief(r, rc, id, r.URL.Query().Get("kind"))
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	h.renderTemplate(w, r, rc, http.StatusOK, "incident", "live", "", d)
}
