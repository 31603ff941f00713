package ui_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

// TestBrowserDrillPreview opens a drill's preview of the status page in
// Chromium: the same page as the public one with the drill's update and
// component status on it, bannered DRILL, not indexed, without the feed
// or the subscription form, behind login; the public page shows nothing.
func TestBrowserDrillPreview(t *testing.T) {
	e := newEnvDB(t, storetest.Open(t, "sqlite", nil))
	u, ctx := e.user(t, warroom.UserRoleResponder, "en")
	svc := &warroom.Service{Name: "orders", Tier: 1}
	if err := e.db.CreateService(ctx, svc); err != nil {
		t.Fatal(err)
	}
	comp := &warroom.Component{Name: "Checkout", ServiceID: &svc.ID}
	if err := e.db.CreateComponent(ctx, comp); err != nil {
		t.Fatal(err)
	}
	inc := &warroom.Incident{Title: "orders-db deleted", Type: warroom.TypeDataLoss, Severity: warroom.P0, ServiceIDs: []int64{svc.ID}, Drill: true}
	if err := e.db.DeclareIncident(ctx, inc); err != nil {
		t.Fatal(err)
	}
	if err := e.db.PostStatusUpdate(ctx, inc.ID, &warroom.StatusUpdate{Audience: warroom.AudiencePublic, PublicStatus: warroom.PublicInvestigating,
		PublicTitle: "Orders cannot be placed", WhatHappened: "Checkout fails for every customer",
		Components: []warroom.ComponentImpact{{ComponentID: comp.ID, Status: warroom.ComponentMajorOutage}}}); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t)
	preview := e.srv.URL + "/incidents/" + itoa(inc.ID) + "/drill-preview"

	anon := otherContext(t, b)
	if err := chromedp.Do(anon, chromedp.Navigate(preview), chromedp.WaitVisible(chromedp.CSS(`input[name="password"]`))); err != nil {
		t.Fatal(err)
	}
	if !eval[bool](t, anon, `!document.querySelector("#drill-banner")`) {
		t.Fatal("without login the preview is shown")
	}

	browserLogin(t, b, e.srv.URL, u.Email)
	err := chromedp.Do(b,
		chromedp.Navigate(e.srv.URL+"/incidents/"+itoa(inc.ID)),
		chromedp.Click(chromedp.CSS(`a[href="/incidents/`+itoa(inc.ID)+`/drill-preview"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#drill-banner`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	banner := eval[string](t, b, textOf("#drill-banner"))
	robots := eval[string](t, b, `document.querySelector('meta[name="robots"]').content`)
	title := eval[string](t, b, textOf("#active-incidents"))
	status := eval[string](t, b, `document.querySelector('.component .status').textContent`)
	feedLinks := eval[int](t, b, `document.querySelectorAll('link[type="application/atom+xml"], a[href^="/status/feed"]').length`)
	subscribeForms := eval[int](t, b, `document.querySelectorAll('form[action="/status/subscribe"]').length`)
	screenshot(t, b, "drill-preview.png")
	if !strings.Contains(banner, "DRILL") || robots != "noindex, nofollow" || !strings.Contains(title, "Orders cannot be placed") {
		t.Errorf("banner %q robots %q active %q", banner, robots, title)
	}
	if !strings.Contains(status, "Major outage") {
		t.Errorf("component status = %q, want the drill's major outage", status)
	}
	if feedLinks != 0 || subscribeForms != 0 {
		t.Errorf("feed links %d, subscribe forms %d, want none on a preview", feedLinks, subscribeForms)
	}

	if err := chromedp.Do(b, chromedp.Navigate(preview+"?lang=zh-CN"), chromedp.WaitVisible(chromedp.CSS(`#drill-banner`))); err != nil {
		t.Fatal(err)
	}
	zh := eval[string](t, b, textOf("#drill-banner"))
	if !strings.Contains(zh, "演练 DRILL") {
		t.Errorf("Chinese banner = %q", zh)
	}

	if err := chromedp.Do(b, chromedp.Navigate(e.srv.URL+"/status"), chromedp.WaitVisible(chromedp.CSS(`#components`))); err != nil {
		t.Fatal(err)
	}
	public := eval[string](t, b, `document.body.textContent`)
	if strings.Contains(public, "Orders cannot be placed") || strings.Contains(public, "DRILL") || strings.Contains(public, "Major outage") {
		t.Error("the public status page shows the drill")
	}
}

// eval runs a JavaScript expression in the page and returns its value.
func eval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}
