package ui

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/export"
)

// postmortemData is the postmortem page: the document, and for people who
// may edit it the lists its forms offer.
type postmortemData struct {
	P          *warroom.Postmortem
	Causes     []warroom.CauseCategory
	Subs       []string
	Kinds      []warroom.ActionItemKind
	Users      []*warroom.User
	Editable   bool
	IsReviewer bool
	// WhyRows are the whys plus blank rows to extend the chain to five.
	WhyRows    []whyRow
	Moments    []momentRow
	FactorText string
	DefaultDue string
	Err        string
}

func (d *postmortemData) ErrorText() string { return d.Err }

// whyRow is one row of the 5-whys editor, numbered from 1.
type whyRow struct {
	warroom.Why
	N int
}

// momentRow is a key moment with the gap since the previous one.
type momentRow struct {
	Name string
	At   *time.Time
	Gap  time.Duration
}

func (h *Handler) postmortemsReady() bool { return h.d.Postmortems != nil && h.d.ActionItems != nil }

func (h *Handler) postmortemList(w http.ResponseWriter, r *http.Request, rc *request) {
	if !h.postmortemsReady() {
		h.renderError(w, r, rc, http.StatusNotFound, rc.L.T("error.status.404"))
		return
	}
	q := r.URL.Query()
	f := warroom.PostmortemFilter{Limit: listPageSize}
	status := q.Get("status")
	if status != "" {
		f.Statuses = []warroom.PostmortemStatus{warroom.PostmortemStatus(status)}
	}
	if off, err := strconv.Atoi(q.Get("offset")); err == nil && off > 0 {
		f.Offset = off
	}
	ps, n, err := h.d.Postmortems.FindPostmortems(r.Context(), f)
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	// A year holds thousands of postmortems: pages of fifty, as the
	// incident list has.
	prev, next := pageLinks("/postmortems", q, f.Offset, len(ps), n)
	h.render(w, r, rc, http.StatusOK, "postmortems", rc.L.T("nav.postmortems"), map[string]any{
		"Postmortems": ps, "Total": n, "Status": status,
		"Statuses": []warroom.PostmortemStatus{warroom.PostmortemDraft, warroom.PostmortemInReview, warroom.PostmortemPublished},
		"From":     f.Offset + 1, "To": f.Offset + len(ps), "Prev": prev, "Next": next,
	})
}

func (h *Handler) postmortemCreate(w http.ResponseWriter, r *http.Request, rc *request) {
	id, err := pathID(r, "id")
	if err != nil || !h.postmortemsReady() {
		h.fail(w, r, rc, warroom.Errorf(warroom.ENOTFOUND, "Not found."))
		return
	}
	p, err := h.d.Postmortems.CreatePostmortem(r.Context(), id, nil)
	if warroom.ErrorCode(err) == warroom.ECONFLICT {
		if p, err = h.d.Postmortems.FindPostmortemByIncident(r.Context(), id); err == nil {
			http.Redirect(w, r, "/postmortems/"+strconv.FormatInt(p.ID, 10), http.StatusSeeOther)
			return
		}
	}
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	http.Redirect(w, r, "/postmortems/"+strconv.FormatInt(p.ID, 10), http.StatusSeeOther)
}

func (h *Handler) postmortemShow(w http.ResponseWriter, r *http.Request, rc *request) {
	h.showPostmortem(w, r, rc, http.StatusOK, "")
}

