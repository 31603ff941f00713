// Package statuspage serves the public status page under /status, without
// login: components and their 90-day uptime, active incidents with their
// public updates, scheduled maintenance, incident history, an Atom feed
// and an email subscription form, in English and Simplified Chinese.
//
// Everything shown is read from the public side of the domain only
// (components, public incidents and updates, maintenance, branding), so
// internal titles, notes, impact numbers and names have no path to it.
// Pages are rendered once per version of the page and served from memory:
// the status page is what everyone opens during an outage.
//
// The package also holds the engine module that fans notices out to
// stakeholders and subscribers and delivers them (notifier.go).
package statuspage

import (
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/warroomhq/warroom"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Deps are what the public page reads and writes, and its settings.
type Deps struct {
	StatusPage  warroom.StatusPageService
	Subscribers warroom.SubscriberService
	Logger      *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// CheckInterval bounds how often the page version is read from the
	// database: a change shows within this interval on every instance.
	// Zero means one second.
	CheckInterval time.Duration
	// MaxAge bounds how long a rendered page is kept even when nothing
	// changed, for what moves with time alone (a maintenance window
	// opening, today's uptime bar). Zero means one minute.
	MaxAge time.Duration
	// SubscribeLimit is how many subscribe requests one client address may
	// make per SubscribeWindow; zero means 5 per 10 minutes.
	SubscribeLimit  int
	SubscribeWindow time.Duration
}

// Handler serves /status. Create it with New.
type Handler struct {
	d       Deps
	cat     *catalog
	pages   map[string]*template.Template
	cache   *cache
	limiter *limiter
	mux     *http.ServeMux
}

// New parses the templates and catalogues once and returns the handler to
// mount at /status/ (and /status).
func New(d Deps) (*Handler, error) {
	if d.StatusPage == nil || d.Subscribers == nil {
		return nil, errors.New("statuspage: StatusPage and Subscribers are required")
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.CheckInterval <= 0 {
		d.CheckInterval = time.Second
	}
	if d.MaxAge <= 0 {
		d.MaxAge = time.Minute
	}
	if d.SubscribeLimit <= 0 {
		d.SubscribeLimit = 5
	}
	if d.SubscribeWindow <= 0 {
		d.SubscribeWindow = 10 * time.Minute
	}
	cat, err := newCatalog()
	if err != nil {
		return nil, fmt.Errorf("statuspage: %w", err)
	}
	pages, err := parseTemplates()
	if err != nil {
		return nil, fmt.Errorf("statuspage: %w", err)
	}
	h := &Handler{d: d, cat: cat, pages: pages, mux: http.NewServeMux(),
		cache:   newCache(d.StatusPage.StatusPageVersion, d.Now, d.CheckInterval, d.MaxAge),
		limiter: newLimiter(d.SubscribeLimit, d.SubscribeWindow, d.Now)}
	static, err := fs.Sub(staticFS, "static")
	if err != nil {
		return nil, fmt.Errorf("statuspage: %w", err)
	}
	files := http.StripPrefix("/status/static/", http.FileServerFS(static))
	h.mux.Handle("GET /status/static/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		files.ServeHTTP(w, r)
	}))
	h.mux.HandleFunc("GET /status", h.cached(h.index))
	h.mux.HandleFunc("GET /status/{$}", h.cached(h.index))
	h.mux.HandleFunc("GET /status/history", h.cached(h.history))
	h.mux.HandleFunc("GET /status/incidents/{id}", h.cached(h.incident))
	h.mux.HandleFunc("GET /status/feed.atom", h.cached(h.feed))
	h.mux.HandleFunc("GET /status/subscribe", h.cached(h.subscribeForm))
	h.mux.HandleFunc("POST /status/subscribe", h.subscribe)
	h.mux.HandleFunc("GET /status/confirm", h.confirmForm)
	h.mux.HandleFunc("POST /status/confirm", h.confirm)
	h.mux.HandleFunc("GET /status/unsubscribe", h.unsubscribeForm)
	h.mux.HandleFunc("POST /status/unsubscribe", h.unsubscribe)
	return h, nil
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

// Invalidate drops every cached page at once, for changes made in this
// process; other instances see them within CheckInterval.
func (h *Handler) Invalidate() { h.cache.invalidate() }

func parseTemplates() (map[string]*template.Template, error) {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		base := n[len("templates/") : len(n)-len(".html")]
		if base == "_layout" {
			continue
		}
		t, err := template.New("").Funcs(funcs).ParseFS(templateFS, "templates/_layout.html", n)
		if err != nil {
			return nil, fmt.Errorf("templates: %s: %w", base, err)
		}
		pages[base] = t
	}
	return pages, nil
}
