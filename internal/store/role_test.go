package store_test

import (
	"testing"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

func TestIncidentRoles(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		t.Run("Builtin", func(t *testing.T) {
			rs, err := e.db.FindIncidentRoles(e.ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(rs) != 3 || !rs[0].Builtin || rs[0].Name != warroom.RoleCommander {
				t.Fatalf("roles = %+v", rs)
			}
		})
		t.Run("OK", func(t *testing.T) {
			if err := e.db.CreateIncidentRole(e.ctx, &warroom.IncidentRole{Name: "legal", Description: "Compliance"}); err != nil {
				t.Fatal(err)
			}
			rs, _ := e.db.FindIncidentRoles(e.ctx)
			if len(rs) != 4 || rs[3].Name != "legal" || rs[3].Builtin {
				t.Fatalf("roles = %+v", rs)
			}
			if err := e.db.DeleteIncidentRole(e.ctx, "legal"); err != nil {
				t.Fatal(err)
			}
			if len(e.audits(t, warroom.AuditIncidentRoleCreate)) != 1 || len(e.audits(t, warroom.AuditIncidentRoleDelete)) != 1 {
				t.Fatal("want one audit row per change")
			}
		})
		t.Run("ErrInvalid", func(t *testing.T) {
			err := e.db.CreateIncidentRole(e.ctx, &warroom.IncidentRole{Name: "Bad Name"})
			wantField(t, err, "name")
		})
		t.Run("ErrConflict", func(t *testing.T) {
			wantCode(t, e.db.CreateIncidentRole(e.ctx, &warroom.IncidentRole{Name: warroom.RoleScribe}), warroom.ECONFLICT)
			wantCode(t, e.db.DeleteIncidentRole(e.ctx, warroom.RoleCommander), warroom.ECONFLICT)
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			wantCode(t, e.db.DeleteIncidentRole(e.ctx, "nobody"), warroom.ENOTFOUND)
		})
	})
}

func TestRoleAssignments(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		bob, _, _ := storetest.User(t, e.db, warroom.UserRoleResponder)
		inc := e.declare(t, &warroom.Incident{Title: "x"})
		if err := e.db.CreateIncidentRole(e.ctx, &warroom.IncidentRole{Name: "developer"}); err != nil {
			t.Fatal(err)
		}
		t.Run("SingleHolder", func(t *testing.T) {
			first, err := e.db.AssignRole(e.ctx, inc.ID, warroom.RoleCommander, e.admin.ID)
			if err != nil {
				t.Fatal(err)
			}
			again, err := e.db.AssignRole(e.ctx, inc.ID, warroom.RoleCommander, e.admin.ID)
			if err != nil || again.ID != first.ID {
				t.Fatalf("reassigning the holder: %+v, %v", again, err)
			}
			second, err := e.db.AssignRole(e.ctx, inc.ID, warroom.RoleCommander, bob.ID)
			if err != nil {
				t.Fatal(err)
			}
			cur, _ := e.db.FindRoleAssignments(e.ctx, inc.ID, false)
			if len(cur) != 1 || cur[0].ID != second.ID || cur[0].UserName != bob.Name || cur[0].AssignedBy != e.admin.ID {
				t.Fatalf("current = %+v", cur)
			}
			hist, _ := e.db.FindRoleAssignments(e.ctx, inc.ID, true)
			if len(hist) != 2 || hist[0].EndedAt == nil {
				t.Fatalf("history = %+v", hist)
			}
			if n := len(e.events(t, inc.ID, warroom.EventRoleEnded)); n != 1 {
				t.Fatalf("role_ended events = %d, want 1", n)
			}
		})
		t.Run("MultiHolder", func(t *testing.T) {
			for _, u := range []int64{e.admin.ID, bob.ID} {
				if _, err := e.db.AssignRole(e.ctx, inc.ID, "developer", u); err != nil {
					t.Fatal(err)
				}
			}
			cur, _ := e.db.FindRoleAssignments(e.ctx, inc.ID, false)
			if len(cur) != 3 {
				t.Fatalf("current = %d, want commander + 2 developers", len(cur))
			}
		})
		t.Run("End", func(t *testing.T) {
			cur, _ := e.db.FindRoleAssignments(e.ctx, inc.ID, false)
			if err := e.db.EndRoleAssignment(e.ctx, inc.ID, cur[0].ID); err != nil {
				t.Fatal(err)
			}
			wantCode(t, e.db.EndRoleAssignment(e.ctx, inc.ID, cur[0].ID), warroom.ECONFLICT)
			wantCode(t, e.db.EndRoleAssignment(e.ctx, inc.ID, 9999), warroom.ENOTFOUND)
			if n := len(e.audits(t, warroom.AuditRoleEnd)); n != 1 {
				t.Fatalf("end audit rows = %d, want 1", n)
			}
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			_, err := e.db.AssignRole(e.ctx, 999, warroom.RoleScribe, bob.ID)
			wantCode(t, err, warroom.ENOTFOUND)
			_, err = e.db.AssignRole(e.ctx, inc.ID, "astronaut", bob.ID)
			wantField(t, err, "role")
			_, err = e.db.AssignRole(e.ctx, inc.ID, warroom.RoleScribe, 999)
			wantCode(t, err, warroom.ENOTFOUND)
			wantField(t, err, "user_id")
			_, err = e.db.FindRoleAssignments(e.ctx, 999, false)
			wantCode(t, err, warroom.ENOTFOUND)
		})
		t.Run("ErrConflict", func(t *testing.T) {
			e.db.TransitionIncident(e.ctx, inc.ID, warroom.StateResolved, "")
			e.db.TransitionIncident(e.ctx, inc.ID, warroom.StateClosed, "")
			before := len(e.audits(t, warroom.AuditRoleAssign))
			_, err := e.db.AssignRole(e.ctx, inc.ID, warroom.RoleScribe, bob.ID)
			wantCode(t, err, warroom.ECONFLICT)
			if n := len(e.audits(t, warroom.AuditRoleAssign)); n != before {
				t.Fatalf("assign audit rows = %d, want %d", n, before)
			}
		})
	})
}

