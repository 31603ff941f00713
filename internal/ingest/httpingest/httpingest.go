// Package httpingest serves the ingest endpoints: PagerDuty Events API v2 at
// /v2/enqueue, the Alertmanager, Grafana and generic webhooks under
// /ingest/, and heartbeat check-ins. They are authenticated by integration
// key (or monitor token), not by user token, and answer 2xx only once the
// events are committed: requests are batched into one transaction by a
// group commit, and routing happens afterwards from the outbox.
package httpingest

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/ingest"
	"github.com/warroomhq/warroom/internal/server"
)

// Body limits. PagerDuty documents 512 KB per event; webhooks carry many
// alerts at once and get more room.
const (
	MaxEventBytes   = 512 << 10
	MaxWebhookBytes = 8 << 20
)

// Auth says how a route is authenticated.
type Auth string

// Ways ingest routes authenticate.
const (
	// AuthRoutingKey: the integration key is in the JSON body, as PagerDuty
	// clients send it.
	AuthRoutingKey Auth = "routing_key"
	// AuthIntegrationKey: ?key= or Authorization: Bearer.
	AuthIntegrationKey Auth = "integration_key"
	// AuthMonitorToken: the token is in the path.
	AuthMonitorToken Auth = "monitor_token"
)

// Route is one ingest route and how it is authenticated. None is reachable
// without a credential.
type Route struct {
	Method  string
	Pattern string
	Auth    Auth
}

// Routes lists every route New serves.
func Routes() []Route {
	return []Route{
		{http.MethodPost, "/v2/enqueue", AuthRoutingKey},
		{http.MethodPost, "/ingest/alertmanager", AuthIntegrationKey},
		{http.MethodPost, "/ingest/grafana", AuthIntegrationKey},
		{http.MethodPost, "/ingest/generic", AuthIntegrationKey},
		{http.MethodGet, "/ingest/heartbeat/{token}", AuthMonitorToken},
		{http.MethodPost, "/ingest/heartbeat/{token}", AuthMonitorToken},
	}
}

// Deps are what the endpoints need.
type Deps struct {
	Integrations warroom.IntegrationService
	Alerts       warroom.AlertService
	Monitors     warroom.MonitorService
	// Wake is called after a commit that gave routing work; nil for none.
	Wake   func()
	Now    func() time.Time
	Logger *slog.Logger
	// Writers is the number of concurrent group commits: 1 for SQLite,
	// whose writes are serial anyway, a few for PostgreSQL. 0 means 1.
	Writers int
	// MaxBatchEvents caps one group commit; 0 means 2000.
	MaxBatchEvents int
	// Linger is how long a writer waits for requests already being read
	// to join its batch; 0 means 200µs, negative means never.
	Linger time.Duration
	// KeyCacheTTL is how long a looked-up key is trusted before it is read
	// again, so that a revoked or rotated key stops working within it;
	// 0 means 2s.
	KeyCacheTTL time.Duration
}

// Handler serves the ingest routes. Close it to commit what is queued
// before the database is closed.
type Handler struct {
	d       Deps
	mux     *http.ServeMux
	commits *committer
	limits  limiter

	mu   sync.Mutex
	keys map[string]cachedKey
}

type cachedKey struct {
	in *warroom.Integration // nil: no such key
	at time.Time
}

// New returns the ingest handler and starts its group commit.
func New(d Deps) *Handler {
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Writers <= 0 {
		d.Writers = 1
	}
	if d.MaxBatchEvents <= 0 {
		d.MaxBatchEvents = 2000
	}
	if d.Linger == 0 {
		d.Linger = 200 * time.Microsecond
	}
	if d.KeyCacheTTL <= 0 {
		d.KeyCacheTTL = 2 * time.Second
	}
	h := &Handler{d: d, mux: http.NewServeMux(), keys: map[string]cachedKey{}}
	h.commits = newCommitter(d.Alerts, d.Wake, d.Writers, d.MaxBatchEvents, d.Linger)
	h.mux.HandleFunc("POST /v2/enqueue", h.pagerDuty)
	h.mux.HandleFunc("POST /ingest/alertmanager", h.webhook(warroom.IntegrationAlertmanager, ingest.ParseAlertmanager))
	h.mux.HandleFunc("POST /ingest/grafana", h.webhook(warroom.IntegrationGrafana, ingest.ParseGrafana))
	h.mux.HandleFunc("POST /ingest/generic", h.webhook(warroom.IntegrationGeneric, ingest.ParseGeneric))
	h.mux.HandleFunc("GET /ingest/heartbeat/{token}", h.heartbeat)
	h.mux.HandleFunc("POST /ingest/heartbeat/{token}", h.heartbeat)
	return h
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.commits.inflight.Add(1)
	defer h.commits.inflight.Add(-1)
	h.mux.ServeHTTP(w, r)
}

