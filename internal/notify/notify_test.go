package notify_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/notify"
)

func TestSendClassifies(t *testing.T) {
	tests := []struct {
		name       string
		status     int
		retryAfter string
		wantErr    bool
		wantRetry  bool
		wantAfter  time.Duration
	}{
		{"OK", 200, "", false, false, 0},
		{"Accepted", 202, "", false, false, 0},
		{"BadRequest", 400, "", true, false, 0},
		{"NotFound", 404, "", true, false, 0},
		{"Gone", 410, "", true, false, 0},
		{"TooManyRequests", 429, "", true, true, 0},
		{"TooManyRequestsRetryAfter", 429, "30", true, true, 30 * time.Second},
		{"Unavailable", 503, "7", true, true, 7 * time.Second},
		{"ServerError", 500, "", true, true, 0},
		{"BadGateway", 502, "", true, true, 0},
		{"RequestTimeout", 408, "", true, true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tt.retryAfter != "" {
					w.Header().Set("Retry-After", tt.retryAfter)
				}
				w.WriteHeader(tt.status)
				w.Write([]byte("answer"))
			}))
			defer srv.Close()
			req, err := notify.NewRequest(context.Background(), srv.URL, []byte(`{}`))
			if err != nil {
				t.Fatal(err)
			}
			_, retry, err := notify.Send(srv.Client(), req)
			if (err != nil) != tt.wantErr || retry != tt.wantRetry {
				t.Fatalf("got retry=%t err=%v, want retry=%t err=%t", retry, err, tt.wantRetry, tt.wantErr)
			}
			after, ok := notify.RetryAfter(err)
			if ok != (tt.wantAfter > 0) || after != tt.wantAfter {
				t.Errorf("Retry-After: got %s %t, want %s", after, ok, tt.wantAfter)
			}
		})
	}
	t.Run("ConnectionRefused", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		addr := srv.URL + "/hook?access_token=SECRET"
		srv.Close()
		req, _ := notify.NewRequest(context.Background(), addr, nil)
		_, retry, err := notify.Send(http.DefaultClient, req)
		if err == nil || !retry {
			t.Fatalf("got retry=%t err=%v, want a retryable error", retry, err)
		}
		if strings.Contains(err.Error(), "SECRET") {
			t.Errorf("error %q leaks the URL's credentials", err)
		}
	})
}

func TestVendorResult(t *testing.T) {
	tests := []struct {
		body      string
		wantErr   bool
		wantRetry bool
	}{
		{`{"errcode":0,"errmsg":"ok"}`, false, false},
		{`{"code":0,"msg":"success","data":{}}`, false, false},
		{`{"StatusCode":0,"StatusMessage":"success"}`, false, false},
		{`{"errcode":310000,"errmsg":"sign not match"}`, true, false},
		{`{"errcode":130101,"errmsg":"send too fast"}`, true, true},
		{`{"code":19021,"msg":"sign match fail"}`, true, false},
		{`not json`, true, true},
	}
	for _, tt := range tests {
		retry, err := notify.VendorResult([]byte(tt.body), 130101)
		if (err != nil) != tt.wantErr || retry != tt.wantRetry {
			t.Errorf("%s: got retry=%t err=%v, want retry=%t err=%t", tt.body, retry, err, tt.wantRetry, tt.wantErr)
		}
	}
}

