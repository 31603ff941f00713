package store_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

// insightsFixture is the fixed data every insights number is checked on;
// docs/insights.md's definitions give the expected values by hand.
type insightsFixture struct {
	e                 *env
	inc               map[int]int64 // fixture number → incident ID
	checkout, search  *warroom.Service
	billing           *warroom.Service
	paged, pagedOther *warroom.User
	from, to          time.Time
}

func at(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04", s)
	if err != nil {
		panic(err)
	}
	return t
}

// newInsightsFixture plants, with the clock at 2026-03-01 09:00 UTC:
//
//	#1 checkout P1 Mon 02-02 10:00, ack +10m, mit +30m, res +2h; lost 5000 CNY, 5 orders, 120 min; 3 alerts
//	#2 checkout+search P0 Tue 02-10 03:00, ack +20m, mit +1h, res +3h; lost 20,000,000 CNY, 300 users; technical; 5 alerts
//	#3 search P2 Fri 02-20 12:00, ack +5m, open; human
//	#4 billing P1 Wed 02-25 08:00, never acknowledged; lost 100 USD, compensation 50 USD; 1 alert
//	#5 checkout P0 drill 02-15, ack +1m, res +10m; 2 alerts
//	#6 checkout P3 01-20 (before the range)
//	#7 billing P3 data_loss Fri 02-27 12:00, ack +1h, open
func newInsightsFixture(t *testing.T, engine string) *insightsFixture {
	t.Helper()
	e := newEnv(t, engine)
	ctx := context.Background()
	fx := &insightsFixture{e: e, inc: map[int]int64{}, from: at("2026-02-01 00:00"), to: at("2026-03-01 00:00")}
	mk := func(name, team string) *warroom.Service {
		s := &warroom.Service{Name: name, Team: team, Tier: 1}
		if err := e.db.CreateService(e.ctx, s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	fx.checkout, fx.search, fx.billing = mk("checkout", "payments"), mk("search", "discovery"), mk("billing", "payments")
	exec := func(q string, args ...any) {
		t.Helper()
		if err := store.ExecSQL(ctx, e.db, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	type spec struct {
		n             int
		svcs          []int64
		sev           warroom.Severity
		typ           warroom.IncidentType
		detected      string
		ack, mit, res time.Duration // 0: not reached
		drill         bool
		loss          warroom.Loss
		users         int64
		alerts        int
		cause         string
	}
	specs := []spec{
		{n: 1, svcs: []int64{fx.checkout.ID}, sev: warroom.P1, detected: "2026-02-02 10:00", ack: 10 * time.Minute, mit: 30 * time.Minute, res: 2 * time.Hour,
			loss: warroom.Loss{MoneyLost: warroom.Money{Amount: 500000, Currency: "CNY"}, OrdersLost: 5, DowntimeMinutes: 120}, alerts: 3},
		{n: 2, svcs: []int64{fx.checkout.ID, fx.search.ID}, sev: warroom.P0, detected: "2026-02-10 03:00", ack: 20 * time.Minute, mit: time.Hour, res: 3 * time.Hour,
			loss: warroom.Loss{MoneyLost: warroom.Money{Amount: 2000000000, Currency: "CNY"}}, users: 300, alerts: 5, cause: "technical"},
		{n: 3, svcs: []int64{fx.search.ID}, sev: warroom.P2, detected: "2026-02-20 12:00", ack: 5 * time.Minute, cause: "human"},
		{n: 4, svcs: []int64{fx.billing.ID}, sev: warroom.P1, detected: "2026-02-25 08:00",
			loss: warroom.Loss{MoneyLost: warroom.Money{Amount: 10000, Currency: "USD"}, CompensationPaid: warroom.Money{Amount: 5000, Currency: "USD"}}, alerts: 1},
		{n: 5, svcs: []int64{fx.checkout.ID}, sev: warroom.P0, detected: "2026-02-15 10:00", ack: time.Minute, mit: 10 * time.Minute, res: 10 * time.Minute, drill: true, alerts: 2},
		{n: 6, svcs: []int64{fx.checkout.ID}, sev: warroom.P3, detected: "2026-01-20 10:00", ack: time.Minute},
		{n: 7, svcs: []int64{fx.billing.ID}, sev: warroom.P3, typ: warroom.TypeDataLoss, detected: "2026-02-27 12:00", ack: time.Hour},
	}
	alertN := 0
	for _, s := range specs {
		typ := s.typ
		if typ == "" {
			typ = warroom.TypeSystemCrash
		}
		inc := e.declare(t, &warroom.Incident{Title: fmt.Sprintf("Fixture %d", s.n), Type: typ, Severity: s.sev, SeverityReason: "fixture",
			ServiceIDs: s.svcs, Drill: s.drill, DetectedAt: at(s.detected), Loss: s.loss, Impact: warroom.Impact{UsersAffected: s.users}})
		fx.inc[s.n] = inc.ID
		det := at(s.detected)
		stamp := func(d time.Duration) *time.Time {
			if d == 0 {
				return nil
			}
			v := det.Add(d)
			return &v
		}
		state := warroom.StateTriggered
		switch {
		case s.res != 0:
			state = warroom.StateResolved
		case s.ack != 0:
			state = warroom.StateInvestigating
		}
		exec(`UPDATE incidents SET state = ?, acknowledged_at = ?, mitigated_at = ?, resolved_at = ? WHERE id = ?`,
			string(state), stamp(s.ack), stamp(s.mit), stamp(s.res), inc.ID)
		for a := 0; a < s.alerts; a++ {
			alertN++
			exec(`INSERT INTO alerts (service_id, scope, dedup_key, status, summary, severity, first_seen_at, last_seen_at, resolved_at, incident_id)
				VALUES (?, 'fixture', ?, 'resolved', 'x', 'critical', ?, ?, ?, ?)`, s.svcs[0], fmt.Sprint("k", alertN), det, det, det, inc.ID)
		}
		if s.cause != "" {
			exec(`INSERT INTO postmortems (incident_id, status, cause_category, created_at, updated_at) VALUES (?, 'draft', ?, ?, ?)`, inc.ID, s.cause, det, det)
		}
	}

	// Pages. The first person is in Shanghai (UTC+8), the second in UTC.
	var tok string
	fx.paged, _, tok = storetest.User(t, e.db, warroom.UserRoleResponder)
	fx.pagedOther, _, _ = storetest.User(t, e.db, warroom.UserRoleResponder)
	_ = tok
	exec(`UPDATE users SET time_zone = 'Asia/Shanghai' WHERE id = ?`, fx.paged.ID)
	for _, u := range []*warroom.User{fx.paged, fx.pagedOther} {
		exec(`INSERT INTO contact_methods (user_id, type, name, address_sealed, created_at) VALUES (?, 'email', 'mail', 'x', ?)`, u.ID, fx.from)
	}
	page := func(u *warroom.User, inc int, state, sent string) {
		cm, err := store.QueryID(ctx, e.db, `SELECT id FROM contact_methods WHERE user_id = ?`, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		exec(`INSERT INTO notifications (kind, state, incident_id, user_id, contact_method_id, created_at, sent_at) VALUES ('page', ?, ?, ?, ?, ?, ?)`,
			state, fx.inc[inc], u.ID, cm, at(sent), at(sent))
	}
	page(fx.paged, 2, "sent", "2026-02-10 03:01")      // 11:01 Tuesday in Shanghai: in hours
	page(fx.paged, 1, "sent", "2026-02-02 10:01")      // 18:01 Monday in Shanghai: out of hours
	page(fx.pagedOther, 3, "sent", "2026-02-21 02:00") // Saturday: out of hours
	page(fx.pagedOther, 5, "sent", "2026-02-15 10:01") // a drill
	page(fx.pagedOther, 3, "failed", "2026-02-21 02:05")
	page(fx.paged, 1, "sent", "2026-01-31 23:59") // before the range

	// Action items.
	item := func(inc int, status, due, done string) {
		var doneAt *time.Time
		if done != "" {
			d := at(done)
			doneAt = &d
		}
		exec(`INSERT INTO action_items (incident_id, title, owner_id, due_date, priority, kind, status, created_at, updated_at, done_at)
			VALUES (?, 'fix', ?, ?, 'high', 'prevent', ?, ?, ?, ?)`, fx.inc[inc], e.admin.ID, at(due), status, fx.from, fx.from, doneAt)
	}
	item(1, "done", "2026-02-10 00:00", "2026-02-08 12:00")
	item(2, "open", "2026-02-20 00:00", "")
	item(2, "done", "2026-02-12 00:00", "2026-02-14 12:00")
	item(3, "in_progress", "2026-03-10 00:00", "")
	item(3, "wont_do", "2026-03-10 00:00", "")
	item(6, "open", "2026-01-25 00:00", "") // out of range

	// Changes, and the incidents they are linked to as a cause.
	change := func(svc *warroom.Service, started string, causes ...int) {
		var st *time.Time
		if started != "" {
			s := at(started)
			st = &s
		}
		exec(`INSERT INTO changes (kind, title, risk, proposed_risk, state, source, started_at, created_at, updated_at)
			VALUES ('deploy', 'release', 'low', 'low', 'approved', 'manual', ?, ?, ?)`, st, fx.from, fx.from)
		id, err := store.QueryID(ctx, e.db, `SELECT MAX(id) FROM changes`)
		if err != nil {
			t.Fatal(err)
		}
		exec(`INSERT INTO change_services (change_id, service_id) VALUES (?, ?)`, id, svc.ID)
		for _, c := range causes {
			exec(`INSERT INTO incident_changes (incident_id, change_id, linked_at) VALUES (?, ?, ?)`, fx.inc[c], id, fx.from)
		}
	}
	change(fx.checkout, "2026-02-02 09:00", 1)
	change(fx.checkout, "2026-02-05 09:00")
	change(fx.search, "2026-02-09 20:00", 2, 3)
	change(fx.billing, "2026-02-24 09:00", 5) // caused only a drill
	change(fx.billing, "2026-02-26 09:00", 4) // linked to an incident detected before it started
	change(fx.checkout, "2026-01-10 09:00", 1)
	change(fx.search, "")
	return fx
}

func (fx *insightsFixture) filter() warroom.InsightsFilter {
	return warroom.InsightsFilter{From: fx.from, To: fx.to}
}

func ds(n int, mean, median, p90 int64) warroom.DurationStats {
	return warroom.DurationStats{Count: n, Mean: mean, Median: median, P90: p90}
}

func pct(v float64) *float64 { return &v }

func TestIncidentInsights(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		fx := newInsightsFixture(t, engine)
		ctx := fx.e.ctx
		got, err := fx.e.db.IncidentInsights(ctx, fx.filter())
		if err != nil {
			t.Fatal(err)
		}
		want := warroom.IncidentInsightsRow{Key: "all", Incidents: 5, Open: 3,
			Acknowledge: ds(4, 1425, 600, 3600), Mitigate: ds(2, 2700, 1800, 3600), Resolve: ds(2, 9000, 7200, 10800),
			Alerts: 9, AlertsPerIncident: ds(5, 1, 1, 5), MaxAlerts: 5}
		if !reflect.DeepEqual(got.Total, want) {
			t.Errorf("total:\n got %+v\nwant %+v", got.Total, want)
		}
		if len(got.Groups) != 1 || !reflect.DeepEqual(got.Groups[0], want) {
			t.Errorf("ungrouped rows: %+v", got.Groups)
		}
		var noisy []int64
		for _, n := range got.Noisiest {
			noisy = append(noisy, n.IncidentID, n.Alerts)
		}
		if w := []int64{fx.inc[2], 5, fx.inc[1], 3, fx.inc[4], 1}; !reflect.DeepEqual(noisy, w) {
			t.Errorf("noisiest = %v, want %v", noisy, w)
		}

		counts := func(f warroom.InsightsFilter) map[string]int {
			t.Helper()
			got, err := fx.e.db.IncidentInsights(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			m := map[string]int{}
			for _, g := range got.Groups {
				m[g.Key] = g.Incidents
			}
			return m
		}
		f := fx.filter()
		for _, c := range []struct {
			name string
			set  func(*warroom.InsightsFilter)
			want map[string]int
		}{
			{"Week", func(f *warroom.InsightsFilter) { f.GroupBy = warroom.GroupByWeek },
				map[string]int{"2026-01-26": 0, "2026-02-02": 1, "2026-02-09": 1, "2026-02-16": 1, "2026-02-23": 2}},
			{"Month", func(f *warroom.InsightsFilter) { f.GroupBy = warroom.GroupByMonth }, map[string]int{"2026-02": 5}},
			{"Service", func(f *warroom.InsightsFilter) { f.GroupBy = warroom.GroupByService }, map[string]int{"checkout": 2, "search": 2, "billing": 2}},
			{"Team", func(f *warroom.InsightsFilter) { f.GroupBy = warroom.GroupByTeam }, map[string]int{"payments": 4, "discovery": 2}},
			{"Severity", func(f *warroom.InsightsFilter) { f.GroupBy = warroom.GroupBySeverity },
				map[string]int{"P0": 1, "P1": 2, "P2": 1, "P3": 1, "P4": 0}},
			{"Cause", func(f *warroom.InsightsFilter) { f.GroupBy = warroom.GroupByCause }, map[string]int{"technical": 1, "human": 1, "none": 3}},
			{"Type", func(f *warroom.InsightsFilter) { f.GroupBy = warroom.GroupByType }, map[string]int{"system_crash": 4, "data_loss": 1}},
			{"SeverityFilter", func(f *warroom.InsightsFilter) { f.Severities = []warroom.Severity{warroom.P1} }, map[string]int{"all": 2}},
			{"ServiceFilter", func(f *warroom.InsightsFilter) { f.ServiceID = &fx.search.ID }, map[string]int{"all": 2}},
			{"TeamFilter", func(f *warroom.InsightsFilter) { s := "Payments"; f.Team = &s }, map[string]int{"all": 4}},
			{"TypeFilter", func(f *warroom.InsightsFilter) { v := warroom.TypeDataLoss; f.Type = &v }, map[string]int{"all": 1}},
			{"CauseFilter", func(f *warroom.InsightsFilter) { v := warroom.CauseTechnical; f.Cause = &v }, map[string]int{"all": 1}},
			{"NoCause", func(f *warroom.InsightsFilter) { v := warroom.CauseNone; f.Cause = &v }, map[string]int{"all": 3}},
			{"DrillsIncluded", func(f *warroom.InsightsFilter) { f.Drills = warroom.DrillsInclude }, map[string]int{"all": 6}},
			{"DrillsOnly", func(f *warroom.InsightsFilter) { f.Drills = warroom.DrillsOnly }, map[string]int{"all": 1}},
		} {
			t.Run(c.name, func(t *testing.T) {
				g := f
				c.set(&g)
				if got := counts(g); !reflect.DeepEqual(got, c.want) {
					t.Errorf("got %v, want %v", got, c.want)
				}
			})
		}
	})
}

func TestInsightsRefuseBadFilters(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		from := at("2026-01-01 00:00")
		bad := warroom.CauseCategory("luck")
		for _, c := range []struct {
			name  string
			f     warroom.InsightsFilter
			field string
		}{
			{"Backwards", warroom.InsightsFilter{From: from, To: from}, "to"},
			{"TooLong", warroom.InsightsFilter{From: from, To: from.AddDate(2, 0, 0)}, "to"},
			{"NoRange", warroom.InsightsFilter{}, "from"},
			{"Grouping", warroom.InsightsFilter{From: from, To: from.AddDate(0, 1, 0), GroupBy: "year"}, "group_by"},
			{"Cause", warroom.InsightsFilter{From: from, To: from.AddDate(0, 1, 0), Cause: &bad}, "cause"},
			{"Drills", warroom.InsightsFilter{From: from, To: from.AddDate(0, 1, 0), Drills: "some"}, "drills"},
		} {
			t.Run(c.name, func(t *testing.T) {
				calls := map[string]func() error{
					"incidents":    func() error { _, err := e.db.IncidentInsights(e.ctx, c.f); return err },
					"sla":          func() error { _, err := e.db.SLAInsights(e.ctx, c.f); return err },
					"loss":         func() error { _, err := e.db.LossInsights(e.ctx, c.f); return err },
					"oncall":       func() error { _, err := e.db.OnCallInsights(e.ctx, c.f); return err },
					"action items": func() error { _, err := e.db.ActionItemInsights(e.ctx, c.f); return err },
					"changes":      func() error { _, err := e.db.ChangeInsights(e.ctx, c.f); return err },
				}
				for name, call := range calls {
					err := call()
					if warroom.ErrorCode(err) != warroom.EINVALID || warroom.ErrorField(err) != c.field {
						t.Errorf("%s: %v, want invalid %s", name, err, c.field)
					}
				}
			})
		}
		// Changes group only by service, team or period.
		f := warroom.InsightsFilter{From: from, To: from.AddDate(0, 1, 0), GroupBy: warroom.GroupBySeverity}
		if _, err := e.db.ChangeInsights(e.ctx, f); warroom.ErrorField(err) != "group_by" {
			t.Errorf("changes by severity: %v", err)
		}
	})
}

func TestSLAInsights(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		fx := newInsightsFixture(t, engine)
		got, err := fx.e.db.SLAInsights(fx.e.ctx, fx.filter())
		if err != nil {
			t.Fatal(err)
		}
		c := func(met, breached, pending int, compliance *float64) warroom.SLATargetCount {
			return warroom.SLATargetCount{Met: met, Breached: breached, Pending: pending, Compliance: compliance}
		}
		const m, h, d = 60, 3600, 24 * 3600
		want := []warroom.SLAInsightsRow{
			{Key: "all", Severity: warroom.P0, AckTargetSeconds: 5 * m, ResolveTargetSeconds: d, Incidents: 1, Acknowledge: c(0, 1, 0, pct(0)), Resolve: c(1, 0, 0, pct(100))},
			{Key: "all", Severity: warroom.P1, AckTargetSeconds: 15 * m, ResolveTargetSeconds: 2 * d, Incidents: 2, Acknowledge: c(1, 1, 0, pct(50)), Resolve: c(1, 1, 0, pct(50))},
			{Key: "all", Severity: warroom.P2, AckTargetSeconds: 30 * m, ResolveTargetSeconds: 3 * d, Incidents: 1, Acknowledge: c(1, 0, 0, pct(100)), Resolve: c(0, 1, 0, pct(0))},
			{Key: "all", Severity: warroom.P3, AckTargetSeconds: 4 * h, ResolveTargetSeconds: 7 * d, Incidents: 1, Acknowledge: c(1, 0, 0, pct(100)), Resolve: c(0, 0, 1, nil)},
		}
		if !reflect.DeepEqual(got.Rows, want) {
			t.Errorf("rows:\n got %+v\nwant %+v", got.Rows, want)
		}
		type b struct {
			inc    int64
			target string
			over   int64
			open   bool
		}
		var breaches []b
		for _, x := range got.Breaches {
			breaches = append(breaches, b{x.IncidentID, x.Target, x.OverSeconds, x.StoppedAt == nil})
		}
		wantB := []b{
			{fx.inc[4], "acknowledge", 4*d + 45*m, true},
			{fx.inc[4], "resolve", 2*d + h, true},
			{fx.inc[3], "resolve", 5*d + 21*h, true},
			{fx.inc[2], "acknowledge", 15 * m, false},
		}
		if !reflect.DeepEqual(breaches, wantB) || got.BreachesTotal != 4 {
			t.Errorf("breaches (total %d):\n got %v\nwant %v", got.BreachesTotal, breaches, wantB)
		}
	})
}

