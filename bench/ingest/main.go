// Command ingest is warroom's ingest load tool. It starts warroom
// in-process on a fresh database (SQLite by default, PostgreSQL with
// -database postgres://…), sets it up through the API as an administrator
// would, drives it over HTTP on 127.0.0.1 with N concurrent senders, and
// prints accepted alerts per second, latency percentiles and the ratio to
// an empty handler for:
//
//   - ceiling: an empty Go net/http handler, measured in the same run on the
//     same machine with the same client and bodies, the most any handler
//     could do here;
//   - nothing: single-alert PagerDuty requests, each a new alert, on a
//     service whose catch-all rule opens nothing: ingest plus routing's
//     fixed cost, the baseline;
//   - default: the same on a service with no rule, as a new user has it:
//     every new alert opens or joins an incident; waits for routing;
//   - grouped: Alertmanager notifications of many new alerts sharing one
//     groupKey each, over a bounded number of groups;
//   - storm: a burst of 20,000 new alerts, then the time until routing has
//     opened every incident and each one's first page reached a webhook;
//   - latency: alert → first page, idle and under background load.
//
// Every 202 counted is a committed alert: warroom answers only after its
// group commit. Usage:
//
//	go run ./bench/ingest -senders 8 -duration 5s
//	go run ./bench/ingest -only storm -storm-as pd -senders 64
//	go run ./bench/ingest -database 'postgres://postgres@127.0.0.1:5432/test?sslmode=disable'
//
// With PostgreSQL a new database is created on that server for the run and
// dropped afterwards.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"time"

	"github.com/warroomhq/warroom/bench/benchdb"
	"github.com/warroomhq/warroom/client"
	"github.com/warroomhq/warroom/cmd/warroom/app"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "ingest bench:", err)
		os.Exit(1)
	}
}

// scenarios in the order they run.
var scenarios = []string{"ceiling", "nothing", "default", "grouped", "storm", "latency"}

// options are the command-line flags.
type options struct {
	database       string
	senders        int
	duration       time.Duration
	batch          int
	groups         int
	groupBy        []string
	only           []string
	rateLimit      int
	stormThreshold int
	stormAlerts    int
	stormAs        string
	stormTimeout   time.Duration
	wait           time.Duration
	probes         int
	probeTimeout   time.Duration
	bgRate         int
	bgKeys         int
	// run makes this run's dedup keys unique.
	run string
}

func (o options) selected(name string) bool { return len(o.only) == 0 || slices.Contains(o.only, name) }

func parseFlags() (options, string, error) {
	var o options
	flag.StringVar(&o.database, "database", "", "PostgreSQL server URL (a database is created on it for the run); empty means a new SQLite file in a temporary directory")
	flag.IntVar(&o.senders, "senders", 8, "concurrent senders")
	flag.DurationVar(&o.duration, "duration", 5*time.Second, "how long each timed scenario (ceiling, nothing, default, grouped) sends")
	flag.IntVar(&o.batch, "batch", 100, "alerts per Alertmanager request (grouped, storm -storm-as am)")
	flag.IntVar(&o.groups, "groups", 20, "distinct Alertmanager groups (groupKeys) the grouped scenario cycles through")
	groupBy := flag.String("group-by", "", "comma-separated labels for a group-by-labels rule on the grouped service; empty leaves it on the default routing (the upstream groupKey)")
	only := flag.String("only", "", "comma-separated scenarios to run: "+strings.Join(scenarios, ", ")+"; empty runs all; the ceiling runs always")
	flag.IntVar(&o.rateLimit, "rate-limit", 0, "events per minute each bench integration accepts; 0 is no limit")
	flag.IntVar(&o.stormThreshold, "storm-threshold", -1, "storm guard of the default, grouped and storm services (incidents per window before alerts fold into one); 0 turns it off, -1 keeps what a new service gets")
	flag.IntVar(&o.stormAlerts, "storm-alerts", 20000, "alerts in the storm burst")
	flag.StringVar(&o.stormAs, "storm-as", "am", "how the storm arrives: am (Alertmanager requests of -batch alerts, one group each) or pd (single-alert PagerDuty requests)")
	flag.DurationVar(&o.stormTimeout, "storm-timeout", 2*time.Minute, "longest the storm burst may take to send")
	flag.DurationVar(&o.wait, "wait", 5*time.Minute, "longest to wait for routing to drain, and then for pages, after a scenario")
	flag.IntVar(&o.probes, "probes", 50, "latency probes in each phase (idle, loaded)")
	flag.DurationVar(&o.probeTimeout, "probe-timeout", 10*time.Second, "longest a latency probe waits for its page")
	flag.IntVar(&o.bgRate, "background-rate", 1000, "alerts per second of background load while probing; 0 skips the loaded phase")
	flag.IntVar(&o.bgKeys, "background-keys", 300, "distinct dedup keys the background cycles through")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	flag.Parse()
	if *groupBy != "" {
		o.groupBy = strings.Split(*groupBy, ",")
	}
	if *only != "" {
		o.only = strings.Split(*only, ",")
		for _, s := range o.only {
			if !slices.Contains(scenarios, s) {
				return o, "", fmt.Errorf("-only: unknown scenario %q (want %s)", s, strings.Join(scenarios, ", "))
			}
		}
	}
	switch {
	case o.senders < 1 || o.senders > 1024:
		return o, "", fmt.Errorf("-senders: must be 1 to 1024")
	case o.batch < 1 || o.batch > 1000:
		return o, "", fmt.Errorf("-batch: must be 1 to 1000")
	case o.groups < 1:
		return o, "", fmt.Errorf("-groups: must be at least 1")
	case o.stormAlerts < 1 || o.stormAlerts > 1000000:
		return o, "", fmt.Errorf("-storm-alerts: must be 1 to 1,000,000")
	case o.probes < 1 || o.probes > 10000:
		return o, "", fmt.Errorf("-probes: must be 1 to 10,000")
	case o.bgRate < 0 || o.bgRate > 100000:
		return o, "", fmt.Errorf("-background-rate: must be 0 to 100,000")
	case o.bgKeys < 1:
		return o, "", fmt.Errorf("-background-keys: must be at least 1")
	}
	o.run = rand8()
	return o, *cpuProfile, nil
}

