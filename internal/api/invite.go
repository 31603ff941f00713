package api

import (
	"net/http"

	"github.com/warroomhq/warroom"
)

// inviteResponse carries the invite link's path once: only its hash is
// stored, so it cannot be shown again. The path is relative because the
// API does not know the address people reach the web UI at.
type inviteResponse struct {
	Invite *warroom.Invite `json:"invite"`
	Secret string          `json:"secret"`
	Path   string          `json:"path"`
}

type inviteRequest struct {
	Email string           `json:"email"`
	Role  warroom.UserRole `json:"role"`
}

func (h *handler) listInvites(w http.ResponseWriter, r *http.Request) error {
	if h.Invites == nil {
		return warroom.Errorf(warroom.ENOTFOUND, "invitations are not available on this server")
	}
	is, err := h.Invites.FindInvites(r.Context())
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, items("invites", is))
	return nil
}

func (h *handler) createInvite(w http.ResponseWriter, r *http.Request) error {
	if h.Invites == nil {
		return warroom.Errorf(warroom.ENOTFOUND, "invitations are not available on this server")
	}
	var req inviteRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	inv, secret, err := h.Invites.CreateInvite(r.Context(), req.Email, req.Role)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	h.json(w, r, http.StatusCreated, inviteResponse{Invite: inv, Secret: secret, Path: "/invite/" + secret})
	return nil
}

func (h *handler) revokeInvite(w http.ResponseWriter, r *http.Request) error {
	if h.Invites == nil {
		return warroom.Errorf(warroom.ENOTFOUND, "invitations are not available on this server")
	}
	id, err := pathID(r, "id", "invite")
	if err != nil {
		return err
	}
	if err := h.Invites.RevokeInvite(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
