package warroom

import (
	"context"
	"encoding/json"
	"time"
)

// ApprovalOp names an operation the two-person rule may guard (seed 004:
// one operator deleted production and its backups alone).
type ApprovalOp string

// Guarded operations.
const (
	// OpUserRemoveAdmin demotes or deactivates an owner or admin.
	OpUserRemoveAdmin ApprovalOp = "user.remove_admin"
	// OpTokensRevokeAll revokes every API token of one user or of everyone.
	OpTokensRevokeAll ApprovalOp = "tokens.revoke_all"
	// OpApprovalSettings loosens the two-person rule itself. Tightening it
	// never needs approval.
	OpApprovalSettings ApprovalOp = "approval.settings"
	// OpTokenRevokeOther revokes one API token of another user.
	OpTokenRevokeOther ApprovalOp = "token.revoke_other"
	// OpComponentDelete deletes a status-page component with its status
	// history.
	OpComponentDelete ApprovalOp = "component.delete"
	// OpMonitorDelete deletes a heartbeat monitor.
	OpMonitorDelete ApprovalOp = "monitor.delete"
	// OpIntegrationRevoke revokes an integration key for good.
	OpIntegrationRevoke ApprovalOp = "integration.revoke"
	// OpPostmortemTemplateDelete deletes a postmortem template.
	OpPostmortemTemplateDelete ApprovalOp = "postmortem_template.delete"
	// OpSOPTemplateDelete deletes an SOP (checklist) template.
	OpSOPTemplateDelete ApprovalOp = "sop_template.delete"
	// OpRoutingRuleDelete deletes an alert routing rule, after which the
	// alerts it routed page nobody.
	OpRoutingRuleDelete ApprovalOp = "routing_rule.delete"
	// OpFreezeDelete deletes a change freeze window with the exceptions it
	// granted, which are the record of who let which change through.
	OpFreezeDelete ApprovalOp = "freeze.delete"
	// OpMaintenanceWindowEnd cuts an alert maintenance window short. It
	// revokes a window rather than deleting it: the row stays.
	OpMaintenanceWindowEnd ApprovalOp = "maintenance_window.end"
	// OpMaintenanceCancel takes an announced maintenance off the status
	// page.
	OpMaintenanceCancel ApprovalOp = "maintenance.cancel"
	// OpAuditCheckpointSettings changes or turns off the audit checkpoints,
	// which is what someone about to rewrite the log would do first. The
	// settings are configuration read at start: the approval names the new
	// settings by their fingerprint, and serve refuses to start with
	// changed settings that no second admin approved. Configuring them the
	// first time never needs approval.
	OpAuditCheckpointSettings ApprovalOp = "audit.checkpoint_settings"
)

// ApprovalOps lists every guarded operation.
var ApprovalOps = []ApprovalOp{OpUserRemoveAdmin, OpTokensRevokeAll, OpApprovalSettings,
	OpTokenRevokeOther, OpComponentDelete, OpMonitorDelete, OpIntegrationRevoke, OpPostmortemTemplateDelete, OpSOPTemplateDelete,
	OpRoutingRuleDelete, OpFreezeDelete, OpMaintenanceWindowEnd, OpMaintenanceCancel, OpAuditCheckpointSettings}

// Valid reports whether op is known.
func (op ApprovalOp) Valid() bool {
	for _, v := range ApprovalOps {
		if v == op {
			return true
		}
	}
	return false
}

// ApprovalState is where a request stands.
type ApprovalState string

// Approval states. An approved request runs at once, so "executed" is the
// only state after approval.
const (
	ApprovalPending  ApprovalState = "pending"
	ApprovalExecuted ApprovalState = "executed"
	ApprovalRejected ApprovalState = "rejected"
	ApprovalExpired  ApprovalState = "expired"
)

// Approval is a request to run a guarded operation, waiting for a second
// admin.
type Approval struct {
	ID int64      `json:"id"`
	Op ApprovalOp `json:"op"`
	// Params are the operation's arguments, e.g. {"user_id":7,"active":false}.
	Params      json.RawMessage `json:"params"`
	Reason      string          `json:"reason"`
	State       ApprovalState   `json:"state"`
	RequestedBy int64           `json:"requested_by"`
	RequestedAt time.Time       `json:"requested_at"`
	ExpiresAt   time.Time       `json:"expires_at"`
	DecidedBy   int64           `json:"decided_by"`
	DecidedAt   *time.Time      `json:"decided_at"`
}

// RemoveAdminParams are the arguments of OpUserRemoveAdmin.
type RemoveAdminParams struct {
	UserID int64     `json:"user_id"`
	Role   *UserRole `json:"role,omitempty"`
	Active *bool     `json:"active,omitempty"`
}

// RevokeAllParams are the arguments of OpTokensRevokeAll; UserID 0 means
// every user.
type RevokeAllParams struct {
	UserID int64 `json:"user_id"`
}

