package api

import (
	"net/http"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/export"
)

func (h *handler) listPostmortems(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	offset, limit, err := page(q)
	if err != nil {
		return err
	}
	f := warroom.PostmortemFilter{Offset: offset, Limit: limit}
	for _, s := range listParam(q, "status") {
		st := warroom.PostmortemStatus(s)
		if st != warroom.PostmortemDraft && st != warroom.PostmortemInReview && st != warroom.PostmortemPublished {
			return paramError("status", "unknown status %q (want draft, in_review or published)", s)
		}
		f.Statuses = append(f.Statuses, st)
	}
	if s := q.Get("incident"); s != "" {
		id, err := warroom.ParseNumber(s)
		if err != nil {
			return paramError("incident", "must be an incident number such as INC-42, got %q", s)
		}
		f.IncidentID = &id
	}
	if f.ReviewerID, err = userParam(r, "reviewer"); err != nil {
		return err
	}
	if f.AuthorID, err = userParam(r, "author"); err != nil {
		return err
	}
	ps, n, err := h.Postmortems.FindPostmortems(r.Context(), f)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, list("postmortems", ps, n, offset, limit))
	return nil
}

// userParam reads a user ID parameter; "me" is the caller.
func userParam(r *http.Request, name string) (*int64, error) {
	if r.URL.Query().Get(name) == "me" {
		id := warroom.UserIDFromContext(r.Context())
		return &id, nil
	}
	return intParam(r.URL.Query(), name)
}

func (h *handler) getIncidentPostmortem(w http.ResponseWriter, r *http.Request) error {
	id, err := incidentID(r)
	if err != nil {
		return err
	}
	p, err := h.Postmortems.FindPostmortemByIncident(r.Context(), id)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, p)
	return nil
}

type createPostmortemRequest struct {
	TemplateID *int64 `json:"template_id"`
}

func (h *handler) createPostmortem(w http.ResponseWriter, r *http.Request) error {
	id, err := incidentID(r)
	if err != nil {
		return err
	}
	var req createPostmortemRequest
	if r.ContentLength != 0 {
		if err := decode(w, r, &req); err != nil {
			return err
		}
	}
	p, err := h.Postmortems.CreatePostmortem(r.Context(), id, req.TemplateID)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusCreated, p)
	return nil
}

func (h *handler) getPostmortem(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "postmortem")
	if err != nil {
		return err
	}
	p, err := h.Postmortems.FindPostmortemByID(r.Context(), id)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, p)
	return nil
}

func (h *handler) updatePostmortem(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "postmortem")
	if err != nil {
		return err
	}
	var upd warroom.PostmortemUpdate
	if err := decode(w, r, &upd); err != nil {
		return err
	} else if err := upd.Validate(); err != nil {
		return err
	}
	p, err := h.Postmortems.UpdatePostmortem(r.Context(), id, upd)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, p)
	return nil
}

func (h *handler) importPostmortemTimeline(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "postmortem")
	if err != nil {
		return err
	}
	p, err := h.Postmortems.ImportTimeline(r.Context(), id)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, p)
	return nil
}

type submitRequest struct {
	ReviewerIDs []int64 `json:"reviewer_ids"`
}

func (h *handler) submitPostmortem(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "postmortem")
	if err != nil {
		return err
	}
	var req submitRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	p, err := h.Postmortems.SubmitPostmortem(r.Context(), id, req.ReviewerIDs)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, p)
	return nil
}

type reviewRequest struct {
	Decision warroom.ReviewDecision `json:"decision"`
	Comment  string                 `json:"comment"`
}

func (h *handler) reviewPostmortem(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "postmortem")
	if err != nil {
		return err
	}
	var req reviewRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	p, err := h.Postmortems.ReviewPostmortem(r.Context(), id, req.Decision, req.Comment)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, p)
	return nil
}

