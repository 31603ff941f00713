package api

import (
	"net/http"
	"time"
	"unicode/utf8"

	"github.com/warroomhq/warroom"
)

func (h *handler) me(w http.ResponseWriter, r *http.Request) error {
	h.json(w, r, http.StatusOK, warroom.UserFromContext(r.Context()))
	return nil
}

func (h *handler) listUsers(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	var f warroom.UserFilter
	var err error
	if f.Offset, f.Limit, err = page(q); err != nil {
		return err
	} else if f.Active, err = boolParam(q, "active"); err != nil {
		return err
	}
	us, total, err := h.Users.FindUsers(r.Context(), f)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, list("users", us, total, f.Offset, f.Limit))
	return nil
}

type userRequest struct {
	Name     string           `json:"name"`
	Email    string           `json:"email"`
	Role     warroom.UserRole `json:"role"`
	Locale   string           `json:"locale"`
	TimeZone string           `json:"time_zone"`
	Password string           `json:"password"`
}

func (h *handler) createUser(w http.ResponseWriter, r *http.Request) error {
	var req userRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	u := &warroom.User{Name: req.Name, Email: req.Email, Role: req.Role, Locale: req.Locale, TimeZone: req.TimeZone}
	if err := u.Validate(); err != nil {
		return err
	}
	// Checked before the user is created: creating the account and setting
	// its password are two calls, and a refused password must not leave an
	// account behind.
	if req.Password != "" && utf8.RuneCountInString(req.Password) < warroom.MinPasswordLen {
		return warroom.FieldErrorf("password", "must be at least %d characters", warroom.MinPasswordLen)
	}
	if err := h.Users.CreateUser(r.Context(), u); err != nil {
		return err
	}
	if req.Password != "" {
		if err := h.Users.SetPassword(r.Context(), u.ID, req.Password); err != nil {
			return err
		}
	}
	h.json(w, r, http.StatusCreated, u)
	return nil
}

func (h *handler) getUser(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "user")
	if err != nil {
		return err
	}
	u, err := h.Users.FindUserByID(r.Context(), id)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, u)
	return nil
}

func (h *handler) updateUser(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "user")
	if err != nil {
		return err
	}
	var upd warroom.UserUpdate
	if err := decode(w, r, &upd); err != nil {
		return err
	}
	u, err := h.Users.UpdateUser(r.Context(), id, upd)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, u)
	return nil
}

// tokenOwner reads the {id} of a token route; whether the caller may
// manage that user's tokens was judged by authorize (Route.Own).
func tokenOwner(r *http.Request) (int64, error) {
	return pathID(r, "id", "user")
}

func (h *handler) listTokens(w http.ResponseWriter, r *http.Request) error {
	id, err := tokenOwner(r)
	if err != nil {
		return err
	}
	ts, err := h.Users.FindTokens(r.Context(), id)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, items("tokens", ts))
	return nil
}

type tokenRequest struct {
	Name      string               `json:"name"`
	Kind      warroom.TokenKind    `json:"kind"`
	Scopes    []warroom.TokenScope `json:"scopes"`
	ExpiresAt *time.Time           `json:"expires_at"`
}

type tokenResponse struct {
	Token  *warroom.Token `json:"token"`
	Secret string         `json:"secret"`
}

func (h *handler) createToken(w http.ResponseWriter, r *http.Request) error {
	id, err := tokenOwner(r)
	if err != nil {
		return err
	}
	var req tokenRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	a := accessFrom(r.Context())
	if req.Kind == warroom.TokenService && !a.can(warroom.PermAdmin) {
		return &warroom.Error{Code: warroom.EFORBIDDEN, Field: "kind", Message: "kind: only an admin, with a token of the admin scope, may issue service tokens"}
	}
	t, secret, err := h.Users.IssueToken(r.Context(), id, warroom.TokenInput{Name: req.Name, Kind: req.Kind, Scopes: req.Scopes, ExpiresAt: req.ExpiresAt, Ceiling: a.ceiling()})
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusCreated, tokenResponse{Token: t, Secret: secret})
	return nil
}

func (h *handler) revokeToken(w http.ResponseWriter, r *http.Request) error {
	id, err := tokenOwner(r)
	if err != nil {
		return err
	}
	tokenID, err := pathID(r, "tokenID", "token")
	if err != nil {
		return err
	} else if err := h.Users.RevokeToken(r.Context(), id, tokenID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
