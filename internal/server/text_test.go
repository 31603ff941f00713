package server_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/warroomhq/warroom/internal/server"
)

func TestURLNotText(t *testing.T) {
	srv := httptest.NewServer(server.WithMiddleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusTeapot)
	}), nil))
	defer srv.Close()
	for _, c := range []struct {
		path   string
		status int
		field  string
	}{
		{"/api/v1/search?q=caf%C3%A9+%E2%9C%93", http.StatusTeapot, ""},
		{"/api/v1/search?q=50%25&raw=%", http.StatusTeapot, ""}, // unparsable: the handler's to judge
		{"/api/v1/search?q=a%00", http.StatusBadRequest, "q"},
		{"/api/v1/alerts?limit=5&q=%ff", http.StatusBadRequest, "q"},
		{"/api/v1/alerts?%ed%a0%80=1", http.StatusBadRequest, "query"},
		{"/ingest/heartbeat/%ff", http.StatusBadRequest, "path"},
		{"/ingest/heartbeat/a%00", http.StatusBadRequest, "path"},
	} {
		resp, err := http.Get(srv.URL + c.path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var e struct{ Error struct{ Code, Field string } }
		json.Unmarshal(b, &e)
		if resp.StatusCode != c.status || e.Error.Field != c.field || c.field != "" && e.Error.Code != "malformed" {
			t.Errorf("%s: got %d %s, want %d naming %q", c.path, resp.StatusCode, b, c.status, c.field)
		}
	}
}
