package ui

import (
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/warroomhq/warroom"
)

// inviteCookie carries the one-off CSRF token of the invitation form,
// which, like the login form, has no session to bind one to.
const inviteCookie = "warroom_invite"

type inviteData struct {
	Invite *warroom.Invite
	Secret string
	Token  string
	Name   string
	MinLen int
	Err    string
}

func (d inviteData) ErrorText() string { return d.Err }

// inviteForm shows the page where an invited person sets their name and
// password. An unknown, used, withdrawn or expired link gets one answer.
func (h *Handler) inviteForm(w http.ResponseWriter, r *http.Request, rc *request) {
	if h.d.Invites == nil {
		h.renderError(w, r, rc, http.StatusNotFound, rc.L.T("error.status.404"))
		return
	}
	secret := r.PathValue("secret")
	inv, err := h.d.Invites.FindInviteBySecret(r.Context(), secret)
	if err != nil {
		h.inviteRefused(w, r, rc, err)
		return
	}
	h.renderInvite(w, r, rc, http.StatusOK, inviteData{Invite: inv, Secret: secret})
}

func (h *Handler) renderInvite(w http.ResponseWriter, r *http.Request, rc *request, status int, d inviteData) {
	d.Token, d.MinLen = randomToken(), warroom.MinPasswordLen
	http.SetCookie(w, &http.Cookie{Name: inviteCookie, Value: d.Token, Path: "/invite/", HttpOnly: true, Secure: h.d.Secure, SameSite: http.SameSiteStrictMode, MaxAge: 3600})
	// The link is a credential: keep it out of caches and referrers.
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	h.render(w, r, rc, status, "invite", rc.L.T("invite.title"), d)
}

func (h *Handler) inviteRefused(w http.ResponseWriter, r *http.Request, rc *request, err error) {
	if warroom.ErrorCode(err) == warroom.ENOTFOUND {
		h.renderError(w, r, rc, http.StatusNotFound, rc.L.T("invite.invalid"))
		return
	}
	h.fail(w, r, rc, err)
}

// inviteAccept creates the account, uses the invite up and signs the
// person in. Attempts are throttled with the login form's, so that the
// form cannot be used to guess links.
func (h *Handler) inviteAccept(w http.ResponseWriter, r *http.Request, rc *request) {
	if h.d.Invites == nil {
		h.renderError(w, r, rc, http.StatusNotFound, rc.L.T("error.status.404"))
		return
	}
	secret := r.PathValue("secret")
	c, err := r.Cookie(inviteCookie)
	if err != nil || c.Value == "" || subtle.ConstantTimeCompare([]byte(c.Value), []byte(r.PostFormValue(csrfField))) != 1 {
		h.renderError(w, r, rc, http.StatusForbidden, rc.L.T("error.csrf"))
		return
	}
	if !h.logins.allow(clientAddr(r)) {
		w.Header().Set("Retry-After", "60")
		h.renderError(w, r, rc, http.StatusTooManyRequests, rc.L.T("login.throttled"))
		return
	}
	name := strings.TrimSpace(r.PostFormValue("name"))
	password := r.PostFormValue("password")
	if password != r.PostFormValue("password2") {
		inv, err := h.d.Invites.FindInviteBySecret(r.Context(), secret)
		if err != nil {
			h.inviteRefused(w, r, rc, err)
			return
		}
		h.renderInvite(w, r, rc, http.StatusUnprocessableEntity, inviteData{Invite: inv, Secret: secret, Name: name, Err: rc.L.T("invite.mismatch")})
		return
	}
	u, err := h.d.Invites.AcceptInvite(r.Context(), secret, name, password)
	if err != nil {
		if code := warroom.ErrorCode(err); code == warroom.EINVALID {
			if inv, ferr := h.d.Invites.FindInviteBySecret(r.Context(), secret); ferr == nil {
				h.renderInvite(w, r, rc, http.StatusUnprocessableEntity, inviteData{Invite: inv, Secret: secret, Name: name, Err: h.errorText(r, rc, err)})
				return
			}
		}
		h.inviteRefused(w, r, rc, err)
		return
	}
	if err := h.startSession(w, r, u); err != nil {
		h.fail(w, r, rc, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: inviteCookie, Path: "/invite/", MaxAge: -1})
	http.Redirect(w, r, "/incidents", http.StatusSeeOther)
}
