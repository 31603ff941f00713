package paging_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/engine"
	"github.com/warroomhq/warroom/internal/notify"
	"github.com/warroomhq/warroom/internal/paging"
	"github.com/warroomhq/warroom/internal/store"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

// recorder is a channel that notes when each incident's first page was
// handed to it.
type recorder struct {
	mu    sync.Mutex
	first map[int64]time.Time
	codes chan string
	wait  map[int64]chan struct{}
	count atomic.Int64
}

func newRecorder() *recorder {
	return &recorder{first: map[int64]time.Time{}, codes: make(chan string, 16), wait: map[int64]chan struct{}{}}
}

func (r *recorder) Notify(_ context.Context, msg *notify.Message) (bool, error) {
	now := time.Now()
	if msg.Kind == warroom.NotifyVerification {
		r.codes <- codeRe.FindString(msg.Text)
		return false, nil
	}
	if msg.Kind != warroom.NotifyPage || msg.Incident == nil {
		return false, nil
	}
	r.count.Add(1)
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.first[msg.Incident.ID]; !ok {
		r.first[msg.Incident.ID] = now
		if c, ok := r.wait[msg.Incident.ID]; ok {
			close(c)
		}
	}
	return false, nil
}

// expect returns a channel closed when incident id is first paged.
func (r *recorder) expect(id int64) <-chan struct{} {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := make(chan struct{})
	if _, ok := r.first[id]; ok {
		close(c)
	} else {
		r.wait[id] = c
	}
	return c
}

// benchWorld is a running warroom: store, pager and engine on the wall
// clock, one user reachable by webhook, one paged service.
type benchWorld struct {
	db      *store.DB
	dsn     string
	eng     *engine.Engine
	rec     *recorder
	ctx     context.Context
	service *warroom.Service
	policy  *warroom.EscalationPolicy
	user    *warroom.User
	stop    func()
}

func newBenchWorld(b *testing.B, engineName string) *benchWorld {
	b.Helper()
	w := &benchWorld{rec: newRecorder(), dsn: storetest.DSN(b, engineName)}
	var eng atomic.Pointer[engine.Engine]
	db, err := store.Open(context.Background(), w.dsn, store.Options{Wake: func() {
		if e := eng.Load(); e != nil {
			e.Wake()
		}
	}})
	if err != nil {
		b.Fatal(err)
	}
	w.db = db
	reg := notify.NewRegistry()
	reg.Register(warroom.ContactWebhook, w.rec)
	pager, err := paging.New(paging.Options{Store: db, Notifier: reg, BaseURL: "http://warroom.test", Wake: func() {
		if e := eng.Load(); e != nil {
			e.Wake()
		}
	}})
	if err != nil {
		b.Fatal(err)
	}
	var mods []engine.Module
	for _, m := range pager.Modules() {
		mods = append(mods, m)
	}
	w.eng = engine.New(engine.Options{Interval: time.Second}, mods...)
	eng.Store(w.eng)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); w.eng.Run(ctx) }()
	w.stop = func() { cancel(); <-done; pager.Close(); db.Close() }
	b.Cleanup(w.stop)

	admin := &warroom.User{Name: "admin", Email: "admin@example.com", Role: warroom.UserRoleAdmin}
	if err := db.CreateUser(context.Background(), admin); err != nil {
		b.Fatal(err)
	}
	w.ctx = warroom.NewContextWithUser(context.Background(), admin)
	w.user = &warroom.User{Name: "oncall", Email: "oncall@example.com", Role: warroom.UserRoleResponder}
	if err := db.CreateUser(w.ctx, w.user); err != nil {
		b.Fatal(err)
	}
	cm := &warroom.ContactMethod{UserID: w.user.ID, Type: warroom.ContactWebhook, Name: "hook", Address: "http://hook.test/"}
	if err := db.CreateContactMethod(w.ctx, cm); err != nil {
		b.Fatal(err)
	}
	if err := db.VerifyContactMethod(w.ctx, w.user.ID, cm.ID, <-w.rec.codes); err != nil {
		b.Fatal(err)
	}
	w.policy = &warroom.EscalationPolicy{Name: "bench", Levels: []warroom.EscalationLevel{{DelaySeconds: 3600, Targets: []warroom.EscalationTarget{{Type: warroom.TargetUser, ID: w.user.ID}}}}}
	if err := db.CreateEscalationPolicy(w.ctx, w.policy); err != nil {
		b.Fatal(err)
	}
	w.service = &warroom.Service{Name: "paged", Tier: 1}
	if err := db.CreateService(w.ctx, w.service); err != nil {
		b.Fatal(err)
	}
	if err := db.SetServiceEscalationPolicy(w.ctx, w.service.ID, w.policy.ID); err != nil {
		b.Fatal(err)
	}
	return w
}

