package engine

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/warroomhq/warroom"
)

// AuditCheckpoints is the module that writes the audit chain head out of
// the database every Every: to a file, a mailbox or a webhook that someone
// with the database cannot reach, so that cutting the newest entries or
// emptying the log shows against it. When is a column (the store's
// checkpoint_due), so a restart does not write two and of several
// instances one writes each; a crash between the claim and the write
// skips one interval.
type AuditCheckpoints struct {
	Checkpoints warroom.AuditCheckpointer
	Every       time.Duration
	// Write sends the checkpoint to every destination; an error retries
	// after Retry (default one minute).
	Write  func(ctx context.Context, cp *warroom.AuditCheckpoint) error
	Retry  time.Duration
	Logger *slog.Logger
}

// Name implements Module.
func (m *AuditCheckpoints) Name() string { return "audit_checkpoints" }

// Tick implements Module.
func (m *AuditCheckpoints) Tick(ctx context.Context, now time.Time) error {
	cp, err := m.Checkpoints.ClaimAuditCheckpoint(ctx, now, m.Every)
	if err != nil || cp == nil {
		return err
	}
	if err := m.Write(ctx, cp); err != nil {
		retry := m.Retry
		if retry <= 0 {
			retry = time.Minute
		}
		if derr := m.Checkpoints.DeferAuditCheckpoint(ctx, now.Add(retry)); derr != nil {
			return fmt.Errorf("audit checkpoint: %w; and deferring it: %v", err, derr)
		}
		return fmt.Errorf("audit checkpoint: %w", err)
	}
	if m.Logger != nil {
		m.Logger.Info("audit checkpoint written", "seq", cp.Seq, "at", cp.At)
	}
	return nil
}
