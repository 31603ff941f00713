// Package metrics is warroom's own Prometheus instrumentation: the
// collectors, declared once and registered on a registry of their own, and
// the HTTP middleware that times requests. Components do not import it:
// they take plain hook functions, and the program wires these to the
// methods here. Every label has a bounded set of values (route patterns,
// integration kinds, channel types, module names).
package metrics

import (
	"context"
	"database/sql"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/warroomhq/warroom/internal/buildinfo"
	"github.com/warroomhq/warroom/internal/store"
)

// Source is what the scrape-time gauges read: the outboxes and the pools.
type Source interface {
	Backlog(ctx context.Context) (store.Backlog, error)
	PoolStats() map[string]sql.DBStats
}

// Metrics holds every collector.
type Metrics struct {
	reg *prometheus.Registry

	httpDuration  *prometheus.HistogramVec
	ingest        *prometheus.CounterVec
	opened        prometheus.Counter
	notifications *prometheus.CounterVec
	lateness      prometheus.Histogram
	tickDuration  *prometheus.HistogramVec
	tickFailures  *prometheus.CounterVec
}

// New returns the collectors registered on a new registry, with the Go
// runtime's and the process's own, and gauges that read src at scrape
// time. now is the clock routing lag is measured with.
func New(src Source, now func() time.Time) *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	m.httpDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "warroom_http_request_duration_seconds", Help: "HTTP requests by route pattern, method and status class.",
		Buckets: []float64{.001, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{"route", "method", "code"})
	m.ingest = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "warroom_ingest_requests_total", Help: "Ingest requests by integration kind and outcome: accepted (2xx), refused (4xx), failed (5xx).",
	}, []string{"kind", "outcome"})
	m.opened = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "warroom_incidents_opened_by_alerts_total", Help: "Incidents that alert routing opened on this instance.",
	})
	m.notifications = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "warroom_notifications_total", Help: "Notification send attempts by channel and outcome: sent, retried (failed, will retry), failed (for good).",
	}, []string{"channel", "outcome"})
	m.lateness = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "warroom_notification_lateness_seconds", Help: "From a notification falling due (an escalation step, a page, a retry) to its send starting.",
		Buckets: []float64{.1, .5, 1, 2, 5, 10, 30, 60, 120, 300},
	})
	m.tickDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "warroom_engine_tick_duration_seconds", Help: "One engine module's tick.",
		Buckets: []float64{.001, .005, .01, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
	}, []string{"module"})
	m.tickFailures = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "warroom_engine_tick_failures_total", Help: "Engine module ticks that returned an error or panicked.",
	}, []string{"module"})
	in := buildinfo.Get()
	info := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "warroom_build_info", Help: "The running build; always 1.",
		ConstLabels: prometheus.Labels{"version": in.Version, "commit": in.Commit, "goversion": in.GoVersion},
	})
	info.Set(1)
	m.reg.MustRegister(m.httpDuration, m.ingest, m.opened, m.notifications, m.lateness, m.tickDuration, m.tickFailures, info,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		&sourceCollector{src: src, now: now})
	return m
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// IncidentsOpened counts incidents opened by alert routing; it fits
// engine.AlertRouting's Opened hook.
func (m *Metrics) IncidentsOpened(ids []int64) { m.opened.Add(float64(len(ids))) }

// Notification counts one send attempt on channel: sent, or failed with
// a retry or for good; due is when it fell due (zero if unknown), start
// when its send began.
func (m *Metrics) Notification(channel string, sent, retry bool, due, start time.Time) {
	outcome := "sent"
	if !sent && retry {
		outcome = "retried"
	} else if !sent {
		outcome = "failed"
	}
	m.notifications.WithLabelValues(channel, outcome).Inc()
	if !due.IsZero() {
		m.lateness.Observe(max(0, start.Sub(due).Seconds()))
	}
}

// Tick records one engine module's tick; it fits engine.Options.Observe.
func (m *Metrics) Tick(module string, d time.Duration, err error) {
	m.tickDuration.WithLabelValues(module).Observe(d.Seconds())
	if err != nil {
		m.tickFailures.WithLabelValues(module).Inc()
	}
}

// ingestKind names the integration kind of an ingest path, "" for others.
func ingestKind(path string) string {
	switch {
	case path == "/v2/enqueue":
		return "pagerduty"
	case strings.HasPrefix(path, "/ingest/heartbeat/"):
		return "heartbeat"
	case strings.HasPrefix(path, "/ingest/"):
		switch k := path[len("/ingest/"):]; k {
		case "alertmanager", "grafana", "generic":
			return k
		}
	}
	return ""
}

