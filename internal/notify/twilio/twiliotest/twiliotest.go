// Package twiliotest is a local Twilio for tests that go through the
// whole server: it answers the Messages and Calls resources as Twilio
// does (basic auth, form parameters, TwiML that must parse), keeps what
// reached each phone, and plays the phone's side back to warroom: an SMS
// reply to /hooks/twilio/sms and a key pressed in a call's <Gather>, each
// signed with X-Twilio-Signature as Twilio signs them.
package twiliotest

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/warroomhq/warroom/internal/notify/twilio"
)

// Server is a local Twilio account.
type Server struct {
	URL, AccountSID, AuthToken, From string

	t   testing.TB
	srv *httptest.Server

	mu    sync.Mutex
	sms   []SMS
	calls []Call
}

// SMS is a message that reached a phone.
type SMS struct {
	To, Body, StatusCallback string
}

// Call is a call that rang a phone, with what it said.
type Call struct {
	To             string
	TwiML          twilio.Response
	StatusCallback string
}

// Start runs the server until the test ends.
func Start(t testing.TB) *Server {
	s := &Server{AccountSID: "AC" + strings.Repeat("a1", 16), AuthToken: "twiliotest-auth-token-0123456789", From: "+14155550100", t: t}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	t.Cleanup(s.srv.Close)
	return s
}

func fail(w http.ResponseWriter, status, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"code": code, "message": msg, "status": status})
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	user, pass, ok := r.BasicAuth()
	if !ok || user != s.AccountSID || pass != s.AuthToken {
		fail(w, http.StatusUnauthorized, 20003, "Authenticate")
		return
	}
	if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" || r.ParseForm() != nil {
		fail(w, http.StatusBadRequest, 20001, "bad request")
		return
	}
	p := r.PostForm
	if p.Get("From") != s.From || !strings.HasPrefix(p.Get("To"), "+") {
		fail(w, http.StatusBadRequest, 21211, "The 'To' number is not a valid phone number.")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	base := "/2010-04-01/Accounts/" + s.AccountSID + "/"
	switch r.URL.Path {
	case base + "Messages.json":
		if p.Get("Body") == "" {
			fail(w, http.StatusBadRequest, 21602, "Message body is required.")
			return
		}
		s.sms = append(s.sms, SMS{To: p.Get("To"), Body: p.Get("Body"), StatusCallback: p.Get("StatusCallback")})
		w.WriteHeader(http.StatusCreated)
		json.NewEncoder(w).Encode(map[string]any{"sid": fmt.Sprintf("SM%032d", len(s.sms)), "status": "queued"})
	case base + "Calls.json":
		var doc twilio.Response
		if err := xml.Unmarshal([]byte(p.Get("Twiml")), &doc); err != nil {
			fail(w, http.StatusBadRequest, 12100, "Document parse failure")
			return
		}
		s.calls = append(s.calls, Call{To: p.Get("To"), TwiML: doc, StatusCallback: p.Get("StatusCallback")})
		w.WriteHeader(http.StatusCreated)
		json.NewEncoder(w).Encode(map[string]any{"sid": fmt.Sprintf("CA%032d", len(s.calls)), "status": "queued"})
	default:
		fail(w, http.StatusNotFound, 20404, "The requested resource was not found")
	}
}

// SMSTo returns the messages that reached number, oldest first.
func (s *Server) SMSTo(number string) []SMS {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []SMS
	for _, m := range s.sms {
		if m.To == number {
			out = append(out, m)
		}
	}
	return out
}

// CallsTo returns the calls that rang number, oldest first.
func (s *Server) CallsTo(number string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if c.To == number {
			out = append(out, c)
		}
	}
	return out
}

// Sign is X-Twilio-Signature for a request to fullURL with params, as
// Twilio's documentation describes it.
func Sign(authToken, fullURL string, params url.Values) string {
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	b := []byte(fullURL)
	for _, k := range keys {
		for _, v := range params[k] {
			b = append(b, k+v...)
		}
	}
	m := hmac.New(sha1.New, []byte(authToken))
	m.Write(b)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// post sends a signed webhook and returns the status and TwiML answer.
func (s *Server) post(fullURL string, p url.Values) (int, twilio.Response) {
	s.t.Helper()
	req, err := http.NewRequest(http.MethodPost, fullURL, strings.NewReader(p.Encode()))
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Twilio-Signature", Sign(s.AuthToken, fullURL, p))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var doc twilio.Response
	if resp.StatusCode == http.StatusOK {
		if err := xml.Unmarshal(body, &doc); err != nil {
			s.t.Fatalf("answer is not TwiML: %v: %s", err, body)
		}
	}
	return resp.StatusCode, doc
}

// Reply sends an SMS from number to warroom's inbound webhook at base
// (its public URL) and returns the status and the TwiML answer.
func (s *Server) Reply(base, from, body string) (int, twilio.Response) {
	s.t.Helper()
	return s.post(strings.TrimRight(base, "/")+"/hooks/twilio/sms", url.Values{"MessageSid": {"SMreply"}, "AccountSid": {s.AccountSID},
		"From": {from}, "To": {s.From}, "Body": {body}})
}

// Press presses digits in call c's <Gather>, as the called phone.
func (s *Server) Press(c Call, digits string) (int, twilio.Response) {
	s.t.Helper()
	if c.TwiML.Gather == nil {
		s.t.Fatalf("the call to %s takes no keys", c.To)
	}
	return s.post(c.TwiML.Gather.Action, url.Values{"CallSid": {"CAcall"}, "AccountSid": {s.AccountSID}, "From": {s.From}, "To": {c.To}, "Digits": {digits}})
}

// Report posts a status callback for a message or call, as Twilio does
// when its state changes.
func (s *Server) Report(callback string, p url.Values) int {
	s.t.Helper()
	code, _ := s.post(callback, p)
	return code
}
