package store_test

import (
	"testing"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

// A webhook subscribed again is a conflict on both engines, even with
// non-ASCII characters: SQLite's lower() folds ASCII only, so the duplicate
// check must fold the way the unique index it guards does.
func TestSubscribe_WebhookAgain(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		const target = "https://hooks.example.com/Équipe"
		if err := e.db.Subscribe(e.ctx, &warroom.Subscriber{Kind: warroom.ChannelWebhook, Target: target}); err != nil {
			t.Fatalf("Subscribe: %v", err)
		}
		err := e.db.Subscribe(e.ctx, &warroom.Subscriber{Kind: warroom.ChannelWebhook, Target: target})
		if got := warroom.ErrorCode(err); got != warroom.ECONFLICT {
			t.Errorf("Subscribe again: code %q (%v), want %q", got, err, warroom.ECONFLICT)
		}
	})
}
