package statuspage

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/warroomhq/warroom"
)

// days is the length of the uptime history.
const days = 90

// page is what the layout renders around every public page.
type page struct {
	L     *lang
	S     *warroom.StatusPageSettings
	Title string
	// Path is the page's own path, for the language switch.
	Path string
	Data any
	// Drill marks a drill preview: bannered, not indexed, no feed and no
	// subscription form.
	Drill bool
}

// funcs are the template helpers that need no language.
var funcs = template.FuncMap{
	"accent": func(c string) template.CSS {
		// Validated as #rrggbb on the way in; checked again here because
		// it is written into a style attribute.
		if warroom.ValidAccentColour(c) {
			return template.CSS(c)
		}
		return template.CSS("#1f6feb")
	},
	"join": func(s []string) string { return strings.Join(s, ", ") },
	"add":  func(a, b int) int { return a + b },
	"sub":  func(a, b int) int { return a - b },
	"dict": func(kv ...any) map[string]any {
		m := make(map[string]any, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	},
}

// barRun is a run of consecutive days drawn as one rectangle; only runs
// that are not plain operational days carry a title.
type barRun struct {
	X, W  int
	Class string
	Title string
}

type componentView struct {
	ID          int64
	Name        string
	Description string
	Status      warroom.ComponentStatus
	Runs        []barRun
	Uptime      string
}

type groupView struct {
	Name       string
	Components []*componentView
}

type incidentView struct {
	*warroom.PublicIncident
	Names []string
}

type maintenanceView struct {
	*warroom.Maintenance
	Names  []string
	Active bool
}

type indexData struct {
	Overall     warroom.ComponentStatus
	Groups      []*groupView
	Components  []*warroom.Component
	Active      []*incidentView
	Maintenance []*maintenanceView
	Notice      string
}

// snapshot is everything the index page shows, read once per render.
type snapshot struct {
	settings   *warroom.StatusPageSettings
	components []*warroom.Component
	names      map[int64]string
	changes    map[int64][]warroom.StatusChange
	maint      []*warroom.Maintenance
	active     []*warroom.PublicIncident
}

func (h *Handler) load(ctx context.Context, now time.Time) (*snapshot, error) {
	s := &snapshot{names: map[int64]string{}, changes: map[int64][]warroom.StatusChange{}}
	var err error
	if s.settings, err = h.d.StatusPage.FindStatusPageSettings(ctx); err != nil {
		return nil, err
	}
	if s.components, err = h.d.StatusPage.FindComponents(ctx); err != nil {
		return nil, err
	}
	for _, c := range s.components {
		s.names[c.ID] = c.Name
	}
	start := now.UTC().Truncate(24*time.Hour).AddDate(0, 0, 1-days)
	changes, err := h.d.StatusPage.FindStatusChanges(ctx, start)
	if err != nil {
		return nil, err
	}
	for _, c := range changes {
		s.changes[c.ComponentID] = append(s.changes[c.ComponentID], c)
	}
	if s.maint, err = h.d.StatusPage.FindMaintenances(ctx, now); err != nil {
		return nil, err
	}
	active := true
	if s.active, _, err = h.d.StatusPage.FindPublicIncidents(ctx, warroom.PublicIncidentFilter{Active: &active, Limit: warroom.MaxPageSize}); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *snapshot) componentNames(ids []int64) []string {
	var out []string
	for _, id := range ids {
		if n, ok := s.names[id]; ok {
			out = append(out, n)
		}
	}
	return out
}

func (h *Handler) index(r *http.Request, l *lang) (*entry, error) {
	return h.indexPage(r, l, nil)
}

// indexPage renders the front page; with a drill preview, as the page would
// look with the drill's public updates on it, marked as a drill.
func (h *Handler) indexPage(r *http.Request, l *lang, drill *warroom.DrillPreview) (*entry, error) {
	now := h.d.Now()
	s, err := h.load(r.Context(), now)
	if err != nil {
		return nil, err
	}
	drilled := map[int64]warroom.ComponentStatus{}
	if drill != nil {
		for _, c := range drill.Components {
			drilled[c.ComponentID] = c.Status
		}
		if drill.Incident.ResolvedAt == nil && len(drill.Incident.Updates) > 0 {
			s.active = append([]*warroom.PublicIncident{drill.Incident}, s.active...)
		}
	}
	d := &indexData{Overall: warroom.ComponentOperational}
	inMaintenance := map[int64]bool{}
	for _, m := range s.maint {
		mv := &maintenanceView{Maintenance: m, Names: s.componentNames(m.ComponentIDs), Active: m.Active(now)}
		if mv.Active {
			for _, id := range m.ComponentIDs {
				inMaintenance[id] = true
			}
		}
		d.Maintenance = append(d.Maintenance, mv)
	}
	var g *groupView
	for _, c := range s.components {
		if g == nil || g.Name != c.Group {
			g = &groupView{Name: c.Group}
			d.Groups = append(d.Groups, g)
		}
		status := c.Status
		if st, ok := drilled[c.ID]; ok {
			status = st
		}
		if status == warroom.ComponentOperational && inMaintenance[c.ID] {
			status = warroom.ComponentMaintenance
		}
		if status.Worse(d.Overall) {
			d.Overall = status
		}
		bars, uptime := warroom.UptimeDays(c.CreatedAt, s.changes[c.ID], days, now)
		g.Components = append(g.Components, &componentView{ID: c.ID, Name: c.Name, Description: c.Description, Status: status,
			Runs: runs(l, bars), Uptime: l.T("uptime.percent", "Percent", strconv.FormatFloat(uptime*100, 'f', 2, 64))})
	}
	for _, p := range s.active {
		d.Active = append(d.Active, &incidentView{PublicIncident: p, Names: s.componentNames(p.Components)})
	}
	if drill != nil {
		return h.render(&page{L: l, S: s.settings, Title: l.T("drill.banner") + " " + s.settings.Name, Path: r.URL.Path, Data: d, Drill: true}, "index", http.StatusOK)
	}
	return h.renderPage(l, s.settings, http.StatusOK, "index", s.settings.Name, "/status", d)
}

// runs merges consecutive days of the same look into one rectangle, so
// that a component with a quiet quarter costs one element, not ninety.
func runs(l *lang, bars []warroom.DayStatus) []barRun {
	var out []barRun
	for i, b := range bars {
		class := "unknown"
		if b.Known {
			class = string(b.Worst)
		}
		plain := class == "operational" || class == "unknown"
		if n := len(out); n > 0 && plain && out[n-1].Class == class {
			out[n-1].W++
			continue
		}
		r := barRun{X: i, W: 1, Class: class}
		// Only days worth a closer look get a tooltip: translating ninety
		// quiet days for a thousand components would dominate the render.
		if !plain {
			day := b.Day.Format("2006-01-02")
			r.Title = l.T("uptime.day", "Day", day, "Status", l.Status(b.Worst))
			if b.OutageSeconds > 0 {
				r.Title = l.T("uptime.outage", "Day", day, "Status", l.Status(b.Worst), "Minutes", (b.OutageSeconds+59)/60)
			}
		}
		out = append(out, r)
	}
	return out
}

// subscribeForm lets a visitor choose components; it is its own page so
// that the status page does not carry a checkbox per component.
func (h *Handler) subscribeForm(r *http.Request, l *lang) (*entry, error) {
	settings, err := h.d.StatusPage.FindStatusPageSettings(r.Context())
	if err != nil {
		return nil, err
	}
	cs, err := h.d.StatusPage.FindComponents(r.Context())
	if err != nil {
		return nil, err
	}
	return h.renderPage(l, settings, http.StatusOK, "subscribe", l.T("page.subscribe"), "/status/subscribe", indexData{Components: cs})
}

type incidentData struct {
	Incident *incidentView
}

func (h *Handler) incident(r *http.Request, l *lang) (*entry, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return nil, warroom.Errorf(warroom.ENOTFOUND, "no incident %q", r.PathValue("id"))
	}
	settings, err := h.d.StatusPage.FindStatusPageSettings(r.Context())
	if err != nil {
		return nil, err
	}
	ps, _, err := h.d.StatusPage.FindPublicIncidents(r.Context(), warroom.PublicIncidentFilter{ID: &id})
	if err != nil {
		return nil, err
	} else if len(ps) == 0 {
		return nil, warroom.Errorf(warroom.ENOTFOUND, "no incident %d", id)
	}
	cs, err := h.d.StatusPage.FindComponents(r.Context())
	if err != nil {
		return nil, err
	}
	s := &snapshot{names: map[int64]string{}}
	for _, c := range cs {
		s.names[c.ID] = c.Name
	}
	v := &incidentView{PublicIncident: ps[0], Names: s.componentNames(ps[0].Components)}
	return h.renderPage(l, settings, http.StatusOK, "incident", ps[0].Title, fmt.Sprintf("/status/incidents/%d", id), incidentData{Incident: v})
}

