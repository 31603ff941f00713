package statuspage_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

// secrets are internal facts planted on an incident; none may reach the
// public side.
var secrets = []string{"INTERNAL-TITLE", "INTERNAL-SUMMARY", "INTERNAL-NOTE", "STAKEHOLDER-ONLY", "Zhang-Internal", "123456", "987654", "compliance-secret"}

// fixture is an incident with internal data and one public update.
type fixture struct {
	inc      *warroom.Incident
	api, web *warroom.Component
	publicID int64
}

func seed(t *testing.T, e *env) *fixture {
	t.Helper()
	f := &fixture{api: &warroom.Component{Name: "Payments API", Group: "Core"}, web: &warroom.Component{Name: "Website", Group: "Core"}}
	for _, c := range []*warroom.Component{f.api, f.web} {
		if err := e.db.CreateComponent(e.ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	responder := &warroom.User{Name: "Zhang-Internal", Email: "zhang@example.com", Role: warroom.UserRoleResponder}
	if err := e.db.CreateUser(e.ctx, responder); err != nil {
		t.Fatal(err)
	}
	rctx := warroom.NewContextWithUser(e.ctx, responder)
	f.inc = &warroom.Incident{Title: "INTERNAL-TITLE db-7 failover", Summary: "INTERNAL-SUMMARY", Type: warroom.TypeDataLoss, Severity: warroom.P1,
		Impact: warroom.Impact{UsersAffected: 123456, MoneyAffected: warroom.Money{Amount: mustAmount(t, "987654.32"), Currency: "CNY"}, ComplianceImpact: true, ComplianceNote: "compliance-secret"}}
	if err := e.db.DeclareIncident(rctx, f.inc); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.AddNote(rctx, f.inc.ID, warroom.NoteInput{Text: "INTERNAL-NOTE rollback of schema"}); err != nil {
		t.Fatal(err)
	}
	if err := e.db.PostStatusUpdate(rctx, f.inc.ID, &warroom.StatusUpdate{Audience: warroom.AudienceStakeholder, WhatHappened: "STAKEHOLDER-ONLY details"}); err != nil {
		t.Fatal(err)
	}
	next := e.clock.Now().Add(time.Hour)
	u := &warroom.StatusUpdate{Audience: warroom.AudiencePublic, PublicTitle: "Checkout errors", PublicStatus: warroom.PublicIdentified,
		WhatHappened: "Some card payments fail.", Impact: "Card payments", Actions: "Moving traffic to the standby.", NextUpdateBy: &next,
		Components: []warroom.ComponentImpact{{ComponentID: f.api.ID, Status: warroom.ComponentMajorOutage}}}
	if err := e.db.PostStatusUpdate(rctx, f.inc.ID, u); err != nil {
		t.Fatal(err)
	}
	ps, _, err := e.db.FindPublicIncidents(e.ctx, warroom.PublicIncidentFilter{})
	if err != nil || len(ps) != 1 {
		t.Fatalf("public incidents: %v %v", ps, err)
	}
	f.publicID = ps[0].ID
	e.fresh()
	return f
}

func mustAmount(t *testing.T, s string) warroom.Amount {
	t.Helper()
	a, err := warroom.ParseAmount(s)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func assertNoSecrets(t *testing.T, where, s string) {
	t.Helper()
	for _, secret := range secrets {
		if strings.Contains(s, secret) {
			t.Errorf("%s contains internal %q", where, secret)
		}
	}
}

func TestPublicPage(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		f := seed(t, e)
		for _, tt := range []struct {
			lang string
			want []string
		}{
			{"en", []string{`lang="en"`, "Major outage", "Checkout errors", "Identified", "Payments API", "Website", "Operational", "What we are doing", "Moving traffic to the standby.", "uptime"}},
			{"zh-CN", []string{`lang="zh-CN"`, "重大服务中断", "Checkout errors", "已定位", "重大中断", "运行正常", "我们正在做什么", "可用率"}},
		} {
			t.Run(tt.lang, func(t *testing.T) {
				status, body := e.get(t, "/status", tt.lang)
				if status != http.StatusOK {
					t.Fatalf("status %d", status)
				}
				for _, w := range tt.want {
					if !strings.Contains(body, w) {
						t.Errorf("page lacks %q", w)
					}
				}
				// The visitor's explicit choice wins over the browser's.
				other := map[string]string{"en": "zh-CN", "zh-CN": "en"}[tt.lang]
				if _, body := e.get(t, "/status?lang="+tt.lang, other); !strings.Contains(body, `lang="`+tt.lang+`"`) {
					t.Errorf("?lang=%s ignored", tt.lang)
				}
			})
		}
		status, body := e.get(t, fmt.Sprintf("/status/incidents/%d", f.publicID), "en")
		if status != http.StatusOK || !strings.Contains(body, "Some card payments fail.") {
			t.Errorf("incident page: %d", status)
		}
		if status, _ := e.get(t, "/status/incidents/9999", "en"); status != http.StatusNotFound {
			t.Errorf("unknown incident: %d, want 404", status)
		}
		if status, body := e.get(t, "/status/history", "en"); status != http.StatusOK || !strings.Contains(body, "Checkout errors") {
			t.Errorf("history: %d", status)
		}
	})
}

// TestNoInternalLeaks plants internal data on an incident and looks for it
// everywhere the public side reaches: the pages in both languages, the
// feed, the subscribers' mailboxes and webhook payloads.
func TestNoInternalLeaks(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		sub := &warroom.Subscriber{Kind: warroom.ChannelEmail, Target: "reader@example.com"}
		hook := &warroom.Subscriber{Kind: warroom.ChannelWebhook, Target: e.hookSr.URL + "/in"}
		for _, s := range []*warroom.Subscriber{sub, hook} {
			if err := e.db.Subscribe(e.ctx, s); err != nil {
				t.Fatal(err)
			}
		}
		e.hooks.secret = hook.Secret
		if _, err := e.db.ConfirmSubscriber(e.ctx, sub.Token); err != nil {
			t.Fatal(err)
		}
		f := seed(t, e)
		e.tick(t)
		for _, lang := range []string{"en", "zh-CN"} {
			for _, path := range []string{"/status", "/status/history", fmt.Sprintf("/status/incidents/%d", f.publicID), "/status/feed.atom?lang=" + lang} {
				status, body := e.get(t, path, lang)
				if status != http.StatusOK {
					t.Errorf("%s: %d", path, status)
				}
				assertNoSecrets(t, lang+" "+path, body)
			}
		}
		mails := e.mail.to("reader@example.com")
		if len(mails) != 1 {
			t.Fatalf("subscriber mails = %d, want 1 (the public update; the confirmation went before)", len(mails))
		}
		assertNoSecrets(t, "subscriber email", mails[0].Subject+mails[0].Text)
		bodies := e.hooks.received()
		if len(bodies) != 1 {
			t.Fatalf("webhook payloads = %d, want 1", len(bodies))
		}
		assertNoSecrets(t, "webhook payload", string(bodies[0]))
		var p struct {
			Subject, Text string
			Incident      any
		}
		if err := json.Unmarshal(bodies[0], &p); err != nil || p.Incident != nil || !strings.Contains(p.Subject, "Checkout errors") {
			t.Errorf("webhook payload = %s (%v)", bodies[0], err)
		}
	})
}

