package e2e_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/cmd/warroom/app"
	"github.com/warroomhq/warroom/internal/store"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

// Environment of the child process TestIngestSurvivesKill starts: the test
// binary itself, serving until it is killed.
const (
	childDSNEnv  = "WARROOM_E2E_CHILD_DSN"
	childAddrEnv = "WARROOM_E2E_CHILD_ADDR_FILE"
)

// TestIngestSurvivesKill sends PagerDuty events from several senders to a
// server in another process, kills it with SIGKILL mid-stream, and checks
// that every event answered 202 is in the database: a 2xx means committed.
func TestIngestSurvivesKill(t *testing.T) {
	if dsn := os.Getenv(childDSNEnv); dsn != "" {
		serveChild(t, dsn)
		return
	}
	storetest.Run(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		dsn := storetest.DSN(t, engine)
		db, err := store.Open(ctx, dsn, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		svc := &warroom.Service{Name: "orders", Tier: 1}
		if err := db.CreateService(ctx, svc); err != nil {
			t.Fatal(err)
		}
		in := &warroom.Integration{ServiceID: svc.ID, Name: "pd", Kind: warroom.IntegrationPagerDuty}
		if err := db.CreateIntegration(ctx, in); err != nil {
			t.Fatal(err)
		}
		db.Close()

		addrFile := filepath.Join(t.TempDir(), "addr")
		cmd := exec.Command(os.Args[0], "-test.run=^TestIngestSurvivesKill$", "-test.count=1")
		cmd.Env = append(os.Environ(), childDSNEnv+"="+dsn, childAddrEnv+"="+addrFile)
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		defer cmd.Process.Kill()
		url := waitForFile(t, addrFile)

		var (
			mu       sync.Mutex
			accepted []string
			wg       sync.WaitGroup
		)
		stop := make(chan struct{})
		client := &http.Client{Timeout: 5 * time.Second}
		for s := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					key := fmt.Sprintf("s%d-%d", s, i)
					body, _ := json.Marshal(map[string]any{"routing_key": in.Key, "event_action": "trigger", "dedup_key": key,
						"payload": map[string]any{"summary": "order backlog", "source": "e2e", "severity": "error"}})
					resp, err := client.Post(url+"/v2/enqueue", "application/json", bytes.NewReader(body))
					if err != nil {
						return // the server is gone
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode == http.StatusAccepted {
						mu.Lock()
						accepted = append(accepted, key)
						mu.Unlock()
					}
				}
			}()
		}
		// Kill once a good number of events is in, while more are in flight.
		deadline := time.Now().Add(20 * time.Second)
		for time.Now().Before(deadline) {
			mu.Lock()
			n := len(accepted)
			mu.Unlock()
			if n >= 300 {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		cmd.Wait()
		close(stop)
		wg.Wait()
		if len(accepted) < 300 {
			t.Fatalf("only %d events accepted before the kill", len(accepted))
		}

		db, err = store.Open(ctx, dsn, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		stored := map[string]bool{}
		for offset := 0; ; offset += warroom.MaxPageSize {
			as, total, err := db.FindAlerts(ctx, warroom.AlertFilter{IntegrationID: &in.ID, Offset: offset, Limit: warroom.MaxPageSize})
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range as {
				stored[a.DedupKey] = true
			}
			if offset+len(as) >= total || len(as) == 0 {
				break
			}
		}
		var lost []string
		for _, k := range accepted {
			if !stored[k] {
				lost = append(lost, k)
			}
		}
		if len(lost) > 0 {
			t.Errorf("%d of %d accepted events lost after kill: %v", len(lost), len(accepted), lost[:min(len(lost), 10)])
		}
		t.Logf("%s: %d events accepted before SIGKILL, all stored (%d rows)", engine, len(accepted), len(stored))
	})
}

// serveChild runs the server until the process is killed.
func serveChild(t *testing.T, dsn string) {
	m := app.NewMain()
	m.Getenv = func(k string) string {
		return map[string]string{"WARROOM_BOOTSTRAP_TOKEN": adminToken, "WARROOM_BOOTSTRAP_PASSWORD": "e2e password, long enough"}[k]
	}
	m.Stderr = io.Discard
	m.Logger = slog.New(slog.DiscardHandler)
	if err := m.ParseFlags(context.Background(), []string{"--addr", "127.0.0.1:0", "--database", dsn}); err != nil {
		t.Fatal(err)
	}
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(os.Getenv(childAddrEnv)+".tmp", []byte(m.Server.URL()), 0o600); err != nil {
		t.Fatal(err)
	}
	os.Rename(os.Getenv(childAddrEnv)+".tmp", os.Getenv(childAddrEnv))
	select {}
}

func waitForFile(t *testing.T, path string) string {
	t.Helper()
	for range 600 {
		if b, err := os.ReadFile(path); err == nil && len(b) > 0 {
			return strings.TrimSpace(string(b))
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("the child server did not start")
	return ""
}
