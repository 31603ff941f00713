package paging_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/notify"
	"github.com/warroomhq/warroom/internal/paging"
	"github.com/warroomhq/warroom/internal/store"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

// verifiedPhone gives the user a verified SMS number, proved with the
// code queued to it.
func verifiedPhone(t *testing.T, db *store.DB, userID int64, number string) {
	t.Helper()
	ctx := context.Background()
	cm := &warroom.ContactMethod{UserID: userID, Type: warroom.ContactSMS, Name: "mobile", Address: number}
	if err := db.CreateContactMethod(ctx, cm); err != nil {
		t.Fatal(err)
	}
	ds, err := db.ClaimNotifications(ctx, time.Now().Add(time.Second), time.Minute, 50)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		db.CompleteNotification(ctx, d.ID, time.Now(), warroom.DeliveryOutcome{Sent: true})
		if d.ContactMethodID == cm.ID {
			if err := db.VerifyContactMethod(ctx, userID, cm.ID, d.Text); err != nil {
				t.Fatal(err)
			}
			return
		}
	}
	t.Fatal("no code queued")
}

func TestReplies(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		db := storetest.Open(t, engine, nil)
		r := paging.NewReplies(paging.ReplyDeps{Phones: db, Users: db, Incidents: db, Notifications: db, Teams: db})
		admin, actx, _ := storetest.User(t, db, warroom.UserRoleAdmin)
		svc := &warroom.Service{Name: "shop", Tier: 1}
		if err := db.CreateService(actx, svc); err != nil {
			t.Fatal(err)
		}
		inc := &warroom.Incident{Title: "checkout down", Type: warroom.TypeSystemCrash, Severity: warroom.P1, ServiceIDs: []int64{svc.ID}}
		if err := db.DeclareIncident(actx, inc); err != nil {
			t.Fatal(err)
		}
		viewer, _, _ := storetest.User(t, db, warroom.UserRoleViewer)
		contractor, _, _ := storetest.User(t, db, warroom.UserRoleContractor)
		responder, _, _ := storetest.User(t, db, warroom.UserRoleResponder)
		verifiedPhone(t, db, viewer.ID, "+14155550101")
		verifiedPhone(t, db, contractor.ID, "+14155550102")
		verifiedPhone(t, db, responder.ID, "+14155550103")
		_ = admin

		state := func() warroom.State {
			got, err := db.FindIncidentByID(actx, inc.ID)
			if err != nil {
				t.Fatal(err)
			}
			return got.State
		}
		refusals := func() int {
			_, n, err := db.FindAuditEntries(actx, warroom.AuditFilter{Action: ptr(warroom.AuditPhoneReplyRefused)})
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		t.Run("Refused", func(t *testing.T) {
			for name, rep := range map[string]notify.Reply{
				"unknown number":               {Channel: "sms", From: "+14155550199", Text: "1 " + inc.Number},
				"viewer":                       {Channel: "sms", From: "+14155550101", Text: "1 " + inc.Number},
				"contractor without grant":     {Channel: "sms", From: "+14155550102", Text: "1 " + inc.Number},
				"call to someone else's phone": {Channel: "voice", From: "+14155550103", Text: "1", IncidentID: inc.ID, UserID: viewer.ID},
			} {
				before := refusals()
				got := r.Reply(ctx, rep)
				if s := state(); s != warroom.StateTriggered {
					t.Fatalf("%s: incident moved to %s", name, s)
				}
				if refusals() != before+1 {
					t.Errorf("%s: refusal not audited", name)
				}
				if name != "contractor without grant" && got.Text != "" {
					t.Errorf("%s: answered %q, want silence", name, got.Text)
				}
			}
		})
		t.Run("Help", func(t *testing.T) {
			got := r.Reply(ctx, notify.Reply{Channel: "sms", From: "+14155550103", Text: "what is this"})
			if !strings.Contains(got.Text, "Reply 1 to acknowledge") || state() != warroom.StateTriggered {
				t.Errorf("answered %q", got.Text)
			}
		})
		t.Run("NothingPaged", func(t *testing.T) {
			// The responder was never paged: a bare "1" names nothing.
			if got := r.Reply(ctx, notify.Reply{Channel: "sms", From: "+14155550103", Text: "1"}); got.Text != "No open incident to act on." {
				t.Errorf("answered %q", got.Text)
			}
		})
		t.Run("Acknowledge", func(t *testing.T) {
			got := r.Reply(ctx, notify.Reply{Channel: "sms", From: "+14155550103", Text: "ack " + inc.Number})
			if !strings.Contains(got.Text, "is acknowledged") || state() != warroom.StateAcknowledged {
				t.Fatalf("answered %q, state %s", got.Text, state())
			}
			es, _, err := db.FindEvents(actx, warroom.EventFilter{IncidentID: inc.ID, Kinds: []warroom.EventKind{warroom.EventStateChanged}})
			if err != nil || len(es) != 1 || es[0].ActorID != responder.ID {
				t.Errorf("events %+v, %v: want one by the responder", es, err)
			}
			if got := r.Reply(ctx, notify.Reply{Channel: "sms", From: "+14155550103", Text: "确认 " + inc.Number}); !strings.Contains(got.Text, "already") {
				t.Errorf("second ack answered %q", got.Text)
			}
		})
	})
}

func ptr[T any](v T) *T { return &v }
