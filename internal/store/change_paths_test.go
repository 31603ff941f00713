package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

// violationCodes maps each violation code of c to its message.
func violationCodes(c *warroom.Change) map[string]string {
	m := map[string]string{}
	for _, v := range c.Violations {
		m[v.Code] = v.Message
	}
	return m
}

// TestChange_RecordJudgedByPolicy is issue 22's PagerDuty defect: a change
// reported after the fact was flagged only recorded_without_approval, not
// the test report the policy asks for nor the freeze it broke. It is now
// judged by the same policy as a change that asks first, at the moment it
// happened.
func TestChange_RecordJudgedByPolicy(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newChangeEnv(t, engine)
		now := e.clock.Now()
		f := &warroom.FreezeWindow{Name: "Quarter close", StartsAt: now.Add(-3 * time.Hour), EndsAt: now.Add(-time.Hour), ServiceIDs: []int64{e.svc.ID}}
		if err := e.db.CreateFreezeWindow(e.ctx, f); err != nil {
			t.Fatal(err)
		}
		record := func(t *testing.T, at time.Time, ev warroom.Evidence) *warroom.Change {
			t.Helper()
			c := &warroom.Change{Kind: warroom.ChangeDeploy, Title: "Deploy from PagerDuty", ServiceIDs: []int64{e.svc.ID},
				Source: warroom.SourcePagerDuty, StartedAt: &at, Evidence: ev}
			// No user: an integration's routing key reports it.
			if err := e.db.RecordChange(context.Background(), c); err != nil {
				t.Fatal(err)
			}
			return c
		}
		t.Run("InFreezeWithoutEvidence", func(t *testing.T) {
			c := record(t, now.Add(-2*time.Hour), warroom.Evidence{})
			got := violationCodes(c)
			if !strings.Contains(got[warroom.ViolationWithoutApproval], "needs 1 approval") {
				t.Errorf("recorded_without_approval = %q, want the approvals the rule wanted", got[warroom.ViolationWithoutApproval])
			}
			if m := got[warroom.ViolationMissingEvidence]; !strings.Contains(m, "test report") || !strings.Contains(m, "rollback plan") {
				t.Errorf("missing_evidence = %q, want the test report and the rollback plan", m)
			}
			if !strings.Contains(got[warroom.ViolationFreeze], "Quarter close") {
				t.Errorf("freeze = %q, want the window named", got[warroom.ViolationFreeze])
			}
			if _, ok := got[warroom.ViolationStarter]; ok || len(got) != 3 {
				t.Errorf("violations = %v, want exactly approvals, evidence and freeze", got)
			}
			if n := len(e.audits(t, warroom.AuditChangeViolation)); n != 3 {
				t.Errorf("violation audit entries = %d, want 3", n)
			}
		})
		t.Run("OutsideFreezeWithEvidence", func(t *testing.T) {
			c := record(t, now.Add(-30*time.Minute), warroom.Evidence{TestReport: "https://ci/7", RollbackPlan: "redeploy 7.1"})
			if got := violationCodes(c); len(got) != 1 || got[warroom.ViolationWithoutApproval] == "" {
				t.Errorf("violations = %v, want recorded_without_approval only", got)
			}
		})
	})
}

// TestChange_FreezeExceptionNotByAuthor is issue 22's self-exception
// defect: an admin who wrote a change granted its freeze exception himself
// and started it. An exception, like an approval, now comes from someone
// else, in enforce and in record mode.
func TestChange_FreezeExceptionNotByAuthor(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newChangeEnv(t, engine)
		_, otherX, _ := storetest.User(t, e.db, warroom.UserRoleAdmin)
		low := &warroom.Service{Name: "blog", Team: "web", Tier: 4}
		if err := e.db.CreateService(e.ctx, low); err != nil {
			t.Fatal(err)
		}
		now := e.clock.Now()
		f := &warroom.FreezeWindow{Name: "Double 11", StartsAt: now.Add(-time.Hour), EndsAt: now.Add(48 * time.Hour), ServiceIDs: []int64{low.ID}}
		if err := e.db.CreateFreezeWindow(e.ctx, f); err != nil {
			t.Fatal(err)
		}
		// The author is the admin of e.ctx, who may grant exceptions.
		create := func(t *testing.T) *warroom.Change {
			t.Helper()
			c := &warroom.Change{Kind: warroom.ChangeOther, Title: "Banner", ServiceIDs: []int64{low.ID}}
			if err := e.db.CreateChange(e.ctx, c); err != nil {
				t.Fatal(err)
			}
			return c
		}
		t.Run("Enforce", func(t *testing.T) {
			c := create(t)
			_, err := e.db.GrantFreezeException(e.ctx, f.ID, c.ID, "my own banner")
			wantCode(t, err, warroom.EFORBIDDEN)
			if !strings.Contains(warroom.ErrorMessage(err), "author") {
				t.Errorf("message %q does not say why", warroom.ErrorMessage(err))
			}
			_, err = e.db.StartChange(e.ctx, c.ID)
			wantCode(t, err, warroom.ECONFLICT)
			if _, err := e.db.GrantFreezeException(otherX, f.ID, c.ID, "the campaign needs it"); err != nil {
				t.Fatalf("exception by another admin: %v", err)
			}
			if _, err := e.db.StartChange(e.ctx, c.ID); err != nil {
				t.Fatalf("StartChange with another admin's exception: %v", err)
			}
		})
		t.Run("Record", func(t *testing.T) {
			p := warroom.DefaultChangePolicy()
			p.Mode = warroom.PolicyRecord
			if err := e.db.UpdateChangePolicy(e.ctx, &p); err != nil {
				t.Fatal(err)
			}
			c := create(t)
			_, err := e.db.GrantFreezeException(e.ctx, f.ID, c.ID, "my own banner")
			wantCode(t, err, warroom.EFORBIDDEN)
			got, err := e.db.StartChange(e.ctx, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if m := violationCodes(got)[warroom.ViolationFreeze]; !strings.Contains(m, "Double 11") {
				t.Errorf("violations = %v, want the freeze flagged", violationCodes(got))
			}
		})
	})
}

// TestChange_FreezeDeleteKeepsExceptions deletes a freeze window that let
// a change through: its audit entry keeps who granted which exception, so
// deleting the window does not delete the record.
func TestChange_FreezeDeleteKeepsExceptions(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newChangeEnv(t, engine)
		now := e.clock.Now()
		f := &warroom.FreezeWindow{Name: "Double 11", StartsAt: now.Add(-time.Hour), EndsAt: now.Add(time.Hour)}
		if err := e.db.CreateFreezeWindow(e.ctx, f); err != nil {
			t.Fatal(err)
		}
		c := e.create(t, &warroom.Change{Kind: warroom.ChangeOther})
		if _, err := e.db.GrantFreezeException(e.ctx, f.ID, c.ID, "fixes checkout"); err != nil {
			t.Fatal(err)
		}
		if err := e.db.DeleteFreezeWindow(e.ctx, f.ID); err != nil {
			t.Fatal(err)
		}
		as := e.audits(t, warroom.AuditFreezeDelete)
		if len(as) != 1 || !strings.Contains(string(as[0].Data), "fixes checkout") || !strings.Contains(string(as[0].Data), `"change_id":`) {
			t.Errorf("freeze.delete audit entries = %v, want one keeping the exception", as)
		}
	})
}
