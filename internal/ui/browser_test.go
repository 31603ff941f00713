package ui_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

// chromiumPath finds the browser: WARROOM_TEST_CHROMIUM, else chromium on
// PATH. Without one the browser tests skip on a workstation but fail in CI,
// where a silent skip would hide that they never ran.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("WARROOM_TEST_CHROMIUM"); p != "" {
		return p
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium not found (set WARROOM_TEST_CHROMIUM or install chromium); CI is set, so this is a failure")
	}
	t.Skip("chromium not found; set WARROOM_TEST_CHROMIUM or install chromium to run the browser tests")
	return ""
}

// newBrowser starts a headless chromium with a fresh profile. The whole
// test is bounded so that a hung page fails instead of stalling CI.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-default-browser-check", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	base, cancelBase := context.WithTimeout(context.Background(), 3*time.Minute)
	alloc, cancelAlloc := chromedp.NewExecAllocator(base, opts...)
	ctx, cancelCtx := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancelCtx(); cancelAlloc(); cancelBase() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// otherContext opens a separate browser context (its own cookies), like a
// second person's browser.
func otherContext(t *testing.T, ctx context.Context) context.Context {
	t.Helper()
	c, cancel := chromedp.NewContext(ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(c); err != nil {
		t.Fatalf("new browser context: %v", err)
	}
	return c
}

// waitFor polls a JavaScript predicate until it holds.
func waitFor(expr string) chromedp.Action[chromedp.Void] {
	return chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingTimeout(20*time.Second), chromedp.WithPollingInterval(50*time.Millisecond))
}

func textOf(sel string) string {
	return fmt.Sprintf(`((document.querySelector(%q) || {}).textContent || "")`, sel)
}

func artifactsDir(t *testing.T) string {
	if d := os.Getenv("WARROOM_TEST_ARTIFACTS"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.TempDir()
}

func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	img, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	path := filepath.Join(artifactsDir(t), name)
	if err := os.WriteFile(path, img, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot saved to %s", path)
}

func browserLogin(t *testing.T, ctx context.Context, base, email string) {
	t.Helper()
	err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/incidents"),
		chromedp.WaitVisible(chromedp.CSS(`input[name="email"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="email"]`), email),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), testPassword),
		chromedp.Click(chromedp.CSS(`form[action="/login"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`form.filters`)),
	)
	if err != nil {
		t.Fatalf("log in as %s: %v", email, err)
	}
}

// flowText is what one language shows at each step of the flow.
type flowText struct {
	locale, proposedHeading, acknowledged, resolved, ruleIntro string
}

var (
	english = flowText{"en", "Proposed severity", "Acknowledged", "Resolved", "Rule “massive user impact”"}
	chinese = flowText{"zh-CN", "建议级别", "已确认", "已解决", "规则“massive user impact”"}
)

// runFlow logs in, declares with impact numbers, watches the proposal,
// finds the incident in the list, acknowledges and resolves it.
func runFlow(t *testing.T, e *env, lang flowText, shot string) {
	u, ctx0 := e.user(t, warroom.UserRoleResponder, lang.locale)
	if err := e.db.CreateSOPTemplate(ctx0, &warroom.SOPTemplate{Name: "Major outage " + lang.locale, Severities: []warroom.Severity{warroom.P0}, Tasks: []string{"Open the bridge call " + lang.locale}}); err != nil {
		t.Fatal(err)
	}
	ctx := newBrowser(t)
	browserLogin(t, ctx, e.srv.URL, u.Email)
	title := "Checkout returns 500 " + lang.locale
	err := chromedp.Do(ctx,
		chromedp.Navigate(e.srv.URL+"/incidents/new"),
		chromedp.WaitVisible(chromedp.CSS(`#declare-form`)),
		waitFor(fmt.Sprintf(`document.body.innerText.includes(%q)`, lang.proposedHeading)),
		chromedp.SendKeys(chromedp.CSS(`input[name="title"]`), title),
		chromedp.SendKeys(chromedp.CSS(`input[name="users_affected"]`), "150000"),
		// The proposal follows the typing, before anything is submitted.
		waitFor(textOf("#proposed-severity")+` === "P0"`),
		waitFor(fmt.Sprintf(`%s.includes(%q)`, textOf("#proposed-reason"), lang.ruleIntro)),
		waitFor(fmt.Sprintf(`%s.includes(%q)`, textOf("#proposed-sops"), "Open the bridge call "+lang.locale)),
		chromedp.Click(chromedp.CSS(`#declare-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#to-acknowledged`)),
	)
	if err != nil {
		t.Fatalf("declare: %v", err)
	}
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	path := strings.TrimPrefix(loc, e.srv.URL)
	err = chromedp.Do(ctx,
		chromedp.Navigate(e.srv.URL+"/incidents"),
		chromedp.WaitVisible(chromedp.CSS(`table.incidents`)),
		waitFor(fmt.Sprintf(`%s.includes(%q)`, textOf("table.incidents"), title)),
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`table.incidents a[href=%q]`, path))),
		chromedp.WaitVisible(chromedp.CSS(`#to-acknowledged`)),
		chromedp.Click(chromedp.CSS(`#to-acknowledged`)),
		waitFor(fmt.Sprintf(`%s === %q`, textOf(".headline .state"), lang.acknowledged)),
		chromedp.WaitVisible(chromedp.CSS(`#to-resolved`)),
	)
	if err != nil {
		t.Fatalf("find and acknowledge: %v", err)
	}
	screenshot(t, ctx, shot)
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#to-resolved`)),
		waitFor(fmt.Sprintf(`%s === %q`, textOf(".headline .state"), lang.resolved)),
	)
	if err != nil {
		t.Fatalf("resolve: %v", err)
	}
	incs, _, err := e.db.FindIncidents(ctx0, warroom.IncidentFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, inc := range incs {
		if inc.Title == title {
			if inc.State != warroom.StateResolved || inc.Severity != warroom.P0 || inc.Impact.UsersAffected != 150000 || inc.AcknowledgedAt == nil {
				t.Errorf("stored incident: state %s severity %s users %d acknowledged %v", inc.State, inc.Severity, inc.Impact.UsersAffected, inc.AcknowledgedAt)
			}
			return
		}
	}
	t.Errorf("incident %q not stored", title)
}

