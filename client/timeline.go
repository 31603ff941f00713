package client

import (
	"context"
	"net/http"
	"net/url"

	"github.com/warroomhq/warroom"
)

type eventList struct {
	Events []*warroom.Event `json:"events"`
	Total  int              `json:"total"`
}

// FindEvents returns a page of an incident's timeline and the total.
// filter.IncidentID is ignored: the incident is ref.
func (c *Client) FindEvents(ctx context.Context, ref string, filter warroom.EventFilter) ([]*warroom.Event, int, error) {
	p, err := incidentPath(ref)
	if err != nil {
		return nil, 0, err
	}
	q := url.Values{}
	for _, k := range filter.Kinds {
		q.Add("kind", string(k))
	}
	if filter.AfterID > 0 {
		q.Set("after_id", itoa(filter.AfterID))
	}
	if filter.Ascending {
		q.Set("order", "asc")
	}
	page(q, filter.Offset, filter.Limit)
	var out eventList
	if err := c.do(ctx, http.MethodGet, p+"/events", q, nil, &out); err != nil {
		return nil, 0, err
	}
	return out.Events, out.Total, nil
}

// AddNote adds a note or a status update to an incident's timeline.
func (c *Client) AddNote(ctx context.Context, ref string, note warroom.NoteInput) (*warroom.Event, error) {
	p, err := incidentPath(ref)
	if err != nil {
		return nil, err
	}
	var ev warroom.Event
	if err := c.do(ctx, http.MethodPost, p+"/notes", nil, note, &ev); err != nil {
		return nil, err
	}
	return &ev, nil
}
