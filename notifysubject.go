package warroom

// Notification kinds of work that is not paging but travels the same
// outbox, so that it is retried, recorded and never dropped silently.
const (
	// NotifyReminder tells someone of a postmortem or action item that is
	// due or overdue.
	NotifyReminder NotificationKind = "reminder"
	// NotifyChange tells someone about a change: a request for approval,
	// a decision, a rollback, a start or end, a policy violation.
	NotifyChange NotificationKind = "change"
)

// Change notification kinds beyond the author's decision and rollback
// notices and the owners' violation notices.
const (
	// NotifyApprovalRequest asks someone who may approve a submitted change.
	NotifyApprovalRequest = "approval_request"
	// NotifyChangeStarted and NotifyChangeEnded tell the on-call engineer
	// of each affected service that a high or critical change started and
	// ended.
	NotifyChangeStarted = "started"
	NotifyChangeEnded   = "ended"
)