func TestBrowserFlow(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		runFlow(t, newEnv(t, engine), english, "incident-"+engine+".png")
	})
}

func TestBrowserFlowChinese(t *testing.T) {
	runFlow(t, newEnv(t, "sqlite"), chinese, "incident-zh-CN.png")
}

// TestBrowserLive opens one incident in two browser contexts as two people:
// a note posted in one appears in the other without a reload.
func TestBrowserLive(t *testing.T) {
	e := newEnv(t, "sqlite")
	a, ctx0 := e.user(t, warroom.UserRoleResponder, "en")
	b, _ := e.user(t, warroom.UserRoleResponder, "zh-CN")
	inc := e.declare(t, ctx0, "Search is slow", warroom.Impact{UsersAffected: 3000})
	page := fmt.Sprintf("%s/incidents/%d", e.srv.URL, inc.ID)
	online := `document.getElementById("livestatus").textContent === document.getElementById("incident").dataset.statusOn`

	ctxA := newBrowser(t)
	ctxB := otherContext(t, ctxA)
	browserLogin(t, ctxA, e.srv.URL, a.Email)
	browserLogin(t, ctxB, e.srv.URL, b.Email)
	for _, ctx := range []context.Context{ctxA, ctxB} {
		if err := chromedp.Do(ctx, chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS(`#live-timeline`)), waitFor(online)); err != nil {
			t.Fatalf("open incident: %v", err)
		}
	}
	if err := chromedp.Do(ctxA, waitFor(textOf("#livestatus")+` === "Live: changes appear as they happen."`)); err != nil {
		t.Errorf("live status text: %v", err)
	}
	// A marker that a reload would wipe.
	if err := chromedp.Do(ctxB, chromedp.Poll[chromedp.Void](`(window.notReloaded = true)`)); err != nil {
		t.Fatal(err)
	}
	note := "Index rebuild started by " + a.Name
	if err := chromedp.Do(ctxA,
		chromedp.SendKeys(chromedp.CSS(`#note-form textarea[name="text"]`), note),
		chromedp.Click(chromedp.CSS(`#note-form button[type="submit"]`)),
	); err != nil {
		t.Fatalf("post note: %v", err)
	}
	start := time.Now()
	if err := chromedp.Do(ctxB, waitFor(fmt.Sprintf(`%s.includes(%q)`, textOf("#live-timeline"), note))); err != nil {
		t.Fatalf("the note never reached the second browser: %v", err)
	}
	t.Logf("note seen by the second browser %v after it was posted", time.Since(start).Round(time.Millisecond))
	if _, err := chromedp.Run(ctxB, chromedp.Evaluate[bool](`window.notReloaded === true`)); err != nil {
		t.Fatal(err)
	}
	reloaded, err := chromedp.Run(ctxB, chromedp.Evaluate[bool](`window.notReloaded !== true`))
	if err != nil || reloaded {
		t.Errorf("the second page reloaded (%v)", err)
	}
	// The second browser is in Chinese: the swapped-in fragment must be too.
	if err := chromedp.Do(ctxB, waitFor(fmt.Sprintf(`%s.includes(%q)`, textOf("#live-timeline"), "备注"))); err != nil {
		t.Errorf("live fragment not in the viewer's language: %v", err)
	}

	// The same page on a phone-sized screen, for the record.
	if err := chromedp.Do(ctxB, chromedp.EmulateViewport(390, 844)); err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctxB, "incident-phone.png")
}
