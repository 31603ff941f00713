package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/notify"
	"github.com/warroomhq/warroom/internal/store"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

func openWithOutbound(t *testing.T, engine, allow string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), storetest.DSN(t, engine), store.Options{Outbound: notify.MustParsePolicy(allow)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func wantRefused(t *testing.T, what string, err error, field string) {
	t.Helper()
	var we *warroom.Error
	if !errors.As(err, &we) || we.Code != warroom.EINVALID || we.Field != field {
		t.Errorf("%s: err %v, want invalid naming %s", what, err, field)
	}
}

// TestOutbound_Saved: every URL warroom will later send to is checked
// when it is saved, and the error names the field.
func TestOutbound_Saved(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		t.Run("Refused", func(t *testing.T) {
			db := openWithOutbound(t, engine, "")
			u, _, _ := storetest.User(t, db, warroom.UserRoleViewer)
			for _, addr := range []string{"http://127.0.0.1:9/x", "http://10.0.0.1/x", "http://169.254.169.254/", "http://[::1]/x", "http://localhost/x"} {
				err := db.CreateContactMethod(ctx, &warroom.ContactMethod{UserID: u.ID, Type: warroom.ContactSlack, Name: "s", Address: addr})
				wantRefused(t, "contact method "+addr, err, "address")
			}
			err := db.Subscribe(ctx, &warroom.Subscriber{Kind: warroom.ChannelWebhook, Target: "http://127.0.0.1:9/x"})
			wantRefused(t, "subscriber", err, "target")
			g := &warroom.StakeholderGroup{Name: "pr", Channels: []warroom.StakeholderChannel{
				{Kind: warroom.ChannelEmail, Target: "pr@example.com"},
				{Kind: warroom.ChannelSlack, Target: "http://localhost/hooks/x"},
			}}
			wantRefused(t, "stakeholder group", db.CreateStakeholderGroup(ctx, g), "channels[1].target")
		})
		t.Run("Allowlisted", func(t *testing.T) {
			db := openWithOutbound(t, engine, "127.0.0.1, localhost")
			u, _, _ := storetest.User(t, db, warroom.UserRoleViewer)
			if err := db.CreateContactMethod(ctx, &warroom.ContactMethod{UserID: u.ID, Type: warroom.ContactSlack, Name: "s", Address: "http://127.0.0.1:9/x"}); err != nil {
				t.Errorf("contact method: %v", err)
			}
			if err := db.Subscribe(ctx, &warroom.Subscriber{Kind: warroom.ChannelWebhook, Target: "http://127.0.0.1:9/x"}); err != nil {
				t.Errorf("subscriber: %v", err)
			}
			g := &warroom.StakeholderGroup{Name: "pr", Channels: []warroom.StakeholderChannel{{Kind: warroom.ChannelSlack, Target: "http://localhost/hooks/x"}}}
			if err := db.CreateStakeholderGroup(ctx, g); err != nil {
				t.Errorf("stakeholder group: %v", err)
			}
			g.Channels[0].Target = "http://10.9.9.9/hooks/x"
			wantRefused(t, "replaced group", db.ReplaceStakeholderGroup(ctx, g.ID, g), "channels[0].target")
		})
	})
}
