package webhook_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/notify"
	"github.com/warroomhq/warroom/internal/notify/webhook"
)

func TestNotify(t *testing.T) {
	at := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	var got *http.Request
	var body []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, body = r, must(io.ReadAll(r.Body))
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	msg := &notify.Message{ID: 42, Kind: warroom.NotifyPage, At: at, Locale: "en", Subject: "[P1] INC-7 down", Text: "body",
		To:       notify.Destination{Type: warroom.ContactWebhook, Address: srv.URL + "/hooks/warroom", Secret: "s3cret"},
		Incident: &notify.Incident{ID: 7, Number: "INC-7", Title: "down", Severity: "P1", State: "triggered"},
		Links:    []notify.Link{{Label: "Acknowledge", URL: "https://w/l/ack"}}}
	retry, err := webhook.New(notify.MustParsePolicy("127.0.0.1").Client(5*time.Second)).Notify(context.Background(), msg)
	if err != nil || retry {
		t.Fatalf("got retry=%t err=%v", retry, err)
	}
	if got.Method != http.MethodPost || got.URL.Path != "/hooks/warroom" || got.Header.Get("Content-Type") != "application/json; charset=utf-8" {
		t.Errorf("got %s %s %q", got.Method, got.URL.Path, got.Header.Get("Content-Type"))
	}
	if got.Header.Get("X-Warroom-Event") != "page" || got.Header.Get("X-Warroom-Delivery") != "42" || got.Header.Get("X-Warroom-Timestamp") != "1740823200" {
		t.Errorf("headers: %v", got.Header)
	}
	// The receiver's side, written from the documentation alone.
	m := hmac.New(sha256.New, []byte("s3cret"))
	m.Write([]byte("1740823200." + string(body)))
	if want := "v1=" + hex.EncodeToString(m.Sum(nil)); got.Header.Get("X-Warroom-Signature") != want {
		t.Errorf("signature: got %q, want %q", got.Header.Get("X-Warroom-Signature"), want)
	}
	var p map[string]any
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatal(err)
	}
	inc, _ := p["incident"].(map[string]any)
	links, _ := p["links"].([]any)
	if p["event"] != "page" || p["id"] != 42.0 || inc["number"] != "INC-7" || len(links) != 1 || p["sent_at"] != "2025-03-01T10:00:00Z" {
		t.Errorf("body: %s", body)
	}
	if err := webhook.Verify("s3cret", got.Header.Get("X-Warroom-Timestamp"), got.Header.Get("X-Warroom-Signature"), body, at.Add(time.Minute), 5*time.Minute); err != nil {
		t.Errorf("Verify: %v", err)
	}
	if err := webhook.Verify("s3cret", got.Header.Get("X-Warroom-Timestamp"), got.Header.Get("X-Warroom-Signature"), body, at.Add(time.Hour), 5*time.Minute); err == nil {
		t.Error("Verify accepted a stale timestamp")
	}
	if err := webhook.Verify("other", got.Header.Get("X-Warroom-Timestamp"), got.Header.Get("X-Warroom-Signature"), body, at, 5*time.Minute); err == nil {
		t.Error("Verify accepted a wrong secret")
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