func TestFeed(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		f := seed(t, e)
		if err := e.db.PostStatusUpdate(e.ctx, f.inc.ID, &warroom.StatusUpdate{Audience: warroom.AudiencePublic, PublicStatus: warroom.PublicResolved, WhatHappened: "Payments work again."}); err != nil {
			t.Fatal(err)
		}
		e.fresh()
		for _, tt := range []struct{ lang, stage string }{{"en", "Resolved"}, {"zh-CN", "已解决"}} {
			t.Run(tt.lang, func(t *testing.T) {
				status, body := e.get(t, "/status/feed.atom?lang="+tt.lang, "")
				if status != http.StatusOK {
					t.Fatalf("status %d", status)
				}
				feed, err := gofeed.NewParser().ParseString(body)
				if err != nil {
					t.Fatalf("parse: %v\n%s", err, body)
				}
				if feed.FeedType != "atom" || len(feed.Items) != 2 {
					t.Fatalf("feed type %s with %d items, want atom with 2", feed.FeedType, len(feed.Items))
				}
				newest := feed.Items[0]
				if newest.Title != "Checkout errors — "+tt.stage || !strings.Contains(newest.Content, "Payments work again.") {
					t.Errorf("newest entry = %q / %q", newest.Title, newest.Content)
				}
				if want := fmt.Sprintf("%s/status/incidents/%d", e.srv.URL, f.publicID); newest.Link != want {
					t.Errorf("link = %q, want %q", newest.Link, want)
				}
				if newest.UpdatedParsed == nil || feed.Language != tt.lang {
					t.Errorf("updated %v language %q", newest.UpdatedParsed, feed.Language)
				}
			})
		}
	})
}

