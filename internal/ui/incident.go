package ui

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/warroomhq/warroom"
)

const listPageSize = 50

type listData struct {
	Incidents  []*warroom.Incident
	Total      int
	From, To   int
	State      string
	Severity   string
	Service    int64
	Query      string
	Services   []*warroom.Service
	States     []warroom.State
	Severities []warroom.Severity
	Prev, Next string
}

// openStates are the states the list shows by default: what needs work.
func openStates() []warroom.State {
	var out []warroom.State
	for _, s := range warroom.States {
		if s.Open() {
			out = append(out, s)
		}
	}
	return out
}

func (h *Handler) incidentList(w http.ResponseWriter, r *http.Request, rc *request) {
	q := r.URL.Query()
	d := listData{State: q.Get("state"), Severity: q.Get("severity"), Query: strings.TrimSpace(q.Get("q")),
		States: warroom.States, Severities: warroom.Severities}
	f := warroom.IncidentFilter{Limit: listPageSize}
	switch {
	case d.State == "":
		f.States = openStates()
	case d.State == "all":
	case warroom.State(d.State).Valid():
		f.States = []warroom.State{warroom.State(d.State)}
	default:
		d.State = ""
		f.States = openStates()
	}
	if sev, err := warroom.ParseSeverity(d.Severity); err == nil {
		f.Severities = []warroom.Severity{sev}
		d.Severity = string(sev)
	} else {
		d.Severity = ""
	}
	if id, err := strconv.ParseInt(q.Get("service"), 10, 64); err == nil && id > 0 {
		f.ServiceID, d.Service = &id, id
	}
	if d.Query != "" {
		f.Query = &d.Query
	}
	if off, err := strconv.Atoi(q.Get("offset")); err == nil && off > 0 {
		f.Offset = off
	}
	incs, total, err := h.d.Incidents.FindIncidents(r.Context(), f)
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	svcs, _, err := h.d.Services.FindServices(r.Context(), warroom.ServiceFilter{Limit: warroom.MaxPageSize})
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	d.Incidents, d.Total, d.Services = incs, total, svcs
	d.From, d.To = f.Offset+1, f.Offset+len(incs)
	d.Prev, d.Next = pageLinks("/incidents", q, f.Offset, len(incs), total)
	h.render(w, r, rc, http.StatusOK, "incidents", rc.L.T("nav.incidents"), d)
}

// declareForm keeps what was typed so that a refused form comes back filled.
type declareForm struct {
	Title, Summary, Type           string
	ServiceIDs                     []int64
	Users, Orders, Money, Currency string
	Compliance                     bool
	ComplianceNote, Recovery       string
	Drill                          bool
}

type declareData struct {
	Form     declareForm
	Types    []warroom.IncidentType
	Services []*warroom.Service
	Proposal proposalView
	Err      string
}

func (d declareData) ErrorText() string { return d.Err }

func (h *Handler) incidentNew(w http.ResponseWriter, r *http.Request, rc *request) {
	d := declareData{Form: declareForm{Type: string(warroom.TypeOther), Currency: "CNY"}}
	h.renderDeclare(w, r, rc, http.StatusOK, d, warroom.Impact{})
}

func (h *Handler) renderDeclare(w http.ResponseWriter, r *http.Request, rc *request, status int, d declareData, im warroom.Impact) {
	svcs, _, err := h.d.Services.FindServices(r.Context(), warroom.ServiceFilter{Limit: warroom.MaxPageSize})
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	d.Services, d.Types = svcs, warroom.IncidentTypes
	if d.Proposal, err = h.propose(r, rc, im, warroom.IncidentType(d.Form.Type)); err != nil {
		h.fail(w, r, rc, err)
		return
	}
	h.render(w, r, rc, status, "incident_new", rc.L.T("declare.title"), d)
}

