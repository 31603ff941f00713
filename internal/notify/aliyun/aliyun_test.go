package aliyun_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/notify"
	"github.com/warroomhq/warroom/internal/notify/aliyun"
)

const (
	keyID  = "LTAI5tTestKeyID"
	secret = "TestAccessKeySecret0123456789"
)

// encode is Alibaba's table: A-Z a-z 0-9 - _ . ~ as they are, every other
// byte as %XY, written apart from the package's.
func encode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// fakeAliyun checks requests as the RPC gateway does and answers as
// dysmsapi and dyvmsapi do.
type fakeAliyun struct {
	srv    *httptest.Server
	action string
	mu     sync.Mutex
	nonces map[string]bool
	got    []url.Values
	answer string
}

func newFake(t *testing.T, action string) *fakeAliyun {
	f := &fakeAliyun{action: action, nonces: map[string]bool{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeAliyun) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	answer := func(status int, code, msg string) {
		w.Header().Set("Content-Type", "application/json;charset=utf-8")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(map[string]string{"Code": code, "Message": msg, "RequestId": "8906582E-6722-4C0B-B9AA-2C5C7BA08BBC", "BizId": "900619746936498440^0"})
	}
	if r.ParseForm() != nil {
		answer(400, "InvalidParameter", "bad form")
		return
	}
	p := r.PostForm
	if p.Get("AccessKeyId") != keyID {
		answer(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
		return
	}
	var keys []string
	for k := range p {
		if k != "Signature" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var pairs []string
	for _, k := range keys {
		pairs = append(pairs, encode(k)+"="+encode(p.Get(k)))
	}
	m := hmac.New(sha1.New, []byte(secret+"&"))
	m.Write([]byte(r.Method + "&" + encode("/") + "&" + encode(strings.Join(pairs, "&"))))
	if p.Get("SignatureMethod") != "HMAC-SHA1" || p.Get("SignatureVersion") != "1.0" || p.Get("Signature") != base64.StdEncoding.EncodeToString(m.Sum(nil)) {
		answer(400, "SignatureDoesNotMatch", "Specified signature is not matched with our calculation.")
		return
	}
	ts, err := time.Parse("2006-01-02T15:04:05Z", p.Get("Timestamp"))
	if err != nil || time.Since(ts).Abs() > 15*time.Minute {
		answer(400, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired.")
		return
	}
	if f.nonces[p.Get("SignatureNonce")] {
		answer(400, "SignatureNonceUsed", "Specified signature nonce was used already.")
		return
	}
	f.nonces[p.Get("SignatureNonce")] = true
	if p.Get("Action") != f.action || p.Get("Version") != "2017-05-25" || p.Get("Format") != "JSON" {
		answer(400, "InvalidAction", "Specified api is not found.")
		return
	}
	f.got = append(f.got, p)
	if f.answer != "" {
		answer(200, f.answer, "limit")
		return
	}
	answer(200, "OK", "OK")
}

func TestSign(t *testing.T) {
	// The worked example of Alibaba's RPC signature documentation.
	p := url.Values{"AccessKeyId": {"testid"}, "Action": {"DescribeRegions"}, "Format": {"XML"}, "SignatureMethod": {"HMAC-SHA1"},
		"SignatureNonce": {"3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"}, "SignatureVersion": {"1.0"}, "Timestamp": {"2016-02-23T12:46:24Z"}, "Version": {"2014-05-26"}}
	if got := aliyun.Sign("GET", "testsecret", p); got != "OLeaidS1JvxuMvnyHOwuJ+uX5qY=" {
		t.Errorf("got %s, want the documented OLeaidS1JvxuMvnyHOwuJ+uX5qY=", got)
	}
	if got := aliyun.PercentEncode("a b*c~d/é"); got != encode("a b*c~d/é") {
		t.Errorf("PercentEncode = %s, want %s", got, encode("a b*c~d/é"))
	}
}

func page(to string) *notify.Message {
	return &notify.Message{ID: 9, Kind: warroom.NotifyPage, Locale: "zh-CN", Subject: "[P1] INC-42 支付失败",
		To:       notify.Destination{Address: to},
		Incident: &notify.Incident{ID: 42, Number: "INC-42", Title: "支付失败，订单无法提交，影响所有用户的结账流程与退款，客服电话已被打爆", Severity: "P1", State: "triggered"}}
}

func TestSMS(t *testing.T) {
	f := newFake(t, "SendSms")
	c := aliyun.New(aliyun.Config{AccessKeyID: keyID, AccessKeySecret: secret, SignName: "warroom", SMS: aliyun.Templates{Page: "SMS_100", Code: "SMS_200"},
		SMSEndpoint: f.srv.URL}, notify.MustParsePolicy("127.0.0.1").Client(5*time.Second))
	if retry, err := c.SMS().Notify(context.Background(), page("+8613812345678")); err != nil || retry {
		t.Fatalf("retry=%t err=%v", retry, err)
	}
	got := f.got[0]
	var vals map[string]string
	json.Unmarshal([]byte(got.Get("TemplateParam")), &vals)
	if got.Get("PhoneNumbers") != "13812345678" || got.Get("SignName") != "warroom" || got.Get("TemplateCode") != "SMS_100" ||
		vals["incident"] != "INC-42" || vals["severity"] != "P1" || len([]rune(vals["title"])) != 30 {
		t.Errorf("sent %v", got)
	}
	t.Run("Verification", func(t *testing.T) {
		msg := &notify.Message{Kind: warroom.NotifyVerification, Text: "您的 warroom 验证码是 042917，15 分钟内有效。", To: notify.Destination{Address: "+85261234567"}}
		if _, err := c.SMS().Notify(context.Background(), msg); err != nil {
			t.Fatal(err)
		}
		if got := f.got[1]; got.Get("TemplateCode") != "SMS_200" || got.Get("TemplateParam") != `{"code":"042917"}` || got.Get("PhoneNumbers") != "85261234567" {
			t.Errorf("sent %v", got)
		}
	})
	t.Run("WrongSecret", func(t *testing.T) {
		bad := aliyun.New(aliyun.Config{AccessKeyID: keyID, AccessKeySecret: "wrong", SignName: "w", SMS: aliyun.Templates{Page: "S", Code: "C"}, SMSEndpoint: f.srv.URL},
			notify.MustParsePolicy("127.0.0.1").Client(5*time.Second))
		retry, err := bad.SMS().Notify(context.Background(), page("+8613812345678"))
		if err == nil || retry || !strings.Contains(err.Error(), "SignatureDoesNotMatch") {
			t.Errorf("retry=%t err=%v", retry, err)
		}
	})
	t.Run("BusinessLimit", func(t *testing.T) {
		f.answer = "isv.BUSINESS_LIMIT_CONTROL"
		defer func() { f.answer = "" }()
		if retry, err := c.SMS().Notify(context.Background(), page("+8613812345678")); err == nil || !retry {
			t.Errorf("retry=%t err=%v, want retryable", retry, err)
		}
	})
}

func TestVoice(t *testing.T) {
	f := newFake(t, "SingleCallByTts")
	c := aliyun.New(aliyun.Config{AccessKeyID: keyID, AccessKeySecret: secret, Voice: aliyun.Templates{Page: "TTS_1", Code: "TTS_2"}, CalledShowNumber: "057100000000",
		VoiceEndpoint: f.srv.URL}, notify.MustParsePolicy("127.0.0.1").Client(5*time.Second))
	if _, err := c.Voice().Notify(context.Background(), page("+8613812345678")); err != nil {
		t.Fatal(err)
	}
	if got := f.got[0]; got.Get("CalledNumber") != "13812345678" || got.Get("TtsCode") != "TTS_1" || got.Get("CalledShowNumber") != "057100000000" {
		t.Errorf("sent %v", got)
	}
	if retry, err := c.Voice().Notify(context.Background(), page("+14155552671")); err == nil || retry {
		t.Errorf("call outside mainland: retry=%t err=%v, want permanent", retry, err)
	}
}
