package warroom

import (
	"context"
	"time"
)

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
	// AuditEmptied: a checkpoint saw entries and the log has none.
	AuditEmptied AuditBreak = "emptied"
	// AuditRewritten: the entry a checkpoint saw at its sequence number is
	// not the one there now, so the log up to it was rewritten.
	AuditRewritten AuditBreak = "rewritten"
	// AuditBadCheckpoint: a checkpoint's MAC does not match, so it was not
	// made with this audit key or was altered.
	AuditBadCheckpoint AuditBreak = "bad_checkpoint"
	// AuditBrokenBeforeKey: the unkeyed chain was already broken when the
	// log was first MACed; FirstBadID is where, as found then.
	AuditBrokenBeforeKey AuditBreak = "broken_before_keyed"
)

// AuditCheckpoint is the chain head at one moment, MACed with the audit
// key and written outside the database, so that deleting the newest
// entries, rewriting the log or emptying it shows against it.
type AuditCheckpoint struct {
	// Seq is the ID of the newest entry, 0 for an empty log.
	Seq int64 `json:"seq"`
	// Head is that entry's MAC.
	Head string    `json:"head"`
	At   time.Time `json:"at"`
	// MAC covers Seq, Head and At.
	MAC string `json:"mac"`
}

// Audit log actions about the log itself.
const (
	// AuditChainKeyed: the log was MACed with the audit key for the first
	// time; data says whether the unkeyed chain was intact until then.
	AuditChainKeyed AuditAction = "audit.chain_keyed"
	// AuditCheckpointSettings: the checkpoint destinations or interval
	// changed between two starts.
	AuditCheckpointSettings AuditAction = "audit.checkpoint_settings"
)

// AuditCheckpointer takes checkpoints of the audit chain head.
type AuditCheckpointer interface {
	// CheckpointAudit returns the head now. EINVALID when the log is not
	// keyed.
	CheckpointAudit(ctx context.Context) (*AuditCheckpoint, error)
	// ClaimAuditCheckpoint returns the head when a scheduled checkpoint is
	// due at now, and schedules the next one every later; nil when none is
	// due. One instance of several gets each.
	ClaimAuditCheckpoint(ctx context.Context, now time.Time, every time.Duration) (*AuditCheckpoint, error)
	// DeferAuditCheckpoint moves the next scheduled checkpoint to at, for
	// a retry after one could not be written out.
	DeferAuditCheckpoint(ctx context.Context, at time.Time) error
}

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
	// VerifyAuditCheckpoints walks the chain as VerifyAudit does and also
	// checks that every checkpoint is genuine and that the entry it saw is
	// still there, unchanged.
	VerifyAuditCheckpoints(ctx context.Context, cps []AuditCheckpoint) (*AuditVerification, error)
}