var linkRE = regexp.MustCompile(`https?://\S+`)

// links returns the URLs in a message whose path is path.
func links(text, path string) []string {
	var out []string
	for _, l := range linkRE.FindAllString(text, -1) {
		if u, err := url.Parse(l); err == nil && u.Path == path {
			out = append(out, l)
		}
	}
	return out
}

// TestSubscribeEmail runs double opt-in and one-click unsubscribe over a
// real SMTP server: nothing but the confirmation reaches an unconfirmed
// address, the update reaches a confirmed one, nothing after unsubscribing.
func TestSubscribeEmail(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		f := seed(t, e)
		res, err := http.PostForm(e.srv.URL+"/status/subscribe", url.Values{"email": {"Li.Na@Example.com"}, "lang": {"zh-CN"}, "component": {fmt.Sprint(f.api.ID)}})
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("subscribe: %d", res.StatusCode)
		}
		post := func(what string) {
			t.Helper()
			if err := e.db.PostStatusUpdate(e.ctx, f.inc.ID, &warroom.StatusUpdate{Audience: warroom.AudiencePublic, PublicStatus: warroom.PublicMonitoring, WhatHappened: what}); err != nil {
				t.Fatal(err)
			}
		}
		post("Before confirming")
		e.tick(t)
		mails := e.mail.to("li.na@example.com")
		if len(mails) != 1 || !strings.Contains(mails[0].Subject, "请确认订阅") {
			t.Fatalf("mails before confirming = %+v, want the confirmation only, in Chinese", mails)
		}
		confirm := links(mails[0].Text, "/status/confirm")
		if len(confirm) != 1 {
			t.Fatalf("confirmation mail has no link:\n%s", mails[0].Text)
		}
		// Following the link only asks: a mail scanner's GET confirms nothing.
		res, err = http.Get(confirm[0])
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("confirm link: %d", res.StatusCode)
		}
		post("After following the link")
		e.tick(t)
		if n := len(e.mail.to("li.na@example.com")); n != 1 {
			t.Fatalf("mails after a GET of the confirmation link = %d, want still 1", n)
		}
		cu, _ := url.Parse(confirm[0])
		res, err = http.PostForm(cu.Scheme+"://"+cu.Host+cu.Path, url.Values{"token": {cu.Query().Get("token")}})
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("confirm: %d", res.StatusCode)
		}
		post("After confirming")
		e.tick(t)
		mails = e.mail.to("li.na@example.com")
		if len(mails) != 2 || !strings.Contains(mails[1].Text, "After confirming") || !strings.Contains(mails[1].Subject, "观察中") {
			t.Fatalf("mails after confirming = %d, last %+v", len(mails), mails[len(mails)-1])
		}
		unsub := links(mails[1].Text, "/status/unsubscribe")
		if len(unsub) != 1 {
			t.Fatalf("update has no unsubscribe link:\n%s", mails[1].Text)
		}
		// RFC 8058 headers, as the SMTP server received them.
		if got, want := mails[1].Header.Get("List-Unsubscribe"), "<"+unsub[0]+">"; got != want {
			t.Errorf("List-Unsubscribe = %q, want %q", got, want)
		}
		if got, want := mails[1].Header.Get("List-Unsubscribe-Post"), "List-Unsubscribe=One-Click"; got != want {
			t.Errorf("List-Unsubscribe-Post = %q, want %q", got, want)
		}
		if got := mails[0].Header.Get("List-Unsubscribe"); got != "" {
			t.Errorf("confirmation mail List-Unsubscribe = %q, want none", got)
		}
		// RFC 8058: a POST to the link unsubscribes in one step.
		res, err = http.Post(unsub[0], "application/x-www-form-urlencoded", strings.NewReader("List-Unsubscribe=One-Click"))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("unsubscribe: %d", res.StatusCode)
		}
		post("After unsubscribing")
		e.tick(t)
		if n := len(e.mail.to("li.na@example.com")); n != 2 {
			t.Errorf("mails after unsubscribing = %d, want still 2", n)
		}
	})
}

