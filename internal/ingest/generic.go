package ingest

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/warroomhq/warroom"
)

// GenericEvent is warroom's own alert format, for anything that can send
// JSON: a script, a cron job, a CI pipeline. docs/ingest.md documents it.
type GenericEvent struct {
	Summary  string `json:"summary"`
	Source   string `json:"source"`
	Severity string `json:"severity"`
	DedupKey string `json:"dedup_key"`
	// GroupKey groups events into one incident; the dedup key by default.
	GroupKey  string            `json:"group_key"`
	Action    string            `json:"action"`
	Labels    map[string]string `json:"labels"`
	Details   json.RawMessage   `json:"details"`
	Links     []warroom.Link    `json:"links"`
	Timestamp string            `json:"timestamp"`
}

// MaxGenericEvents bounds the events of one request.
const MaxGenericEvents = 10000

// ParseGeneric decodes one generic event or a JSON array of them. Action
// defaults to trigger; a trigger without a dedup_key is keyed by its
// summary, source and labels, so that a script repeating the same alert
// updates one alert instead of opening many.
func ParseGeneric(body []byte) ([]*warroom.AlertEvent, error) {
	trimmed := bytes.TrimSpace(body)
	var raws []json.RawMessage
	if len(trimmed) > 0 && trimmed[0] == '[' {
		if err := decodeObject(trimmed, &raws); err != nil {
			return nil, err
		}
		if len(raws) == 0 {
			return nil, warroom.Errorf(warroom.EINVALID, "the array is empty; expected at least one event")
		} else if len(raws) > MaxGenericEvents {
			return nil, warroom.Errorf(warroom.EINVALID, "at most %d events per request", MaxGenericEvents)
		}
	} else {
		raws = []json.RawMessage{trimmed}
	}
	events := make([]*warroom.AlertEvent, 0, len(raws))
	for i, raw := range raws {
		var g GenericEvent
		if err := decodeObject(raw, &g); err != nil {
			return nil, err
		}
		ev, err := genericEvent(&g, raw)
		if err != nil {
			if len(raws) > 1 {
				return nil, prefixGeneric(err, i)
			}
			return nil, err
		}
		events = append(events, ev)
	}
	return events, nil
}

func genericEvent(g *GenericEvent, raw []byte) (*warroom.AlertEvent, error) {
	if err := identifier("dedup_key", g.DedupKey); err != nil {
		return nil, err
	}
	if err := labelValues("labels", g.Labels); err != nil {
		return nil, err
	}
	// Free text loses its NUL before it can key an event, so that the key
	// derived below is that of the summary stored.
	ev := &warroom.AlertEvent{
		Action: warroom.AlertAction(strings.ToLower(strings.TrimSpace(g.Action))), DedupKey: g.DedupKey,
		Summary: plain(g.Summary), Source: plain(g.Source), Labels: g.Labels, Raw: capRaw(raw),
	}
	if ev.Action == "" {
		ev.Action = warroom.ActionTrigger
	}
	if g.Severity != "" {
		ev.Severity = warroom.AlertSeverity(strings.ToLower(g.Severity))
		if !ev.Severity.Valid() {
			ev.Severity = Severity(g.Severity)
		}
	}
	if len(g.Details) > 0 && string(g.Details) != "null" {
		ev.Details = g.Details
	}
	for _, l := range plainLinks(g.Links) {
		if l.Href != "" {
			ev.Links = append(ev.Links, l)
		}
	}
	var err error
	if ev.At, err = parseTime("timestamp", g.Timestamp); err != nil {
		return nil, err
	}
	if ev.DedupKey == "" && ev.Action == warroom.ActionTrigger && strings.TrimSpace(ev.Summary) != "" {
		l := map[string]string{"\x00summary": ev.Summary, "\x00source": ev.Source}
		for k, v := range ev.Labels {
			l[k] = v
		}
		ev.DedupKey = LabelsKey(l)
	}
	ev.GroupKey = firstOf(g.GroupKey, ev.DedupKey)
	if err := ev.Validate(); err != nil {
		return nil, err
	}
	return ev, nil
}

func prefixGeneric(err error, i int) error {
	e, ok := err.(*warroom.Error)
	if !ok || e.Field == "" {
		return err
	}
	f := "[" + itoa(i) + "]." + e.Field
	return &warroom.Error{Code: e.Code, Field: f, Message: f + strings.TrimPrefix(e.Message, e.Field)}
}
