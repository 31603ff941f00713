package dingtalk_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/notify"
	"github.com/warroomhq/warroom/internal/notify/dingtalk"
)

func TestNotify(t *testing.T) {
	const secret = "SECxxxx"
	answer := `{"errcode":0,"errmsg":"ok"}`
	var got map[string]any
	var query map[string][]string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		q := r.URL.Query()
		query = q
		if r.URL.Path != "/robot/send" || q.Get("access_token") != "tok" || r.Header.Get("Content-Type") != "application/json; charset=utf-8" {
			w.Write([]byte(`{"errcode":300001,"errmsg":"token is not exist"}`))
			return
		}
		// From the documentation: sign = Base64(HmacSHA256(secret, timestamp+"\n"+secret)), URL-encoded.
		m := hmac.New(sha256.New, []byte(secret))
		m.Write([]byte(q.Get("timestamp") + "\n" + secret))
		if q.Get("sign") != base64.StdEncoding.EncodeToString(m.Sum(nil)) {
			w.Write([]byte(`{"errcode":310000,"errmsg":"sign not match"}`))
			return
		}
		json.Unmarshal(body, &got)
		w.Write([]byte(answer))
	}))
	defer srv.Close()
	at := time.UnixMilli(1577808000123)
	msg := &notify.Message{At: at, Subject: "[P1] INC-7 down", Text: "one\ntwo",
		To:    notify.Destination{Type: warroom.ContactDingTalk, Address: srv.URL + "/robot/send?access_token=tok", Secret: secret},
		Links: []notify.Link{{Label: "确认", URL: "https://w/l/a"}, {Label: "解决", URL: "https://w/l/r"}}}
	n := dingtalk.New(notify.MustParsePolicy("127.0.0.1").Client(5 * time.Second))
	if retry, err := n.Notify(context.Background(), msg); err != nil || retry {
		t.Fatalf("got retry=%t err=%v", retry, err)
	}
	if query["timestamp"][0] != "1577808000123" {
		t.Errorf("timestamp: got %v, want milliseconds", query["timestamp"])
	}
	md, _ := got["markdown"].(map[string]any)
	want := "### [P1]\u2060 INC-7 down\n\none\n\ntwo\n\n[确认](https://w/l/a) | [解决](https://w/l/r)"
	if got["msgtype"] != "markdown" || md["title"] != msg.Subject || md["text"] != want {
		t.Errorf("body: %v, want text %q", got, want)
	}
	t.Run("wrong secret", func(t *testing.T) {
		bad := *msg
		bad.To.Secret = "other"
		if retry, err := n.Notify(context.Background(), &bad); err == nil || retry {
			t.Errorf("got retry=%t err=%v, want permanent", retry, err)
		}
	})
	t.Run("send too fast", func(t *testing.T) {
		answer = `{"errcode":130101,"errmsg":"send too fast"}`
		if retry, err := n.Notify(context.Background(), msg); err == nil || !retry {
			t.Errorf("got retry=%t err=%v, want retryable", retry, err)
		}
	})
}
