package ui_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store/storetest"
	"github.com/warroomhq/warroom/internal/ui"
)

// provider is a real, minimal OpenID Connect provider: discovery, JWKS, an
// authorization endpoint that signs in a fixed person at once, and a token
// endpoint that checks the client secret and PKCE verifier and returns an
// RS256-signed ID token. Nothing in warroom's verification is bypassed: it
// discovers this provider and checks its signatures like any other.
type provider struct {
	srv          *httptest.Server
	key          *rsa.PrivateKey
	signWith     *rsa.PrivateKey // normally key; another key forges tokens
	clientID     string
	clientSecret string

	mu     sync.Mutex
	claims map[string]any // the person who signs in next
	scope  string         // what the last authorization request asked for
	codes  map[string]codeGrant
}

type codeGrant struct {
	nonce, challenge, redirect string
}

func newProvider(t *testing.T) *provider {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	p := &provider{key: key, signWith: key, clientID: "warroom", clientSecret: "s3cret", codes: map[string]codeGrant{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]any{
			"issuer": p.srv.URL, "authorization_endpoint": p.srv.URL + "/authorize", "token_endpoint": p.srv.URL + "/token",
			"jwks_uri": p.srv.URL + "/jwks", "response_types_supported": []string{"code"}, "subject_types_supported": []string{"public"},
			"id_token_signing_alg_values_supported": []string{"RS256"},
		})
	})
	mux.HandleFunc("GET /jwks", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &p.key.PublicKey, KeyID: "k1", Algorithm: "RS256", Use: "sig"}}})
	})
	mux.HandleFunc("GET /authorize", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("client_id") != p.clientID || q.Get("response_type") != "code" || q.Get("code_challenge_method") != "S256" {
			http.Error(w, "bad authorization request", http.StatusBadRequest)
			return
		}
		code := strings.ToLower(rand.Text())
		p.mu.Lock()
		p.scope = q.Get("scope")
		p.codes[code] = codeGrant{nonce: q.Get("nonce"), challenge: q.Get("code_challenge"), redirect: q.Get("redirect_uri")}
		p.mu.Unlock()
		http.Redirect(w, r, q.Get("redirect_uri")+"?code="+code+"&state="+url.QueryEscape(q.Get("state")), http.StatusFound)
	})
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		id, secret, ok := r.BasicAuth()
		if !ok {
			id, secret = r.PostFormValue("client_id"), r.PostFormValue("client_secret")
		}
		p.mu.Lock()
		g, found := p.codes[r.PostFormValue("code")]
		delete(p.codes, r.PostFormValue("code"))
		claims := map[string]any{}
		for k, v := range p.claims {
			claims[k] = v
		}
		p.mu.Unlock()
		sum := sha256.Sum256([]byte(r.PostFormValue("code_verifier")))
		if id != p.clientID || secret != p.clientSecret || !found || g.redirect != r.PostFormValue("redirect_uri") ||
			base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte(`{"error":"invalid_grant"}`))
			return
		}
		signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: p.signWith}, (&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", "k1"))
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		now := time.Now()
		claims["iss"], claims["aud"], claims["nonce"] = p.srv.URL, p.clientID, g.nonce
		claims["iat"], claims["exp"] = now.Unix(), now.Add(5*time.Minute).Unix()
		idToken, err := jwt.Signed(signer).Claims(claims).Serialize()
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"access_token": "at-" + rand.Text(), "token_type": "Bearer", "expires_in": 300, "id_token": idToken})
	})
	p.srv = httptest.NewServer(mux)
	t.Cleanup(p.srv.Close)
	return p
}

func (p *provider) signIn(claims map[string]any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.claims = claims
}

