package app

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/warroomhq/warroom/internal/api"
	"github.com/warroomhq/warroom/internal/ingest/httpingest"
	"github.com/warroomhq/warroom/internal/metrics"
	"github.com/warroomhq/warroom/internal/server"
	"github.com/warroomhq/warroom/internal/ui"
)

// NewLogger returns the structured logger LogLevel and LogFormat ask for,
// writing to w, with each request's id on the lines logged for it.
func (c *Config) NewLogger(w io.Writer) (*slog.Logger, error) {
	level, err := c.Level()
	if err != nil {
		return nil, err
	}
	opts := &slog.HandlerOptions{Level: level}
	switch c.LogFormat {
	case "", "text":
		return slog.New(server.LogHandler(slog.NewTextHandler(w, opts))), nil
	case "json":
		return slog.New(server.LogHandler(slog.NewJSONHandler(w, opts))), nil
	}
	return nil, fmt.Errorf("--log-format: %q is not text or json", c.LogFormat)
}

// openMetrics creates the collectors when --metrics-addr is set. Metrics
// are served on that address alone, never on the main listener: whoever
// can reach it sees ingest rates and queue depths, so it belongs on a
// loopback or internal interface that only Prometheus reaches.
func (m *Main) openMetrics() {
	if m.Config.MetricsAddr != "" && m.metrics == nil {
		m.metrics = metrics.New(m.DB, time.Now)
	}
}

// serveMetrics starts the metrics listener; MetricsServer says where.
func (m *Main) serveMetrics() error {
	if m.metrics == nil {
		return nil
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.metrics.Handler())
	m.MetricsServer = server.New(m.Config.MetricsAddr, mux, m.Logger)
	if err := m.MetricsServer.Open(); err != nil {
		return fmt.Errorf("--metrics-addr: %w", err)
	}
	m.Logger.Info("metrics listening", "url", m.MetricsServer.URL()+"/metrics")
	return nil
}

// observeTick is the engines' hook, nil without metrics.
func (m *Main) observeTick() func(string, time.Duration, error) {
	if m.metrics == nil {
		return nil
	}
	return m.metrics.Tick
}

// observeNotification is the pager's hook, nil without metrics.
func (m *Main) observeNotification() func(string, bool, bool, time.Time, time.Time) {
	if m.metrics == nil {
		return nil
	}
	return m.metrics.Notification
}

// incidentsOpened is alert routing's hook, nil without metrics.
func (m *Main) incidentsOpened() func([]int64) {
	if m.metrics == nil {
		return nil
	}
	return m.metrics.IncidentsOpened
}

// instrument times requests by route pattern when metrics are on.
func (m *Main) instrument(h http.Handler) http.Handler {
	if m.metrics == nil {
		return h
	}
	return m.metrics.Instrument(h, routeNamer())
}

// routeNamer names a request by the pattern of the route that serves it,
// matched on a mux of every declared route, so that the label has a fixed
// set of values and never holds an id or a token from the path.
func routeNamer() func(*http.Request) string {
	mux := http.NewServeMux()
	nop := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	add := func(method, pattern string) {
		defer func() { recover() }() // a pattern two surfaces share is named by the first
		mux.Handle(method+" "+pattern, nop)
	}
	for _, r := range api.Routes() {
		add(r.Method, r.Pattern)
	}
	for _, r := range httpingest.Routes() {
		add(r.Method, r.Pattern)
	}
	for _, r := range ui.Routes() {
		add(r.Method, r.Pattern)
	}
	for _, p := range []string{"/static/", "/status", "/status/", "/l/"} {
		add("GET", p)
	}
	return func(r *http.Request) string {
		_, p := mux.Handler(r)
		if p == "" {
			return "other"
		}
		if _, path, ok := strings.Cut(p, " "); ok {
			return path
		}
		return p
	}
}
