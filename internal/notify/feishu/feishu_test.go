package feishu_test

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
	"github.com/warroomhq/warroom/internal/notify/feishu"
)

// fakeBot answers the way a Feishu custom bot does: HTTP 200 and a code in
// the body, 19021 when the signature does not check out.
func fakeBot(t *testing.T, secret string, answer *string, got *map[string]any) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var p map[string]any
		if err := json.Unmarshal(body, &p); err != nil || r.URL.Path != "/open-apis/bot/v2/hook/abc" {
			w.Write([]byte(`{"code":9499,"msg":"Bad Request"}`))
			return
		}
		*got = p
		ts, _ := p["timestamp"].(string)
		// From the documentation: HMAC-SHA256 keyed with timestamp+"\n"+secret over nothing.
		m := hmac.New(sha256.New, []byte(ts+"\n"+secret))
		if p["sign"] != base64.StdEncoding.EncodeToString(m.Sum(nil)) {
			w.Write([]byte(`{"code":19021,"msg":"sign match fail or timestamp is not within one hour from current time"}`))
			return
		}
		w.Write([]byte(*answer))
	}))
}

func TestNotify(t *testing.T) {
	answer := `{"code":0,"data":{},"msg":"success"}`
	var got map[string]any
	srv := fakeBot(t, "bot-secret", &answer, &got)
	defer srv.Close()
	at := time.Unix(1599360473, 0)
	msg := &notify.Message{At: at, Locale: "zh-CN", Subject: "[P1] INC-7 支付失败", Text: "第一行\n第二行",
		To:    notify.Destination{Type: warroom.ContactFeishu, Address: srv.URL + "/open-apis/bot/v2/hook/abc", Secret: "bot-secret"},
		Links: []notify.Link{{Label: "确认", URL: "https://w/l/a"}}}
	n := feishu.New(notify.MustParsePolicy("127.0.0.1").Client(5 * time.Second))
	if retry, err := n.Notify(context.Background(), msg); err != nil || retry {
		t.Fatalf("got retry=%t err=%v", retry, err)
	}
	if got["timestamp"] != "1599360473" || got["msg_type"] != "post" {
		t.Errorf("body: %v", got)
	}
	post := got["content"].(map[string]any)["post"].(map[string]any)["zh_cn"].(map[string]any)
	lines := post["content"].([]any)
	if post["title"] != msg.Subject || len(lines) != 3 {
		t.Fatalf("post: %v", post)
	}
	link := lines[2].([]any)[0].(map[string]any)
	if link["tag"] != "a" || link["href"] != "https://w/l/a" || link["text"] != "确认" {
		t.Errorf("link: %v", link)
	}

	t.Run("wrong secret", func(t *testing.T) {
		bad := *msg
		bad.To.Secret = "other"
		if retry, err := n.Notify(context.Background(), &bad); err == nil || retry {
			t.Errorf("got retry=%t err=%v, want permanent", retry, err)
		}
	})
	t.Run("rate limited", func(t *testing.T) {
		answer = `{"code":9499,"msg":"too many request"}`
		if retry, err := n.Notify(context.Background(), msg); err == nil || !retry {
			t.Errorf("got retry=%t err=%v, want retryable", retry, err)
		}
	})
}
