package ui

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/warroomhq/warroom"
)

type severityData struct {
	Matrix     *warroom.SeverityMatrix
	MatrixJSON string
	Policies   []warroom.SLAPolicy
	Err        string
}

func (d severityData) ErrorText() string { return d.Err }

func (h *Handler) severityShow(w http.ResponseWriter, r *http.Request, rc *request) {
	h.renderSeverity(w, r, rc, http.StatusOK, "", "")
}

// renderSeverity shows the matrix and SLAs; matrixJSON, when set, is what
// an admin typed and keeps the editor from losing a refused edit.
func (h *Handler) renderSeverity(w http.ResponseWriter, r *http.Request, rc *request, status int, errMsg, matrixJSON string) {
	m, err := h.d.Severity.FindSeverityMatrix(r.Context())
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	ps, err := h.d.Severity.FindSLAPolicies(r.Context())
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	if matrixJSON == "" {
		b, _ := json.MarshalIndent(m, "", "  ")
		matrixJSON = string(b)
	}
	h.render(w, r, rc, status, "severity", rc.L.T("nav.severity"), severityData{Matrix: m, MatrixJSON: matrixJSON, Policies: ps, Err: errMsg})
}

// severityMatrixUpdate takes the matrix as JSON: rules are a list of
// optional criteria, which a JSON editor shows more honestly than a grid of
// mostly empty inputs.
func (h *Handler) severityMatrixUpdate(w http.ResponseWriter, r *http.Request, rc *request) {
	text := r.PostFormValue("matrix")
	var m warroom.SeverityMatrix
	dec := json.NewDecoder(strings.NewReader(text))
	dec.DisallowUnknownFields()
	err := dec.Decode(&m)
	if err != nil {
		err = warroom.FieldErrorf("matrix", "%s", rc.L.T("form.json", "Error", err.Error()))
	} else {
		err = h.d.Severity.UpdateSeverityMatrix(r.Context(), &m)
	}
	if err != nil {
		h.renderSeverity(w, r, rc, statusFor(warroom.ErrorCode(err)), h.errorText(r, rc, err), text)
		return
	}
	http.Redirect(w, r, "/severity", http.StatusSeeOther)
}

// severitySLAUpdate takes minutes, the unit people think in for targets.
func (h *Handler) severitySLAUpdate(w http.ResponseWriter, r *http.Request, rc *request) {
	var ps []warroom.SLAPolicy
	var err error
	for _, s := range warroom.Severities {
		ack, e1 := strconv.ParseInt(strings.TrimSpace(r.PostFormValue("ack_"+string(s))), 10, 64)
		res, e2 := strconv.ParseInt(strings.TrimSpace(r.PostFormValue("resolve_"+string(s))), 10, 64)
		if e1 != nil || e2 != nil {
			err = warroom.FieldErrorf(string(s), "%s", rc.L.T("form.whole_number"))
			break
		}
		ps = append(ps, warroom.SLAPolicy{Severity: s, AckTargetSeconds: ack * 60, ResolveTargetSeconds: res * 60})
	}
	if err == nil {
		err = h.d.Severity.UpdateSLAPolicies(r.Context(), ps)
	}
	if err != nil {
		h.renderSeverity(w, r, rc, statusFor(warroom.ErrorCode(err)), h.errorText(r, rc, err), "")
		return
	}
	http.Redirect(w, r, "/severity", http.StatusSeeOther)
}
