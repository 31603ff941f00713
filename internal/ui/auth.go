package ui

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/server"
)

// Cookie names. The login cookie carries a one-off token for the login form
// itself, which has no session to bind a CSRF token to yet.
const (
	sessionCookie = "warroom_session"
	loginCookie   = "warroom_login"
	csrfField     = "csrf_token"
	csrfHeader    = "X-CSRF-Token"
	maxFormBytes  = 1 << 20
)

// request is what every handler knows about the person asking.
type request struct {
	User    *warroom.User
	Session *warroom.Session
	L       *lang
}

// wrap resolves the session and language, then enforces login, the CSRF
// token on POSTs and the route's permission, in that order, before fn runs.
func (h *Handler) wrap(rt Route, fn handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			// Forms are small; the matrix editor is the largest.
			r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
		}
		rc := &request{}
		ctx := warroom.NewContextWithSource(r.Context(), clientAddr(r))
		if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
			if s, u, err := h.d.Sessions.FindSession(ctx, c.Value); err == nil {
				rc.Session, rc.User = s, u
				ctx = warroom.NewContextWithUser(ctx, u)
			} else if warroom.ErrorCode(err) != warroom.EUNAUTHORIZED {
				h.d.Logger.Error("ui: find session", "err", err)
			}
		}
		r = r.WithContext(ctx)
		rc.L = h.lang(r, rc.User)
		if r.Method == http.MethodPost {
			// PostgreSQL refuses NUL and bytes that are not UTF-8 where
			// SQLite stores them; a 400 on both beats a 500 on one.
			// A file upload (a calendar import) is parsed here too, so
			// that its CSRF field and text fields are checked alike.
			if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
				_ = r.ParseMultipartForm(maxFormBytes)
			} else {
				_ = r.ParseForm()
			}
			if name := server.NotText(r.PostForm); name != "" {
				h.renderError(w, r, rc, http.StatusBadRequest, rc.L.T("error.not_text", "Field", name))
				return
			}
		}

		if rt.Permission == none {
			fn(w, r, rc)
			return
		}
		if rc.User == nil {
			if r.Method == http.MethodGet || r.Method == http.MethodHead {
				http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			h.renderError(w, r, rc, http.StatusUnauthorized, rc.L.T("error.login_required"))
			return
		}
		if r.Method == http.MethodPost && !validCSRF(r, rc.Session.CSRFToken) {
			h.renderError(w, r, rc, http.StatusForbidden, rc.L.T("error.csrf"))
			return
		}
		if !ScopedAllows(rc.User.Role, rt) {
			h.renderError(w, r, rc, http.StatusForbidden, rc.L.T("error.forbidden"))
			return
		}
		if rc.User.Role.Scoped() && strings.HasPrefix(rt.Pattern, "/incidents/{id}") {
			// An incident outside the user's services looks like one that
			// does not exist, so that guessing IDs reveals nothing.
			if ok, err := h.seesIncident(r, rc.User); err != nil {
				h.fail(w, r, rc, err)
				return
			} else if !ok {
				h.fail(w, r, rc, warroom.Errorf(warroom.ENOTFOUND, "Incident %s not found.", r.PathValue("id")))
				return
			}
		}
		fn(w, r, rc)
	})
}

// validCSRF accepts the token from the X-CSRF-Token header (fetch) or the
// csrf_token form field (plain forms).
func validCSRF(r *http.Request, want string) bool {
	got := r.Header.Get(csrfHeader)
	if got == "" {
		got = r.PostFormValue(csrfField)
	}
	return want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// clientAddr is the address recorded in the audit log. Proxies are not
// trusted here: the server's middleware decides about forwarded headers.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// safeNext keeps a post-login redirect on this site: a path starting with
// a single slash, with no scheme or host and no backslash tricks.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		return "/incidents"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return "/incidents"
	}
	return next
}

func randomToken() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return base64.RawURLEncoding.EncodeToString(b)
}

type loginData struct {
	Next  string
	Email string
	Token string
	Error string
	// SSO shows the "Sign in with SSO" button.
	SSO bool
}

func (h *Handler) loginForm(w http.ResponseWriter, r *http.Request, rc *request) {
	next := safeNext(r.URL.Query().Get("next"))
	if rc.User != nil {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	h.renderLogin(w, r, rc, http.StatusOK, loginData{Next: next})
}

func (h *Handler) renderLogin(w http.ResponseWriter, r *http.Request, rc *request, status int, data loginData) {
	data.Token = randomToken()
	data.SSO = h.d.OIDC != nil
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: data.Token, Path: "/login", HttpOnly: true, Secure: h.d.Secure, SameSite: http.SameSiteStrictMode, MaxAge: 3600})
	h.render(w, r, rc, status, "login", rc.L.T("login.title"), data)
}

func (h *Handler) login(w http.ResponseWriter, r *http.Request, rc *request) {
	data := loginData{Next: safeNext(r.PostFormValue("next")), Email: strings.TrimSpace(r.PostFormValue("email"))}
	c, err := r.Cookie(loginCookie)
	if err != nil || c.Value == "" || subtle.ConstantTimeCompare([]byte(c.Value), []byte(r.PostFormValue(csrfField))) != 1 {
		data.Error = rc.L.T("login.expired")
		h.renderLogin(w, r, rc, http.StatusForbidden, data)
		return
	}
	if !h.logins.allow(clientAddr(r)) {
		data.Error = rc.L.T("login.throttled")
		w.Header().Set("Retry-After", "60")
		h.renderLogin(w, r, rc, http.StatusTooManyRequests, data)
		return
	}
	u, err := h.d.Users.AuthenticatePassword(r.Context(), data.Email, r.PostFormValue("password"))
	if err != nil {
		if warroom.ErrorCode(err) != warroom.EUNAUTHORIZED {
			h.d.Logger.Error("ui: authenticate", "err", err)
		}
		data.Error = rc.L.T("login.failed")
		h.renderLogin(w, r, rc, http.StatusUnauthorized, data)
		return
	}
	if err := h.startSession(w, r, u); err != nil {
		h.fail(w, r, rc, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Path: "/login", MaxAge: -1})
	http.Redirect(w, r, data.Next, http.StatusSeeOther)
}

// startSession creates a session for u and hands its secret to the browser.
// The cookie has no Max-Age: the server's sliding expiry is what counts.
func (h *Handler) startSession(w http.ResponseWriter, r *http.Request, u *warroom.User) error {
	ctx := warroom.NewContextWithUser(r.Context(), u)
	_, secret, err := h.d.Sessions.CreateSession(ctx, u.ID, r.UserAgent(), clientAddr(r))
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: secret, Path: "/", HttpOnly: true, Secure: h.d.Secure, SameSite: http.SameSiteLaxMode})
	return nil
}

func (h *Handler) logout(w http.ResponseWriter, r *http.Request, rc *request) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		if err := h.d.Sessions.DeleteSession(r.Context(), c.Value); err != nil {
			h.fail(w, r, rc, err)
			return
		}
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Path: "/", HttpOnly: true, Secure: h.d.Secure, SameSite: http.SameSiteLaxMode, MaxAge: -1})
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

func (h *Handler) home(w http.ResponseWriter, r *http.Request, rc *request) {
	http.Redirect(w, r, "/incidents", http.StatusSeeOther)
}
