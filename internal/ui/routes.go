package ui

import (
	"net/http"

	"github.com/warroomhq/warroom"
)

// Route is one registered route and the permission it requires; "" means
// the route is public (login, static files).
type Route struct {
	Method     string
	Pattern    string
	Permission warroom.Permission
}

type route struct {
	Route
	fn handlerFunc
}

// handlerFunc is a UI handler that runs after authentication, with the
// request's user, session and language resolved.
type handlerFunc func(w http.ResponseWriter, r *http.Request, rc *request)

const (
	none    warroom.Permission = ""
	read    warroom.Permission = warroom.PermRead
	respond warroom.Permission = warroom.PermRespond
	admin   warroom.Permission = warroom.PermAdmin
)

// routes is the one list of everything the UI serves. Every state change is
// a POST, and every POST behind login is checked for the session's CSRF
// token before its handler runs.
func (h *Handler) routes() []route {
	rt := func(method, pattern string, p warroom.Permission, fn handlerFunc) route {
		return route{Route{Method: method, Pattern: pattern, Permission: p}, fn}
	}
	return []route{
		rt("GET", "/static/", none, nil),
		rt("GET", "/login", none, h.loginForm),
		rt("POST", "/login", none, h.login),
		rt("POST", "/logout", read, h.logout),
		rt("GET", "/auth/oidc/login", none, h.oidcLogin),
		rt("GET", "/auth/oidc/callback", none, h.oidcCallback),
		rt("GET", "/{$}", read, h.home),

		rt("GET", "/incidents", read, h.incidentList),
		rt("GET", "/incidents/new", respond, h.incidentNew),
		rt("POST", "/incidents", respond, h.incidentCreate),
		rt("POST", "/incidents/propose", read, h.incidentPropose),
		rt("GET", "/incidents/{id}", read, h.incidentShow),
		rt("GET", "/incidents/{id}/live", read, h.incidentLive),
		rt("GET", "/incidents/{id}/stream", read, h.incidentStream),
		rt("POST", "/incidents/{id}/state", respond, h.incidentTransition),
		rt("POST", "/incidents/{id}/severity", respond, h.incidentSeverity),
		rt("POST", "/incidents/{id}/roles", respond, h.incidentAssignRole),
		rt("POST", "/incidents/{id}/roles/{assignmentID}/end", respond, h.incidentEndRole),
		rt("POST", "/incidents/{id}/notes", respond, h.incidentNote),
		rt("POST", "/incidents/{id}/status-updates", respond, h.incidentStatusUpdate),
		rt("GET", "/incidents/{id}/drill-preview", read, h.drillPreview),
		rt("GET", "/drills", read, h.drillList),
		rt("POST", "/drills", respond, h.drillStart),
		rt("POST", "/incidents/{id}/tasks", respond, h.incidentAddTask),
		rt("POST", "/incidents/{id}/tasks/{taskID}", respond, h.incidentToggleTask),
		rt("POST", "/incidents/{id}/impact", respond, h.incidentImpact),
		rt("POST", "/incidents/{id}/loss", respond, h.incidentLoss),

		rt("GET", "/services", read, h.serviceList),
		rt("POST", "/services", admin, h.serviceCreate),
		rt("POST", "/services/{id}", admin, h.serviceUpdate),

		rt("GET", "/severity", read, h.severityShow),
		rt("POST", "/severity/matrix", admin, h.severityMatrixUpdate),
		rt("POST", "/severity/sla", admin, h.severitySLAUpdate),

		rt("GET", "/sops", read, h.sopList),
		rt("POST", "/sops", admin, h.sopCreate),
		rt("GET", "/sops/{id}", read, h.sopShow),
		rt("POST", "/sops/{id}", admin, h.sopReplace),
		rt("POST", "/sops/{id}/delete", admin, h.sopDelete),

		rt("GET", "/changes", read, h.changeList),
		rt("POST", "/changes", respond, h.changeCreate),
		rt("GET", "/changes/calendar", read, h.changeCalendar),
		rt("GET", "/changes/{id}", read, h.changeShow),
		rt("POST", "/changes/{id}/action", respond, h.changeAction),
		rt("POST", "/freeze-windows", admin, h.freezeCreate),
		rt("POST", "/freeze-windows/{id}/exceptions", admin, h.freezeException),
		rt("GET", "/change-policy", read, h.changePolicyShow),
		rt("POST", "/change-policy", admin, h.changePolicyUpdate),
		rt("POST", "/incidents/{id}/changes/{changeID}/suspect", respond, h.incidentSuspect),
		rt("POST", "/incidents/{id}/changes/{changeID}/rollback", respond, h.incidentRollbackChange),

		rt("POST", "/incidents/{id}/postmortem", respond, h.postmortemCreate),
		rt("GET", "/postmortems", read, h.postmortemList),
		rt("GET", "/postmortems/{id}", read, h.postmortemShow),
		rt("POST", "/postmortems/{id}", respond, h.postmortemSave),
		rt("POST", "/postmortems/{id}/submit", respond, h.postmortemSubmit),
		rt("POST", "/postmortems/{id}/review", respond, h.postmortemReview),
		rt("POST", "/postmortems/{id}/publish", respond, h.postmortemPublish),
		rt("POST", "/postmortems/{id}/timeline", respond, h.postmortemTimeline),
		rt("GET", "/postmortems/{id}/export", read, h.postmortemExport),
		rt("GET", "/action-items", read, h.actionItemList),
		rt("POST", "/action-items", respond, h.actionItemCreate),
		rt("POST", "/action-items/{id}", respond, h.actionItemUpdate),
		rt("GET", "/search", read, h.searchPage),
		rt("GET", "/insights", read, h.insightsPage),
		rt("GET", "/insights/export/{table}", read, h.insightsExport),

		rt("GET", "/oncall", read, h.onCall),
		rt("POST", "/oncall/policies", admin, h.policyCreate),
		rt("POST", "/oncall/policies/{id}", admin, h.policyReplace),
		rt("GET", "/oncall/schedules/{id}", read, h.scheduleShow),
		rt("POST", "/oncall/schedules/{id}/overrides", respond, h.overrideCreate),
		rt("POST", "/oncall/schedules/{id}/overrides/{overrideID}/delete", respond, h.overrideDelete),
		rt("POST", "/oncall/schedules/{id}/swaps", respond, h.swapRequest),
		rt("POST", "/oncall/schedules/{id}/swaps/{swapID}", respond, h.swapDecide),
		rt("GET", "/contact", read, h.contactList),
		rt("POST", "/contact", read, h.contactCreate),
		rt("POST", "/contact/rules", read, h.ruleCreate),
		rt("POST", "/contact/rules/{id}/delete", read, h.ruleDelete),
		rt("POST", "/contact/{id}/{action}", read, h.contactAction),

		rt("GET", "/stakeholders", read, h.stakeholderList),
		rt("POST", "/stakeholders", admin, h.stakeholderCreate),
		rt("POST", "/stakeholders/rules", admin, h.scopeRulesUpdate),
		rt("POST", "/stakeholders/{id}/delete", admin, h.stakeholderDelete),
		rt("GET", "/admin/status-page", read, h.statusAdmin),
		rt("POST", "/admin/status-page/settings", admin, h.statusSettingsUpdate),
		rt("POST", "/admin/status-page/components", admin, h.componentCreate),
		rt("POST", "/admin/status-page/components/{id}", respond, h.componentSetStatus),
		rt("POST", "/admin/status-page/maintenances", respond, h.maintenanceCreate),
		rt("POST", "/admin/status-page/maintenances/{id}/cancel", respond, h.maintenanceCancel),
		rt("POST", "/admin/status-page/subscribers/{id}/delete", admin, h.subscriberDelete),

		rt("GET", "/alerts", read, h.alertList),
		rt("POST", "/alerts/{id}/resolve", respond, h.alertResolve),
		rt("GET", "/integrations", admin, h.integrationList),
		rt("POST", "/integrations", admin, h.integrationCreate),
		rt("POST", "/integrations/{id}/{action}", admin, h.integrationAction),
		rt("GET", "/admin/webhooks", admin, h.webhookList),
		rt("POST", "/admin/webhooks", admin, h.webhookCreate),
		rt("GET", "/admin/webhooks/{id}", admin, h.webhookShow),
		rt("POST", "/admin/webhooks/{id}/{action}", admin, h.webhookAction),
		rt("POST", "/admin/webhook-deliveries/{id}/redeliver", admin, h.webhookRedeliver),
		rt("GET", "/services/{id}/routing", read, h.routingShow),
		rt("POST", "/services/{id}/routing", admin, h.routingCreate),
		rt("POST", "/services/{id}/routing/test", read, h.routingTest),
		rt("POST", "/services/{id}/routing/{ruleID}/delete", admin, h.routingDelete),
		rt("POST", "/services/{id}/alert-handling", admin, h.alertHandlingUpdate),
		rt("GET", "/monitors", read, h.monitorList),
		rt("POST", "/monitors", admin, h.monitorCreate),
		rt("POST", "/monitors/{id}/delete", admin, h.monitorDelete),
		rt("GET", "/maintenance", read, h.maintenanceWindowList),
		rt("POST", "/maintenance", respond, h.maintenanceWindowCreate),
		rt("POST", "/maintenance/{id}/end", respond, h.maintenanceWindowEnd),

		rt("GET", "/calendars", read, h.calendarList),
		rt("POST", "/calendars", admin, h.calendarCreate),
		rt("GET", "/calendars/{id}", read, h.calendarShow),
		rt("POST", "/calendars/{id}/days", admin, h.calendarAddDay),
		rt("POST", "/calendars/{id}/days/remove", admin, h.calendarRemoveDay),
		rt("POST", "/calendars/{id}/import", admin, h.calendarImport),
		rt("POST", "/calendars/{id}/freezes", admin, h.calendarFreezes),
		rt("POST", "/calendars/{id}/delete", admin, h.calendarDelete),

		rt("GET", "/profile", read, h.profileShow),
		rt("POST", "/profile", read, h.profileUpdate),
		rt("POST", "/profile/password", read, h.profilePassword),
		rt("GET", "/profile/tokens", read, h.tokensPage),
		rt("POST", "/profile/tokens", read, h.tokenCreate),
		rt("POST", "/profile/tokens/{id}/revoke", read, h.tokenRevoke),

		rt("GET", "/admin/audit", admin, h.auditPage),
		rt("GET", "/admin/approvals", admin, h.approvalsPage),
		rt("POST", "/admin/approvals/{id}/approve", admin, h.approvalDecide(true)),
		rt("POST", "/admin/approvals/{id}/reject", admin, h.approvalDecide(false)),
		rt("GET", "/admin/users", admin, h.usersPage),
		rt("POST", "/admin/users", admin, h.userCreate),
		rt("POST", "/admin/users/{id}", admin, h.userUpdate),
		rt("POST", "/admin/users/{id}/grants", admin, h.grantCreate),
		rt("POST", "/admin/users/{id}/grants/{serviceID}/delete", admin, h.grantDelete),
		rt("POST", "/admin/invites", admin, h.inviteCreate),
		rt("POST", "/admin/invites/{id}/revoke", admin, h.inviteRevoke),
		rt("GET", "/admin/teams", admin, h.teamsPage),
		rt("POST", "/admin/teams", admin, h.teamCreate),
		rt("POST", "/admin/teams/{id}/members", admin, h.teamMemberAdd),
		rt("POST", "/admin/teams/{id}/members/{userID}/delete", admin, h.teamMemberRemove),
		// The invitation link is the credential; its form carries its own
		// CSRF cookie, like the login form.
		rt("GET", "/invite/{secret}", none, h.inviteForm),
		rt("POST", "/invite/{secret}", none, h.inviteAccept),
	}
}

// Routes lists every route New registers, with its permission, so that
// tests can try each route with each role.
func Routes() []Route {
	var h Handler
	rs := h.routes()
	out := make([]Route, len(rs))
	for i, r := range rs {
		out[i] = r.Route
	}
	return out
}