// background ingests rate alerts a second into a service that pages no
// one, in batches every 10 ms as the HTTP ingest path does, until stop.
func (w *benchWorld) background(b *testing.B, rate int) (stop func() int64) {
	svc := &warroom.Service{Name: "noise", Tier: 3}
	if err := w.db.CreateService(w.ctx, svc); err != nil {
		b.Fatal(err)
	}
	integ := &warroom.Integration{ServiceID: svc.ID, Name: "noise", Kind: warroom.IntegrationKind("generic")}
	if err := w.db.CreateIntegration(w.ctx, integ); err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var n atomic.Int64
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		per := rate / 100
		for i := 0; ctx.Err() == nil; i++ {
			<-t.C
			evs := make([]*warroom.AlertEvent, per)
			for j := range evs {
				// A few hundred keys: alerts deduplicate, as real ones do.
				evs[j] = &warroom.AlertEvent{Action: warroom.ActionTrigger, DedupKey: "k" + strconv.Itoa((i*per+j)%300), Summary: "disk", Severity: warroom.AlertSeverity("warning")}
			}
			if err := w.db.IngestAlerts(ctx, []*warroom.AlertBatch{{IntegrationID: integ.ID, ServiceID: svc.ID, Source: "generic", Events: evs}}); err == nil {
				n.Add(int64(per))
			}
		}
	}()
	return func() int64 { cancel(); <-done; return n.Load() }
}

func percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[min(len(s)-1, int(float64(len(s))*p))]
}

// BenchmarkCommitToNotify measures, under 1,000 alerts/s of background
// ingest, the time from declaring an incident on a paged service (the
// commit that starts its escalation) to its first page being handed to a
// channel. The engine is woken by the commit; nothing polls faster than 1s.
func BenchmarkCommitToNotify(b *testing.B) {
	for _, e := range storetest.Engines() {
		b.Run(e, func(b *testing.B) {
			w := newBenchWorld(b, e)
			stop := w.background(b, 1000)
			time.Sleep(500 * time.Millisecond) // let the load settle
			var lat []time.Duration
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				inc := &warroom.Incident{Title: fmt.Sprintf("bench %d", i), Type: warroom.TypeSystemCrash, Severity: warroom.P1, ServiceIDs: []int64{w.service.ID}}
				start := time.Now()
				if err := w.db.DeclareIncident(w.ctx, inc); err != nil {
					b.Fatal(err)
				}
				select {
				case <-w.rec.expect(inc.ID):
				case <-time.After(10 * time.Second):
					b.Fatalf("incident %d was not paged within 10s", inc.ID)
				}
				w.rec.mu.Lock()
				lat = append(lat, w.rec.first[inc.ID].Sub(start))
				w.rec.mu.Unlock()
			}
			b.StopTimer()
			ingested := stop()
			b.ReportMetric(float64(percentile(lat, 0.50).Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(percentile(lat, 0.99).Microseconds())/1000, "p99-ms")
			b.ReportMetric(float64(ingested), "alerts-ingested")
		})
	}
}