func (h *handler) publishPostmortem(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "postmortem")
	if err != nil {
		return err
	}
	p, err := h.Postmortems.PublishPostmortem(r.Context(), id)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, p)
	return nil
}

// exportPostmortem serves the postmortem as Markdown or as a printable HTML
// page (print to PDF from the browser).
func (h *handler) exportPostmortem(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "postmortem")
	if err != nil {
		return err
	}
	format := r.URL.Query().Get("format")
	if format == "" {
		format = "md"
	}
	if format != "md" && format != "html" {
		return paramError("format", "must be md or html, got %q", format)
	}
	p, err := h.Postmortems.FindPostmortemByID(r.Context(), id)
	if err != nil {
		return err
	}
	var b []byte
	if format == "md" {
		b, err = export.Markdown(p)
		w.Header().Set("Content-Type", "text/markdown; charset=utf-8")
	} else {
		b, err = export.HTML(p)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
	}
	if err != nil {
		return err
	}
	w.Header().Set("Content-Disposition", `inline; filename="`+p.Incident.Number+`-postmortem.`+format+`"`)
	_, _ = w.Write(b)
	return nil
}

func (h *handler) listPostmortemTemplates(w http.ResponseWriter, r *http.Request) error {
	ts, err := h.Postmortems.FindPostmortemTemplates(r.Context())
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, items("templates", ts))
	return nil
}

func (h *handler) getPostmortemTemplate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "postmortem template")
	if err != nil {
		return err
	}
	t, err := h.Postmortems.FindPostmortemTemplateByID(r.Context(), id)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, t)
	return nil
}

type postmortemTemplateRequest struct {
	Name      string   `json:"name"`
	Default   bool     `json:"default"`
	Summary   string   `json:"summary"`
	WentWell  string   `json:"went_well"`
	WentBadly string   `json:"went_badly"`
	GotLucky  string   `json:"got_lucky"`
	Lessons   string   `json:"lessons"`
	Whys      []string `json:"whys"`
}

func decodePostmortemTemplate(w http.ResponseWriter, r *http.Request) (*warroom.PostmortemTemplate, error) {
	var req postmortemTemplateRequest
	if err := decode(w, r, &req); err != nil {
		return nil, err
	}
	t := &warroom.PostmortemTemplate{Name: req.Name, Default: req.Default, Summary: req.Summary, WentWell: req.WentWell,
		WentBadly: req.WentBadly, GotLucky: req.GotLucky, Lessons: req.Lessons, Whys: req.Whys}
	return t, t.Validate()
}

func (h *handler) createPostmortemTemplate(w http.ResponseWriter, r *http.Request) error {
	t, err := decodePostmortemTemplate(w, r)
	if err != nil {
		return err
	} else if err := h.Postmortems.CreatePostmortemTemplate(r.Context(), t); err != nil {
		return err
	}
	h.json(w, r, http.StatusCreated, t)
	return nil
}

func (h *handler) replacePostmortemTemplate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "postmortem template")
	if err != nil {
		return err
	}
	t, err := decodePostmortemTemplate(w, r)
	if err != nil {
		return err
	} else if err := h.Postmortems.ReplacePostmortemTemplate(r.Context(), id, t); err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, t)
	return nil
}

func (h *handler) deletePostmortemTemplate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "postmortem template")
	if err != nil {
		return err
	} else if err := h.Postmortems.DeletePostmortemTemplate(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *handler) getPostmortemPolicy(w http.ResponseWriter, r *http.Request) error {
	p, err := h.Postmortems.FindPostmortemPolicy(r.Context())
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, p)
	return nil
}

func (h *handler) putPostmortemPolicy(w http.ResponseWriter, r *http.Request) error {
	var p warroom.PostmortemPolicy
	if err := decode(w, r, &p); err != nil {
		return err
	} else if err := h.Postmortems.UpdatePostmortemPolicy(r.Context(), &p); err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, p)
	return nil
}
