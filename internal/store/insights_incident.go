package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"math/bits"
	"slices"
	"sort"
	"time"

	"github.com/warroomhq/warroom"
)

// clockSet collects the durations of one group before they are summarised.
type clockSet struct {
	incidents, open int
	ack, mit, res   []int64
	alerts          []int64
}

func (c *clockSet) add(fc *fact) {
	c.incidents++
	if !fc.res.Valid {
		c.open++
	}
	if fc.ack.Valid {
		c.ack = append(c.ack, fc.ack.Int64-fc.detected)
	}
	if fc.mit.Valid {
		c.mit = append(c.mit, fc.mit.Int64-fc.detected)
	}
	if fc.res.Valid {
		c.res = append(c.res, fc.res.Int64-fc.detected)
	}
	c.alerts = append(c.alerts, fc.alerts)
}

func (c *clockSet) row(key string) warroom.IncidentInsightsRow {
	r := warroom.IncidentInsightsRow{Key: key, Incidents: c.incidents, Open: c.open,
		Acknowledge: warroom.Summarize(c.ack), Mitigate: warroom.Summarize(c.mit), Resolve: warroom.Summarize(c.res)}
	for _, a := range c.alerts {
		r.Alerts += a
	}
	r.AlertsPerIncident = warroom.Summarize(c.alerts)
	if n := len(c.alerts); n > 0 {
		r.MaxAlerts = c.alerts[n-1] // sorted by Summarize
	}
	return r
}

// IncidentInsights counts incidents, their clocks and their alerts.
func (db *DB) IncidentInsights(ctx context.Context, f warroom.InsightsFilter) (*warroom.IncidentInsights, error) {
	return readInsights(ctx, db, f, func(tx *tx) (*warroom.IncidentInsights, error) {
		facts, err := readFacts(ctx, tx, f, "", nil)
		if err != nil {
			return nil, err
		}
		if err := countAlerts(ctx, tx, f, facts); err != nil {
			return nil, err
		}
		key, err := keyerFor(ctx, tx, f)
		if err != nil {
			return nil, err
		}
		var total clockSet
		groups := map[string]*clockSet{}
		for _, k := range periodKeys(f) {
			groups[k] = &clockSet{}
		}
		for _, fc := range facts {
			total.add(fc)
			for _, k := range key(fc) {
				g := groups[k]
				if g == nil {
					g = &clockSet{}
					groups[k] = g
				}
				g.add(fc)
			}
		}
		out := &warroom.IncidentInsights{From: f.From, To: f.To, GroupBy: f.GroupBy, Total: total.row("all"), Groups: []warroom.IncidentInsightsRow{}}
		for _, k := range sortedKeys(groups, periodKeys(f)) {
			out.Groups = append(out.Groups, groups[k].row(k))
		}
		out.Noisiest = noisiest(facts, 10)
		return out, nil
	})
}

