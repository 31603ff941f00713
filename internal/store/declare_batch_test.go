package store_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

// TestDeclareIncidentConcurrent declares from many goroutines at once, a
// quarter of them naming a service that does not exist: those fail alone
// with ENOTFOUND, the rest are each stored once with their own tasks and
// audit rows, and the audit chain still verifies.
func TestDeclareIncidentConcurrent(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		svc := e.service(t, "web")
		for _, tmpl := range warroom.DefaultSOPTemplates() {
			if err := e.db.CreateSOPTemplate(e.ctx, tmpl); err != nil {
				t.Fatal(err)
			}
		}
		const n = 64
		incs := make([]*warroom.Incident, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			service := svc.ID
			if i%4 == 3 {
				service = svc.ID + 1000
			}
			incs[i] = &warroom.Incident{Title: fmt.Sprintf("outage %d", i), Type: warroom.TypeSystemCrash,
				ServiceIDs: []int64{service}, Impact: warroom.Impact{UsersAffected: 20_000}}
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = e.db.DeclareIncident(e.ctx, incs[i])
			}()
		}
		wg.Wait()
		seen := map[int64]bool{}
		for i, inc := range incs {
			if i%4 == 3 {
				wantCode(t, errs[i], warroom.ENOTFOUND)
				wantField(t, errs[i], "service_ids")
				continue
			}
			if errs[i] != nil {
				t.Fatalf("declaration %d: %v", i, errs[i])
			}
			if seen[inc.ID] {
				t.Fatalf("declaration %d got the ID %d of another", i, inc.ID)
			}
			seen[inc.ID] = true
			got, err := e.db.FindIncidentByID(e.ctx, inc.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Title != inc.Title || len(got.Tasks) != len(inc.Tasks) || len(got.Tasks) == 0 {
				t.Errorf("declaration %d read back as %q with %d tasks, want %q with %d", i, got.Title, len(got.Tasks), inc.Title, len(inc.Tasks))
			}
		}
		_, total, err := e.db.FindIncidents(e.ctx, warroom.IncidentFilter{Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		if want := n - n/4; total != want {
			t.Errorf("incidents stored = %d, want %d", total, want)
		}
		if got := len(e.audits(t, warroom.AuditIncidentDeclare)); got != n-n/4 {
			t.Errorf("declare audit rows = %d, want %d", got, n-n/4)
		}
		v, err := e.db.VerifyAudit(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !v.OK {
			t.Errorf("audit chain broken after concurrent declarations: %s", v.Message)
		}
	})
}
