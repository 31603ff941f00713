package statuspage

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
)

// maxEntries bounds the cache: history pages and incident pages are keyed
// by numbers a visitor chooses, and memory must not grow with them.
const maxEntries = 2000

// entry is one rendered response, kept plain and gzipped.
type entry struct {
	status int
	ctype  string
	body   []byte
	gz     []byte
	etag   string
	built  time.Time
}

func newEntry(status int, ctype string, body []byte, now time.Time) *entry {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	_, _ = zw.Write(body)
	_ = zw.Close()
	sum := sha256.Sum256(body)
	return &entry{status: status, ctype: ctype, body: body, gz: buf.Bytes(), etag: `"` + hex.EncodeToString(sum[:12]) + `"`, built: now}
}

// cache keeps rendered pages until the status page's version changes or
// they reach maxAge. The version is read at most once per interval, so a
// flood of visitors costs one small query per interval, not one per
// request; while the database is unreachable the last pages stay served,
// which is when people need them most.
type cache struct {
	version  func(context.Context) (int64, error)
	now      func() time.Time
	interval time.Duration
	maxAge   time.Duration

	mu      sync.RWMutex
	entries map[string]*entry
	ver     int64
	checked time.Time
	syncMu  sync.Mutex
	// renders makes concurrent misses of one page wait for one render
	// instead of each rendering it: after a change, the whole outage
	// audience misses at once.
	renders singleflight.Group
}

func newCache(version func(context.Context) (int64, error), now func() time.Time, interval, maxAge time.Duration) *cache {
	return &cache{version: version, now: now, interval: interval, maxAge: maxAge, entries: map[string]*entry{}}
}

// sync re-reads the version when the last check is older than interval and
// drops every page when it changed.
func (c *cache) sync(ctx context.Context) error {
	now := c.now()
	c.mu.RLock()
	fresh := now.Sub(c.checked) < c.interval
	c.mu.RUnlock()
	if fresh {
		return nil
	}
	// One request checks; the others keep serving what is cached.
	if !c.syncMu.TryLock() {
		return nil
	}
	defer c.syncMu.Unlock()
	v, err := c.version(ctx)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.checked = now
	if err != nil {
		return err
	}
	if v != c.ver {
		c.ver, c.entries = v, map[string]*entry{}
	}
	return nil
}

func (c *cache) get(key string) *entry {
	c.mu.RLock()
	e := c.entries[key]
	c.mu.RUnlock()
	if e == nil || c.now().Sub(e.built) >= c.maxAge {
		return nil
	}
	return e
}

func (c *cache) put(key string, e *entry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= maxEntries {
		c.entries = map[string]*entry{}
	}
	c.entries[key] = e
}

// invalidate forgets the version so that the next request re-reads it.
func (c *cache) invalidate() {
	c.mu.Lock()
	c.checked, c.entries = time.Time{}, map[string]*entry{}
	c.mu.Unlock()
}

// renderFunc renders one page in one language.
type renderFunc func(r *http.Request, l *lang) (*entry, error)

// cached serves a page from the cache, rendering it on a miss.
func (h *Handler) cached(render renderFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		code := h.cat.choose(w, r)
		if err := h.cache.sync(r.Context()); err != nil {
			h.d.Logger.Warn("statuspage: version check failed; serving cached pages", "err", err)
		}
		key := code + " " + r.Host + r.URL.Path + "?" + r.URL.Query().Get("page")
		e := h.cache.get(key)
		if e == nil {
			v, err, _ := h.cache.renders.Do(key, func() (any, error) {
				e, err := render(r, h.cat.lang(code))
				if err == nil {
					h.cache.put(key, e)
				}
				return e, err
			})
			if err != nil {
				h.fail(w, r, h.cat.lang(code), err)
				return
			}
			e = v.(*entry)
		}
		hd := w.Header()
		hd.Set("Content-Type", e.ctype)
		// Short enough that a CDN in front of a custom domain stays close to
		// live, long enough to absorb a refresh storm.
		hd.Set("Cache-Control", "public, max-age=15")
		hd.Set("Vary", "Accept-Encoding, Accept-Language, Cookie")
		hd.Set("ETag", e.etag)
		if match := r.Header.Get("If-None-Match"); match != "" && match == e.etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		body := e.body
		if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			hd.Set("Content-Encoding", "gzip")
			body = e.gz
		}
		// A length lets the server write the body in one piece instead of
		// chunking it.
		hd.Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(e.status)
		_, _ = w.Write(body)
	}
}
