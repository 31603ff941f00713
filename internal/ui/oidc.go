package ui

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/warroomhq/warroom"
)

// OIDC configures single sign-on with an OpenID Connect provider. The
// provider proves who a person is; the claim named by RoleClaim (a list of
// groups, usually) decides their role at every login.
type OIDC struct {
	// Issuer is the provider's issuer URL; its discovery document is read
	// at the first login.
	Issuer       string
	ClientID     string
	ClientSecret string
	// RedirectURL is this server's /auth/oidc/callback as the provider
	// knows it.
	RedirectURL string
	// RoleClaim names the claim mapped to roles; "" means "groups".
	RoleClaim string
	// RoleMap maps a claim value to a role; the most privileged match wins.
	RoleMap map[string]warroom.UserRole
	// DefaultRole is given when nothing matches; "" refuses such people.
	DefaultRole warroom.UserRole
	// Scopes are requested at the provider; nil means DefaultOIDCScopes.
	// Some providers put groups in the ID token only when asked for a
	// "groups" scope.
	Scopes []string
	// HTTPClient reaches the provider; nil means http.DefaultClient.
	HTTPClient *http.Client

	mu       sync.Mutex
	config   *oauth2.Config
	verifier *oidc.IDTokenVerifier
}

// DefaultOIDCScopes are the scopes requested when none are configured.
var DefaultOIDCScopes = []string{oidc.ScopeOpenID, "email", "profile"}

// oidcCookie carries state, nonce, PKCE verifier and the page to return to
// across the trip to the provider. It is SameSite=Lax because the provider
// sends the browser back with a top-level GET from another site.
const oidcCookie = "warroom_oidc"

// setup discovers the provider once; a failure is retried at the next
// login rather than stopping the server, which should start even when the
// provider is down.
func (o *OIDC) setup(ctx context.Context) (*oauth2.Config, *oidc.IDTokenVerifier, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.config != nil {
		return o.config, o.verifier, nil
	}
	p, err := oidc.NewProvider(o.context(ctx), o.Issuer)
	if err != nil {
		return nil, nil, fmt.Errorf("oidc: discover %s: %w", o.Issuer, err)
	}
	o.config = &oauth2.Config{ClientID: o.ClientID, ClientSecret: o.ClientSecret, RedirectURL: o.RedirectURL,
		Endpoint: p.Endpoint(), Scopes: o.Scopes}
	if len(o.config.Scopes) == 0 {
		o.config.Scopes = DefaultOIDCScopes
	}
	o.verifier = p.Verifier(&oidc.Config{ClientID: o.ClientID})
	return o.config, o.verifier, nil
}

func (o *OIDC) context(ctx context.Context) context.Context {
	if o.HTTPClient != nil {
		return oidc.ClientContext(ctx, o.HTTPClient)
	}
	return ctx
}

// role maps the claim's values to the most privileged matching role.
func (o *OIDC) role(values []string) warroom.UserRole {
	best := -1
	for _, v := range values {
		r, ok := o.RoleMap[v]
		if !ok {
			continue
		}
		for i, known := range warroom.UserRoles {
			if known == r && (best < 0 || i < best) {
				best = i
			}
		}
	}
	if best < 0 {
		return o.DefaultRole
	}
	return warroom.UserRoles[best]
}

func (h *Handler) oidcLogin(w http.ResponseWriter, r *http.Request, rc *request) {
	o := h.d.OIDC
	if o == nil {
		h.renderError(w, r, rc, http.StatusNotFound, rc.L.T("login.sso_off"))
		return
	}
	cfg, _, err := o.setup(r.Context())
	if err != nil {
		h.d.Logger.Error("ui: sso", "err", err)
		h.renderError(w, r, rc, http.StatusBadGateway, rc.L.T("login.sso_failed"))
		return
	}
	state, nonce, verifier := randomToken(), randomToken(), oauth2.GenerateVerifier()
	next := safeNext(r.URL.Query().Get("next"))
	http.SetCookie(w, &http.Cookie{Name: oidcCookie, Value: strings.Join([]string{state, nonce, verifier, next}, "|"), Path: "/auth/oidc/",
		HttpOnly: true, Secure: h.d.Secure, SameSite: http.SameSiteLaxMode, MaxAge: 600})
	http.Redirect(w, r, cfg.AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)), http.StatusFound)
}

