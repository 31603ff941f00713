package httpingest

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/warroomhq/warroom"
)

// errClosed answers requests that arrive while the server shuts down.
var errClosed = warroom.Errorf(warroom.EINTERNAL, "shutting down")

// commitRequest is one HTTP request's events waiting for the group commit.
type commitRequest struct {
	batch *warroom.AlertBatch
	done  chan error
}

// committer is the group commit: one goroutine per writer takes every
// request that is waiting, writes them all in one transaction and then
// answers each. While a commit is being fsynced the next requests queue
// up, so batches grow with load and durability costs one fsync per batch
// rather than per request; an idle server still commits a lone request at
// once.
type committer struct {
	alerts    warroom.AlertService
	wake      func()
	maxEvents int
	linger    time.Duration
	queue     chan *commitRequest
	// inflight counts requests between arrival and answer, so that a
	// writer can tell whether waiting a little would fill its batch.
	inflight atomic.Int64
	wg       sync.WaitGroup

	mu     sync.RWMutex
	closed bool
}

func newCommitter(alerts warroom.AlertService, wake func(), writers, maxEvents int, linger time.Duration) *committer {
	c := &committer{alerts: alerts, wake: wake, maxEvents: maxEvents, linger: linger, queue: make(chan *commitRequest, 4096)}
	for range writers {
		c.wg.Add(1)
		go c.run()
	}
	return c
}

// submit queues a batch and waits until it is committed or refused.
func (c *committer) submit(b *warroom.AlertBatch) error {
	req := &commitRequest{batch: b, done: make(chan error, 1)}
	c.mu.RLock()
	if c.closed {
		c.mu.RUnlock()
		return errClosed
	}
	c.queue <- req
	c.mu.RUnlock()
	return <-req.done
}

// close stops taking requests, commits the ones queued and returns.
func (c *committer) close() {
	c.mu.Lock()
	if !c.closed {
		c.closed = true
		close(c.queue)
	}
	c.mu.Unlock()
	c.wg.Wait()
}

func (c *committer) run() {
	defer c.wg.Done()
	for first := range c.queue {
		reqs := []*commitRequest{first}
		events := len(first.batch.Events)
		var timer *time.Timer
	collect:
		for events < c.maxEvents {
			select {
			case r, ok := <-c.queue:
				if !ok {
					break collect
				}
				reqs, events = append(reqs, r), events+len(r.batch.Events)
				continue
			default:
			}
			// Nothing queued: wait a moment only if more requests are
			// already being read and parsed.
			if c.linger <= 0 || c.inflight.Load() <= int64(len(reqs)) {
				break
			}
			if timer == nil {
				timer = time.NewTimer(c.linger)
			}
			select {
			case r, ok := <-c.queue:
				if !ok {
					break collect
				}
				reqs, events = append(reqs, r), events+len(r.batch.Events)
			case <-timer.C:
				break collect
			}
		}
		if timer != nil {
			timer.Stop()
		}
		c.commit(reqs)
	}
}

// commit writes the requests in one transaction. If that fails, each is
// retried alone so that one bad request cannot fail the others with it.
func (c *committer) commit(reqs []*commitRequest) {
	batches := make([]*warroom.AlertBatch, len(reqs))
	for i, r := range reqs {
		batches[i] = r.batch
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := c.alerts.IngestAlerts(ctx, batches)
	if err != nil && len(reqs) > 1 {
		for _, r := range reqs {
			r.done <- c.alerts.IngestAlerts(ctx, []*warroom.AlertBatch{r.batch})
		}
		c.wakeFor(batches)
		return
	}
	for _, r := range reqs {
		r.done <- err
	}
	if err == nil {
		c.wakeFor(batches)
	}
}

// wakeFor wakes the engine when routing has something to do.
func (c *committer) wakeFor(batches []*warroom.AlertBatch) {
	if c.wake == nil {
		return
	}
	for _, b := range batches {
		for i, r := range b.Results {
			if r.Created || (!r.Dropped && b.Events[i].Action == warroom.ActionResolve) {
				c.wake()
				return
			}
		}
	}
}

// isClosed reports whether err is the shutdown refusal.
func isClosed(err error) bool { return errors.Is(err, errClosed) }
