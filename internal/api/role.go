package api

import (
	"net/http"

	"github.com/warroomhq/warroom"
)

func (h *handler) listIncidentRoles(w http.ResponseWriter, r *http.Request) error {
	roles, err := h.Roles.FindIncidentRoles(r.Context())
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, items("roles", roles))
	return nil
}

type incidentRoleRequest struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

func (h *handler) createIncidentRole(w http.ResponseWriter, r *http.Request) error {
	var req incidentRoleRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	role := &warroom.IncidentRole{Name: req.Name, Description: req.Description}
	if err := role.Validate(); err != nil {
		return err
	} else if err := h.Roles.CreateIncidentRole(r.Context(), role); err != nil {
		return err
	}
	h.json(w, r, http.StatusCreated, role)
	return nil
}

func (h *handler) deleteIncidentRole(w http.ResponseWriter, r *http.Request) error {
	if err := h.Roles.DeleteIncidentRole(r.Context(), r.PathValue("name")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *handler) listRoleAssignments(w http.ResponseWriter, r *http.Request) error {
	id, err := incidentID(r)
	if err != nil {
		return err
	}
	history, err := boolParam(r.URL.Query(), "history")
	if err != nil {
		return err
	}
	as, err := h.Roles.FindRoleAssignments(r.Context(), id, history != nil && *history)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, items("roles", as))
	return nil
}

type assignRequest struct {
	Role   string `json:"role"`
	UserID int64  `json:"user_id"`
}

func (h *handler) assignRole(w http.ResponseWriter, r *http.Request) error {
	id, err := incidentID(r)
	if err != nil {
		return err
	}
	var req assignRequest
	if err := decode(w, r, &req); err != nil {
		return err
	} else if req.Role == "" {
		return warroom.FieldErrorf("role", "is required")
	} else if req.UserID <= 0 {
		return warroom.FieldErrorf("user_id", "is required")
	} else if err := h.grants().ReachUser(r.Context(), warroom.UserFromContext(r.Context()), "user_id", id, req.UserID); err != nil {
		return err
	}
	a, err := h.Roles.AssignRole(r.Context(), id, req.Role, req.UserID)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusCreated, a)
	return nil
}

func (h *handler) endRoleAssignment(w http.ResponseWriter, r *http.Request) error {
	id, err := incidentID(r)
	if err != nil {
		return err
	}
	aid, err := pathID(r, "assignmentID", "role assignment")
	if err != nil {
		return err
	} else if err := h.Roles.EndRoleAssignment(r.Context(), id, aid); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