// ssoLogin walks the browser through login → provider → callback and
// returns the callback's response.
func ssoLogin(t *testing.T, c *client) (*http.Response, string) {
	t.Helper()
	res, body := c.get("/auth/oidc/login?next=/profile")
	wantStatus(t, res, body, http.StatusFound)
	res, err := c.c.Get(res.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusFound {
		t.Fatalf("provider: status %d", res.StatusCode)
	}
	loc, _ := url.Parse(res.Header.Get("Location"))
	return c.get(loc.RequestURI())
}

func TestOIDC(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		p := newProvider(t)
		db := storetest.Open(t, engine, nil)
		var e *env
		o := &ui.OIDC{Issuer: p.srv.URL, ClientID: p.clientID, ClientSecret: p.clientSecret,
			RoleMap: map[string]warroom.UserRole{"sre": warroom.UserRoleResponder, "ops-leads": warroom.UserRoleAdmin, "vendors": warroom.UserRoleContractor},
			Scopes:  []string{"openid", "email", "profile", "groups"}}
		e = newEnvOIDC(t, db, o)
		o.RedirectURL = e.srv.URL + "/auth/oidc/callback"

		t.Run("ButtonShown", func(t *testing.T) {
			res, body := e.client(t).get("/login")
			wantStatus(t, res, body, http.StatusOK)
			if !strings.Contains(body, `href="/auth/oidc/login?next=%2fincidents"`) {
				t.Errorf("no SSO button on the login page")
			}
		})
		t.Run("NewUser", func(t *testing.T) {
			p.signIn(map[string]any{"sub": "u-1", "email": "mei@example.com", "email_verified": true, "name": "Mei", "groups": []string{"staff", "sre"}})
			c := e.client(t)
			res, body := ssoLogin(t, c)
			if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/profile" {
				t.Fatalf("callback: %d to %q: %.300s", res.StatusCode, res.Header.Get("Location"), body)
			}
			res, body = c.get("/profile")
			wantStatus(t, res, body, http.StatusOK)
			us, _, err := db.FindUsers(t.Context(), warroom.UserFilter{Email: ptr("mei@example.com")})
			if err != nil || len(us) != 1 || us[0].Role != warroom.UserRoleResponder || us[0].Name != "Mei" {
				t.Fatalf("users = %+v, %v; want Mei, responder", us, err)
			}
			p.mu.Lock()
			scope := p.scope
			p.mu.Unlock()
			if scope != "openid email profile groups" {
				t.Errorf("requested scope %q, want the configured \"openid email profile groups\"", scope)
			}
		})
		t.Run("RoleFollowsGroups", func(t *testing.T) {
			p.signIn(map[string]any{"sub": "u-1", "email": "mei@example.com", "groups": []string{"ops-leads", "sre"}})
			res, body := ssoLogin(t, e.client(t))
			wantStatus(t, res, body, http.StatusSeeOther)
			us, _, _ := db.FindUsers(t.Context(), warroom.UserFilter{Email: ptr("mei@example.com")})
			if len(us) != 1 || us[0].Role != warroom.UserRoleAdmin {
				t.Fatalf("users = %+v; want one admin", us)
			}
			// The promotion is the mapping's doing, not Mei's.
			act, target := warroom.AuditUserSSORole, strconv.FormatInt(us[0].ID, 10)
			es, _, err := db.FindAuditEntries(t.Context(), warroom.AuditFilter{Action: &act, TargetID: &target})
			if err != nil || len(es) != 1 || es[0].ActorID != 0 ||
				!strings.Contains(string(es[0].Data), `"by":"sso_mapping"`) || !strings.Contains(string(es[0].Data), `"values":["ops-leads","sre"]`) {
				t.Fatalf("audit = %+v, %v; want one user.sso_role by the system naming the groups", es, err)
			}
			if es, _, _ := db.FindAuditEntries(t.Context(), warroom.AuditFilter{ActorID: &us[0].ID, Action: ptr(warroom.AuditUserUpdate)}); len(es) != 0 {
				t.Errorf("the role change is attributed to the user: %+v", es[0])
			}
			if !strings.Contains(string(es[0].Data), `"to":"admin"`) {
				t.Errorf("audit data %s does not show the new role", es[0].Data)
			}
		})
		for name, claims := range map[string]map[string]any{
			"NoMappedGroup":   {"sub": "u-2", "email": "x@example.com", "groups": []string{"staff"}},
			"UnverifiedEmail": {"sub": "u-3", "email": "y@example.com", "email_verified": false, "groups": []string{"sre"}},
		} {
			t.Run(name, func(t *testing.T) {
				p.signIn(claims)
				res, body := ssoLogin(t, e.client(t))
				wantStatus(t, res, body, http.StatusUnauthorized)
			})
		}
		t.Run("ForgedSignature", func(t *testing.T) {
			other, _ := rsa.GenerateKey(rand.Reader, 2048)
			p.mu.Lock()
			p.signWith = other
			p.mu.Unlock()
			defer func() { p.mu.Lock(); p.signWith = p.key; p.mu.Unlock() }()
			p.signIn(map[string]any{"sub": "evil", "email": "evil@example.com", "groups": []string{"ops-leads"}})
			res, body := ssoLogin(t, e.client(t))
			wantStatus(t, res, body, http.StatusUnauthorized)
			if us, _, _ := db.FindUsers(t.Context(), warroom.UserFilter{Email: ptr("evil@example.com")}); len(us) != 0 {
				t.Errorf("a forged token created %+v", us)
			}
		})
		t.Run("StateMismatch", func(t *testing.T) {
			p.signIn(map[string]any{"sub": "u-1", "email": "mei@example.com", "groups": []string{"sre"}})
			c := e.client(t)
			res, body := c.get("/auth/oidc/login")
			wantStatus(t, res, body, http.StatusFound)
			res, body = c.get("/auth/oidc/callback?code=whatever&state=forged")
			wantStatus(t, res, body, http.StatusUnauthorized)
		})
	})
}

func ptr[T any](v T) *T { return &v }
