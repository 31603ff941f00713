package api

import (
	"net/http"

	"github.com/warroomhq/warroom"
)

// route is a Route with the handler that serves it.
type route struct {
	Route
	handle handlerFunc
}

// routes lists every route of the API in one place, so that permissions can
// be reviewed at a glance and Routes, the OpenAPI document and the tests
// all see the same list.
func routes(h *handler) []route {
	const (
		get, post, put, patch, del = http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete
		read, respond, admin       = warroom.PermRead, warroom.PermRespond, warroom.PermAdmin
	)
	r := func(method, pattern string, perm warroom.Permission, f handlerFunc) route {
		return route{Route{Method: method, Pattern: pattern, Permission: perm}, f}
	}
	// own is a route about the user in {id}: read for one's own, admin
	// (role and token) for anyone else's.
	own := func(method, pattern string, f handlerFunc) route {
		return route{Route{Method: method, Pattern: pattern, Permission: read, Own: true}, f}
	}
	return []route{
		r(get, "/healthz", "", h.health),
		r(get, "/readyz", "", h.ready),
		r(get, "/api/v1/openapi.json", read, h.openAPI),
		r(get, "/api/v1/me", read, h.me),
		r(get, "/api/v1/version", read, h.version),

		r(get, "/api/v1/incidents", read, h.listIncidents),
		r(post, "/api/v1/incidents", respond, h.declareIncident),
		r(get, "/api/v1/incidents/{id}", read, h.getIncident),
		r(patch, "/api/v1/incidents/{id}", respond, h.updateIncident),
		r(post, "/api/v1/incidents/{id}/transitions", respond, h.transitionIncident),
		r(post, "/api/v1/incidents/{id}/severity", respond, h.setSeverity),
		r(get, "/api/v1/incidents/{id}/events", read, h.listEvents),
		r(post, "/api/v1/incidents/{id}/notes", respond, h.addNote),
		r(get, "/api/v1/incidents/{id}/roles", read, h.listRoleAssignments),
		r(post, "/api/v1/incidents/{id}/roles", respond, h.assignRole),
		r(del, "/api/v1/incidents/{id}/roles/{assignmentID}", respond, h.endRoleAssignment),
		r(get, "/api/v1/incidents/{id}/tasks", read, h.listTasks),
		r(post, "/api/v1/incidents/{id}/tasks", respond, h.addTask),
		r(patch, "/api/v1/incidents/{id}/tasks/{taskID}", respond, h.updateTask),

		r(get, "/api/v1/drill-scenarios", read, h.listDrillScenarios),
		r(post, "/api/v1/drill-scenarios", admin, h.saveDrillScenario),
		r(get, "/api/v1/drill-scenarios/{slug}", read, h.getDrillScenario),
		r(del, "/api/v1/drill-scenarios/{slug}", admin, h.deleteDrillScenario),
		r(get, "/api/v1/drills", read, h.listDrills),
		r(post, "/api/v1/drills", respond, h.startDrill),
		r(get, "/api/v1/drills/{id}", read, h.getDrill),
		r(post, "/api/v1/drills/{id}/{action}", respond, h.changeDrill),
		r(get, "/api/v1/drills/{id}/report", read, h.getDrillReport),
		r(get, "/api/v1/drill-insights", read, h.getDrillInsights),

		r(post, "/api/v1/severity/propose", read, h.proposeSeverity),
		r(get, "/api/v1/severity-matrix", read, h.getSeverityMatrix),
		r(put, "/api/v1/severity-matrix", admin, h.putSeverityMatrix),
		r(get, "/api/v1/sla-policies", read, h.getSLAPolicies),
		r(put, "/api/v1/sla-policies", admin, h.putSLAPolicies),

		r(get, "/api/v1/services", read, h.listServices),
		r(post, "/api/v1/services", admin, h.createService),
		r(get, "/api/v1/services/{id}", read, h.getService),
		r(patch, "/api/v1/services/{id}", admin, h.updateService),

		r(get, "/api/v1/incident-roles", read, h.listIncidentRoles),
		r(post, "/api/v1/incident-roles", admin, h.createIncidentRole),
		r(del, "/api/v1/incident-roles/{name}", admin, h.deleteIncidentRole),

		r(get, "/api/v1/sop-templates", read, h.listSOPTemplates),
		r(post, "/api/v1/sop-templates", admin, h.createSOPTemplate),
		r(get, "/api/v1/sop-templates/{id}", read, h.getSOPTemplate),
		r(put, "/api/v1/sop-templates/{id}", admin, h.replaceSOPTemplate),
		r(del, "/api/v1/sop-templates/{id}", admin, h.deleteSOPTemplate),

		r(get, "/api/v1/users", read, h.listUsers),
		r(post, "/api/v1/users", admin, h.createUser),
		r(get, "/api/v1/users/{id}", read, h.getUser),
		r(patch, "/api/v1/users/{id}", admin, h.updateUser),
		own(get, "/api/v1/users/{id}/tokens", h.listTokens),
		own(post, "/api/v1/users/{id}/tokens", h.createToken),
		own(del, "/api/v1/users/{id}/tokens/{tokenID}", h.revokeToken),

		r(get, "/api/v1/audit", admin, h.listAudit),

		r(get, "/api/v1/stakeholder-groups", read, h.listStakeholderGroups),
		r(post, "/api/v1/stakeholder-groups", admin, h.createStakeholderGroup),
		r(get, "/api/v1/stakeholder-groups/{id}", read, h.getStakeholderGroup),
		r(put, "/api/v1/stakeholder-groups/{id}", admin, h.replaceStakeholderGroup),
		r(del, "/api/v1/stakeholder-groups/{id}", admin, h.deleteStakeholderGroup),
		r(get, "/api/v1/scope-rules", read, h.getScopeRules),
		r(put, "/api/v1/scope-rules", admin, h.putScopeRules),
		r(get, "/api/v1/incidents/{id}/status-updates", read, h.listStatusUpdates),
		r(post, "/api/v1/incidents/{id}/status-updates", respond, h.postStatusUpdate),
		r(get, "/api/v1/incidents/{id}/drill-preview", read, h.getDrillPreview),
		r(get, "/api/v1/status-page", read, h.getStatusPage),
		r(put, "/api/v1/status-page", admin, h.putStatusPage),
		r(get, "/api/v1/components", read, h.listComponents),
		r(post, "/api/v1/components", admin, h.createComponent),
		r(patch, "/api/v1/components/{id}", respond, h.updateComponent),
		r(del, "/api/v1/components/{id}", admin, h.deleteComponent),
		r(get, "/api/v1/maintenances", read, h.listMaintenances),
		r(post, "/api/v1/maintenances", respond, h.createMaintenance),
		r(post, "/api/v1/maintenances/{id}/cancel", respond, h.cancelMaintenance),
		// Subscriber addresses are personal data: admins only.
		r(get, "/api/v1/subscribers", admin, h.listSubscribers),
		r(post, "/api/v1/subscribers", admin, h.createSubscriber),
		r(del, "/api/v1/subscribers/{id}", admin, h.deleteSubscriber),

		r(get, "/api/v1/incidents/{id}/postmortem", read, h.getIncidentPostmortem),
		r(post, "/api/v1/incidents/{id}/postmortem", respond, h.createPostmortem),
		r(get, "/api/v1/postmortems", read, h.listPostmortems),
		r(get, "/api/v1/postmortems/{id}", read, h.getPostmortem),
		r(patch, "/api/v1/postmortems/{id}", respond, h.updatePostmortem),
		r(post, "/api/v1/postmortems/{id}/timeline", respond, h.importPostmortemTimeline),
		r(post, "/api/v1/postmortems/{id}/submit", respond, h.submitPostmortem),
		r(post, "/api/v1/postmortems/{id}/reviews", respond, h.reviewPostmortem),
		r(post, "/api/v1/postmortems/{id}/publish", respond, h.publishPostmortem),
		r(get, "/api/v1/postmortems/{id}/export", read, h.exportPostmortem),
		r(get, "/api/v1/postmortem-templates", read, h.listPostmortemTemplates),
		r(post, "/api/v1/postmortem-templates", admin, h.createPostmortemTemplate),
		r(get, "/api/v1/postmortem-templates/{id}", read, h.getPostmortemTemplate),
		r(put, "/api/v1/postmortem-templates/{id}", admin, h.replacePostmortemTemplate),
		r(del, "/api/v1/postmortem-templates/{id}", admin, h.deletePostmortemTemplate),
		r(get, "/api/v1/postmortem-policy", read, h.getPostmortemPolicy),
		r(put, "/api/v1/postmortem-policy", admin, h.putPostmortemPolicy),
		r(get, "/api/v1/action-items", read, h.listActionItems),
		r(post, "/api/v1/action-items", respond, h.createActionItem),
		r(get, "/api/v1/action-items/{id}", read, h.getActionItem),
		r(patch, "/api/v1/action-items/{id}", respond, h.updateActionItem),
		r(get, "/api/v1/reminders", read, h.listReminders),
		r(get, "/api/v1/search", read, h.search),

		r(get, "/api/v1/insights/incidents", read, h.insightsIncidents),
		r(get, "/api/v1/insights/sla", read, h.insightsSLA),
		r(get, "/api/v1/insights/loss", read, h.insightsLoss),
		r(get, "/api/v1/insights/oncall", read, h.insightsOnCall),
		r(get, "/api/v1/insights/action-items", read, h.insightsActionItems),
		r(get, "/api/v1/insights/changes", read, h.insightsChanges),
		// Not under /incidents/{id}: it reveals other incidents, which a
		// role scoped to some services must not see.
		r(get, "/api/v1/similar-incidents/{id}", read, h.similarIncidents),

		r(get, "/api/v1/changes", read, h.listChanges),
		r(post, "/api/v1/changes", respond, h.createChange),
		r(get, "/api/v1/changes/{id}", read, h.getChange),
		r(patch, "/api/v1/changes/{id}", respond, h.updateChange),
		r(get, "/api/v1/changes/{id}/events", read, h.listChangeEvents),
		r(get, "/api/v1/changes/{id}/check", read, h.checkChange),
		r(post, "/api/v1/changes/{id}/submit", respond, h.submitChange),
		r(post, "/api/v1/changes/{id}/approve", respond, h.approveChange),
		r(post, "/api/v1/changes/{id}/reject", respond, h.rejectChange),
		r(post, "/api/v1/changes/{id}/start", respond, h.startChange),
		r(post, "/api/v1/changes/{id}/complete", respond, h.completeChange),
		r(post, "/api/v1/changes/{id}/fail", respond, h.failChange),
		r(post, "/api/v1/changes/{id}/rollback", respond, h.rollbackChange),
		r(get, "/api/v1/change-policy", read, h.getChangePolicy),
		r(put, "/api/v1/change-policy", admin, h.putChangePolicy),
		r(get, "/api/v1/freeze-windows", read, h.listFreezeWindows),
		r(post, "/api/v1/freeze-windows", admin, h.createFreezeWindow),
		r(del, "/api/v1/freeze-windows/{id}", admin, h.deleteFreezeWindow),
		r(post, "/api/v1/freeze-windows/{id}/exceptions", admin, h.grantFreezeException),

		// Working calendars are read by everyone who plans around them
		// and changed by admins: they move alerting, due dates and
		// freezes for every team.
		r(get, "/api/v1/calendar-regions", read, h.listCalendarRegions),
		r(get, "/api/v1/calendars", read, h.cal(h.listCalendars)),
		r(post, "/api/v1/calendars", admin, h.cal(h.createCalendar)),
		r(get, "/api/v1/calendars/{id}", read, h.cal(h.getCalendar)),
		r(del, "/api/v1/calendars/{id}", admin, h.cal(h.deleteCalendar)),
		r(post, "/api/v1/calendars/{id}/days", admin, h.cal(h.addCalendarDays)),
		r(post, "/api/v1/calendars/{id}/import", admin, h.cal(h.importCalendarDays)),
		r(del, "/api/v1/calendars/{id}/days/{date}", admin, h.cal(h.removeCalendarDay)),
		r(post, "/api/v1/calendars/{id}/freezes", admin, h.cal(h.createHolidayFreezes)),
		r(get, "/api/v1/calendars/{id}/holiday-cover", read, h.cal(h.listHolidayCover)),
		r(get, "/api/v1/incidents/{id}/changes", read, h.listIncidentChanges),
		r(post, "/api/v1/incidents/{id}/changes/{changeID}/rollback", respond, h.rollbackIncidentChange),
		r(get, "/api/v1/incidents/{id}/suspected-causes", read, h.listSuspectedCauses),
		r(post, "/api/v1/incidents/{id}/suspected-causes", respond, h.linkSuspectedCause),
		r(del, "/api/v1/incidents/{id}/suspected-causes/{changeID}", respond, h.unlinkSuspectedCause),
		// PagerDuty change events carry their routing key in the body.
		r(post, "/v2/change/enqueue", "", h.enqueueChange),
		r(get, "/api/v1/audit/export", admin, h.exportAudit),
		r(get, "/api/v1/audit/verify", admin, h.verifyAudit),

		r(post, "/api/v1/tokens/revoke-all", admin, h.revokeAllTokens),
		r(get, "/api/v1/users/{id}/grants", admin, h.listGrants),
		r(post, "/api/v1/users/{id}/grants", admin, h.grantService),
		r(del, "/api/v1/users/{id}/grants/{serviceID}", admin, h.revokeGrant),
		r(get, "/api/v1/teams", read, h.listTeams),
		r(post, "/api/v1/teams", admin, h.createTeam),
		r(get, "/api/v1/teams/{id}", read, h.getTeam),
		r(post, "/api/v1/teams/{id}/members", admin, h.addTeamMember),
		r(del, "/api/v1/teams/{id}/members/{userID}", admin, h.removeTeamMember),

		r(get, "/api/v1/approvals", admin, h.listApprovals),
		r(post, "/api/v1/approvals", admin, h.requestApproval),
		r(get, "/api/v1/approvals/{id}", admin, h.getApproval),
		r(post, "/api/v1/approvals/{id}/approve", admin, h.approve),
		r(post, "/api/v1/approvals/{id}/reject", admin, h.reject),
		r(get, "/api/v1/approval-settings", admin, h.getApprovalSettings),
		r(get, "/api/v1/invites", admin, h.listInvites),
		r(post, "/api/v1/invites", admin, h.createInvite),
		r(post, "/api/v1/invites/{id}/revoke", admin, h.revokeInvite),
		r(put, "/api/v1/approval-settings", admin, h.putApprovalSettings),

		// On call: schedules, escalation policies, paging and contact methods.
		r(get, "/api/v1/oncall", read, h.getOnCall),
		r(get, "/api/v1/schedules", read, h.listSchedules),
		r(post, "/api/v1/schedules", admin, h.createSchedule),
		r(get, "/api/v1/schedules/{id}", read, h.getSchedule),
		r(put, "/api/v1/schedules/{id}", admin, h.replaceSchedule),
		r(get, "/api/v1/schedules/{id}/shifts", read, h.listShifts),
		r(get, "/api/v1/schedules/{id}/calendar.ics", read, h.scheduleICal),
		r(post, "/api/v1/schedules/{id}/overrides", respond, h.createOverride),
		r(del, "/api/v1/schedules/{id}/overrides/{overrideID}", respond, h.deleteOverride),
		r(post, "/api/v1/schedules/{id}/swaps", respond, h.requestSwap),
		r(post, "/api/v1/schedules/{id}/swaps/{swapID}/decision", respond, h.decideSwap),
		r(get, "/api/v1/escalation-policies", read, h.listPolicies),
		r(post, "/api/v1/escalation-policies", admin, h.createPolicy),
		r(get, "/api/v1/escalation-policies/{id}", read, h.getPolicy),
		r(put, "/api/v1/escalation-policies/{id}", admin, h.replacePolicy),
		r(put, "/api/v1/services/{id}/escalation-policy", admin, h.setServicePolicy),
		r(get, "/api/v1/incidents/{id}/escalations", read, h.listEscalations),
		r(post, "/api/v1/incidents/{id}/escalate", respond, h.escalateNow),
		r(get, "/api/v1/incidents/{id}/notifications", read, h.listIncidentNotifications),
		r(post, "/api/v1/page", respond, h.pageSomeone),
		r(get, "/api/v1/users/{id}/oncall.ics", read, h.userICal),
		own(get, "/api/v1/users/{id}/contact-methods", h.listContactMethods),
		own(post, "/api/v1/users/{id}/contact-methods", h.createContactMethod),
		own(del, "/api/v1/users/{id}/contact-methods/{methodID}", h.deleteContactMethod),
		own(post, "/api/v1/users/{id}/contact-methods/{methodID}/code", h.sendContactCode),
		own(post, "/api/v1/users/{id}/contact-methods/{methodID}/verify", h.verifyContactMethod),
		own(post, "/api/v1/users/{id}/contact-methods/{methodID}/test", h.testContactMethod),
		own(get, "/api/v1/users/{id}/notification-rules", h.listNotificationRules),
		own(post, "/api/v1/users/{id}/notification-rules", h.createNotificationRule),
		own(del, "/api/v1/users/{id}/notification-rules/{ruleID}", h.deleteNotificationRule),

		// Alert ingestion. Integration keys and monitor tokens are
		// credentials: only admins list keys.
		r(get, "/api/v1/integrations", admin, h.listIntegrations),
		r(post, "/api/v1/integrations", admin, h.createIntegration),
		r(get, "/api/v1/integrations/{id}", admin, h.getIntegration),
		r(post, "/api/v1/integrations/{id}/rotate", admin, h.rotateIntegration),
		r(post, "/api/v1/integrations/{id}/revoke", admin, h.revokeIntegration),
		r(get, "/api/v1/alerts", read, h.listAlerts),
		r(get, "/api/v1/alerts/{id}", read, h.getAlert),
		r(post, "/api/v1/alerts/{id}/resolve", respond, h.resolveAlert),
		r(get, "/api/v1/services/{id}/routing-rules", read, h.listRoutingRules),
		r(post, "/api/v1/services/{id}/routing-rules", admin, h.createRoutingRule),
		r(post, "/api/v1/services/{id}/routing-rules/match", read, h.matchRoutingRule),
		r(put, "/api/v1/routing-rules/{id}", admin, h.replaceRoutingRule),
		r(del, "/api/v1/routing-rules/{id}", admin, h.deleteRoutingRule),
		r(get, "/api/v1/monitors", read, h.listMonitors),
		r(post, "/api/v1/monitors", admin, h.createMonitor),
		r(get, "/api/v1/monitors/{id}", read, h.getMonitor),
		r(del, "/api/v1/monitors/{id}", admin, h.deleteMonitor),
		r(get, "/api/v1/maintenance-windows", read, h.listMaintenanceWindows),
		r(post, "/api/v1/maintenance-windows", respond, h.createMaintenanceWindow),
		r(post, "/api/v1/maintenance-windows/{id}/end", respond, h.endMaintenanceWindow),

		// Outbound event webhooks are admin's alone: a subscription sees
		// every incident, restricted ones included.
		r(get, "/api/v1/webhook-event-types", admin, h.listHookEventTypes),
		r(get, "/api/v1/webhooks", admin, h.listHooks),
		r(post, "/api/v1/webhooks", admin, h.createHook),
		r(get, "/api/v1/webhooks/{id}", admin, h.getHook),
		r(patch, "/api/v1/webhooks/{id}", admin, h.updateHook),
		r(del, "/api/v1/webhooks/{id}", admin, h.deleteHook),
		r(post, "/api/v1/webhooks/{id}/rotate", admin, h.rotateHook),
		r(get, "/api/v1/webhooks/{id}/deliveries", admin, h.listHookDeliveries),
		r(get, "/api/v1/webhook-deliveries/{id}", admin, h.getHookDelivery),
		r(post, "/api/v1/webhook-deliveries/{id}/redeliver", admin, h.redeliverHook),
	}
}
