package statuspage_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/statuspage"
	"github.com/warroomhq/warroom/internal/store"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

// seedHistory creates n components and 90 days of outages and recoveries
// for them, writing the history straight into the SQLite file in one
// transaction: a durable commit per change would make the setup, not the
// page, the thing measured.
func seedHistory(b *testing.B, n int, now time.Time) *store.DB {
	b.Helper()
	dsn := storetest.DSN(b, store.EngineSQLite)
	created := now.AddDate(0, 0, -91)
	db, err := store.Open(context.Background(), dsn, store.Options{Now: func() time.Time { return created }})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	ctx := context.Background()
	for i := range n {
		c := &warroom.Component{Name: fmt.Sprintf("component-%04d", i), Group: fmt.Sprintf("Region %d", i/100)}
		if err := db.CreateComponent(ctx, c); err != nil {
			b.Fatal(err)
		}
	}
	raw, err := sql.Open("sqlite", "file:"+dsn+"?_pragma=busy_timeout(10000)")
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()
	tx, err := raw.Begin()
	if err != nil {
		b.Fatal(err)
	}
	const layout = "2006-01-02T15:04:05.000000Z"
	for d := range 90 {
		day := now.AddDate(0, 0, d-90).UTC().Truncate(24 * time.Hour)
		for i := 1; i <= n; i++ {
			if (i+d)%15 != 0 {
				continue
			}
			start := day.Add(time.Duration(i%20) * time.Hour)
			for _, ch := range []struct {
				s  warroom.ComponentStatus
				at time.Time
			}{{warroom.ComponentPartialOutage, start}, {warroom.ComponentOperational, start.Add(47 * time.Minute)}} {
				if _, err := tx.Exec(`INSERT INTO component_status_changes (component_id, status, at) VALUES (?, ?, ?)`, i, string(ch.s), ch.at.Format(layout)); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	return db
}

// get fetches url as a browser would, compressed; the body is discarded
// undecoded so that the client's work does not eat the server's share of
// the two cores.
func get(b *testing.B, c *http.Client, url string) {
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Accept-Encoding", "gzip")
	res, err := c.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		b.Fatalf("status %d", res.StatusCode)
	}
}

// BenchmarkStatusPage measures requests per second for /status with 1,000
// components and 90 days of history, over real HTTP with parallel
// clients, beside an empty handler in the same run: the ceiling the
// machine allows. "render" measures a cache miss.
func BenchmarkStatusPage(b *testing.B) {
	now := time.Now().UTC()
	db := seedHistory(b, 1000, now)
	page, err := statuspage.New(statuspage.Deps{StatusPage: db, Subscribers: db})
	if err != nil {
		b.Fatal(err)
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	run := func(b *testing.B, h http.Handler, path string) {
		srv := httptest.NewServer(h)
		defer srv.Close()
		get(b, client, srv.URL+path)
		b.ReportAllocs()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				get(b, client, srv.URL+path)
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
	}
	b.Run("empty", func(b *testing.B) {
		run(b, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}), "/")
	})
	b.Run("status", func(b *testing.B) { run(b, page, "/status") })
	// The same compressed bytes from a handler that does nothing else: the
	// ceiling for a response of the page's size.
	b.Run("same-bytes", func(b *testing.B) {
		srv := httptest.NewServer(page)
		req, _ := http.NewRequest("GET", srv.URL+"/status", nil)
		req.Header.Set("Accept-Encoding", "gzip")
		res, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		srv.Close()
		run(b, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Encoding", "gzip")
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			_, _ = w.Write(body)
		}), "/")
	})
	b.Run("feed", func(b *testing.B) { run(b, page, "/status/feed.atom") })
	b.Run("render", func(b *testing.B) {
		srv := httptest.NewServer(page)
		defer srv.Close()
		var size int64
		b.ResetTimer()
		for range b.N {
			page.Invalidate()
			res, err := client.Get(srv.URL + "/status") // plain, to report the page's size
			if err != nil {
				b.Fatal(err)
			}
			size, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
		}
		b.ReportMetric(float64(size)/1024, "KiB/page")
	})
}
