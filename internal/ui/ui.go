// Package ui is warroom's web interface: server-rendered pages for the
// incident war room, in English and Simplified Chinese, with live updates
// over Server-Sent Events.
//
// Templates and static files are embedded, so `go build` alone produces
// everything the browser needs. The package talks to the domain through the
// warroom service interfaces only.
package ui

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/i18n"
	"github.com/warroomhq/warroom/internal/server"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Deps are the services the UI works through, and its settings.
type Deps struct {
	Incidents warroom.IncidentService
	Severity  warroom.SeverityPolicyService
	Services  warroom.ServiceCatalog
	Roles     warroom.RoleService
	SOPs      warroom.SOPService
	Timeline  warroom.TimelineService
	Users     warroom.UserService
	Sessions  warroom.SessionService
	// Changes and ChangePolicy serve the change pages and the brief's
	// recent changes; nil hides them.
	Changes      warroom.ChangeService
	ChangePolicy warroom.ChangePolicyService
	// Teams resolves the services granted to contractors and stakeholders;
	// nil refuses them every incident.
	Teams warroom.TeamService
	// Postmortems, ActionItems and Search serve the postmortem, action
	// item and search pages and the similar incidents on an incident;
	// nil hides them.
	Postmortems warroom.PostmortemService
	ActionItems warroom.ActionItemService
	Search      warroom.SearchService

	// Insights serves the insights page; nil hides it (404).
	Insights warroom.InsightsService

	// Calendars serves the working calendar pages; nil hides them (404).
	Calendars warroom.CalendarService

	// OIDC enables "Sign in with SSO"; nil hides it.
	OIDC *OIDC
	// Audit, AuditVerifier and Approvals serve the admin pages; nil hides
	// them (404).
	Audit         warroom.AuditService
	AuditVerifier warroom.AuditVerifier
	Approvals     warroom.ApprovalService
	// Invites serves invitations and the page that accepts them; nil
	// hides them (404).
	Invites warroom.InviteService

	// Stakeholders, StatusPage and Subscribers serve the stakeholder and
	// status page admin pages; nil hides them (404).
	Stakeholders warroom.StakeholderService
	StatusPage   warroom.StatusPageService
	Subscribers  warroom.SubscriberService

	// Schedules, Escalations and Contacts serve the on-call pages and
	// each person's contact methods; nil hides them (404).
	Schedules   warroom.ScheduleService
	Escalations warroom.EscalationService
	Contacts    warroom.ContactService

	// Alerts, Integrations, Routing, Monitors and Maintenance serve the
	// alert ingestion pages; nil hides them (404).
	Alerts       warroom.AlertService
	Integrations warroom.IntegrationService
	Routing      warroom.RoutingService
	Monitors     warroom.MonitorService
	Maintenance  warroom.MaintenanceService

	// Hooks serves the outbound webhook pages; nil hides them (404).
	Hooks warroom.HookService

	// Drills serves the game-day pages and DrillPreview renders a drill's
	// preview of the status page; nil hides them (404).
	Drills       warroom.DrillService
	DrillPreview DrillPreviewer

	Logger *slog.Logger
	// Refusals records refused requests in the audit log; nil records
	// none.
	Refusals warroom.RefusalRecorder
	// Now is the clock used for countdowns; nil means time.Now.
	Now func() time.Time
	// Secure marks cookies Secure; set it when the UI is served over TLS.
	Secure bool
	// PollInterval is how often a live stream looks for new timeline
	// events; zero means 300 ms.
	PollInterval time.Duration
}

// Handler serves the UI. Create it with New.
type Handler struct {
	d       Deps
	catalog *i18n.Catalog
	pages   map[string]*pageTemplate
	mux     *http.ServeMux
	// logins throttles password attempts per client address.
	logins *throttle
	// refusals writes refused requests to the audit log, rate-limited.
	refusals *server.Refusals
}

// New checks the dependencies, parses every template once and returns the
// handler to mount at "/".
func New(d Deps) (http.Handler, error) {
	if d.Incidents == nil || d.Severity == nil || d.Services == nil || d.Roles == nil ||
		d.SOPs == nil || d.Timeline == nil || d.Users == nil || d.Sessions == nil {
		return nil, errors.New("ui: every service in Deps is required")
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.PollInterval <= 0 {
		d.PollInterval = 300 * time.Millisecond
	}
	cat, err := i18n.New()
	if err != nil {
		return nil, fmt.Errorf("ui: %w", err)
	}
	pages, err := parseTemplates()
	if err != nil {
		return nil, fmt.Errorf("ui: %w", err)
	}
	h := &Handler{d: d, catalog: cat, pages: pages, mux: http.NewServeMux(), logins: newThrottle(d.Now), refusals: server.NewRefusals(d.Refusals, d.Logger)}
	static, err := fs.Sub(staticFS, "static")
	if err != nil {
		return nil, fmt.Errorf("ui: static: %w", err)
	}
	files := http.StripPrefix("/static/", http.FileServerFS(static))
	for _, rt := range h.routes() {
		if rt.Pattern == "/static/" {
			h.mux.Handle(rt.Method+" "+rt.Pattern, cacheStatic(files))
			continue
		}
		h.mux.Handle(rt.Method+" "+rt.Pattern, h.wrap(rt.Route, rt.fn))
	}
	return h, nil
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

// cacheStatic lets browsers keep assets for an hour: they change only with
// a new binary, and an hour bounds how long a stale file can linger after an
// upgrade.
func cacheStatic(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		next.ServeHTTP(w, r)
	})
}
