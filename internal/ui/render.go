package ui

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strconv"
	"strings"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/buildinfo"
	"github.com/warroomhq/warroom/internal/server"
)

// pageTemplate is one page parsed together with the layout and partials.
type pageTemplate struct {
	t *template.Template
}

// parseTemplates parses every page once, at start, each with its own copy
// of the layout and partials so that pages may define the same blocks.
func parseTemplates() (map[string]*pageTemplate, error) {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("templates: %w", err)
	}
	base, err := template.New("").Funcs(funcs).ParseFS(templateFS, "templates/_layout.html", "templates/_partials.html")
	if err != nil {
		return nil, fmt.Errorf("templates: %w", err)
	}
	pages := map[string]*pageTemplate{}
	for _, n := range names {
		name := strings.TrimSuffix(path.Base(n), ".html")
		if strings.HasPrefix(name, "_") {
			continue
		}
		t, err := template.Must(base.Clone()).ParseFS(templateFS, n)
		if err != nil {
			return nil, fmt.Errorf("templates: %s: %w", name, err)
		}
		pages[name] = &pageTemplate{t: t}
	}
	return pages, nil
}

// funcs are the few template helpers that need no request; everything
// language- or time-zone-dependent is a method of lang.
var funcs = template.FuncMap{
	"dict": func(kv ...any) map[string]any {
		m := make(map[string]any, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	},
	"int64": func(n int) int64 { return int64(n) },
	// buildVersion is shown to signed-in people only: an exact version
	// tells an attacker which advisories apply.
	"buildVersion": func() string { return buildinfo.Get().Short() },
	"tiers":        func() []int { return []int{1, 2, 3, 4} },
	"minutes":      func(secs int64) int64 { return secs / 60 },
	"impactForm":   impactForm,
	"amount": func(m warroom.Money) string {
		if m.IsZero() {
			return ""
		}
		return m.Amount.String()
	},
	"currency": func(m warroom.Money) string {
		if m.Currency == "" {
			return "CNY"
		}
		return m.Currency
	},
	"sevclass": func(s warroom.Severity) string { return "sev-" + strings.ToLower(string(s)) },
	"has": func(list any, v any) bool {
		switch l := list.(type) {
		case []warroom.Severity:
			for _, x := range l {
				if x == v {
					return true
				}
			}
		case []warroom.IncidentType:
			for _, x := range l {
				if x == v {
					return true
				}
			}
		case []int64:
			for _, x := range l {
				if x == v {
					return true
				}
			}
		}
		return false
	},
}

// impactForm fills the impact fields of the edit form from an incident.
func impactForm(im warroom.Impact) declareForm {
	f := declareForm{Compliance: im.ComplianceImpact, ComplianceNote: im.ComplianceNote, Currency: im.MoneyAffected.Currency}
	if im.UsersAffected > 0 {
		f.Users = strconv.FormatInt(im.UsersAffected, 10)
	}
	if im.OrdersAffected > 0 {
		f.Orders = strconv.FormatInt(im.OrdersAffected, 10)
	}
	if !im.MoneyAffected.IsZero() {
		f.Money = im.MoneyAffected.Amount.String()
	}
	if f.Currency == "" {
		f.Currency = "CNY"
	}
	if p := im.RecoveryPathAvailable; p != nil && *p {
		f.Recovery = "yes"
	} else if p != nil {
		f.Recovery = "no"
	}
	return f
}

// page is what the layout renders around every page's content.
type page struct {
	L          *lang
	User       *warroom.User
	CSRF       string
	Title      string
	Nav        string
	CanRespond bool
	CanAdmin   bool
	Error      string
	Data       any
	// Menu is the main navigation, built only for full pages.
	Menu []navGroup
}

// render executes a page into a buffer first so that a template error
// becomes a clean 500 instead of half a page.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, rc *request, status int, name, title string, data any) {
	h.renderTemplate(w, r, rc, status, name, "layout", title, data)
}

func (h *Handler) renderTemplate(w http.ResponseWriter, r *http.Request, rc *request, status int, name, block, title string, data any) {
	p := &page{L: rc.L, User: rc.User, Title: title, Nav: name, Data: data}
	if rc.Session != nil {
		p.CSRF = rc.Session.CSRFToken
	}
	p.CanRespond = rc.User.Can(warroom.PermRespond)
	p.CanAdmin = rc.User.Can(warroom.PermAdmin)
	if block == "layout" && rc.User != nil {
		p.Menu = h.menu(r.Context(), rc.User, name)
	}
	if e, ok := data.(interface{ ErrorText() string }); ok {
		p.Error = e.ErrorText()
	}
	pt, ok := h.pages[name]
	if !ok {
		h.d.Logger.Error("ui: no such template", "name", name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := pt.t.ExecuteTemplate(&buf, block, p); err != nil {
		h.d.Logger.Error("ui: render", "template", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

type errorData struct {
	Status  int
	Message string
}

// renderError shows an error page with a message already fit for people.
func (h *Handler) renderError(w http.ResponseWriter, r *http.Request, rc *request, status int, msg string) {
	switch status {
	case http.StatusUnauthorized:
		h.refusals.Record(r, status, warroom.EUNAUTHORIZED, msg)
	case http.StatusForbidden:
		h.refusals.Record(r, status, warroom.EFORBIDDEN, msg)
	}
	h.render(w, r, rc, status, "error", rc.L.T(fmt.Sprintf("error.status.%d", status)), errorData{Status: status, Message: msg})
}

// fail renders a service error: the domain's message for application
// errors, a generic one for internal errors, which are logged instead.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, rc *request, err error) {
	if errors.Is(err, warroom.ErrTwoPersonRule) {
		h.refusals.RecordError(r, err) // a 409: renderError records 401s and 403s
	}
	code := warroom.ErrorCode(err)
	status := statusFor(code)
	if code == warroom.EINTERNAL {
		h.d.Logger.Error("ui: internal error", "method", r.Method, "path", server.LogPath(r.URL.Path), "err", err)
		h.renderError(w, r, rc, status, rc.L.T("error.internal"))
		return
	}
	h.renderError(w, r, rc, status, warroom.ErrorMessage(err))
}

// errorText is the message shown in a form's error banner.
func (h *Handler) errorText(r *http.Request, rc *request, err error) string {
	h.refusals.RecordError(r, err)
	if warroom.ErrorCode(err) == warroom.EINTERNAL {
		h.d.Logger.Error("ui: internal error", "method", r.Method, "path", server.LogPath(r.URL.Path), "err", err)
		return rc.L.T("error.internal")
	}
	return rc.L.T("error.not_saved", "Message", warroom.ErrorMessage(err))
}

// statusFor maps a warroom error code to its HTTP status, as the API does.
func statusFor(code string) int {
	switch code {
	case warroom.ECONFLICT:
		return http.StatusConflict
	case warroom.EINVALID:
		return http.StatusUnprocessableEntity
	case warroom.EMALFORMED:
		return http.StatusBadRequest
	case warroom.ENOTFOUND:
		return http.StatusNotFound
	case warroom.ETOOLARGE:
		return http.StatusRequestEntityTooLarge
	case warroom.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case warroom.EFORBIDDEN:
		return http.StatusForbidden
	}
	return http.StatusInternalServerError
}