type historyData struct {
	Incidents []*incidentView
	Page      int
	Older     bool
}

const historyPageSize = 25

func (h *Handler) history(r *http.Request, l *lang) (*entry, error) {
	n, err := strconv.Atoi(r.URL.Query().Get("page"))
	if err != nil || n < 1 {
		n = 1
	}
	settings, err := h.d.StatusPage.FindStatusPageSettings(r.Context())
	if err != nil {
		return nil, err
	}
	ps, total, err := h.d.StatusPage.FindPublicIncidents(r.Context(), warroom.PublicIncidentFilter{Offset: (n - 1) * historyPageSize, Limit: historyPageSize})
	if err != nil {
		return nil, err
	}
	cs, err := h.d.StatusPage.FindComponents(r.Context())
	if err != nil {
		return nil, err
	}
	s := &snapshot{names: map[int64]string{}}
	for _, c := range cs {
		s.names[c.ID] = c.Name
	}
	d := historyData{Page: n, Older: n*historyPageSize < total}
	for _, p := range ps {
		d.Incidents = append(d.Incidents, &incidentView{PublicIncident: p, Names: s.componentNames(p.Components)})
	}
	return h.renderPage(l, settings, http.StatusOK, "history", l.T("history.title"), "/status/history", d)
}

// renderPage executes a page into a buffer so that a template error is a
// clean 500, never half a page.
func (h *Handler) renderPage(l *lang, s *warroom.StatusPageSettings, status int, name, title, path string, data any) (*entry, error) {
	return h.render(&page{L: l, S: s, Title: title, Path: path, Data: data}, name, status)
}

