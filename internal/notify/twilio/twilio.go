// Package twilio sends SMS and voice calls through Twilio's REST API and
// serves the webhooks Twilio calls back: inbound SMS replies, the key
// pressed in a call, and delivery status.
//
// Requests are form-encoded POSTs to /2010-04-01/Accounts/{AccountSid}/
// Messages.json and Calls.json with HTTP basic auth (Account SID, auth
// token). A call carries its TwiML inline: <Say> in the recipient's
// language inside <Gather numDigits="1">, whose action comes back to
// warroom. Every webhook is checked against X-Twilio-Signature, the
// base64 HMAC-SHA1, keyed with the auth token, of the URL Twilio called
// followed by each POST parameter's name and value sorted by name
// (https://www.twilio.com/docs/usage/webhooks/webhooks-security), before
// any of it is read.
package twilio

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/warroomhq/warroom/internal/notify"
)

// DefaultBaseURL is Twilio's REST API.
const DefaultBaseURL = "https://api.twilio.com"

// codeTooManyRequests is Twilio's rate-limit error; 429 is retried by
// notify.Send already, this is for the same code in a 400.
const codeTooManyRequests = 20429

// Config is one Twilio account.
type Config struct {
	AccountSID string
	// AuthToken authenticates requests and keys webhook signatures. It is
	// a credential: never logged, never shown.
	AuthToken string
	// From is the sending number in E.164, or for SMS a Messaging Service
	// SID (MG…).
	From string
	// BaseURL is the REST API; empty means DefaultBaseURL.
	BaseURL string
	// PublicURL returns warroom's external address, under which Twilio
	// calls back (/hooks/twilio/…); it is a function because a server
	// learns its own address only once it listens.
	PublicURL func() string
}

// Validate checks the account settings.
func (c Config) Validate() error {
	switch {
	case !strings.HasPrefix(c.AccountSID, "AC") || len(c.AccountSID) != 34:
		return fmt.Errorf("account SID must be the 34-character AC… identifier")
	case c.AuthToken == "":
		return fmt.Errorf("auth token is required")
	case c.From == "":
		return fmt.Errorf("from number is required")
	}
	return nil
}

// Client is a Twilio account's SMS and voice notifiers.
type Client struct {
	cfg  Config
	http *http.Client
}

// New returns a client sending with httpClient.
func New(cfg Config, httpClient *http.Client) *Client {
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	return &Client{cfg: cfg, http: httpClient}
}

// SMS returns the SMS notifier.
func (c *Client) SMS() notify.Notifier { return notify.NotifierFunc(c.sendSMS) }

// Voice returns the voice-call notifier.
func (c *Client) Voice() notify.Notifier { return notify.NotifierFunc(c.call) }

func (c *Client) public() string {
	if c.cfg.PublicURL == nil {
		return ""
	}
	return strings.TrimRight(c.cfg.PublicURL(), "/")
}

// statusURL is where Twilio reports the outcome of notification id.
func (c *Client) statusURL(id int64) string {
	return c.public() + "/hooks/twilio/status?n=" + strconv.FormatInt(id, 10)
}

// SMSForm is the Messages resource request for msg.
func (c *Client) SMSForm(msg *notify.Message) url.Values {
	f := url.Values{"To": {msg.To.Address}, "Body": {notify.SMSBody(msg)}}
	if strings.HasPrefix(c.cfg.From, "MG") {
		f.Set("MessagingServiceSid", c.cfg.From)
	} else {
		f.Set("From", c.cfg.From)
	}
	if c.public() != "" && msg.ID > 0 {
		f.Set("StatusCallback", c.statusURL(msg.ID))
	}
	return f
}

func (c *Client) sendSMS(ctx context.Context, msg *notify.Message) (bool, error) {
	retry, err := c.post(ctx, "Messages.json", c.SMSForm(msg))
	if err != nil {
		return retry, fmt.Errorf("twilio sms: %w", err)
	}
	return false, nil
}

