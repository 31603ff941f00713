package main

import (
	"context"
	"fmt"
	"net/url"
	"time"
)

// storm sends o.stormAlerts new alerts in one burst, as fast as o.senders
// can, then measures how long after the last 2xx routing has opened every
// incident it will open and the receiver has had each one's first page.
func storm(ctx context.Context, w *world, cnt *counter, base string, o options, ceilings map[string]float64) error {
	pagesBefore := w.rec.pageCount()
	var r result
	var shape string
	switch o.stormAs {
	case "pd":
		key, total := w.pd["storm"], int64(o.stormAlerts)
		r = load(base+"/v2/enqueue", o.senders, o.stormTimeout, total, 1, func(n int64, buf []byte) []byte { return pdBody(buf, key, "storm-"+o.run, n) })
		shape = "pd"
	case "am":
		// Each request is its own Alertmanager group, as a storm across
		// many alert names and clusters arrives.
		u := base + "/ingest/alertmanager?key=" + url.QueryEscape(w.am["storm"])
		total := int64((o.stormAlerts + o.batch - 1) / o.batch)
		r = load(u, o.senders, o.stormTimeout, total, o.batch, func(n int64, buf []byte) []byte {
			return alertmanagerBody(buf, "storm-"+o.run, n, o.batch, n)
		})
		shape = "am"
	default:
		return fmt.Errorf("-storm-as %q: want am or pd", o.stormAs)
	}
	r.print("storm", ceilings[shape], fmt.Sprintf("%d requests as %s", r.requests, shape))
	if r.requests == 0 {
		return nil
	}
	routed, err := cnt.drain(ctx, o.wait)
	if err != nil {
		fmt.Printf("%-9s routing: %v\n", "", err)
		return nil
	}
	svc := w.services["storm"].ID
	alerts, attached, failed, incidents, err := cnt.serviceCounts(ctx, svc)
	if err != nil {
		return err
	}
	ids, err := cnt.incidentIDs(ctx, svc)
	if err != nil {
		return err
	}
	deadline := time.Now().Add(o.wait)
	last, missing := w.rec.firstPages(ids)
	for missing > 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
		last, missing = w.rec.firstPages(ids)
	}
	fmt.Printf("%-9s %d alerts stored, %d attached to %d incidents, %d failed routing at least once\n", "", alerts, attached, incidents, failed)
	fmt.Printf("%-9s routing done %s after the last 2xx\n", "", routed.Sub(r.last2xx).Round(time.Millisecond))
	if missing > 0 {
		fmt.Printf("%-9s %d of %d incidents not paged %s after routing was done\n", "", missing, len(ids), o.wait)
	} else if len(ids) > 0 {
		// Under a guard that folds the storm into a few incidents, every
		// page may be out before the burst ends: the lag is then negative.
		fmt.Printf("%-9s first page of the last incident received %s after the last 2xx (%d pages in all)\n", "",
			last.Sub(r.last2xx).Round(time.Millisecond), w.rec.pageCount()-pagesBefore)
	}
	return nil
}