// Close commits the queued requests and stops the group commit; later
// requests are answered 503.
func (h *Handler) Close() { h.commits.close() }

// integration returns the active integration of a key, from a short cache.
func (h *Handler) integration(ctx context.Context, key string) (*warroom.Integration, error) {
	if !isText(key) {
		return nil, warroom.Errorf(warroom.EUNAUTHORIZED, "the integration key is unknown or revoked")
	}
	now := h.d.Now()
	h.mu.Lock()
	c, ok := h.keys[key]
	h.mu.Unlock()
	if !ok || now.Sub(c.at) > h.d.KeyCacheTTL {
		in, err := h.d.Integrations.FindIntegrationByKey(ctx, key)
		if err != nil && warroom.ErrorCode(err) != warroom.ENOTFOUND {
			return nil, err
		}
		c = cachedKey{in: in, at: now}
		h.mu.Lock()
		if len(h.keys) > 10000 { // bounded: unknown keys must not grow it forever
			h.keys = map[string]cachedKey{}
		}
		h.keys[key] = c
		h.mu.Unlock()
	}
	if c.in == nil || !c.in.Active() {
		return nil, warroom.Errorf(warroom.EUNAUTHORIZED, "the integration key is unknown or revoked")
	}
	return c.in, nil
}

// readBody reads at most limit bytes.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, warroom.Errorf(warroom.ETOOLARGE, "request body is larger than %d bytes", limit)
		}
		return nil, warroom.Errorf(warroom.EMALFORMED, "cannot read request body")
	}
	return body, nil
}

// admit applies the integration's rate limit to n events.
func (h *Handler) admit(w http.ResponseWriter, in *warroom.Integration, n int) bool {
	ok, wait := h.limits.allow(in.ID, in.RateLimit, n, h.d.Now())
	if !ok {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(max(wait.Seconds(), 1)))))
	}
	return ok
}

// store commits a batch and maps the outcome to an error to report.
func (h *Handler) store(in *warroom.Integration, events []*warroom.AlertEvent) (*warroom.AlertBatch, error) {
	// Encoded here, in the request's goroutine, the events cost the single
	// writer only their binding.
	for _, ev := range events {
		ev.Encode()
	}
	b := &warroom.AlertBatch{IntegrationID: in.ID, ServiceID: in.ServiceID, Source: string(in.Kind), Events: events}
	if err := h.commits.submit(b); err != nil {
		if isClosed(err) {
			return nil, errUnavailable
		}
		return nil, err
	}
	return b, nil
}

var errUnavailable = errors.New("ingest is shutting down")

// webhook serves an endpoint that takes the key in the query or header.
func (h *Handler) webhook(kind warroom.IntegrationKind, parse func([]byte) ([]*warroom.AlertEvent, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		key := r.URL.Query().Get("key")
		if s, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok && key == "" {
			key = strings.TrimSpace(s)
		}
		if key == "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="warroom ingest"`)
			h.error(w, r, warroom.Errorf(warroom.EUNAUTHORIZED, "an integration key is required: ?key=… or Authorization: Bearer …"))
			return
		}
		in, err := h.integration(r.Context(), key)
		if err != nil {
			h.error(w, r, err)
			return
		}
		if in.Kind != kind {
			h.error(w, r, warroom.Errorf(warroom.EFORBIDDEN, "this is a %s integration key; send to %s", in.Kind, in.Kind.IngestPath()))
			return
		}
		limit := int64(MaxWebhookBytes)
		if kind == warroom.IntegrationGeneric {
			limit = MaxEventBytes
		}
		body, err := readBody(w, r, limit)
		if err != nil {
			h.error(w, r, err)
			return
		}
		if in.Secret != "" {
			ts := r.Header.Get("X-Grafana-Alerting-Signature-Timestamp")
			if ts == "" {
				ts = r.Header.Get("X-Grafana-Alerting-Timestamp")
			}
			if err := ingest.VerifyGrafana(in.Secret, body, r.Header.Get("X-Grafana-Alerting-Signature"), ts, h.d.Now()); err != nil {
				h.error(w, r, err)
				return
			}
		}
		events, err := parse(body)
		if err != nil {
			h.error(w, r, err)
			return
		}
		if !h.admit(w, in, len(events)) {
			h.json(w, r, http.StatusTooManyRequests, server.ErrorResponse{Error: server.ErrorDetail{
				Code: "rate_limited", Message: "too many events for this integration key; retry after the time in Retry-After"}})
			return
		}
		b, err := h.store(in, events)
		if err != nil {
			h.error(w, r, err)
			return
		}
		h.json(w, r, http.StatusAccepted, map[string]any{"status": "success", "results": b.Results})
	}
}

