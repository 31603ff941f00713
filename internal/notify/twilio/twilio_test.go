package twilio_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
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
	"github.com/warroomhq/warroom/internal/notify/twilio"
)

const (
	sid   = "AC0123456789abcdef0123456789abcdef"
	token = "0123456789abcdef0123456789abcdef"
)

// fakeTwilio answers the Messages and Calls resources as Twilio documents
// them: basic auth with the Account SID and auth token, form-encoded
// parameters, 201 with the created resource, or 4xx with Twilio's error
// document.
type fakeTwilio struct {
	srv *httptest.Server

	mu    sync.Mutex
	sms   []url.Values
	calls []url.Values
	// busy makes the next answer a 429, as Twilio does over its
	// concurrency limit.
	busy bool
}

func newFakeTwilio(t *testing.T) *fakeTwilio {
	f := &fakeTwilio{}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func twilioError(w http.ResponseWriter, status, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"code": code, "message": msg, "more_info": fmt.Sprintf("https://www.twilio.com/docs/errors/%d", code), "status": status})
}

func (f *fakeTwilio) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	user, pass, ok := r.BasicAuth()
	if !ok || user != sid || pass != token {
		twilioError(w, http.StatusUnauthorized, 20003, "Authenticate")
		return
	}
	if f.busy {
		f.busy = false
		twilioError(w, http.StatusTooManyRequests, 20429, "Too Many Requests")
		return
	}
	if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
		twilioError(w, http.StatusBadRequest, 20001, "bad request")
		return
	}
	if err := r.ParseForm(); err != nil {
		twilioError(w, http.StatusBadRequest, 20001, err.Error())
		return
	}
	p := r.PostForm
	to := p.Get("To")
	if !strings.HasPrefix(to, "+") || len(to) < 8 {
		twilioError(w, http.StatusBadRequest, 21211, fmt.Sprintf("The 'To' number %s is not a valid phone number.", to))
		return
	}
	base := "/2010-04-01/Accounts/" + sid + "/"
	switch r.URL.Path {
	case base + "Messages.json":
		if p.Get("Body") == "" || (p.Get("From") == "") == (p.Get("MessagingServiceSid") == "") {
			twilioError(w, http.StatusBadRequest, 21602, "Message body is required.")
			return
		}
		f.sms = append(f.sms, p)
		w.WriteHeader(http.StatusCreated)
		json.NewEncoder(w).Encode(map[string]any{"sid": fmt.Sprintf("SM%032d", len(f.sms)), "status": "queued", "to": to, "body": p.Get("Body"), "price": nil, "error_code": nil})
	case base + "Calls.json":
		if p.Get("From") == "" || (p.Get("Twiml") == "") == (p.Get("Url") == "") {
			twilioError(w, http.StatusBadRequest, 21205, "Url or Twiml is required.")
			return
		}
		if err := xml.Unmarshal([]byte(p.Get("Twiml")), new(twilio.Response)); err != nil {
			twilioError(w, http.StatusBadRequest, 12100, "Document parse failure")
			return
		}
		f.calls = append(f.calls, p)
		w.WriteHeader(http.StatusCreated)
		json.NewEncoder(w).Encode(map[string]any{"sid": fmt.Sprintf("CA%032d", len(f.calls)), "status": "queued", "to": to})
	default:
		twilioError(w, http.StatusNotFound, 20404, "The requested resource was not found")
	}
}

func client(f *fakeTwilio, from string) *twilio.Client {
	return twilio.New(twilio.Config{AccountSID: sid, AuthToken: token, From: from, BaseURL: f.srv.URL, PublicURL: func() string { return "https://warroom.example" }},
		notify.MustParsePolicy("127.0.0.1").Client(5*time.Second))
}

func page(to string, locale string) *notify.Message {
	return &notify.Message{ID: 77, UserID: 5, Kind: warroom.NotifyPage, Locale: locale, Subject: "[P1] INC-42 checkout returns 502",
		To:       notify.Destination{Type: warroom.ContactSMS, Address: to},
		Incident: &notify.Incident{ID: 42, Number: "INC-42", Title: "checkout returns 502", Severity: "P1", State: "triggered", URL: "https://warroom.example/incidents/42"}}
}

