package store_test

import (
	"testing"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

func TestSOPTemplates(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		tpl := &warroom.SOPTemplate{Name: "b-runbook", Severities: []warroom.Severity{warroom.P0}, Tasks: []string{"one"}}
		t.Run("OK", func(t *testing.T) {
			if err := e.db.CreateSOPTemplate(e.ctx, tpl); err != nil {
				t.Fatal(err)
			}
			if err := e.db.CreateSOPTemplate(e.ctx, &warroom.SOPTemplate{Name: "a-runbook", Tasks: []string{"x"}}); err != nil {
				t.Fatal(err)
			}
			ts, err := e.db.FindSOPTemplates(e.ctx)
			if err != nil || len(ts) != 2 || ts[0].Name != "a-runbook" || ts[0].Types == nil || len(ts[0].Severities) != 0 {
				t.Fatalf("templates = %+v, %v", ts, err)
			}
			repl := &warroom.SOPTemplate{Name: "b-runbook", Types: []warroom.IncidentType{warroom.TypeDataLoss}, Tasks: []string{"one", "two"}}
			if err := e.db.ReplaceSOPTemplate(e.ctx, tpl.ID, repl); err != nil {
				t.Fatal(err)
			}
			got, err := e.db.FindSOPTemplateByID(e.ctx, tpl.ID)
			if err != nil || len(got.Tasks) != 2 || got.Types[0] != warroom.TypeDataLoss || len(got.Severities) != 0 {
				t.Fatalf("replaced = %+v, %v", got, err)
			}
			if err := e.db.DeleteSOPTemplate(e.ctx, tpl.ID); err != nil {
				t.Fatal(err)
			}
			for _, a := range []warroom.AuditAction{warroom.AuditSOPCreate, warroom.AuditSOPReplace, warroom.AuditSOPDelete} {
				if len(e.audits(t, a)) == 0 {
					t.Errorf("no %s audit row", a)
				}
			}
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			_, err := e.db.FindSOPTemplateByID(e.ctx, 999)
			wantCode(t, err, warroom.ENOTFOUND)
			wantCode(t, e.db.ReplaceSOPTemplate(e.ctx, 999, &warroom.SOPTemplate{Name: "x", Tasks: []string{"x"}}), warroom.ENOTFOUND)
			wantCode(t, e.db.DeleteSOPTemplate(e.ctx, 999), warroom.ENOTFOUND)
		})
		t.Run("ErrInvalid", func(t *testing.T) {
			wantField(t, e.db.CreateSOPTemplate(e.ctx, &warroom.SOPTemplate{Name: "x"}), "tasks")
			wantField(t, e.db.CreateSOPTemplate(e.ctx, &warroom.SOPTemplate{Name: "x", Tasks: []string{"a"}, Severities: []warroom.Severity{"P7"}}), "severities[0]")
		})
	})
}

func TestTasks(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		bob, _, _ := storetest.User(t, e.db, warroom.UserRoleResponder)
		inc := e.declare(t, &warroom.Incident{Title: "x"})
		task := &warroom.Task{Title: "restart", AssigneeID: &bob.ID}
		t.Run("OK", func(t *testing.T) {
			if err := e.db.AddTask(e.ctx, inc.ID, task); err != nil {
				t.Fatal(err)
			}
			if task.ID == 0 || task.Position != 1 || *task.AssigneeID != bob.ID || task.TemplateID != nil {
				t.Fatalf("task = %+v", task)
			}
			got, err := e.db.UpdateTask(e.ctx, inc.ID, task.ID, warroom.TaskUpdate{Done: ptr(true), AssigneeID: ptr[int64](0)})
			if err != nil {
				t.Fatal(err)
			}
			if !got.Done || got.DoneAt == nil || *got.DoneBy != e.admin.ID || got.AssigneeID != nil {
				t.Fatalf("updated = %+v", got)
			}
			got, _ = e.db.UpdateTask(e.ctx, inc.ID, task.ID, warroom.TaskUpdate{Done: ptr(false)})
			if got.Done || got.DoneAt != nil || got.DoneBy != nil {
				t.Fatalf("reopened = %+v", got)
			}
			ts, _ := e.db.FindTasks(e.ctx, inc.ID)
			if len(ts) != 1 || ts[0].Done {
				t.Fatalf("tasks = %+v", ts)
			}
			want := []warroom.EventKind{warroom.EventDeclared, warroom.EventTaskAdded, warroom.EventTaskCompleted, warroom.EventTaskReopened}
			if got := eventKinds(e.events(t, inc.ID)); !equal(got, want) {
				t.Fatalf("events = %v, want %v", got, want)
			}
			if len(e.audits(t, warroom.AuditTaskAdd)) != 1 || len(e.audits(t, warroom.AuditTaskUpdate)) != 2 {
				t.Fatal("want one audit row per task change")
			}
		})
		t.Run("ErrInvalid", func(t *testing.T) {
			wantField(t, e.db.AddTask(e.ctx, inc.ID, &warroom.Task{Title: " "}), "title")
			_, err := e.db.UpdateTask(e.ctx, inc.ID, task.ID, warroom.TaskUpdate{Title: ptr("")})
			wantField(t, err, "title")
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			wantCode(t, e.db.AddTask(e.ctx, 999, &warroom.Task{Title: "x"}), warroom.ENOTFOUND)
			err := e.db.AddTask(e.ctx, inc.ID, &warroom.Task{Title: "x", AssigneeID: ptr[int64](999)})
			wantCode(t, err, warroom.ENOTFOUND)
			wantField(t, err, "assignee_id")
			_, err = e.db.UpdateTask(e.ctx, inc.ID, 999, warroom.TaskUpdate{Done: ptr(true)})
			wantCode(t, err, warroom.ENOTFOUND)
			_, err = e.db.FindTasks(e.ctx, 999)
			wantCode(t, err, warroom.ENOTFOUND)
		})
		t.Run("ErrConflict", func(t *testing.T) {
			e.db.TransitionIncident(e.ctx, inc.ID, warroom.StateResolved, "")
			e.db.TransitionIncident(e.ctx, inc.ID, warroom.StateClosed, "")
			wantCode(t, e.db.AddTask(e.ctx, inc.ID, &warroom.Task{Title: "x"}), warroom.ECONFLICT)
			_, err := e.db.UpdateTask(e.ctx, inc.ID, task.ID, warroom.TaskUpdate{Done: ptr(true)})
			wantCode(t, err, warroom.ECONFLICT)
		})
	})
}
