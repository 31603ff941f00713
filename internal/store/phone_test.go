package store_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/secret"
	"github.com/warroomhq/warroom/internal/store"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

// verifyPhone adds a phone method and proves it with the code queued to
// it, as the person would by reading the SMS.
func verifyPhone(t testing.TB, db *store.DB, userID int64, typ warroom.ContactType, number string) *warroom.ContactMethod {
	t.Helper()
	ctx := context.Background()
	cm := &warroom.ContactMethod{UserID: userID, Type: typ, Name: "phone", Address: number}
	if err := db.CreateContactMethod(ctx, cm); err != nil {
		t.Fatal(err)
	}
	ds, err := db.ClaimNotifications(ctx, time.Now().Add(time.Second), time.Minute, 50)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		db.CompleteNotification(ctx, d.ID, time.Now(), warroom.DeliveryOutcome{Sent: true})
		if d.Kind == warroom.NotifyVerification && d.ContactMethodID == cm.ID {
			if err := db.VerifyContactMethod(ctx, userID, cm.ID, d.Text); err != nil {
				t.Fatal(err)
			}
			return cm
		}
	}
	t.Fatalf("no verification code was queued to %s", number)
	return nil
}

func TestPhone(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		dsn := storetest.DSN(t, engine)
		box, _ := secret.New(bytes.Repeat([]byte{1}, secret.KeySize))
		db, err := store.Open(ctx, dsn, store.Options{Sealer: box})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		ana, _, _ := storetest.User(t, db, warroom.UserRoleResponder)
		bo, _, _ := storetest.User(t, db, warroom.UserRoleResponder)

		t.Run("NumbersAreNormalisedAndSealed", func(t *testing.T) {
			cm := &warroom.ContactMethod{UserID: ana.ID, Type: warroom.ContactSMS, Name: "mobile", Address: "+86 138-1234-5678"}
			if err := db.CreateContactMethod(ctx, cm); err != nil {
				t.Fatal(err)
			}
			if cm.Address != "+8613812345678" {
				t.Errorf("address %q, want E.164", cm.Address)
			}
			driver := map[string]string{"sqlite": "sqlite", store.EnginePostgres: "pgx"}[engine]
			raw, err := sql.Open(driver, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer raw.Close()
			var addr string
			raw.QueryRow(`SELECT address_sealed FROM contact_methods WHERE id = ` + strconv.FormatInt(cm.ID, 10)).Scan(&addr)
			if strings.Contains(addr, "13812345678") || !secret.IsSealed(addr) {
				t.Errorf("stored %q, want sealed", addr)
			}
		})
		t.Run("ErrInvalid", func(t *testing.T) {
			for _, n := range []string{"13812345678", "+86 123", "+999 12345678", "https://x.example", ""} {
				err := db.CreateContactMethod(ctx, &warroom.ContactMethod{UserID: ana.ID, Type: warroom.ContactVoice, Name: "x", Address: n})
				if warroom.ErrorCode(err) != warroom.EINVALID || warroom.ErrorField(err) != "address" {
					t.Errorf("%q: got %v, want EINVALID on address", n, err)
				}
			}
		})
		t.Run("FindVerifiedPhone", func(t *testing.T) {
			if _, err := db.FindVerifiedPhone(ctx, "+8613812345678"); warroom.ErrorCode(err) != warroom.ENOTFOUND {
				t.Errorf("unverified: got %v, want ENOTFOUND", err)
			}
			cm := verifyPhone(t, db, ana.ID, warroom.ContactSMS, "+14155552671")
			got, err := db.FindVerifiedPhone(ctx, "+14155552671")
			if err != nil || got.ID != cm.ID || got.UserID != ana.ID {
				t.Fatalf("got %+v, %v", got, err)
			}
			if _, err := db.FindVerifiedPhone(ctx, "+14155552672"); warroom.ErrorCode(err) != warroom.ENOTFOUND {
				t.Errorf("unknown: got %v, want ENOTFOUND", err)
			}
			// The same person's voice method on the number is no conflict;
			// another person verifying it is.
			verifyPhone(t, db, ana.ID, warroom.ContactVoice, "+14155552671")
			if got, err := db.FindVerifiedPhone(ctx, "+14155552671"); err != nil || got.UserID != ana.ID {
				t.Errorf("own voice method: got %+v, %v", got, err)
			}
			verifyPhone(t, db, bo.ID, warroom.ContactSMS, "+14155552671")
			if _, err := db.FindVerifiedPhone(ctx, "+14155552671"); warroom.ErrorCode(err) != warroom.ECONFLICT {
				t.Errorf("shared: got %v, want ECONFLICT", err)
			}
		})
		t.Run("Receipts", func(t *testing.T) {
			ns, _, err := db.FindNotifications(ctx, warroom.NotificationFilter{Limit: 1})
			if err != nil || len(ns) == 0 {
				t.Fatal(err)
			}
			id := ns[0].ID
			if err := db.RecordNotificationReceipt(ctx, &warroom.NotificationReceipt{NotificationID: id, Provider: "twilio", ProviderID: "SM1", Status: "sent", Price: "-0.0075", PriceUnit: "USD"}); err != nil {
				t.Fatal(err)
			}
			// A later report without a price keeps the one known.
			if err := db.RecordNotificationReceipt(ctx, &warroom.NotificationReceipt{NotificationID: id, Provider: "twilio", ProviderID: "SM1", Status: "delivered"}); err != nil {
				t.Fatal(err)
			}
			got, err := db.FindNotificationReceipt(ctx, id)
			if err != nil || got.Status != "delivered" || got.Price != "-0.0075" || got.PriceUnit != "USD" {
				t.Errorf("got %+v, %v", got, err)
			}
			if err := db.RecordNotificationReceipt(ctx, &warroom.NotificationReceipt{NotificationID: id + 1000, Provider: "twilio", Status: "sent"}); warroom.ErrorCode(err) != warroom.ENOTFOUND {
				t.Errorf("unknown notification: got %v", err)
			}
			if err := db.RecordNotificationReceipt(ctx, &warroom.NotificationReceipt{NotificationID: id, Provider: "twilio", Status: strings.Repeat("x", 65)}); warroom.ErrorCode(err) != warroom.EINVALID {
				t.Errorf("long status: got %v", err)
			}
		})
	})
}

// BenchmarkFindVerifiedPhone looks a number up among 300 verified phone
// methods, the scan an inbound SMS costs.
func BenchmarkFindVerifiedPhone(b *testing.B) {
	box, _ := secret.New(bytes.Repeat([]byte{1}, secret.KeySize))
	db, err := store.Open(context.Background(), storetest.DSN(b, "sqlite"), store.Options{Sealer: box})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	for i := range 300 {
		u, _, _ := storetest.User(b, db, warroom.UserRoleResponder)
		verifyPhone(b, db, u.ID, warroom.ContactSMS, fmt.Sprintf("+1415555%04d", 1000+i))
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := db.FindVerifiedPhone(context.Background(), "+14155551299"); err != nil {
			b.Fatal(err)
		}
	}
}
