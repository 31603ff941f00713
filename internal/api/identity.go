package api

import (
	"encoding/json"
	"net/http"

	"github.com/warroomhq/warroom"
)

func (h *handler) listTeams(w http.ResponseWriter, r *http.Request) error {
	ts, err := h.Teams.FindTeams(r.Context())
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, items("teams", ts))
	return nil
}

func (h *handler) getTeam(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "team")
	if err != nil {
		return err
	}
	t, err := h.Teams.FindTeamByID(r.Context(), id)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, t)
	return nil
}

type teamRequest struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

func (h *handler) createTeam(w http.ResponseWriter, r *http.Request) error {
	var req teamRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	t := &warroom.Team{Name: req.Name, Description: req.Description}
	if err := h.Teams.CreateTeam(r.Context(), t); err != nil {
		return err
	}
	h.json(w, r, http.StatusCreated, t)
	return nil
}

type userIDRequest struct {
	UserID int64 `json:"user_id"`
}

func (h *handler) addTeamMember(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "team")
	if err != nil {
		return err
	}
	var req userIDRequest
	if err := decode(w, r, &req); err != nil {
		return err
	} else if req.UserID <= 0 {
		return warroom.FieldErrorf("user_id", "is required")
	}
	if err := h.Teams.AddTeamMember(r.Context(), id, req.UserID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *handler) removeTeamMember(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "team")
	if err != nil {
		return err
	}
	uid, err := pathID(r, "userID", "user")
	if err != nil {
		return err
	}
	if err := h.Teams.RemoveTeamMember(r.Context(), id, uid); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *handler) listGrants(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "user")
	if err != nil {
		return err
	}
	if _, err := h.Users.FindUserByID(r.Context(), id); err != nil {
		return err
	}
	ids, err := h.Teams.FindUserServiceIDs(r.Context(), id)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, map[string]any{"service_ids": ids})
	return nil
}

type grantRequest struct {
	ServiceID int64 `json:"service_id"`
}

func (h *handler) grantService(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "user")
	if err != nil {
		return err
	}
	var req grantRequest
	if err := decode(w, r, &req); err != nil {
		return err
	} else if req.ServiceID <= 0 {
		return warroom.FieldErrorf("service_id", "is required")
	}
	if err := h.Teams.GrantService(r.Context(), id, req.ServiceID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *handler) revokeGrant(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "user")
	if err != nil {
		return err
	}
	sid, err := pathID(r, "serviceID", "service")
	if err != nil {
		return err
	}
	if err := h.Teams.RevokeService(r.Context(), id, sid); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type revokeAllRequest struct {
	UserID int64 `json:"user_id"`
	// All must be true to revoke every user's tokens, so that an empty
	// body cannot do it by accident.
	All bool `json:"all"`
}

func (h *handler) revokeAllTokens(w http.ResponseWriter, r *http.Request) error {
	var req revokeAllRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if (req.UserID == 0) == !req.All {
		return warroom.FieldErrorf("user_id", "give a user_id, or all: true for every user")
	}
	n, err := h.Approvals.RevokeAllTokens(r.Context(), req.UserID)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, map[string]int{"revoked": n})
	return nil
}

func (h *handler) listApprovals(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	var f warroom.ApprovalFilter
	var err error
	if f.Offset, f.Limit, err = page(q); err != nil {
		return err
	}
	if s := stringParam(q, "state"); s != nil {
		st := warroom.ApprovalState(*s)
		switch st {
		case warroom.ApprovalPending, warroom.ApprovalExecuted, warroom.ApprovalRejected, warroom.ApprovalExpired:
		default:
			return paramError("state", "unknown state %q (want pending, executed, rejected or expired)", *s)
		}
		f.State = &st
	}
	as, total, err := h.Approvals.FindApprovals(r.Context(), f)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, list("approvals", as, total, f.Offset, f.Limit))
	return nil
}

func (h *handler) getApproval(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "approval")
	if err != nil {
		return err
	}
	a, err := h.Approvals.FindApprovalByID(r.Context(), id)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, a)
	return nil
}

type approvalRequest struct {
	Op     warroom.ApprovalOp `json:"op"`
	Params json.RawMessage    `json:"params"`
	Reason string             `json:"reason"`
}

func (h *handler) requestApproval(w http.ResponseWriter, r *http.Request) error {
	var req approvalRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	a, err := h.Approvals.RequestApproval(r.Context(), req.Op, req.Params, req.Reason)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusCreated, a)
	return nil
}

func (h *handler) approve(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "approval")
	if err != nil {
		return err
	}
	a, err := h.Approvals.Approve(r.Context(), id)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, a)
	return nil
}

func (h *handler) reject(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "approval")
	if err != nil {
		return err
	}
	a, err := h.Approvals.Reject(r.Context(), id)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, a)
	return nil
}

func (h *handler) getApprovalSettings(w http.ResponseWriter, r *http.Request) error {
	s, err := h.Approvals.FindApprovalSettings(r.Context())
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, s)
	return nil
}

func (h *handler) putApprovalSettings(w http.ResponseWriter, r *http.Request) error {
	var s warroom.ApprovalSettings
	if err := decode(w, r, &s); err != nil {
		return err
	}
	if err := h.Approvals.SetApprovalSettings(r.Context(), &s); err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, &s)
	return nil
}

func (h *handler) verifyAudit(w http.ResponseWriter, r *http.Request) error {
	if h.AuditVerifier == nil {
		return warroom.Errorf(warroom.ENOTFOUND, "audit verification is not available on this server")
	}
	v, err := h.AuditVerifier.VerifyAudit(r.Context())
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, v)
	return nil
}

// exportAudit streams the entries matching the list filters as JSON lines,
// newest first, one entry per line, so that any size can be exported
// without holding it in memory. Pages follow each other by key (entries
// before the last ID sent), never by offset: entries appended while the
// export runs are newer than its first page, so they cannot shift later
// pages and repeat or drop a line.
func (h *handler) exportAudit(w http.ResponseWriter, r *http.Request) error {
	f, err := auditFilter(r)
	if err != nil {
		return err
	}
	f.Offset, f.Limit = 0, warroom.MaxPageSize
	first := true
	enc := json.NewEncoder(w)
	for {
		es, _, err := h.Audit.FindAuditEntries(r.Context(), f)
		if err != nil {
			if first {
				return err
			}
			h.Logger.Error("api: audit export cut short", "err", err)
			return nil
		}
		if first {
			w.Header().Set("Content-Type", "application/x-ndjson")
			w.Header().Set("Content-Disposition", `attachment; filename="warroom-audit.jsonl"`)
			w.WriteHeader(http.StatusOK)
			first = false
		}
		for _, e := range es {
			if err := enc.Encode(e); err != nil {
				return nil // the client went away
			}
		}
		if len(es) < f.Limit {
			return nil
		}
		last := es[len(es)-1].ID
		f.BeforeID = &last
	}
}