// countAlerts sets the number of alerts of every fact.
func countAlerts(ctx context.Context, tx *tx, f warroom.InsightsFilter, facts []*fact) error {
	byID := make(map[int64]*fact, len(facts))
	for _, fc := range facts {
		byID[fc.id] = fc
	}
	sc := scopeOf(f, true)
	// SQLite, in process, probes the alerts' incident index once per
	// incident faster than it joins; PostgreSQL is four times faster
	// joining and grouping than running a subquery per row.
	q := `SELECT i.id, (SELECT COUNT(*) FROM alerts a WHERE a.incident_id = i.id)` + insightFrom + ` WHERE ` + sc.where
	if tx.d.postgres {
		q = `SELECT a.incident_id, COUNT(*) FROM alerts a JOIN incidents i ON i.id = a.incident_id
			LEFT JOIN postmortems p ON p.incident_id = i.id WHERE ` + sc.where + ` GROUP BY a.incident_id`
	}
	rows, err := tx.query(ctx, q, sc.args...)
	if err != nil {
		return fmt.Errorf("insights: alerts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, n int64
		if err := rows.Scan(&id, &n); err != nil {
			return fmt.Errorf("insights: alerts: %w", err)
		}
		if fc := byID[id]; fc != nil {
			fc.alerts = n
		}
	}
	return rows.Err()
}

// noisiest returns the n incidents with the most alerts, ties by ID.
func noisiest(facts []*fact, n int) []warroom.NoisyIncident {
	byAlerts := make([]*fact, 0, len(facts))
	for _, fc := range facts {
		if fc.alerts > 0 {
			byAlerts = append(byAlerts, fc)
		}
	}
	sort.Slice(byAlerts, func(i, j int) bool {
		if byAlerts[i].alerts != byAlerts[j].alerts {
			return byAlerts[i].alerts > byAlerts[j].alerts
		}
		return byAlerts[i].id < byAlerts[j].id
	})
	out := []warroom.NoisyIncident{}
	for i := 0; i < len(byAlerts) && i < n; i++ {
		fc := byAlerts[i]
		out = append(out, warroom.NoisyIncident{IncidentID: fc.id, Number: warroom.FormatNumber(fc.id), Title: fc.title, Severity: fc.severity, Alerts: fc.alerts})
	}
	return out
}

// SLAInsights computes compliance per severity against the policies in
// force, judging each incident as its own page does (warroom.SLAFor).
func (db *DB) SLAInsights(ctx context.Context, f warroom.InsightsFilter) (*warroom.SLAInsights, error) {
	return readInsights(ctx, db, f, func(tx *tx) (*warroom.SLAInsights, error) {
		policies, err := findSLAPolicies(ctx, tx)
		if err != nil {
			return nil, err
		}
		byS := map[warroom.Severity]warroom.SLAPolicy{}
		for _, p := range policies {
			byS[p.Severity] = p
		}
		facts, err := readFacts(ctx, tx, f, "", nil)
		if err != nil {
			return nil, err
		}
		key, err := keyerFor(ctx, tx, f)
		if err != nil {
			return nil, err
		}
		rows := map[string]*warroom.SLAInsightsRow{}
		row := func(k string, s warroom.Severity) *warroom.SLAInsightsRow {
			id := k + "\x00" + string(s)
			r := rows[id]
			if r == nil {
				p := byS[s]
				r = &warroom.SLAInsightsRow{Key: k, Severity: s, AckTargetSeconds: p.AckTargetSeconds, ResolveTargetSeconds: p.ResolveTargetSeconds}
				rows[id] = r
			}
			return r
		}
		now := tx.now
		out := &warroom.SLAInsights{From: f.From, To: f.To, GroupBy: f.GroupBy, Rows: []warroom.SLAInsightsRow{}, Breaches: []warroom.SLABreach{}}
		var breaches []warroom.SLABreach
		for _, fc := range facts {
			p, ok := byS[fc.severity]
			if !ok {
				continue
			}
			inc := &warroom.Incident{DetectedAt: fc.detectedAt(), AcknowledgedAt: unixPtr(fc.ack), ResolvedAt: unixPtr(fc.res)}
			st := warroom.SLAFor(inc, p, now)
			ackMet := inc.AcknowledgedAt != nil && !st.AckBreached
			resMet := inc.ResolvedAt != nil && !st.ResolveBreached
			for _, k := range key(fc) {
				r := row(k, fc.severity)
				r.Incidents++
				r.Acknowledge.Add(ackMet, st.AckBreached)
				r.Resolve.Add(resMet, st.ResolveBreached)
			}
			if st.AckBreached {
				breaches = append(breaches, breach(fc, "acknowledge", st.AckDue, inc.AcknowledgedAt, now))
			}
			if st.ResolveBreached {
				breaches = append(breaches, breach(fc, "resolve", st.ResolveDue, inc.ResolvedAt, now))
			}
		}
		ids := make([]string, 0, len(rows))
		for id := range rows {
			ids = append(ids, id)
		}
		order := map[string]int{}
		for i, k := range periodKeys(f) {
			order[k] = i + 1
		}
		sort.Slice(ids, func(i, j int) bool {
			a, b := rows[ids[i]], rows[ids[j]]
			if a.Key != b.Key {
				if order[a.Key] != order[b.Key] {
					return order[a.Key] < order[b.Key]
				}
				return a.Key < b.Key
			}
			return a.Severity < b.Severity
		})
		for _, id := range ids {
			out.Rows = append(out.Rows, *rows[id])
		}
		// Newest detection first; an incident's acknowledge breach before
		// its resolve breach.
		slices.SortFunc(breaches, func(a, b warroom.SLABreach) int {
			if c := b.DetectedAt.Compare(a.DetectedAt); c != 0 {
				return c
			}
			if a.IncidentID != b.IncidentID {
				return cmp.Compare(b.IncidentID, a.IncidentID)
			}
			return cmp.Compare(a.Target, b.Target)
		})
		out.BreachesTotal = len(breaches)
		if len(breaches) > warroom.MaxInsightsRows {
			breaches = breaches[:warroom.MaxInsightsRows]
		}
		out.Breaches = append(out.Breaches, breaches...)
		return out, nil
	})
}

func breach(fc *fact, target string, due time.Time, stopped *time.Time, now time.Time) warroom.SLABreach {
	end := now
	if stopped != nil {
		end = *stopped
	}
	return warroom.SLABreach{IncidentID: fc.id, Number: warroom.FormatNumber(fc.id), Title: fc.title, Severity: fc.severity,
		DetectedAt: fc.detectedAt(), Target: target, DueAt: due, StoppedAt: stopped, OverSeconds: int64(end.Sub(due) / time.Second)}
}

func unixPtr(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := time.Unix(v.Int64, 0).UTC()
	return &t
}

// lossSum accumulates one group's loss.
type lossSum struct {
	t           warroom.LossTotals
	money, comp map[string]warroom.Amount
	overflow    bool
}

func (s *lossSum) add(fc *fact) {
	if s.money == nil {
		s.money, s.comp = map[string]warroom.Amount{}, map[string]warroom.Amount{}
	}
	s.t.Incidents++
	if hasLoss(fc) {
		s.t.WithLoss++
	}
	if fc.moneyLost.Amount != 0 {
		s.money[fc.moneyLost.Currency] = s.addAmount(s.money[fc.moneyLost.Currency], fc.moneyLost.Amount)
	}
	if fc.compensation.Amount != 0 {
		s.comp[fc.compensation.Currency] = s.addAmount(s.comp[fc.compensation.Currency], fc.compensation.Amount)
	}
	s.t.OrdersLost += fc.orders
	s.t.UsersAffected += fc.users
	s.t.DowntimeMinutes += fc.dt
}

// addAmount adds without wrapping: per-incident amounts are bounded by
// MaxAmount, but enough of them could pass the int64 range.
func (s *lossSum) addAmount(a, b warroom.Amount) warroom.Amount {
	sum, carry := bits.Add64(uint64(a), uint64(b), 0)
	if carry != 0 || int64(sum) < 0 {
		s.overflow = true
		return a
	}
	return warroom.Amount(sum)
}

func (s *lossSum) totals(key string) warroom.LossTotals {
	t := s.t
	t.Key = key
	t.MoneyLost, t.CompensationPaid = currencyTotals(s.money), currencyTotals(s.comp)
	return t
}

func currencyTotals(m map[string]warroom.Amount) []warroom.CurrencyTotal {
	out := []warroom.CurrencyTotal{}
	for c, a := range m {
		out = append(out, warroom.CurrencyTotal{Currency: c, Amount: a})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Currency < out[j].Currency })
	return out
}

