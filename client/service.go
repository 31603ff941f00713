package client

import (
	"context"
	"net/http"
	"net/url"

	"github.com/warroomhq/warroom"
)

type serviceList struct {
	Services []*warroom.Service `json:"services"`
	Total    int                `json:"total"`
}

// FindServices returns a page of services and the total. filter.ID and
// filter.Name are not sent: use FindServiceByID or FindServiceByName.
func (c *Client) FindServices(ctx context.Context, filter warroom.ServiceFilter) ([]*warroom.Service, int, error) {
	q := url.Values{}
	if filter.Team != nil {
		q.Set("team", *filter.Team)
	}
	if filter.Query != nil {
		q.Set("q", *filter.Query)
	}
	page(q, filter.Offset, filter.Limit)
	var out serviceList
	if err := c.do(ctx, http.MethodGet, "/api/v1/services", q, nil, &out); err != nil {
		return nil, 0, err
	}
	return out.Services, out.Total, nil
}

// FindServiceByID returns one service.
func (c *Client) FindServiceByID(ctx context.Context, id int64) (*warroom.Service, error) {
	return c.findService(ctx, itoa(id))
}

// FindServiceByName returns one service by its name.
func (c *Client) FindServiceByName(ctx context.Context, name string) (*warroom.Service, error) {
	return c.findService(ctx, name)
}

func (c *Client) findService(ctx context.Context, key string) (*warroom.Service, error) {
	var s warroom.Service
	if err := c.do(ctx, http.MethodGet, "/api/v1/services/"+pathEscape(key), nil, nil, &s); err != nil {
		return nil, err
	}
	return &s, nil
}

type serviceRequest struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	Team        string `json:"team"`
	Tier        int    `json:"tier"`
}

// CreateService adds a service; on success s holds the stored fields.
func (c *Client) CreateService(ctx context.Context, s *warroom.Service) error {
	req := serviceRequest{Name: s.Name, Description: s.Description, Team: s.Team, Tier: s.Tier}
	return c.do(ctx, http.MethodPost, "/api/v1/services", nil, req, s)
}

// UpdateService changes the fields set in upd.
func (c *Client) UpdateService(ctx context.Context, id int64, upd warroom.ServiceUpdate) (*warroom.Service, error) {
	var s warroom.Service
	if err := c.do(ctx, http.MethodPatch, "/api/v1/services/"+itoa(id), nil, upd, &s); err != nil {
		return nil, err
	}
	return &s, nil
}
