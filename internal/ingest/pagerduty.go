package ingest

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"

	"github.com/warroomhq/warroom"
)

// PagerDutyEvent is an event of the PagerDuty Events API v2, as clients send
// it to /v2/enqueue.
type PagerDutyEvent struct {
	RoutingKey  string            `json:"routing_key"`
	EventAction string            `json:"event_action"`
	DedupKey    string            `json:"dedup_key"`
	Payload     *PagerDutyPayload `json:"payload"`
	Client      string            `json:"client"`
	ClientURL   string            `json:"client_url"`
	Links       []PagerDutyLink   `json:"links"`
	Images      []json.RawMessage `json:"images"`
}

// PagerDutyPayload is the payload of a trigger.
type PagerDutyPayload struct {
	Summary       string          `json:"summary"`
	Source        string          `json:"source"`
	Severity      string          `json:"severity"`
	Timestamp     string          `json:"timestamp"`
	Component     string          `json:"component"`
	Group         string          `json:"group"`
	Class         string          `json:"class"`
	CustomDetails json.RawMessage `json:"custom_details"`
}

// PagerDutyLink is a link attached to an event.
type PagerDutyLink struct {
	Href string `json:"href"`
	Text string `json:"text"`
}

// PagerDutyError is a refusal in the shape PagerDuty answers with: 400 and
// a list of messages. Errors are the messages; the first is also the
// *warroom.Error's message so that other callers read it as usual.
type PagerDutyError struct {
	Errors []string
}

// Error implements error.
func (e *PagerDutyError) Error() string { return "invalid event: " + strings.Join(e.Errors, "; ") }

// Unwrap exposes an EMALFORMED *warroom.Error.
func (e *PagerDutyError) Unwrap() error {
	return warroom.Errorf(warroom.EMALFORMED, "%s", strings.Join(e.Errors, "; "))
}

func pdErrorf(msgs ...string) error { return &PagerDutyError{Errors: msgs} }

// DecodePagerDuty decodes a body sent to a PagerDuty-compatible endpoint
// into v (a *PagerDutyEvent, or the change-event type of another endpoint),
// leniently, reporting failures as *PagerDutyError.
func DecodePagerDuty(body []byte, v any) error {
	if err := decodeObject(body, v); err != nil {
		return pdErrorf(warroom.ErrorMessage(err))
	}
	return nil
}

// pdMessage words an error about a field as PagerDuty does: 'payload.summary' is….
func pdMessage(err error) string {
	var e *warroom.Error
	if errors.As(err, &e) && e.Field != "" {
		return "'" + e.Field + "' " + strings.TrimPrefix(e.Message, e.Field+": ")
	}
	return warroom.ErrorMessage(err)
}

