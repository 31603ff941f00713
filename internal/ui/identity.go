package ui

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/warroomhq/warroom"
)

type auditData struct {
	Entries []*warroom.AuditEntry
	Total   int
	Action  string
	Target  string
	Actor   string
	// Verify is the hash chain check, run on every visit: it is what an
	// admin comes here to trust.
	Verify *warroom.AuditVerification
	Err    string
}

func (d auditData) ErrorText() string { return d.Err }

// auditPage lists the audit log with filters and the chain's state. Filter
// values are passed to the store as data, never as SQL.
func (h *Handler) auditPage(w http.ResponseWriter, r *http.Request, rc *request) {
	if h.d.Audit == nil {
		h.renderError(w, r, rc, http.StatusNotFound, rc.L.T("error.status.404"))
		return
	}
	q := r.URL.Query()
	d := auditData{Action: strings.TrimSpace(q.Get("action")), Target: strings.TrimSpace(q.Get("target")), Actor: strings.TrimSpace(q.Get("actor"))}
	f := warroom.AuditFilter{Limit: 200}
	if d.Action != "" {
		a := warroom.AuditAction(d.Action)
		f.Action = &a
	}
	if typ, id, ok := strings.Cut(d.Target, "/"); d.Target != "" {
		f.TargetType = &typ
		if ok {
			f.TargetID = &id
		}
	}
	status := http.StatusOK
	if d.Actor != "" {
		if n, err := strconv.ParseInt(d.Actor, 10, 64); err == nil && n >= 0 {
			f.ActorID = &n
		} else {
			d.Err, status = rc.L.T("audit.bad_actor"), http.StatusBadRequest
		}
	}
	if d.Err == "" {
		var err error
		if d.Entries, d.Total, err = h.d.Audit.FindAuditEntries(r.Context(), f); err != nil {
			h.fail(w, r, rc, err)
			return
		}
	}
	if h.d.AuditVerifier != nil {
		v, err := h.d.AuditVerifier.VerifyAudit(r.Context())
		if err != nil {
			h.fail(w, r, rc, err)
			return
		}
		d.Verify = v
	}
	h.render(w, r, rc, status, "audit", rc.L.T("nav.audit"), d)
}

type approvalsData struct {
	Approvals []*warroom.Approval
	Settings  *warroom.ApprovalSettings
	Ops       []warroom.ApprovalOp
	Me        int64
	Err       string
}

func (d approvalsData) ErrorText() string { return d.Err }

func (h *Handler) approvalsPage(w http.ResponseWriter, r *http.Request, rc *request) {
	h.renderApprovals(w, r, rc, http.StatusOK, "")
}

func (h *Handler) renderApprovals(w http.ResponseWriter, r *http.Request, rc *request, status int, errMsg string) {
	if h.d.Approvals == nil {
		h.renderError(w, r, rc, http.StatusNotFound, rc.L.T("error.status.404"))
		return
	}
	as, _, err := h.d.Approvals.FindApprovals(r.Context(), warroom.ApprovalFilter{Limit: 100})
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	s, err := h.d.Approvals.FindApprovalSettings(r.Context())
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	h.render(w, r, rc, status, "approvals", rc.L.T("nav.approvals"), approvalsData{Approvals: as, Settings: s, Ops: warroom.ApprovalOps, Me: rc.User.ID, Err: errMsg})
}

func (h *Handler) approvalDecide(approve bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, rc *request) {
		if h.d.Approvals == nil {
			h.renderError(w, r, rc, http.StatusNotFound, rc.L.T("error.status.404"))
			return
		}
		id, err := pathID(r, "id")
		if err != nil {
			h.fail(w, r, rc, err)
			return
		}
		if approve {
			_, err = h.d.Approvals.Approve(r.Context(), id)
		} else {
			_, err = h.d.Approvals.Reject(r.Context(), id)
		}
		if err != nil {
			h.renderApprovals(w, r, rc, statusFor(warroom.ErrorCode(err)), h.errorText(r, rc, err))
			return
		}
		http.Redirect(w, r, "/admin/approvals", http.StatusSeeOther)
	}
}

type tokensData struct {
	Tokens []*warroom.Token
	Scopes []warroom.TokenScope
	// Secret is the new token's secret, shown once.
	Secret string
	Err    string
}

func (d tokensData) ErrorText() string { return d.Err }

func (h *Handler) tokensPage(w http.ResponseWriter, r *http.Request, rc *request) {
	h.renderTokens(w, r, rc, http.StatusOK, "", "")
}

func (h *Handler) renderTokens(w http.ResponseWriter, r *http.Request, rc *request, status int, secret, errMsg string) {
	ts, err := h.d.Users.FindTokens(r.Context(), rc.User.ID)
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	// The secret page must not be cached: it is shown once.
	w.Header().Set("Cache-Control", "no-store")
	h.render(w, r, rc, status, "tokens", rc.L.T("nav.tokens"), tokensData{Tokens: ts, Scopes: warroom.TokenScopes, Secret: secret, Err: errMsg})
}

func (h *Handler) tokenCreate(w http.ResponseWriter, r *http.Request, rc *request) {
	in := warroom.TokenInput{Name: r.PostFormValue("name")}
	for _, s := range r.PostForm["scope"] {
		in.Scopes = append(in.Scopes, warroom.TokenScope(s))
	}
	if days, err := strconv.Atoi(r.PostFormValue("days")); err == nil && days > 0 {
		t := h.d.Now().Add(time.Duration(days) * 24 * time.Hour)
		in.ExpiresAt = &t
	}
	_, secret, err := h.d.Users.IssueToken(r.Context(), rc.User.ID, in)
	if err != nil {
		h.renderTokens(w, r, rc, statusFor(warroom.ErrorCode(err)), "", h.errorText(r, rc, err))
		return
	}
	h.renderTokens(w, r, rc, http.StatusCreated, secret, "")
}

func (h *Handler) tokenRevoke(w http.ResponseWriter, r *http.Request, rc *request) {
	id, err := pathID(r, "id")
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	if err := h.d.Users.RevokeToken(r.Context(), rc.User.ID, id); err != nil {
		h.renderTokens(w, r, rc, statusFor(warroom.ErrorCode(err)), "", h.errorText(r, rc, err))
		return
	}
	http.Redirect(w, r, "/profile/tokens", http.StatusSeeOther)
}
