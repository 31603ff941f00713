package store_test

import (
	"testing"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

// TestPreparedStatements checks that a declaration and a read repeated run
// every query through a statement prepared by the first: the write pool
// prepares outside its one connection's transactions, and nothing is
// parsed again.
func TestPreparedStatements(t *testing.T) {
	e := newEnv(t, store.EngineSQLite)
	svc := e.service(t, "web")
	for _, tmpl := range warroom.DefaultSOPTemplates() {
		if err := e.db.CreateSOPTemplate(e.ctx, tmpl); err != nil {
			t.Fatal(err)
		}
	}
	declare := func() *warroom.Incident {
		return e.declare(t, &warroom.Incident{Title: "checkout down", ServiceIDs: []int64{svc.ID}, Impact: warroom.Impact{UsersAffected: 20_000}})
	}
	first := declare()
	if _, err := e.db.FindIncidentByID(e.ctx, first.ID); err != nil {
		t.Fatal(err)
	}
	hits0, misses0 := store.StatementStats(e.db)
	second := declare()
	if _, err := e.db.FindIncidentByID(e.ctx, second.ID); err != nil {
		t.Fatal(err)
	}
	hits, misses := store.StatementStats(e.db)
	if misses != misses0 {
		t.Errorf("the second declaration and read ran %d queries unprepared, want 0", misses-misses0)
	}
	if hits == hits0 {
		t.Errorf("the second declaration and read ran no prepared statement")
	}
	if len(second.Tasks) == 0 || second.Tasks[0].IncidentID != second.ID {
		t.Errorf("second incident's tasks = %+v, want its own", second.Tasks)
	}
}

// TestPreparedStatementsOff checks that the statement cache can be left out
// and the store still works, as it does on PostgreSQL.
func TestPreparedStatementsOff(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		store.CacheStatements(e.db, false)
		before, _ := store.StatementStats(e.db)
		inc := e.declare(t, &warroom.Incident{Title: "checkout down"})
		if _, err := e.db.FindIncidentByID(e.ctx, inc.ID); err != nil {
			t.Fatal(err)
		}
		if hits, _ := store.StatementStats(e.db); hits != before {
			t.Errorf("%d prepared statements ran with the cache off", hits-before)
		}
	})
}
