package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/warroomhq/warroom/cmd/warroom/app"
	"github.com/warroomhq/warroom/internal/store"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

// TestBackupUnderIngestLoad backs up a database while alerts pour in,
// restores the backup into a new database, and expects every alert the
// server acknowledged with a 2xx before the backup started to be there,
// with an intact audit chain.
func TestBackupUnderIngestLoad(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		dir := t.TempDir()
		dsn := storetest.DSN(t, engine)
		key := filepath.Join(dir, "warroom.key")
		env := map[string]string{
			"WARROOM_BOOTSTRAP_TOKEN": testToken, "WARROOM_BOOTSTRAP_PASSWORD": "correct horse battery staple",
			"WARROOM_DATABASE": dsn, "WARROOM_SECRET_KEY_FILE": key,
		}
		m := app.NewMain()
		m.Getenv = func(k string) string { return env[k] }
		m.Logger = slog.New(slog.DiscardHandler)
		m.Stderr = &bytes.Buffer{}
		if err := m.ParseFlags(context.Background(), []string{"--addr", "127.0.0.1:0"}); err != nil {
			t.Fatal(err)
		}
		if err := m.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { m.Close() })

		ok(t, m, "service", "create", "payments")
		out := ok(t, m, "integration", "create", "payments", "load", "--kind", "generic")
		url := strings.TrimSpace(out[strings.Index(out, "send to: ")+len("send to: "):])

		var (
			mu    sync.Mutex
			acked []string
			stop  = make(chan struct{})
			wg    sync.WaitGroup
		)
		for w := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					k := fmt.Sprintf("w%d-%d", w, i)
					resp, err := http.Post(url, "application/json", strings.NewReader(`{"summary":"load","severity":"warning","dedup_key":"`+k+`"}`))
					if err != nil {
						continue
					}
					resp.Body.Close()
					if resp.StatusCode/100 == 2 {
						mu.Lock()
						acked = append(acked, k)
						mu.Unlock()
					}
				}
			}()
		}
		time.Sleep(500 * time.Millisecond)
		mu.Lock()
		before := append([]string(nil), acked...)
		mu.Unlock()
		backup := filepath.Join(dir, "backup")
		r := warroomCLIEnv(t, env, "", "backup", backup)
		time.Sleep(200 * time.Millisecond)
		close(stop)
		wg.Wait()
		if r.code != exitOK || !strings.Contains(r.stdout, "backup written to "+backup) || !strings.Contains(r.stdout, "audit log intact") {
			t.Fatalf("backup: code %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
		}
		if len(before) == 0 {
			t.Fatal("no alert was acknowledged before the backup")
		}
		if r := warroomCLIEnv(t, env, "", "backup", backup); r.code != exitFailure || !strings.Contains(r.stderr, "already exists") {
			t.Errorf("backup over a file: code %d, stderr %q", r.code, r.stderr)
		}
		if r := warroomCLIEnv(t, env, "", "restore", backup); r.code != exitFailure || !strings.Contains(r.stderr, "--replace") {
			t.Errorf("restore over a database without --replace: code %d, stderr %q", r.code, r.stderr)
		}
		if engine == store.EngineSQLite {
			if r := warroomCLIEnv(t, env, "", "restore", backup, "--replace"); r.code != exitFailure || !strings.Contains(r.stderr, "in use") {
				t.Errorf("restore over a served database: code %d, stderr %q", r.code, r.stderr)
			}
		}

		restored := storetest.DSN(t, engine)
		renv := map[string]string{"WARROOM_DATABASE": restored, "WARROOM_SECRET_KEY_FILE": key}
		r = warroomCLIEnv(t, renv, "", "restore", backup)
		if r.code != exitOK || !strings.Contains(r.stdout, "audit log intact") {
			t.Fatalf("restore: code %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
		}
		driver := "sqlite"
		if engine == store.EnginePostgres {
			driver = "pgx"
		}
		raw, err := sql.Open(driver, restored)
		if err != nil {
			t.Fatal(err)
		}
		defer raw.Close()
		rows, err := raw.Query(`SELECT dedup_key FROM alerts`)
		if err != nil {
			t.Fatal(err)
		}
		have := map[string]bool{}
		for rows.Next() {
			var k string
			if err := rows.Scan(&k); err != nil {
				t.Fatal(err)
			}
			have[k] = true
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		missing := 0
		for _, k := range before {
			if !have[k] {
				missing++
			}
		}
		if missing > 0 {
			t.Errorf("%d of %d alerts acknowledged before the backup are missing from the restored copy", missing, len(before))
		}
		t.Logf("%s: %d acknowledged before the backup, %d in the restored copy", engine, len(before), len(have))
	})
}
