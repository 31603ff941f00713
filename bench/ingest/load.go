package main

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// result is one scenario's traffic.
type result struct {
	requests  int64
	rps, aps  float64
	p50, p99  time.Duration
	errors    int64
	lastError string
	// last2xx is when the last accepted response arrived: what routing and
	// paging lag is measured from.
	last2xx time.Time
}

// printHeader prints the table's column names.
func printHeader() {
	fmt.Printf("%-9s %11s %11s %9s %9s %7s %8s  %s\n", "scenario", "requests/s", "accepted/s", "p50", "p99", "errors", "ceiling", "")
}

// print writes one row; ceiling is the empty handler's requests/s for the
// same body shape, 0 when it was not measured.
func (r result) print(name string, ceiling float64, note string) {
	ratio := "-"
	if ceiling > 0 {
		ratio = fmt.Sprintf("%.3f", r.rps/ceiling)
	}
	fmt.Printf("%-9s %11.0f %11.0f %9s %9s %7d %8s  %s\n", name, r.rps, r.aps, r.p50.Round(time.Microsecond), r.p99.Round(time.Microsecond), r.errors, ratio, note)
	if r.lastError != "" {
		fmt.Printf("%-9s last error: %s\n", "", r.lastError)
	}
}

// load posts to u from o.senders senders until duration has passed or,
// when limit > 0, limit requests have been sent, whichever comes first;
// every request's body is made by body for a unique n ≥ 1, and alerts is
// the alerts each carries.
func load(u string, senders int, duration time.Duration, limit int64, alerts int, body func(n int64, buf []byte) []byte) result {
	tr := &http.Transport{MaxIdleConnsPerHost: senders, MaxConnsPerHost: senders, DisableCompression: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	var (
		seq     atomic.Int64
		ok      atomic.Int64
		errs    atomic.Int64
		mu      sync.Mutex
		lats    []time.Duration
		last    time.Time
		lastErr atomic.Value
		wg      sync.WaitGroup
	)
	deadline := time.Now().Add(duration)
	start := time.Now()
	for range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf []byte
			var mine []time.Duration
			var myLast time.Time
			for time.Now().Before(deadline) {
				n := seq.Add(1)
				if limit > 0 && n > limit {
					break
				}
				buf = body(n, buf)
				t0 := time.Now()
				resp, err := client.Post(u, "application/json", bytes.NewReader(buf))
				if err != nil {
					errs.Add(1)
					lastErr.Store(err.Error())
					continue
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusAccepted {
					errs.Add(1)
					lastErr.Store(fmt.Sprintf("%d %s", resp.StatusCode, bytes.TrimSpace(b)))
					continue
				}
				myLast = time.Now()
				mine = append(mine, myLast.Sub(t0))
				ok.Add(1)
			}
			mu.Lock()
			lats = append(lats, mine...)
			if myLast.After(last) {
				last = myLast
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	r := result{requests: ok.Load(), errors: errs.Load(), last2xx: last}
	r.rps = float64(r.requests) / elapsed.Seconds()
	r.aps = r.rps * float64(alerts)
	r.p50, r.p99 = percentile(lats, 0.50), percentile(lats, 0.99)
	if s, _ := lastErr.Load().(string); s != "" {
		r.lastError = s
	}
	return r
}

// percentile returns the p-quantile of d, sorting d in place.
func percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	slices.Sort(d)
	return d[min(len(d)-1, int(float64(len(d))*p))]
}

// emptyServer is the ceiling: a handler that reads the body and answers
// 202 with a small JSON body, as warroom does, and nothing else.
func emptyServer() (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	resp := []byte(`{"status":"success","message":"Event processed","dedup_key":"0123456789abcdef0123456789abcdef"}` + "\n")
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusAccepted)
		w.Write(resp)
	})}
	go srv.Serve(ln)
	return "http://" + ln.Addr().String(), func() { srv.Close() }, nil
}
