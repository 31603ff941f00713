package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

func TestSeverityPolicies(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		t.Run("Defaults", func(t *testing.T) {
			m, err := e.db.FindSeverityMatrix(e.ctx)
			if err != nil || len(m.Rules) != len(warroom.DefaultSeverityMatrix().Rules) {
				t.Fatalf("matrix = %+v, %v", m, err)
			}
			ps, err := e.db.FindSLAPolicies(e.ctx)
			if err != nil || len(ps) != 5 || ps[0].Severity != warroom.P0 {
				t.Fatalf("policies = %+v, %v", ps, err)
			}
		})
		t.Run("UpdateMatrix", func(t *testing.T) {
			m := &warroom.SeverityMatrix{Default: warroom.P3, Rules: []warroom.SeverityRule{
				{Name: "any users", Severity: warroom.P2, MinUsersAffected: ptr[int64](1)},
			}}
			if err := e.db.UpdateSeverityMatrix(e.ctx, m); err != nil {
				t.Fatal(err)
			}
			p, err := e.db.ProposeSeverity(e.ctx, warroom.Impact{UsersAffected: 5}, 0)
			if err != nil || p.Severity != warroom.P2 {
				t.Fatalf("proposal = %+v, %v", p, err)
			}
			inc := e.declare(t, &warroom.Incident{Title: "x"})
			if inc.ProposedSeverity != warroom.P3 {
				t.Fatalf("declared proposal = %s, want the new default P3", inc.ProposedSeverity)
			}
			if len(e.audits(t, warroom.AuditSeverityMatrixUpdate)) != 1 {
				t.Fatal("want one audit row")
			}
		})
		t.Run("UpdateSLA", func(t *testing.T) {
			ps := warroom.DefaultSLAPolicies()
			ps[0], ps[4] = ps[4], ps[0]
			ps[1].AckTargetSeconds = 60
			if err := e.db.UpdateSLAPolicies(e.ctx, ps); err != nil {
				t.Fatal(err)
			}
			got, _ := e.db.FindSLAPolicies(e.ctx)
			if got[0].Severity != warroom.P0 || got[1].AckTargetSeconds != 60 {
				t.Fatalf("policies = %+v", got)
			}
			inc := e.declare(t, &warroom.Incident{Title: "x", Severity: warroom.P1})
			if !inc.SLA.AckDue.Equal(inc.DetectedAt.Add(time.Minute)) {
				t.Fatalf("ack due = %v, want detected + 1m", inc.SLA.AckDue)
			}
		})
		t.Run("ErrInvalid", func(t *testing.T) {
			err := e.db.UpdateSeverityMatrix(e.ctx, &warroom.SeverityMatrix{Default: "P9"})
			wantField(t, err, "default")
			err = e.db.UpdateSLAPolicies(e.ctx, warroom.DefaultSLAPolicies()[:4])
			wantField(t, err, "policies")
			_, err = e.db.ProposeSeverity(context.Background(), warroom.Impact{UsersAffected: -1}, 0)
			wantField(t, err, "impact.users_affected")
			if len(e.audits(t, warroom.AuditSeverityMatrixUpdate)) != 1 || len(e.audits(t, warroom.AuditSLAPoliciesUpdate)) != 1 {
				t.Fatal("a refused update wrote an audit row")
			}
		})
	})
}
