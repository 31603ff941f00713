package store_test

import (
	"testing"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

func TestServices(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		pay := e.service(t, "payments")
		e.service(t, "auth")
		t.Run("Find", func(t *testing.T) {
			got, err := e.db.FindServiceByName(e.ctx, "payments")
			if err != nil || got.ID != pay.ID || !got.CreatedAt.Equal(pay.CreatedAt) {
				t.Fatalf("by name = %+v, %v", got, err)
			}
			got, err = e.db.FindServiceByID(e.ctx, pay.ID)
			if err != nil || got.Name != "payments" {
				t.Fatalf("by id = %+v, %v", got, err)
			}
			ss, n, err := e.db.FindServices(e.ctx, warroom.ServiceFilter{})
			if err != nil || n != 2 || ss[0].Name != "auth" {
				t.Fatalf("all = %+v total %d, %v", ss, n, err)
			}
			ss, n, _ = e.db.FindServices(e.ctx, warroom.ServiceFilter{Query: ptr("PAY")})
			if n != 1 || ss[0].ID != pay.ID {
				t.Fatalf("query = %+v", ss)
			}
		})
		t.Run("Update", func(t *testing.T) {
			e.clock.Add(time.Second)
			got, err := e.db.UpdateService(e.ctx, pay.ID, warroom.ServiceUpdate{Team: ptr("money"), Tier: ptr(2)})
			if err != nil || got.Team != "money" || got.Tier != 2 || !got.UpdatedAt.After(pay.UpdatedAt) {
				t.Fatalf("updated = %+v, %v", got, err)
			}
			if len(e.audits(t, warroom.AuditServiceUpdate)) != 1 {
				t.Fatal("want one update audit row")
			}
		})
		t.Run("ErrConflict", func(t *testing.T) {
			err := e.db.CreateService(e.ctx, &warroom.Service{Name: "payments", Tier: 1})
			wantCode(t, err, warroom.ECONFLICT)
			_, err = e.db.UpdateService(e.ctx, pay.ID, warroom.ServiceUpdate{Name: ptr("auth")})
			wantCode(t, err, warroom.ECONFLICT)
			if len(e.audits(t, warroom.AuditServiceCreate)) != 2 || len(e.audits(t, warroom.AuditServiceUpdate)) != 1 {
				t.Fatal("a refused change wrote an audit row")
			}
		})
		t.Run("ErrInvalid", func(t *testing.T) {
			wantField(t, e.db.CreateService(e.ctx, &warroom.Service{Name: "x", Tier: 9}), "tier")
			_, err := e.db.UpdateService(e.ctx, pay.ID, warroom.ServiceUpdate{Name: ptr("Bad Name")})
			wantField(t, err, "name")
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			_, err := e.db.FindServiceByID(e.ctx, 999)
			wantCode(t, err, warroom.ENOTFOUND)
			_, err = e.db.FindServiceByName(e.ctx, "nope")
			wantCode(t, err, warroom.ENOTFOUND)
			_, err = e.db.UpdateService(e.ctx, 999, warroom.ServiceUpdate{Tier: ptr(1)})
			wantCode(t, err, warroom.ENOTFOUND)
		})
	})
}