// ObjectParams are the arguments of the operations on one object by ID:
// OpComponentDelete, OpMonitorDelete, OpIntegrationRevoke,
// OpPostmortemTemplateDelete, OpSOPTemplateDelete, OpRoutingRuleDelete,
// OpFreezeDelete, OpMaintenanceWindowEnd and OpMaintenanceCancel.
type ObjectParams struct {
	ID int64 `json:"id"`
}

// RevokeTokenParams are the arguments of OpTokenRevokeOther.
type RevokeTokenParams struct {
	UserID  int64 `json:"user_id"`
	TokenID int64 `json:"token_id"`
}

// CheckpointSettingsParams are the arguments of OpAuditCheckpointSettings:
// the fingerprint of the new settings, which serve prints when it refuses
// to start with them.
type CheckpointSettingsParams struct {
	Fingerprint string `json:"fingerprint"`
}

// ApprovalSettings say which operations need a second admin.
type ApprovalSettings struct {
	Required []ApprovalOp `json:"required"`
	// TTLHours is how long a request waits before it expires.
	TTLHours int `json:"ttl_hours"`
}

// DefaultApprovalTTLHours is a working day and a night: long enough for the
// second admin to wake up.
const DefaultApprovalTTLHours = 24

// Validate checks the settings and fills the default TTL.
func (s *ApprovalSettings) Validate() error {
	if s.TTLHours == 0 {
		s.TTLHours = DefaultApprovalTTLHours
	}
	if s.TTLHours < 1 || s.TTLHours > 24*14 {
		return FieldErrorf("ttl_hours", "must be 1 to %d", 24*14)
	}
	seen := map[ApprovalOp]bool{}
	for _, op := range s.Required {
		if !op.Valid() {
			return FieldErrorf("required", "unknown operation %q", op)
		} else if seen[op] {
			return FieldErrorf("required", "operation %q is listed twice", op)
		}
		seen[op] = true
	}
	if s.Required == nil {
		s.Required = []ApprovalOp{}
	}
	return nil
}

// Requires reports whether op needs a second admin.
func (s *ApprovalSettings) Requires(op ApprovalOp) bool {
	for _, v := range s.Required {
		if v == op {
			return true
		}
	}
	return false
}

// ApprovalFilter selects approval requests.
type ApprovalFilter struct {
	State *ApprovalState

	Offset int
	Limit  int
}

// ApprovalService runs the two-person rule. A guarded operation called
// directly while its rule is on returns ECONFLICT naming the operation; the
// caller then requests approval, and a different admin approves it, which
// runs the operation in the same transaction.
type ApprovalService interface {
	// FindApprovals returns a page of requests, newest first, and the total.
	FindApprovals(ctx context.Context, filter ApprovalFilter) ([]*Approval, int, error)

	// FindApprovalByID returns ENOTFOUND.
	FindApprovalByID(ctx context.Context, id int64) (*Approval, error)

	// RequestApproval records a request by the admin in ctx.
	// Returns EINVALID for an unknown operation or bad params, EFORBIDDEN
	// for a non-admin.
	RequestApproval(ctx context.Context, op ApprovalOp, params json.RawMessage, reason string) (*Approval, error)

	// Approve runs a pending request as a second admin.
	// Returns ENOTFOUND, EFORBIDDEN for the requester or a non-admin,
	// ECONFLICT when already decided (a replay) or expired, and whatever
	// the operation returns.
	Approve(ctx context.Context, id int64) (*Approval, error)

	// Reject refuses a pending request; the requester may withdraw its own.
	// Returns ENOTFOUND, EFORBIDDEN, ECONFLICT when already decided.
	Reject(ctx context.Context, id int64) (*Approval, error)

	// FindApprovalSettings returns the current settings.
	FindApprovalSettings(ctx context.Context) (*ApprovalSettings, error)

	// SetApprovalSettings changes them. Loosening them is itself guarded
	// by OpApprovalSettings.
	// Returns EINVALID, ECONFLICT when approval is needed.
	SetApprovalSettings(ctx context.Context, s *ApprovalSettings) error

	// RevokeAllTokens revokes every active token of a user, or of everyone
	// for userID 0, and returns how many. Guarded by OpTokensRevokeAll.
	// Returns ENOTFOUND, ECONFLICT when approval is needed.
	RevokeAllTokens(ctx context.Context, userID int64) (int, error)
}

// Approval audit actions.
const (
	AuditApprovalRequest  AuditAction = "approval.request"
	AuditApprovalApprove  AuditAction = "approval.approve"
	AuditApprovalReject   AuditAction = "approval.reject"
	AuditApprovalSettings AuditAction = "approval.settings"
	AuditTokenRevokeAll   AuditAction = "token.revoke_all"
)
