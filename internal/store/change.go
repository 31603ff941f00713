package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/warroomhq/warroom"
)

var _ warroom.ChangeService = (*DB)(nil)

const changeColumns = `c.id, c.kind, c.title, c.description, c.author_id, COALESCE(u.name, ''), c.links, c.planned_start, c.planned_end,
	c.risk, c.proposed_risk, c.risk_reason, c.test_report, c.rollback_plan, c.backup_location, c.backup_verified_at,
	c.accepted_by, c.accepted_at, c.state, c.source, c.started_at, c.ended_at, c.created_at, c.updated_at`

const changeFrom = ` FROM changes c LEFT JOIN users u ON u.id = c.author_id`

func scanChange(sc scanner, lead ...any) (*warroom.Change, error) {
	var c warroom.Change
	var links string
	e := &c.Evidence
	dest := append(lead, &c.ID, &c.Kind, &c.Title, &c.Description, scanID(&c.AuthorID), &c.AuthorName, &links,
		scanNullTime(&c.PlannedStart), scanNullTime(&c.PlannedEnd), &c.Risk, &c.ProposedRisk, &c.RiskReason,
		&e.TestReport, &e.RollbackPlan, &e.BackupLocation, scanNullTime(&e.BackupVerifiedAt), &e.AcceptedBy, scanNullTime(&e.AcceptedAt),
		&c.State, &c.Source, scanNullTime(&c.StartedAt), scanNullTime(&c.EndedAt), scanTime(&c.CreatedAt), scanTime(&c.UpdatedAt))
	if err := sc.Scan(dest...); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(links), &c.Links); err != nil {
		return nil, fmt.Errorf("scan change links: %w", err)
	}
	if c.Links == nil {
		c.Links = []warroom.ChangeLink{}
	}
	c.Number = warroom.FormatChangeNumber(c.ID)
	c.Approvals, c.Violations, c.Notifications = []*warroom.ChangeApproval{}, []*warroom.ChangeViolation{}, []*warroom.ChangeNotification{}
	return &c, nil
}

