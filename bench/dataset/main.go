// Command dataset fills a warroom database with a realistic year of
// operations and measures every list, filter, search and page a user reads,
// the way a user reaches them: over HTTP, from a warroom server running as
// its own process on that database.
//
// It bootstraps the database as `warroom serve` does on first start, stops
// the server, generates the year with the store's generator (a million
// alerts over 200 services, 100,000 incidents with their timelines, roles,
// tasks, postmortems and action items, 20,000 changes and 50 people by
// default; the same -seed and -end write the same rows), then starts the
// server again (start-up time with the full database), reads each route
// -reads times in a row and prints p50/p95 per read, the server's memory,
// and the database's size per table. Usage:
//
//	go run ./bench/dataset -database /tmp/year.db
//	go run ./bench/dataset -database 'postgres://postgres@127.0.0.1:5432/test?sslmode=disable'
//	go run ./bench/dataset -database /tmp/year.db -generate=false   # measure again
//
// With PostgreSQL a new database is created on that server and dropped
// afterwards unless -keep is given.
package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"github.com/warroomhq/warroom/bench/benchdb"
	"github.com/warroomhq/warroom/cmd/warroom/app"
	"github.com/warroomhq/warroom/internal/secret"
	"github.com/warroomhq/warroom/internal/store"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "serve-child" {
		if err := serveChild(os.Args[2:]); err != nil {
			fmt.Fprintln(os.Stderr, "dataset serve:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "dataset:", err)
		os.Exit(1)
	}
}

type options struct {
	database string
	keep     bool
	generate bool
	reads    int
	only     string
	spec     store.DatasetSpec
	end      string
}

func parseFlags() (options, error) {
	o := options{spec: store.DefaultDatasetSpec()}
	fs := flag.NewFlagSet("dataset", flag.ContinueOnError)
	fs.StringVar(&o.database, "database", "", "SQLite file path (created if missing) or postgres:// server URL (a new database is created on it)")
	fs.BoolVar(&o.keep, "keep", false, "keep the PostgreSQL database after the run")
	fs.BoolVar(&o.generate, "generate", true, "generate the dataset; false measures an existing database")
	fs.IntVar(&o.reads, "reads", 30, "sequential requests per read after 3 warm-up requests; 0 skips the reads")
	fs.StringVar(&o.only, "only", "", "measure only the reads whose name contains this")
	fs.StringVar(&cpuProfile, "cpuprofile", "", "write the server's CPU profile during the reads to this file")
	fs.Uint64Var(&o.spec.Seed, "seed", o.spec.Seed, "seed of the generator")
	fs.StringVar(&o.end, "end", "", "last day of the period, YYYY-MM-DD (default today, UTC)")
	fs.IntVar(&o.spec.Days, "days", o.spec.Days, "days in the period")
	fs.IntVar(&o.spec.Users, "users", o.spec.Users, "people")
	fs.IntVar(&o.spec.Teams, "teams", o.spec.Teams, "teams")
	fs.IntVar(&o.spec.Services, "services", o.spec.Services, "services")
	fs.IntVar(&o.spec.Alerts, "alerts", o.spec.Alerts, "alerts")
	fs.IntVar(&o.spec.Incidents, "incidents", o.spec.Incidents, "incidents")
	fs.IntVar(&o.spec.Changes, "changes", o.spec.Changes, "changes")
	if err := fs.Parse(os.Args[1:]); err != nil {
		return o, err
	}
	if o.database == "" {
		return o, errors.New("-database is required")
	}
	if o.end != "" {
		t, err := time.Parse(time.DateOnly, o.end)
		if err != nil {
			return o, fmt.Errorf("-end: %w", err)
		}
		o.spec.End = t.Add(24 * time.Hour)
	}
	return o, nil
}

// cpuProfile is passed to the server process, which profiles itself.
var cpuProfile string

func isPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

func run() error {
	o, err := parseFlags()
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	dsn, key := o.database, o.database+".key"
	if isPostgres(dsn) {
		if o.generate {
			fresh, drop, err := benchdb.FreshPostgres(ctx, dsn, "warroom_dataset_", o.keep)
			if err != nil {
				return err
			}
			defer drop()
			dsn = fresh
		}
		key = strings.TrimSuffix(credentialsPath(dsn), ".dataset-credentials") + ".key"
	}
	creds := credentials{token: "wr_dataset_" + randHex(16), password: "dataset password " + randHex(8)}
	if o.generate {
		if err := generate(ctx, dsn, key, creds, o.spec); err != nil {
			return err
		}
	} else if creds, err = savedCredentials(dsn); err != nil {
		return err
	}
	if o.reads == 0 {
		return nil
	}
	srv, err := startServer(ctx, dsn, key, creds)
	if err != nil {
		return err
	}
	defer srv.stop()
	fmt.Printf("\nserver start-up with the database: %s (process start to /readyz answering)\n", srv.startup.Round(time.Millisecond))
	results, err := measure(ctx, srv, dsn, o.reads, o.only)
	if err != nil {
		return err
	}
	printResults(os.Stdout, results, o.reads)
	rss, hwm := srv.memory()
	fmt.Printf("\nserver memory after the reads: RSS %s, peak %s\n", rss, hwm)
	return printSizes(ctx, dsn, o.spec.Alerts)
}

// credentials are the bootstrap admin's, kept next to a SQLite database so
// that a later run with -generate=false can log in again.
type credentials struct{ token, password string }

// credentialsPath is next to a SQLite file; a kept PostgreSQL database's
// are in the temporary directory, named after the database.
func credentialsPath(db string) string {
	if u, err := url.Parse(db); err == nil && isPostgres(db) {
		return filepath.Join(os.TempDir(), strings.TrimPrefix(u.Path, "/")+".dataset-credentials")
	}
	return db + ".dataset-credentials"
}

func savedCredentials(db string) (credentials, error) {
	b, err := os.ReadFile(credentialsPath(db))
	if err != nil {
		return credentials{}, fmt.Errorf("-generate=false needs the credentials of the run that generated %s: %w", db, err)
	}
	token, password, ok := strings.Cut(strings.TrimSpace(string(b)), "\n")
	if !ok {
		return credentials{}, fmt.Errorf("%s: malformed", credentialsPath(db))
	}
	return credentials{token, password}, nil
}

// generate bootstraps the database as a first `warroom serve` would, then
// writes the year into it.
func generate(ctx context.Context, dsn, key string, creds credentials, spec store.DatasetSpec) error {
	srv, err := startServer(ctx, dsn, key, creds)
	if err != nil {
		return fmt.Errorf("bootstrap: %w", err)
	}
	srv.stop()
	if err := os.WriteFile(credentialsPath(dsn), []byte(creds.token+"\n"+creds.password+"\n"), 0o600); err != nil {
		return err
	}
	if isPostgres(dsn) {
		fmt.Printf("database: %s\n", dsn)
	}
	// The store writes the audit log the server keyed (reminders are
	// audited), with the key the server derived from its key file.
	k, err := secret.LoadKey("", key)
	if err != nil {
		return err
	}
	auditKey, err := secret.DeriveKey(k, secret.PurposeAudit)
	if err != nil {
		return err
	}
	db, err := store.Open(ctx, dsn, store.Options{Logger: slog.New(slog.DiscardHandler), AuditKey: auditKey})
	if err != nil {
		return err
	}
	defer db.Close()
	last := map[string]time.Time{}
	spec.Progress = func(table string, rows int) {
		if time.Since(last[table]) > 5*time.Second {
			last[table] = time.Now()
			fmt.Fprintf(os.Stderr, "  %s: %d rows\n", table, rows)
		}
	}
	fmt.Printf("generating: seed %d, %d days, %d alerts, %d incidents, %d changes, %d services, %d people\n",
		spec.Seed, spec.Days, spec.Alerts, spec.Incidents, spec.Changes, spec.Services, spec.Users)
	rep, err := db.GenerateDataset(ctx, spec)
	if err != nil {
		return err
	}
	total := 0
	for _, n := range rep.Rows {
		total += n
	}
	fmt.Printf("generated %d rows in %s (%.0f rows/s)\n", total, rep.Took.Round(time.Second), float64(total)/rep.Took.Seconds())
	return nil
}

// server is a warroom process serving the database.
type server struct {
	cmd     *exec.Cmd
	stdin   io.WriteCloser // the child exits when it closes
	url     string
	creds   credentials
	startup time.Duration
}

// startServer runs this program as `serve-child`, a warroom server on the
// database in a process of its own, so that its start-up and memory are its
// own.
func startServer(ctx context.Context, dsn, key string, creds credentials) (*server, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, self, "serve-child", "--addr", "127.0.0.1:0", "--database", dsn, "--secret-key-file", key,
		// Measured as a year on file: retention would start deleting it.
		"--alert-retention", "forever")
	cmd.Env = append(os.Environ(), "WARROOM_BOOTSTRAP_TOKEN="+creds.token, "WARROOM_BOOTSTRAP_PASSWORD="+creds.password, "DATASET_CPUPROFILE="+cpuProfile)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	began := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return nil, fmt.Errorf("server did not start: %w", err)
	}
	s := &server{cmd: cmd, stdin: stdin, url: strings.TrimSpace(line), creds: creds}
	if err := waitReady(ctx, s.url); err != nil {
		s.stop()
		return nil, err
	}
	s.startup = time.Since(began)
	return s, nil
}

func (s *server) stop() {
	s.stdin.Close()
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	_ = s.cmd.Wait()
}

// memory reads the server's resident and peak resident memory.
func (s *server) memory() (string, string) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return "unknown", "unknown"
	}
	var rss, hwm string
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			rss = strings.TrimSpace(v)
		}
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			hwm = strings.TrimSpace(v)
		}
	}
	return rss, hwm
}

// serveChild is the server process: warroom's own serve, printing its URL
// once listening and stopping when its parent closes stdin or signals.
func serveChild(args []string) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if path := os.Getenv("DATASET_CPUPROFILE"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	m := app.NewMain()
	m.Stderr = io.Discard
	m.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	if err := m.ParseFlags(ctx, args); err != nil {
		return err
	}
	if err := m.Run(ctx); err != nil {
		return err
	}
	defer m.Close()
	fmt.Println(m.Server.URL())
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		stop()
	}()
	<-ctx.Done()
	return nil
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
