package main

import (
	"context"
	"fmt"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/client"
)

// world is what the scenarios send to, set up through the API as an
// administrator would: one service per scenario so that no scenario's
// incidents or storm guard touch another's, an on-call person reachable by
// webhook, a schedule with them on it and a policy paging the schedule.
type world struct {
	c   *client.Client
	rec *receiver
	// pd and am are each service's PagerDuty routing key and
	// Alertmanager integration key, by service name.
	pd, am   map[string]string
	services map[string]*warroom.Service
}

// The scenarios' services. Only storm and latency page; the others measure
// ingest and routing, not the webhook.
var serviceNames = []string{"nothing", "default", "grouped", "storm", "latency", "noise"}

func newWorld(ctx context.Context, c *client.Client, rec *receiver, o options) (*world, error) {
	w := &world{c: c, rec: rec, pd: map[string]string{}, am: map[string]string{}, services: map[string]*warroom.Service{}}
	u := &warroom.User{Name: "On Call", Email: "oncall@bench.example", Role: warroom.UserRoleResponder}
	if err := c.CreateUser(ctx, u, "bench password "+rand8()+rand8()); err != nil {
		return nil, fmt.Errorf("create user: %w", err)
	}
	cm := &warroom.ContactMethod{UserID: u.ID, Type: warroom.ContactWebhook, Name: "bench receiver", Address: rec.url}
	if err := c.CreateContactMethod(ctx, cm); err != nil {
		return nil, fmt.Errorf("create webhook contact method: %w", err)
	}
	// The code goes out through the pager like any notification: its
	// arrival proves the webhook path works before any load starts.
	select {
	case code := <-rec.codes:
		if err := c.VerifyContactMethod(ctx, u.ID, cm.ID, code); err != nil {
			return nil, fmt.Errorf("verify webhook contact method: %w", err)
		}
	case <-time.After(30 * time.Second):
		return nil, fmt.Errorf("verification code did not reach the receiver within 30s")
	}
	s := &warroom.Schedule{Name: "bench primary", TimeZone: "UTC", Layers: []warroom.ScheduleLayer{{
		Name: "primary", Rotation: warroom.RotationWeekly, Start: time.Now().UTC().AddDate(0, 0, -3).Format(warroom.StartLayout), UserIDs: []int64{u.ID},
	}}}
	if err := c.CreateSchedule(ctx, s); err != nil {
		return nil, fmt.Errorf("create schedule: %w", err)
	}
	// One level with an hour's delay: each incident pages exactly once
	// within a run, so the receiver counts first pages only.
	p := &warroom.EscalationPolicy{Name: "bench", Levels: []warroom.EscalationLevel{{DelaySeconds: 3600, Targets: []warroom.EscalationTarget{{Type: warroom.TargetSchedule, ID: s.ID}}}}}
	if err := c.CreateEscalationPolicy(ctx, p); err != nil {
		return nil, fmt.Errorf("create escalation policy: %w", err)
	}

	rate := o.rateLimit
	for _, name := range serviceNames {
		svc := &warroom.Service{Name: name, Tier: 2}
		if err := c.CreateService(ctx, svc); err != nil {
			return nil, fmt.Errorf("create service %s: %w", name, err)
		}
		w.services[name] = svc
		for kind, keys := range map[warroom.IntegrationKind]map[string]string{warroom.IntegrationPagerDuty: w.pd, warroom.IntegrationAlertmanager: w.am} {
			in, err := c.CreateIntegration(ctx, name, name+"-"+string(kind), kind, "", &rate)
			if err != nil {
				return nil, fmt.Errorf("create %s integration on %s: %w", kind, name, err)
			}
			keys[name] = in.Key
		}
	}
	for _, name := range []string{"storm", "latency"} {
		if err := c.SetServiceEscalationPolicy(ctx, name, p.ID); err != nil {
			return nil, fmt.Errorf("escalation policy on %s: %w", name, err)
		}
	}
	// The baseline: a catch-all rule that stores alerts and opens nothing.
	if err := c.CreateRoutingRule(ctx, "nothing", &warroom.RoutingRule{Name: "store only", AutoOpen: false}); err != nil {
		return nil, fmt.Errorf("routing rule on nothing: %w", err)
	}
	if len(o.groupBy) > 0 {
		if err := c.CreateRoutingRule(ctx, "grouped", &warroom.RoutingRule{Name: "group by labels", AutoOpen: true, GroupBy: o.groupBy}); err != nil {
			return nil, fmt.Errorf("routing rule on grouped: %w", err)
		}
	}
	if o.stormThreshold >= 0 {
		for _, name := range []string{"default", "grouped", "storm"} {
			if err := w.setStormThreshold(ctx, name, o.stormThreshold); err != nil {
				return nil, err
			}
		}
	}
	// Every probe must open and page its own incident; the storm guard
	// would fold all but the first few into one.
	if err := w.setStormThreshold(ctx, "latency", 0); err != nil {
		return nil, err
	}
	return w, nil
}

// setStormThreshold sets a service's storm guard, keeping the rest of its
// alert handling.
func (w *world) setStormThreshold(ctx context.Context, name string, n int) error {
	svc := w.services[name]
	h := warroom.DefaultAlertHandling()
	if svc.AlertHandling != nil {
		*h = *svc.AlertHandling
	}
	h.StormThreshold = n
	if n > 0 && h.StormWindowSeconds == 0 {
		h.StormWindowSeconds = 300
	}
	got, err := w.c.UpdateService(ctx, svc.ID, warroom.ServiceUpdate{AlertHandling: h})
	if err != nil {
		return fmt.Errorf("storm threshold on %s: %w", name, err)
	}
	w.services[name] = got
	return nil
}