// ParsePagerDuty decodes and checks an Events API v2 event and returns its
// routing key and the event. A trigger without a dedup_key gets a new random
// one, which the caller returns to the client as PagerDuty does. Failures
// are *PagerDutyError listing every problem found.
func ParsePagerDuty(body []byte) (routingKey string, ev *warroom.AlertEvent, err error) {
	var e PagerDutyEvent
	if err := DecodePagerDuty(body, &e); err != nil {
		return "", nil, err
	}
	var errs []string
	if strings.TrimSpace(e.RoutingKey) == "" {
		errs = append(errs, "'routing_key' is missing or blank")
	}
	for _, err := range []error{identifier("routing_key", e.RoutingKey), identifier("dedup_key", e.DedupKey)} {
		if err != nil {
			errs = append(errs, pdMessage(err))
		}
	}
	// The routing key is a credential: it is not kept in the raw copy,
	// which everyone who can read alerts can see.
	raw := body
	if k := strings.TrimSpace(e.RoutingKey); len(k) >= 8 {
		raw = bytes.ReplaceAll(body, []byte(k), []byte("[redacted]"))
	}
	ev = &warroom.AlertEvent{DedupKey: e.DedupKey, Raw: capRaw(raw)}
	switch e.EventAction {
	case "trigger":
		ev.Action = warroom.ActionTrigger
	case "acknowledge":
		ev.Action = warroom.ActionAcknowledge
	case "resolve":
		ev.Action = warroom.ActionResolve
	case "":
		errs = append(errs, "'event_action' is missing or blank")
	default:
		errs = append(errs, "'event_action' must be one of trigger, acknowledge or resolve")
	}
	if len(e.DedupKey) > warroom.MaxDedupKeyLen {
		errs = append(errs, "'dedup_key' must be at most 255 characters")
	}
	if ev.Action != warroom.ActionTrigger && ev.Action != "" && e.DedupKey == "" {
		errs = append(errs, "'dedup_key' is required to "+e.EventAction)
	}
	if ev.Action == warroom.ActionTrigger {
		errs = append(errs, pdPayload(&e, ev)...)
	} else if e.Payload != nil && e.Payload.Summary != "" {
		ev.Summary = e.Payload.Summary
	}
	if len(errs) > 0 {
		return e.RoutingKey, nil, pdErrorf(errs...)
	}
	if ev.DedupKey == "" {
		ev.DedupKey = NewDedupKey()
	} else {
		// PagerDuty keys its own incidents by the sender's dedup_key: a
		// trigger after a resolve joins the incident if it is still open.
		ev.GroupKey = ev.DedupKey
	}
	for _, l := range e.Links {
		if l.Href != "" {
			ev.Links = append(ev.Links, warroom.Link{Href: l.Href, Text: l.Text})
		}
	}
	if e.ClientURL != "" {
		ev.Links = append(ev.Links, warroom.Link{Href: e.ClientURL, Text: e.Client})
	}
	ev.Links = plainLinks(ev.Links)
	if err := ev.Validate(); err != nil {
		return e.RoutingKey, nil, pdErrorf(warroom.ErrorMessage(err))
	}
	return e.RoutingKey, ev, nil
}

// pdPayload checks a trigger's payload and copies it onto ev.
func pdPayload(e *PagerDutyEvent, ev *warroom.AlertEvent) []string {
	p := e.Payload
	if p == nil {
		return []string{"'payload' is missing"}
	}
	// PagerDuty's payload fields are free text, the labels made of them too.
	p.Summary, p.Source, p.Component, p.Group, p.Class = plain(p.Summary), plain(p.Source), plain(p.Component), plain(p.Group), plain(p.Class)
	var errs []string
	if strings.TrimSpace(p.Summary) == "" {
		errs = append(errs, "'payload.summary' is missing or blank")
	}
	if strings.TrimSpace(p.Source) == "" {
		errs = append(errs, "'payload.source' is missing or blank")
	}
	switch p.Severity {
	case "critical", "error", "warning", "info":
		ev.Severity = warroom.AlertSeverity(p.Severity)
	case "":
		errs = append(errs, "'payload.severity' is missing or blank")
	default:
		errs = append(errs, "'payload.severity' must be one of critical, error, warning or info")
	}
	at, err := parseTime("payload.timestamp", p.Timestamp)
	if err != nil {
		errs = append(errs, "'payload.timestamp' must be an ISO 8601 time")
	}
	ev.At = at
	// PagerDuty cuts long summaries rather than refusing them.
	ev.Summary, ev.Source = p.Summary, p.Source
	labels := map[string]string{}
	for k, v := range map[string]string{"source": p.Source, "component": p.Component, "group": p.Group, "class": p.Class} {
		if v != "" && len(v) <= warroom.MaxLabelLen {
			labels[k] = v
		}
	}
	ev.Labels = labels
	d := map[string]any{}
	if len(p.CustomDetails) > 0 && string(p.CustomDetails) != "null" {
		d["custom_details"] = p.CustomDetails
	}
	if len(e.Images) > 0 {
		d["images"] = e.Images
	}
	ev.Details = details(d)
	return errs
}
