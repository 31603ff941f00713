package store_test

import (
	"context"
	"testing"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

// TestBacklog stores alerts and expects the alert outbox to show them
// until routing has run.
func TestBacklog(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		ctx := context.Background()
		b, err := e.db.Backlog(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if b.AlertBatches != 0 || !b.OldestAlertBatch.IsZero() || b.NotificationsDue != 0 {
			t.Fatalf("empty database: %+v", b)
		}
		svc := e.service(t, "payments")
		in := &warroom.Integration{ServiceID: svc.ID, Name: "am", Kind: warroom.IntegrationGeneric}
		if err := e.db.CreateIntegration(e.ctx, in); err != nil {
			t.Fatal(err)
		}
		batch := &warroom.AlertBatch{IntegrationID: in.ID, ServiceID: svc.ID, Source: "generic", Events: []*warroom.AlertEvent{{Summary: "down", DedupKey: "a", Severity: "critical", Action: warroom.ActionTrigger}}}
		if err := e.db.IngestAlerts(ctx, []*warroom.AlertBatch{batch}); err != nil {
			t.Fatal(err)
		}
		if b, err = e.db.Backlog(ctx); err != nil || b.AlertBatches != 1 || !b.OldestAlertBatch.Equal(e.clock.Now()) {
			t.Fatalf("after ingest: %+v, %v; want 1 batch at %v", b, err, e.clock.Now())
		}
		if _, err := e.db.RouteAlerts(ctx, e.clock.Now(), 100); err != nil {
			t.Fatal(err)
		}
		if b, err = e.db.Backlog(ctx); err != nil || b.AlertBatches != 0 {
			t.Fatalf("after routing: %+v, %v", b, err)
		}
		if got := e.db.PoolStats(); len(got) == 0 {
			t.Error("no pool statistics")
		}
	})
}
