// Package api serves the JSON API under /api/v1, plus /healthz and /readyz.
// Every route is listed in routes.go with the permission it requires;
// handlers are thin: decode, validate, call one warroom service, encode.
package api

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"strings"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/server"
)

// maxBodyBytes is the request body limit documented in docs/api.md.
const maxBodyBytes = 1 << 20

// Deps are the services the API calls.
type Deps struct {
	Incidents warroom.IncidentService
	Severity  warroom.SeverityPolicyService
	Services  warroom.ServiceCatalog
	Roles     warroom.RoleService
	SOPs      warroom.SOPService
	Timeline  warroom.TimelineService
	Users     warroom.UserService
	Audit     warroom.AuditService
	// Changes and ChangePolicy serve change management; ChangeKeys
	// authenticates PagerDuty change events by routing key (nil refuses
	// them all).
	Changes      warroom.ChangeService
	ChangePolicy warroom.ChangePolicyService
	ChangeKeys   ChangeKeyFinder
	// Teams resolves the services granted to contractors and stakeholders;
	// nil refuses them every incident.
	Teams     warroom.TeamService
	Approvals warroom.ApprovalService
	// Invites serves invitations; nil answers 404.
	Invites warroom.InviteService
	// AuditVerifier checks the audit hash chain; nil hides the check.
	AuditVerifier warroom.AuditVerifier
	// Postmortems, ActionItems, Reminders and Search serve learning from
	// incidents.
	Postmortems warroom.PostmortemService
	ActionItems warroom.ActionItemService
	Reminders   warroom.ReminderService
	Search      warroom.SearchService

	// Calendars serves working calendars (holidays, make-up workdays).
	Calendars warroom.CalendarService

	// Schedules, Escalations, Contacts and Notifications serve on-call
	// and paging.
	Schedules     warroom.ScheduleService
	Escalations   warroom.EscalationService
	Contacts      warroom.ContactService
	Notifications warroom.NotificationService
	// Stakeholders, StatusPage and Subscribers serve telling people:
	// stakeholder groups, status updates and the public status page.
	Stakeholders warroom.StakeholderService
	StatusPage   warroom.StatusPageService
	Subscribers  warroom.SubscriberService
	// Integrations, Alerts, Routing, Monitors and Maintenance manage alert
	// ingestion; the ingest endpoints themselves are internal/ingest/httpingest.
	Integrations warroom.IntegrationService
	Alerts       warroom.AlertService
	Routing      warroom.RoutingService
	Monitors     warroom.MonitorService
	Maintenance  warroom.MaintenanceService
	// Hooks serves outbound event webhooks.
	Hooks warroom.HookService
	// Drills serves game days: scenarios, runs, reports; nil answers 404.
	Drills warroom.DrillService
	// Insights computes the numbers of docs/insights.md.
	Insights warroom.InsightsService
	// Ready reports whether the server can serve requests, for /readyz;
	// nil means always ready.
	Ready func(ctx context.Context) error
	// Refusals records refused requests in the audit log; nil records
	// none.
	Refusals warroom.RefusalRecorder
	Logger   *slog.Logger
}

// Route is one registered route and the permission it requires ("" only for
// /healthz and /readyz).
type Route struct {
	Method     string
	Pattern    string
	Permission warroom.Permission
	// Own marks a route about the user in {id}: the caller's own needs
	// Permission, anyone else's needs admin from both role and token.
	Own bool
}

// handler holds the dependencies of every handler method.
type handler struct {
	Deps
	refusals *server.Refusals
}

// handlerFunc is a handler that reports failure by returning an error, so
// that every error response goes through server.Error and none is forgotten.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// New returns the handler for /healthz, /readyz and /api/v1/... with
// bearer-token authentication.
func New(d Deps) http.Handler {
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	h := &handler{Deps: d, refusals: server.NewRefusals(d.Refusals, d.Logger)}
	mux := http.NewServeMux()
	for _, rt := range routes(h) {
		mux.Handle(rt.Method+" "+rt.Pattern, h.endpoint(rt))
	}
	mux.Handle("/api/v1/", h.unmatched(mux))
	return mux
}

// Routes lists every route New registers.
func Routes() []Route {
	rs := routes(&handler{})
	out := make([]Route, len(rs))
	for i, rt := range rs {
		out[i] = rt.Route
	}
	return out
}

// endpoint authenticates and authorises a request for rt before running it.
func (h *handler) endpoint(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		handle := rt.handle
		if rt.Permission != "" {
			ctx, err := h.authenticate(w, r, rt.Route)
			if err != nil {
				h.error(w, r.WithContext(ctx), err)
				return
			}
			r = r.WithContext(ctx)
			if u := warroom.UserFromContext(ctx); u.Role.Scoped() && scopeOf(rt.Method, rt.Pattern) == scopeIncidents {
				handle = h.listScopedIncidents
			}
		}
		if err := handle(w, r); err != nil {
			h.error(w, r, err)
		}
	})
}

// bearer returns the token of an "Authorization: Bearer <secret>" header.
func bearer(r *http.Request) (string, bool) {
	scheme, secret, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	secret = strings.TrimSpace(secret)
	return secret, ok && strings.EqualFold(scheme, "Bearer") && secret != ""
}

// clientAddr is the peer address. Forwarding headers are not trusted: any
// client could forge them into the audit log.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// unmatched answers requests under /api/v1/ that no route takes, in JSON:
// 405 with Allow when the path exists for other methods, else 404.
func (h *handler) unmatched(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var allowed []string
		for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
			probe := r.Clone(r.Context())
			probe.Method = m
			if _, pattern := mux.Handler(probe); pattern != "/api/v1/" {
				allowed = append(allowed, m)
			}
		}
		if len(allowed) == 0 {
			h.error(w, r, warroom.Errorf(warroom.ENOTFOUND, "no route %s %s", r.Method, r.URL.Path))
			return
		}
		w.Header().Set("Allow", strings.Join(allowed, ", "))
		h.json(w, r, http.StatusMethodNotAllowed, server.ErrorResponse{Error: server.ErrorDetail{
			Code:    "method_not_allowed",
			Message: r.Method + " is not allowed on " + r.URL.Path + "; allowed: " + strings.Join(allowed, ", "),
		}})
	})
}

func (h *handler) json(w http.ResponseWriter, r *http.Request, status int, v any) {
	server.JSON(w, r, h.Logger, status, v)
}

func (h *handler) error(w http.ResponseWriter, r *http.Request, err error) {
	h.refusals.RecordError(r, err)
	server.Error(w, r, h.Logger, err)
}

// decode reads a JSON request body strictly, within the body limit.
func decode(w http.ResponseWriter, r *http.Request, v any) error {
	return server.DecodeJSON(w, r, v, maxBodyBytes)
}

// list is the body of every list response.
func list[T any](name string, items []T, total, offset, limit int) map[string]any {
	if items == nil {
		items = []T{}
	}
	return map[string]any{name: items, "total": total, "offset": offset, "limit": limit}
}

// items is the body of a response listing everything, without paging.
func items[T any](name string, items []T) map[string]any {
	if items == nil {
		items = []T{}
	}
	return map[string]any{name: items}
}