// CallForm is the Calls resource request for msg, its TwiML inline.
func (c *Client) CallForm(msg *notify.Message) (url.Values, error) {
	twiml, err := c.CallTwiML(msg)
	if err != nil {
		return nil, err
	}
	f := url.Values{"To": {msg.To.Address}, "From": {c.cfg.From}, "Twiml": {twiml}}
	if c.public() != "" && msg.ID > 0 {
		f.Set("StatusCallback", c.statusURL(msg.ID))
	}
	return f, nil
}

// CallTwiML is what a call says: the message in the recipient's language,
// and when the incident can still be acknowledged a one-key <Gather>
// whose action names the incident and the recipient. The action URL needs
// no signature of its own: Twilio signs its request to it with the auth
// token, over the whole URL.
func (c *Client) CallTwiML(msg *notify.Message) (string, error) {
	s := notify.SpeechFor(msg)
	r := Response{}
	say := &Say{Language: s.Language, Text: s.Text}
	if s.Prompt != "" && msg.Incident != nil && c.public() != "" {
		action := c.public() + "/hooks/twilio/voice?" + url.Values{
			"incident": {strconv.FormatInt(msg.Incident.ID, 10)}, "user": {strconv.FormatInt(msg.UserID, 10)}}.Encode()
		r.Gather = &Gather{NumDigits: 1, Action: action, Method: http.MethodPost, Timeout: 8,
			Says: []Say{*say, {Language: s.Language, Text: s.Prompt}, {Language: s.Language, Text: s.Prompt}}}
	} else {
		// Read twice: the first time the person is still waking up.
		r.Says = []Say{*say, *say}
	}
	r.Says = append(r.Says, Say{Language: s.Language, Text: s.Goodbye})
	return r.Marshal()
}

func (c *Client) call(ctx context.Context, msg *notify.Message) (bool, error) {
	f, err := c.CallForm(msg)
	if err != nil {
		return false, fmt.Errorf("twilio call: %w", err)
	}
	retry, err := c.post(ctx, "Calls.json", f)
	if err != nil {
		return retry, fmt.Errorf("twilio call: %w", err)
	}
	return false, nil
}

// post sends a form to an account resource and reads Twilio's error
// document ({"code", "message", "status"}) on failure.
func (c *Client) post(ctx context.Context, resource string, form url.Values) (bool, error) {
	u := c.cfg.BaseURL + "/2010-04-01/Accounts/" + url.PathEscape(c.cfg.AccountSID) + "/" + resource
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		return false, fmt.Errorf("request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "warroom")
	req.SetBasicAuth(c.cfg.AccountSID, c.cfg.AuthToken)
	body, retry, err := notify.Send(c.http, req)
	if err != nil {
		var e struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		}
		if json.Unmarshal(body, &e) == nil && e.Code != 0 {
			return retry || e.Code == codeTooManyRequests, fmt.Errorf("error %d: %s", e.Code, e.Message)
		}
		return retry, err
	}
	return false, nil
}

// Response is a TwiML document.
type Response struct {
	XMLName  xml.Name `xml:"Response"`
	Gather   *Gather  `xml:"Gather,omitempty"`
	Says     []Say    `xml:"Say"`
	Messages []string `xml:"Message"`
}

// Gather collects key presses while its <Say>s play.
type Gather struct {
	NumDigits int    `xml:"numDigits,attr"`
	Action    string `xml:"action,attr"`
	Method    string `xml:"method,attr"`
	Timeout   int    `xml:"timeout,attr"`
	Says      []Say  `xml:"Say"`
}

// Say is text read by text-to-speech.
type Say struct {
	Language string `xml:"language,attr,omitempty"`
	Text     string `xml:",chardata"`
}

// Marshal returns the document with its XML declaration.
func (r Response) Marshal() (string, error) {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	if err := xml.NewEncoder(&b).Encode(r); err != nil {
		return "", fmt.Errorf("twiml: %w", err)
	}
	return b.String(), nil
}
