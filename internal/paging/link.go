package paging

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/warroomhq/warroom"
)

// Links signs and checks the acknowledge and resolve links in messages. A
// link names the incident, the recipient and the action, and expires; it is
// HMAC-SHA256 signed with a key kept in the database, so any instance can
// check a link another one issued.
type Links struct {
	// Key returns the signing key; it is fetched once and cached.
	Key     func(context.Context) ([]byte, error)
	BaseURL string

	mu  sync.Mutex
	key []byte
}

// base returns the external address links start with.
func (l *Links) base() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.BaseURL
}

// Base returns the external address links start with, which is also
// where providers' webhooks call back.
func (l *Links) Base() string { return l.base() }

// SetBaseURL changes the external address, for a server that learns its
// own address only once it listens (a port chosen by the system).
func (l *Links) SetBaseURL(u string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.BaseURL = u
}

// LinkClaim is what a valid link grants.
type LinkClaim struct {
	IncidentID int64
	UserID     int64
	Action     warroom.LinkAction
	Expires    time.Time
}

// errBadLink is the one answer for any forged, truncated or expired link:
// saying which would help a forger.
var errBadLink = warroom.Errorf(warroom.ENOTFOUND, "This link is not valid or has expired.")

func (l *Links) signingKey(ctx context.Context) ([]byte, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.key != nil {
		return l.key, nil
	}
	k, err := l.Key(ctx)
	if err != nil {
		return nil, fmt.Errorf("link key: %w", err)
	}
	l.key = k
	return k, nil
}

func sign(key []byte, payload string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// Token returns the signed token for a claim.
func (l *Links) Token(ctx context.Context, c LinkClaim) (string, error) {
	key, err := l.signingKey(ctx)
	if err != nil {
		return "", err
	}
	return signLink(key, c), nil
}

// signLink renders a claim as its signed token.
func signLink(key []byte, c LinkClaim) string {
	payload := fmt.Sprintf("%d.%d.%s.%d", c.IncidentID, c.UserID, c.Action, c.Expires.Unix())
	return payload + "." + sign(key, payload)
}

// URL returns the link for an action on an incident by a recipient.
func (l *Links) URL(ctx context.Context, incidentID, userID int64, action warroom.LinkAction, expires time.Time) (string, error) {
	t, err := l.Token(ctx, LinkClaim{IncidentID: incidentID, UserID: userID, Action: action, Expires: expires})
	if err != nil {
		return "", err
	}
	return l.base() + "/l/" + t, nil
}

// Check returns the claim of a token that is genuine and unexpired at now.
func (l *Links) Check(ctx context.Context, token string, now time.Time) (LinkClaim, error) {
	key, err := l.signingKey(ctx)
	if err != nil {
		return LinkClaim{}, err
	}
	return parseLink(key, token, now)
}

// parseLink verifies a token's signature before reading anything from it,
// so that nothing in an unsigned token is ever trusted.
func parseLink(key []byte, token string, now time.Time) (LinkClaim, error) {
	i := strings.LastIndexByte(token, '.')
	if i < 0 {
		return LinkClaim{}, errBadLink
	}
	payload, sig := token[:i], token[i+1:]
	if !hmac.Equal([]byte(sign(key, payload)), []byte(sig)) {
		return LinkClaim{}, errBadLink
	}
	parts := strings.Split(payload, ".")
	if len(parts) != 4 {
		return LinkClaim{}, errBadLink
	}
	inc, err1 := strconv.ParseInt(parts[0], 10, 64)
	user, err2 := strconv.ParseInt(parts[1], 10, 64)
	exp, err3 := strconv.ParseInt(parts[3], 10, 64)
	action := warroom.LinkAction(parts[2])
	if err := errors.Join(err1, err2, err3); err != nil || (action != warroom.LinkAcknowledge && action != warroom.LinkResolve) {
		return LinkClaim{}, errBadLink
	}
	c := LinkClaim{IncidentID: inc, UserID: user, Action: action, Expires: time.Unix(exp, 0)}
	if !now.Before(c.Expires) {
		return LinkClaim{}, errBadLink
	}
	return c, nil
}
