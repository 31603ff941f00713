package wecom_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/notify"
	"github.com/warroomhq/warroom/internal/notify/wecom"
)

func TestNotify(t *testing.T) {
	answer := `{"errcode":0,"errmsg":"ok"}`
	var got map[string]any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.URL.Path != "/cgi-bin/webhook/send" || r.URL.Query().Get("key") != "693a91f6" || r.Method != http.MethodPost {
			w.Write([]byte(`{"errcode":93000,"errmsg":"invalid webhook url"}`))
			return
		}
		json.Unmarshal(body, &got)
		w.Write([]byte(answer))
	}))
	defer srv.Close()
	msg := &notify.Message{Subject: "[P1] INC-7 down", Text: "triggered",
		To:    notify.Destination{Type: warroom.ContactWeCom, Address: srv.URL + "/cgi-bin/webhook/send?key=693a91f6"},
		Links: []notify.Link{{Label: "确认", URL: "https://w/l/a"}}}
	n := wecom.New(notify.MustParsePolicy("127.0.0.1").Client(5 * time.Second))
	if retry, err := n.Notify(context.Background(), msg); err != nil || retry {
		t.Fatalf("got retry=%t err=%v", retry, err)
	}
	md, _ := got["markdown"].(map[string]any)
	want := "**<font color=\"warning\">[P1]\u2060 INC-7 down</font>**\ntriggered\n[确认](https://w/l/a)"
	if got["msgtype"] != "markdown" || md["content"] != want {
		t.Errorf("body: %v, want content %q", got, want)
	}
	t.Run("long text is cut to 4096 bytes, keeping the links", func(t *testing.T) {
		long := *msg
		long.Text = strings.Repeat("故障", 3000)
		if _, err := n.Notify(context.Background(), &long); err != nil {
			t.Fatal(err)
		}
		c := got["markdown"].(map[string]any)["content"].(string)
		if len(c) > 4096 || !strings.HasSuffix(c, "[确认](https://w/l/a)") || !strings.Contains(c, "…") {
			t.Errorf("got %d bytes ending %q", len(c), c[len(c)-40:])
		}
	})
	t.Run("bad key", func(t *testing.T) {
		bad := *msg
		bad.To.Address = srv.URL + "/cgi-bin/webhook/send?key=nope"
		if retry, err := n.Notify(context.Background(), &bad); err == nil || retry {
			t.Errorf("got retry=%t err=%v, want permanent", retry, err)
		}
	})
	t.Run("rate limited", func(t *testing.T) {
		answer = `{"errcode":45009,"errmsg":"api freq out of limit"}`
		if retry, err := n.Notify(context.Background(), msg); err == nil || !retry {
			t.Errorf("got retry=%t err=%v, want retryable", retry, err)
		}
	})
}