func TestLossInsights(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		fx := newInsightsFixture(t, engine)
		f := fx.filter()
		f.GroupBy = warroom.GroupByTeam
		got, err := fx.e.db.LossInsights(fx.e.ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		want := warroom.LossTotals{Key: "all", Incidents: 5, WithLoss: 3,
			MoneyLost:        []warroom.CurrencyTotal{{Currency: "CNY", Amount: 2000500000}, {Currency: "USD", Amount: 10000}},
			CompensationPaid: []warroom.CurrencyTotal{{Currency: "USD", Amount: 5000}},
			OrdersLost:       5, UsersAffected: 300, DowntimeMinutes: 120}
		if !reflect.DeepEqual(got.Total, want) {
			t.Errorf("total:\n got %+v\nwant %+v", got.Total, want)
		}
		var keys []string
		for _, g := range got.Groups {
			keys = append(keys, fmt.Sprint(g.Key, g.Incidents, g.MoneyLost))
		}
		if w := []string{"discovery2 [{CNY 20000000}]", "payments4 [{CNY 20005000} {USD 100}]"}; !reflect.DeepEqual(keys, w) {
			t.Errorf("groups = %q, want %q", keys, w)
		}
		var ids []int64
		for _, l := range got.Incidents {
			ids = append(ids, l.IncidentID)
		}
		if w := []int64{fx.inc[2], fx.inc[1], fx.inc[4]}; !reflect.DeepEqual(ids, w) || got.IncidentsTotal != 3 {
			t.Errorf("incidents = %v (total %d), want %v", ids, got.IncidentsTotal, w)
		}
		if l := got.Incidents[1]; l.OrdersLost != 5 || l.DowntimeMinutes != 120 || l.MoneyLost.Currency != "CNY" {
			t.Errorf("incident 1's loss = %+v", l)
		}
	})
}

