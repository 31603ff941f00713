package ui

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/warroomhq/warroom"
)

// ingestEnabled reports whether the alert pages have their services.
func (h *Handler) ingestEnabled(w http.ResponseWriter, r *http.Request, rc *request) bool {
	d := h.d
	if d.Alerts == nil || d.Integrations == nil || d.Routing == nil || d.Monitors == nil || d.Maintenance == nil {
		h.fail(w, r, rc, warroom.Errorf(warroom.ENOTFOUND, "alert ingestion is not enabled"))
		return false
	}
	return true
}

// baseURL is the address people reach this server at, for the ingest URLs
// the pages show.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// serviceNames maps IDs to names for the tables.
func (h *Handler) serviceNames(r *http.Request) (map[int64]string, []*warroom.Service, error) {
	ss, _, err := h.d.Services.FindServices(r.Context(), warroom.ServiceFilter{Limit: warroom.MaxPageSize})
	names := map[int64]string{}
	for _, s := range ss {
		names[s.ID] = s.Name
	}
	return names, ss, err
}

type alertsData struct {
	Alerts []*warroom.Alert
	Total  int
	// TotalText is the total as shown: past warroom.AlertCountLimit the
	// count stopped, so it reads "more than" the limit.
	TotalText string
	Status    string
	Query     string
	Service   int64
	Services  []*warroom.Service
	Names     map[int64]string
	Err       string
	Statuses  []warroom.AlertStatus
	// From, To, Prev and Next page through the list as the incident list
	// does: a year of alerts is far too many for one page.
	From, To   int
	Prev, Next string
}

func (d alertsData) ErrorText() string { return d.Err }

func (h *Handler) alertList(w http.ResponseWriter, r *http.Request, rc *request) {
	if !h.ingestEnabled(w, r, rc) {
		return
	}
	h.renderAlerts(w, r, rc, http.StatusOK, "")
}

func (h *Handler) renderAlerts(w http.ResponseWriter, r *http.Request, rc *request, status int, errMsg string) {
	q := r.URL.Query()
	f := warroom.AlertFilter{Limit: listPageSize}
	d := alertsData{Status: q.Get("status"), Query: strings.TrimSpace(q.Get("q")), Err: errMsg, Statuses: warroom.AlertStatuses}
	if d.Status == "" {
		d.Status = "open"
	}
	switch d.Status {
	case "open":
		f.Statuses = []warroom.AlertStatus{warroom.AlertFiring, warroom.AlertAcknowledged}
	case "all":
	default:
		if !warroom.AlertStatus(d.Status).Valid() {
			d.Status = "open"
			f.Statuses = []warroom.AlertStatus{warroom.AlertFiring, warroom.AlertAcknowledged}
			break
		}
		f.Statuses = []warroom.AlertStatus{warroom.AlertStatus(d.Status)}
	}
	if d.Query != "" {
		f.Query = &d.Query
	}
	if id, err := strconv.ParseInt(q.Get("service"), 10, 64); err == nil && id > 0 {
		f.ServiceID, d.Service = &id, id
	}
	if off, err := strconv.Atoi(q.Get("offset")); err == nil && off > 0 {
		f.Offset = off
	}
	as, total, err := h.d.Alerts.FindAlerts(r.Context(), f)
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	names, svcs, err := h.serviceNames(r)
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	d.Alerts, d.Total, d.Names, d.Services = as, total, names, svcs
	d.TotalText = strconv.Itoa(total)
	if total > warroom.AlertCountLimit {
		d.TotalText = rc.L.T("list.total_more", "N", warroom.AlertCountLimit)
	}
	d.From, d.To = f.Offset+1, f.Offset+len(as)
	d.Prev, d.Next = pageLinks("/alerts", q, f.Offset, len(as), total)
	h.render(w, r, rc, status, "alerts", rc.L.T("nav.alerts"), d)
}

