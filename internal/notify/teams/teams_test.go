package teams_test

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
	"github.com/warroomhq/warroom/internal/notify/teams"
)

func TestNotify(t *testing.T) {
	var body []byte
	var query string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ = io.ReadAll(r.Body)
		query = r.URL.RawQuery
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()
	addr := srv.URL + "/workflows/abc/triggers/manual/paths/invoke?api-version=2016-06-01&sig=xyz"
	msg := &notify.Message{Subject: "[P1] INC-7 down", Text: "triggered",
		To:    notify.Destination{Type: warroom.ContactTeams, Address: addr},
		Links: []notify.Link{{Label: "Acknowledge", URL: "https://w/l/a"}}}
	if retry, err := teams.New(notify.MustParsePolicy("127.0.0.1").Client(5*time.Second)).Notify(context.Background(), msg); err != nil || retry {
		t.Fatalf("got retry=%t err=%v", retry, err)
	}
	if query != "api-version=2016-06-01&sig=xyz" {
		t.Errorf("query: got %q", query)
	}
	var p struct {
		Type        string `json:"type"`
		Attachments []struct {
			ContentType string  `json:"contentType"`
			ContentURL  *string `json:"contentUrl"`
			Content     struct {
				Schema  string `json:"$schema"`
				Type    string `json:"type"`
				Version string `json:"version"`
				Body    []struct{ Type, Text, Weight string }
				Actions []struct{ Type, Title, URL string }
			} `json:"content"`
		} `json:"attachments"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatal(err)
	}
	if p.Type != "message" || len(p.Attachments) != 1 {
		t.Fatalf("body: %s", body)
	}
	a := p.Attachments[0]
	c := a.Content
	if a.ContentType != "application/vnd.microsoft.card.adaptive" || a.ContentURL != nil || c.Type != "AdaptiveCard" || c.Version != "1.4" || c.Schema != "http://adaptivecards.io/schemas/adaptive-card.json" {
		t.Errorf("attachment: %+v", a)
	}
	if len(c.Body) != 2 || c.Body[0].Text != "[P1]\u2060 INC-7 down" || c.Body[0].Weight != "Bolder" || c.Body[1].Text != "triggered" {
		t.Errorf("card body: %+v", c.Body)
	}
	if len(c.Actions) != 1 || c.Actions[0].Type != "Action.OpenUrl" || c.Actions[0].URL != "https://w/l/a" || c.Actions[0].Title != "Acknowledge" {
		t.Errorf("card actions: %+v", c.Actions)
	}
}
