// Package feishu posts notifications to a Feishu/Lark custom bot as a rich
// text ("post") message, signed with the bot's secret
// (https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot).
//
// The signature is base64(HMAC-SHA256(key = timestamp + "\n" + secret,
// message = "")), sent in the body with the timestamp in seconds; Feishu
// rejects timestamps more than an hour off.
package feishu

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/warroomhq/warroom/internal/notify"
)

// Feishu's rate-limit codes: a bot may send 100 messages a minute and 5 a
// second.
const (
	codeTooManyRequests = 9499
	codeFrequencyLimit  = 11232
)

// Notifier posts to Feishu custom bots.
type Notifier struct{ client *http.Client }

// New returns a notifier using client.
func New(client *http.Client) *Notifier { return &Notifier{client: client} }

// Sign returns the signature of timestamp (Unix seconds) with secret.
func Sign(timestamp int64, secret string) string {
	m := hmac.New(sha256.New, []byte(strconv.FormatInt(timestamp, 10)+"\n"+secret))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// Element is one piece of a rich-text line.
type Element struct {
	Tag  string `json:"tag"`
	Text string `json:"text"`
	Href string `json:"href,omitempty"`
}

// Post is a rich-text message in one language.
type Post struct {
	Title   string      `json:"title"`
	Content [][]Element `json:"content"`
}

// Payload is the custom bot body.
type Payload struct {
	Timestamp string `json:"timestamp,omitempty"`
	Sign      string `json:"sign,omitempty"`
	MsgType   string `json:"msg_type"`
	Content   struct {
		Post map[string]Post `json:"post"`
	} `json:"content"`
}

// Build returns the payload for msg, signed when a secret is set. Text
// elements are escaped like Markdown so that no <at> or @all in the text
// mentions anyone; warroom's links are "a" elements of their own.
func Build(msg *notify.Message) Payload {
	post := Post{Title: msg.Subject}
	for _, line := range strings.Split(notify.EscapeMarkdown(msg.Text), "\n") {
		post.Content = append(post.Content, []Element{{Tag: "text", Text: line}})
	}
	if len(msg.Links) > 0 {
		var links []Element
		for i, l := range msg.Links {
			if i > 0 {
				links = append(links, Element{Tag: "text", Text: "  "})
			}
			links = append(links, Element{Tag: "a", Text: l.Label, Href: l.URL})
		}
		post.Content = append(post.Content, links)
	}
	lang := "en_us"
	if msg.Locale == "zh-CN" {
		lang = "zh_cn"
	}
	p := Payload{MsgType: "post"}
	p.Content.Post = map[string]Post{lang: post}
	if msg.To.Secret != "" {
		ts := msg.At.Unix()
		p.Timestamp, p.Sign = strconv.FormatInt(ts, 10), Sign(ts, msg.To.Secret)
	}
	return p
}

// Notify implements notify.Notifier.
func (n *Notifier) Notify(ctx context.Context, msg *notify.Message) (bool, error) {
	body, err := json.Marshal(Build(msg))
	if err != nil {
		return false, fmt.Errorf("feishu: %w", err)
	}
	req, err := notify.NewRequest(ctx, msg.To.Address, body)
	if err != nil {
		return false, fmt.Errorf("feishu: %w", err)
	}
	resp, retry, err := notify.Send(n.client, req)
	if err != nil {
		return retry, fmt.Errorf("feishu: %w", err)
	}
	if retry, err := notify.VendorResult(resp, codeTooManyRequests, codeFrequencyLimit); err != nil {
		return retry, fmt.Errorf("feishu: %w", err)
	}
	return false, nil
}