func TestOnCallInsights(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		fx := newInsightsFixture(t, engine)
		got, err := fx.e.db.OnCallInsights(fx.e.ctx, fx.filter())
		if err != nil {
			t.Fatal(err)
		}
		if got.Pages != 3 || got.OutOfHours != 2 {
			t.Errorf("pages %d, out of hours %d; want 3, 2", got.Pages, got.OutOfHours)
		}
		var people []string
		for _, p := range got.People {
			people = append(people, fmt.Sprint(p.UserID, p.TimeZone, p.Pages, p.OutOfHours))
		}
		want := []string{fmt.Sprint(fx.paged.ID, "Asia/Shanghai", 2, 1), fmt.Sprint(fx.pagedOther.ID, "UTC", 1, 1)}
		if !reflect.DeepEqual(people, want) {
			t.Errorf("people = %q, want %q", people, want)
		}
		var heat [7][24]int
		heat[1][11], heat[0][18], heat[5][2] = 1, 1, 1
		if got.HeatMap != heat {
			t.Errorf("heat map = %v", got.HeatMap)
		}
		// The service filter reaches the pages through their incident.
		f := fx.filter()
		f.ServiceID = &fx.search.ID
		if got, err := fx.e.db.OnCallInsights(fx.e.ctx, f); err != nil || got.Pages != 2 {
			t.Errorf("pages on search: %+v, %v; want 2", got, err)
		}
	})
}

