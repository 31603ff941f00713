package ui

import (
	"net/http"
	"strconv"
	"time"

	"github.com/warroomhq/warroom"
)

// searchData is the search page: the query as typed and the hits.
type searchData struct {
	Q, Type, Cause, Severity, After, Before string
	ServiceID                               int64
	Services                                []*warroom.Service
	Types                                   []warroom.IncidentType
	Causes                                  []warroom.CauseCategory
	Severities                              []warroom.Severity
	Hits                                    []*warroom.SearchHit
	Total                                   int
	Searched                                bool
	Err                                     string
}

func (d *searchData) ErrorText() string { return d.Err }

func (h *Handler) searchPage(w http.ResponseWriter, r *http.Request, rc *request) {
	if h.d.Search == nil {
		h.renderError(w, r, rc, http.StatusNotFound, rc.L.T("error.status.404"))
		return
	}
	q := r.URL.Query()
	d := &searchData{Q: q.Get("q"), Type: q.Get("type"), Cause: q.Get("cause"), Severity: q.Get("severity"), After: q.Get("after"), Before: q.Get("before"),
		Types: warroom.IncidentTypes, Severities: warroom.Severities}
	for _, c := range warroom.CauseCategories {
		d.Causes = append(d.Causes, c.Category)
	}
	var err error
	if d.Services, _, err = h.d.Services.FindServices(r.Context(), warroom.ServiceFilter{Limit: warroom.MaxPageSize}); err != nil {
		h.fail(w, r, rc, err)
		return
	}
	status := http.StatusOK
	if d.Q != "" {
		sq := warroom.SearchQuery{Text: d.Q, Limit: 50}
		if id, err := strconv.ParseInt(q.Get("service"), 10, 64); err == nil && id > 0 {
			d.ServiceID, sq.ServiceID = id, &id
		}
		if d.Type != "" {
			t := warroom.IncidentType(d.Type)
			sq.Type = &t
		}
		if d.Cause != "" {
			c := warroom.CauseCategory(d.Cause)
			sq.CauseCategory = &c
		}
		if d.Severity != "" {
			sq.Severities = []warroom.Severity{warroom.Severity(d.Severity)}
		}
		for _, b := range []struct {
			s   string
			dst **time.Time
		}{{d.After, &sq.After}, {d.Before, &sq.Before}} {
			if t, err := time.Parse("2006-01-02", b.s); err == nil {
				*b.dst = &t
			}
		}
		d.Searched = true
		if d.Hits, d.Total, err = h.d.Search.Search(r.Context(), sq); err != nil {
			if warroom.ErrorCode(err) == warroom.EINTERNAL {
				h.fail(w, r, rc, err)
				return
			}
			status, d.Err = statusFor(warroom.ErrorCode(err)), h.errorText(r, rc, err)
		}
	}
	h.render(w, r, rc, status, "search", rc.L.T("nav.search"), d)
}
