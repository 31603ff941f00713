// Command ingest is warroom's ingest load tool. It starts warroom
// in-process on a fresh database (SQLite by default, PostgreSQL with
// -database postgres://…), drives it over HTTP on 127.0.0.1 with N
// concurrent senders, and prints throughput and latency percentiles for:
//
//   - ceiling: an empty Go net/http handler, measured in the same run on the
//     same machine with the same client, which is the most any handler
//     could do here;
//   - pd: single-alert PagerDuty Events v2 requests, every one a new alert;
//   - am100: Alertmanager webhooks of 100 new alerts each.
//
// Every 202 counted is a committed alert: warroom answers only after its
// group commit. Usage:
//
//	go run ./bench/ingest -senders 8 -duration 5s
//	go run ./bench/ingest -database 'postgres://postgres@127.0.0.1:5432/test?sslmode=disable'
//
// With PostgreSQL a new database is created on that server for the run and
// dropped afterwards.
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/cmd/warroom/app"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "ingest bench:", err)
		os.Exit(1)
	}
}

// options are the command-line flags.
type options struct {
	database string
	senders  int
	duration time.Duration
	batch    int
	only     string
}

func run() error {
	var o options
	flag.StringVar(&o.database, "database", "", "PostgreSQL server URL (a database is created on it for the run); empty means a new SQLite file in a temporary directory")
	flag.IntVar(&o.senders, "senders", 8, "concurrent senders")
	flag.DurationVar(&o.duration, "duration", 5*time.Second, "how long each scenario runs")
	flag.IntVar(&o.batch, "batch", 100, "alerts per Alertmanager request")
	flag.StringVar(&o.only, "only", "", "run one scenario: ceiling, pd or am100")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	flag.Parse()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}

	ctx := context.Background()
	dsn := o.database
	if dsn == "" {
		dir, err := os.MkdirTemp("", "warroom-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		dsn = filepath.Join(dir, "bench.db")
	} else {
		fresh, drop, err := freshPostgres(ctx, dsn)
		if err != nil {
			return err
		}
		defer drop()
		dsn = fresh
	}
	m := app.NewMain()
	m.Getenv = func(string) string { return "" }
	m.Stderr = io.Discard
	// Request logging is off: the figures are about ingest, not the log.
	m.Logger = slog.New(slog.DiscardHandler)
	if err := m.ParseFlags(ctx, []string{"--addr", "127.0.0.1:0", "--database", dsn}); err != nil {
		return err
	}
	if err := m.Run(ctx); err != nil {
		return err
	}
	defer m.Close()

	svc := &warroom.Service{Name: "bench", Tier: 2}
	if err := m.DB.CreateService(ctx, svc); err != nil {
		return err
	}
	// Alerts group into one incident per alert name, as a real team would
	// configure a noisy source; routing runs beside ingest all along.
	rule := &warroom.RoutingRule{ServiceID: svc.ID, Name: "group", AutoOpen: true, GroupBy: []string{"alertname"}, GroupWindowSeconds: 3600}
	if err := m.DB.CreateRoutingRule(ctx, rule); err != nil {
		return err
	}
	pd := &warroom.Integration{ServiceID: svc.ID, Name: "pd", Kind: warroom.IntegrationPagerDuty}
	am := &warroom.Integration{ServiceID: svc.ID, Name: "am", Kind: warroom.IntegrationAlertmanager}
	for _, in := range []*warroom.Integration{pd, am} {
		if err := m.DB.CreateIntegration(ctx, in); err != nil {
			return err
		}
	}

	fmt.Printf("warroom ingest bench: engine %s, %d senders, %s per scenario, GOMAXPROCS %d\n\n",
		m.DB.Engine(), o.senders, o.duration, runtimeProcs())
	fmt.Printf("%-9s %12s %12s %10s %10s %8s\n", "scenario", "requests/s", "alerts/s", "p50", "p99", "errors")

	var ceiling float64
	if o.only == "" || o.only == "ceiling" {
		srv, err := emptyServer()
		if err != nil {
			return err
		}
		body := []byte(`{"routing_key":"` + pd.Key + `","event_action":"trigger","payload":{"summary":"x","source":"y","severity":"info"}}`)
		r := load(srv+"/v2/enqueue", o, 1, func(int64, []byte) []byte { return body })
		r.print("ceiling", "")
		ceiling = r.rps
	}
	run := rand8()
	if o.only == "" || o.only == "pd" {
		prefix := []byte(`{"routing_key":"` + pd.Key + `","event_action":"trigger","dedup_key":"pd-` + run + `-`)
		suffix := []byte(`","payload":{"summary":"Checkout error rate above 5%","source":"prom-1","severity":"critical","component":"checkout","custom_details":{"rate":0.052,"alertname":"CheckoutErrors"}}}`)
		r := load(m.Server.URL()+"/v2/enqueue", o, 1, func(n int64, buf []byte) []byte {
			buf = append(buf[:0], prefix...)
			buf = strconv.AppendInt(buf, n, 10)
			return append(buf, suffix...)
		})
		note := ""
		if ceiling > 0 {
			note = fmt.Sprintf("%.0f%% of ceiling", 100*r.rps/ceiling)
		}
		r.print("pd", note)
	}
	if o.only == "" || o.only == "am100" {
		u := m.Server.URL() + "/ingest/alertmanager?key=" + url.QueryEscape(am.Key)
		r := load(u, o, o.batch, func(n int64, buf []byte) []byte { return alertmanagerBody(buf, run, n, o.batch) })
		r.print("am"+strconv.Itoa(o.batch), "")
	}
	// Routing drains after the load; report how far behind it was by
	// watching the newest alert.
	start := time.Now()
	if as, _, err := m.DB.FindAlerts(ctx, warroom.AlertFilter{Limit: 1}); err == nil && len(as) == 1 {
		for time.Since(start) < 5*time.Minute {
			if a, err := m.DB.FindAlertByID(ctx, as[0].ID); err != nil || a.Routed {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	fmt.Printf("\nrouting caught up %s after the last request\n", time.Since(start).Round(time.Millisecond))
	return nil
}

func rand8() string {
	b := make([]byte, 4)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// alertmanagerBody is a webhook of batch firing alerts, each new.
func alertmanagerBody(buf []byte, run string, n int64, batch int) []byte {
	buf = append(buf[:0], `{"version":"4","groupKey":"{}:{alertname=\"DiskFull\"}","status":"firing","receiver":"warroom","groupLabels":{"alertname":"DiskFull"},"commonLabels":{"alertname":"DiskFull","severity":"warning"},"externalURL":"http://alertmanager:9093","alerts":[`...)
	for i := range batch {
		if i > 0 {
			buf = append(buf, ',')
		}
		id := strconv.AppendInt(append(strconv.AppendInt(append([]byte(run), '-'), n, 10), '-'), int64(i), 10)
		buf = append(buf, `{"status":"firing","labels":{"alertname":"DiskFull","severity":"warning","instance":"node-`...)
		buf = append(buf, id...)
		buf = append(buf, `:9100","mountpoint":"/var"},"annotations":{"summary":"Disk /var above 90% on node-`...)
		buf = append(buf, id...)
		buf = append(buf, `"},"startsAt":"2025-03-04T09:12:31.512Z","endsAt":"0001-01-01T00:00:00Z","generatorURL":"http://prometheus:9090/graph","fingerprint":"`...)
		buf = append(buf, id...)
		buf = append(buf, `"}`...)
	}
	return append(buf, "]}"...)
}

// result is one scenario's outcome.
type result struct {
	rps, aps  float64
	p50, p99  time.Duration
	errors    int64
	lastError string
}

func (r result) print(name, note string) {
	fmt.Printf("%-9s %12.0f %12.0f %10s %10s %8d  %s\n", name, r.rps, r.aps, r.p50.Round(time.Microsecond), r.p99.Round(time.Microsecond), r.errors, note)
	if r.lastError != "" {
		fmt.Printf("          last error: %s\n", r.lastError)
	}
}

// load runs o.senders senders for o.duration against u, each request's
// body made by body(n) for a unique n; alerts is the alerts per request.
func load(u string, o options, alerts int, body func(n int64, buf []byte) []byte) result {
	tr := &http.Transport{MaxIdleConnsPerHost: o.senders, MaxConnsPerHost: o.senders, DisableCompression: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	var (
		seq     atomic.Int64
		ok      atomic.Int64
		errs    atomic.Int64
		mu      sync.Mutex
		lats    []time.Duration
		lastErr atomic.Value
		wg      sync.WaitGroup
	)
	deadline := time.Now().Add(o.duration)
	start := time.Now()
	for range o.senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf []byte
			mine := make([]time.Duration, 0, 1<<16)
			for time.Now().Before(deadline) {
				buf = body(seq.Add(1), buf)
				t0 := time.Now()
				resp, err := client.Post(u, "application/json", bytes.NewReader(buf))
				if err != nil {
					errs.Add(1)
					lastErr.Store(err.Error())
					continue
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusAccepted {
					errs.Add(1)
					lastErr.Store(fmt.Sprintf("%d %s", resp.StatusCode, b))
					continue
				}
				mine = append(mine, time.Since(t0))
				ok.Add(1)
			}
			mu.Lock()
			lats = append(lats, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	slices.Sort(lats)
	r := result{rps: float64(ok.Load()) / elapsed.Seconds(), errors: errs.Load()}
	r.aps = r.rps * float64(alerts)
	if len(lats) > 0 {
		r.p50, r.p99 = lats[len(lats)/2], lats[len(lats)*99/100]
	}
	if s, _ := lastErr.Load().(string); s != "" {
		r.lastError = s
	}
	return r
}

// emptyServer is the ceiling: a handler that reads the body and answers
// 202 with a small JSON body, as warroom does, and nothing else.
func emptyServer() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	resp := []byte(`{"status":"success","message":"Event processed","dedup_key":"0123456789abcdef0123456789abcdef"}` + "\n")
	go http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusAccepted)
		w.Write(resp)
	}))
	return "http://" + ln.Addr().String(), nil
}

func runtimeProcs() int { return runtime.GOMAXPROCS(0) }