func TestActionItemInsights(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		fx := newInsightsFixture(t, engine)
		got, err := fx.e.db.ActionItemInsights(fx.e.ctx, fx.filter())
		if err != nil {
			t.Fatal(err)
		}
		want := &warroom.ActionItemInsights{From: fx.from, To: fx.to,
			Total: warroom.ActionItemInsightsRow{Team: "all", Total: 5, Open: 2, Overdue: 1, Done: 2, DoneOnTime: 1, DoneLate: 1, WontDo: 1},
			Teams: []warroom.ActionItemInsightsRow{
				{Team: "discovery", Total: 4, Open: 2, Overdue: 1, Done: 1, DoneLate: 1, WontDo: 1},
				{Team: "payments", Total: 3, Open: 1, Overdue: 1, Done: 2, DoneOnTime: 1, DoneLate: 1},
			}}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("\n got %+v\nwant %+v", got, want)
		}
	})
}

func TestChangeInsights(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		fx := newInsightsFixture(t, engine)
		got, err := fx.e.db.ChangeInsights(fx.e.ctx, fx.filter())
		if err != nil {
			t.Fatal(err)
		}
		want := warroom.ChangeInsightsRow{Key: "all", Changes: 5, Failed: 3, FailureRate: pct(60),
			TimeToIncident: ds(2, 14400, 3600, 25200), Recovery: ds(2, 9000, 7200, 10800)}
		if !reflect.DeepEqual(got.Total, want) {
			t.Errorf("total:\n got %+v\nwant %+v", got.Total, want)
		}
		rates := func(g warroom.InsightsGrouping) []string {
			f := fx.filter()
			f.GroupBy = g
			got, err := fx.e.db.ChangeInsights(fx.e.ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, r := range got.Groups {
				out = append(out, fmt.Sprintf("%s %d/%d", r.Key, r.Failed, r.Changes))
			}
			return out
		}
		if got, w := rates(warroom.GroupByService), []string{"billing 1/2", "checkout 1/2", "search 1/1"}; !reflect.DeepEqual(got, w) {
			t.Errorf("by service = %q, want %q", got, w)
		}
		if got, w := rates(warroom.GroupByTeam), []string{"discovery 1/1", "payments 2/4"}; !reflect.DeepEqual(got, w) {
			t.Errorf("by team = %q, want %q", got, w)
		}
		if got, w := rates(warroom.GroupByMonth), []string{"2026-02 3/5"}; !reflect.DeepEqual(got, w) {
			t.Errorf("by month = %q, want %q", got, w)
		}
		// A drill fails a change only when drills are asked for.
		f := fx.filter()
		f.Drills = warroom.DrillsInclude
		if got, err := fx.e.db.ChangeInsights(fx.e.ctx, f); err != nil || got.Total.Failed != 4 {
			t.Errorf("with drills: %+v, %v; want 4 failed", got.Total, err)
		}
	})
}

func TestSummarizeNearestRank(t *testing.T) {
	for _, c := range []struct {
		in   []int64
		want warroom.DurationStats
	}{
		{nil, warroom.DurationStats{}},
		{[]int64{7}, ds(1, 7, 7, 7)},
		{[]int64{4, 1, 3, 2}, ds(4, 2, 2, 4)},
		{[]int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, ds(10, 5, 5, 9)},
		{[]int64{-3, 0}, ds(2, -2, -3, 0)},
	} {
		if got := warroom.Summarize(append([]int64(nil), c.in...)); got != c.want {
			t.Errorf("Summarize(%v) = %+v, want %+v", c.in, got, c.want)
		}
	}
}
