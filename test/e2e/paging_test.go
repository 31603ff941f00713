package e2e_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/client"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

// mailpitBinary finds Mailpit on PATH or in GOPATH/bin, where .ci/run
// installs it. Without it the test fails in CI and is skipped elsewhere.
func mailpitBinary(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("mailpit"); err == nil {
		return p
	}
	gopath, _ := exec.Command("go", "env", "GOPATH").Output()
	p := filepath.Join(string(bytes.TrimSpace(gopath)), "bin", "mailpit")
	if _, err := os.Stat(p); err == nil {
		return p
	}
	msg := "mailpit not found: go install github.com/axllent/mailpit@v1.27.11"
	if os.Getenv("CI") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// mailpit is a running Mailpit: an SMTP server and a REST API to read what
// arrived.
type mailpit struct {
	smtp, api string
}

func startMailpit(t *testing.T) *mailpit {
	t.Helper()
	m := &mailpit{smtp: freePort(t), api: "http://" + freePort(t)}
	cmd := exec.Command(mailpitBinary(t), "--smtp", m.smtp, "--listen", strings.TrimPrefix(m.api, "http://"),
		"--database", filepath.Join(t.TempDir(), "mailpit.db"), "--smtp-disable-rdns", "--disable-version-check", "--quiet")
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if resp, err := http.Get(m.api + "/api/v1/messages"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return m
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("mailpit did not start")
		}
	}
}

// verified adds addr as an email contact method of the user and verifies
// it with the code that arrived in Mailpit.
func (m *mailpit) verified(t *testing.T, c *client.Client, userID int64, addr string) {
	t.Helper()
	ctx := context.Background()
	cm := &warroom.ContactMethod{UserID: userID, Type: warroom.ContactEmail, Name: "work", Address: addr}
	if err := c.CreateContactMethod(ctx, cm); err != nil {
		t.Fatal(err)
	}
	code := regexp.MustCompile(`\b\d{6}\b`).FindString(m.waitFor(t, addr, "verification code").Text)
	if err := c.VerifyContactMethod(ctx, userID, cm.ID, code); err != nil {
		t.Fatalf("verify %s with %q: %v", addr, code, err)
	}
}

// flags are serve's flags for sending email through this Mailpit.
func (m *mailpit) flags() []string {
	host, port, _ := strings.Cut(m.smtp, ":")
	return []string{"--smtp-host", host, "--smtp-port", port, "--smtp-tls", "none", "--smtp-from", "warroom@example.com"}
}

type mailpitMessage struct {
	ID      string
	Subject string
	To      []struct{ Address string }
	Text    string
}

// waitFor returns the first message to addr whose subject contains want,
// with its text body, read through Mailpit's REST API.
func (m *mailpit) waitFor(t *testing.T, addr, want string) mailpitMessage {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		var list struct{ Messages []mailpitMessage }
		if err := getJSON(m.api+"/api/v1/messages", &list); err != nil {
			t.Fatal(err)
		}
		for _, msg := range list.Messages {
			if len(msg.To) > 0 && msg.To[0].Address == addr && strings.Contains(msg.Subject, want) {
				var full mailpitMessage
				if err := getJSON(m.api+"/api/v1/message/"+msg.ID, &full); err != nil {
					t.Fatal(err)
				}
				return full
			}
		}
	}
	t.Fatalf("no message to %s about %q arrived", addr, want)
	return mailpitMessage{}
}

func getJSON(url string, v any) error {
	resp, err := http.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

// TestPagingByEmail runs the real server with Mailpit as its SMTP relay: a
// person verifies their email with the code they received, an incident on
// their service pages them, and the acknowledge link in the email
// acknowledges it in their name.
func TestPagingByEmail(t *testing.T) {
	mp := startMailpit(t)
	ctx := context.Background()
	m := startMain(t, storetest.DSN(t, "sqlite"), mp.flags()...)
	c := client.New(m.Server.URL(), adminToken)
	me, err := c.Me(ctx)
	if err != nil {
		t.Fatal(err)
	}

	mp.verified(t, c, me.ID, "oncall@example.com")

	p := &warroom.EscalationPolicy{Name: "shop", Levels: []warroom.EscalationLevel{{DelaySeconds: 300, Targets: []warroom.EscalationTarget{{Type: warroom.TargetUser, ID: me.ID}}}}}
	if err := c.CreateEscalationPolicy(ctx, p); err != nil {
		t.Fatal(err)
	}
	if err := c.CreateService(ctx, &warroom.Service{Name: "shop", Tier: 1}); err != nil {
		t.Fatal(err)
	}
	if err := c.SetServiceEscalationPolicy(ctx, "shop", p.ID); err != nil {
		t.Fatal(err)
	}
	svc, err := c.FindServiceByName(ctx, "shop")
	if err != nil {
		t.Fatal(err)
	}
	inc := &warroom.Incident{Title: "checkout returns 502", Type: warroom.TypeSystemCrash, Severity: warroom.P1, ServiceIDs: []int64{svc.ID}}
	if err := c.DeclareIncident(ctx, inc); err != nil {
		t.Fatal(err)
	}

	page := mp.waitFor(t, "oncall@example.com", inc.Number)
	ack := regexp.MustCompile(`Acknowledge: (\S+/l/\S+)`).FindStringSubmatch(page.Text)
	if ack == nil || !strings.HasPrefix(ack[1], m.Server.URL()) {
		t.Fatalf("no acknowledge link to %s in %q", m.Server.URL(), page.Text)
	}
	resp, err := http.Post(ack[1], "application/x-www-form-urlencoded", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST link: %s", resp.Status)
	}
	got, err := c.FindIncidentByID(ctx, inc.Number)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != warroom.StateAcknowledged {
		t.Errorf("state %s, want acknowledged", got.State)
	}
}