func TestSubscribeRateLimit(t *testing.T) {
	e := newEnv(t, "sqlite")
	for i := range 7 {
		res, err := http.PostForm(e.srv.URL+"/status/subscribe", url.Values{"email": {fmt.Sprintf("a%d@example.com", i)}})
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		want := http.StatusOK
		if i >= 5 {
			want = http.StatusTooManyRequests
		}
		if res.StatusCode != want {
			t.Errorf("request %d: %d, want %d", i+1, res.StatusCode, want)
		}
	}
	if _, n, _ := e.db.FindSubscribers(e.ctx, warroom.SubscriberFilter{}); n != 5 {
		t.Errorf("subscribers = %d, want 5", n)
	}
	e.clock.Add(11 * time.Minute)
	res, err := http.PostForm(e.srv.URL+"/status/subscribe", url.Values{"email": {"later@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("after the window: %d, want 200", res.StatusCode)
	}
}

// TestStakeholderScope declares a P0 and a P3: the P0 reaches the groups
// its scope names, each member in their own language; the P3 reaches
// nobody.
func TestStakeholderScope(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		cfo := &warroom.User{Name: "Wang", Email: "cfo@example.com", Role: warroom.UserRoleViewer, Locale: "zh-CN"}
		if err := e.db.CreateUser(e.ctx, cfo); err != nil {
			t.Fatal(err)
		}
		mgmt := &warroom.StakeholderGroup{Name: "Management", MemberIDs: []int64{cfo.ID},
			Channels: []warroom.StakeholderChannel{{Kind: warroom.ChannelEmail, Target: "board@example.com"}}}
		legal := &warroom.StakeholderGroup{Name: "Legal", Channels: []warroom.StakeholderChannel{{Kind: warroom.ChannelEmail, Target: "legal@example.com"}}}
		for _, g := range []*warroom.StakeholderGroup{mgmt, legal} {
			if err := e.db.CreateStakeholderGroup(e.ctx, g); err != nil {
				t.Fatal(err)
			}
		}
		all := []warroom.StakeholderTrigger{warroom.TriggerDeclare, warroom.TriggerUpdate, warroom.TriggerResolve}
		if err := e.db.ReplaceScopeRules(e.ctx, []warroom.ScopeRule{{Severity: warroom.P0, GroupID: mgmt.ID, Triggers: all},
			{Type: warroom.TypeSecurityBreach, GroupID: legal.ID, Triggers: []warroom.StakeholderTrigger{warroom.TriggerDeclare}}}); err != nil {
			t.Fatal(err)
		}
		p0 := &warroom.Incident{Title: "Orders lost", Type: warroom.TypeDataLoss, Severity: warroom.P0}
		p3 := &warroom.Incident{Title: "Slow admin page", Type: warroom.TypeOther, Severity: warroom.P3}
		for _, inc := range []*warroom.Incident{p0, p3} {
			if err := e.db.DeclareIncident(e.ctx, inc); err != nil {
				t.Fatal(err)
			}
		}
		e.tick(t)
		if m := e.mail.to("cfo@example.com"); len(m) != 1 || !strings.Contains(m[0].Subject, "已宣布") || !strings.Contains(m[0].Subject, p0.Number) {
			t.Errorf("cfo mails = %+v, want one Chinese declare notice for %s", m, p0.Number)
		}
		if m := e.mail.to("board@example.com"); len(m) != 1 || !strings.Contains(m[0].Subject, "declared") {
			t.Errorf("board mails = %+v, want one English declare notice", m)
		}
		if m := e.mail.to("legal@example.com"); len(m) != 0 {
			t.Errorf("legal mails = %d, want none: no security breach", len(m))
		}
		next := e.clock.Now().Add(time.Hour)
		if err := e.db.PostStatusUpdate(e.ctx, p0.ID, &warroom.StatusUpdate{WhatHappened: "Restoring from backup", Impact: "New orders", Actions: "Replaying the binlog", NextUpdateBy: &next}); err != nil {
			t.Fatal(err)
		}
		e.tick(t)
		m := e.mail.to("board@example.com")
		if len(m) != 2 || !strings.Contains(m[1].Text, "Restoring from backup") || !strings.Contains(m[1].Text, "Replaying the binlog") || !strings.Contains(m[1].Text, "Next update by") {
			t.Fatalf("board update = %+v", m[len(m)-1])
		}
	})
}