// errSSO is every refusal of a callback; the reason goes to the log only.
var errSSO = errors.New("sso refused")

func (h *Handler) oidcCallback(w http.ResponseWriter, r *http.Request, rc *request) {
	o := h.d.OIDC
	if o == nil {
		h.renderError(w, r, rc, http.StatusNotFound, rc.L.T("login.sso_off"))
		return
	}
	http.SetCookie(w, &http.Cookie{Name: oidcCookie, Path: "/auth/oidc/", MaxAge: -1})
	u, next, err := h.oidcUser(r)
	if err != nil {
		level := h.d.Logger.Warn
		if !errors.Is(err, errSSO) && warroom.ErrorCode(err) == warroom.EINTERNAL {
			level = h.d.Logger.Error
		}
		level("ui: sso login refused", "err", err)
		h.renderLogin(w, r, rc, http.StatusUnauthorized, loginData{Next: "/incidents", Error: rc.L.T("login.sso_failed"), SSO: true})
		return
	}
	if err := h.startSession(w, r, u); err != nil {
		h.fail(w, r, rc, err)
		return
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// oidcUser checks the callback against the cookie, exchanges the code, has
// the ID token's signature, issuer, audience, expiry and nonce verified,
// and signs the person in.
func (h *Handler) oidcUser(r *http.Request) (*warroom.User, string, error) {
	o := h.d.OIDC
	c, err := r.Cookie(oidcCookie)
	if err != nil {
		return nil, "", fmt.Errorf("%w: no state cookie", errSSO)
	}
	parts := strings.SplitN(c.Value, "|", 4)
	if len(parts) != 4 {
		return nil, "", fmt.Errorf("%w: malformed state cookie", errSSO)
	}
	state, nonce, verifier, next := parts[0], parts[1], parts[2], safeNext(parts[3])
	q := r.URL.Query()
	if e := q.Get("error"); e != "" {
		return nil, "", fmt.Errorf("%w: provider says %.100q", errSSO, e)
	}
	if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(state)) != 1 {
		return nil, "", fmt.Errorf("%w: state mismatch", errSSO)
	}
	cfg, v, err := o.setup(r.Context())
	if err != nil {
		return nil, "", err
	}
	ctx := o.context(r.Context())
	tok, err := cfg.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		return nil, "", fmt.Errorf("%w: exchange: %v", errSSO, err)
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok {
		return nil, "", fmt.Errorf("%w: no id_token", errSSO)
	}
	idt, err := v.Verify(ctx, raw)
	if err != nil {
		return nil, "", fmt.Errorf("%w: %v", errSSO, err)
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(nonce)) != 1 {
		return nil, "", fmt.Errorf("%w: nonce mismatch", errSSO)
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		return nil, "", fmt.Errorf("%w: claims: %v", errSSO, err)
	}
	email, _ := claims["email"].(string)
	if verified, ok := claims["email_verified"].(bool); ok && !verified {
		return nil, "", fmt.Errorf("%w: email %q not verified", errSSO, email)
	}
	name, _ := claims["name"].(string)
	claim := o.RoleClaim
	if claim == "" {
		claim = "groups"
	}
	var values []string
	switch g := claims[claim].(type) {
	case string:
		values = []string{g}
	case []any:
		for _, x := range g {
			if s, ok := x.(string); ok {
				values = append(values, s)
			}
		}
	}
	role := o.role(values)
	if role == "" {
		return nil, "", fmt.Errorf("%w: %s has no group mapped to a role", errSSO, email)
	}
	u, err := h.d.Users.LoginExternal(r.Context(), warroom.ExternalIdentity{Issuer: idt.Issuer, Subject: idt.Subject, Email: email, Name: name, Role: role,
		RoleClaim: claim, RoleValues: values})
	if err != nil {
		return nil, "", err
	}
	return u, next, nil
}
