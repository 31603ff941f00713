package slack_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/notify"
	"github.com/warroomhq/warroom/internal/notify/slack"
)

func TestNotify(t *testing.T) {
	var body []byte
	var path, ctype string
	status := http.StatusOK
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ = io.ReadAll(r.Body)
		path, ctype = r.URL.Path, r.Header.Get("Content-Type")
		w.WriteHeader(status)
		if status == http.StatusOK {
			w.Write([]byte("ok"))
		} else {
			w.Write([]byte("no_service"))
		}
	}))
	defer srv.Close()
	msg := &notify.Message{Subject: "[P1] INC-7 down", Text: "*INC-7* is triggered",
		To:    notify.Destination{Type: warroom.ContactSlack, Address: srv.URL + "/services/T000/B000/XXXX"},
		Links: []notify.Link{{Label: "Acknowledge", URL: "https://w/l/a"}, {Label: "Resolve", URL: "https://w/l/r"}}}
	n := slack.New(notify.MustParsePolicy("127.0.0.1").Client(5 * time.Second))
	if retry, err := n.Notify(context.Background(), msg); err != nil || retry {
		t.Fatalf("got retry=%t err=%v", retry, err)
	}
	if path != "/services/T000/B000/XXXX" || ctype != "application/json; charset=utf-8" {
		t.Errorf("got path %q content type %q", path, ctype)
	}
	var p struct {
		Text   string `json:"text"`
		Blocks []struct {
			Type string `json:"type"`
			Text *struct {
				Type, Text string
			} `json:"text"`
			Elements []struct {
				Type, URL, Style string
				Text             struct{ Type, Text string }
			} `json:"elements"`
		} `json:"blocks"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatal(err)
	}
	if p.Text != msg.Subject || len(p.Blocks) != 3 {
		t.Fatalf("body: %s", body)
	}
	if b := p.Blocks[0]; b.Type != "header" || b.Text.Type != "plain_text" || b.Text.Text != msg.Subject {
		t.Errorf("header block: %+v", b)
	}
	if b := p.Blocks[1]; b.Type != "section" || b.Text.Type != "mrkdwn" || b.Text.Text != msg.Text {
		t.Errorf("section block: %+v", b)
	}
	if b := p.Blocks[2]; b.Type != "actions" || len(b.Elements) != 2 || b.Elements[0].Type != "button" || b.Elements[0].URL != "https://w/l/a" || b.Elements[0].Style != "primary" || b.Elements[1].Text.Text != "Resolve" {
		t.Errorf("actions block: %+v", b)
	}
	status = http.StatusNotFound
	if retry, err := n.Notify(context.Background(), msg); err == nil || retry {
		t.Errorf("404 no_service: got retry=%t err=%v, want permanent", retry, err)
	}
}
