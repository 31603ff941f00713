package client

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/warroomhq/warroom"
)

// CreatePostmortem starts an incident's postmortem from a template (nil
// means the default).
func (c *Client) CreatePostmortem(ctx context.Context, ref string, templateID *int64) (*warroom.Postmortem, error) {
	p, err := incidentPath(ref)
	if err != nil {
		return nil, err
	}
	var out warroom.Postmortem
	if err := c.do(ctx, http.MethodPost, p+"/postmortem", nil, map[string]any{"template_id": templateID}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// FindPostmortemByIncident returns an incident's postmortem, filled.
func (c *Client) FindPostmortemByIncident(ctx context.Context, ref string) (*warroom.Postmortem, error) {
	p, err := incidentPath(ref)
	if err != nil {
		return nil, err
	}
	var out warroom.Postmortem
	if err := c.do(ctx, http.MethodGet, p+"/postmortem", nil, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ExportPostmortem returns a postmortem rendered as "md" or "html".
func (c *Client) ExportPostmortem(ctx context.Context, postmortemID int64, format string) ([]byte, error) {
	var out []byte
	q := url.Values{"format": {format}}
	if err := c.do(ctx, http.MethodGet, "/api/v1/postmortems/"+itoa(postmortemID)+"/export", q, nil, &out); err != nil {
		return nil, err
	}
	return out, nil
}

type actionItemList struct {
	Items []*warroom.ActionItem `json:"action_items"`
	Total int                   `json:"total"`
}

// FindActionItems returns a page of action items and the total. owner may
// be "me", a user ID or "" for anyone's.
func (c *Client) FindActionItems(ctx context.Context, owner string, statuses []warroom.ActionItemStatus, offset, limit int) ([]*warroom.ActionItem, int, error) {
	q := url.Values{}
	if owner != "" {
		q.Set("owner", owner)
	}
	for _, s := range statuses {
		q.Add("status", string(s))
	}
	page(q, offset, limit)
	var out actionItemList
	if err := c.do(ctx, http.MethodGet, "/api/v1/action-items", q, nil, &out); err != nil {
		return nil, 0, err
	}
	return out.Items, out.Total, nil
}

// UpdateActionItem changes an action item.
func (c *Client) UpdateActionItem(ctx context.Context, id int64, upd warroom.ActionItemUpdate) (*warroom.ActionItem, error) {
	var out warroom.ActionItem
	if err := c.do(ctx, http.MethodPatch, "/api/v1/action-items/"+itoa(id), nil, upd, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

type hitList struct {
	Hits  []*warroom.SearchHit `json:"hits"`
	Total int                  `json:"total"`
}

// Search searches incidents, notes, status updates and postmortems. Of the
// query, Text, Severities, DocTypes, Type, CauseCategory, After, Before,
// Offset and Limit are sent; service names a service by ID or name.
func (c *Client) Search(ctx context.Context, sq warroom.SearchQuery, service string) ([]*warroom.SearchHit, int, error) {
	q := url.Values{"q": {sq.Text}}
	if service != "" {
		q.Set("service", service)
	}
	if sq.Type != nil {
		q.Set("type", string(*sq.Type))
	}
	if sq.CauseCategory != nil {
		q.Set("cause", string(*sq.CauseCategory))
	}
	var sevs, types []string
	for _, s := range sq.Severities {
		sevs = append(sevs, string(s))
	}
	for _, t := range sq.DocTypes {
		types = append(types, string(t))
	}
	if len(sevs) > 0 {
		q.Set("severity", strings.Join(sevs, ","))
	}
	if len(types) > 0 {
		q.Set("doc_type", strings.Join(types, ","))
	}
	if sq.After != nil {
		q.Set("after", sq.After.UTC().Format("2006-01-02T15:04:05Z"))
	}
	if sq.Before != nil {
		q.Set("before", sq.Before.UTC().Format("2006-01-02T15:04:05Z"))
	}
	page(q, sq.Offset, sq.Limit)
	var out hitList
	if err := c.do(ctx, http.MethodGet, "/api/v1/search", q, nil, &out); err != nil {
		return nil, 0, err
	}
	return out.Hits, out.Total, nil
}

// FindSimilarIncidents returns past incidents like the one named by ref.
func (c *Client) FindSimilarIncidents(ctx context.Context, ref string, limit int) ([]*warroom.SimilarIncident, error) {
	id, err := warroom.ParseNumber(ref)
	if err != nil {
		return nil, err
	}
	var out struct {
		Incidents []*warroom.SimilarIncident `json:"incidents"`
	}
	q := url.Values{"limit": {strconv.Itoa(limit)}}
	if err := c.do(ctx, http.MethodGet, "/api/v1/similar-incidents/"+itoa(id), q, nil, &out); err != nil {
		return nil, err
	}
	return out.Incidents, nil
}