func TestSMS(t *testing.T) {
	f := newFakeTwilio(t)
	n := client(f, "+14155550100").SMS()
	if retry, err := n.Notify(context.Background(), page("+8613812345678", "zh-CN")); err != nil || retry {
		t.Fatalf("got retry=%t err=%v", retry, err)
	}
	got := f.sms[0]
	want := "[P1] INC-42 checkout returns 502\n回复 1 确认，2 解决（多个事件时回复 1 42）。\nhttps://warroom.example/incidents/42"
	if got.Get("To") != "+8613812345678" || got.Get("From") != "+14155550100" || got.Get("Body") != want ||
		got.Get("StatusCallback") != "https://warroom.example/hooks/twilio/status?n=77" {
		t.Errorf("sent %v, want body %q", got, want)
	}
	t.Run("MessagingService", func(t *testing.T) {
		if _, err := client(f, "MG0123").SMS().Notify(context.Background(), page("+14155552671", "en")); err != nil {
			t.Fatal(err)
		}
		if got := f.sms[1]; got.Get("MessagingServiceSid") != "MG0123" || got.Get("From") != "" || !strings.Contains(got.Get("Body"), "Reply 1 to acknowledge") {
			t.Errorf("sent %v", got)
		}
	})
	t.Run("InvalidNumber", func(t *testing.T) {
		retry, err := n.Notify(context.Background(), page("12", "en"))
		if err == nil || retry || !strings.Contains(err.Error(), "21211") {
			t.Errorf("got retry=%t err=%v, want permanent 21211", retry, err)
		}
	})
	t.Run("TooManyRequests", func(t *testing.T) {
		f.busy = true
		if retry, err := n.Notify(context.Background(), page("+14155552671", "en")); err == nil || !retry {
			t.Errorf("got retry=%t err=%v, want retryable", retry, err)
		}
	})
	t.Run("WrongToken", func(t *testing.T) {
		bad := twilio.New(twilio.Config{AccountSID: sid, AuthToken: "wrong", From: "+14155550100", BaseURL: f.srv.URL}, notify.MustParsePolicy("127.0.0.1").Client(5*time.Second))
		retry, err := bad.SMS().Notify(context.Background(), page("+14155552671", "en"))
		if err == nil || retry || strings.Contains(err.Error(), "wrong") {
			t.Errorf("got retry=%t err=%v, want permanent without the token", retry, err)
		}
	})
}

func TestCall(t *testing.T) {
	f := newFakeTwilio(t)
	n := client(f, "+14155550100").Voice()
	if _, err := n.Notify(context.Background(), page("+8613812345678", "zh-CN")); err != nil {
		t.Fatal(err)
	}
	var doc twilio.Response
	if err := xml.Unmarshal([]byte(f.calls[0].Get("Twiml")), &doc); err != nil {
		t.Fatal(err)
	}
	g := doc.Gather
	if g == nil || g.NumDigits != 1 || g.Action != "https://warroom.example/hooks/twilio/voice?incident=42&user=5" || len(g.Says) == 0 ||
		g.Says[0].Language != "zh-CN" || g.Says[0].Text != "P1 INC-42 checkout returns 502" || !strings.Contains(g.Says[1].Text, "按 1 确认") {
		t.Errorf("twiml %s", f.calls[0].Get("Twiml"))
	}
	t.Run("Verification", func(t *testing.T) {
		msg := &notify.Message{Kind: warroom.NotifyVerification, Locale: "en", Text: "123456", To: notify.Destination{Address: "+14155552671"}}
		if _, err := n.Notify(context.Background(), msg); err != nil {
			t.Fatal(err)
		}
		var doc twilio.Response
		xml.Unmarshal([]byte(f.calls[1].Get("Twiml")), &doc)
		if doc.Gather != nil || len(doc.Says) < 2 || !strings.Contains(doc.Says[0].Text, "1, 2, 3, 4, 5, 6") {
			t.Errorf("twiml %s", f.calls[1].Get("Twiml"))
		}
	})
}

