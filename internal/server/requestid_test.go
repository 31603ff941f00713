package server

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestRequestID expects every response to carry an id, a proxy's plain id
// to be kept and a forged one replaced, and the request's log line to
// carry the same id.
func TestRequestID(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(LogHandler(slog.NewJSONHandler(&buf, nil)))
	h := WithMiddleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		logger.InfoContext(r.Context(), "handled")
	}), logger)
	for _, tt := range []struct{ name, sent, want string }{
		{"OK/new", "", ""},
		{"OK/kept", "3f2c-41ab_x.1", "3f2c-41ab_x.1"},
		{"Forged", "a\nlevel=ERROR msg=forged", ""},
		{"TooLong", strings.Repeat("a", 65), ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			buf.Reset()
			req := httptest.NewRequest(http.MethodGet, "/x", nil)
			if tt.sent != "" {
				req.Header.Set(RequestIDHeader, tt.sent)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			got := rec.Header().Get(RequestIDHeader)
			if tt.want != "" && got != tt.want {
				t.Errorf("id %q, want %q", got, tt.want)
			}
			if tt.want == "" && (len(got) != 24 || got == tt.sent) {
				t.Errorf("id %q, want 24 new hex digits", got)
			}
			if n := strings.Count(buf.String(), `"request_id":"`+got+`"`); n != 2 {
				t.Errorf("the id is on %d log lines, want 2 (the handler's and the request's):\n%s", n, buf.String())
			}
		})
	}
}