func (h *Handler) incidentCreate(w http.ResponseWriter, r *http.Request, rc *request) {
	f := declareForm{
		Title: strings.TrimSpace(r.PostFormValue("title")), Summary: strings.TrimSpace(r.PostFormValue("summary")),
		Type: r.PostFormValue("type"), ServiceIDs: formIDs(r, "service_ids"),
		Users: r.PostFormValue("users_affected"), Orders: r.PostFormValue("orders_affected"),
		Money: r.PostFormValue("money_affected"), Currency: r.PostFormValue("money_affected_currency"),
		Compliance: r.PostFormValue("compliance_impact") != "", ComplianceNote: r.PostFormValue("compliance_note"),
		Recovery: r.PostFormValue("recovery_path"), Drill: r.PostFormValue("drill") != "",
	}
	im, err := formImpact(r, rc)
	if err == nil {
		inc := &warroom.Incident{Title: f.Title, Summary: f.Summary, Type: warroom.IncidentType(f.Type),
			ServiceIDs: f.ServiceIDs, Impact: im, Drill: f.Drill}
		if err = h.d.Incidents.DeclareIncident(r.Context(), inc); err == nil {
			http.Redirect(w, r, "/incidents/"+strconv.FormatInt(inc.ID, 10), http.StatusSeeOther)
			return
		}
	}
	d := declareData{Form: f, Err: h.errorText(r, rc, err)}
	h.renderDeclare(w, r, rc, statusFor(warroom.ErrorCode(err)), d, im)
}

// proposalView is the proposed severity, the rule behind it in the user's
// language and the SOP tasks a declaration would create.
type proposalView struct {
	Severity warroom.Severity `json:"severity"`
	Reason   string           `json:"reason"`
	SOPs     []sopPreview     `json:"sops"`
}

type sopPreview struct {
	Name  string   `json:"name"`
	Tasks []string `json:"tasks"`
}

func (h *Handler) propose(r *http.Request, rc *request, im warroom.Impact, typ warroom.IncidentType) (proposalView, error) {
	ctx := r.Context()
	p, err := h.d.Incidents.ProposeSeverity(ctx, im, 0)
	if err != nil {
		return proposalView{}, err
	}
	m, err := h.d.Severity.FindSeverityMatrix(ctx)
	if err != nil {
		return proposalView{}, err
	}
	v := proposalView{Severity: p.Severity, Reason: p.Reason}
	if rule := bestRule(m, im); rule != nil && rule.Severity == p.Severity {
		v.Reason = rc.L.T("severity.reason_rule", "Name", rule.Name, "Criteria", rc.L.Criteria(*rule))
	} else if rule == nil && p.Severity == m.Default {
		v.Reason = rc.L.T("severity.reason_default", "Severity", string(m.Default))
	}
	tpls, err := h.d.SOPs.FindSOPTemplates(ctx)
	if err != nil {
		return proposalView{}, err
	}
	for _, t := range tpls {
		if t.Applies(p.Severity, typ) {
			v.SOPs = append(v.SOPs, sopPreview{Name: t.Name, Tasks: t.Tasks})
		}
	}
	return v, nil
}

// bestRule finds the rule SeverityMatrix.Propose names as the reason (the
// most severe match, the first listed among equals) so that the UI can
// explain it in the user's language rather than the domain's English.
func bestRule(m *warroom.SeverityMatrix, im warroom.Impact) *warroom.SeverityRule {
	var best *warroom.SeverityRule
	for i := range m.Rules {
		r := &m.Rules[i]
		if r.Matches(im) && (best == nil || r.Severity.MoreSevere(best.Severity)) {
			best = r
		}
	}
	return best
}

// incidentPropose answers the declare form's script as numbers are typed.
func (h *Handler) incidentPropose(w http.ResponseWriter, r *http.Request, rc *request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	im, err := formImpact(r, rc)
	if err != nil {
		w.WriteHeader(statusFor(warroom.ErrorCode(err)))
		_ = json.NewEncoder(w).Encode(map[string]string{"error": warroom.ErrorMessage(err), "field": warroom.ErrorField(err)})
		return
	}
	v, err := h.propose(r, rc, im, warroom.IncidentType(r.PostFormValue("type")))
	if err != nil {
		h.d.Logger.Error("ui: propose", "err", err)
		w.WriteHeader(http.StatusInternalServerError)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": rc.L.T("error.internal")})
		return
	}
	_ = json.NewEncoder(w).Encode(v)
}
