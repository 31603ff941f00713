package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/warroomhq/warroom"
)

var _ warroom.ApprovalService = (*DB)(nil)

const settingApprovals = "approval_settings"

func approvalSettings(ctx context.Context, tx *tx) (*warroom.ApprovalSettings, error) {
	s := &warroom.ApprovalSettings{Required: []warroom.ApprovalOp{}, TTLHours: warroom.DefaultApprovalTTLHours}
	if _, err := getSetting(ctx, tx, settingApprovals, s); err != nil {
		return nil, err
	}
	return s, nil
}

// guard refuses a guarded operation called directly while the two-person
// rule covers it. Nothing has been written when it refuses, so the caller's
// transaction rolls back clean.
func guard(ctx context.Context, tx *tx, op warroom.ApprovalOp) error {
	s, err := approvalSettings(ctx, tx)
	if err != nil {
		return err
	}
	if s.Requires(op) {
		return errors.Join(warroom.Errorf(warroom.ECONFLICT, "%s requires a second admin's approval: request it at POST /api/v1/approvals with op %q.", op, op), warroom.ErrTwoPersonRule)
	}
	return nil
}

const approvalColumns = `id, op, params, reason, state, requested_by, requested_at, expires_at, decided_by, decided_at`

func scanApproval(s scanner, now time.Time) (*warroom.Approval, error) {
	var a warroom.Approval
	var params string
	if err := s.Scan(&a.ID, &a.Op, &params, &a.Reason, &a.State, &a.RequestedBy, scanTime(&a.RequestedAt), scanTime(&a.ExpiresAt),
		scanID(&a.DecidedBy), scanNullTime(&a.DecidedAt)); err != nil {
		return nil, err
	}
	a.Params = json.RawMessage(params)
	// Expiry is a deadline, not a job: a pending request past it reads as
	// expired without anything having to run.
	if a.State == warroom.ApprovalPending && !a.ExpiresAt.After(now) {
		a.State = warroom.ApprovalExpired
	}
	return &a, nil
}

// FindApprovals returns a page of requests, newest first, and the total.
func (db *DB) FindApprovals(ctx context.Context, f warroom.ApprovalFilter) ([]*warroom.Approval, int, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer tx.rollback()
	where, args := "1 = 1", []any{}
	if f.State != nil {
		switch *f.State {
		case warroom.ApprovalPending:
			where, args = "state = ? AND expires_at > ?", append(args, string(warroom.ApprovalPending), tx.now)
		case warroom.ApprovalExpired:
			where, args = "state = ? AND expires_at <= ?", append(args, string(warroom.ApprovalPending), tx.now)
		default:
			where, args = "state = ?", append(args, string(*f.State))
		}
	}
	offset, limit := pageLimits(f.Offset, f.Limit)
	rows, err := tx.query(ctx, `SELECT `+approvalColumns+`, COUNT(*) OVER() FROM approvals WHERE `+where+` ORDER BY id DESC LIMIT ? OFFSET ?`, append(args, limit, offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("find approvals: %w", err)
	}
	defer rows.Close()
	as, n := []*warroom.Approval{}, 0
	for rows.Next() {
		a, err := scanApproval(scanFunc(func(dest ...any) error { return rows.Scan(append(dest, &n)...) }), tx.now)
		if err != nil {
			return nil, 0, fmt.Errorf("find approvals: %w", err)
		}
		as = append(as, a)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("find approvals: %w", err)
	}
	if len(as) == 0 && offset > 0 {
		if n, err = count(ctx, tx, `SELECT COUNT(*) FROM approvals WHERE `+where, args...); err != nil {
			return nil, 0, err
		}
	}
	return as, n, tx.commit()
}

// scanFunc adapts a function to the scanner interface.
type scanFunc func(dest ...any) error

func (f scanFunc) Scan(dest ...any) error { return f(dest...) }

// FindApprovalByID returns one request.
func (db *DB) FindApprovalByID(ctx context.Context, id int64) (*warroom.Approval, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	a, err := findApproval(ctx, tx, id, false)
	if err != nil {
		return nil, err
	}
	return a, tx.commit()
}

func findApproval(ctx context.Context, tx *tx, id int64, lock bool) (*warroom.Approval, error) {
	q := `SELECT ` + approvalColumns + ` FROM approvals WHERE id = ?`
	if lock {
		q += tx.d.forUpdate()
	}
	a, err := scanApproval(tx.queryRow(ctx, q, id), tx.now)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, warroom.Errorf(warroom.ENOTFOUND, "Approval request %d not found.", id)
	} else if err != nil {
		return nil, fmt.Errorf("find approval: %w", err)
	}
	return a, nil
}

