package store

import (
	"context"
	"fmt"

	"github.com/warroomhq/warroom"
)

// URLChecker decides whether warroom may send to a URL someone configured.
// Its error says why not, in words fit for the person who entered it.
type URLChecker interface {
	CheckURL(ctx context.Context, rawURL string) error
}

// checkOutbound runs the configured URLChecker on a URL about to be saved.
// It is called before the write transaction: the check may resolve a name,
// and the single SQLite writer must not wait on DNS.
func (db *DB) checkOutbound(ctx context.Context, field, rawURL string) error {
	if db.outbound == nil {
		return nil
	}
	if err := db.outbound.CheckURL(ctx, rawURL); err != nil {
		return warroom.FieldErrorf(field, "%v", err)
	}
	return nil
}

// checkChannels checks the chat and webhook targets of stakeholder
// channels; email lists are not URLs.
func (db *DB) checkChannels(ctx context.Context, cs []warroom.StakeholderChannel) error {
	for i, c := range cs {
		if c.Kind == warroom.ChannelEmail {
			continue
		}
		if err := db.checkOutbound(ctx, fmt.Sprintf("channels[%d].target", i), c.Target); err != nil {
			return err
		}
	}
	return nil
}