// showPostmortem renders the page, with errMsg in the banner when an
// action was refused.
func (h *Handler) showPostmortem(w http.ResponseWriter, r *http.Request, rc *request, status int, errMsg string) {
	id, err := pathID(r, "id")
	if err != nil || !h.postmortemsReady() {
		h.fail(w, r, rc, warroom.Errorf(warroom.ENOTFOUND, "Not found."))
		return
	}
	p, err := h.d.Postmortems.FindPostmortemByID(r.Context(), id)
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	d := &postmortemData{P: p, Kinds: warroom.ActionItemKinds, Err: errMsg, FactorText: strings.Join(p.ContributingFactors, "\n"),
		DefaultDue: h.d.Now().AddDate(0, 0, 14).Format("2006-01-02")}
	for _, c := range warroom.CauseCategories {
		d.Causes = append(d.Causes, c.Category)
		if c.Category == p.CauseCategory {
			d.Subs = c.Subcategories
		}
	}
	d.Editable = rc.User.Can(warroom.PermRespond) && p.Status != warroom.PostmortemPublished
	for _, rv := range p.Reviews {
		if rv.UserID == rc.User.ID && p.Status == warroom.PostmortemInReview {
			d.IsReviewer = true
		}
	}
	for i, y := range p.Whys {
		d.WhyRows = append(d.WhyRows, whyRow{*y, i + 1})
	}
	for len(d.WhyRows) < 5 {
		d.WhyRows = append(d.WhyRows, whyRow{N: len(d.WhyRows) + 1})
	}
	for _, m := range p.KeyMoments {
		d.Moments = append(d.Moments, momentRow{m.Name, m.At, time.Duration(m.GapSeconds) * time.Second})
	}
	if rc.User.Can(warroom.PermRespond) {
		active := true
		if d.Users, _, err = h.d.Users.FindUsers(r.Context(), warroom.UserFilter{Active: &active, Limit: warroom.MaxPageSize}); err != nil {
			h.fail(w, r, rc, err)
			return
		}
	}
	h.render(w, r, rc, status, "postmortem", rc.L.T("postmortem.title")+" "+p.Incident.Number, d)
}

// formPostmortem reads the editor: whys as rows of question, answer and
// evidence (blank rows dropped), factors one per line.
func formPostmortem(r *http.Request) warroom.PostmortemUpdate {
	_ = r.ParseForm()
	v := func(name string) *string { s := strings.TrimSpace(r.PostFormValue(name)); return &s }
	cause := warroom.CauseCategory(r.PostFormValue("cause_category"))
	upd := warroom.PostmortemUpdate{Summary: v("summary"), WentWell: v("went_well"), WentBadly: v("went_badly"), GotLucky: v("got_lucky"),
		Lessons: v("lessons"), CauseCategory: &cause, CauseSubcategory: v("cause_subcategory")}
	if !cause.ValidSubcategory(*upd.CauseSubcategory) {
		*upd.CauseSubcategory = ""
	}
	factors := []string{}
	for _, line := range strings.Split(r.PostFormValue("contributing_factors"), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			factors = append(factors, line)
		}
	}
	upd.ContributingFactors = &factors
	whys := []warroom.Why{}
	qs, as, es, ids := r.PostForm["why_question"], r.PostForm["why_answer"], r.PostForm["why_evidence"], r.PostForm["why_id"]
	for i, q := range qs {
		w := warroom.Why{Question: strings.TrimSpace(q)}
		if i < len(as) {
			w.Answer = strings.TrimSpace(as[i])
		}
		if i < len(es) {
			w.Evidence = strings.TrimSpace(es[i])
		}
		if i < len(ids) {
			w.ID, _ = strconv.ParseInt(ids[i], 10, 64)
		}
		if w.Question != "" || w.Answer != "" {
			whys = append(whys, w)
		}
	}
	upd.Whys = &whys
	return upd
}

func (h *Handler) postmortemSave(w http.ResponseWriter, r *http.Request, rc *request) {
	h.postmortemAction(w, r, rc, func(id int64) error {
		upd := formPostmortem(r)
		if err := upd.Validate(); err != nil {
			return err
		}
		_, err := h.d.Postmortems.UpdatePostmortem(r.Context(), id, upd)
		return err
	})
}

