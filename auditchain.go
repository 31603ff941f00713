package warroom

import "context"

// AuditBreak is how the chain of audit entries was broken at one entry.
type AuditBreak string

// Audit chain breaks.
const (
	// AuditModified: the entry's content no longer matches its hash.
	AuditModified AuditBreak = "modified"
	// AuditMissing: the entry does not follow the one before it, so an
	// entry between them was deleted or this one was inserted out of order.
	AuditMissing AuditBreak = "deleted_or_reordered"
	// AuditTruncated: the newest entries were deleted; the chain head
	// names an entry that is gone.
	AuditTruncated AuditBreak = "truncated"
)

// AuditVerification is the result of checking the audit hash chain.
type AuditVerification struct {
	OK bool `json:"ok"`
	// Entries is how many entries were checked.
	Entries int `json:"entries"`
	// FirstBadID is the first entry found broken, 0 when OK.
	FirstBadID int64      `json:"first_bad_id,omitempty"`
	Break      AuditBreak `json:"break,omitempty"`
	Message    string     `json:"message"`
}

// AuditVerifier checks the audit log's hash chain: each entry's hash covers
// its content and the hash of the entry before it, so an edit, a deletion
// or an insertion made behind warroom's back shows.
type AuditVerifier interface {
	// VerifyAudit walks the whole chain and reports the first break.
	VerifyAudit(ctx context.Context) (*AuditVerification, error)
}
