package ui_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

// TestWebhookPages subscribes an endpoint from the page in English and
// Chinese, sees the secret once, reads the delivery log with each
// attempt's status code, redelivers, and is refused as a responder.
func TestWebhookPages(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		for _, locale := range []string{"en", "zh-CN"} {
			t.Run(locale, func(t *testing.T) {
				u, ctx := e.user(t, warroom.UserRoleAdmin, locale)
				c := e.client(t)
				c.login(u.Email)

				res, body := c.post("/admin/webhooks", url.Values{"name": {"bridge " + locale}, "url": {"https://hooks.example.com/" + locale},
					"event_types": {"incident.declared"}, "severities": {"P0"}})
				wantStatus(t, res, body, http.StatusCreated)
				if !strings.Contains(body, "whsec_") {
					t.Fatal("the new secret is not shown")
				}
				res, body = c.post("/admin/webhooks", url.Values{"name": {"bad"}, "url": {"https://hooks.example.com/x"}, "event_types": {"incident.exploded"}})
				wantStatus(t, res, body, http.StatusUnprocessableEntity)
				if !strings.Contains(body, "event_types[0]") {
					t.Errorf("the refusal does not name the field")
				}

				subs, _ := e.db.FindHookSubscriptions(ctx)
				var sub *warroom.HookSubscription
				for _, s := range subs {
					if s.Name == "bridge "+locale {
						sub = s
					}
				}
				if sub == nil {
					t.Fatal("subscription not stored")
				}
				inc := e.declare(t, ctx, "Checkout down "+locale, warroom.Impact{UsersAffected: 500_000})
				if inc.Severity != warroom.P0 {
					t.Fatalf("declared %s", inc.Severity)
				}
				// One refused attempt, as the delivery module would record it.
				now := time.Now()
				ds, err := e.db.ClaimHookDeliveries(context.Background(), now, time.Minute, 10)
				if err != nil {
					t.Fatal(err)
				}
				var d *warroom.HookSend
				for _, x := range ds {
					if x.SubscriptionID == sub.ID {
						d = x
					}
					if err := e.db.CompleteHookDelivery(context.Background(), x.ID, now, warroom.HookOutcome{Status: 410, Error: "receiver answered 410 Gone"}); err != nil {
						t.Fatal(err)
					}
				}
				if d == nil {
					t.Fatal("nothing queued for the subscription")
				}

				page := "/admin/webhooks/" + strconv.FormatInt(sub.ID, 10)
				res, body = c.get(page)
				wantStatus(t, res, body, http.StatusOK)
				for _, want := range []string{inc.Number, "incident.declared", "410", "receiver answered 410 Gone", "/admin/webhook-deliveries/" + strconv.FormatInt(d.ID, 10) + "/redeliver"} {
					if !strings.Contains(body, want) {
						t.Errorf("log page lacks %q", want)
					}
				}
				res, body = c.get("/admin/webhooks")
				wantStatus(t, res, body, http.StatusOK)
				if !strings.Contains(body, "bridge "+locale) || strings.Contains(body, "whsec_") {
					t.Errorf("list page: name shown %v, secret hidden %v", strings.Contains(body, "bridge "+locale), !strings.Contains(body, "whsec_"))
				}

				res, body = c.post("/admin/webhook-deliveries/"+strconv.FormatInt(d.ID, 10)+"/redeliver", nil)
				wantStatus(t, res, body, http.StatusSeeOther)
				got, _ := e.db.FindHookDeliveryByID(context.Background(), d.ID)
				if got.State != warroom.HookPending {
					t.Errorf("after redeliver the delivery is %s", got.State)
				}
				res, body = c.post(page+"/pause", nil)
				wantStatus(t, res, body, http.StatusSeeOther)
				if s, _ := e.db.FindHookSubscriptionByID(ctx, sub.ID); s.Active {
					t.Error("pause did not pause")
				}

				r, _ := e.user(t, warroom.UserRoleResponder, locale)
				rc := e.client(t)
				rc.login(r.Email)
				res, body = rc.get(page)
				wantStatus(t, res, body, http.StatusForbidden)
				res, body = rc.post(page+"/delete", nil)
				wantStatus(t, res, body, http.StatusForbidden)
			})
		}
	})
}
