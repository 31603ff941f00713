package ui

import (
	"net/http"
	"strings"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/i18n"
)

// commonZones are offered in the time zone picker; any IANA name may be typed.
var commonZones = []string{"UTC", "Asia/Shanghai", "Asia/Hong_Kong", "Asia/Singapore", "Asia/Tokyo",
	"Europe/London", "Europe/Berlin", "America/New_York", "America/Chicago", "America/Los_Angeles"}

type profileData struct {
	Languages []string
	Zones     []string
	Saved     string
	Err       string
}

func (d profileData) ErrorText() string { return d.Err }

func (h *Handler) profileShow(w http.ResponseWriter, r *http.Request, rc *request) {
	d := profileData{Languages: i18n.Languages, Zones: commonZones}
	switch r.URL.Query().Get("saved") {
	case "profile":
		d.Saved = rc.L.T("profile.saved")
	case "password":
		d.Saved = rc.L.T("profile.password_saved")
	}
	h.render(w, r, rc, http.StatusOK, "profile", rc.L.T("nav.profile"), d)
}

func (h *Handler) profileFailed(w http.ResponseWriter, r *http.Request, rc *request, err error) {
	h.render(w, r, rc, statusFor(warroom.ErrorCode(err)), "profile", rc.L.T("nav.profile"),
		profileData{Languages: i18n.Languages, Zones: commonZones, Err: h.errorText(r, rc, err)})
}

func (h *Handler) profileUpdate(w http.ResponseWriter, r *http.Request, rc *request) {
	locale, tz := r.PostFormValue("locale"), strings.TrimSpace(r.PostFormValue("time_zone"))
	if _, err := h.d.Users.UpdateUser(r.Context(), rc.User.ID, warroom.UserUpdate{Locale: &locale, TimeZone: &tz}); err != nil {
		h.profileFailed(w, r, rc, err)
		return
	}
	http.Redirect(w, r, "/profile?saved=profile", http.StatusSeeOther)
}

// profilePassword asks for the current password, so that a browser left
// unlocked is not enough to take the account over, then ends every other
// session and starts a fresh one here.
func (h *Handler) profilePassword(w http.ResponseWriter, r *http.Request, rc *request) {
	ctx := r.Context()
	cur, next := r.PostFormValue("current_password"), r.PostFormValue("new_password")
	if _, err := h.d.Users.AuthenticatePassword(ctx, rc.User.Email, cur); err != nil {
		h.profileFailed(w, r, rc, warroom.FieldErrorf("current_password", "%s", rc.L.T("profile.wrong_password")))
		return
	}
	if next != r.PostFormValue("confirm_password") {
		h.profileFailed(w, r, rc, warroom.FieldErrorf("confirm_password", "%s", rc.L.T("profile.mismatch")))
		return
	}
	if err := h.d.Users.SetPassword(ctx, rc.User.ID, next); err != nil {
		h.profileFailed(w, r, rc, err)
		return
	}
	if err := h.d.Sessions.DeleteUserSessions(ctx, rc.User.ID); err != nil {
		h.fail(w, r, rc, err)
		return
	}
	if err := h.startSession(w, r, rc.User); err != nil {
		h.fail(w, r, rc, err)
		return
	}
	http.Redirect(w, r, "/profile?saved=password", http.StatusSeeOther)
}
