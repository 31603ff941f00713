package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/server"
)

func TestServer_OpenClose(t *testing.T) {
	release := make(chan struct{})
	started := make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			close(started)
			<-release
		}
		io.WriteString(w, "ok")
	})
	s := server.New("127.0.0.1:0", h, nil)
	if got := s.URL(); got != "" {
		t.Fatalf("URL before Open = %q, want empty", got)
	}
	if err := s.Open(); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(s.URL(), "http://127.0.0.1:") {
		t.Fatalf("URL = %q", s.URL())
	}
	resp, err := http.Get(s.URL() + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	// A request in flight when Close is called must complete.
	slow := make(chan string, 1)
	go func() {
		resp, err := http.Get(s.URL() + "/slow")
		if err != nil {
			slow <- err.Error()
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		slow <- string(b)
	}()
	<-started
	closed := make(chan error, 1)
	go func() { closed <- s.Close(context.Background()) }()
	close(release)
	if got := <-slow; got != "ok" {
		t.Errorf("in-flight response = %q, want ok", got)
	}
	if err := <-closed; err != nil {
		t.Errorf("Close: %v", err)
	}
	if err := s.Close(context.Background()); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestServer_CloseDeadline(t *testing.T) {
	started := make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-r.Context().Done()
	})
	s := server.New("127.0.0.1:0", h, nil)
	if err := s.Open(); err != nil {
		t.Fatal(err)
	}
	go http.Get(s.URL())
	<-started
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.Close(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Close = %v, want context.Canceled", err)
	}
}

func TestStatusFor(t *testing.T) {
	for code, want := range map[string]int{
		warroom.EINVALID: 422, warroom.EMALFORMED: 400, warroom.ENOTFOUND: 404, warroom.ECONFLICT: 409,
		warroom.EUNAUTHORIZED: 401, warroom.EFORBIDDEN: 403, warroom.ETOOLARGE: 413, warroom.EINTERNAL: 500,
		"something_else": 500,
	} {
		if got := server.StatusFor(code); got != want {
			t.Errorf("StatusFor(%q) = %d, want %d", code, got, want)
		}
	}
}

func TestError(t *testing.T) {
	for _, tt := range []struct {
		name       string
		err        error
		wantStatus int
		wantBody   server.ErrorDetail
		wantLogged bool
	}{
		{"Invalid", warroom.FieldErrorf("title", "is required"), 422, server.ErrorDetail{Code: "invalid", Message: "title: is required", Field: "title"}, false},
		{"Wrapped", fmt.Errorf("op: %w", warroom.Errorf(warroom.ENOTFOUND, "no incident INC-7")), 404, server.ErrorDetail{Code: "not_found", Message: "no incident INC-7"}, false},
		{"Internal", errors.New("pq: password=hunter2 rejected"), 500, server.ErrorDetail{Code: "internal", Message: "Internal error."}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			logger := slog.New(slog.NewTextHandler(&logs, nil))
			w := newRecorder()
			server.Error(w, httpRequest("GET", "/x"), logger, tt.err)
			if w.status != tt.wantStatus {
				t.Errorf("status = %d, want %d", w.status, tt.wantStatus)
			}
			var body server.ErrorResponse
			if err := json.Unmarshal(w.body.Bytes(), &body); err != nil {
				t.Fatal(err)
			}
			if body.Error != tt.wantBody {
				t.Errorf("body = %+v, want %+v", body.Error, tt.wantBody)
			}
			if strings.Contains(w.body.String(), "hunter2") {
				t.Errorf("body leaks internal detail: %s", w.body.String())
			}
			if got := strings.Contains(logs.String(), "internal error"); got != tt.wantLogged {
				t.Errorf("logged = %v, want %v: %s", got, tt.wantLogged, logs.String())
			}
		})
	}
}

// recorder captures what Error writes.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func newRecorder() *recorder                    { return &recorder{header: http.Header{}} }
func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) WriteHeader(s int)           { r.status = s }
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }

func httpRequest(method, path string) *http.Request {
	r, _ := http.NewRequestWithContext(context.Background(), method, "http://example.com"+path, nil)
	return r
}