// requireAdmin returns the admin in ctx, or EFORBIDDEN: the two-person
// rule is between admins, whoever the route let through.
func requireAdmin(ctx context.Context) (*warroom.User, error) {
	u := warroom.UserFromContext(ctx)
	if u == nil || !u.Can(warroom.PermAdmin) {
		return nil, warroom.Errorf(warroom.EFORBIDDEN, "Only an admin may request or decide approvals.")
	}
	return u, nil
}

// checkParams decodes and checks an operation's params, returning them in
// canonical form so that what is approved is exactly what runs.
func checkParams(ctx context.Context, tx *tx, op warroom.ApprovalOp, raw json.RawMessage) ([]byte, error) {
	dec := func(v any) error {
		d := json.NewDecoder(strings.NewReader(string(raw)))
		d.DisallowUnknownFields()
		if err := d.Decode(v); err != nil {
			return warroom.FieldErrorf("params", "do not fit %s: %v", op, err)
		}
		return nil
	}
	var v any
	switch op {
	case warroom.OpUserRemoveAdmin:
		var p warroom.RemoveAdminParams
		if err := dec(&p); err != nil {
			return nil, err
		}
		if p.Role == nil && p.Active == nil {
			return nil, warroom.FieldErrorf("params", "give role or active")
		}
		u, err := findUser(ctx, tx, p.UserID, false)
		if err != nil {
			return nil, err
		}
		if !isAdmin(u) {
			return nil, warroom.FieldErrorf("params", "user %d is not an active owner or admin", p.UserID)
		}
		v = p
	case warroom.OpTokensRevokeAll:
		var p warroom.RevokeAllParams
		if err := dec(&p); err != nil {
			return nil, err
		}
		if p.UserID != 0 {
			if _, err := findUser(ctx, tx, p.UserID, false); err != nil {
				return nil, err
			}
		}
		v = p
	case warroom.OpApprovalSettings:
		var p warroom.ApprovalSettings
		if err := dec(&p); err != nil {
			return nil, err
		}
		if err := p.Validate(); err != nil {
			return nil, err
		}
		v = p
	case warroom.OpTokenRevokeOther:
		var p warroom.RevokeTokenParams
		if err := dec(&p); err != nil {
			return nil, err
		}
		if n, err := count(ctx, tx, `SELECT COUNT(*) FROM api_tokens WHERE id = ? AND user_id = ? AND revoked_at IS NULL`, p.TokenID, p.UserID); err != nil {
			return nil, err
		} else if n == 0 {
			return nil, warroom.FieldErrorf("params", "user %d has no active token %d", p.UserID, p.TokenID)
		}
		v = p
	case warroom.OpComponentDelete, warroom.OpMonitorDelete, warroom.OpIntegrationRevoke, warroom.OpPostmortemTemplateDelete, warroom.OpSOPTemplateDelete, warroom.OpRoutingRuleDelete, warroom.OpFreezeDelete,
		warroom.OpMaintenanceWindowEnd, warroom.OpMaintenanceCancel:
		var p warroom.ObjectParams
		if err := dec(&p); err != nil {
			return nil, err
		}
		table := map[warroom.ApprovalOp]string{warroom.OpComponentDelete: "components", warroom.OpMonitorDelete: "monitors",
			warroom.OpIntegrationRevoke: "integrations", warroom.OpPostmortemTemplateDelete: "postmortem_templates", warroom.OpSOPTemplateDelete: "sop_templates",
			warroom.OpRoutingRuleDelete: "routing_rules", warroom.OpFreezeDelete: "freeze_windows",
			warroom.OpMaintenanceWindowEnd: "maintenance_windows", warroom.OpMaintenanceCancel: "maintenances"}[op]
		if n, err := count(ctx, tx, `SELECT COUNT(*) FROM `+table+` WHERE id = ?`, p.ID); err != nil {
			return nil, err
		} else if n == 0 {
			return nil, warroom.FieldErrorf("params", "no %s with id %d", strings.TrimSuffix(table, "s"), p.ID)
		}
		v = p
	case warroom.OpAuditCheckpointSettings:
		var p warroom.CheckpointSettingsParams
		if err := dec(&p); err != nil {
			return nil, err
		}
		if !isFingerprint(p.Fingerprint) {
			return nil, warroom.FieldErrorf("params", "fingerprint must be the 64 hex digits serve printed when it refused the settings")
		}
		v = p
	default:
		return nil, warroom.FieldErrorf("op", "unknown operation %q", op)
	}
	return json.Marshal(v)
}