func run() error {
	o, cpuProfile, err := parseFlags()
	if err != nil {
		return err
	}
	if cpuProfile != "" {
		f, err := os.Create(cpuProfile)
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
	dir, err := os.MkdirTemp("", "warroom-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	dsn := filepath.Join(dir, "bench.db")
	if o.database != "" {
		fresh, drop, err := benchdb.FreshPostgres(ctx, o.database, "warroom_bench_", false)
		if err != nil {
			return err
		}
		defer drop()
		dsn = fresh
	}
	rec, err := newReceiver()
	if err != nil {
		return err
	}
	defer rec.Close()
	token := "wr_bench_" + rand8() + rand8() + rand8() + rand8()
	m := app.NewMain()
	m.Getenv = func(k string) string {
		if k == "WARROOM_BOOTSTRAP_TOKEN" {
			return token
		}
		return ""
	}
	m.Stderr = io.Discard
	// Request logging is off: the figures are about ingest, not the log.
	m.Logger = slog.New(slog.DiscardHandler)
	// The key file sits in the run's directory, not the user's, and the
	// webhook receiver on loopback must be allowed as a destination.
	if err := m.ParseFlags(ctx, []string{"--addr", "127.0.0.1:0", "--database", dsn,
		"--secret-key-file", filepath.Join(dir, "bench.key"), "--outbound-allow", "127.0.0.1"}); err != nil {
		return err
	}
	if err := m.Run(ctx); err != nil {
		return err
	}
	defer m.Close()
	w, err := newWorld(ctx, client.New(m.Server.URL(), token), rec, o)
	if err != nil {
		return fmt.Errorf("set up: %w", err)
	}
	cnt, err := openCounter(dsn)
	if err != nil {
		return err
	}
	defer cnt.Close()

	fmt.Printf("warroom ingest bench: engine %s, %d senders, %s per timed scenario, GOMAXPROCS %d, storm guard %s, load average %s\n\n",
		m.DB.Engine(), o.senders, o.duration, runtime.GOMAXPROCS(0), stormGuard(o.stormThreshold), loadAverage())
	printHeader()
	base := m.Server.URL()
	ceilings, err := measureCeilings(o)
	if err != nil {
		return err
	}
	var nothing float64
	if o.selected("nothing") {
		r := load(base+"/v2/enqueue", o.senders, o.duration, 0, 1, func(n int64, buf []byte) []byte { return pdBody(buf, w.pd["nothing"], "nothing-"+o.run, n) })
		r.print("nothing", ceilings["pd"], "PagerDuty, 1 alert/request, rule opens nothing")
		nothing = r.aps
		if err := settle(ctx, w, cnt, "nothing", r, o); err != nil {
			return err
		}
	}
	if o.selected("default") {
		r := load(base+"/v2/enqueue", o.senders, o.duration, 0, 1, func(n int64, buf []byte) []byte { return pdBody(buf, w.pd["default"], "default-"+o.run, n) })
		note := "PagerDuty, 1 alert/request, no rule"
		if nothing > 0 {
			note += fmt.Sprintf("; default/nothing %.3f", r.aps/nothing)
		}
		r.print("default", ceilings["pd"], note)
		if err := settle(ctx, w, cnt, "default", r, o); err != nil {
			return err
		}
	}
	if o.selected("grouped") {
		u := base + "/ingest/alertmanager?key=" + url.QueryEscape(w.am["grouped"])
		r := load(u, o.senders, o.duration, 0, o.batch, func(n int64, buf []byte) []byte {
			return alertmanagerBody(buf, "grouped-"+o.run, n, o.batch, n%int64(o.groups))
		})
		rule := "default routing"
		if len(o.groupBy) > 0 {
			rule = "grouped by " + strings.Join(o.groupBy, ",")
		}
		size := len(alertmanagerBody(nil, "grouped-"+o.run, 1, o.batch, 1))
		r.print("grouped", ceilings["am"], fmt.Sprintf("Alertmanager, %d alerts (%d KB)/request, %d groups, %s", o.batch, size>>10, o.groups, rule))
		if err := settle(ctx, w, cnt, "grouped", r, o); err != nil {
			return err
		}
	}
	if o.selected("storm") {
		if err := storm(ctx, w, cnt, base, o, ceilings); err != nil {
			return err
		}
	}
	if o.selected("latency") {
		if err := latency(ctx, w, base, o); err != nil {
			return err
		}
	}
	return nil
}

// measureCeilings runs, whatever -only says, the empty handler with the
// PagerDuty body and, when
// a scenario sends Alertmanager batches, with one of those, so that each
// ratio compares like with like and in the same run.
func measureCeilings(o options) (map[string]float64, error) {
	c := map[string]float64{}
	srv, stop, err := emptyServer()
	if err != nil {
		return nil, err
	}
	defer stop()
	pd := pdBody(nil, "R0123456789abcdef0123456789abcdef", o.run, 1)
	r := load(srv+"/v2/enqueue", o.senders, o.duration, 0, 1, func(int64, []byte) []byte { return pd })
	r.print("ceiling", 0, "empty handler, PagerDuty body")
	c["pd"] = r.rps
	if o.selected("grouped") || (o.selected("storm") && o.stormAs == "am") {
		am := alertmanagerBody(nil, o.run, 1, o.batch, 1)
		r := load(srv+"/ingest/alertmanager", o.senders, o.duration, 0, o.batch, func(int64, []byte) []byte { return am })
		r.print("ceiling", 0, fmt.Sprintf("empty handler, Alertmanager body of %d alerts", o.batch))
		c["am"] = r.rps
	}
	return c, nil
}

// settle waits for routing to work through what a timed scenario sent and
// says how far behind it was and what it did, so that the next scenario
// starts on an idle server.
func settle(ctx context.Context, w *world, cnt *counter, name string, r result, o options) error {
	done, err := cnt.drain(ctx, o.wait)
	if err != nil {
		fmt.Printf("%-9s routing: %v\n", "", err)
		return nil
	}
	alerts, attached, failed, incidents, err := cnt.serviceCounts(ctx, w.services[name].ID)
	if err != nil {
		return err
	}
	lag := time.Duration(0)
	if !r.last2xx.IsZero() {
		lag = max(0, done.Sub(r.last2xx))
	}
	fmt.Printf("%-9s routed %s after the last 2xx; %d alerts, %d attached to %d incidents, %d failed routing at least once\n",
		"", lag.Round(time.Millisecond), alerts, attached, incidents, failed)
	return nil
}

func stormGuard(n int) string {
	switch {
	case n < 0:
		return "as a new service has it"
	case n == 0:
		return "off"
	}
	return fmt.Sprintf("%d incidents", n)
}

// loadAverage is the machine's 1, 5 and 15 minute load, where the system
// says it: on a shared machine the figures mean little without it.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) >= 3 {
		return strings.Join(f[:3], " ")
	}
	return "unknown"
}

func rand8() string {
	b := make([]byte, 4)
	rand.Read(b)
	return hex.EncodeToString(b)
}
