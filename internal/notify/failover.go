package notify

import (
	"context"
	"errors"
)

// Failover sends through the first of its notifiers and, when that one
// fails, through the next: a provider that is down or has refused the
// account must not keep a page from going out through another. The
// failure is retryable when any provider's was, so that the pager tries
// again later; all failures are reported.
type Failover []Notifier

// Notify implements Notifier.
func (f Failover) Notify(ctx context.Context, msg *Message) (bool, error) {
	var errs []error
	retry := false
	for _, n := range f {
		r, err := n.Notify(ctx, msg)
		if err == nil {
			return false, nil
		}
		retry = retry || r
		errs = append(errs, err)
		if ctx.Err() != nil {
			break
		}
	}
	if len(errs) == 0 {
		return false, errors.New("no provider is configured")
	}
	return retry, errors.Join(errs...)
}