// pdResponse is PagerDuty's response body.
type pdResponse struct {
	Status   string   `json:"status"`
	Message  string   `json:"message"`
	DedupKey string   `json:"dedup_key,omitempty"`
	Errors   []string `json:"errors,omitempty"`
}

// pagerDuty serves the Events API v2, answering in PagerDuty's own shapes
// so that its client libraries understand every outcome.
func (h *Handler) pagerDuty(w http.ResponseWriter, r *http.Request) {
	invalid := func(status int, msgs ...string) {
		h.json(w, r, status, pdResponse{Status: "invalid event", Message: "Event object is invalid", Errors: msgs})
	}
	body, err := readBody(w, r, MaxEventBytes)
	if err != nil {
		if warroom.ErrorCode(err) == warroom.ETOOLARGE {
			invalid(http.StatusRequestEntityTooLarge, warroom.ErrorMessage(err))
		} else {
			invalid(http.StatusBadRequest, warroom.ErrorMessage(err))
		}
		return
	}
	key, ev, err := ingest.ParsePagerDuty(body)
	var pe *ingest.PagerDutyError
	if errors.As(err, &pe) {
		invalid(http.StatusBadRequest, pe.Errors...)
		return
	} else if err != nil {
		invalid(http.StatusBadRequest, warroom.ErrorMessage(err))
		return
	}
	in, err := h.integration(r.Context(), key)
	if warroom.ErrorCode(err) == warroom.EUNAUTHORIZED {
		invalid(http.StatusBadRequest, "'routing_key' is not a known, active integration key")
		return
	} else if err != nil {
		h.error(w, r, err)
		return
	}
	if in.Kind != warroom.IntegrationPagerDuty {
		invalid(http.StatusBadRequest, "'routing_key' belongs to a "+string(in.Kind)+" integration; send to "+in.Kind.IngestPath())
		return
	}
	if !h.admit(w, in, 1) {
		h.json(w, r, http.StatusTooManyRequests, pdResponse{Status: "throttle event", Message: "Requests for this service are arriving too quickly. Please retry later."})
		return
	}
	if _, err := h.store(in, []*warroom.AlertEvent{ev}); err != nil {
		h.error(w, r, err)
		return
	}
	h.json(w, r, http.StatusAccepted, pdResponse{Status: "success", Message: "Event processed", DedupKey: ev.DedupKey})
}

// heartbeat records a check-in.
func (h *Handler) heartbeat(w http.ResponseWriter, r *http.Request) {
	// A body, if any, is ignored, but not read without a bound.
	if _, err := readBody(w, r, 64<<10); err != nil {
		h.error(w, r, err)
		return
	}
	token := r.PathValue("token")
	if !isText(token) {
		h.error(w, r, warroom.Errorf(warroom.EUNAUTHORIZED, "unknown monitor token"))
		return
	}
	m, err := h.d.Monitors.CheckIn(r.Context(), token)
	if warroom.ErrorCode(err) == warroom.ENOTFOUND {
		h.error(w, r, warroom.Errorf(warroom.EUNAUTHORIZED, "unknown monitor token"))
		return
	} else if err != nil {
		h.error(w, r, err)
		return
	}
	if m.Status == warroom.MonitorUp && h.d.Wake != nil {
		h.d.Wake()
	}
	h.json(w, r, http.StatusOK, map[string]any{"status": "ok", "monitor": m.Name, "due_at": m.DueAt})
}

// isText reports whether a credential from a URL or header can be looked
// up at all: none is issued with bytes that are not UTF-8 or NUL, which
// PostgreSQL would refuse to compare rather than find nothing.
func isText(s string) bool { return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0 }

func (h *Handler) json(w http.ResponseWriter, r *http.Request, status int, v any) {
	server.JSON(w, r, h.d.Logger, status, v)
}

func (h *Handler) error(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, errUnavailable) {
		w.Header().Set("Retry-After", "5")
		h.json(w, r, http.StatusServiceUnavailable, server.ErrorResponse{Error: server.ErrorDetail{Code: "unavailable", Message: "the server is shutting down; retry"}})
		return
	}
	server.Error(w, r, h.d.Logger, err)
}