// twilioSign is the signature as Twilio's documentation describes it,
// written apart from the package's.
func twilioSign(authToken, u string, p url.Values) string {
	var keys []string
	for k := range p {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	s := u
	for _, k := range keys {
		s += k + p.Get(k)
	}
	m := hmac.New(sha1.New, []byte(authToken))
	m.Write([]byte(s))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

func TestSignature(t *testing.T) {
	// The example in Twilio's webhook security documentation.
	p := url.Values{"CallSid": {"CA1234567890ABCDE"}, "Caller": {"+12349013030"}, "Digits": {"1234"}, "From": {"+12349013030"}, "To": {"+18005551212"}}
	if got := twilio.Signature("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", p); got != "0/KCTR6DLpKmkAf8muzZqo1nDgQ=" {
		t.Errorf("got %s, want Twilio's documented 0/KCTR6DLpKmkAf8muzZqo1nDgQ=", got)
	}
}

// replies is a Replier that answers with what it was asked, so the test
// sees what the webhook passed on.
type replies struct {
	mu       sync.Mutex
	got      []notify.Reply
	receipts []notify.Receipt
}

func (r *replies) Reply(_ context.Context, rep notify.Reply) notify.Answer {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, rep)
	return notify.Answer{Text: "ok " + rep.Text, Language: "en-US"}
}

func (r *replies) Record(_ context.Context, rc notify.Receipt) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.receipts = append(r.receipts, rc)
	return nil
}

func TestWebhook(t *testing.T) {
	f := newFakeTwilio(t)
	rep := &replies{}
	h := twilio.NewHandler(client(f, "+14155550100"), rep, nil)
	post := func(path string, p url.Values, sig string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(p.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if sig != "" {
			r.Header.Set("X-Twilio-Signature", sig)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	sms := url.Values{"MessageSid": {"SM1"}, "AccountSid": {sid}, "From": {"+8613812345678"}, "To": {"+14155550100"}, "Body": {"确认"}}
	t.Run("SMS", func(t *testing.T) {
		w := post("/hooks/twilio/sms", sms, twilioSign(token, "https://warroom.example/hooks/twilio/sms", sms))
		if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "<Message>ok 确认</Message>") {
			t.Fatalf("got %d %s", w.Code, w.Body)
		}
		if got := rep.got[len(rep.got)-1]; got.Channel != "sms" || got.From != "+8613812345678" || got.Text != "确认" {
			t.Errorf("passed on %+v", got)
		}
	})
	t.Run("BadSignature", func(t *testing.T) {
		n := len(rep.got)
		for name, sig := range map[string]string{
			"missing":       "",
			"other token":   twilioSign("other", "https://warroom.example/hooks/twilio/sms", sms),
			"other url":     twilioSign(token, "https://evil.example/hooks/twilio/sms", sms),
			"changed field": twilioSign(token, "https://warroom.example/hooks/twilio/sms", url.Values{"From": {"+1"}, "Body": {"1"}}),
		} {
			if w := post("/hooks/twilio/sms", sms, sig); w.Code != http.StatusForbidden {
				t.Errorf("%s: got %d, want 403", name, w.Code)
			}
		}
		if len(rep.got) != n {
			t.Errorf("a refused request reached the replier")
		}
	})
	t.Run("Voice", func(t *testing.T) {
		p := url.Values{"CallSid": {"CA1"}, "From": {"+14155550100"}, "To": {"+8613812345678"}, "Digits": {"1"}}
		u := "https://warroom.example/hooks/twilio/voice?incident=42&user=5"
		w := post("/hooks/twilio/voice?incident=42&user=5", p, twilioSign(token, u, p))
		if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `<Say language="en-US">ok 1</Say>`) {
			t.Fatalf("got %d %s", w.Code, w.Body)
		}
		if got := rep.got[len(rep.got)-1]; got.Channel != "voice" || got.From != "+8613812345678" || got.IncidentID != 42 || got.UserID != 5 {
			t.Errorf("passed on %+v", got)
		}
		// The query is signed too: another incident is another URL.
		if w := post("/hooks/twilio/voice?incident=43&user=5", p, twilioSign(token, u, p)); w.Code != http.StatusForbidden {
			t.Errorf("changed query: got %d, want 403", w.Code)
		}
	})
	t.Run("Status", func(t *testing.T) {
		p := url.Values{"MessageSid": {"SM1"}, "MessageStatus": {"delivered"}, "Price": {"-0.00750"}, "PriceUnit": {"USD"}}
		u := "https://warroom.example/hooks/twilio/status?n=77"
		if w := post("/hooks/twilio/status?n=77", p, twilioSign(token, u, p)); w.Code != http.StatusNoContent {
			t.Fatalf("got %d %s", w.Code, w.Body)
		}
		want := notify.Receipt{NotificationID: 77, Provider: "twilio", ProviderID: "SM1", Status: "delivered", Price: "-0.00750", PriceUnit: "USD"}
		if got := rep.receipts[0]; got != want {
			t.Errorf("recorded %+v, want %+v", got, want)
		}
	})
}