func (h *Handler) alertResolve(w http.ResponseWriter, r *http.Request, rc *request) {
	if !h.ingestEnabled(w, r, rc) {
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	if _, err := h.d.Alerts.ResolveAlert(r.Context(), id); err != nil {
		h.renderAlerts(w, r, rc, statusFor(warroom.ErrorCode(err)), h.errorText(r, rc, err))
		return
	}
	http.Redirect(w, r, "/alerts", http.StatusSeeOther)
}

type integrationsData struct {
	Integrations []*warroom.Integration
	Services     []*warroom.Service
	Names        map[int64]string
	Base         string
	Kinds        []warroom.IntegrationKind
	Err          string
}

func (d integrationsData) ErrorText() string { return d.Err }

func (h *Handler) integrationList(w http.ResponseWriter, r *http.Request, rc *request) {
	if !h.ingestEnabled(w, r, rc) {
		return
	}
	h.renderIntegrations(w, r, rc, http.StatusOK, "")
}

func (h *Handler) renderIntegrations(w http.ResponseWriter, r *http.Request, rc *request, status int, errMsg string) {
	active := false
	is, _, err := h.d.Integrations.FindIntegrations(r.Context(), warroom.IntegrationFilter{Revoked: &active, Limit: warroom.MaxPageSize})
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	names, ss, err := h.serviceNames(r)
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	h.render(w, r, rc, status, "integrations", rc.L.T("nav.integrations"), integrationsData{
		Integrations: is, Services: ss, Names: names, Base: baseURL(r), Kinds: warroom.IntegrationKinds, Err: errMsg})
}

func (h *Handler) integrationCreate(w http.ResponseWriter, r *http.Request, rc *request) {
	if !h.ingestEnabled(w, r, rc) {
		return
	}
	sid, _ := strconv.ParseInt(r.PostFormValue("service_id"), 10, 64)
	in := &warroom.Integration{ServiceID: sid, Name: r.PostFormValue("name"), Kind: warroom.IntegrationKind(r.PostFormValue("kind")),
		Secret: strings.TrimSpace(r.PostFormValue("secret")), RateLimit: warroom.DefaultRateLimit}
	if err := h.d.Integrations.CreateIntegration(r.Context(), in); err != nil {
		h.renderIntegrations(w, r, rc, statusFor(warroom.ErrorCode(err)), h.errorText(r, rc, err))
		return
	}
	http.Redirect(w, r, "/integrations#integration-"+strconv.FormatInt(in.ID, 10), http.StatusSeeOther)
}

func (h *Handler) integrationAction(w http.ResponseWriter, r *http.Request, rc *request) {
	if !h.ingestEnabled(w, r, rc) {
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	switch r.PathValue("action") {
	case "rotate":
		_, err = h.d.Integrations.RotateIntegrationKey(r.Context(), id)
	case "revoke":
		_, err = h.d.Integrations.RevokeIntegration(r.Context(), id)
	default:
		err = warroom.Errorf(warroom.ENOTFOUND, "no such action")
	}
	if err != nil {
		h.renderIntegrations(w, r, rc, statusFor(warroom.ErrorCode(err)), h.errorText(r, rc, err))
		return
	}
	http.Redirect(w, r, "/integrations", http.StatusSeeOther)
}

type routingData struct {
	// Rows and Severities lay out the new-rule form: three matcher rows,
	// one severity choice per alert severity.
	Rows       []int
	Severities []warroom.AlertSeverity
	Service    *warroom.Service
	Rules      []*warroom.RoutingRule
	Test       *warroom.RoutingRule
	TestSev    warroom.Severity
	Err        string
}

func (d routingData) ErrorText() string { return d.Err }

func (h *Handler) routingShow(w http.ResponseWriter, r *http.Request, rc *request) {
	if !h.ingestEnabled(w, r, rc) {
		return
	}
	h.renderRouting(w, r, rc, http.StatusOK, "", nil, "")
}

func (h *Handler) renderRouting(w http.ResponseWriter, r *http.Request, rc *request, status int, errMsg string, test *warroom.RoutingRule, sev warroom.Severity) {
	id, err := pathID(r, "id")
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	s, err := h.d.Services.FindServiceByID(r.Context(), id)
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	rules, err := h.d.Routing.FindRoutingRules(r.Context(), id)
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	h.render(w, r, rc, status, "routing", rc.L.T("routing.title", "Service", s.Name), routingData{Rows: []int{1, 2, 3}, Severities: warroom.AlertSeverities, Service: s, Rules: rules, Test: test, TestSev: sev, Err: errMsg})
}

// formMatchers reads up to three matcher rows of the rule form.
func formMatchers(r *http.Request) []warroom.Matcher {
	var ms []warroom.Matcher
	fields, ops, values := r.PostForm["match_field"], r.PostForm["match_op"], r.PostForm["match_value"]
	for i := range fields {
		if strings.TrimSpace(fields[i]) == "" || i >= len(ops) || i >= len(values) {
			continue
		}
		ms = append(ms, warroom.Matcher{Field: strings.TrimSpace(fields[i]), Op: warroom.MatchOp(ops[i]), Value: values[i]})
	}
	return ms
}

func (h *Handler) routingCreate(w http.ResponseWriter, r *http.Request, rc *request) {
	if !h.ingestEnabled(w, r, rc) {
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	r.ParseForm()
	window, _ := strconv.Atoi(r.PostFormValue("window_minutes"))
	rule := &warroom.RoutingRule{ServiceID: id, Name: r.PostFormValue("name"), Matchers: formMatchers(r),
		AutoOpen: r.PostFormValue("auto_open") != "", MitigateOnResolve: r.PostFormValue("mitigate") != "",
		Grouping: warroom.Grouping(r.PostFormValue("grouping")), GroupWindowSeconds: window * 60, SeverityMap: map[warroom.AlertSeverity]warroom.Severity{}}
	for _, as := range warroom.AlertSeverities {
		if v := r.PostFormValue("sev_" + string(as)); v != "" {
			rule.SeverityMap[as] = warroom.Severity(v)
		}
	}
	for g := range strings.SplitSeq(r.PostFormValue("group_by"), ",") {
		if g = strings.TrimSpace(g); g != "" {
			rule.GroupBy = append(rule.GroupBy, g)
		}
	}
	// Labels typed in "group by" mean grouping by them, whatever the
	// select was left at.
	if len(rule.GroupBy) > 0 && rule.Grouping == warroom.GroupUpstream {
		rule.Grouping = warroom.GroupLabels
	}
	if err := h.d.Routing.CreateRoutingRule(r.Context(), rule); err != nil {
		h.renderRouting(w, r, rc, statusFor(warroom.ErrorCode(err)), h.errorText(r, rc, err), nil, "")
		return
	}
	http.Redirect(w, r, "/services/"+strconv.FormatInt(id, 10)+"/routing", http.StatusSeeOther)
}

// alertHandlingUpdate saves a service's alert handling from the form on
// its routing page.
func (h *Handler) alertHandlingUpdate(w http.ResponseWriter, r *http.Request, rc *request) {
	id, err := pathID(r, "id")
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	r.ParseForm()
	num := func(name string) int {
		n, _ := strconv.Atoi(strings.TrimSpace(r.PostFormValue(name)))
		return n
	}
	ah := warroom.AlertHandling{ResolveIncidents: r.PostFormValue("resolve_incidents") != "",
		FlapThreshold: num("flap_threshold"), FlapWindowSeconds: num("flap_window_minutes") * 60,
		StormThreshold: num("storm_threshold"), StormWindowSeconds: num("storm_window_minutes") * 60}
	if _, err := h.d.Services.UpdateService(r.Context(), id, warroom.ServiceUpdate{AlertHandling: &ah}); err != nil {
		h.renderRouting(w, r, rc, statusFor(warroom.ErrorCode(err)), h.errorText(r, rc, err), nil, "")
		return
	}
	http.Redirect(w, r, "/services/"+strconv.FormatInt(id, 10)+"/routing#alert-handling", http.StatusSeeOther)
}

func (h *Handler) routingDelete(w http.ResponseWriter, r *http.Request, rc *request) {
	if !h.ingestEnabled(w, r, rc) {
		return
	}
	ruleID, err := strconv.ParseInt(r.PathValue("ruleID"), 10, 64)
	if err == nil {
		err = h.d.Routing.DeleteRoutingRule(r.Context(), ruleID)
	}
	if err != nil {
		h.renderRouting(w, r, rc, statusFor(warroom.ErrorCode(err)), h.errorText(r, rc, err), nil, "")
		return
	}
	http.Redirect(w, r, "/services/"+r.PathValue("id")+"/routing", http.StatusSeeOther)
}

// routingTest shows which rule a sample alert would match.
func (h *Handler) routingTest(w http.ResponseWriter, r *http.Request, rc *request) {
	if !h.ingestEnabled(w, r, rc) {
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	ev := &warroom.AlertEvent{Action: warroom.ActionTrigger, Summary: r.PostFormValue("summary"), Severity: warroom.AlertSeverity(r.PostFormValue("severity")), Labels: map[string]string{}}
	for line := range strings.SplitSeq(r.PostFormValue("labels"), "\n") {
		if k, v, ok := strings.Cut(strings.TrimSpace(line), "="); ok && k != "" {
			ev.Labels[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	rule, err := h.d.Routing.MatchRoutingRule(r.Context(), id, ev)
	if err != nil {
		h.renderRouting(w, r, rc, statusFor(warroom.ErrorCode(err)), h.errorText(r, rc, err), nil, "")
		return
	}
	h.renderRouting(w, r, rc, http.StatusOK, "", rule, rule.SeverityFor(ev.Severity))
}

type monitorsData struct {
	Monitors []*warroom.Monitor
	Services []*warroom.Service
	Names    map[int64]string
	Base     string
	Err      string
	// Calendars are the working calendars a flow monitor may follow.
	Calendars []*warroom.Calendar
}

func (d monitorsData) ErrorText() string { return d.Err }

func (h *Handler) monitorList(w http.ResponseWriter, r *http.Request, rc *request) {
	if !h.ingestEnabled(w, r, rc) {
		return
	}
	h.renderMonitors(w, r, rc, http.StatusOK, "")
}

func (h *Handler) renderMonitors(w http.ResponseWriter, r *http.Request, rc *request, status int, errMsg string) {
	ms, _, err := h.d.Monitors.FindMonitors(r.Context(), warroom.MonitorFilter{Limit: warroom.MaxPageSize})
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	if !rc.User.Can(warroom.PermAdmin) {
		for _, m := range ms {
			m.Token = ""
		}
	}
	names, ss, err := h.serviceNames(r)
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	var cals []*warroom.Calendar
	if h.d.Calendars != nil {
		if cals, err = h.d.Calendars.FindCalendars(r.Context()); err != nil {
			h.fail(w, r, rc, err)
			return
		}
	}
	h.render(w, r, rc, status, "monitors", rc.L.T("nav.monitors"), monitorsData{Monitors: ms, Services: ss, Names: names, Base: baseURL(r), Err: errMsg, Calendars: cals})
}

func (h *Handler) monitorCreate(w http.ResponseWriter, r *http.Request, rc *request) {
	if !h.ingestEnabled(w, r, rc) {
		return
	}
	sid, _ := strconv.ParseInt(r.PostFormValue("service_id"), 10, 64)
	num := func(k string) int { n, _ := strconv.Atoi(r.PostFormValue(k)); return n }
	m := &warroom.Monitor{ServiceID: sid, Name: r.PostFormValue("name"), Kind: warroom.MonitorKind(r.PostFormValue("kind")),
		PeriodSeconds: num("period_minutes") * 60, GraceSeconds: num("grace_minutes") * 60,
		MinEvents: num("min_events"), WindowSeconds: num("window_minutes") * 60,
		BusinessHours: warroom.BusinessHours{Start: r.PostFormValue("start"), End: r.PostFormValue("end"), TimeZone: r.PostFormValue("time_zone")}}
	if r.PostFormValue("weekdays") != "" {
		m.BusinessHours.Days = []int{1, 2, 3, 4, 5}
	}
	m.BusinessHours.CalendarID, _ = strconv.ParseInt(r.PostFormValue("calendar_id"), 10, 64)
	if err := h.d.Monitors.CreateMonitor(r.Context(), m); err != nil {
		h.renderMonitors(w, r, rc, statusFor(warroom.ErrorCode(err)), h.errorText(r, rc, err))
		return
	}
	http.Redirect(w, r, "/monitors", http.StatusSeeOther)
}

func (h *Handler) monitorDelete(w http.ResponseWriter, r *http.Request, rc *request) {
	if !h.ingestEnabled(w, r, rc) {
		return
	}
	id, err := pathID(r, "id")
	if err == nil {
		err = h.d.Monitors.DeleteMonitor(r.Context(), id)
	}
	if err != nil {
		h.renderMonitors(w, r, rc, statusFor(warroom.ErrorCode(err)), h.errorText(r, rc, err))
		return
	}
	http.Redirect(w, r, "/monitors", http.StatusSeeOther)
}

type maintenanceData struct {
	Windows  []*warroom.MaintenanceWindow
	Services []*warroom.Service
	Names    map[int64]string
	Now      time.Time
	Err      string
}

func (d maintenanceData) ErrorText() string { return d.Err }

func (h *Handler) maintenanceWindowList(w http.ResponseWriter, r *http.Request, rc *request) {
	if !h.ingestEnabled(w, r, rc) {
		return
	}
	h.renderMaintenanceWindows(w, r, rc, http.StatusOK, "")
}

func (h *Handler) renderMaintenanceWindows(w http.ResponseWriter, r *http.Request, rc *request, status int, errMsg string) {
	now := h.d.Now()
	since := now.Add(-7 * 24 * time.Hour)
	ws, _, err := h.d.Maintenance.FindMaintenanceWindows(r.Context(), warroom.MaintenanceFilter{EndedAfter: &since, Limit: warroom.MaxPageSize})
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	names, ss, err := h.serviceNames(r)
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	h.render(w, r, rc, status, "maintenance_windows", rc.L.T("nav.maintenance_windows"), maintenanceData{Windows: ws, Services: ss, Names: names, Now: now, Err: errMsg})
}

func (h *Handler) maintenanceWindowCreate(w http.ResponseWriter, r *http.Request, rc *request) {
	if !h.ingestEnabled(w, r, rc) {
		return
	}
	sid, _ := strconv.ParseInt(r.PostFormValue("service_id"), 10, 64)
	hours, _ := strconv.ParseFloat(r.PostFormValue("hours"), 64)
	start := h.d.Now()
	mw := &warroom.MaintenanceWindow{ServiceID: sid, StartsAt: start, EndsAt: start.Add(time.Duration(hours * float64(time.Hour))), Reason: r.PostFormValue("reason")}
	if err := h.d.Maintenance.CreateMaintenanceWindow(r.Context(), mw); err != nil {
		h.renderMaintenanceWindows(w, r, rc, statusFor(warroom.ErrorCode(err)), h.errorText(r, rc, err))
		return
	}
	http.Redirect(w, r, "/maintenance", http.StatusSeeOther)
}

func (h *Handler) maintenanceWindowEnd(w http.ResponseWriter, r *http.Request, rc *request) {
	if !h.ingestEnabled(w, r, rc) {
		return
	}
	id, err := pathID(r, "id")
	if err == nil {
		_, err = h.d.Maintenance.EndMaintenanceWindow(r.Context(), id)
	}
	if err != nil {
		h.renderMaintenanceWindows(w, r, rc, statusFor(warroom.ErrorCode(err)), h.errorText(r, rc, err))
		return
	}
	http.Redirect(w, r, "/maintenance", http.StatusSeeOther)
}