func hasLoss(fc *fact) bool {
	return fc.moneyLost.Amount != 0 || fc.compensation.Amount != 0 || fc.orders != 0 || fc.dt != 0
}

// LossInsights sums the recorded loss per currency and lists the incidents
// that recorded any.
func (db *DB) LossInsights(ctx context.Context, f warroom.InsightsFilter) (*warroom.LossInsights, error) {
	return readInsights(ctx, db, f, func(tx *tx) (*warroom.LossInsights, error) {
		facts, err := readFacts(ctx, tx, f, `, i.money_lost, i.money_lost_currency, i.compensation_paid, i.compensation_paid_currency, i.orders_lost, i.users_affected, i.downtime_minutes`,
			func(fc *fact) []any {
				return []any{&fc.moneyLost.Amount, &fc.moneyLost.Currency, &fc.compensation.Amount, &fc.compensation.Currency, &fc.orders, &fc.users, &fc.dt}
			})
		if err != nil {
			return nil, err
		}
		key, err := keyerFor(ctx, tx, f)
		if err != nil {
			return nil, err
		}
		var total lossSum
		groups := map[string]*lossSum{}
		for _, k := range periodKeys(f) {
			groups[k] = &lossSum{}
		}
		var lost []*fact
		for _, fc := range facts {
			total.add(fc)
			for _, k := range key(fc) {
				g := groups[k]
				if g == nil {
					g = &lossSum{}
					groups[k] = g
				}
				g.add(fc)
			}
			if hasLoss(fc) {
				lost = append(lost, fc)
			}
		}
		if total.overflow {
			return nil, warroom.FieldErrorf("from", "the money lost in this range is too large to total; narrow the range")
		}
		out := &warroom.LossInsights{From: f.From, To: f.To, GroupBy: f.GroupBy, Total: total.totals("all"), Groups: []warroom.LossTotals{}, Incidents: []warroom.IncidentLoss{}}
		for _, k := range sortedKeys(groups, periodKeys(f)) {
			out.Groups = append(out.Groups, groups[k].totals(k))
		}
		// Most money first; amounts of different currencies are compared
		// as numbers only to order the list, never added.
		sort.Slice(lost, func(i, j int) bool {
			if lost[i].moneyLost.Amount != lost[j].moneyLost.Amount {
				return lost[i].moneyLost.Amount > lost[j].moneyLost.Amount
			}
			return lost[i].id < lost[j].id
		})
		out.IncidentsTotal = len(lost)
		for i := 0; i < len(lost) && i < warroom.MaxInsightsRows; i++ {
			fc := lost[i]
			out.Incidents = append(out.Incidents, warroom.IncidentLoss{IncidentID: fc.id, Number: warroom.FormatNumber(fc.id), Title: fc.title,
				Severity: fc.severity, DetectedAt: fc.detectedAt(), MoneyLost: fc.moneyLost, CompensationPaid: fc.compensation,
				OrdersLost: fc.orders, UsersAffected: fc.users, DowntimeMinutes: fc.dt})
		}
		return out, nil
	})
}
