package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// latency measures alert → first page: from just before a probe's request
// is sent to the receiver's arrival time of the page for the incident it
// opened, one probe at a time, first on an idle server, then under
// o.bgRate alerts/s of background alerts on another service.
func latency(ctx context.Context, w *world, base string, o options) error {
	u := base + "/v2/enqueue"
	client := &http.Client{Timeout: 30 * time.Second}
	idle, lost := probe(client, w, u, "idle", o)
	fmt.Printf("%-9s idle: p50 %s, p99 %s over %d probes, %d not paged within %s\n", "latency",
		percentile(idle, 0.50).Round(time.Microsecond), percentile(idle, 0.99).Round(time.Microsecond), len(idle), lost, o.probeTimeout)
	if o.bgRate <= 0 {
		return nil
	}
	bgCtx, stop := context.WithCancel(ctx)
	// The background is bounded by the probes' worst case, whatever
	// happens to them.
	bgCtx, cancel := context.WithTimeout(bgCtx, time.Second+time.Duration(o.probes)*(o.probeTimeout+20*time.Millisecond))
	defer cancel()
	bg := background(bgCtx, u, w.pd["noise"], o)
	time.Sleep(time.Second) // let the background reach its rate
	loaded, lost := probe(client, w, u, "loaded", o)
	stop()
	accepted, errs, elapsed := bg()
	fmt.Printf("%-9s under %d alerts/s asked (%.0f/s accepted, %d errors): p50 %s, p99 %s over %d probes, %d not paged within %s\n", "",
		o.bgRate, float64(accepted)/elapsed.Seconds(), errs, percentile(loaded, 0.50).Round(time.Microsecond),
		percentile(loaded, 0.99).Round(time.Microsecond), len(loaded), lost, o.probeTimeout)
	return nil
}

// probe sends o.probes probes in turn and returns the latency of each
// that was paged within o.probeTimeout, and how many were not.
func probe(client *http.Client, w *world, u, phase string, o options) ([]time.Duration, int) {
	var lats []time.Duration
	lost := 0
	for i := range o.probes {
		token := o.run + "-" + phase + "-" + strconv.Itoa(i)
		arrived := w.rec.expect(token)
		t0 := time.Now()
		resp, err := client.Post(u, "application/json", bytes.NewReader(probeBody(w.pd["latency"], token)))
		if err != nil {
			w.rec.forget(token)
			lost++
			continue
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusAccepted {
			w.rec.forget(token)
			lost++
			continue
		}
		select {
		case at := <-arrived:
			lats = append(lats, at.Sub(t0))
		case <-time.After(o.probeTimeout):
			w.rec.forget(token)
			lost++
		}
		// A pause between probes keeps them from falling into step with
		// the engine's ticks.
		time.Sleep(time.Duration(7+i%13) * time.Millisecond)
	}
	return lats, lost
}

// background posts o.bgRate PagerDuty alerts a second to the noise
// service until ctx ends, paced in 10 ms steps; its dedup keys cycle over
// o.bgKeys, so most alerts repeat an open one, as a noisy source's do. The
// returned function waits for the senders and reports.
func background(ctx context.Context, u, key string, o options) func() (accepted, errs int64, elapsed time.Duration) {
	tr := &http.Transport{MaxIdleConnsPerHost: o.senders, MaxConnsPerHost: o.senders, DisableCompression: true}
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	tokens := make(chan int64, o.bgRate)
	var accepted, errs atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(tokens)
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		var n int64
		for step := 1; ; step++ {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			// Whole steps of the rate, so that rates below 100/s still send.
			due := int64(o.bgRate) * int64(step) / 100
			for ; n < due; n++ {
				select {
				case tokens <- n:
				default: // the senders are behind; the rate asked is not met
				}
			}
		}
	}()
	for range o.senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf []byte
			for n := range tokens {
				buf = pdBody(buf, key, "noise-"+o.run, n%int64(o.bgKeys))
				resp, err := client.Post(u, "application/json", bytes.NewReader(buf))
				if err != nil {
					errs.Add(1)
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode == http.StatusAccepted {
					accepted.Add(1)
				} else {
					errs.Add(1)
				}
			}
		}()
	}
	return func() (int64, int64, time.Duration) {
		wg.Wait()
		tr.CloseIdleConnections()
		return accepted.Load(), errs.Load(), time.Since(start)
	}
}
