package notify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// maxResponse bounds how much of a receiver's answer is read: enough for
// any vendor's error JSON, not enough to be a memory problem.
const maxResponse = 64 << 10

// Send performs req and classifies the outcome the way every HTTP channel
// needs: 2xx is success; 408, 425, 429 and 5xx are retryable, honouring
// Retry-After; other statuses are permanent; network errors and timeouts
// are retryable; a destination the outbound Policy refuses is permanent,
// and so is a redirect, which Policy.Client does not follow. It returns
// the response body for vendors that report errors inside a 200.
func Send(client *http.Client, req *http.Request) (body []byte, retry bool, err error) {
	resp, err := client.Do(req)
	if err != nil {
		var refused *RefusedError
		if errors.As(err, &refused) {
			// The policy answers the same next time; only an admin can
			// change it.
			return nil, false, fmt.Errorf("post: %w", refused)
		}
		// Every other transport failure (refused, reset, timeout, DNS)
		// may pass.
		return nil, true, fmt.Errorf("post: %w", redactURL(err))
	}
	defer resp.Body.Close()
	body, _ = io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	switch s := resp.StatusCode; {
	case s >= 200 && s < 300:
		return body, false, nil
	case s == http.StatusTooManyRequests || s == http.StatusServiceUnavailable || s == http.StatusRequestTimeout || s == http.StatusTooEarly || s >= 500:
		err := fmt.Errorf("receiver answered %s: %s", resp.Status, snippet(body))
		if d, ok := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
			return body, true, &RetryAfterError{After: d, Err: err}
		}
		return body, true, err
	default:
		return body, false, fmt.Errorf("receiver answered %s: %s", resp.Status, snippet(body))
	}
}

// redactURL drops the URL from a client error: webhook URLs carry their
// credentials, and errors end up on the timeline.
func redactURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}

// parseRetryAfter reads delay-seconds or an HTTP date (RFC 9110 §10.2.3).
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return time.Duration(n) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

func snippet(b []byte) string {
	if len(b) > 200 {
		return string(b[:200]) + "…"
	}
	return string(b)
}

// NewRequest builds a JSON POST with the headers every channel sends.
func NewRequest(ctx context.Context, url string, body []byte) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("request: %w", redactURL(err))
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("User-Agent", "warroom")
	return req, nil
}
