package ui_test

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/warroomhq/warroom"
)

// tourWorld is a small but busy installation: a week of generated
// operations (incidents with notifications, tasks, postmortems, changes,
// alerts) plus a schedule, a policy, an integration and a status page.
type tourWorld struct {
	e     *env
	admin *warroom.User
	pages []string
	// words are the Latin-script words that come from the data (people,
	// services, titles, notes): the Chinese pages may show them.
	words map[string]bool
}

func newTourWorld(t *testing.T, locale string) *tourWorld {
	t.Helper()
	e := newEnv(t, "sqlite")
	admin, actx := e.user(t, warroom.UserRoleAdmin, locale)
	ana, _ := e.user(t, warroom.UserRoleResponder, "en")
	bo, _ := e.user(t, warroom.UserRoleResponder, "zh-CN")
	w := &tourWorld{e: e, admin: admin, words: map[string]bool{}}
	w.addWords(admin.Name, admin.Email, ana.Name, ana.Email, bo.Name, bo.Email)
	for _, tpl := range warroom.DefaultSOPTemplates() {
		if err := e.db.CreateSOPTemplate(actx, tpl); err != nil {
			t.Fatal(err)
		}
	}
	svc := &warroom.Service{Name: "payments-api", Team: "payments", Tier: 1}
	if err := e.db.CreateService(actx, svc); err != nil {
		t.Fatal(err)
	}
	w.addWords(svc.Name, svc.Team)
	sched := &warroom.Schedule{Name: "payments primary", TimeZone: "Asia/Shanghai", Layers: []warroom.ScheduleLayer{{Name: "weekly", Rotation: warroom.RotationWeekly,
		Start: time.Now().Add(-72 * time.Hour).UTC().Format(warroom.StartLayout), UserIDs: []int64{admin.ID, ana.ID, bo.ID}}}}
	if err := e.db.CreateSchedule(actx, sched); err != nil {
		t.Fatal(err)
	}
	w.addWords(sched.Name, "weekly")
	pol := &warroom.EscalationPolicy{Name: "payments escalation", Repeat: 1, Levels: []warroom.EscalationLevel{
		{DelaySeconds: 300, Targets: []warroom.EscalationTarget{{Type: warroom.TargetSchedule, ID: sched.ID}}},
		{DelaySeconds: 600, Targets: []warroom.EscalationTarget{{Type: warroom.TargetUser, ID: ana.ID}, {Type: warroom.TargetUser, ID: bo.ID}}},
	}}
	if err := e.db.CreateEscalationPolicy(actx, pol); err != nil {
		t.Fatal(err)
	}
	w.addWords(pol.Name)
	if err := e.db.SetServiceEscalationPolicy(actx, svc.ID, pol.ID); err != nil {
		t.Fatal(err)
	}
	integ := &warroom.Integration{ServiceID: svc.ID, Name: "prometheus", Kind: warroom.IntegrationAlertmanager}
	if err := e.db.CreateIntegration(actx, integ); err != nil {
		t.Fatal(err)
	}
	comp := &warroom.Component{Name: "Checkout", Group: "Payments"}
	if err := e.db.CreateComponent(actx, comp); err != nil {
		t.Fatal(err)
	}
	w.addWords("prometheus", "Checkout", "Payments")
	for _, u := range []*warroom.User{admin, ana, bo} {
		verifiedEmail(t, e, actx, u)
	}
	inc := &warroom.Incident{Title: "Checkout returns 500", Type: warroom.TypeSystemCrash, ServiceIDs: []int64{svc.ID},
		Impact: warroom.Impact{UsersAffected: 150000, OrdersAffected: 1200}}
	if err := e.db.DeclareIncident(actx, inc); err != nil {
		t.Fatal(err)
	}
	w.addWords(inc.Title)
	// Two levels page: three people, then two more.
	now := time.Now()
	for _, at := range []time.Time{now, now.Add(6 * time.Minute)} {
		if _, err := e.db.FireEscalations(actx, at, 10); err != nil {
			t.Fatal(err)
		}
		deliver(t, e, actx, at)
	}
	note := "Rolled back the last deploy; error rate falling."
	if _, err := e.db.AddNote(actx, inc.ID, warroom.NoteInput{Text: note}); err != nil {
		t.Fatal(err)
	}
	w.addWords(note)
	if _, err := e.db.CreatePostmortem(actx, inc.ID, nil); err != nil {
		t.Fatal(err)
	}
	pms, _, err := e.db.FindPostmortems(actx, warroom.PostmortemFilter{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	w.pages = []string{
		"/incidents", "/incidents?state=all", "/incidents/new", fmt.Sprintf("/incidents/%d", inc.ID),
		"/alerts", "/oncall", fmt.Sprintf("/oncall/schedules/%d", sched.ID), "/action-items",
		"/postmortems", "/search?q=checkout", "/changes", "/changes/calendar", "/change-policy",
		"/services", fmt.Sprintf("/services/%d/routing", svc.ID), "/integrations", "/severity", "/sops",
		"/admin/status-page", "/stakeholders", "/monitors", "/maintenance",
		"/admin/users", "/admin/teams", "/admin/approvals", "/admin/audit",
		"/profile", "/profile/tokens", "/contact",
	}
	if len(pms) > 0 {
		w.pages = append(w.pages, fmt.Sprintf("/postmortems/%d", pms[0].ID))
	}
	return w
}

var codeRE = regexp.MustCompile(`\b\d{6}\b`)

// verifiedEmail gives u an email contact method verified with the code the
// store queued for it, as the person would from their inbox.
func verifiedEmail(t *testing.T, e *env, ctx context.Context, u *warroom.User) {
	t.Helper()
	cm := &warroom.ContactMethod{UserID: u.ID, Type: warroom.ContactEmail, Name: "work", Address: u.Email}
	if err := e.db.CreateContactMethod(ctx, cm); err != nil {
		t.Fatal(err)
	}
	ds, err := e.db.ClaimNotifications(ctx, time.Now(), time.Minute, 10)
	if err != nil || len(ds) != 1 {
		t.Fatalf("claim the verification code: %d, %v", len(ds), err)
	}
	code := codeRE.FindString(ds[0].Text)
	if err := e.db.CompleteNotification(ctx, ds[0].ID, time.Now(), warroom.DeliveryOutcome{Sent: true}); err != nil {
		t.Fatal(err)
	}
	if err := e.db.VerifyContactMethod(ctx, u.ID, cm.ID, code); err != nil {
		t.Fatalf("verify with %q from %q: %v", code, ds[0].Text, err)
	}
}

// deliver sends every page due at now, as the engine would.
func deliver(t *testing.T, e *env, ctx context.Context, now time.Time) {
	t.Helper()
	ds, err := e.db.ClaimNotifications(ctx, now, time.Minute, 50)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		if err := e.db.CompleteNotification(ctx, d.ID, now, warroom.DeliveryOutcome{Sent: true}); err != nil {
			t.Fatal(err)
		}
	}
}

func (w *tourWorld) addWords(texts ...string) {
	for _, s := range texts {
		for _, f := range strings.FieldsFunc(s, func(r rune) bool { return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') }) {
			w.words[strings.ToLower(f)] = true
		}
	}
}

// widest is a script that lists the elements reaching past the viewport's
// right edge (or starting left of it), innermost first, skipping those
// inside a scrolling box or hidden away on purpose.
const widest = `(() => {
  const vw = document.documentElement.clientWidth, out = [];
  const scrolls = el => { for (let p = el.parentElement; p; p = p.parentElement) { const o = getComputedStyle(p).overflowX; if (o === "auto" || o === "scroll" || o === "hidden") return true; } return false; };
  for (const el of document.body.querySelectorAll("*")) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    const shut = el.closest("details:not([open])");
    if (shut && !el.closest("summary")) continue;
    if ((r.right > vw + 1 || r.left < -1) && r.left > -500 && !scrolls(el)) {
      out.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\s+/).join(".") : "") + " right=" + Math.round(r.right) + " width=" + Math.round(r.width));
    }
  }
  return JSON.stringify({vw: vw, doc: document.documentElement.scrollWidth, els: out.slice(-8)});
})()`

// TestBrowserPagesFit opens every page at a phone's and a desktop's width:
// nothing may be wider than the viewport, so nobody scrolls sideways to
// read a timeline or press a button.
func TestBrowserPagesFit(t *testing.T) {
	w := newTourWorld(t, "en")
	ctx := newBrowser(t)
	browserLogin(t, ctx, w.e.srv.URL, w.admin.Email)
	for _, width := range []int64{390, 1400} {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 900)); err != nil {
			t.Fatal(err)
		}
		for _, p := range w.pages {
			if err := chromedp.Do(ctx, chromedp.Navigate(w.e.srv.URL+p), chromedp.WaitReady(chromedp.CSS(`main`))); err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			got, err := chromedp.Run(ctx, chromedp.Evaluate[string](widest))
			if err != nil {
				t.Fatal(err)
			}
			var fit struct {
				VW, Doc int
				Els     []string
			}
			if err := json.Unmarshal([]byte(got), &fit); err != nil {
				t.Fatal(err)
			}
			if fit.Doc > fit.VW || len(fit.Els) > 0 {
				t.Errorf("%s at %d px: page %d px wide in a %d px viewport; too wide: %v", p, width, fit.Doc, fit.VW, fit.Els)
			}
			if testing.Verbose() {
				screenshot(t, ctx, fmt.Sprintf("tour-%d%s.png", width, strings.NewReplacer("/", "_", "?", "_", "=", "_").Replace(p)))
			}
		}
	}
}