func TestTemplates(t *testing.T) {
	inc := &notify.Incident{ID: 7, Number: "INC-7", Title: "支付失败", Severity: "P1", State: "triggered"}
	due := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name, locale string
		data         notify.Data
		subject      string
		textHas      []string
		links        []string
	}{
		{"page en", "en", notify.Data{Kind: warroom.NotifyPage, Incident: inc, Level: 2, AckURL: "https://w/a", ResolveURL: "https://w/r"},
			"[P1] INC-7 支付失败", []string{"escalation level 2", "triggered"}, []string{"Acknowledge", "Resolve"}},
		{"page zh", "zh-CN", notify.Data{Kind: warroom.NotifyPage, Incident: inc, Level: 1, AckURL: "https://w/a"},
			"[P1] INC-7 支付失败", []string{"第 1 级"}, []string{"确认"}},
		{"unknown locale falls back to English", "fr", notify.Data{Kind: warroom.NotifyPage, Incident: inc},
			"[P1] INC-7 支付失败", []string{"Acknowledge to stop"}, nil},
		{"manual page without incident", "en", notify.Data{Kind: warroom.NotifyPage, Text: "call me"},
			"Page from warroom", []string{"call me"}, nil},
		{"sla warning zh", "zh-CN", notify.Data{Kind: warroom.NotifySLAWarning, Incident: inc, Text: "resolve", Due: due},
			"[P1] INC-7：解决时限即将到期", []string{"80%", "2025-03-01 10:00 UTC"}, nil},
		{"sla breach en", "en", notify.Data{Kind: warroom.NotifySLABreach, Incident: inc, Text: "acknowledge", Due: due},
			"[P1] INC-7: acknowledge target breached", []string{"missed its acknowledge target"}, nil},
		{"verification", "en", notify.Data{Kind: warroom.NotifyVerification, Text: "123456"},
			"Your warroom verification code", []string{"123456"}, nil},
	}
	tpl, err := notify.LoadTemplates(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := tpl.Render(tt.locale, tt.data)
			if err != nil {
				t.Fatal(err)
			}
			if c.Subject != tt.subject {
				t.Errorf("subject: got %q, want %q", c.Subject, tt.subject)
			}
			for _, s := range tt.textHas {
				if !strings.Contains(c.Text, s) {
					t.Errorf("text %q lacks %q", c.Text, s)
				}
			}
			if len(c.Links) != len(tt.links) {
				t.Fatalf("links: got %+v, want %v", c.Links, tt.links)
			}
			for i, l := range tt.links {
				if c.Links[i].Label != l || !strings.Contains(c.HTML, c.Links[i].URL) {
					t.Errorf("link %d: got %+v, want label %q present in the HTML", i, c.Links[i], l)
				}
			}
		})
	}
	t.Run("override", func(t *testing.T) {
		o, err := notify.LoadTemplates(fstest.MapFS{"en.tmpl": {Data: []byte(`{{define "page.subject"}}PAGE {{.Incident.Number}}{{end}}`)}})
		if err != nil {
			t.Fatal(err)
		}
		c, err := o.Render("en", notify.Data{Kind: warroom.NotifyPage, Incident: inc})
		if err != nil {
			t.Fatal(err)
		}
		if c.Subject != "PAGE INC-7" || !strings.Contains(c.Text, "Acknowledge to stop") {
			t.Errorf("got %q / %q, want the overridden subject and the built-in text", c.Subject, c.Text)
		}
	})
	t.Run("bad override", func(t *testing.T) {
		if _, err := notify.LoadTemplates(fstest.MapFS{"zh-CN.tmpl": {Data: []byte(`{{define "x"}}`)}}); err == nil {
			t.Error("got no error for a broken template")
		}
	})
}

func TestRegistry(t *testing.T) {
	r := notify.NewRegistry()
	var stub notify.Stub
	r.Register(warroom.ContactSlack, &stub)
	if _, err := r.Notify(context.Background(), &notify.Message{To: notify.Destination{Type: warroom.ContactSlack}, Subject: "s"}); err != nil {
		t.Fatal(err)
	}
	if got := stub.Sent(); len(got) != 1 || got[0].Subject != "s" {
		t.Errorf("stub got %+v", got)
	}
	retry, err := r.Notify(context.Background(), &notify.Message{To: notify.Destination{Type: warroom.ContactWeCom}})
	if err == nil || retry {
		t.Errorf("unconfigured channel: got retry=%t err=%v, want a permanent error", retry, err)
	}
}
