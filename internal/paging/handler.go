package paging

import (
	"html/template"
	"log/slog"
	"net/http"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/server"
)

// HandlerDeps are what the link handler needs.
type HandlerDeps struct {
	Links     *Links
	Incidents warroom.IncidentService
	Users     warroom.UserService
	// Teams says which services a contractor or stakeholder was granted;
	// without it, links of such roles are refused.
	Teams  warroom.TeamService
	Now    func() time.Time
	Logger *slog.Logger
}

// NewHandler serves /l/{token}: GET shows what the link will do and a
// button; only POST acts. Link previewers and mail scanners follow links
// with GET, and must never acknowledge an incident on someone's behalf.
// The action is attributed to the recipient the link was issued to.
func NewHandler(d HandlerDeps) http.Handler {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	mux := http.NewServeMux()
	h := &linkHandler{d}
	mux.HandleFunc("GET /l/{token}", h.show)
	mux.HandleFunc("POST /l/{token}", h.act)
	return mux
}

type linkHandler struct{ d HandlerDeps }

type linkPage struct {
	Lang, Title, Body, Button, Token string
	Status                           int
}

func (h *linkHandler) claim(r *http.Request) (LinkClaim, *warroom.User, *warroom.Incident, error) {
	c, err := h.d.Links.Check(r.Context(), r.PathValue("token"), h.d.Now())
	if err != nil {
		return c, nil, nil, err
	}
	u, err := h.d.Users.FindUserByID(r.Context(), c.UserID)
	if err != nil {
		return c, nil, nil, err
	}
	// The link outlives the role it was sent for: someone since
	// deactivated or made a viewer may no longer act with it.
	if !u.Can(warroom.PermRespond) {
		return c, nil, nil, errBadLink
	}
	ctx := warroom.NewContextWithUser(r.Context(), u)
	inc, err := h.d.Incidents.FindIncidentByID(ctx, c.IncidentID)
	if err != nil {
		return c, nil, nil, err
	}
	// Nor may a contractor whose grant on the incident's services was
	// withdrawn after the page went out.
	if u.Role.Scoped() {
		if h.d.Teams == nil {
			return c, nil, nil, errBadLink
		}
		granted, err := h.d.Teams.FindUserServiceIDs(ctx, u.ID)
		if err != nil {
			return c, nil, nil, err
		}
		if !u.Role.SeesIncident(inc.ServiceIDs, granted) {
			return c, nil, nil, errBadLink
		}
	}
	return c, u, inc, nil
}

func (h *linkHandler) show(w http.ResponseWriter, r *http.Request) {
	c, u, inc, err := h.claim(r)
	if err != nil {
		h.fail(w, r, "en", err)
		return
	}
	t := texts(u.Locale)
	p := linkPage{Lang: u.Locale, Token: r.PathValue("token"), Status: http.StatusOK}
	if c.Action == warroom.LinkAcknowledge {
		p.Title, p.Button = t.ackTitle(inc), t.ackButton
	} else {
		p.Title, p.Button = t.resolveTitle(inc), t.resolveButton
	}
	p.Body = t.as(u.Name, inc)
	h.render(w, p)
}

func (h *linkHandler) act(w http.ResponseWriter, r *http.Request) {
	c, u, inc, err := h.claim(r)
	if err != nil {
		h.fail(w, r, "en", err)
		return
	}
	t := texts(u.Locale)
	ctx := warroom.NewContextWithSource(warroom.NewContextWithUser(r.Context(), u), r.RemoteAddr)
	to := warroom.StateAcknowledged
	if c.Action == warroom.LinkResolve {
		to = warroom.StateResolved
	}
	if c.Action == warroom.LinkAcknowledge && inc.AcknowledgedAt != nil {
		h.render(w, linkPage{Lang: u.Locale, Title: t.already(inc), Status: http.StatusOK})
		return
	}
	if _, err := h.d.Incidents.TransitionIncident(ctx, inc.ID, to, t.note); err != nil {
		h.fail(w, r, u.Locale, err)
		return
	}
	h.render(w, linkPage{Lang: u.Locale, Title: t.done(inc, to), Status: http.StatusOK})
}

func (h *linkHandler) fail(w http.ResponseWriter, r *http.Request, lang string, err error) {
	status := http.StatusNotFound
	switch warroom.ErrorCode(err) {
	case warroom.ENOTFOUND:
	case warroom.ECONFLICT:
		status = http.StatusConflict
	default:
		status = http.StatusInternalServerError
		h.d.Logger.Error("notification link", "path", server.LogPath(r.URL.Path), "err", err)
	}
	h.render(w, linkPage{Lang: lang, Title: warroom.ErrorMessage(err), Status: status})
}

var pageTemplate = template.Must(template.New("link").Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>{{.Title}}</title>
<style>body{font-family:-apple-system,"Segoe UI","PingFang SC","Microsoft YaHei",sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#1a1a1a}
button{font-size:1.1rem;padding:.6rem 1.2rem;background:#b42318;color:#fff;border:0;border-radius:4px;cursor:pointer}</style></head>
<body><h1>{{.Title}}</h1>{{if .Body}}<p>{{.Body}}</p>{{end}}
{{if .Button}}<form method="post" action="/l/{{.Token}}"><button type="submit">{{.Button}}</button></form>{{end}}
</body></html>`))

func (h *linkHandler) render(w http.ResponseWriter, p linkPage) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	// The token is a credential: keep it out of caches and Referer headers.
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(p.Status)
	if err := pageTemplate.Execute(w, p); err != nil {
		h.d.Logger.Error("render link page", "err", err)
	}
}

// linkTexts are the page's words in one language.
type linkTexts struct {
	ackButton, resolveButton, note string
	ackTitle, resolveTitle         func(*warroom.Incident) string
	already                        func(*warroom.Incident) string
	done                           func(*warroom.Incident, warroom.State) string
	as                             func(string, *warroom.Incident) string
}

func texts(locale string) linkTexts {
	if locale == "zh-CN" {
		return linkTexts{
			ackButton: "确认", resolveButton: "解决", note: "通过通知中的链接操作",
			ackTitle:     func(i *warroom.Incident) string { return "确认 " + i.Number + "？" },
			resolveTitle: func(i *warroom.Incident) string { return "将 " + i.Number + " 标记为已解决？" },
			already:      func(i *warroom.Incident) string { return i.Number + " 已被确认。" },
			done: func(i *warroom.Incident, s warroom.State) string {
				if s == warroom.StateResolved {
					return i.Number + " 已解决。"
				}
				return i.Number + " 已确认，升级已停止。"
			},
			as: func(name string, i *warroom.Incident) string {
				return i.Title + "（" + string(i.Severity) + "）—— 以 " + name + " 的身份操作。"
			},
		}
	}
	return linkTexts{
		ackButton: "Acknowledge", resolveButton: "Resolve", note: "via the link in a notification",
		ackTitle:     func(i *warroom.Incident) string { return "Acknowledge " + i.Number + "?" },
		resolveTitle: func(i *warroom.Incident) string { return "Resolve " + i.Number + "?" },
		already:      func(i *warroom.Incident) string { return i.Number + " is already acknowledged." },
		done: func(i *warroom.Incident, s warroom.State) string {
			if s == warroom.StateResolved {
				return i.Number + " is resolved."
			}
			return i.Number + " is acknowledged; escalation has stopped."
		},
		as: func(name string, i *warroom.Incident) string {
			return i.Title + " (" + string(i.Severity) + ") — you act as " + name + "."
		},
	}
}