// Instrument times every request by the route pattern route names for it
// (which must return one of a fixed set, never the raw path), and counts
// ingest requests by kind and outcome. The counters are resolved per
// request from small label sets; nothing here takes a lock of its own.
func (m *Metrics) Instrument(next http.Handler, route func(*http.Request) string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		code := sw.status
		if code == 0 {
			code = http.StatusOK
		}
		class := [...]string{"1xx", "2xx", "3xx", "4xx", "5xx"}[min(max(code/100, 1), 5)-1]
		m.httpDuration.WithLabelValues(route(r), r.Method, class).Observe(time.Since(start).Seconds())
		if kind := ingestKind(r.URL.Path); kind != "" {
			outcome := "accepted"
			if code >= 500 {
				outcome = "failed"
			} else if code >= 300 {
				outcome = "refused"
			}
			m.ingest.WithLabelValues(kind, outcome).Inc()
		}
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 && code >= 200 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the writer beneath, for
// flushing the live update streams.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// sourceCollector reads the backlog and the pools when scraped, so that
// what it reports is the database's state, shared by every instance.
type sourceCollector struct {
	src Source
	now func() time.Time
}

var (
	descAlertBacklog = prometheus.NewDesc("warroom_alert_outbox_batches", "Ingest commits not routed yet.", nil, nil)
	descRoutingLag   = prometheus.NewDesc("warroom_alert_routing_lag_seconds", "Age of the oldest ingest commit not routed yet; 0 when routing is caught up.", nil, nil)
	descNotifyDue    = prometheus.NewDesc("warroom_notification_outbox_depth", "Notifications waiting for a send or a retry.", nil, nil)
	descPoolOpen     = prometheus.NewDesc("warroom_db_connections_open", "Open connections by pool.", []string{"pool"}, nil)
	descPoolInUse    = prometheus.NewDesc("warroom_db_connections_in_use", "Connections in use by pool.", []string{"pool"}, nil)
	descPoolIdle     = prometheus.NewDesc("warroom_db_connections_idle", "Idle connections by pool.", []string{"pool"}, nil)
	descPoolWaits    = prometheus.NewDesc("warroom_db_connection_waits_total", "Times a caller waited for a connection, by pool.", []string{"pool"}, nil)
	descPoolWaited   = prometheus.NewDesc("warroom_db_connection_wait_seconds_total", "Time spent waiting for a connection, by pool.", []string{"pool"}, nil)
	descScrapeErrors = prometheus.NewDesc("warroom_backlog_scrape_error", "1 when the backlog could not be read at this scrape.", nil, nil)
)

func (c *sourceCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descAlertBacklog, descRoutingLag, descNotifyDue, descPoolOpen, descPoolInUse, descPoolIdle, descPoolWaits, descPoolWaited, descScrapeErrors} {
		ch <- d
	}
}

func (c *sourceCollector) Collect(ch chan<- prometheus.Metric) {
	for name, s := range c.src.PoolStats() {
		ch <- prometheus.MustNewConstMetric(descPoolOpen, prometheus.GaugeValue, float64(s.OpenConnections), name)
		ch <- prometheus.MustNewConstMetric(descPoolInUse, prometheus.GaugeValue, float64(s.InUse), name)
		ch <- prometheus.MustNewConstMetric(descPoolIdle, prometheus.GaugeValue, float64(s.Idle), name)
		ch <- prometheus.MustNewConstMetric(descPoolWaits, prometheus.CounterValue, float64(s.WaitCount), name)
		ch <- prometheus.MustNewConstMetric(descPoolWaited, prometheus.CounterValue, s.WaitDuration.Seconds(), name)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	b, err := c.src.Backlog(ctx)
	if err != nil {
		ch <- prometheus.MustNewConstMetric(descScrapeErrors, prometheus.GaugeValue, 1)
		return
	}
	ch <- prometheus.MustNewConstMetric(descScrapeErrors, prometheus.GaugeValue, 0)
	lag := 0.0
	if !b.OldestAlertBatch.IsZero() {
		lag = max(0, c.now().Sub(b.OldestAlertBatch).Seconds())
	}
	ch <- prometheus.MustNewConstMetric(descAlertBacklog, prometheus.GaugeValue, float64(b.AlertBatches))
	ch <- prometheus.MustNewConstMetric(descRoutingLag, prometheus.GaugeValue, lag)
	ch <- prometheus.MustNewConstMetric(descNotifyDue, prometheus.GaugeValue, float64(b.NotificationsDue))
}
