// Package teams posts notifications to a Microsoft Teams channel through a
// Workflows (Power Automate) webhook as an Adaptive Card, the format that
// replaced Office 365 connectors
// (https://learn.microsoft.com/en-us/connectors/teams/#microsoft-teams-webhook).
package teams

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/warroomhq/warroom/internal/notify"
)

// Notifier posts to Teams workflow webhooks.
type Notifier struct{ client *http.Client }

// New returns a notifier using client.
func New(client *http.Client) *Notifier { return &Notifier{client: client} }

// Card is an Adaptive Card.
type Card struct {
	Schema  string       `json:"$schema"`
	Type    string       `json:"type"`
	Version string       `json:"version"`
	Body    []TextBlock  `json:"body"`
	Actions []OpenURLAct `json:"actions,omitempty"`
}

// TextBlock is a card's text element.
type TextBlock struct {
	Type   string `json:"type"`
	Text   string `json:"text"`
	Wrap   bool   `json:"wrap"`
	Weight string `json:"weight,omitempty"`
	Size   string `json:"size,omitempty"`
}

// OpenURLAct is a button that opens a URL.
type OpenURLAct struct {
	Type  string `json:"type"`
	Title string `json:"title"`
	URL   string `json:"url"`
}

// Attachment carries the card.
type Attachment struct {
	ContentType string  `json:"contentType"`
	ContentURL  *string `json:"contentUrl"`
	Content     Card    `json:"content"`
}

// Payload is the workflow webhook body.
type Payload struct {
	Type        string       `json:"type"`
	Attachments []Attachment `json:"attachments"`
}

// Build returns the payload for msg. TextBlocks render Markdown links, so
// the subject and text are escaped; warroom's links are card actions.
func Build(msg *notify.Message) Payload {
	c := Card{
		Schema: "http://adaptivecards.io/schemas/adaptive-card.json", Type: "AdaptiveCard", Version: "1.4",
		Body: []TextBlock{
			{Type: "TextBlock", Text: notify.EscapeMarkdown(msg.Subject), Wrap: true, Weight: "Bolder", Size: "Medium"},
			{Type: "TextBlock", Text: notify.EscapeMarkdown(msg.Text), Wrap: true},
		},
	}
	for _, l := range msg.Links {
		c.Actions = append(c.Actions, OpenURLAct{Type: "Action.OpenUrl", Title: l.Label, URL: l.URL})
	}
	return Payload{Type: "message", Attachments: []Attachment{{ContentType: "application/vnd.microsoft.card.adaptive", Content: c}}}
}

// Notify implements notify.Notifier. Workflows answer 202 Accepted.
func (n *Notifier) Notify(ctx context.Context, msg *notify.Message) (bool, error) {
	body, err := json.Marshal(Build(msg))
	if err != nil {
		return false, fmt.Errorf("teams: %w", err)
	}
	req, err := notify.NewRequest(ctx, msg.To.Address, body)
	if err != nil {
		return false, fmt.Errorf("teams: %w", err)
	}
	if _, retry, err := notify.Send(n.client, req); err != nil {
		return retry, fmt.Errorf("teams: %w", err)
	}
	return false, nil
}
