package api

import (
	"net/http"

	"github.com/warroomhq/warroom"
)

// auditFilter reads the filters shared by the audit list and its export.
func auditFilter(r *http.Request) (warroom.AuditFilter, error) {
	q := r.URL.Query()
	f := warroom.AuditFilter{TargetType: stringParam(q, "target_type"), TargetID: stringParam(q, "target_id")}
	var err error
	if f.Offset, f.Limit, err = page(q); err != nil {
		return f, err
	} else if f.ActorID, err = intParam(q, "actor_id"); err != nil {
		return f, err
	}
	if f.BeforeID, err = intParam(q, "before_id"); err != nil {
		return f, err
	}
	if s := stringParam(q, "action"); s != nil {
		a := warroom.AuditAction(*s)
		f.Action = &a
	}
	return f, nil
}

func (h *handler) listAudit(w http.ResponseWriter, r *http.Request) error {
	f, err := auditFilter(r)
	if err != nil {
		return err
	}
	es, total, err := h.Audit.FindAuditEntries(r.Context(), f)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, list("entries", es, total, f.Offset, f.Limit))
	return nil
}