// RequestApproval records a request by the admin in ctx.
func (db *DB) RequestApproval(ctx context.Context, op warroom.ApprovalOp, params json.RawMessage, reason string) (*warroom.Approval, error) {
	u, err := requireAdmin(ctx)
	if err != nil {
		return nil, err
	}
	if !op.Valid() {
		return nil, warroom.FieldErrorf("op", "unknown operation %q", op)
	} else if utf8.RuneCountInString(reason) > warroom.MaxTextLen {
		return nil, warroom.FieldErrorf("reason", "must be at most %d characters", warroom.MaxTextLen)
	}
	if len(params) == 0 {
		params = json.RawMessage("{}")
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	canon, err := checkParams(ctx, tx, op, params)
	if err != nil {
		return nil, err
	}
	s, err := approvalSettings(ctx, tx)
	if err != nil {
		return nil, err
	}
	a := &warroom.Approval{Op: op, Params: canon, Reason: strings.TrimSpace(reason), State: warroom.ApprovalPending,
		RequestedBy: u.ID, RequestedAt: tx.now, ExpiresAt: tx.now.Add(time.Duration(s.TTLHours) * time.Hour)}
	a.ID, err = tx.insert(ctx, `INSERT INTO approvals (op, params, reason, state, requested_by, requested_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		string(a.Op), string(a.Params), a.Reason, string(a.State), a.RequestedBy, a.RequestedAt, a.ExpiresAt)
	if err != nil {
		return nil, fmt.Errorf("request approval: %w", err)
	}
	if err := writeAudit(ctx, tx, warroom.AuditApprovalRequest, "approval", a.ID, a); err != nil {
		return nil, err
	}
	return a, tx.commit()
}

// Approve runs a pending request as a second admin, in one transaction
// with the state change: either both happen or neither, and a request runs
// at most once.
func (db *DB) Approve(ctx context.Context, id int64) (*warroom.Approval, error) {
	u, err := requireAdmin(ctx)
	if err != nil {
		return nil, err
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	a, err := decidable(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if a.RequestedBy == u.ID {
		return nil, warroom.Errorf(warroom.EFORBIDDEN, "The requester cannot approve their own request; another admin must.")
	}
	if err := execute(ctx, tx, a); err != nil {
		return nil, err
	}
	if err := decide(ctx, tx, a, u.ID, warroom.ApprovalExecuted, warroom.AuditApprovalApprove); err != nil {
		return nil, err
	}
	return a, tx.commit()
}

// Reject refuses a pending request.
func (db *DB) Reject(ctx context.Context, id int64) (*warroom.Approval, error) {
	u, err := requireAdmin(ctx)
	if err != nil {
		return nil, err
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	a, err := decidable(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if err := decide(ctx, tx, a, u.ID, warroom.ApprovalRejected, warroom.AuditApprovalReject); err != nil {
		return nil, err
	}
	return a, tx.commit()
}

// decidable locks a request and refuses it unless it is pending: a replayed
// approval finds it executed.
func decidable(ctx context.Context, tx *tx, id int64) (*warroom.Approval, error) {
	a, err := findApproval(ctx, tx, id, true)
	if err != nil {
		return nil, err
	}
	if a.State != warroom.ApprovalPending {
		return nil, warroom.Errorf(warroom.ECONFLICT, "Approval request %d is %s; it can no longer be decided.", id, a.State)
	}
	return a, nil
}

func decide(ctx context.Context, tx *tx, a *warroom.Approval, by int64, state warroom.ApprovalState, action warroom.AuditAction) error {
	res, err := tx.exec(ctx, `UPDATE approvals SET state = ?, decided_by = ?, decided_at = ? WHERE id = ? AND state = ?`,
		string(state), by, tx.now, a.ID, string(warroom.ApprovalPending))
	if err != nil {
		return fmt.Errorf("decide approval: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("decide approval: %w", err)
	} else if n != 1 {
		return warroom.Errorf(warroom.ECONFLICT, "Approval request %d was decided meanwhile.", a.ID)
	}
	now := tx.now
	a.State, a.DecidedBy, a.DecidedAt = state, by, &now
	return writeAudit(ctx, tx, action, "approval", a.ID, map[string]any{"op": a.Op, "params": a.Params, "requested_by": a.RequestedBy})
}

// execute runs an approved operation inside the approval's transaction.
func execute(ctx context.Context, tx *tx, a *warroom.Approval) error {
	switch a.Op {
	case warroom.OpUserRemoveAdmin:
		var p warroom.RemoveAdminParams
		if err := json.Unmarshal(a.Params, &p); err != nil {
			return fmt.Errorf("execute %s: %w", a.Op, err)
		}
		_, err := updateUser(ctx, tx, p.UserID, warroom.UserUpdate{Role: p.Role, Active: p.Active}, true)
		return err
	case warroom.OpTokensRevokeAll:
		var p warroom.RevokeAllParams
		if err := json.Unmarshal(a.Params, &p); err != nil {
			return fmt.Errorf("execute %s: %w", a.Op, err)
		}
		_, err := revokeAllTokens(ctx, tx, p.UserID)
		return err
	case warroom.OpApprovalSettings:
		var p warroom.ApprovalSettings
		if err := json.Unmarshal(a.Params, &p); err != nil {
			return fmt.Errorf("execute %s: %w", a.Op, err)
		}
		return setApprovalSettings(ctx, tx, &p)
	case warroom.OpTokenRevokeOther:
		var p warroom.RevokeTokenParams
		if err := json.Unmarshal(a.Params, &p); err != nil {
			return fmt.Errorf("execute %s: %w", a.Op, err)
		}
		return revokeToken(ctx, tx, p.UserID, p.TokenID)
	case warroom.OpComponentDelete, warroom.OpMonitorDelete, warroom.OpIntegrationRevoke, warroom.OpPostmortemTemplateDelete, warroom.OpSOPTemplateDelete, warroom.OpRoutingRuleDelete, warroom.OpFreezeDelete,
		warroom.OpMaintenanceWindowEnd, warroom.OpMaintenanceCancel:
		var p warroom.ObjectParams
		if err := json.Unmarshal(a.Params, &p); err != nil {
			return fmt.Errorf("execute %s: %w", a.Op, err)
		}
		switch a.Op {
		case warroom.OpComponentDelete:
			return deleteComponent(ctx, tx, p.ID)
		case warroom.OpMonitorDelete:
			return deleteMonitor(ctx, tx, p.ID)
		case warroom.OpIntegrationRevoke:
			_, err := revokeIntegration(ctx, tx, p.ID)
			return err
		case warroom.OpSOPTemplateDelete:
			return deleteSOPTemplate(ctx, tx, p.ID)
		case warroom.OpRoutingRuleDelete:
			return deleteRoutingRule(ctx, tx, p.ID)
		case warroom.OpFreezeDelete:
			return deleteFreezeWindow(ctx, tx, p.ID)
		case warroom.OpMaintenanceWindowEnd:
			_, err := endMaintenanceWindow(ctx, tx, p.ID)
			return err
		case warroom.OpMaintenanceCancel:
			return cancelMaintenance(ctx, tx, p.ID)
		default:
			return deletePostmortemTemplate(ctx, tx, p.ID)
		}
	case warroom.OpAuditCheckpointSettings:
		// Nothing runs now: the approval is the consent serve looks for
		// when it starts with these settings (checkpointSettingsApproved).
		return nil
	}
	return warroom.Errorf(warroom.EINVALID, "Unknown operation %q.", a.Op)
}

// FindApprovalSettings returns the current settings.
func (db *DB) FindApprovalSettings(ctx context.Context) (*warroom.ApprovalSettings, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	s, err := approvalSettings(ctx, tx)
	if err != nil {
		return nil, err
	}
	return s, tx.commit()
}

// SetApprovalSettings changes the settings. Adding operations or shortening
// the wait tightens the rule and runs at once; anything else loosens it and
// is guarded.
func (db *DB) SetApprovalSettings(ctx context.Context, s *warroom.ApprovalSettings) error {
	if s == nil {
		return warroom.Errorf(warroom.EINVALID, "Settings are required.")
	}
	if err := s.Validate(); err != nil {
		return err
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	cur, err := approvalSettings(ctx, tx)
	if err != nil {
		return err
	}
	loosens := s.TTLHours > cur.TTLHours
	for _, op := range cur.Required {
		loosens = loosens || !s.Requires(op)
	}
	if loosens {
		if err := guard(ctx, tx, warroom.OpApprovalSettings); err != nil {
			return err
		}
	}
	if err := setApprovalSettings(ctx, tx, s); err != nil {
		return err
	}
	return tx.commit()
}

func setApprovalSettings(ctx context.Context, tx *tx, s *warroom.ApprovalSettings) error {
	cur, err := approvalSettings(ctx, tx)
	if err != nil {
		return err
	}
	if err := putSetting(ctx, tx, settingApprovals, s); err != nil {
		return err
	}
	return writeAuditTarget(ctx, tx, warroom.AuditApprovalSettings, "settings", settingApprovals, change{From: cur, To: s})
}

// RevokeAllTokens revokes every active token of a user, or of everyone.
func (db *DB) RevokeAllTokens(ctx context.Context, userID int64) (int, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.rollback()
	if err := guard(ctx, tx, warroom.OpTokensRevokeAll); err != nil {
		return 0, err
	}
	if userID != 0 {
		if _, err := findUser(ctx, tx, userID, false); err != nil {
			return 0, err
		}
	}
	n, err := revokeAllTokens(ctx, tx, userID)
	if err != nil {
		return 0, err
	}
	return n, tx.commit()
}

func revokeAllTokens(ctx context.Context, tx *tx, userID int64) (int, error) {
	res, err := tx.exec(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE revoked_at IS NULL AND (? = 0 OR user_id = ?)`, tx.now, userID, userID)
	if err != nil {
		return 0, fmt.Errorf("revoke all tokens: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("revoke all tokens: %w", err)
	}
	target := "all"
	if userID != 0 {
		target = fmt.Sprint(userID)
	}
	if err := writeAuditTarget(ctx, tx, warroom.AuditTokenRevokeAll, "user", target, map[string]any{"revoked": n}); err != nil {
		return 0, err
	}
	return int(n), nil
}
