package main

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/notify/webhook"
)

// receiver is the on-call person's webhook endpoint: it notes when each
// incident's first page arrived, hands verification codes to the setup and
// tells a waiting probe when its page is in.
type receiver struct {
	url   string
	srv   *http.Server
	codes chan string

	mu     sync.Mutex
	first  map[int64]time.Time
	pages  int
	probes map[string]chan time.Time
}

var codeRe = regexp.MustCompile(`\b\d{6}\b`)

func newReceiver() (*receiver, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	r := &receiver{url: "http://" + ln.Addr().String() + "/hook", codes: make(chan string, 4),
		first: map[int64]time.Time{}, probes: map[string]chan time.Time{}}
	r.srv = &http.Server{Handler: r, ReadHeaderTimeout: 10 * time.Second}
	go r.srv.Serve(ln)
	return r, nil
}

func (r *receiver) Close() { r.srv.Close() }

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	// The arrival time is taken before the body is read: it is when the
	// page reached the person, whatever the decoding costs here.
	at := time.Now()
	body, err := io.ReadAll(io.LimitReader(req.Body, 1<<20))
	var p webhook.Payload
	if err != nil || json.Unmarshal(body, &p) != nil {
		http.Error(w, "bad payload", http.StatusBadRequest)
		return
	}
	w.WriteHeader(http.StatusNoContent)
	switch warroom.NotificationKind(p.Event) {
	case warroom.NotifyVerification:
		select {
		case r.codes <- codeRe.FindString(p.Text):
		default:
		}
	case warroom.NotifyPage:
		if p.Incident == nil {
			return
		}
		r.mu.Lock()
		defer r.mu.Unlock()
		r.pages++
		if _, ok := r.first[p.Incident.ID]; ok {
			return
		}
		r.first[p.Incident.ID] = at
		if token, ok := strings.CutPrefix(p.Incident.Title, "latency probe "); ok {
			if c := r.probes[token]; c != nil {
				c <- at
				delete(r.probes, token)
			}
		}
	}
}

// expect returns the channel that receives the arrival time of the first
// page for the incident opened by probe token.
func (r *receiver) expect(token string) <-chan time.Time {
	c := make(chan time.Time, 1)
	r.mu.Lock()
	r.probes[token] = c
	r.mu.Unlock()
	return c
}

// forget drops a probe whose page did not come in time.
func (r *receiver) forget(token string) {
	r.mu.Lock()
	delete(r.probes, token)
	r.mu.Unlock()
}

// firstPages returns when each of ids was first paged, and how many of
// them have not been yet.
func (r *receiver) firstPages(ids []int64) (last time.Time, missing int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, id := range ids {
		t, ok := r.first[id]
		if !ok {
			missing++
		} else if t.After(last) {
			last = t
		}
	}
	return last, missing
}

// pageCount is how many pages have arrived in all, repeats included.
func (r *receiver) pageCount() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.pages
}
