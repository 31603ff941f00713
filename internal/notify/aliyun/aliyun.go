// Package aliyun sends SMS (短信服务, dysmsapi SendSms) and text-to-speech
// voice notifications (语音服务, dyvmsapi SingleCallByTts) through Alibaba
// Cloud. Both are RPC APIs: the parameters, common and own, are POSTed
// form-encoded with SignatureMethod HMAC-SHA1, SignatureVersion 1.0 and a
// fresh SignatureNonce, and Signature = base64(HMAC-SHA1(key =
// AccessKeySecret + "&", "POST&%2F&" + percentEncode(the parameters
// sorted by name, each name=value percent-encoded, joined by "&"))), where
// percent-encoding leaves only A-Z a-z 0-9 - _ . ~ unencoded
// (https://help.aliyun.com/document_detail/315526.html).
//
// Mainland China sends only approved templates: a page fills the page
// template's ${incident}, ${severity} and ${title}, a verification code
// the code template's ${code}. Alibaba's SMS takes no replies here and its
// TTS call takes no keys, so an SMS carries no reply instructions and a
// call is a wake-up: people acknowledge with the link or through another
// provider's SMS.
package aliyun

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/notify"
)

// Endpoints of the two products.
const (
	SMSEndpoint   = "https://dysmsapi.aliyuncs.com"
	VoiceEndpoint = "https://dyvmsapi.aliyuncs.com"
)

// Templates are the approved template codes of one product.
type Templates struct {
	// Page is used for pages, SLA notices and tests; Code for
	// verification codes.
	Page, Code string
}

// Config is one Alibaba Cloud account.
type Config struct {
	AccessKeyID string
	// AccessKeySecret signs requests; a credential, never logged.
	AccessKeySecret string
	// SignName is the approved SMS signature (短信签名), e.g. "warroom".
	SignName string
	SMS      Templates
	Voice    Templates
	// CalledShowNumber is the number calls show, empty for the public pool.
	CalledShowNumber string
	// SMSEndpoint and VoiceEndpoint override the APIs (tests).
	SMSEndpoint, VoiceEndpoint string
}

// Client sends through one account.
type Client struct {
	cfg  Config
	http *http.Client
	// now is the clock of signature timestamps.
	now func() time.Time
}

// New returns a client using httpClient.
func New(cfg Config, httpClient *http.Client) *Client {
	if cfg.SMSEndpoint == "" {
		cfg.SMSEndpoint = SMSEndpoint
	}
	if cfg.VoiceEndpoint == "" {
		cfg.VoiceEndpoint = VoiceEndpoint
	}
	return &Client{cfg: cfg, http: httpClient, now: time.Now}
}

// Validate checks the account settings for the products configured.
func (c Config) Validate() error {
	switch {
	case c.AccessKeyID == "" || c.AccessKeySecret == "":
		return fmt.Errorf("access key ID and secret are required")
	case c.SMS.Page != "" && (c.SignName == "" || c.SMS.Code == ""):
		return fmt.Errorf("SMS needs a sign name and both a page and a code template")
	case c.Voice.Page != "" && c.Voice.Code == "":
		return fmt.Errorf("voice needs both a page and a code template")
	case c.SMS.Page == "" && c.Voice.Page == "":
		return fmt.Errorf("configure SMS or voice templates")
	}
	return nil
}

// PercentEncode is Alibaba's encoding of names and values.
func PercentEncode(s string) string {
	return strings.NewReplacer("+", "%20", "*", "%2A", "%7E", "~").Replace(url.QueryEscape(s))
}

// Sign returns the Signature parameter of a request with params (which
// must not hold Signature) by method.
func Sign(method, secret string, params url.Values) string {
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	pairs := make([]string, 0, len(keys))
	for _, k := range keys {
		pairs = append(pairs, PercentEncode(k)+"="+PercentEncode(params.Get(k)))
	}
	toSign := method + "&" + PercentEncode("/") + "&" + PercentEncode(strings.Join(pairs, "&"))
	m := hmac.New(sha1.New, []byte(secret+"&"))
	m.Write([]byte(toSign))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// SMS returns the SMS notifier, nil without SMS templates.
func (c *Client) SMS() notify.Notifier {
	if c.cfg.SMS.Page == "" {
		return nil
	}
	return notify.NotifierFunc(c.sendSMS)
}

// Voice returns the voice notifier, nil without voice templates.
func (c *Client) Voice() notify.Notifier {
	if c.cfg.Voice.Page == "" {
		return nil
	}
	return notify.NotifierFunc(c.call)
}

// number is how Alibaba wants a number: mainland numbers without +86,
// others as country code and number without +.
func number(e164 string) string {
	if strings.HasPrefix(e164, "+86") {
		return strings.TrimPrefix(e164, "+86")
	}
	return strings.TrimPrefix(e164, "+")
}

// params returns the template and its values for msg.
func params(t Templates, msg *notify.Message) (string, string) {
	v := map[string]string{}
	code := t.Page
	switch {
	case msg.Kind == warroom.NotifyVerification:
		code = t.Code
		v["code"] = codeIn(msg.Text)
	case msg.Incident != nil:
		// Template variables are short: Alibaba rejects long values.
		v["incident"], v["severity"], v["title"] = msg.Incident.Number, msg.Incident.Severity, cut(msg.Incident.Title, 30)
	default:
		v["incident"], v["severity"], v["title"] = "-", "-", cut(msg.Subject, 30)
	}
	b, _ := json.Marshal(v)
	return code, string(b)
}

func codeIn(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else if b.Len() >= 4 {
			break
		} else {
			b.Reset()
		}
	}
	return b.String()
}

