package statuspage_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/warroomhq/warroom"
)

// chromium finds the browser as the UI's browser tests do: skipped on a
// workstation without one, a failure in CI.
func chromium(t *testing.T) string {
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
	t.Skip("chromium not found")
	return ""
}

// TestBrowserPublicPage renders /status in chromium in both languages,
// switching with the language links as a visitor would, and subscribes
// through the form.
func TestBrowserPublicPage(t *testing.T) {
	e := newEnv(t, "sqlite")
	seed(t, e)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium(t)), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true), chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 900),
	}
	base, cancelBase := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancelBase()
	alloc, cancelAlloc := chromedp.NewExecAllocator(base, opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(alloc)
	defer cancel()

	text := func(sel string) string {
		return fmt.Sprintf(`(document.querySelector(%q) || {}).textContent || ""`, sel)
	}
	wait := func(expr string) chromedp.Action[chromedp.Void] {
		return chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingTimeout(20*time.Second), chromedp.WithPollingInterval(50*time.Millisecond))
	}
	for _, tt := range []struct{ lang, overall, stage, status string }{
		{"en", "Major outage", "Identified", "Major outage"},
		{"zh-CN", "重大服务中断", "已定位", "重大中断"},
	} {
		t.Run(tt.lang, func(t *testing.T) {
			err := chromedp.Do(ctx,
				chromedp.Navigate(e.srv.URL+"/status"),
				chromedp.WaitVisible(chromedp.CSS(`#overall`)),
				chromedp.Click(chromedp.CSS(fmt.Sprintf(`.langs a[lang=%q]`, tt.lang))),
				// WaitVisible queries again after the navigation the click starts.
				chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`html[lang=%q] #overall`, tt.lang))),
				wait(fmt.Sprintf(`%s.trim() === %q`, text("#overall h1"), tt.overall)),
				wait(fmt.Sprintf(`%s.includes(%q)`, text("#active-incidents"), "Checkout errors")),
				wait(fmt.Sprintf(`%s.includes(%q)`, text("#active-incidents .stage"), tt.stage)),
				wait(fmt.Sprintf(`%s.includes(%q)`, text(`.component[data-status="major_outage"] .status`), tt.status)),
			)
			if err != nil {
				t.Fatalf("render: %v", err)
			}
			bars, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("svg.bars").length`))
			if err != nil {
				t.Fatal(err)
			}
			if bars != 2 {
				t.Errorf("uptime charts = %d, want 2", bars)
			}
			img, err := chromedp.Run(ctx, chromedp.FullScreenshot(90))
			if err != nil {
				t.Fatal(err)
			}
			dir := os.Getenv("WARROOM_TEST_ARTIFACTS")
			if dir == "" {
				dir = t.TempDir()
			}
			_ = os.WriteFile(filepath.Join(dir, "status-"+tt.lang+".png"), img, 0o644)
		})
	}
	err := chromedp.Do(ctx,
		chromedp.Navigate(e.srv.URL+"/status?lang=en"),
		chromedp.SendKeys(chromedp.CSS(`#subscribe input[name="email"]`), "visitor@example.com"),
		chromedp.Click(chromedp.CSS(`#subscribe button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#message`)),
		wait(fmt.Sprintf(`%s.includes(%q)`, text("#message"), "Check your inbox")),
	)
	if err != nil {
		t.Fatalf("subscribe: %v", err)
	}
	e.tick(t)
	if m := e.mail.to("visitor@example.com"); len(m) != 1 {
		t.Errorf("confirmation mails = %d, want 1", len(m))
	}
}

// contrast computes the WCAG contrast ratio of the overall banner's heading
// against the banner, from the colours the browser actually applies.
const contrast = `(() => {
  const rgb = s => s.match(/[\d.]+/g).slice(0, 3).map(Number);
  const lum = c => { const [r, g, b] = c.map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const box = document.getElementById("overall"), h = box.querySelector("h1");
  const a = lum(rgb(getComputedStyle(h).color)), b = lum(rgb(getComputedStyle(box).backgroundColor));
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
})()`

// TestBrowserBannerContrast puts the overall banner in every state, in the
// light and the dark scheme, and wants its text readable: at least 4.5:1.
func TestBrowserBannerContrast(t *testing.T) {
	e := newEnv(t, "sqlite")
	seed(t, e)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium(t)), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true), chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 900),
	}
	base, cancelBase := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancelBase()
	alloc, cancelAlloc := chromedp.NewExecAllocator(base, opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(alloc)
	defer cancel()
	for _, scheme := range []string{"light", "dark"} {
		err := chromedp.Do(ctx,
			chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
				_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}})
				return err
			}),
			chromedp.Navigate(e.srv.URL+"/status"), chromedp.WaitVisible(chromedp.CSS(`#overall`)))
		if err != nil {
			t.Fatal(err)
		}
		for _, st := range warroom.ComponentStatuses {
			set := fmt.Sprintf(`document.getElementById("overall").className = "overall status-%s"`, st)
			if _, err := chromedp.Run(ctx, chromedp.Evaluate[string](set)); err != nil {
				t.Fatal(err)
			}
			ratio, err := chromedp.Run(ctx, chromedp.Evaluate[float64](contrast))
			if err != nil {
				t.Fatal(err)
			}
			if ratio < 4.5 {
				t.Errorf("%s scheme, %s banner: contrast %.2f:1, want at least 4.5:1", scheme, st, ratio)
			}
		}
	}
}
