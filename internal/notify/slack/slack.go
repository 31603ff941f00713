// Package slack posts notifications to a Slack incoming webhook as Block
// Kit blocks: a header, the text, and link buttons to acknowledge and
// resolve (https://api.slack.com/messaging/webhooks).
package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/warroomhq/warroom/internal/notify"
)

// Notifier posts to Slack incoming webhooks.
type Notifier struct{ client *http.Client }

// New returns a notifier using client.
func New(client *http.Client) *Notifier { return &Notifier{client: client} }

type text struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

type element struct {
	Type  string `json:"type"`
	Text  text   `json:"text"`
	URL   string `json:"url"`
	Style string `json:"style,omitempty"`
}

type block struct {
	Type     string    `json:"type"`
	Text     *text     `json:"text,omitempty"`
	Elements []element `json:"elements,omitempty"`
}

// Payload is the incoming-webhook body; Text is the notification fallback.
type Payload struct {
	Text   string  `json:"text"`
	Blocks []block `json:"blocks"`
}

// Build returns the payload for msg. The subject and text are escaped for
// mrkdwn (the notification fallback text is mrkdwn too); the header is
// plain_text, which Slack does not parse.
func Build(msg *notify.Message) Payload {
	p := Payload{Text: escapeTruncate(msg.Subject, 3000), Blocks: []block{
		{Type: "header", Text: &text{Type: "plain_text", Text: truncate(msg.Subject, 150)}},
		{Type: "section", Text: &text{Type: "mrkdwn", Text: escapeTruncate(msg.Text, 3000)}},
	}}
	if len(msg.Links) > 0 {
		a := block{Type: "actions"}
		for i, l := range msg.Links {
			e := element{Type: "button", Text: text{Type: "plain_text", Text: l.Label}, URL: l.URL}
			if i == 0 {
				e.Style = "primary"
			}
			a.Elements = append(a.Elements, e)
		}
		p.Blocks = append(p.Blocks, a)
	}
	return p
}

// truncate keeps s within Slack's per-field limits, counted in runes.
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// escapeTruncate escapes s for mrkdwn within n runes of output, cutting
// between escapes, never inside one: half an entity would show as junk.
func escapeTruncate(s string, n int) string {
	e := notify.EscapeSlack(s)
	if utf8.RuneCountInString(e) <= n {
		return e
	}
	var b strings.Builder
	used := 0
	for _, r := range s {
		piece := notify.EscapeSlack(string(r))
		if used+utf8.RuneCountInString(piece) > n-1 {
			break
		}
		b.WriteString(piece)
		used += utf8.RuneCountInString(piece)
	}
	return b.String() + "…"
}

// Notify implements notify.Notifier. Slack answers 200 "ok"; 4xx such as
// 404 no_service or 410 channel_is_archived are permanent.
func (n *Notifier) Notify(ctx context.Context, msg *notify.Message) (bool, error) {
	body, err := json.Marshal(Build(msg))
	if err != nil {
		return false, fmt.Errorf("slack: %w", err)
	}
	req, err := notify.NewRequest(ctx, msg.To.Address, body)
	if err != nil {
		return false, fmt.Errorf("slack: %w", err)
	}
	if _, retry, err := notify.Send(n.client, req); err != nil {
		return retry, fmt.Errorf("slack: %w", err)
	}
	return false, nil
}
