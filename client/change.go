package client

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/warroomhq/warroom"
)

type changeInput struct {
	Kind         warroom.ChangeKind   `json:"kind"`
	Title        string               `json:"title"`
	Description  string               `json:"description"`
	ServiceIDs   []int64              `json:"service_ids"`
	Links        []warroom.ChangeLink `json:"links"`
	PlannedStart any                  `json:"planned_start"`
	PlannedEnd   any                  `json:"planned_end"`
	Risk         warroom.Risk         `json:"risk"`
	RiskReason   string               `json:"risk_reason"`
	Evidence     warroom.Evidence     `json:"evidence"`
}

// CreateChange records a draft change; on success ch holds the stored
// fields, its number and proposed risk included.
func (c *Client) CreateChange(ctx context.Context, ch *warroom.Change) error {
	in := changeInput{Kind: ch.Kind, Title: ch.Title, Description: ch.Description, ServiceIDs: ch.ServiceIDs, Links: ch.Links,
		Risk: ch.Risk, RiskReason: ch.RiskReason, Evidence: ch.Evidence}
	if ch.PlannedStart != nil {
		in.PlannedStart, in.PlannedEnd = ch.PlannedStart, ch.PlannedEnd
	}
	return c.do(ctx, http.MethodPost, "/api/v1/changes", nil, in, ch)
}

// FindChangeByID returns one change.
func (c *Client) FindChangeByID(ctx context.Context, id int64) (*warroom.Change, error) {
	var ch warroom.Change
	if err := c.do(ctx, http.MethodGet, "/api/v1/changes/"+itoa(id), nil, nil, &ch); err != nil {
		return nil, err
	}
	return &ch, nil
}

type changeList struct {
	Changes []*warroom.Change `json:"changes"`
	Total   int               `json:"total"`
}

// FindChanges returns a page of changes, newest first, and the total.
func (c *Client) FindChanges(ctx context.Context, f warroom.ChangeFilter) ([]*warroom.Change, int, error) {
	q := url.Values{}
	for _, s := range f.States {
		q.Add("state", string(s))
	}
	if f.Kind != nil {
		q.Set("kind", string(*f.Kind))
	}
	if f.ServiceID != nil {
		q.Set("service", itoa(*f.ServiceID))
	}
	if f.AuthorID != nil {
		q.Set("author_id", itoa(*f.AuthorID))
	}
	if f.Violated != nil {
		q.Set("violated", strconv.FormatBool(*f.Violated))
	}
	if f.Query != nil {
		q.Set("q", *f.Query)
	}
	page(q, f.Offset, f.Limit)
	var out changeList
	if err := c.do(ctx, http.MethodGet, "/api/v1/changes", q, nil, &out); err != nil {
		return nil, 0, err
	}
	return out.Changes, out.Total, nil
}

// UpdateChange edits a change or adds evidence.
func (c *Client) UpdateChange(ctx context.Context, id int64, upd warroom.ChangeUpdate) (*warroom.Change, error) {
	var ch warroom.Change
	if err := c.do(ctx, http.MethodPatch, "/api/v1/changes/"+itoa(id), nil, upd, &ch); err != nil {
		return nil, err
	}
	return &ch, nil
}

// ChangeStep runs a lifecycle step on a change: "submit", "approve",
// "reject", "start", "complete", "fail" or "rollback"; comment is the
// approval comment, rejection or rollback reason, or note.
func (c *Client) ChangeStep(ctx context.Context, id int64, step, comment string) (*warroom.Change, error) {
	var ch warroom.Change
	body := map[string]string{"comment": comment}
	if err := c.do(ctx, http.MethodPost, "/api/v1/changes/"+itoa(id)+"/"+pathEscape(step), nil, body, &ch); err != nil {
		return nil, err
	}
	return &ch, nil
}

// CheckChange says what the policy would refuse if the change started now.
func (c *Client) CheckChange(ctx context.Context, id int64) (*warroom.PolicyCheck, error) {
	var chk warroom.PolicyCheck
	if err := c.do(ctx, http.MethodGet, "/api/v1/changes/"+itoa(id)+"/check", nil, nil, &chk); err != nil {
		return nil, err
	}
	return &chk, nil
}

// FindChangeEvents returns a change's timeline, oldest first.
func (c *Client) FindChangeEvents(ctx context.Context, id int64) ([]*warroom.ChangeEvent, error) {
	var out struct {
		Events []*warroom.ChangeEvent `json:"events"`
	}
	if err := c.do(ctx, http.MethodGet, "/api/v1/changes/"+itoa(id)+"/events", nil, nil, &out); err != nil {
		return nil, err
	}
	return out.Events, nil
}
