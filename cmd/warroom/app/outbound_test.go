package app_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/client"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

// TestMain_OutboundPolicy: a contact method pointing inside the network is
// refused when it is saved, naming the field, and nothing is sent there;
// once an admin allows the receiver's address the same method is accepted
// and its verification code arrives.
func TestMain_OutboundPolicy(t *testing.T) {
	got := make(chan string, 10)
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- r.Header.Get("X-Warroom-Event")
	}))
	defer rcv.Close()
	ctx := context.Background()
	env := map[string]string{"WARROOM_BOOTSTRAP_TOKEN": "wr_outbound_test_token_0123456789abcdef"}

	t.Run("Refused", func(t *testing.T) {
		m, _ := runMain(t, storetest.DSN(t, "sqlite"), env)
		c := client.New(m.Server.URL(), env["WARROOM_BOOTSTRAP_TOKEN"])
		me, err := c.Me(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, addr := range []string{
			rcv.URL + "/hook",
			"http://10.0.0.1/hook",
			"http://169.254.169.254/latest/meta-data/",
			"http://[::1]/hook",
			strings.Replace(rcv.URL, "127.0.0.1", "localhost", 1) + "/hook",
		} {
			cm := &warroom.ContactMethod{UserID: me.ID, Type: warroom.ContactWebhook, Name: "hook", Address: addr}
			err := c.CreateContactMethod(ctx, cm)
			var we *warroom.Error
			if !errors.As(err, &we) || we.Code != warroom.EINVALID || we.Field != "address" {
				t.Errorf("create %s: err %v, want invalid naming address", addr, err)
			}
		}
		if cms, err := c.FindContactMethods(ctx, me.ID); err != nil {
			t.Fatal(err)
		} else if len(cms) != 0 {
			t.Errorf("%d contact methods saved, want none", len(cms))
		}
		select {
		case ev := <-got:
			t.Errorf("receiver got a %q request", ev)
		case <-time.After(200 * time.Millisecond):
		}
	})

	t.Run("Allowlisted", func(t *testing.T) {
		allowed := map[string]string{"WARROOM_OUTBOUND_ALLOW": "127.0.0.1"}
		for k, v := range env {
			allowed[k] = v
		}
		m, _ := runMain(t, storetest.DSN(t, "sqlite"), allowed)
		c := client.New(m.Server.URL(), env["WARROOM_BOOTSTRAP_TOKEN"])
		me, err := c.Me(ctx)
		if err != nil {
			t.Fatal(err)
		}
		cm := &warroom.ContactMethod{UserID: me.ID, Type: warroom.ContactWebhook, Name: "hook", Address: rcv.URL + "/hook"}
		if err := c.CreateContactMethod(ctx, cm); err != nil {
			t.Fatalf("create allowlisted %s: %v", cm.Address, err)
		}
		select {
		case ev := <-got:
			if ev != string(warroom.NotifyVerification) {
				t.Errorf("receiver got %q, want the verification", ev)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("no verification arrived at the allowlisted receiver")
		}
	})
}
