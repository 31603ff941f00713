package app_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/warroomhq/warroom/cmd/warroom/app"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

// TestMetrics serves metrics on their own address and expects requests,
// ingest refusals, engine ticks, the outbox and the pools to show there,
// and nothing of them on the main listener.
func TestMetrics(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		var stderr bytes.Buffer
		m := app.NewMain()
		m.Getenv = func(k string) string {
			return map[string]string{"WARROOM_BOOTSTRAP_TOKEN": "wr_metrics_test_token_0123456789"}[k]
		}
		m.Stderr = &stderr
		if err := m.ParseFlags(context.Background(), []string{"--addr", "127.0.0.1:0", "--database", storetest.DSN(t, engine), "--metrics-addr", "127.0.0.1:0", "--log-format", "json"}); err != nil {
			t.Fatal(err)
		}
		if err := m.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { m.Close() })

		res, err := http.Post(m.Server.URL()+"/ingest/generic", "application/json", strings.NewReader(`{}`))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("ingest without a key = %d", res.StatusCode)
		}
		id := res.Header.Get("X-Request-Id")
		if id == "" {
			t.Error("no X-Request-Id on the response")
		}
		req, _ := http.NewRequest(http.MethodGet, m.Server.URL()+"/api/v1/incidents/42", nil)
		req.Header.Set("Authorization", "Bearer wr_metrics_test_token_0123456789")
		if res, err = http.DefaultClient.Do(req); err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res, err = http.Get(m.Server.URL() + "/metrics"); err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if strings.Contains(string(b), "warroom_http_request_duration_seconds") {
			t.Error("the main listener serves metrics")
		}

		var body string
		deadline := time.Now().Add(10 * time.Second)
		for {
			res, err := http.Get(m.MetricsServer.URL() + "/metrics")
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			body = string(b)
			if strings.Contains(body, `warroom_engine_tick_duration_seconds_count{module="alert-routing"}`) || time.Now().After(deadline) {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		for _, want := range []string{
			`warroom_ingest_requests_total{kind="generic",outcome="refused"} 1`,
			`warroom_http_request_duration_seconds_count{code="4xx",method="GET",route="/api/v1/incidents/{id}"} 1`,
			`warroom_engine_tick_duration_seconds_count{module="alert-routing"}`,
			`warroom_alert_outbox_batches 0`,
			`warroom_alert_routing_lag_seconds 0`,
			`warroom_notification_outbox_depth 0`,
			`warroom_db_connections_open{pool=`,
			`warroom_build_info{`,
		} {
			if !strings.Contains(body, want) {
				t.Errorf("metrics lack %s", want)
			}
		}
		if regexp.MustCompile(`route="[^"]*42`).MatchString(body) {
			t.Error("a raw path is a route label")
		}

		// Every log line is JSON (the first admin's credentials are printed
		// apart, as text for a person); the request's line carries its id.
		found := false
		sc := bufio.NewScanner(strings.NewReader(stderr.String()))
		for sc.Scan() {
			if line := sc.Text(); line == "" || strings.HasPrefix(line, "warroom: created") || strings.HasPrefix(line, "  ") {
				continue
			}
			var rec map[string]any
			if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
				t.Fatalf("log line is not JSON: %q", sc.Text())
			}
			if rec["msg"] == "http request" && rec["request_id"] == id {
				found = true
			}
		}
		if !found {
			t.Errorf("no JSON request log line with request_id %q:\n%s", id, stderr.String())
		}
	})
}

func TestLogFormatInvalid(t *testing.T) {
	m := app.NewMain()
	m.Getenv = func(string) string { return "" }
	err := m.ParseFlags(context.Background(), []string{"--log-format", "xml"})
	if err == nil || !strings.Contains(err.Error(), "--log-format") {
		t.Errorf("--log-format xml: %v, want an error naming the flag", err)
	}
}
