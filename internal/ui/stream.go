package ui

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/warroomhq/warroom"
)

// heartbeatEvery keeps idle streams alive through proxies that close quiet
// connections.
const heartbeatEvery = 15 * time.Second

// incidentStream is the Server-Sent Events feed of one incident. It polls
// the timeline for events after the last one it has seen: the events table
// is the one source of truth shared by every instance, so a change made
// through any instance, the API or the CLI reaches every open page on
// SQLite and PostgreSQL alike, without a broker. Each message carries only
// the newest event ID; the page then fetches the live fragment.
func (h *Handler) incidentStream(w http.ResponseWriter, r *http.Request, rc *request) {
	id, err := pathID(r, "id")
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	ctx := r.Context()
	if _, err := h.d.Incidents.FindIncidentByID(ctx, id); err != nil {
		h.fail(w, r, rc, err)
		return
	}
	// A reconnecting EventSource says where it stopped; a fresh one says
	// which event the page was rendered with.
	last, _ := strconv.ParseInt(r.Header.Get("Last-Event-ID"), 10, 64)
	if last == 0 {
		last, _ = strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
	}

	ctl := http.NewResponseController(w)
	// A server-wide write timeout would cut the stream; lift it for this
	// response only. Not every writer supports it, which is fine.
	_ = ctl.SetWriteDeadline(time.Time{})
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	if _, err := fmt.Fprint(w, "retry: 1000\n\n"); err != nil {
		return
	}
	if err := ctl.Flush(); err != nil {
		h.d.Logger.Error("ui: stream cannot flush", "err", err)
		return
	}

	poll := time.NewTicker(h.d.PollInterval)
	defer poll.Stop()
	beat := time.NewTicker(heartbeatEvery)
	defer beat.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-beat.C:
			if _, err := fmt.Fprint(w, ": ping\n\n"); err != nil || ctl.Flush() != nil {
				return
			}
		case <-poll.C:
			evs, _, err := h.d.Timeline.FindEvents(ctx, warroom.EventFilter{IncidentID: id, AfterID: last, Ascending: true, Limit: warroom.MaxPageSize})
			if err != nil {
				if ctx.Err() == nil {
					h.d.Logger.Error("ui: stream poll", "incident", id, "err", err)
				}
				return
			}
			if len(evs) == 0 {
				continue
			}
			last = evs[len(evs)-1].ID
			if _, err := fmt.Fprintf(w, "id: %d\nevent: change\ndata: {\"last_id\":%d,\"count\":%d}\n\n", last, last, len(evs)); err != nil || ctl.Flush() != nil {
				return
			}
		}
	}
}