// BenchmarkTimerPrecision puts 10,000 escalations due over one minute in
// the database and lets the engine fire them on the wall clock; it reports
// how late each fired (the escalated event's time minus its due time).
func BenchmarkTimerPrecision(b *testing.B) {
	const n, spread = 10_000, time.Minute
	for _, e := range storetest.Engines() {
		b.Run(e, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				w := newBenchWorld(b, e)
				raw := rawDB(b, e, w.dsn)
				t0 := time.Now().Add(10 * time.Second).UTC()
				seed(b, e, raw, w, n, t0, spread)
				w.eng.Wake()
				deadline := time.Now().Add(spread + 2*time.Minute)
				for w.rec.count.Load() < n && time.Now().Before(deadline) {
					time.Sleep(200 * time.Millisecond)
				}
				lat := lateness(b, raw)
				if len(lat) != n {
					b.Fatalf("fired %d escalations, want %d", len(lat), n)
				}
				b.ReportMetric(float64(percentile(lat, 0.50).Microseconds())/1000, "p50-late-ms")
				b.ReportMetric(float64(percentile(lat, 0.99).Microseconds())/1000, "p99-late-ms")
				b.ReportMetric(float64(percentile(lat, 1).Microseconds())/1000, "max-late-ms")
				raw.Close()
			}
		})
	}
}

func rawDB(b *testing.B, engineName, dsn string) *sql.DB {
	driver := "sqlite"
	if engineName == store.EnginePostgres {
		driver = "pgx"
	}
	raw, err := sql.Open(driver, dsn)
	if err != nil {
		b.Fatal(err)
	}
	if driver == "sqlite" {
		raw.Exec(`PRAGMA busy_timeout = 10000`)
		raw.SetMaxOpenConns(1)
	}
	return raw
}

// seed writes n incidents with an escalation each, due evenly over spread
// from t0, in one transaction, as if they had been declared earlier.
func seed(b *testing.B, engineName string, raw *sql.DB, w *benchWorld, n int, t0 time.Time, spread time.Duration) {
	ts := func(t time.Time) any {
		if engineName == store.EnginePostgres {
			return t
		}
		return t.UTC().Format("2006-01-02T15:04:05.000000Z")
	}
	ph := func(q string) string {
		if engineName != store.EnginePostgres {
			return q
		}
		out, k := []byte{}, 0
		for i := 0; i < len(q); i++ {
			if q[i] == '?' {
				k++
				out = append(out, fmt.Sprintf("$%d", k)...)
				continue
			}
			out = append(out, q[i])
		}
		return string(out)
	}
	tx, err := raw.Begin()
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now().UTC()
	for i := 0; i < n; i++ {
		var id int64
		if err := tx.QueryRow(ph(`INSERT INTO incidents (title, type, state, severity, proposed_severity, detected_at, created_at, updated_at)
			VALUES (?, 'system_crash', 'triggered', 'P3', 'P3', ?, ?, ?) RETURNING id`), "timer "+strconv.Itoa(i), ts(now), ts(now), ts(now)).Scan(&id); err != nil {
			b.Fatal(err)
		}
		due := t0.Add(spread * time.Duration(i) / time.Duration(n))
		if _, err := tx.Exec(ph(`INSERT INTO escalations (incident_id, policy_id, level, loop, next_at, created_at) VALUES (?, ?, 0, 0, ?, ?)`), id, w.policy.ID, ts(due), ts(now)); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
}

func lateness(b *testing.B, raw *sql.DB) []time.Duration {
	rows, err := raw.Query(`SELECT at, data FROM events WHERE kind = 'escalated'`)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	var out []time.Duration
	for rows.Next() {
		var at any
		var data string
		if err := rows.Scan(&at, &data); err != nil {
			b.Fatal(err)
		}
		var d struct {
			DueAt time.Time `json:"due_at"`
		}
		if err := json.Unmarshal([]byte(data), &d); err != nil {
			b.Fatal(err)
		}
		var fired time.Time
		switch v := at.(type) {
		case time.Time:
			fired = v
		case string:
			fired, _ = time.Parse(time.RFC3339Nano, v)
		}
		out = append(out, fired.Sub(d.DueAt))
	}
	return out
}
