package api

import (
	"net/http"
	"strconv"

	"github.com/warroomhq/warroom"
)

func (h *handler) search(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	offset, limit, err := page(q)
	if err != nil {
		return err
	}
	sq := warroom.SearchQuery{Text: q.Get("q"), Offset: offset, Limit: limit}
	if s := q.Get("service"); s != "" {
		id, err := h.serviceRef(r.Context(), s)
		if err != nil {
			return err
		}
		sq.ServiceID = &id
	}
	if s := q.Get("type"); s != "" {
		t := warroom.IncidentType(s)
		sq.Type = &t
	}
	if s := q.Get("cause"); s != "" {
		c := warroom.CauseCategory(s)
		sq.CauseCategory = &c
	}
	for _, s := range listParam(q, "severity") {
		sev, err := warroom.ParseSeverity(s)
		if err != nil {
			return paramError("severity", "%v", err)
		}
		sq.Severities = append(sq.Severities, sev)
	}
	for _, s := range listParam(q, "doc_type") {
		sq.DocTypes = append(sq.DocTypes, warroom.SearchDocType(s))
	}
	if sq.After, err = timeParam(q, "after"); err != nil {
		return err
	}
	if sq.Before, err = timeParam(q, "before"); err != nil {
		return err
	}
	hits, n, err := h.Search.Search(r.Context(), sq)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, list("hits", hits, n, offset, limit))
	return nil
}

func (h *handler) similarIncidents(w http.ResponseWriter, r *http.Request) error {
	id, err := incidentID(r)
	if err != nil {
		return err
	}
	limit := 5
	if s := r.URL.Query().Get("limit"); s != "" {
		if limit, err = strconv.Atoi(s); err != nil || limit < 1 || limit > 20 {
			return paramError("limit", "must be 1 to 20, got %q", s)
		}
	}
	sim, err := h.Search.FindSimilarIncidents(r.Context(), id, limit)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, items("incidents", sim))
	return nil
}
