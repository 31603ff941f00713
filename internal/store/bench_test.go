package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

// BenchmarkDeclareIncident measures a durable declaration: the incident, its
// service link, its events and its audit row in one committed transaction.
func BenchmarkDeclareIncident(b *testing.B) {
	for _, engine := range storetest.Engines() {
		b.Run(engine, func(b *testing.B) {
			db := storetest.Open(b, engine, nil)
			_, ctx, _ := storetest.User(b, db, warroom.UserRoleResponder)
			svc := &warroom.Service{Name: "web", Tier: 1}
			if err := db.CreateService(ctx, svc); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				inc := &warroom.Incident{Title: fmt.Sprintf("bench %d", i), Type: warroom.TypeSystemCrash, ServiceIDs: []int64{svc.ID},
					Impact: warroom.Impact{UsersAffected: int64(i)}}
				if err := db.DeclareIncident(ctx, inc); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkFindIncidents measures the incident list: a page of 50 from
// 10,000 incidents, with and without a state filter.
func BenchmarkFindIncidents(b *testing.B) {
	const n = 10_000
	for _, engine := range storetest.Engines() {
		b.Run(engine, func(b *testing.B) {
			db := storetest.Open(b, engine, nil)
			ctx := context.Background()
			if err := store.SeedIncidents(ctx, db, n); err != nil {
				b.Fatal(err)
			}
			for _, tc := range []struct {
				name   string
				filter warroom.IncidentFilter
			}{
				{"all", warroom.IncidentFilter{Limit: 50}},
				{"state", warroom.IncidentFilter{States: []warroom.State{warroom.StateTriggered, warroom.StateAcknowledged}, Limit: 50}},
				{"state+page20", warroom.IncidentFilter{States: []warroom.State{warroom.StateTriggered}, Offset: 1000, Limit: 50}},
			} {
				b.Run(tc.name, func(b *testing.B) {
					for b.Loop() {
						incs, total, err := db.FindIncidents(ctx, tc.filter)
						if err != nil || len(incs) != 50 || total == 0 {
							b.Fatalf("got %d of %d, %v", len(incs), total, err)
						}
					}
				})
			}
		})
	}
}
