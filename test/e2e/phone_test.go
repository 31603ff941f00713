package e2e_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/client"
	"github.com/warroomhq/warroom/cmd/warroom/app"
	"github.com/warroomhq/warroom/internal/notify/twilio/twiliotest"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

// fastClock is the server's clock, moved forward by the test.
type fastClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fastClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fastClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// startClocked runs the server as startMain does, on a clock the test
// moves, with extra environment.
func startClocked(t *testing.T, clock *fastClock, env map[string]string, flags ...string) *app.Main {
	t.Helper()
	m := app.NewMain()
	m.Getenv = func(k string) string {
		if v, ok := env[k]; ok {
			return v
		}
		return map[string]string{"WARROOM_BOOTSTRAP_TOKEN": adminToken, "WARROOM_BOOTSTRAP_PASSWORD": "e2e password, long enough"}[k]
	}
	m.Now = clock.Now
	m.Stderr = &bytes.Buffer{}
	m.Logger = slog.New(slog.DiscardHandler)
	if err := m.ParseFlags(context.Background(), append([]string{"--addr", "127.0.0.1:0", "--database", storetest.DSN(t, "sqlite")}, flags...)); err != nil {
		t.Fatal(err)
	}
	if err := m.Run(context.Background()); err != nil {
		t.Fatalf("start: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// eventually polls f for a few seconds of real time, waking the engine
// each time: the clock moves only when the test moves it.
func eventually(t *testing.T, m *app.Main, what string, f func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		m.Engine.Wake()
		if f() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

// settle lets the engine run a few ticks at the current time, for checks
// that something did not happen.
func settle(m *app.Main) {
	for range 5 {
		m.Engine.Wake()
		time.Sleep(60 * time.Millisecond)
		m.Pager.Flush()
	}
}

// TestPhoneLadder runs the real server against a local Twilio: a person
// verifies a mobile number for SMS and calls with the codes it received,
// sets the ladder "SMS after 1 minute, call after 3 minutes", and is
// paged. With the clock fast-forwarded, the SMS arrives at one minute;
// replying "1" acknowledges the incident in their name and the call never
// comes. A second incident they do not answer by SMS rings the phone at
// three minutes, and pressing 1 acknowledges it.
func TestPhoneLadder(t *testing.T) {
	ctx := context.Background()
	tw := twiliotest.Start(t)
	clock := &fastClock{t: time.Now().UTC()}
	m := startClocked(t, clock, map[string]string{"WARROOM_TWILIO_AUTH_TOKEN": tw.AuthToken},
		"--outbound-allow", "127.0.0.1", "--twilio-account-sid", tw.AccountSID, "--twilio-from", tw.From, "--twilio-api-url", tw.URL)
	c := client.New(m.Server.URL(), adminToken)
	me, err := c.Me(ctx)
	if err != nil {
		t.Fatal(err)
	}
	const mobile = "+8613812345678"
	code := regexp.MustCompile(`\d{6}`)

	smsMethod := &warroom.ContactMethod{UserID: me.ID, Type: warroom.ContactSMS, Name: "mobile", Address: "+86 138 1234 5678"}
	if err := c.CreateContactMethod(ctx, smsMethod); err != nil {
		t.Fatal(err)
	}
	eventually(t, m, "the SMS verification code", func() bool { return len(tw.SMSTo(mobile)) == 1 })
	if err := c.VerifyContactMethod(ctx, me.ID, smsMethod.ID, code.FindString(tw.SMSTo(mobile)[0].Body)); err != nil {
		t.Fatalf("verify SMS: %v", err)
	}
	voice := &warroom.ContactMethod{UserID: me.ID, Type: warroom.ContactVoice, Name: "mobile (call)", Address: mobile}
	if err := c.CreateContactMethod(ctx, voice); err != nil {
		t.Fatal(err)
	}
	eventually(t, m, "the call reading the code", func() bool { return len(tw.CallsTo(mobile)) == 1 })
	spoken := strings.ReplaceAll(tw.CallsTo(mobile)[0].TwiML.Says[0].Text, ", ", "")
	if err := c.VerifyContactMethod(ctx, me.ID, voice.ID, code.FindString(spoken)); err != nil {
		t.Fatalf("verify voice with what the call said (%q): %v", spoken, err)
	}
	for _, r := range []*warroom.NotificationRule{{UserID: me.ID, ContactMethodID: smsMethod.ID, DelaySeconds: 60}, {UserID: me.ID, ContactMethodID: voice.ID, DelaySeconds: 180}} {
		if err := c.CreateNotificationRule(ctx, r); err != nil {
			t.Fatal(err)
		}
	}

	p := &warroom.EscalationPolicy{Name: "shop", Levels: []warroom.EscalationLevel{{DelaySeconds: 1800, Targets: []warroom.EscalationTarget{{Type: warroom.TargetUser, ID: me.ID}}}}}
	if err := c.CreateEscalationPolicy(ctx, p); err != nil {
		t.Fatal(err)
	}
	svc := &warroom.Service{Name: "shop", Tier: 1}
	if err := c.CreateService(ctx, svc); err != nil {
		t.Fatal(err)
	}
	if err := c.SetServiceEscalationPolicy(ctx, "shop", p.ID); err != nil {
		t.Fatal(err)
	}
	declare := func(title string) *warroom.Incident {
		t.Helper()
		inc := &warroom.Incident{Title: title, Type: warroom.TypeSystemCrash, Severity: warroom.P1, ServiceIDs: []int64{svc.ID}}
		if err := c.DeclareIncident(ctx, inc); err != nil {
			t.Fatal(err)
		}
		return inc
	}
	smsAbout := func(inc *warroom.Incident) []twiliotest.SMS {
		var out []twiliotest.SMS
		for _, s := range tw.SMSTo(mobile) {
			if strings.Contains(s.Body, inc.Number+" ") {
				out = append(out, s)
			}
		}
		return out
	}
	callsAbout := func(inc *warroom.Incident) []twiliotest.Call {
		var out []twiliotest.Call
		for _, cl := range tw.CallsTo(mobile) {
			if len(cl.TwiML.Says) > 0 && cl.TwiML.Gather != nil && strings.Contains(cl.TwiML.Gather.Says[0].Text, inc.Number+" ") {
				out = append(out, cl)
			}
		}
		return out
	}
	state := func(inc *warroom.Incident) *warroom.Incident {
		t.Helper()
		got, err := c.FindIncidentByID(ctx, inc.Number)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}

	t.Run("SMSReplyStopsTheLadder", func(t *testing.T) {
		inc := declare("checkout returns 502")
		clock.Add(30 * time.Second)
		settle(m)
		if got := smsAbout(inc); len(got) != 0 {
			t.Fatalf("SMS before its minute: %v", got)
		}
		clock.Add(31 * time.Second)
		eventually(t, m, "the SMS page at one minute", func() bool { return len(smsAbout(inc)) == 1 })
		page := smsAbout(inc)[0]
		if !strings.Contains(page.Body, "Reply 1 to acknowledge") || !strings.Contains(page.Body, m.Server.URL()+"/incidents/") {
			t.Errorf("SMS body %q", page.Body)
		}

		// A stranger's "1" does nothing and gets no answer.
		if status, answer := tw.Reply(m.Server.URL(), "+14155550199", "1"); status != 200 || len(answer.Messages) != 0 {
			t.Errorf("stranger: got %d %+v, want 200 and silence", status, answer)
		}
		if got := state(inc); got.State != warroom.StateTriggered {
			t.Fatalf("a stranger's reply moved the incident to %s", got.State)
		}
		status, answer := tw.Reply(m.Server.URL(), mobile, "1")
		if status != 200 || len(answer.Messages) != 1 || !strings.Contains(answer.Messages[0], inc.Number+" is acknowledged") {
			t.Fatalf("reply: got %d %+v", status, answer)
		}
		if got := state(inc); got.State != warroom.StateAcknowledged {
			t.Fatalf("state %s, want acknowledged", got.State)
		}
		es, _, err := c.FindEvents(ctx, inc.Number, warroom.EventFilter{Kinds: []warroom.EventKind{warroom.EventStateChanged}})
		if err != nil || len(es) == 0 || es[len(es)-1].ActorID != me.ID {
			t.Errorf("state change events %+v, %v: want one by the number's owner", es, err)
		}

		clock.Add(3 * time.Minute)
		settle(m)
		if got := callsAbout(inc); len(got) != 0 {
			t.Errorf("the call came after the SMS acknowledged: %+v", got)
		}

		// Twilio reports delivery and price to the status callback.
		cb, err := url.Parse(page.StatusCallback)
		if err != nil || cb.Query().Get("n") == "" {
			t.Fatalf("status callback %q", page.StatusCallback)
		}
		if code := tw.Report(page.StatusCallback, url.Values{"MessageSid": {"SM1"}, "MessageStatus": {"delivered"}, "Price": {"-0.04500"}, "PriceUnit": {"USD"}}); code != 204 {
			t.Errorf("status callback: %d", code)
		}
	})

	t.Run("KeyPressInTheCall", func(t *testing.T) {
		inc := declare("search is slow")
		clock.Add(61 * time.Second)
		eventually(t, m, "the SMS page", func() bool { return len(smsAbout(inc)) == 1 })
		clock.Add(2 * time.Minute)
		eventually(t, m, "the call at three minutes", func() bool { return len(callsAbout(inc)) == 1 })
		call := callsAbout(inc)[0]
		if g := call.TwiML.Gather; g.NumDigits != 1 || !strings.Contains(g.Says[1].Text, "Press 1 to acknowledge") {
			t.Errorf("gather %+v", g)
		}
		status, answer := tw.Press(call, "1")
		if status != 200 || len(answer.Says) != 1 || !strings.Contains(answer.Says[0].Text, inc.Number+" is acknowledged") {
			t.Fatalf("press 1: got %d %+v", status, answer)
		}
		if got := state(inc); got.State != warroom.StateAcknowledged {
			t.Fatalf("state %s, want acknowledged", got.State)
		}
		// "2" from the phone resolves, and the reply names the incident.
		status, answer = tw.Reply(m.Server.URL(), mobile, "2 "+inc.Number)
		if status != 200 || len(answer.Messages) != 1 || !strings.Contains(answer.Messages[0], inc.Number+" is resolved") {
			t.Fatalf("reply 2: got %d %+v", status, answer)
		}
		if got := state(inc); got.State != warroom.StateResolved {
			t.Errorf("state %s, want resolved", got.State)
		}
	})
}
