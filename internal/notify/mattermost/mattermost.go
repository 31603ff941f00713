// Package mattermost posts notifications to a Mattermost incoming webhook,
// which takes Slack-compatible JSON; the text is Markdown with the links
// inline (https://developers.mattermost.com/integrate/webhooks/incoming/).
package mattermost

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/warroomhq/warroom/internal/notify"
)

// Notifier posts to Mattermost incoming webhooks.
type Notifier struct{ client *http.Client }

// New returns a notifier using client.
func New(client *http.Client) *Notifier { return &Notifier{client: client} }

// Payload is the incoming-webhook body.
type Payload struct {
	Text string `json:"text"`
}

// Build returns the payload for msg: the subject and text escaped, then
// warroom's own links.
func Build(msg *notify.Message) Payload {
	var b strings.Builder
	// A line break in the subject would end the heading and start a block
	// of its own.
	b.WriteString("#### " + notify.EscapeMarkdown(strings.ReplaceAll(msg.Subject, "\n", " ")) + "\n")
	b.WriteString(notify.EscapeMarkdown(msg.Text))
	if len(msg.Links) > 0 {
		b.WriteString("\n\n")
		for i, l := range msg.Links {
			if i > 0 {
				b.WriteString(" · ")
			}
			fmt.Fprintf(&b, "[%s](%s)", notify.LinkLabel(l.Label), l.URL)
		}
	}
	return Payload{Text: b.String()}
}

// Notify implements notify.Notifier.
func (n *Notifier) Notify(ctx context.Context, msg *notify.Message) (bool, error) {
	body, err := json.Marshal(Build(msg))
	if err != nil {
		return false, fmt.Errorf("mattermost: %w", err)
	}
	req, err := notify.NewRequest(ctx, msg.To.Address, body)
	if err != nil {
		return false, fmt.Errorf("mattermost: %w", err)
	}
	if _, retry, err := notify.Send(n.client, req); err != nil {
		return retry, fmt.Errorf("mattermost: %w", err)
	}
	return false, nil
}