// TestBrowserIncidentPage is the incident page as the person paged at
// night uses it: on a phone the state buttons and the note form come
// before the timeline, pages are folded, and a, r and n work.
func TestBrowserIncidentPage(t *testing.T) {
	w := newTourWorld(t, "en")
	ctx := newBrowser(t)
	browserLogin(t, ctx, w.e.srv.URL, w.admin.Email)
	page := w.e.srv.URL + w.pages[3]
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844), chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS(`#note-form`))); err != nil {
		t.Fatal(err)
	}
	above, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById("note-form").getBoundingClientRect().top < document.getElementById("timeline-h").getBoundingClientRect().top && document.getElementById("to-acknowledged").getBoundingClientRect().top < document.getElementById("note-form").getBoundingClientRect().top`))
	if err != nil || !above {
		t.Errorf("on a phone the note form is not between the state buttons and the timeline (%v)", err)
	}
	if testing.Verbose() {
		screenshot(t, ctx, "incident-folded-phone.png")
	}
	// Five pages in two levels: two folded lines, each naming its level.
	folds, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#live-timeline details.fold").length`))
	if err != nil || folds != 2 {
		t.Errorf("folded lines = %d (%v), want one per escalation level", folds, err)
	}
	secs, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`/\d\d:\d\d:\d\d/.test(document.querySelector("#live-timeline time").textContent)`))
	if err != nil || !secs {
		t.Errorf("timeline times have no seconds (%v)", err)
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1400, 900), chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS(`#shortcuts`)),
		chromedp.Click(chromedp.CSS(`#incident-title`)), chromedp.KeyEvent("a"), waitFor(textOf(".headline .state")+` === "Acknowledged"`)); err != nil {
		t.Fatalf("a: %v", err)
	}
	if err := chromedp.Do(ctx, chromedp.KeyEvent("n"), waitFor(`document.activeElement === document.querySelector("#note-form textarea")`)); err != nil {
		t.Fatalf("n: %v", err)
	}
	// Typed into the note, r is a letter, not a shortcut.
	if err := chromedp.Do(ctx, chromedp.KeyEvent("r"), waitFor(`document.querySelector("#note-form textarea").value === "r"`)); err != nil {
		v, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("#note-form textarea").value + "|" + document.activeElement.tagName`))
		t.Fatalf("r in the note: %v (value|focus %q)", err, v)
	}
	if st, err := chromedp.Run(ctx, chromedp.Evaluate[string](textOf(".headline .state"))); err != nil || st != "Acknowledged" {
		t.Errorf("state after typing r in the note = %q (%v)", st, err)
	}
}
