package metrics

import (
	"context"
	"database/sql"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/warroomhq/warroom/internal/server"
	"github.com/warroomhq/warroom/internal/store"
)

type nopSource struct{}

func (nopSource) Backlog(context.Context) (store.Backlog, error) { return store.Backlog{}, nil }
func (nopSource) PoolStats() map[string]sql.DBStats              { return nil }

// BenchmarkIngestMiddleware is what every ingest request pays before its
// handler: the server's middleware alone ("plain") and with metrics
// ("instrumented"). Compare the two ns/op for the cost of the metrics.
func BenchmarkIngestMiddleware(b *testing.B) {
	accepted := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusAccepted) })
	m := New(nopSource{}, time.Now)
	route := func(*http.Request) string { return "/ingest/generic" }
	for _, tt := range []struct {
		name string
		h    http.Handler
	}{
		{"plain", server.WithMiddleware(accepted, slog.New(slog.DiscardHandler))},
		{"instrumented", server.WithMiddleware(m.Instrument(accepted, route), slog.New(slog.DiscardHandler))},
	} {
		b.Run(tt.name, func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				req := httptest.NewRequest(http.MethodPost, "/ingest/generic?key=k", nil)
				for pb.Next() {
					tt.h.ServeHTTP(httptest.NewRecorder(), req)
				}
			})
		})
	}
}