func (h *Handler) render(p *page, name string, status int) (*entry, error) {
	t, ok := h.pages[name]
	if !ok {
		return nil, fmt.Errorf("statuspage: no template %q", name)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		return nil, fmt.Errorf("statuspage: render %s: %w", name, err)
	}
	return newEntry(status, "text/html; charset=utf-8", buf.Bytes(), h.d.Now()), nil
}

// fail renders an error page: not found as such, anything else logged and
// shown as a generic message.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, l *lang, err error) {
	status := http.StatusNotFound
	if warroom.ErrorCode(err) != warroom.ENOTFOUND {
		status = http.StatusInternalServerError
		h.d.Logger.Error("statuspage: render", "path", r.URL.Path, "err", err)
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	_, _ = fmt.Fprintln(w, http.StatusText(status))
}

// message renders a small page with one sentence, and a form when set.
func (h *Handler) message(w http.ResponseWriter, r *http.Request, l *lang, status int, text string, form any) {
	settings, err := h.d.StatusPage.FindStatusPageSettings(r.Context())
	if err != nil {
		h.fail(w, r, l, err)
		return
	}
	e, err := h.renderPage(l, settings, status, "message", settings.Name, "/status", map[string]any{"Text": text, "Form": form})
	if err != nil {
		h.fail(w, r, l, err)
		return
	}
	w.Header().Set("Content-Type", e.ctype)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(e.status)
	_, _ = w.Write(e.body)
}
