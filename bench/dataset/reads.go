package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the PostgreSQL driver
	_ "modernc.org/sqlite"             // the SQLite driver
)

// read is one request a user makes, with the p95 it must stay under.
type read struct {
	name, path string
	ui         bool // a web page, read with a session; else the API with a token
	target     time.Duration
}

type result struct {
	read
	p50, p95, max time.Duration
	bytes         int
	status        int
}

const (
	listTarget   = 20 * time.Millisecond
	searchTarget = 50 * time.Millisecond
	pageTarget   = 50 * time.Millisecond
)

// subjects are the ids the reads name: the noisiest service, a recent
// incident with a long timeline, a service's name.
type subjects struct {
	serviceID   int64
	serviceName string
	incident    int64
	quietID     int64
}

func findSubjects(ctx context.Context, dsn string) (subjects, error) {
	driver := "sqlite"
	if isPostgres(dsn) {
		driver = "pgx"
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		return subjects{}, err
	}
	defer db.Close()
	var s subjects
	err = db.QueryRowContext(ctx, `SELECT a.service_id, s.name FROM alerts a JOIN services s ON s.id = a.service_id
		GROUP BY a.service_id, s.name ORDER BY count(*) DESC, a.service_id LIMIT 1`).Scan(&s.serviceID, &s.serviceName)
	if err != nil {
		return s, fmt.Errorf("noisiest service: %w", err)
	}
	if err := db.QueryRowContext(ctx, `SELECT service_id FROM alerts GROUP BY service_id ORDER BY count(*), service_id LIMIT 1`).Scan(&s.quietID); err != nil {
		return s, fmt.Errorf("quietest service: %w", err)
	}
	err = db.QueryRowContext(ctx, `SELECT incident_id FROM events WHERE incident_id > (SELECT max(id) - 1000 FROM incidents)
		GROUP BY incident_id ORDER BY count(*) DESC, incident_id LIMIT 1`).Scan(&s.incident)
	if err != nil {
		return s, fmt.Errorf("recent incident: %w", err)
	}
	return s, nil
}

func reads(s subjects) []read {
	inc := fmt.Sprintf("INC-%d", s.incident)
	svc := fmt.Sprint(s.serviceID)
	q := url.QueryEscape
	return []read{
		{"api alerts (newest)", "/api/v1/alerts", false, listTarget},
		{"api alerts firing", "/api/v1/alerts?status=firing", false, listTarget},
		{"api alerts of a service, firing", "/api/v1/alerts?service=" + svc + "&status=firing", false, listTarget},
		{"api alerts of a service", "/api/v1/alerts?service=" + svc, false, listTarget},
		{"api alerts of a quiet service", fmt.Sprintf("/api/v1/alerts?service=%d", s.quietID), false, listTarget},
		{"api alerts of an incident", "/api/v1/alerts?incident=" + inc, false, listTarget},
		{"api alerts page 100", "/api/v1/alerts?offset=5000&limit=50", false, listTarget},
		{"api alerts q=ReplicationLag", "/api/v1/alerts?q=ReplicationLag", false, searchTarget},
		{"api alerts q=支付回调", "/api/v1/alerts?q=" + q("支付回调"), false, searchTarget},
		{"api incidents (newest)", "/api/v1/incidents", false, listTarget},
		{"api incidents open", "/api/v1/incidents?state=triggered,acknowledged,investigating,identified,mitigated", false, listTarget},
		{"api incidents P0", "/api/v1/incidents?severity=P0", false, listTarget},
		{"api incidents of a service", "/api/v1/incidents?service=" + q(s.serviceName), false, listTarget},
		{"api incidents q=latency", "/api/v1/incidents?q=latency", false, searchTarget},
		{"api incident", "/api/v1/incidents/" + inc, false, listTarget},
		{"api incident events", "/api/v1/incidents/" + inc + "/events", false, listTarget},
		{"api changes", "/api/v1/changes", false, listTarget},
		{"api postmortems", "/api/v1/postmortems", false, listTarget},
		{"api action items", "/api/v1/action-items", false, listTarget},
		{"api search rollback", "/api/v1/search?q=rollback", false, searchTarget},
		{"api search 回滚", "/api/v1/search?q=" + q("回滚"), false, searchTarget},
		{"api search 数据库值班", "/api/v1/search?q=" + q("数据库值班"), false, searchTarget},
		{"ui incidents", "/incidents", true, pageTarget},
		{"ui incident", "/incidents/" + inc, true, pageTarget},
		{"ui alerts", "/alerts", true, pageTarget},
		{"ui alerts of a service, firing", "/alerts?service=" + svc + "&status=firing", true, pageTarget},
		{"ui changes", "/changes", true, pageTarget},
		{"ui postmortems", "/postmortems", true, pageTarget},
		{"ui action items", "/action-items", true, pageTarget},
		{"ui search 回滚", "/search?q=" + q("回滚"), true, pageTarget},
	}
}

