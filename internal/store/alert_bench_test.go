package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

// BenchmarkIngestAlerts measures the group commit's transaction: 8
// requests of 100 new alerts each, committed at once. Reported per alert.
func BenchmarkIngestAlerts(b *testing.B) {
	for _, engine := range storetest.Engines() {
		b.Run(engine, func(b *testing.B) {
			db := storetest.Open(b, engine, nil)
			ctx := context.Background()
			s := &warroom.Service{Name: "bench", Tier: 1}
			if err := db.CreateService(ctx, s); err != nil {
				b.Fatal(err)
			}
			in := &warroom.Integration{ServiceID: s.ID, Name: "am", Kind: warroom.IntegrationAlertmanager}
			if err := db.CreateIntegration(ctx, in); err != nil {
				b.Fatal(err)
			}
			raw := []byte(`{"status":"firing","labels":{"alertname":"DiskFull","instance":"node-1:9100"},"annotations":{"summary":"Disk /var above 90%"},"startsAt":"2025-03-04T09:12:31.512Z","fingerprint":"0123456789abcdef"}`)
			n := 0
			b.ResetTimer()
			for b.Loop() {
				batches := make([]*warroom.AlertBatch, 8)
				for i := range batches {
					evs := make([]*warroom.AlertEvent, 100)
					for j := range evs {
						n++
						evs[j] = &warroom.AlertEvent{Action: warroom.ActionTrigger, DedupKey: fmt.Sprint("k", n), Summary: "Disk /var above 90%",
							Severity: warroom.AlertWarning, Labels: map[string]string{"alertname": "DiskFull", "instance": "node-1:9100", "severity": "warning"},
							Details: []byte(`{"annotations":{"summary":"Disk /var above 90%"}}`), Links: []warroom.Link{{Href: "http://prometheus:9090/graph", Text: "source"}}, Raw: raw}
					}
					batches[i] = &warroom.AlertBatch{IntegrationID: in.ID, ServiceID: s.ID, Source: "alertmanager", Events: evs}
				}
				if err := db.IngestAlerts(ctx, batches); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "alerts/s")
		})
	}
}