// loadChange reads one change with everything a decision about it needs;
// lock takes its row for the rest of the transaction on PostgreSQL.
func loadChange(ctx context.Context, tx *tx, id int64, lock bool) (*warroom.Change, error) {
	q := `SELECT ` + changeColumns + changeFrom + ` WHERE c.id = ?`
	if lock {
		q += lockChangeRow(tx.d)
	}
	c, err := scanChange(tx.queryRow(ctx, q, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, warroom.Errorf(warroom.ENOTFOUND, "Change %s not found.", warroom.FormatChangeNumber(id))
	} else if err != nil {
		return nil, fmt.Errorf("load change: %w", err)
	}
	cs := []*warroom.Change{c}
	if err := fillChangeServices(ctx, tx, cs); err != nil {
		return nil, err
	}
	if err := fillChangeViolations(ctx, tx, cs); err != nil {
		return nil, err
	}
	if c.Approvals, err = findChangeApprovals(ctx, tx, id); err != nil {
		return nil, err
	}
	if c.Notifications, err = findChangeNotifications(ctx, tx, id); err != nil {
		return nil, err
	}
	return c, nil
}

// changeIDs returns the IDs of cs and an index of them by ID.
func changeIDs(cs []*warroom.Change) ([]any, map[int64]*warroom.Change) {
	ids, byID := make([]any, len(cs)), make(map[int64]*warroom.Change, len(cs))
	for i, c := range cs {
		ids[i], byID[c.ID] = c.ID, c
	}
	return ids, byID
}

func fillChangeServices(ctx context.Context, tx *tx, cs []*warroom.Change) error {
	if len(cs) == 0 {
		return nil
	}
	ids, byID := changeIDs(cs)
	for _, c := range cs {
		c.ServiceIDs, c.Services = []int64{}, []*warroom.Service{}
	}
	rows, err := tx.query(ctx, `SELECT cs.change_id, `+serviceColumns+` FROM change_services cs JOIN services s ON s.id = cs.service_id
		WHERE cs.change_id IN (`+placeholders(len(ids))+`) ORDER BY s.name`, ids...)
	if err != nil {
		return fmt.Errorf("fill change services: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var cid int64
		s, err := scanService(rows, &cid)
		if err != nil {
			return fmt.Errorf("fill change services: %w", err)
		}
		c := byID[cid]
		c.ServiceIDs, c.Services = append(c.ServiceIDs, s.ID), append(c.Services, s)
	}
	return rows.Err()
}

func fillChangeViolations(ctx context.Context, tx *tx, cs []*warroom.Change) error {
	if len(cs) == 0 {
		return nil
	}
	ids, byID := changeIDs(cs)
	rows, err := tx.query(ctx, `SELECT id, change_id, code, message, at FROM change_violations
		WHERE change_id IN (`+placeholders(len(ids))+`) ORDER BY id`, ids...)
	if err != nil {
		return fmt.Errorf("fill change violations: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var v warroom.ChangeViolation
		if err := rows.Scan(&v.ID, &v.ChangeID, &v.Code, &v.Message, scanTime(&v.At)); err != nil {
			return fmt.Errorf("fill change violations: %w", err)
		}
		byID[v.ChangeID].Violations = append(byID[v.ChangeID].Violations, &v)
	}
	return rows.Err()
}

func findChangeApprovals(ctx context.Context, tx *tx, id int64) ([]*warroom.ChangeApproval, error) {
	rows, err := tx.query(ctx, `SELECT a.id, a.change_id, a.user_id, COALESCE(u.name, ''), a.user_role, a.decision, a.comment, a.at
		FROM change_approvals a LEFT JOIN users u ON u.id = a.user_id WHERE a.change_id = ? ORDER BY a.id`, id)
	if err != nil {
		return nil, fmt.Errorf("find approvals: %w", err)
	}
	defer rows.Close()
	out := []*warroom.ChangeApproval{}
	for rows.Next() {
		var a warroom.ChangeApproval
		if err := rows.Scan(&a.ID, &a.ChangeID, &a.UserID, &a.UserName, &a.UserRole, &a.Decision, &a.Comment, scanTime(&a.At)); err != nil {
			return nil, fmt.Errorf("find approvals: %w", err)
		}
		out = append(out, &a)
	}
	return out, rows.Err()
}

func findChangeNotifications(ctx context.Context, tx *tx, id int64) ([]*warroom.ChangeNotification, error) {
	rows, err := tx.query(ctx, `SELECT id, change_id, kind, user_id, team, text, created_at, sent_at
		FROM change_notifications WHERE change_id = ? ORDER BY id`, id)
	if err != nil {
		return nil, fmt.Errorf("find change notifications: %w", err)
	}
	defer rows.Close()
	out := []*warroom.ChangeNotification{}
	for rows.Next() {
		var n warroom.ChangeNotification
		if err := rows.Scan(&n.ID, &n.ChangeID, &n.Kind, scanID(&n.UserID), &n.Team, &n.Text, scanTime(&n.CreatedAt), scanNullTime(&n.SentAt)); err != nil {
			return nil, fmt.Errorf("find change notifications: %w", err)
		}
		out = append(out, &n)
	}
	return out, rows.Err()
}

// FindChangeByID returns one change.
func (db *DB) FindChangeByID(ctx context.Context, id int64) (*warroom.Change, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	c, err := loadChange(ctx, tx, id, false)
	if err != nil {
		return nil, err
	}
	return c, tx.commit()
}

// FindChanges returns a page of changes, newest first, and the total.
func (db *DB) FindChanges(ctx context.Context, filter warroom.ChangeFilter) ([]*warroom.Change, int, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer tx.rollback()
	cs, n, err := findChanges(ctx, tx, filter)
	if err != nil {
		return nil, 0, err
	}
	return cs, n, tx.commit()
}

func findChanges(ctx context.Context, tx *tx, filter warroom.ChangeFilter) ([]*warroom.Change, int, error) {
	where, args := []string{"1 = 1"}, []any{}
	if v := filter.ID; v != nil {
		where, args = append(where, "c.id = ?"), append(args, *v)
	}
	if len(filter.States) > 0 {
		where = append(where, "c.state IN ("+placeholders(len(filter.States))+")")
		for _, s := range filter.States {
			args = append(args, string(s))
		}
	}
	if v := filter.Kind; v != nil {
		where, args = append(where, "c.kind = ?"), append(args, string(*v))
	}
	if v := filter.ServiceID; v != nil {
		where, args = append(where, "c.id IN (SELECT change_id FROM change_services WHERE service_id = ?)"), append(args, *v)
	}
	if v := filter.AuthorID; v != nil {
		where, args = append(where, "c.author_id = ?"), append(args, *v)
	}
	if v := filter.Violated; v != nil {
		cond := "EXISTS (SELECT 1 FROM change_violations v WHERE v.change_id = c.id)"
		if !*v {
			cond = "NOT " + cond
		}
		where = append(where, cond)
	}
	// A change occupies [start, end): actual times when it ran, else the
	// planned window, else its creation instant.
	const begins = "COALESCE(c.started_at, c.planned_start, c.created_at)"
	const ends = "COALESCE(c.ended_at, c.planned_end, c.started_at, c.created_at)"
	if v := filter.To; v != nil {
		where, args = append(where, begins+" < ?"), append(args, *v)
	}
	if v := filter.From; v != nil {
		where, args = append(where, "("+ends+" >= ? OR (c.started_at IS NOT NULL AND c.ended_at IS NULL))"), append(args, *v)
	}
	if v := filter.Query; v != nil && *v != "" {
		pat := "%" + escapeLike(strings.ToLower(*v)) + "%"
		where = append(where, `(LOWER(c.title) LIKE ? ESCAPE '\' OR LOWER(c.description) LIKE ? ESCAPE '\')`)
		args = append(args, pat, pat)
	}
	offset, limit := pageLimits(filter.Offset, filter.Limit)
	cond := strings.Join(where, " AND ")
	// The total is its own COUNT(*): COUNT(*) OVER() reads and sorts every
	// matching change, where the page alone walks the changes_begins index.
	n, err := count(ctx, tx, "SELECT COUNT(*) FROM changes c WHERE "+cond, args...)
	if err != nil {
		return nil, 0, err
	}
	cs := []*warroom.Change{}
	if n == 0 || offset >= n {
		return cs, n, nil
	}
	rows, err := tx.query(ctx, `SELECT `+changeColumns+changeFrom+` WHERE `+cond+
		` ORDER BY `+begins+` DESC, c.id DESC LIMIT ? OFFSET ?`, append(args, limit, offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("find changes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		c, err := scanChange(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("find changes: %w", err)
		}
		cs = append(cs, c)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("find changes: %w", err)
	}
	rows.Close()
	if err := fillChangeServices(ctx, tx, cs); err != nil {
		return nil, 0, err
	}
	if err := fillChangeViolations(ctx, tx, cs); err != nil {
		return nil, 0, err
	}
	return cs, n, nil
}

// addChangeEvent appends to a change's timeline, attributed to the user in
// ctx.
func addChangeEvent(ctx context.Context, tx *tx, changeID int64, kind warroom.ChangeEventKind, text string, data any) error {
	d, err := jsonData(data)
	if err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `INSERT INTO change_events (change_id, kind, actor_id, at, text, data) VALUES (?, ?, ?, ?, ?, ?)`,
		changeID, string(kind), nullID(warroom.UserIDFromContext(ctx)), tx.now, text, d); err != nil {
		return fmt.Errorf("add change event: %w", err)
	}
	return nil
}

// FindChangeEvents returns a change's timeline, oldest first.
func (db *DB) FindChangeEvents(ctx context.Context, id int64) ([]*warroom.ChangeEvent, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	if err := changeExists(ctx, tx, id); err != nil {
		return nil, err
	}
	rows, err := tx.query(ctx, `SELECT e.id, e.change_id, e.kind, e.actor_id, COALESCE(u.name, ''), e.at, e.text, e.data
		FROM change_events e LEFT JOIN users u ON u.id = e.actor_id WHERE e.change_id = ? ORDER BY e.id`, id)
	if err != nil {
		return nil, fmt.Errorf("find change events: %w", err)
	}
	defer rows.Close()
	out := []*warroom.ChangeEvent{}
	for rows.Next() {
		var e warroom.ChangeEvent
		var data *string
		if err := rows.Scan(&e.ID, &e.ChangeID, &e.Kind, scanID(&e.ActorID), &e.ActorName, scanTime(&e.At), &e.Text, &data); err != nil {
			return nil, fmt.Errorf("find change events: %w", err)
		}
		if data != nil {
			e.Data = json.RawMessage(*data)
		}
		out = append(out, &e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find change events: %w", err)
	}
	return out, tx.commit()
}

func changeExists(ctx context.Context, tx *tx, id int64) error {
	var one int
	err := tx.queryRow(ctx, `SELECT 1 FROM changes WHERE id = ?`, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return warroom.Errorf(warroom.ENOTFOUND, "Change %s not found.", warroom.FormatChangeNumber(id))
	} else if err != nil {
		return fmt.Errorf("change exists: %w", err)
	}
	return nil
}

// changeTier is the tier of the most critical service a change touches,
// which is what its risk and policy are judged by; 0 when it touches none.
func changeTier(c *warroom.Change) int {
	tier := 0
	for _, s := range c.Services {
		if tier == 0 || s.Tier < tier {
			tier = s.Tier
		}
	}
	return tier
}

// serviceTier reads the most critical tier among ids, checking they exist.
func serviceTier(ctx context.Context, tx *tx, ids []int64) (int, error) {
	if err := checkServices(ctx, tx, ids); err != nil {
		return 0, err
	}
	if len(ids) == 0 {
		return 0, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	var tier int
	if err := tx.queryRow(ctx, `SELECT MIN(tier) FROM services WHERE id IN (`+placeholders(len(ids))+`)`, args...).Scan(&tier); err != nil {
		return 0, fmt.Errorf("service tier: %w", err)
	}
	return tier, nil
}

// lockChangeRow locks the change row read through its author join on
// PostgreSQL; FOR UPDATE alone would refuse the join's nullable side.
func lockChangeRow(d dialect) string {
	if d.postgres {
		return " FOR UPDATE OF c"
	}
	return ""
}
