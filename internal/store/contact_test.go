package store_test

import (
	"bytes"
	"context"
	"database/sql"
	"strconv"
	"strings"
	"testing"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/secret"
	"github.com/warroomhq/warroom/internal/store"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

func TestContactMethods(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		dsn := storetest.DSN(t, engine)
		box, _ := secret.New(bytes.Repeat([]byte{1}, secret.KeySize))
		db, err := store.Open(ctx, dsn, store.Options{Sealer: box})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		u, _, _ := storetest.User(t, db, warroom.UserRoleResponder)
		const hook = "https://oapi.dingtalk.com/robot/send?access_token=TOKEN123"
		cm := &warroom.ContactMethod{UserID: u.ID, Type: warroom.ContactDingTalk, Name: "group", Address: hook, Secret: "SECabc"}
		if err := db.CreateContactMethod(ctx, cm); err != nil {
			t.Fatal(err)
		}

		t.Run("credentials are sealed at rest", func(t *testing.T) {
			driver := "sqlite"
			if engine == store.EnginePostgres {
				driver = "pgx"
			}
			raw, err := sql.Open(driver, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer raw.Close()
			var addr, sec string
			if err := raw.QueryRow(`SELECT address_sealed, secret_sealed FROM contact_methods WHERE id = `+strconv.FormatInt(cm.ID, 10)).Scan(&addr, &sec); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(addr, "TOKEN123") || strings.Contains(sec, "SECabc") || !secret.IsSealed(addr) || !secret.IsSealed(sec) {
				t.Errorf("stored %q / %q, want sealed values", addr, sec)
			}
		})
		t.Run("reads show the address, never the secret", func(t *testing.T) {
			got, err := db.FindContactMethods(ctx, u.ID)
			if err != nil || len(got) != 1 {
				t.Fatalf("got %v %v", got, err)
			}
			if got[0].Address != hook || got[0].Secret != "" || !got[0].HasSecret || got[0].Verified() {
				t.Errorf("got %+v", got[0])
			}
		})
		t.Run("ErrInvalid", func(t *testing.T) {
			for _, bad := range []*warroom.ContactMethod{
				{UserID: u.ID, Type: "pager", Name: "x", Address: "https://x"},
				{UserID: u.ID, Type: warroom.ContactEmail, Name: "x", Address: "not an address"},
				{UserID: u.ID, Type: warroom.ContactSlack, Name: "x", Address: "ftp://hooks.slack.com"},
				{UserID: u.ID, Type: warroom.ContactSlack, Name: "", Address: "https://hooks.slack.com"},
			} {
				if err := db.CreateContactMethod(ctx, bad); warroom.ErrorCode(err) != warroom.EINVALID {
					t.Errorf("%+v: got %v, want EINVALID", bad, err)
				}
			}
		})
		t.Run("verification", func(t *testing.T) {
			if err := db.VerifyContactMethod(ctx, u.ID, cm.ID, "000000x"); warroom.ErrorCode(err) != warroom.EINVALID {
				t.Errorf("wrong code: got %v, want EINVALID", err)
			}
			if err := db.SendTestNotification(ctx, u.ID, cm.ID); warroom.ErrorCode(err) != warroom.ECONFLICT {
				t.Errorf("test to unverified: got %v, want ECONFLICT", err)
			}
			if err := db.CreateNotificationRule(ctx, &warroom.NotificationRule{UserID: u.ID, ContactMethodID: cm.ID, DelaySeconds: 7200}); warroom.ErrorCode(err) != warroom.EINVALID {
				t.Errorf("2h rule: got %v, want EINVALID", err)
			}
			if err := db.CreateNotificationRule(ctx, &warroom.NotificationRule{UserID: u.ID, ContactMethodID: 9999}); warroom.ErrorCode(err) != warroom.ENOTFOUND {
				t.Errorf("rule for unknown method: got %v, want ENOTFOUND", err)
			}
			if err := db.DeleteContactMethod(ctx, u.ID+1000, cm.ID); warroom.ErrorCode(err) != warroom.ENOTFOUND {
				t.Errorf("delete someone else's method: got %v, want ENOTFOUND", err)
			}
		})
	})
}