// TestAssignCommanderTicksTask: naming a commander ticks the seeded "Assign
// an incident commander" task in the same write, credited to whoever named
// them; other roles and other tasks are left alone.
func TestAssignCommanderTicksTask(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		for _, tmpl := range warroom.DefaultSOPTemplates() {
			if err := e.db.CreateSOPTemplate(e.ctx, tmpl); err != nil {
				t.Fatal(err)
			}
		}
		bob, _, _ := storetest.User(t, e.db, warroom.UserRoleResponder)
		carol, carolCtx, _ := storetest.User(t, e.db, warroom.UserRoleResponder)
		inc := e.declare(t, &warroom.Incident{Title: "db down", Severity: warroom.P1})
		commanderTask := func() *warroom.Task {
			t.Helper()
			ts, err := e.db.FindTasks(e.ctx, inc.ID)
			if err != nil {
				t.Fatal(err)
			}
			var found *warroom.Task
			for _, task := range ts {
				if warroom.IsCommanderTask(task.Title) {
					found = task
				} else if task.Done {
					t.Errorf("task %q ticked, want open", task.Title)
				}
			}
			if found == nil {
				t.Fatalf("no commander task in %+v", ts)
			}
			return found
		}
		if _, err := e.db.AssignRole(carolCtx, inc.ID, warroom.RoleScribe, bob.ID); err != nil {
			t.Fatal(err)
		}
		if task := commanderTask(); task.Done {
			t.Fatalf("scribe ticked the commander task: %+v", task)
		}
		if _, err := e.db.AssignRole(carolCtx, inc.ID, warroom.RoleCommander, bob.ID); err != nil {
			t.Fatal(err)
		}
		task := commanderTask()
		if !task.Done || task.DoneBy == nil || *task.DoneBy != carol.ID || task.DoneAt == nil {
			t.Fatalf("commander task = %+v, want done by %d", task, carol.ID)
		}
		evs := e.events(t, inc.ID, warroom.EventTaskCompleted)
		if len(evs) != 1 || evs[0].ActorID != carol.ID || !warroom.IsCommanderTask(evs[0].Text) {
			t.Fatalf("task_completed events = %+v, want one by %d", evs, carol.ID)
		}
		// Reopened by hand, it stays open when the same commander is named
		// again (nothing changed), and is ticked again by a new commander.
		if _, err := e.db.UpdateTask(e.ctx, inc.ID, task.ID, warroom.TaskUpdate{Done: ptr(false)}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.db.AssignRole(carolCtx, inc.ID, warroom.RoleCommander, bob.ID); err != nil {
			t.Fatal(err)
		}
		if task := commanderTask(); task.Done {
			t.Fatalf("re-naming the same commander ticked the task: %+v", task)
		}
		if _, err := e.db.AssignRole(e.ctx, inc.ID, warroom.RoleCommander, carol.ID); err != nil {
			t.Fatal(err)
		}
		if task := commanderTask(); !task.Done || *task.DoneBy != e.admin.ID {
			t.Fatalf("after a new commander task = %+v, want done by admin", task)
		}
	})
}
