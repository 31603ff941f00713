package client

import (
	"context"
	"net/http"
	"net/url"

	"github.com/warroomhq/warroom"
)

type auditList struct {
	Entries []*warroom.AuditEntry `json:"entries"`
	Total   int                   `json:"total"`
}

// FindAuditEntries returns a page of the audit log, newest first, and the
// total.
func (c *Client) FindAuditEntries(ctx context.Context, filter warroom.AuditFilter) ([]*warroom.AuditEntry, int, error) {
	q := url.Values{}
	if filter.ActorID != nil {
		q.Set("actor_id", itoa(*filter.ActorID))
	}
	if filter.Action != nil {
		q.Set("action", string(*filter.Action))
	}
	if filter.TargetType != nil {
		q.Set("target_type", *filter.TargetType)
	}
	if filter.TargetID != nil {
		q.Set("target_id", *filter.TargetID)
	}
	if filter.BeforeID != nil {
		q.Set("before_id", itoa(*filter.BeforeID))
	}
	page(q, filter.Offset, filter.Limit)
	var out auditList
	if err := c.do(ctx, http.MethodGet, "/api/v1/audit", q, nil, &out); err != nil {
		return nil, 0, err
	}
	return out.Entries, out.Total, nil
}
