package app_test

import (
	"context"
	"io"
	"mime/quotedprintable"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/cmd/warroom/app"
	"github.com/warroomhq/warroom/internal/checkpoint"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

// TestMain_AuditCheckpoints starts the server with a checkpoint file: the
// first checkpoint is written at start, it verifies against the log, and
// each change of the settings between starts is in the audit log.
func TestMain_AuditCheckpoints(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		dsn := storetest.DSN(t, engine)
		file := filepath.Join(t.TempDir(), "checkpoints.jsonl")
		env := map[string]string{"WARROOM_SECRET_KEY": strings.Repeat("ab", 32), "WARROOM_AUDIT_CHECKPOINT": file}
		m, _ := runMain(t, dsn, env)

		var cps []warroom.AuditCheckpoint
		for deadline := time.Now().Add(10 * time.Second); len(cps) == 0 && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			if f, err := os.Open(file); err == nil {
				cps, err = checkpoint.Read(f)
				f.Close()
				if err != nil {
					t.Fatal(err)
				}
			}
		}
		if len(cps) != 1 {
			t.Fatalf("%d checkpoints written at start, want 1", len(cps))
		}
		if v, err := m.DB.VerifyAuditCheckpoints(ctx, cps); err != nil || !v.OK || cps[0].Seq == 0 {
			t.Fatalf("verify against the checkpoint: %+v, %v (checkpoint %+v)", v, err, cps[0])
		}
		m.Close()

		env["WARROOM_AUDIT_CHECKPOINT_EVERY"] = "2h"
		m, _ = runMain(t, dsn, env)
		delete(env, "WARROOM_AUDIT_CHECKPOINT")
		delete(env, "WARROOM_AUDIT_CHECKPOINT_EVERY")
		m.Close()
		m, _ = runMain(t, dsn, env)
		act := warroom.AuditCheckpointSettings
		es, _, err := m.DB.FindAuditEntries(ctx, warroom.AuditFilter{Action: &act})
		if err != nil || len(es) != 3 {
			t.Fatalf("settings entries %+v, %v; want 3 (set, changed, turned off)", es, err)
		}
		if !strings.Contains(string(es[0].Data), `"to":"none"`) || !strings.Contains(string(es[1].Data), "every 2h0m0s to file:"+file) {
			t.Errorf("entries %s, %s", es[0].Data, es[1].Data)
		}
	})
}

func TestConfigAuditCheckpoint(t *testing.T) {
	for _, tt := range []struct {
		cfg  app.Config
		want string
	}{
		{app.Config{AuditCheckpoint: "mailto:audit@example.com"}, "--smtp-host"},
		{app.Config{AuditCheckpoint: "ftp://x/y"}, "--audit-checkpoint"},
		{app.Config{AuditCheckpoint: "/x", AuditCheckpointEvery: "10s"}, "--audit-checkpoint-every"},
	} {
		if _, err := tt.cfg.CheckpointWriter(); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%+v: %v, want an error naming %s", tt.cfg, err, tt.want)
		}
	}
	c := app.Config{AuditCheckpoint: "/x", SMTPHost: "smtp.example.com", SMTPFrom: "warroom@example.com"}
	c.AuditCheckpoint += ",mailto:audit@example.com"
	if w, err := c.CheckpointWriter(); err != nil || len(w.Destinations) != 2 || w.Mail == nil {
		t.Errorf("file and mail: %+v, %v", w, err)
	}
}

// TestMain_AuditCheckpointEmail: a mailto: destination receives the
// checkpoint through the SMTP relay, and the line in the mail verifies.
func TestMain_AuditCheckpointEmail(t *testing.T) {
	box, port := newInbox(t)
	m, _ := runMain(t, storetest.DSN(t, "sqlite"), map[string]string{
		"WARROOM_SECRET_KEY": strings.Repeat("ab", 32), "WARROOM_AUDIT_CHECKPOINT": "mailto:audit@example.com",
		"WARROOM_SMTP_HOST": "127.0.0.1", "WARROOM_SMTP_PORT": strconv.Itoa(port), "WARROOM_SMTP_TLS": "none", "WARROOM_SMTP_FROM": "warroom@example.com",
	})
	var body string
	for deadline := time.Now().Add(10 * time.Second); body == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		box.mu.Lock()
		if len(box.body) > 0 {
			body = box.body[0]
		}
		box.mu.Unlock()
	}
	// The relay sends it quoted-printable, as a mail client decodes it.
	if b, err := io.ReadAll(quotedprintable.NewReader(strings.NewReader(body))); err == nil {
		body = string(b)
	}
	var line string
	for _, l := range strings.Split(body, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), `{"seq":`) {
			line = strings.TrimSpace(l)
		}
	}
	cps, err := checkpoint.Read(strings.NewReader(line))
	if err != nil || len(cps) != 1 {
		t.Fatalf("mail body %q: %v", body, err)
	}
	if v, err := m.DB.VerifyAuditCheckpoints(context.Background(), cps); err != nil || !v.OK {
		t.Errorf("verify against the mailed checkpoint: %+v, %v", v, err)
	}
}
