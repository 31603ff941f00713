package notify_test

import (
	"strings"
	"testing"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/notify"
)

func TestParseReply(t *testing.T) {
	for _, tc := range []struct {
		in     string
		action notify.ReplyAction
		id     int64
		ok     bool
	}{
		{"1", notify.ReplyAcknowledge, 0, true},
		{" ACK ", notify.ReplyAcknowledge, 0, true},
		{"确认", notify.ReplyAcknowledge, 0, true},
		{"1 42", notify.ReplyAcknowledge, 42, true},
		{"ack INC-42", notify.ReplyAcknowledge, 42, true},
		{"确认，42", notify.ReplyAcknowledge, 42, true},
		{"2", notify.ReplyResolve, 0, true},
		{"resolve inc-7", notify.ReplyResolve, 7, true},
		{"解决 7。", notify.ReplyResolve, 7, true},
		{"", "", 0, false},
		{"3", "", 0, false},
		{"1 2 3", "", 0, false},
		{"1 INC-x", "", 0, false},
		{"1 -4", "", 0, false},
		{"stop", "", 0, false},
	} {
		action, id, ok := notify.ParseReply(tc.in)
		if action != tc.action || id != tc.id || ok != tc.ok {
			t.Errorf("ParseReply(%q) = %q, %d, %t; want %q, %d, %t", tc.in, action, id, ok, tc.action, tc.id, tc.ok)
		}
	}
}

func FuzzParseReply(f *testing.F) {
	for _, s := range []string{"1", "ack INC-42", "确认，42", "2 9223372036854775807", "resolve inc-", "\x00", "1\u00a042"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		action, id, ok := notify.ParseReply(s)
		if ok != (action != "") || id < 0 || (!ok && id != 0) {
			t.Errorf("ParseReply(%q) = %q, %d, %t", s, action, id, ok)
		}
	})
}

func TestSMSBody(t *testing.T) {
	msg := &notify.Message{Kind: warroom.NotifyPage, Locale: "en", Subject: "[P1] INC-9 " + strings.Repeat("x", 700),
		Incident: &notify.Incident{ID: 9, Number: "INC-9", State: "acknowledged", URL: "https://w/incidents/9"}}
	body := notify.SMSBody(msg)
	if n := len([]rune(body)); n != 600 || !strings.HasSuffix(body, "…") {
		t.Errorf("long subject: %d runes", n)
	}
	msg.Subject = "[P1] INC-9 down"
	msg.Incident.State = "resolved"
	if got := notify.SMSBody(msg); got != "[P1] INC-9 down\nhttps://w/incidents/9" {
		t.Errorf("resolved incident: %q, want no reply instructions", got)
	}
}
