package mattermost_test

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
	"github.com/warroomhq/warroom/internal/notify/mattermost"
)

func TestNotify(t *testing.T) {
	var body []byte
	var path string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ = io.ReadAll(r.Body)
		path = r.URL.Path
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json; charset=utf-8" {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		w.Write([]byte("ok"))
	}))
	defer srv.Close()
	msg := &notify.Message{Subject: "[P1] INC-7 down", Text: "line one\nline two",
		To:    notify.Destination{Type: warroom.ContactMattermost, Address: srv.URL + "/hooks/xxx-generatedkey-xxx"},
		Links: []notify.Link{{Label: "Acknowledge", URL: "https://w/l/a"}, {Label: "Resolve", URL: "https://w/l/r"}}}
	if retry, err := mattermost.New(notify.MustParsePolicy("127.0.0.1").Client(5*time.Second)).Notify(context.Background(), msg); err != nil || retry {
		t.Fatalf("got retry=%t err=%v", retry, err)
	}
	var p map[string]any
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatal(err)
	}
	want := "#### [P1]\u2060 INC-7 down\nline one\nline two\n\n[Acknowledge](https://w/l/a) · [Resolve](https://w/l/r)"
	if path != "/hooks/xxx-generatedkey-xxx" || p["text"] != want || len(p) != 1 {
		t.Errorf("got %s %s, want text %q", path, body, want)
	}
}
