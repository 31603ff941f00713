package client

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/warroomhq/warroom"
)

// Me returns the user the client's token belongs to.
func (c *Client) Me(ctx context.Context) (*warroom.User, error) {
	var u warroom.User
	if err := c.do(ctx, http.MethodGet, "/api/v1/me", nil, nil, &u); err != nil {
		return nil, err
	}
	return &u, nil
}

type userList struct {
	Users []*warroom.User `json:"users"`
	Total int             `json:"total"`
}

// FindUsers returns a page of users and the total. Only filter.Active,
// Offset and Limit are sent; the API has no other user filters.
func (c *Client) FindUsers(ctx context.Context, filter warroom.UserFilter) ([]*warroom.User, int, error) {
	q := url.Values{}
	if filter.Active != nil {
		q.Set("active", strconv.FormatBool(*filter.Active))
	}
	page(q, filter.Offset, filter.Limit)
	var out userList
	if err := c.do(ctx, http.MethodGet, "/api/v1/users", q, nil, &out); err != nil {
		return nil, 0, err
	}
	return out.Users, out.Total, nil
}

// FindUserByID returns one user.
func (c *Client) FindUserByID(ctx context.Context, id int64) (*warroom.User, error) {
	var u warroom.User
	if err := c.do(ctx, http.MethodGet, "/api/v1/users/"+itoa(id), nil, nil, &u); err != nil {
		return nil, err
	}
	return &u, nil
}

type userRequest struct {
	Name     string           `json:"name"`
	Email    string           `json:"email"`
	Role     warroom.UserRole `json:"role"`
	Locale   string           `json:"locale,omitempty"`
	TimeZone string           `json:"time_zone,omitempty"`
	Password string           `json:"password,omitempty"`
}

// CreateUser adds a user with an optional password for the web UI; on
// success u holds the stored fields.
func (c *Client) CreateUser(ctx context.Context, u *warroom.User, password string) error {
	req := userRequest{Name: u.Name, Email: u.Email, Role: u.Role, Locale: u.Locale, TimeZone: u.TimeZone, Password: password}
	return c.do(ctx, http.MethodPost, "/api/v1/users", nil, req, u)
}

// UpdateUser changes the fields set in upd.
func (c *Client) UpdateUser(ctx context.Context, id int64, upd warroom.UserUpdate) (*warroom.User, error) {
	var u warroom.User
	if err := c.do(ctx, http.MethodPatch, "/api/v1/users/"+itoa(id), nil, upd, &u); err != nil {
		return nil, err
	}
	return &u, nil
}

type tokenList struct {
	Tokens []*warroom.Token `json:"tokens"`
}

// FindTokens lists a user's tokens, revoked ones included.
func (c *Client) FindTokens(ctx context.Context, userID int64) ([]*warroom.Token, error) {
	var out tokenList
	if err := c.do(ctx, http.MethodGet, "/api/v1/users/"+itoa(userID)+"/tokens", nil, nil, &out); err != nil {
		return nil, err
	}
	return out.Tokens, nil
}

type tokenRequest struct {
	Name      string     `json:"name"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
}

type tokenResponse struct {
	Token  *warroom.Token `json:"token"`
	Secret string         `json:"secret"`
}

// CreateToken issues a token for a user and returns it with its secret,
// which the server never shows again.
func (c *Client) CreateToken(ctx context.Context, userID int64, name string, expiresAt *time.Time) (*warroom.Token, string, error) {
	var out tokenResponse
	if err := c.do(ctx, http.MethodPost, "/api/v1/users/"+itoa(userID)+"/tokens", nil, tokenRequest{Name: name, ExpiresAt: expiresAt}, &out); err != nil {
		return nil, "", err
	}
	return out.Token, out.Secret, nil
}

// RevokeToken revokes one of a user's tokens.
func (c *Client) RevokeToken(ctx context.Context, userID, tokenID int64) error {
	return c.do(ctx, http.MethodDelete, "/api/v1/users/"+itoa(userID)+"/tokens/"+itoa(tokenID), nil, nil, nil)
}
