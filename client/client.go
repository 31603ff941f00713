// Package client is the Go client of warroom's HTTP API (/api/v1). It speaks
// the contract in docs/api.md and returns the domain types of the root
// package, so that the command-line tool and the end-to-end tests use the
// same values the server does.
//
// Errors the API reports come back as *warroom.Error: callers test them with
// warroom.ErrorCode and show warroom.ErrorMessage, exactly as they would for
// an error from a service running in-process.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/warroomhq/warroom"
)

// DefaultTimeout bounds a whole request, body included, when the caller's
// context sets no earlier deadline. A hung server must not hang a script.
const DefaultTimeout = 30 * time.Second

// maxResponseSize caps how much of a response is read, so that a wrong URL
// pointing at something that streams forever cannot exhaust memory.
const maxResponseSize = 64 << 20

// Client calls one warroom server with one API token. It is safe for
// concurrent use.
type Client struct {
	baseURL   *url.URL
	token     string
	http      *http.Client
	userAgent string
}

// Option configures a Client.
type Option func(*Client)

// WithHTTPClient replaces the HTTP client, e.g. to add a proxy or TLS
// settings. Its Timeout applies as set.
func WithHTTPClient(h *http.Client) Option {
	return func(c *Client) { c.http = h }
}

// WithTimeout sets the timeout of every request.
func WithTimeout(d time.Duration) Option {
	return func(c *Client) {
		h := *c.http
		h.Timeout = d
		c.http = &h
	}
}

// WithUserAgent sets the User-Agent header.
func WithUserAgent(ua string) Option {
	return func(c *Client) { c.userAgent = ua }
}

// New returns a client for the server at baseURL (e.g.
// "http://127.0.0.1:8080") authenticating with token. A baseURL that cannot
// be parsed makes every call fail with an error saying so.
func New(baseURL, token string, opts ...Option) *Client {
	c := &Client{
		token:     token,
		http:      &http.Client{Timeout: DefaultTimeout},
		userAgent: "warroom-client",
	}
	if u, err := url.Parse(strings.TrimRight(baseURL, "/")); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
		c.baseURL = u
	}
	for _, opt := range opts {
		opt(c)
	}
	return c
}

// Health calls /healthz and returns nil when the process is up.
func (c *Client) Health(ctx context.Context) error {
	return c.do(ctx, http.MethodGet, "/healthz", nil, nil, nil)
}

// Ready calls /readyz and returns nil when the server can serve requests
// (its database answers).
func (c *Client) Ready(ctx context.Context) error {
	return c.do(ctx, http.MethodGet, "/readyz", nil, nil, nil)
}

// do sends one request. in, if not nil, is encoded as the JSON body; out, if
// not nil, receives the decoded JSON response.
func (c *Client) do(ctx context.Context, method, path string, query url.Values, in, out any) error {
	if c.baseURL == nil {
		return fmt.Errorf("%s %s: the server address must be an http:// or https:// URL", method, path)
	}
	// path arrives escaped (see pathEscape), so it is appended as is.
	u := c.baseURL.String() + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}

	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("%s %s: encode body: %w", method, path, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}

	resp, err := c.http.Do(req)
	if err != nil {
		// url.Error repeats the method and URL in a form people find
		// harder to read; keep only its cause, which errors.Is still sees.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("%s %s%s: %w", method, c.baseURL, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseSize))
	if err != nil {
		return fmt.Errorf("%s %s: read response: %w", method, path, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return decodeError(resp.StatusCode, b)
	}
	if out == nil || resp.StatusCode == http.StatusNoContent {
		return nil
	}
	// Exports are documents, not JSON: a *[]byte takes the body as is.
	if raw, ok := out.(*[]byte); ok {
		*raw = b
		return nil
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("%s %s: decode response: %w", method, path, err)
	}
	return nil
}

// errorResponse is the API's error envelope.
type errorResponse struct {
	Error *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field"`
	} `json:"error"`
}

// decodeError turns an error response into a *warroom.Error. A body that is
// not the API's envelope (a proxy's HTML page, say) still yields the code
// its status stands for, so callers can rely on warroom.ErrorCode.
func decodeError(status int, body []byte) error {
	var er errorResponse
	if err := json.Unmarshal(body, &er); err == nil && er.Error != nil && er.Error.Code != "" {
		return &warroom.Error{Code: er.Error.Code, Message: er.Error.Message, Field: er.Error.Field}
	}
	msg := strconv.Itoa(status) + " " + http.StatusText(status)
	return &warroom.Error{Code: codeForStatus(status), Message: "unexpected response from the server: " + msg}
}

// codeForStatus mirrors the server's status table in docs/api.md.
func codeForStatus(status int) string {
	switch status {
	case http.StatusBadRequest:
		return warroom.EMALFORMED
	case http.StatusUnauthorized:
		return warroom.EUNAUTHORIZED
	case http.StatusForbidden:
		return warroom.EFORBIDDEN
	case http.StatusNotFound:
		return warroom.ENOTFOUND
	case http.StatusConflict:
		return warroom.ECONFLICT
	case http.StatusRequestEntityTooLarge:
		return warroom.ETOOLARGE
	case http.StatusUnprocessableEntity:
		return warroom.EINVALID
	}
	return warroom.EINTERNAL
}

// IsAPIError reports whether err was reported by the server (as opposed to
// a network or encoding failure on the way).
func IsAPIError(err error) bool {
	var e *warroom.Error
	return errors.As(err, &e)
}

// incidentPath returns the path of an incident given as "INC-42", "inc-42"
// or "42". The reference is parsed rather than pasted into the URL so that
// nothing but a number ever reaches the path.
func incidentPath(ref string) (string, error) {
	id, err := warroom.ParseNumber(ref)
	if err != nil {
		return "", err
	}
	return "/api/v1/incidents/" + strconv.FormatInt(id, 10), nil
}

// page adds offset and limit to a query when they are set.
func page(q url.Values, offset, limit int) {
	if offset > 0 {
		q.Set("offset", strconv.Itoa(offset))
	}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// pathEscape escapes a name used as a path segment, such as a service name.
func pathEscape(s string) string { return url.PathEscape(s) }
