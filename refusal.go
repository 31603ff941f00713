package warroom

import (
	"context"
	"errors"
)

// AuditAccessRefused records a request that was refused: no or a bad
// credential, a permission or scope it lacks, a self-approval, a guarded
// operation tried without a second admin. Attempts leave a trace as well
// as changes.
const AuditAccessRefused AuditAction = "access.refused"

// ErrTwoPersonRule marks the refusal of a guarded operation called
// directly, so that the HTTP edge can tell it from other conflicts and
// audit it. It is joined to an ECONFLICT *Error.
var ErrTwoPersonRule = errors.New("the two-person rule requires an approval")

// Refusal is what the audit log keeps of a refused request: the actor and
// source address come from the context, as for every entry.
type Refusal struct {
	Method string `json:"method"`
	// Route is the registered pattern; Path the path asked for.
	Route  string `json:"route"`
	Path   string `json:"path"`
	Status int    `json:"status"`
	Code   string `json:"code"`
	Reason string `json:"reason"`
	// Suppressed counts refusals of the same identity or source left out
	// since the previous one recorded, by the rate limit.
	Suppressed int `json:"suppressed,omitempty"`
}

// RefusalRecorder writes refusals to the audit log, each in a transaction
// of its own: a refused request has none.
type RefusalRecorder interface {
	RecordRefusal(ctx context.Context, r Refusal) error
}