func (h *Handler) postmortemSubmit(w http.ResponseWriter, r *http.Request, rc *request) {
	h.postmortemAction(w, r, rc, func(id int64) error {
		_, err := h.d.Postmortems.SubmitPostmortem(r.Context(), id, formIDs(r, "reviewer_ids"))
		return err
	})
}

func (h *Handler) postmortemReview(w http.ResponseWriter, r *http.Request, rc *request) {
	h.postmortemAction(w, r, rc, func(id int64) error {
		_, err := h.d.Postmortems.ReviewPostmortem(r.Context(), id, warroom.ReviewDecision(r.PostFormValue("decision")), strings.TrimSpace(r.PostFormValue("comment")))
		return err
	})
}

func (h *Handler) postmortemPublish(w http.ResponseWriter, r *http.Request, rc *request) {
	h.postmortemAction(w, r, rc, func(id int64) error {
		_, err := h.d.Postmortems.PublishPostmortem(r.Context(), id)
		return err
	})
}

func (h *Handler) postmortemTimeline(w http.ResponseWriter, r *http.Request, rc *request) {
	h.postmortemAction(w, r, rc, func(id int64) error {
		_, err := h.d.Postmortems.ImportTimeline(r.Context(), id)
		return err
	})
}

// postmortemAction runs one change and returns to the page, or shows the
// page again with the refusal in the banner.
func (h *Handler) postmortemAction(w http.ResponseWriter, r *http.Request, rc *request, f func(id int64) error) {
	id, err := pathID(r, "id")
	if err != nil || !h.postmortemsReady() {
		h.fail(w, r, rc, warroom.Errorf(warroom.ENOTFOUND, "Not found."))
		return
	}
	if err := f(id); err != nil {
		if code := warroom.ErrorCode(err); code == warroom.ENOTFOUND || code == warroom.EINTERNAL {
			h.fail(w, r, rc, err)
			return
		}
		h.showPostmortem(w, r, rc, statusFor(warroom.ErrorCode(err)), h.errorText(r, rc, err))
		return
	}
	http.Redirect(w, r, "/postmortems/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

// postmortemExport serves the printable page (print=html) or the Markdown.
func (h *Handler) postmortemExport(w http.ResponseWriter, r *http.Request, rc *request) {
	id, err := pathID(r, "id")
	if err != nil || !h.postmortemsReady() {
		h.fail(w, r, rc, warroom.Errorf(warroom.ENOTFOUND, "Not found."))
		return
	}
	p, err := h.d.Postmortems.FindPostmortemByID(r.Context(), id)
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	var b []byte
	if r.URL.Query().Get("format") == "md" {
		b, err = export.Markdown(p)
		w.Header().Set("Content-Type", "text/markdown; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="`+p.Incident.Number+`-postmortem.md"`)
	} else {
		b, err = export.HTML(p)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
	}
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(b)
}

// actionItemsData is the "my action items" page.
type actionItemsData struct {
	Items []*warroom.ActionItem
	Total int
	All   bool
	Now   time.Time
}

func (h *Handler) actionItemList(w http.ResponseWriter, r *http.Request, rc *request) {
	if !h.postmortemsReady() {
		h.renderError(w, r, rc, http.StatusNotFound, rc.L.T("error.status.404"))
		return
	}
	d := actionItemsData{All: r.URL.Query().Get("all") != "", Now: h.d.Now()}
	f := warroom.ActionItemFilter{OwnerID: &rc.User.ID, Limit: warroom.MaxPageSize}
	if !d.All {
		f.Statuses = []warroom.ActionItemStatus{warroom.ActionOpen, warroom.ActionInProgress}
	}
	var err error
	if d.Items, d.Total, err = h.d.ActionItems.FindActionItems(r.Context(), f); err != nil {
		h.fail(w, r, rc, err)
		return
	}
	h.render(w, r, rc, http.StatusOK, "action_items", rc.L.T("nav.action_items"), d)
}

// actionItemCreate adds an item from the postmortem page: by hand, or from
// a timeline event or a why (source_type, source_id).
func (h *Handler) actionItemCreate(w http.ResponseWriter, r *http.Request, rc *request) {
	if !h.postmortemsReady() {
		h.fail(w, r, rc, warroom.Errorf(warroom.ENOTFOUND, "Not found."))
		return
	}
	_ = r.ParseForm()
	a := &warroom.ActionItem{Title: strings.TrimSpace(r.PostFormValue("title")), Kind: warroom.ActionItemKind(r.PostFormValue("kind")),
		Priority: warroom.ActionItemPriority(r.PostFormValue("priority")), SourceType: r.PostFormValue("source_type")}
	a.IncidentID, _ = strconv.ParseInt(r.PostFormValue("incident_id"), 10, 64)
	a.OwnerID, _ = strconv.ParseInt(r.PostFormValue("owner_id"), 10, 64)
	a.SourceID, _ = strconv.ParseInt(r.PostFormValue("source_id"), 10, 64)
	if a.OwnerID == 0 {
		a.OwnerID = rc.User.ID
	}
	if due, err := time.Parse("2006-01-02", r.PostFormValue("due_date")); err == nil {
		a.DueDate = due.Add(18 * time.Hour) // the end of the working day, UTC
	}
	back := r.PostFormValue("back")
	err := a.Validate()
	if err == nil {
		err = h.d.ActionItems.CreateActionItem(r.Context(), a)
	}
	if err != nil {
		if pid, perr := strconv.ParseInt(strings.TrimPrefix(back, "/postmortems/"), 10, 64); perr == nil && warroom.ErrorCode(err) != warroom.EINTERNAL {
			r.SetPathValue("id", strconv.FormatInt(pid, 10))
			h.showPostmortem(w, r, rc, statusFor(warroom.ErrorCode(err)), h.errorText(r, rc, err))
			return
		}
		h.fail(w, r, rc, err)
		return
	}
	http.Redirect(w, r, safeBack(back, "/action-items"), http.StatusSeeOther)
}

// actionItemUpdate sets an item's status.
func (h *Handler) actionItemUpdate(w http.ResponseWriter, r *http.Request, rc *request) {
	id, err := pathID(r, "id")
	if err != nil || !h.postmortemsReady() {
		h.fail(w, r, rc, warroom.Errorf(warroom.ENOTFOUND, "Not found."))
		return
	}
	st := warroom.ActionItemStatus(r.PostFormValue("status"))
	if _, err := h.d.ActionItems.UpdateActionItem(r.Context(), id, warroom.ActionItemUpdate{Status: &st}); err != nil {
		h.fail(w, r, rc, err)
		return
	}
	http.Redirect(w, r, safeBack(r.PostFormValue("back"), "/action-items"), http.StatusSeeOther)
}

// safeBack allows only local paths as a redirect target, by the rules of
// safeNext: a control character such as a tab would otherwise let
// "/\t/evil.example" through, which browsers read as another site.
func safeBack(back, def string) string {
	if back != "" && safeNext(back) == back {
		return back
	}
	return def
}

// loadLearning adds what the incident page shows from the past: similar
// incidents with what fixed them, and this incident's postmortem. Scoped
// roles see neither: similar incidents may be on services not granted to
// them.
func (h *Handler) loadLearning(r *http.Request, rc *request, d *briefData) error {
	if h.d.Search == nil || h.d.Postmortems == nil || rc.User.Role.Scoped() {
		return nil
	}
	d.Learning = true
	var err error
	if d.Similar, err = h.d.Search.FindSimilarIncidents(r.Context(), d.Incident.ID, 5); err != nil {
		return err
	}
	p, err := h.d.Postmortems.FindPostmortemByIncident(r.Context(), d.Incident.ID)
	if err == nil {
		d.Postmortem = p
	} else if warroom.ErrorCode(err) != warroom.ENOTFOUND {
		return err
	}
	return nil
}
