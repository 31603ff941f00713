package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/checkpoint"
	"github.com/warroomhq/warroom/internal/engine"
	"github.com/warroomhq/warroom/internal/notify"
	"github.com/warroomhq/warroom/internal/notify/email"
	"github.com/warroomhq/warroom/internal/secret"
)

// CheckpointEvery returns how often serve writes an audit checkpoint.
func (c *Config) CheckpointEvery() (time.Duration, error) {
	if c.AuditCheckpointEvery == "" {
		return time.Hour, nil
	}
	d, err := time.ParseDuration(c.AuditCheckpointEvery)
	if err != nil || d < time.Minute {
		return 0, fmt.Errorf("--audit-checkpoint-every: %q is not a duration of a minute or more, such as 1h", c.AuditCheckpointEvery)
	}
	return d, nil
}

// CheckpointWriter returns the writer for the AuditCheckpoint destinations,
// nil when there are none. Email goes through the SMTP relay; webhooks are
// the operator's own and are not held to the outbound policy for URLs that
// users configure.
func (c *Config) CheckpointWriter() (*checkpoint.Writer, error) {
	ds, err := checkpoint.ParseDestinations(c.AuditCheckpoint)
	if err != nil {
		return nil, fmt.Errorf("--audit-checkpoint: %w", err)
	}
	if _, err := c.CheckpointEvery(); err != nil {
		return nil, err
	}
	if len(ds) == 0 {
		return nil, nil
	}
	w := &checkpoint.Writer{Destinations: ds}
	ec, err := c.Email()
	if err != nil {
		return nil, err
	}
	if ec != nil {
		n, err := email.New(*ec)
		if err != nil {
			return nil, fmt.Errorf("--audit-checkpoint: %w", err)
		}
		w.Mail = func(ctx context.Context, to, subject, body string, at time.Time) error {
			_, err := n.Notify(ctx, &notify.Message{ID: at.UnixMilli(), Kind: "audit_checkpoint", Subject: subject, Text: body, At: at,
				To: notify.Destination{Type: warroom.ContactEmail, Address: to}})
			return err
		}
	}
	for _, d := range ds {
		if d.Kind == checkpoint.KindEmail && w.Mail == nil {
			return nil, fmt.Errorf("--audit-checkpoint: %s needs an SMTP relay (--smtp-host)", d)
		}
	}
	return w, nil
}

// checkpointSettings is the whole checkpoint configuration, and what the
// audit log shows of it.
func (c *Config) checkpointSettings() (settings, desc string) {
	w, _ := c.CheckpointWriter()
	if w == nil {
		return "", "none"
	}
	every, _ := c.CheckpointEvery()
	var ds []string
	for _, d := range w.Destinations {
		ds = append(ds, d.String())
	}
	return "every=" + every.String() + ";" + c.AuditCheckpoint, "every " + every.String() + " to " + strings.Join(ds, ", ")
}

// recordCheckpointSettings audits a change of the checkpoint settings
// since the last start: turning them off is what someone about to rewrite
// the log would do first.
func (m *Main) recordCheckpointSettings(ctx context.Context) error {
	settings, desc := m.Config.checkpointSettings()
	changed, err := m.DB.RecordAuditCheckpointSettings(ctx, settings, desc)
	if err != nil {
		return fmt.Errorf("audit checkpoint settings: %w", err)
	}
	if changed {
		m.Logger.Warn("audit checkpoint settings changed; recorded in the audit log", "now", desc)
	}
	return nil
}

// auditModules writes checkpoints on schedule when destinations are set.
func (m *Main) auditModules() []engine.Module {
	w, err := m.Config.CheckpointWriter()
	if err != nil || w == nil {
		return nil
	}
	every, _ := m.Config.CheckpointEvery()
	return []engine.Module{&engine.AuditCheckpoints{Checkpoints: m.DB, Every: every, Write: w.Write, Logger: m.Logger}}
}

// ExistingAuditKey returns the audit key for the commands that read the
// database directly, nil when there is no secret key yet: unlike serve,
// they never create a key file.
func (c *Config) ExistingAuditKey() ([]byte, error) {
	if strings.TrimSpace(c.SecretKey) == "" {
		path, err := c.secretKeyPath()
		if err != nil {
			return nil, err
		}
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
		key, err := secret.LoadKey("", path)
		if err != nil {
			return nil, err
		}
		return secret.DeriveKey(key, secret.PurposeAudit)
	}
	key, err := secret.LoadKey(c.SecretKey, "")
	if err != nil {
		return nil, err
	}
	return secret.DeriveKey(key, secret.PurposeAudit)
}