func cut(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// SMSParams are SendSms's own parameters for msg.
func (c *Client) SMSParams(msg *notify.Message) url.Values {
	tpl, vals := params(c.cfg.SMS, msg)
	return url.Values{"Action": {"SendSms"}, "Version": {"2017-05-25"}, "PhoneNumbers": {number(msg.To.Address)},
		"SignName": {c.cfg.SignName}, "TemplateCode": {tpl}, "TemplateParam": {vals}, "OutId": {fmt.Sprint(msg.ID)}}
}

func (c *Client) sendSMS(ctx context.Context, msg *notify.Message) (bool, error) {
	retry, err := c.post(ctx, c.cfg.SMSEndpoint, c.SMSParams(msg))
	if err != nil {
		return retry, fmt.Errorf("aliyun sms: %w", err)
	}
	return false, nil
}

// VoiceParams are SingleCallByTts's own parameters for msg.
func (c *Client) VoiceParams(msg *notify.Message) url.Values {
	tpl, vals := params(c.cfg.Voice, msg)
	p := url.Values{"Action": {"SingleCallByTts"}, "Version": {"2017-05-25"}, "CalledNumber": {number(msg.To.Address)},
		"TtsCode": {tpl}, "TtsParam": {vals}, "PlayTimes": {"2"}, "OutId": {fmt.Sprint(msg.ID)}}
	if c.cfg.CalledShowNumber != "" {
		p.Set("CalledShowNumber", c.cfg.CalledShowNumber)
	}
	return p
}

func (c *Client) call(ctx context.Context, msg *notify.Message) (bool, error) {
	if !strings.HasPrefix(msg.To.Address, "+86") {
		// Alibaba's voice notifications reach mainland numbers only.
		return false, fmt.Errorf("aliyun voice: only +86 numbers can be called")
	}
	retry, err := c.post(ctx, c.cfg.VoiceEndpoint, c.VoiceParams(msg))
	if err != nil {
		return retry, fmt.Errorf("aliyun voice: %w", err)
	}
	return false, nil
}

// retryable are the answer codes of throttling: trying later may pass.
var retryable = map[string]bool{"Throttling": true, "Throttling.User": true, "isv.BUSINESS_LIMIT_CONTROL": true, "ServiceUnavailable": true}

// post adds the common parameters, signs and sends, and reads the answer
// {"Code": "OK", "Message", "RequestId", …}.
func (c *Client) post(ctx context.Context, endpoint string, p url.Values) (bool, error) {
	nonce := make([]byte, 16)
	rand.Read(nonce)
	p.Set("AccessKeyId", c.cfg.AccessKeyID)
	p.Set("Format", "JSON")
	p.Set("RegionId", "cn-hangzhou")
	p.Set("SignatureMethod", "HMAC-SHA1")
	p.Set("SignatureVersion", "1.0")
	p.Set("SignatureNonce", hex.EncodeToString(nonce))
	p.Set("Timestamp", c.now().UTC().Format("2006-01-02T15:04:05Z"))
	p.Set("Signature", Sign(http.MethodPost, c.cfg.AccessKeySecret, p))
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(endpoint, "/")+"/", strings.NewReader(p.Encode()))
	if err != nil {
		return false, fmt.Errorf("request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("User-Agent", "warroom")
	body, retry, sendErr := notify.Send(c.http, req)
	var a struct{ Code, Message string }
	if json.Unmarshal(body, &a) == nil && a.Code != "" {
		if a.Code == "OK" && sendErr == nil {
			return false, nil
		}
		return retry || retryable[a.Code], fmt.Errorf("%s: %s", a.Code, a.Message)
	}
	if sendErr != nil {
		return retry, sendErr
	}
	return true, fmt.Errorf("unreadable answer")
}