func measure(ctx context.Context, srv *server, dsn string, n int, only string) ([]result, error) {
	s, err := findSubjects(ctx, dsn)
	if err != nil {
		return nil, err
	}
	api := &http.Client{Timeout: time.Minute}
	jar, _ := cookiejar.New(nil)
	ui := &http.Client{Timeout: time.Minute, Jar: jar}
	if err := login(ctx, ui, srv); err != nil {
		return nil, err
	}
	var out []result
	for _, rd := range reads(s) {
		if !strings.Contains(rd.name, only) {
			continue
		}
		c := api
		if rd.ui {
			c = ui
		}
		r := result{read: rd}
		var ds []time.Duration
		for i := 0; i < n+3; i++ {
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.url+rd.path, nil)
			if !rd.ui {
				req.Header.Set("Authorization", "Bearer "+srv.creds.token)
			}
			began := time.Now()
			res, err := c.Do(req)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", rd.name, err)
			}
			b, err := io.ReadAll(res.Body)
			res.Body.Close()
			took := time.Since(began)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", rd.name, err)
			}
			r.status, r.bytes = res.StatusCode, len(b)
			if res.StatusCode != http.StatusOK {
				return nil, fmt.Errorf("%s: GET %s: status %d: %.300s", rd.name, rd.path, res.StatusCode, b)
			}
			if i >= 3 {
				ds = append(ds, took)
			}
		}
		slices.Sort(ds)
		r.p50, r.p95, r.max = ds[len(ds)/2], ds[(len(ds)*95+99)/100-1], ds[len(ds)-1]
		out = append(out, r)
	}
	return out, nil
}

// login signs in through the login form, as a browser does.
func login(ctx context.Context, c *http.Client, srv *server) error {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.url+"/login", nil)
	res, err := c.Do(req)
	if err != nil {
		return err
	}
	res.Body.Close()
	u, _ := url.Parse(srv.url + "/login")
	var token string
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == "warroom_login" {
			token = ck.Value
		}
	}
	form := url.Values{"email": {"admin@localhost"}, "password": {srv.creds.password}, "csrf_token": {token}, "next": {"/incidents"}}
	req, _ = http.NewRequestWithContext(ctx, http.MethodPost, srv.url+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res, err = c.Do(req)
	c.CheckRedirect = nil
	if err != nil {
		return err
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		return fmt.Errorf("login: status %d", res.StatusCode)
	}
	return nil
}

func waitReady(ctx context.Context, base string) error {
	deadline := time.Now().Add(10 * time.Minute)
	for time.Now().Before(deadline) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/readyz", nil)
		if res, err := http.DefaultClient.Do(req); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	return fmt.Errorf("%s/readyz did not answer 200 within 10 minutes", base)
}

func printResults(w io.Writer, rs []result, n int) {
	fmt.Fprintf(w, "\nreads: %d sequential requests each after 3 warm-up requests\n", n)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "read\tp50\tp95\tmax\tbytes\ttarget p95\t\t")
	over := 0
	for _, r := range rs {
		verdict := "ok"
		if r.p95 > r.target {
			verdict, over = "OVER", over+1
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%s\t\n", r.name, ms(r.p50), ms(r.p95), ms(r.max), r.bytes, ms(r.target), verdict)
	}
	tw.Flush()
	fmt.Fprintf(w, "%d of %d reads over their target\n", over, len(rs))
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }

// printSizes prints the database's size, per table and per million alerts.
func printSizes(ctx context.Context, dsn string, alerts int) error {
	var total int64
	if isPostgres(dsn) {
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			return err
		}
		defer db.Close()
		if err := db.QueryRowContext(ctx, `SELECT pg_database_size(current_database())`).Scan(&total); err != nil {
			return err
		}
	} else {
		for _, suffix := range []string{"", "-wal"} {
			if fi, err := os.Stat(dsn + suffix); err == nil {
				total += fi.Size()
			}
		}
	}
	fmt.Printf("database size: %.1f MB", float64(total)/1e6)
	if alerts > 0 {
		fmt.Printf(" (%.2f GB per million alerts with their incidents; `warroom stats` shows each table)", float64(total)/1e9*1e6/float64(alerts))
	}
	fmt.Println()
	return nil
}
