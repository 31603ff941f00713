package warroom

import (
	"context"
	"encoding/json"
	"time"
)

// AuditAction names a change made in warroom. Every mutation has its own
// constant so that the log can be filtered and nothing is described in free
// text alone.
type AuditAction string

// Audit actions.
const (
	AuditIncidentDeclare      AuditAction = "incident.declare"
	AuditIncidentUpdate       AuditAction = "incident.update"
	AuditIncidentTransition   AuditAction = "incident.transition"
	AuditIncidentSeverity     AuditAction = "incident.severity"
	AuditIncidentNote         AuditAction = "incident.note"
	AuditRoleAssign           AuditAction = "incident.role.assign"
	AuditRoleEnd              AuditAction = "incident.role.end"
	AuditTaskAdd              AuditAction = "incident.task.add"
	AuditTaskUpdate           AuditAction = "incident.task.update"
	AuditServiceCreate        AuditAction = "service.create"
	AuditServiceUpdate        AuditAction = "service.update"
	AuditIncidentRoleCreate   AuditAction = "incident_role.create"
	AuditIncidentRoleDelete   AuditAction = "incident_role.delete"
	AuditSOPCreate            AuditAction = "sop.create"
	AuditSOPReplace           AuditAction = "sop.replace"
	AuditSOPDelete            AuditAction = "sop.delete"
	AuditSeverityMatrixUpdate AuditAction = "severity_matrix.update"
	AuditSLAPoliciesUpdate    AuditAction = "sla_policies.update"
	AuditUserCreate           AuditAction = "user.create"
	AuditUserUpdate           AuditAction = "user.update"
	AuditUserPassword         AuditAction = "user.password"
	AuditUserBootstrap        AuditAction = "user.bootstrap"
	AuditTokenCreate          AuditAction = "token.create"
	AuditTokenRevoke          AuditAction = "token.revoke"
)

// AuditEntry is one row of the append-only audit log.
type AuditEntry struct {
	ID         int64       `json:"id"`
	At         time.Time   `json:"at"`
	ActorID    int64       `json:"actor_id"`
	Action     AuditAction `json:"action"`
	TargetType string      `json:"target_type"`
	TargetID   string      `json:"target_id"`
	// Data holds the changed fields, before and after where it applies.
	// Secrets never appear here.
	Data     json.RawMessage `json:"data,omitempty"`
	SourceIP string          `json:"source_ip"`
}

// AuditFilter selects audit entries.
type AuditFilter struct {
	ActorID    *int64
	Action     *AuditAction
	TargetType *string
	TargetID   *string
	// BeforeID keeps entries with a smaller ID: keyset paging, so that
	// entries appended while a long export runs cannot shift its pages.
	BeforeID *int64

	Offset int
	Limit  int
}

// AuditService reads the audit log. Entries are written by the services
// themselves, inside the transaction of each change.
type AuditService interface {
	// FindAuditEntries returns a page of entries, newest first, and the total.
	FindAuditEntries(ctx context.Context, filter AuditFilter) ([]*AuditEntry, int, error)
}

// Session audit actions.
const (
	AuditSessionCreate AuditAction = "session.create"
	AuditSessionDelete AuditAction = "session.delete"
)
