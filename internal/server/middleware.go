package server

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/warroomhq/warroom"
)

// WithMiddleware wraps h with what every response needs, outermost first:
// a request id, security headers, request logging, panic recovery and the refusal of URLs
// that are not text. Recovery sits inside logging so that a panicking
// request is still logged with its 500.
func WithMiddleware(h http.Handler, logger *slog.Logger) http.Handler {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return withRequestID(securityHeaders(logRequests(recoverPanics(textURL(h, logger), logger), logger)))
}

// securityHeaders sets headers that cost nothing and close whole classes of
// browser attacks: MIME sniffing of JSON into HTML, leaking incident URLs in
// the Referer, and framing for clickjacking.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		h.Set("X-Frame-Options", "DENY")
		next.ServeHTTP(w, r)
	})
}

// recoverPanics turns a panic in a handler into a logged 500, so that one bad
// request cannot take the process down and the client still gets the usual
// error body.
func recoverPanics(next http.Handler, logger *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &recorder{ResponseWriter: w}
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			// The http package uses this panic to abort a response on purpose.
			if err, ok := v.(error); ok && errors.Is(err, http.ErrAbortHandler) {
				panic(v)
			}
			logger.ErrorContext(r.Context(), "panic serving request", "method", r.Method, "path", LogPath(r.URL.Path), "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			if rec.status != 0 {
				// Too late for a clean error: the status is already out.
				// Aborting tells the client the body is incomplete.
				panic(http.ErrAbortHandler)
			}
			JSON(rec, r, logger, http.StatusInternalServerError, ErrorResponse{Error: ErrorDetail{
				Code:    warroom.EINTERNAL,
				Message: "Internal error.",
			}})
		}()
		next.ServeHTTP(rec, r)
	})
}

// logRequests logs one line per request with its outcome. Query strings are
// left out because they can carry search text people typed.
func logRequests(next http.Handler, logger *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &recorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		status := rec.status
		if status == 0 {
			status = http.StatusOK
		}
		level := slog.LevelInfo
		if status >= 500 {
			level = slog.LevelError
		}
		logger.Log(r.Context(), level, "http request",
			"method", r.Method,
			"path", LogPath(r.URL.Path),
			"status", status,
			"bytes", rec.bytes,
			"duration", time.Since(start),
			"remote", r.RemoteAddr,
		)
	})
}

// recorder remembers the status and size of a response.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (rec *recorder) WriteHeader(status int) {
	// Informational 1xx responses precede the real status.
	if rec.status == 0 && status >= 200 {
		rec.status = status
	}
	rec.ResponseWriter.WriteHeader(status)
}

func (rec *recorder) Write(b []byte) (int, error) {
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	n, err := rec.ResponseWriter.Write(b)
	rec.bytes += int64(n)
	return n, err
}

// Flush passes flushes through for handlers that stream and test for
// http.Flusher directly rather than using http.ResponseController.
func (rec *recorder) Flush() {
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	http.NewResponseController(rec.ResponseWriter).Flush()
}

// Unwrap lets http.ResponseController reach the underlying writer for
// flushing and deadlines.
func (rec *recorder) Unwrap() http.ResponseWriter { return rec.ResponseWriter }
