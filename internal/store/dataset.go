package store

import (
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/warroomhq/warroom"
)

// DatasetSpec says how much GenerateDataset writes. The same spec (seed,
// sizes and end) writes the same rows.
type DatasetSpec struct {
	Seed      uint64
	End       time.Time // the last instant of the period; zero means the start of today, UTC
	Days      int
	Users     int
	Teams     int
	Services  int
	Alerts    int
	Incidents int
	Changes   int
	// Progress, when set, hears each table's rows as they are written.
	Progress func(table string, rows int)
}

// DefaultDatasetSpec is a busy year: a million alerts over 200 services,
// 100,000 incidents, 20,000 changes and 50 people.
func DefaultDatasetSpec() DatasetSpec {
	return DatasetSpec{Seed: 1, Days: 365, Users: 50, Teams: 10, Services: 200, Alerts: 1_000_000, Incidents: 100_000, Changes: 20_000}
}

// DatasetReport counts what GenerateDataset wrote, by table.
type DatasetReport struct {
	Rows map[string]int
	Took time.Duration
}

// ErrDatasetNotEmpty refuses to generate into a database that already
// holds incidents or alerts: generated rows would mix with real ones.
var ErrDatasetNotEmpty = errors.New("dataset: the database already holds incidents or alerts")

func (s DatasetSpec) check() error {
	switch {
	case s.Days < 1:
		return fmt.Errorf("dataset: days must be at least 1")
	case s.Users < 1, s.Teams < 1, s.Services < 1:
		return fmt.Errorf("dataset: users, teams and services must each be at least 1")
	case s.Alerts < 0, s.Incidents < 0, s.Changes < 0:
		return fmt.Errorf("dataset: alerts, incidents and changes must not be negative")
	}
	return nil
}

