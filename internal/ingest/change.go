package ingest

import (
	"encoding/json"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/warroomhq/warroom"
)

// PagerDutyChangeEvent is a change event of the PagerDuty Events API v2, as
// deploy tools send it to /v2/change/enqueue: something that already
// happened, reported after the fact.
type PagerDutyChangeEvent struct {
	RoutingKey string                  `json:"routing_key"`
	Payload    *PagerDutyChangePayload `json:"payload"`
	Links      []PagerDutyLink         `json:"links"`
}

// PagerDutyChangePayload is a change event's payload.
type PagerDutyChangePayload struct {
	Summary       string          `json:"summary"`
	Source        string          `json:"source"`
	Timestamp     string          `json:"timestamp"`
	CustomDetails json.RawMessage `json:"custom_details"`
}

// maxChangeDetails caps the custom details copied into a change's
// description, well inside warroom.MaxTextLen.
const maxChangeDetails = 8 << 10

// ParsePagerDutyChange decodes and checks a change event and returns its
// routing key and the change it reports, without services (the routing
// key's integration names the service). custom_details.kind, when it is a
// warroom change kind, sets the kind; otherwise a change event is a deploy.
// Failures are *PagerDutyError listing every problem found.
func ParsePagerDutyChange(body []byte) (routingKey string, c *warroom.Change, err error) {
	var e PagerDutyChangeEvent
	if err := DecodePagerDuty(body, &e); err != nil {
		return "", nil, err
	}
	var errs []string
	if strings.TrimSpace(e.RoutingKey) == "" {
		errs = append(errs, "'routing_key' is missing or blank")
	} else if err := identifier("routing_key", e.RoutingKey); err != nil {
		errs = append(errs, pdMessage(err))
	}
	if e.Payload == nil {
		errs = append(errs, "'payload' is missing")
		return "", nil, pdErrorf(errs...)
	}
	p := e.Payload
	p.Summary, p.Source = plain(p.Summary), plain(p.Source)
	if strings.TrimSpace(p.Summary) == "" {
		errs = append(errs, "'payload.summary' is missing or blank")
	} else if !utf8.ValidString(p.Summary) {
		errs = append(errs, "'payload.summary' must be valid UTF-8")
	}
	at, terr := parseTime("payload.timestamp", p.Timestamp)
	if terr != nil {
		errs = append(errs, warroom.ErrorMessage(terr))
	}
	if len(errs) > 0 {
		return "", nil, pdErrorf(errs...)
	}

	c = &warroom.Change{Kind: warroom.ChangeDeploy, Title: clip(strings.TrimSpace(p.Summary), warroom.MaxTitleLen), Source: warroom.SourcePagerDuty, Links: []warroom.ChangeLink{}}
	if !at.IsZero() {
		c.StartedAt = &at
	}
	var desc []string
	if p.Source != "" {
		desc = append(desc, "Source: "+clip(p.Source, warroom.MaxTitleLen))
	}
	if len(p.CustomDetails) > 0 && string(p.CustomDetails) != "null" {
		var d struct {
			Kind string `json:"kind"`
		}
		if json.Unmarshal(p.CustomDetails, &d) == nil && warroom.ChangeKind(d.Kind).Valid() {
			c.Kind = warroom.ChangeKind(d.Kind)
		}
		details := string(p.CustomDetails)
		if len(details) > maxChangeDetails || !utf8.ValidString(details) {
			details = clip(strings.ToValidUTF8(details, "?"), maxChangeDetails) + "…"
		}
		desc = append(desc, "Details: "+details)
	}
	// Links warroom cannot store as links (not http or https, too many)
	// are kept as text rather than dropped.
	for _, l := range e.Links {
		u, err := url.Parse(l.Href)
		if err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && len(l.Href) <= 2000 && len(c.Links) < 20 {
			c.Links = append(c.Links, warroom.ChangeLink{Title: clip(plain(l.Text), warroom.MaxTitleLen), URL: l.Href})
		} else if len(strings.Join(desc, "\n")) < maxChangeDetails {
			desc = append(desc, "Link: "+clip(plain(l.Text+" "+l.Href), 2100))
		}
	}
	c.Description = clip(strings.Join(desc, "\n"), warroom.MaxTextLen)
	return strings.TrimSpace(e.RoutingKey), c, nil
}

// clip shortens s to at most n runes.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n])
}