// TestUpdateReminder fast-forwards past a promised update: the person in
// the communications role is emailed once.
func TestUpdateReminder(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		comms := &warroom.User{Name: "Chen", Email: "chen@example.com", Role: warroom.UserRoleResponder}
		if err := e.db.CreateUser(e.ctx, comms); err != nil {
			t.Fatal(err)
		}
		inc := &warroom.Incident{Title: "Merchants cannot log in", Type: warroom.TypeSystemCrash, Severity: warroom.P1}
		if err := e.db.DeclareIncident(e.ctx, inc); err != nil {
			t.Fatal(err)
		}
		if _, err := e.db.AssignRole(e.ctx, inc.ID, warroom.RoleCommunications, comms.ID); err != nil {
			t.Fatal(err)
		}
		next := e.clock.Now().Add(24 * time.Hour)
		if err := e.db.PostStatusUpdate(e.ctx, inc.ID, &warroom.StatusUpdate{Audience: warroom.AudienceInternal, WhatHappened: "Day 1", NextUpdateBy: &next}); err != nil {
			t.Fatal(err)
		}
		e.clock.Add(23 * time.Hour)
		e.tick(t)
		if n := len(e.mail.to("chen@example.com")); n != 0 {
			t.Fatalf("reminders before the deadline = %d", n)
		}
		e.clock.Add(time.Hour + time.Second)
		e.tick(t)
		e.clock.Add(time.Minute)
		e.tick(t)
		m := e.mail.to("chen@example.com")
		if len(m) != 1 || !strings.Contains(m[0].Subject, inc.Number) || !strings.Contains(m[0].Text, "overdue") && !strings.Contains(m[0].Subject, "overdue") {
			t.Errorf("reminders = %+v, want one for %s", m, inc.Number)
		}
	})
}

// TestCache checks the page is served from memory until the version
// changes, that the change shows once the interval passes, and that
// revalidation and compression work.
func TestCache(t *testing.T) {
	e := newEnv(t, "sqlite")
	f := seed(t, e)
	_, before := e.get(t, "/status", "en")
	if _, err := e.db.UpdateComponent(e.ctx, f.web.ID, warroom.ComponentUpdate{Name: ptr("Storefront")}); err != nil {
		t.Fatal(err)
	}
	if _, body := e.get(t, "/status", "en"); body != before {
		t.Errorf("page changed within the check interval: it was not served from the cache")
	}
	e.fresh()
	_, after := e.get(t, "/status", "en")
	if !strings.Contains(after, "Storefront") {
		t.Errorf("renamed component missing after the interval")
	}
	req, _ := http.NewRequest("GET", e.srv.URL+"/status", nil)
	req.Header.Set("Accept-Language", "en")
	res, err := http.DefaultTransport.RoundTrip(withGzip(req))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.Header.Get("Content-Encoding") != "gzip" || res.Header.Get("ETag") == "" {
		t.Errorf("encoding %q etag %q", res.Header.Get("Content-Encoding"), res.Header.Get("ETag"))
	}
	req.Header.Set("If-None-Match", res.Header.Get("ETag"))
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNotModified {
		t.Errorf("revalidation: %d, want 304", res.StatusCode)
	}
}

func withGzip(r *http.Request) *http.Request {
	r.Header.Set("Accept-Encoding", "gzip")
	return r
}

func ptr[T any](v T) *T { return &v }
