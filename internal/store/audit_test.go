package store_test

import (
	"encoding/json"
	"testing"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

func TestFindAuditEntries(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		svc := e.service(t, "web")
		if _, err := e.db.UpdateService(e.ctx, svc.ID, warroom.ServiceUpdate{Tier: ptr(3)}); err != nil {
			t.Fatal(err)
		}
		all, n, err := e.db.FindAuditEntries(e.ctx, warroom.AuditFilter{})
		if err != nil {
			t.Fatal(err)
		}
		// storetest.User: user.create and token.create by the system; then
		// the service's create and update by the admin.
		if n != 4 || all[0].Action != warroom.AuditServiceUpdate || all[3].Action != warroom.AuditUserCreate || all[3].ActorID != 0 {
			t.Fatalf("entries = %d total %d, newest %+v", len(all), n, all[0])
		}
		var data map[string]struct{ From, To int }
		if err := json.Unmarshal(all[0].Data, &data); err != nil || data["tier"].From != 1 || data["tier"].To != 3 {
			t.Fatalf("update data = %s, %v", all[0].Data, err)
		}
		if all[0].SourceIP != "192.0.2.7" || !all[0].At.Equal(e.clock.Now()) {
			t.Fatalf("entry = %+v", all[0])
		}
		for _, tc := range []struct {
			name   string
			filter warroom.AuditFilter
			want   int
		}{
			{"Actor", warroom.AuditFilter{ActorID: &e.admin.ID}, 2},
			{"System", warroom.AuditFilter{ActorID: ptr[int64](0)}, 2},
			{"Target", warroom.AuditFilter{TargetType: ptr("service"), TargetID: ptr("1")}, 2},
			{"Action", warroom.AuditFilter{Action: ptr(warroom.AuditServiceCreate)}, 1},
			{"Page", warroom.AuditFilter{Offset: 3, Limit: 5}, 4},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, n, err := e.db.FindAuditEntries(e.ctx, tc.filter)
				if err != nil || n != tc.want {
					t.Fatalf("total = %d, %v; want %d", n, err, tc.want)
				}
			})
		}
	})
}
