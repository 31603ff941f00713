package server_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/warroomhq/warroom/internal/server"
)

// syncBuffer is a log sink safe to read while the server writes to it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestWithMiddleware(t *testing.T) {
	var logs syncBuffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	mux := http.NewServeMux()
	mux.HandleFunc("GET /ok", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusTeapot)
		io.WriteString(w, "short and stout")
	})
	mux.HandleFunc("GET /panic", func(w http.ResponseWriter, r *http.Request) {
		panic("secret detail")
	})
	ts := httptest.NewServer(server.WithMiddleware(mux, logger))
	defer ts.Close()

	t.Run("Headers", func(t *testing.T) {
		resp, err := http.Get(ts.URL + "/ok")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		for name, want := range map[string]string{
			"X-Content-Type-Options": "nosniff",
			"X-Frame-Options":        "DENY",
			"Referrer-Policy":        "strict-origin-when-cross-origin",
		} {
			if got := resp.Header.Get(name); got != want {
				t.Errorf("%s = %q, want %q", name, got, want)
			}
		}
		if !strings.Contains(logs.String(), "method=GET path=/ok status=418") {
			t.Errorf("request not logged with method, path and status: %s", logs.String())
		}
		if !strings.Contains(logs.String(), "duration=") {
			t.Errorf("request logged without duration: %s", logs.String())
		}
	})

	t.Run("Panic", func(t *testing.T) {
		resp, err := http.Get(ts.URL + "/panic")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusInternalServerError {
			t.Errorf("status = %d, want 500", resp.StatusCode)
		}
		var body server.ErrorResponse
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
			t.Fatal(err)
		}
		if body.Error.Code != "internal" || strings.Contains(body.Error.Message, "secret") {
			t.Errorf("body = %+v", body.Error)
		}
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("security headers missing on a panic response")
		}
		if !strings.Contains(logs.String(), "panic serving request") || !strings.Contains(logs.String(), "secret detail") {
			t.Errorf("panic not logged: %s", logs.String())
		}
		if !strings.Contains(logs.String(), "path=/panic status=500") {
			t.Errorf("panicking request not logged with its 500: %s", logs.String())
		}
	})
}

func TestWithMiddleware_Flush(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, ok := w.(http.Flusher)
		if !ok {
			http.Error(w, "no flusher", http.StatusInternalServerError)
			return
		}
		io.WriteString(w, "event\n")
		f.Flush()
	})
	ts := httptest.NewServer(server.WithMiddleware(h, nil))
	defer ts.Close()
	resp, err := http.Get(ts.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || string(b) != "event\n" {
		t.Errorf("got %d %q, want 200 %q", resp.StatusCode, b, "event\n")
	}
}

// TestWithMiddleware_CredentialPaths: a link, invitation or heartbeat token
// in the path is a credential, and must not reach the request log.
func TestWithMiddleware_CredentialPaths(t *testing.T) {
	for _, tc := range []struct{ path, want string }{
		{"/l/42.7.ack.1700000000.c2lnbmF0dXJl", "path=/l/REDACTED "},
		{"/invite/inv-s3cret-value", "path=/invite/REDACTED "},
		{"/ingest/heartbeat/hb-s3cret-value", "path=/ingest/heartbeat/REDACTED "},
		{"/ingest/heartbeat/hb-s3cret-value/extra", "path=/ingest/heartbeat/REDACTED/extra "},
		{"/incidents/12", "path=/incidents/12 "},
	} {
		t.Run(tc.path, func(t *testing.T) {
			var logs syncBuffer
			logger := slog.New(slog.NewTextHandler(&logs, nil))
			h := server.WithMiddleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				server.Error(w, r, logger, errors.New("database down"))
			}), logger)
			ts := httptest.NewServer(h)
			defer ts.Close()
			resp, err := http.Get(ts.URL + tc.path)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			got := logs.String()
			if !strings.Contains(got, tc.want) {
				t.Errorf("logs lack %q:\n%s", tc.want, got)
			}
			if strings.Contains(got, "s3cret") || strings.Contains(got, "c2lnbmF0dXJl") {
				t.Errorf("credential in logs:\n%s", got)
			}
			if n := strings.Count(got, tc.want); n != 2 {
				t.Errorf("path logged %d times, want 2 (error and request):\n%s", n, got)
			}
		})
	}
}
