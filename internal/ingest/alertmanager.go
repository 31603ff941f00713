package ingest

import (
	"encoding/json"
	"strings"

	"github.com/warroomhq/warroom"
)

// AlertmanagerMessage is the body of Prometheus Alertmanager's webhook
// (version 4). Grafana's webhook is a superset of it. Fields not listed are
// ignored, so that newer senders keep working.
type AlertmanagerMessage struct {
	Version           string            `json:"version"`
	GroupKey          string            `json:"groupKey"`
	TruncatedAlerts   int               `json:"truncatedAlerts"`
	Status            string            `json:"status"`
	Receiver          string            `json:"receiver"`
	GroupLabels       map[string]string `json:"groupLabels"`
	CommonLabels      map[string]string `json:"commonLabels"`
	CommonAnnotations map[string]string `json:"commonAnnotations"`
	ExternalURL       string            `json:"externalURL"`
	Alerts            []json.RawMessage `json:"alerts"`

	// Grafana's additions.
	OrgID   int64  `json:"orgId"`
	Title   string `json:"title"`
	State   string `json:"state"`
	Message string `json:"message"`
}

// AlertmanagerAlert is one alert of a webhook message.
type AlertmanagerAlert struct {
	Status       string            `json:"status"`
	Labels       map[string]string `json:"labels"`
	Annotations  map[string]string `json:"annotations"`
	StartsAt     string            `json:"startsAt"`
	EndsAt       string            `json:"endsAt"`
	GeneratorURL string            `json:"generatorURL"`
	Fingerprint  string            `json:"fingerprint"`

	// Grafana's additions.
	Values       map[string]any `json:"values"`
	ValueString  string         `json:"valueString"`
	DashboardURL string         `json:"dashboardURL"`
	PanelURL     string         `json:"panelURL"`
	SilenceURL   string         `json:"silenceURL"`
	ImageURL     string         `json:"imageURL"`
}

// MaxWebhookAlerts bounds the alerts of one webhook message.
const MaxWebhookAlerts = 10000

// ParseAlertmanager decodes an Alertmanager webhook into one event per
// alert. Each alert is deduplicated by its fingerprint (by a hash of its
// labels when the sender gives none), never by its summary: two alerts with
// the same text on different instances are different alerts. An alert with
// status "resolved" resolves.
func ParseAlertmanager(body []byte) ([]*warroom.AlertEvent, error) {
	return parseWebhook(body, "alertmanager")
}

func parseWebhook(body []byte, source string) ([]*warroom.AlertEvent, error) {
	var m AlertmanagerMessage
	if err := decodeObject(body, &m); err != nil {
		return nil, err
	}
	if len(m.Alerts) == 0 {
		return nil, warroom.FieldErrorf("alerts", "is empty; expected at least one alert")
	} else if len(m.Alerts) > MaxWebhookAlerts {
		return nil, warroom.FieldErrorf("alerts", "at most %d alerts per request", MaxWebhookAlerts)
	}
	events := make([]*warroom.AlertEvent, 0, len(m.Alerts))
	for i, raw := range m.Alerts {
		var a AlertmanagerAlert
		if err := json.Unmarshal(raw, &a); err != nil {
			return nil, warroom.FieldErrorf("alerts", "alert %d is not an alert object: %v", i, strings.TrimPrefix(err.Error(), "json: "))
		}
		ev, err := webhookEvent(&m, &a, raw, source)
		if err != nil {
			return nil, prefixField(err, i)
		}
		events = append(events, ev)
	}
	return events, nil
}

func webhookEvent(m *AlertmanagerMessage, a *AlertmanagerAlert, raw []byte, source string) (*warroom.AlertEvent, error) {
	// The notification's groupKey is Alertmanager's (and Grafana's) own
	// grouping: every alert of one group belongs to one incident.
	ev := &warroom.AlertEvent{Action: warroom.ActionTrigger, DedupKey: a.Fingerprint, GroupKey: m.GroupKey, Raw: capRaw(raw), Source: source}
	status := a.Status
	if status == "" {
		status = m.Status
	}
	switch status {
	case "firing", "alerting", "":
	case "resolved", "ok", "normal":
		ev.Action = warroom.ActionResolve
	default:
		return nil, warroom.FieldErrorf("status", "must be firing or resolved, got %q", status)
	}
	if len(a.Labels) == 0 && a.Fingerprint == "" {
		return nil, warroom.FieldErrorf("labels", "an alert needs labels or a fingerprint")
	}
	if err := identifier("fingerprint", a.Fingerprint); err != nil {
		return nil, err
	}
	if err := labelValues("labels", a.Labels); err != nil {
		return nil, err
	}
	if ev.DedupKey == "" {
		ev.DedupKey = LabelsKey(a.Labels)
	}
	ev.Labels = a.Labels
	ev.Severity = Severity(firstOf(a.Labels["severity"], a.Labels["priority"]))
	ev.Summary = firstOf(a.Annotations["summary"], a.Annotations["title"], a.Annotations["description"],
		a.Annotations["message"], a.Labels["alertname"], m.Title, m.CommonAnnotations["summary"], "alert "+ev.DedupKey)
	if inst := a.Labels["instance"]; inst != "" {
		ev.Source = inst
	} else if job := a.Labels["job"]; job != "" {
		ev.Source = job
	}
	var err error
	if ev.At, err = parseTime("startsAt", a.StartsAt); err != nil {
		return nil, err
	}
	for _, l := range []warroom.Link{
		{Href: a.GeneratorURL, Text: "source"},
		{Href: a.DashboardURL, Text: "dashboard"},
		{Href: a.PanelURL, Text: "panel"},
		{Href: a.SilenceURL, Text: "silence"},
		{Href: a.ImageURL, Text: "image"},
		{Href: a.Annotations["runbook_url"], Text: "runbook"},
	} {
		if l.Href != "" {
			ev.Links = append(ev.Links, l)
		}
	}
	ev.Links = plainLinks(ev.Links)
	d := map[string]any{}
	if len(a.Annotations) > 0 {
		d["annotations"] = a.Annotations
	}
	if len(a.Values) > 0 {
		d["values"] = a.Values
	}
	if a.ValueString != "" {
		d["value_string"] = a.ValueString
	}
	ev.Details = details(d)
	if err := ev.Validate(); err != nil {
		return nil, err
	}
	return ev, nil
}

// prefixField names the alert an error is about: alerts[3].labels.
func prefixField(err error, i int) error {
	e, ok := err.(*warroom.Error)
	if !ok || e.Field == "" {
		return err
	}
	f := "alerts[" + itoa(i) + "]." + e.Field
	return &warroom.Error{Code: e.Code, Field: f, Message: f + strings.TrimPrefix(e.Message, e.Field)}
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}

func firstOf(ss ...string) string {
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return ""
}