// GenerateDataset fills an empty database with a realistic period of
// operations: people in teams, services with integrations, changes,
// incidents with their timelines, roles, tasks, alerts, postmortems and
// action items, and alerts that opened nothing. Rows go in with multi-row
// INSERTs in large transactions, straight into the tables the store reads,
// so that a year takes minutes; the full-text index is filled by the same
// triggers as in normal operation. It is for measuring reads at scale, not
// a way to import data.
func (db *DB) GenerateDataset(ctx context.Context, spec DatasetSpec) (*DatasetReport, error) {
	if err := spec.check(); err != nil {
		return nil, err
	}
	if spec.End.IsZero() {
		spec.End = time.Now().UTC().Truncate(24 * time.Hour)
	}
	var n int
	if err := db.read.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM incidents) + (SELECT count(*) FROM alerts)`).Scan(&n); err != nil {
		return nil, fmt.Errorf("dataset: %w", err)
	}
	if n > 0 {
		return nil, ErrDatasetNotEmpty
	}
	started := time.Now()
	g := &generator{db: db, spec: spec, rng: rand.New(rand.NewPCG(spec.Seed, spec.Seed^0x9e3779b97f4a7c15)),
		start: spec.End.Add(-time.Duration(spec.Days) * 24 * time.Hour), rows: map[string]int{}}
	if err := g.run(ctx); err != nil {
		return nil, err
	}
	return &DatasetReport{Rows: g.rows, Took: time.Since(started)}, nil
}

// generator holds one run's state.
type generator struct {
	db    *DB
	spec  DatasetSpec
	rng   *rand.Rand
	start time.Time
	rows  map[string]int

	tx     *sql.Tx
	tables map[string]*bulk

	next     map[string]int64 // the next id of each table
	users    []genUser
	teams    []string
	services []genService
	changes  []genChange // by start time
	alerts   int         // alerts written so far
	noiseAt  []time.Time // when the alerts that opened nothing fire, in order
}

type genUser struct {
	id   int64
	name string
	team int
}

type genService struct {
	id, pd, am int64
	name, team string
	teamIdx    int
	weight     float64
}

type genChange struct {
	id      int64
	service int
	at      time.Time
}

// bulk gathers one table's rows for a multi-row INSERT.
type bulk struct {
	table string
	cols  []string
	args  []any
	n     int
}

// maxParams keeps a statement under SQLite's and PostgreSQL's limits on
// bound parameters.
const maxParams = 30000

func (g *generator) add(ctx context.Context, table string, vals ...any) error {
	b := g.tables[table]
	if len(vals) != len(b.cols) {
		return fmt.Errorf("dataset: %s takes %d values, got %d", table, len(b.cols), len(vals))
	}
	b.args = append(b.args, vals...)
	b.n++
	if len(b.args)+len(b.cols) > maxParams {
		// Every table goes, in order, so that no row is written before
		// the rows it refers to.
		return g.flushAll(ctx)
	}
	return nil
}

func (g *generator) flushAll(ctx context.Context) error {
	for _, name := range tableOrder {
		if err := g.flush(ctx, g.tables[name]); err != nil {
			return err
		}
	}
	return nil
}

func (g *generator) flush(ctx context.Context, b *bulk) error {
	if b.n == 0 {
		return nil
	}
	var q strings.Builder
	q.WriteString("INSERT INTO ")
	q.WriteString(b.table)
	q.WriteString(" (")
	q.WriteString(strings.Join(b.cols, ", "))
	q.WriteString(") VALUES ")
	row := "(" + placeholders(len(b.cols)) + ")"
	for i := 0; i < b.n; i++ {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString(row)
	}
	if _, err := g.tx.ExecContext(ctx, g.db.d.rebind(q.String()), g.db.d.args(b.args)...); err != nil {
		return fmt.Errorf("dataset: insert %s: %w", b.table, err)
	}
	g.rows[b.table] += b.n
	if g.spec.Progress != nil {
		g.spec.Progress(b.table, g.rows[b.table])
	}
	b.args, b.n = b.args[:0], 0
	return nil
}

// commit writes what is gathered and starts the next transaction, so that
// no transaction grows without bound.
func (g *generator) commit(ctx context.Context) error {
	if err := g.flushAll(ctx); err != nil {
		return err
	}
	if err := g.tx.Commit(); err != nil {
		return fmt.Errorf("dataset: commit: %w", err)
	}
	var err error
	g.tx, err = g.db.write.BeginTx(ctx, nil)
	return err
}

// tableOrder is the order in which gathered rows are written: every row's
// references exist before it.
var tableOrder = []string{"users", "teams", "team_members", "services", "integrations", "changes", "change_services",
	"incidents", "incident_services", "events", "role_assignments", "tasks", "incident_changes", "postmortems",
	"action_items", "search_docs", "alerts"}

var tableColumns = map[string][]string{
	"users":             {"id", "name", "email", "role", "active", "locale", "time_zone", "created_at", "updated_at"},
	"teams":             {"id", "name", "description", "created_at", "updated_at"},
	"team_members":      {"team_id", "user_id", "added_at"},
	"services":          {"id", "name", "description", "team", "tier", "created_at", "updated_at"},
	"integrations":      {"id", "service_id", "name", "kind", "key", "created_at"},
	"changes":           {"id", "kind", "title", "description", "author_id", "risk", "proposed_risk", "rollback_plan", "state", "source", "started_at", "ended_at", "created_at", "updated_at"},
	"change_services":   {"change_id", "service_id"},
	"incidents":         {"id", "title", "summary", "type", "state", "severity", "proposed_severity", "users_affected", "orders_affected", "money_lost", "money_lost_currency", "downtime_minutes", "detected_at", "acknowledged_at", "mitigated_at", "resolved_at", "closed_at", "created_at", "updated_at", "created_by"},
	"incident_services": {"incident_id", "service_id"},
	"events":            {"id", "incident_id", "kind", "actor_id", "at", "text", "visibility", "data"},
	"role_assignments":  {"id", "incident_id", "role", "user_id", "assigned_by", "assigned_at"},
	"tasks":             {"id", "incident_id", "title", "position", "assignee_id", "done", "done_at", "done_by", "created_at"},
	"incident_changes":  {"incident_id", "change_id", "note", "linked_by", "linked_at"},
	"postmortems":       {"id", "incident_id", "status", "summary", "cause_category", "lessons", "author_id", "due_at", "submitted_at", "published_at", "created_at", "updated_at"},
	"action_items":      {"id", "incident_id", "postmortem_id", "title", "owner_id", "due_date", "priority", "kind", "status", "created_by", "created_at", "updated_at", "done_at"},
	"search_docs":       {"doc_type", "incident_id", "ref_id", "title", "body", "at"},
	"alerts":            {"id", "service_id", "integration_id", "scope", "dedup_key", "source", "status", "summary", "severity", "labels", "raw", "occurrences", "first_seen_at", "last_seen_at", "acknowledged_at", "resolved_at", "incident_id", "suppressed", "routed", "group_key"},
}

func (g *generator) run(ctx context.Context) (err error) {
	g.tables = map[string]*bulk{}
	g.next = map[string]int64{}
	for _, name := range tableOrder {
		g.tables[name] = &bulk{table: name, cols: tableColumns[name]}
		if name == "search_docs" || name == "team_members" || name == "change_services" || name == "incident_services" || name == "incident_changes" {
			continue
		}
		var max sql.NullInt64
		if err := g.db.read.QueryRowContext(ctx, `SELECT max(id) FROM `+name).Scan(&max); err != nil {
			return fmt.Errorf("dataset: %w", err)
		}
		g.next[name] = max.Int64 + 1
	}
	if g.tx, err = g.db.write.BeginTx(ctx, nil); err != nil {
		return fmt.Errorf("dataset: begin: %w", err)
	}
	defer func() {
		if g.tx != nil {
			_ = g.tx.Rollback()
		}
	}()
	steps := []func(context.Context) error{g.people, g.catalog, g.changeRecords, g.incidents, g.noise}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			return err
		}
		if err := g.commit(ctx); err != nil {
			return err
		}
	}
	if err := g.tx.Commit(); err != nil {
		return fmt.Errorf("dataset: commit: %w", err)
	}
	g.tx = nil
	return g.finish(ctx)
}

// finish moves PostgreSQL's identity sequences past the ids written
// explicitly and refreshes both engines' planner statistics, as they would
// be on a database that grew over a year.
func (g *generator) finish(ctx context.Context) error {
	for _, name := range tableOrder {
		if _, ok := g.next[name]; !ok || !g.db.d.postgres {
			continue
		}
		q := fmt.Sprintf(`SELECT setval(pg_get_serial_sequence('%s', 'id'), (SELECT max(id) FROM %s)) WHERE EXISTS (SELECT 1 FROM %s)`, name, name, name)
		if _, err := g.db.write.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("dataset: sequence of %s: %w", name, err)
		}
	}
	// The reminders a year of postmortems and action items has had are
	// recorded as the engine would have recorded them over the year, so
	// that a server started on the data does not spend its first minutes
	// catching up.
	for i := 0; i < 1000; i++ {
		rs, err := g.db.RunReminders(ctx, g.spec.End)
		if err != nil {
			return fmt.Errorf("dataset: reminders: %w", err)
		}
		if len(rs) == 0 {
			break
		}
		g.rows["reminders"] += len(rs)
	}
	// What autovacuum and PRAGMA optimize do to a database in use: fresh
	// planner statistics, and on PostgreSQL a visibility map for
	// index-only scans.
	q := `ANALYZE`
	if g.db.d.postgres {
		q = `VACUUM ANALYZE`
	}
	if _, err := g.db.write.ExecContext(ctx, q); err != nil {
		return fmt.Errorf("dataset: %s: %w", q, err)
	}
	return nil
}

func (g *generator) id(table string) int64 {
	id := g.next[table]
	g.next[table]++
	return id
}

// at is an instant in the period, weighted towards working hours (Beijing
// time) the way alerts and changes cluster.
func (g *generator) at() time.Time {
	day := g.rng.IntN(g.spec.Days)
	var hour float64
	if g.rng.Float64() < 0.7 {
		hour = 1 + g.rng.Float64()*10 // 09:00–19:00 in UTC+8
	} else {
		hour = g.rng.Float64() * 24
	}
	return g.start.Add(time.Duration(day)*24*time.Hour + time.Duration(hour*float64(time.Hour))).Truncate(time.Microsecond)
}

// after is a log-normal delay with the given median, as response times are.
func (g *generator) after(median time.Duration) time.Duration {
	return time.Duration(float64(median) * math.Exp(g.rng.NormFloat64()*0.8)).Truncate(time.Microsecond)
}

func (g *generator) pick(n int) int { return g.rng.IntN(n) }

func (g *generator) chance(p float64) bool { return g.rng.Float64() < p }

func (g *generator) token() string {
	var b [16]byte
	for i := range b {
		b[i] = byte(g.rng.Uint32())
	}
	return hex.EncodeToString(b[:])
}

var (
	genFamily = []string{"Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Zhao", "Huang", "Zhou", "Wu", "Smith", "Garcia", "Müller", "Silva", "Kim"}
	genGiven  = []string{"Wei", "Fang", "Min", "Jing", "Lei", "Yan", "Tao", "Ming", "Ana", "John", "Sara", "Lukas", "Priya", "Omar", "Mei"}
	genTeams  = []string{"payments", "orders", "search", "identity", "storage", "network", "mobile", "data", "crm", "platform", "billing", "messaging"}
	genParts  = []string{"api", "gateway", "db", "cache", "worker", "queue", "web", "scheduler", "auth", "export", "callback", "ledger"}
	genAlerts = []struct{ name, summary string }{
		{"HighErrorRate", "5xx rate above 5%% on %s"},
		{"LatencyP99High", "p99 latency above 2s on %s"},
		{"InstanceDown", "%s instance not reachable"},
		{"DiskFull", "disk above 90%% on %s"},
		{"ReplicationLag", "replica of %s lags 300s"},
		{"QueueBacklog", "%s queue backlog above 10k"},
		{"CertExpiring", "TLS certificate of %s expires in 7 days"},
		{"CallbackTimeout", "%s 支付回调超时"},
		{"LeadsFlowEmpty", "%s 线索流量为零"},
		{"SlowQuery", "%s 慢查询锁表"},
	}
	genNotes = []string{
		"Rolled back the last deploy; error rate falling.",
		"Failover to the standby database started.",
		"Customer service reports users cannot pay.",
		"已联系数据库值班，正在确认备份是否可用。",
		"回滚后错误率恢复正常，继续观察。",
		"Cache hit ratio dropped after the config change.",
		"报表查询锁住了订单表，已终止该查询。",
		"Traffic shifted to the second region.",
		"线索渠道被误删，已恢复渠道配置。",
		"Vendor confirmed an outage on their side.",
	}
	genSeverities = []warroom.Severity{warroom.P0, warroom.P1, warroom.P2, warroom.P3, warroom.P4}
	genSevWeights = []float64{0.01, 0.05, 0.20, 0.44, 0.30}
	genTypes      = []warroom.IncidentType{warroom.TypeSystemCrash, warroom.TypeNetworkFailure, warroom.TypeOther, warroom.TypeDataLoss, warroom.TypeSecurityBreach}
	genTypeWeight = []float64{0.45, 0.25, 0.25, 0.03, 0.02}
)

func (g *generator) weighted(w []float64) int {
	r := g.rng.Float64()
	for i, p := range w {
		if r < p {
			return i
		}
		r -= p
	}
	return len(w) - 1
}

func (g *generator) people(ctx context.Context) error {
	at := g.start
	for i := 0; i < g.spec.Teams; i++ {
		name := genTeams[i%len(genTeams)]
		if i >= len(genTeams) {
			name += "-" + strconv.Itoa(i/len(genTeams)+1)
		}
		g.teams = append(g.teams, name)
		if err := g.add(ctx, "teams", g.id("teams"), name, "", at, at); err != nil {
			return err
		}
	}
	for i := 0; i < g.spec.Users; i++ {
		role := warroom.UserRoleResponder
		switch {
		case i < 2:
			role = warroom.UserRoleAdmin
		case i%10 == 7:
			role = warroom.UserRoleViewer
		case i%10 == 9:
			role = warroom.UserRoleStakeholder
		}
		locale := "en"
		if i%3 != 0 {
			locale = "zh-CN"
		}
		u := genUser{id: g.id("users"), name: genGiven[i%len(genGiven)] + " " + genFamily[(i/len(genGiven)+i)%len(genFamily)], team: i % g.spec.Teams}
		g.users = append(g.users, u)
		email := fmt.Sprintf("user%03d@dataset.example", i+1)
		if err := g.add(ctx, "users", u.id, u.name, email, string(role), true, locale, "Asia/Shanghai", at, at); err != nil {
			return err
		}
	}
	if err := g.flush(ctx, g.tables["users"]); err != nil {
		return err
	}
	if err := g.flush(ctx, g.tables["teams"]); err != nil {
		return err
	}
	teamIDs := g.next["teams"] - int64(g.spec.Teams)
	for _, u := range g.users {
		if err := g.add(ctx, "team_members", teamIDs+int64(u.team), u.id, at); err != nil {
			return err
		}
	}
	return nil
}

func (g *generator) catalog(ctx context.Context) error {
	at := g.start
	for i := 0; i < g.spec.Services; i++ {
		t := i % g.spec.Teams
		s := genService{id: g.id("services"), team: g.teams[t], teamIdx: t,
			name: fmt.Sprintf("%s-%s-%d", g.teams[t], genParts[(i/g.spec.Teams)%len(genParts)], i+1),
			// A few services make most of the noise.
			weight: 1 / math.Pow(float64(i+1), 0.8)}
		if err := g.add(ctx, "services", s.id, s.name, "", s.team, 1+i%3, at, at); err != nil {
			return err
		}
		s.pd, s.am = g.id("integrations"), g.id("integrations")
		if err := g.add(ctx, "integrations", s.pd, s.id, "pagerduty", string(warroom.IntegrationPagerDuty), g.token(), at); err != nil {
			return err
		}
		if err := g.add(ctx, "integrations", s.am, s.id, "alertmanager", string(warroom.IntegrationAlertmanager), g.token(), at); err != nil {
			return err
		}
		g.services = append(g.services, s)
	}
	// Services are shuffled so that weight does not follow team order.
	g.rng.Shuffle(len(g.services), func(i, j int) {
		g.services[i].weight, g.services[j].weight = g.services[j].weight, g.services[i].weight
	})
	return nil
}

// service picks a service by its share of the noise.
func (g *generator) service() int {
	var total float64
	for _, s := range g.services {
		total += s.weight
	}
	r := g.rng.Float64() * total
	for i, s := range g.services {
		if r < s.weight {
			return i
		}
		r -= s.weight
	}
	return len(g.services) - 1
}

func (g *generator) changeRecords(ctx context.Context) error {
	kinds := []warroom.ChangeKind{warroom.ChangeDeploy, warroom.ChangeDeploy, warroom.ChangeDeploy, warroom.ChangeConfiguration, warroom.ChangeMigration, warroom.ChangeInfrastructure, warroom.ChangeDataOperation}
	risks := []warroom.Risk{warroom.RiskLow, warroom.RiskLow, warroom.RiskMedium, warroom.RiskHigh}
	times := g.times(g.spec.Changes)
	for i := 0; i < g.spec.Changes; i++ {
		si := g.pick(len(g.services))
		c := genChange{id: g.id("changes"), service: si, at: times[i]}
		s := g.services[si]
		state, end := warroom.ChangeCompleted, c.at.Add(g.after(20*time.Minute))
		switch r := g.rng.Float64(); {
		case r < 0.03:
			state = warroom.ChangeFailed
		case r < 0.06:
			state = warroom.ChangeRolledBack
		}
		kind, risk := kinds[g.pick(len(kinds))], risks[g.pick(len(risks))]
		author := g.users[g.pick(len(g.users))].id
		title := fmt.Sprintf("%s %s v%d.%d.%d", kind, s.name, 1+i%5, i%40, i%7)
		if err := g.add(ctx, "changes", c.id, string(kind), title, "", author, string(risk), string(risk), "redeploy the previous version",
			string(state), string(warroom.SourceAPI), c.at, end, c.at.Add(-time.Hour), end); err != nil {
			return err
		}
		if err := g.add(ctx, "change_services", c.id, s.id); err != nil {
			return err
		}
		g.changes = append(g.changes, c)
	}
	return nil
}

// times are n instants of the period in time order: ids follow time, as
// they do in a database that grew over the period.
func (g *generator) times(n int) []time.Time {
	ts := make([]time.Time, n)
	for i := range ts {
		ts[i] = g.at()
	}
	slices.SortFunc(ts, time.Time.Compare)
	return ts
}

// plannedIncident is decided before any row is written, so that the alerts
// that opened nothing can be spread between the incidents in time order.
type plannedIncident struct {
	detected time.Time
	byAlert  bool
	alerts   int
}

func (g *generator) incidents(ctx context.Context) error {
	// About four in ten alerts join an incident; most incidents are opened
	// by one.
	perIncident := float64(g.spec.Alerts) * 0.4 / float64(max(1, g.spec.Incidents))
	plan := make([]plannedIncident, g.spec.Incidents)
	left := g.spec.Alerts
	for i, t := range g.times(g.spec.Incidents) {
		p := plannedIncident{detected: t, byAlert: g.chance(0.85)}
		if p.byAlert {
			p.alerts = 1 + int(g.rng.ExpFloat64()*max(0, perIncident-1))
		} else {
			p.alerts = int(g.rng.ExpFloat64() * max(0, perIncident-1))
		}
		p.alerts = min(p.alerts, left)
		left -= p.alerts
		plan[i] = p
	}
	g.noiseAt = g.times(left)
	for i, p := range plan {
		if err := g.noiseUntil(ctx, p.detected); err != nil {
			return err
		}
		if err := g.incident(ctx, p); err != nil {
			return err
		}
		if i%2000 == 1999 {
			if err := g.commit(ctx); err != nil {
				return err
			}
		}
	}
	return nil
}

func (g *generator) incident(ctx context.Context, p plannedIncident) error {
	end := g.spec.End
	id := g.id("incidents")
	si := g.service()
	s := g.services[si]
	sev := genSeverities[g.weighted(genSevWeights)]
	typ := genTypes[g.weighted(genTypeWeight)]
	a := genAlerts[g.pick(len(genAlerts))]
	title := fmt.Sprintf(a.summary, s.name)
	detected, byAlert := p.detected, p.byAlert
	responder := g.users[g.pick(len(g.users))]
	commander := g.users[g.pick(len(g.users))]

	// Times of the lifecycle; the newest incidents are still being worked on.
	ack := detected.Add(g.after(3 * time.Minute))
	mitigated := ack.Add(g.after(25 * time.Minute))
	resolved := mitigated.Add(g.after(40 * time.Minute))
	closed := resolved.Add(g.after(48 * time.Hour))
	state := warroom.StateClosed
	switch {
	case end.Sub(detected) < time.Hour && g.chance(0.5):
		state = warroom.StateTriggered
	case end.Sub(detected) < 6*time.Hour && g.chance(0.5):
		state = warroom.StateInvestigating
	case resolved.After(end):
		state = warroom.StateInvestigating
	case closed.After(end):
		state = warroom.StateResolved
	}
	var ackAt, mitAt, resAt, closeAt *time.Time
	if state != warroom.StateTriggered {
		ackAt = &ack
	}
	if state == warroom.StateResolved || state == warroom.StateClosed {
		mitAt, resAt = &mitigated, &resolved
	}
	if state == warroom.StateClosed {
		closeAt = &closed
	}
	updated := detected
	for _, t := range []*time.Time{ackAt, mitAt, resAt, closeAt} {
		if t != nil {
			updated = *t
		}
	}
	var createdBy any
	if !byAlert {
		createdBy = responder.id
	}
	var users, orders, money, downtime int64
	currency := ""
	if sev == warroom.P0 || sev == warroom.P1 {
		users, orders, downtime = int64(g.rng.IntN(50000)), int64(g.rng.IntN(8000)), int64(resolved.Sub(detected)/time.Minute)
		money, currency = int64(g.rng.IntN(5_000_000))*100, "CNY"
	}
	if err := g.add(ctx, "incidents", id, title, "", string(typ), string(state), string(sev), string(sev), users, orders, money, currency, downtime,
		detected, ackAt, mitAt, resAt, closeAt, detected, updated, createdBy); err != nil {
		return err
	}
	if err := g.add(ctx, "incident_services", id, s.id); err != nil {
		return err
	}

	ev := func(kind warroom.EventKind, actor any, at time.Time, text string, vis warroom.Visibility, data any) error {
		var js any
		if data != nil {
			b, err := json.Marshal(data)
			if err != nil {
				return err
			}
			js = string(b)
		}
		if vis == "" {
			vis = warroom.VisibilityInternal
		}
		return g.add(ctx, "events", g.id("events"), id, string(kind), actor, at, text, string(vis), js)
	}
	if err := ev(warroom.EventDeclared, createdBy, detected, title, "", map[string]any{"severity": sev, "proposed_severity": sev, "severity_reason": "", "type": typ, "drill": false}); err != nil {
		return err
	}
	if byAlert {
		if err := ev(warroom.EventAlertOpened, nil, detected, "Opened by alert: "+title, "", map[string]any{"service_id": s.id}); err != nil {
			return err
		}
	}
	if err := ev(warroom.EventNotificationSent, nil, detected.Add(2*time.Second), fmt.Sprintf("Notified %s by email (page, attempt 1)", responder.name), "", nil); err != nil {
		return err
	}
	if ackAt != nil {
		if err := ev(warroom.EventStateChanged, responder.id, ack, "", "", map[string]any{"from": warroom.StateTriggered, "to": warroom.StateAcknowledged}); err != nil {
			return err
		}
		ra := g.id("role_assignments")
		if err := g.add(ctx, "role_assignments", ra, id, warroom.RoleCommander, commander.id, responder.id, ack); err != nil {
			return err
		}
		if err := ev(warroom.EventRoleAssigned, responder.id, ack, warroom.RoleCommander+": "+commander.name, "", map[string]any{"assignment_id": ra, "role": warroom.RoleCommander, "user_id": commander.id}); err != nil {
			return err
		}
		for n := g.pick(4); n > 0; n-- {
			at := ack.Add(time.Duration(g.rng.Int64N(int64(mitigated.Sub(ack)) + 1)))
			if err := ev(warroom.EventNote, responder.id, at, genNotes[g.pick(len(genNotes))], "", nil); err != nil {
				return err
			}
		}
		if sev <= warroom.P2 {
			if err := ev(warroom.EventStatusUpdate, commander.id, ack.Add(10*time.Minute), "We are investigating degraded service on "+s.name+". 我们正在排查。", warroom.VisibilityPublic, nil); err != nil {
				return err
			}
		}
	}
	from := warroom.StateAcknowledged
	for _, step := range []struct {
		at *time.Time
		to warroom.State
	}{{mitAt, warroom.StateMitigated}, {resAt, warroom.StateResolved}, {closeAt, warroom.StateClosed}} {
		if step.at == nil {
			continue
		}
		if err := ev(warroom.EventStateChanged, commander.id, *step.at, "", "", map[string]any{"from": from, "to": step.to}); err != nil {
			return err
		}
		from = step.to
	}
	// Major incidents carry their SOP's tasks.
	if sev <= warroom.P1 {
		for p, title := range []string{"Assign an incident commander", "Post the first status update", "Verify backups before any restore", "Schedule the postmortem"} {
			done := resAt != nil || p == 0 && ackAt != nil
			var doneAt, doneBy any
			if done {
				doneAt, doneBy = ack.Add(time.Duration(p)*5*time.Minute), commander.id
			}
			if err := g.add(ctx, "tasks", g.id("tasks"), id, title, p+1, commander.id, done, doneAt, doneBy, detected); err != nil {
				return err
			}
		}
	}
	// A change on the same service the day before is often the suspected cause.
	if c, ok := g.recentChange(si, detected); ok && g.chance(0.5) {
		if err := g.add(ctx, "incident_changes", id, c.id, "deployed shortly before", commander.id, ack); err != nil {
			return err
		}
	}
	if resAt != nil && (sev <= warroom.P1 || sev == warroom.P2 && g.chance(0.3)) {
		if err := g.postmortem(ctx, id, title, resolved, commander, end); err != nil {
			return err
		}
	}
	// The incident's alerts: one opened it, the rest joined.
	for k := 0; k < p.alerts; k++ {
		first := detected.Add(time.Duration(k) * time.Duration(g.rng.IntN(60)) * time.Second)
		status, resolvedAt := warroom.AlertFiring, resAt
		if resAt != nil {
			status = warroom.AlertResolved
		}
		if err := g.alert(ctx, si, a.name, fmt.Sprintf(a.summary, s.name), status, first, resolvedAt, id, fmt.Sprintf("{}:{alertname=%q,service=%q}", a.name, s.name)); err != nil {
			return err
		}
	}
	return nil
}

// recentChange is the latest change on the service within a day before t.
func (g *generator) recentChange(si int, t time.Time) (genChange, bool) {
	lo, hi := 0, len(g.changes)
	for lo < hi {
		m := (lo + hi) / 2
		if g.changes[m].at.Before(t) {
			lo = m + 1
		} else {
			hi = m
		}
	}
	for j := lo - 1; j >= 0 && t.Sub(g.changes[j].at) < 24*time.Hour; j-- {
		if g.changes[j].service == si {
			return g.changes[j], true
		}
	}
	return genChange{}, false
}

func (g *generator) postmortem(ctx context.Context, incidentID int64, title string, resolved time.Time, author genUser, end time.Time) error {
	id := g.id("postmortems")
	due := resolved.Add(7 * 24 * time.Hour)
	status := warroom.PostmortemPublished
	var submitted, published *time.Time
	sub, pub := resolved.Add(g.after(4*24*time.Hour)), resolved.Add(g.after(6*24*time.Hour))
	switch {
	case pub.After(end) || g.chance(0.1):
		status = warroom.PostmortemDraft
	case g.chance(0.1):
		status, submitted = warroom.PostmortemInReview, &sub
	default:
		submitted, published = &sub, &pub
	}
	causes := []warroom.CauseCategory{warroom.CauseTechnical, warroom.CauseTechnical, warroom.CauseHuman, warroom.CauseExternal, warroom.CauseManagement}
	summary := "A change removed a dependency the service needed; alerts fired but the rollback took too long. 变更移除了依赖，回滚耗时过长。"
	lessons := "Check the rollback plan before every release; 发布前核对回滚方案。"
	updated := resolved
	if published != nil {
		updated = *published
	}
	if err := g.add(ctx, "postmortems", id, incidentID, string(status), summary, string(causes[g.pick(len(causes))]), lessons, author.id, due, submitted, published, resolved, updated); err != nil {
		return err
	}
	if err := g.add(ctx, "search_docs", string(warroom.DocPostmortem), incidentID, id, title, summary+"\n"+lessons, resolved); err != nil {
		return err
	}
	items := []string{"Add an alert on the leads flow", "Test restoring the backups every month", "Require a second approver for data operations"}
	for k := 0; k < 1+g.pick(3); k++ {
		owner := g.users[g.pick(len(g.users))]
		dueDate := resolved.Add(time.Duration(14+g.pick(30)) * 24 * time.Hour).Truncate(24 * time.Hour)
		st := warroom.ActionOpen
		var doneAt *time.Time
		switch r := g.rng.Float64(); {
		case r < 0.6 && dueDate.Before(end):
			st, doneAt = warroom.ActionDone, &dueDate
		case r < 0.7:
			st = warroom.ActionInProgress
		}
		if err := g.add(ctx, "action_items", g.id("action_items"), incidentID, id, items[k], owner.id, dueDate, string(warroom.PriorityMedium), string(warroom.ActionPrevent), string(st), author.id, resolved, resolved, doneAt); err != nil {
			return err
		}
	}
	return nil
}

// alert writes one alert of a service. Alerts still open have keys of their
// own: one open alert per key is the store's rule.
func (g *generator) alert(ctx context.Context, si int, name, summary string, status warroom.AlertStatus, first time.Time, resolved *time.Time, incidentID any, groupKey string) error {
	s := g.services[si]
	id := g.id("alerts")
	g.alerts++
	integration, source := s.am, "alertmanager"
	if id%3 == 0 {
		integration, source = s.pd, "pagerduty"
	}
	key := fmt.Sprintf("%s/%s/%d", name, s.name, g.pick(20))
	if resolved == nil {
		key += "/" + strconv.FormatInt(id, 10)
	}
	instance := fmt.Sprintf("10.%d.%d.%d:9100", si%250, g.pick(250), 1+g.pick(250))
	labels := fmt.Sprintf(`{"alertname":%q,"instance":%q,"service":%q,"severity":"critical","team":%q}`, name, instance, s.name, s.team)
	raw := fmt.Sprintf(`{"status":%q,"labels":%s,"annotations":{"summary":%q,"runbook_url":"https://wiki.example/runbooks/%s"},"startsAt":%q,"generatorURL":"http://prometheus.example/graph?g0.expr=up%%7Bjob%%3D%%22%s%%22%%7D"}`,
		status, labels, summary, name, first.Format(time.RFC3339), s.name)
	last := first.Add(time.Duration(g.pick(600)) * time.Second)
	var ack *time.Time
	if status == warroom.AlertAcknowledged {
		ack = &last
	}
	err := g.add(ctx, "alerts", id, s.id, integration, "i:"+strconv.FormatInt(integration, 10), key, source, string(status), summary, "critical",
		labels, raw, 1+g.pick(5), first, last, ack, resolved, incidentID, false, true, groupKey)
	if err == nil && g.alerts%20000 == 0 {
		err = g.commit(ctx)
	}
	return err
}

// noiseUntil writes the alerts that opened nothing up to t: resolved on
// their own, a few still firing or acknowledged.
func (g *generator) noiseUntil(ctx context.Context, t time.Time) error {
	for len(g.noiseAt) > 0 && g.noiseAt[0].Before(t) {
		first := g.noiseAt[0]
		g.noiseAt = g.noiseAt[1:]
		si := g.service()
		a := genAlerts[g.pick(len(genAlerts))]
		status := warroom.AlertResolved
		res := first.Add(g.after(10 * time.Minute))
		resolved := &res
		switch r := g.rng.Float64(); {
		case r < 0.015:
			status, resolved = warroom.AlertFiring, nil
		case r < 0.02:
			status, resolved = warroom.AlertAcknowledged, nil
		}
		if err := g.alert(ctx, si, a.name, fmt.Sprintf(a.summary, g.services[si].name), status, first, resolved, nil, ""); err != nil {
			return err
		}
	}
	return nil
}

// noise writes the alerts after the last incident.
func (g *generator) noise(ctx context.Context) error {
	return g.noiseUntil(ctx, g.spec.End.Add(time.Hour))
}
