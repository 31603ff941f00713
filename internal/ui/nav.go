package ui

import (
	"context"

	"github.com/warroomhq/warroom"
)

// navItem is one link of the main navigation. Adding a page to the
// navigation is one line in navItems: its group, its message key, where it
// links and the template names that mark it as the current page.
type navItem struct {
	Group string // one of navGroups
	Key   string // i18n message for the link text
	Href  string
	Pages []string // template names for which this link is aria-current
	// Perm hides the link from people who could not open the page.
	Perm warroom.Permission
	// Shown hides the link when the page's service is not configured; nil
	// means always.
	Shown func(d *Deps) bool
}

// navGroups orders the groups: what someone paged at night needs comes
// first and stays visible; the rest folds into menus.
var navGroups = []string{"respond", "learn", "prevent", "configure"}

// navItems is the one list of the main navigation, in display order
// within each group.
var navItems = []navItem{
	{Group: "respond", Key: "nav.incidents", Href: "/incidents", Pages: []string{"incidents", "incident", "incident_new"}},
	{Group: "respond", Key: "nav.alerts", Href: "/alerts", Pages: []string{"alerts", "monitors", "maintenance_windows"}, Shown: func(d *Deps) bool { return d.Alerts != nil }},
	{Group: "respond", Key: "nav.oncall", Href: "/oncall", Pages: []string{"oncall", "schedule"}, Shown: func(d *Deps) bool { return d.Schedules != nil }},
	{Group: "respond", Key: "nav.action_items", Href: "/action-items", Pages: []string{"action_items"}, Shown: func(d *Deps) bool { return d.ActionItems != nil }},

	{Group: "learn", Key: "nav.postmortems", Href: "/postmortems", Pages: []string{"postmortems", "postmortem"}, Shown: func(d *Deps) bool { return d.Postmortems != nil }},
	{Group: "learn", Key: "nav.drills", Href: "/drills", Pages: []string{"drills"}, Shown: func(d *Deps) bool { return d.Drills != nil }},
	{Group: "learn", Key: "nav.search", Href: "/search", Pages: []string{"search"}, Shown: func(d *Deps) bool { return d.Search != nil }},
	{Group: "learn", Key: "nav.insights", Href: "/insights", Pages: []string{"insights"}, Shown: func(d *Deps) bool { return d.Insights != nil }},

	{Group: "prevent", Key: "nav.changes", Href: "/changes", Pages: []string{"changes", "change", "change_calendar", "change_policy"}, Shown: func(d *Deps) bool { return d.Changes != nil }},

	{Group: "configure", Key: "nav.services", Href: "/services", Pages: []string{"services", "routing"}},
	{Group: "configure", Key: "nav.integrations", Href: "/integrations", Pages: []string{"integrations"}, Perm: admin, Shown: func(d *Deps) bool { return d.Integrations != nil }},
	{Group: "configure", Key: "nav.webhooks", Href: "/admin/webhooks", Pages: []string{"webhooks", "webhook"}, Perm: admin, Shown: func(d *Deps) bool { return d.Hooks != nil }},
	{Group: "configure", Key: "nav.severity", Href: "/severity", Pages: []string{"severity"}},
	{Group: "configure", Key: "nav.calendars", Href: "/calendars", Pages: []string{"calendars", "calendar"}, Shown: func(d *Deps) bool { return d.Calendars != nil }},
	{Group: "configure", Key: "nav.sops", Href: "/sops", Pages: []string{"sops", "sop"}},
	{Group: "configure", Key: "nav.status_page", Href: "/admin/status-page", Pages: []string{"status_admin"}, Shown: func(d *Deps) bool { return d.StatusPage != nil }},
	{Group: "configure", Key: "nav.stakeholders", Href: "/stakeholders", Pages: []string{"stakeholders"}, Shown: func(d *Deps) bool { return d.Stakeholders != nil }},
	{Group: "configure", Key: "nav.users", Href: "/admin/users", Pages: []string{"users"}, Perm: admin},
	{Group: "configure", Key: "nav.teams", Href: "/admin/teams", Pages: []string{"teams"}, Perm: admin, Shown: func(d *Deps) bool { return d.Teams != nil }},
	{Group: "configure", Key: "nav.approvals", Href: "/admin/approvals", Pages: []string{"approvals"}, Perm: admin, Shown: func(d *Deps) bool { return d.Approvals != nil }},
	{Group: "configure", Key: "nav.audit", Href: "/admin/audit", Pages: []string{"audit"}, Perm: admin, Shown: func(d *Deps) bool { return d.Audit != nil }},
}

// navLink and navGroup are what the layout renders.
type navLink struct {
	Key     string
	Href    string
	Current bool
	// Count is shown next to the link when positive (open incidents).
	Count int
}

type navGroup struct {
	Name    string
	Links   []navLink
	Current bool
}

// menu builds the navigation for one request: only the links the user
// may open, the current page marked, and the number of open incidents
// beside Incidents so that the count is in view from every page.
func (h *Handler) menu(ctx context.Context, u *warroom.User, current string) []navGroup {
	if u == nil || u.Role.Scoped() {
		// Stakeholders and contractors open only the incidents they are
		// given; links and counts would name what they may not see.
		return nil
	}
	var out []navGroup
	for _, g := range navGroups {
		ng := navGroup{Name: g}
		for _, it := range navItems {
			if it.Group != g || (it.Perm != none && !u.Can(it.Perm)) || (it.Shown != nil && !it.Shown(&h.d)) {
				continue
			}
			l := navLink{Key: it.Key, Href: it.Href}
			for _, p := range it.Pages {
				if p == current {
					l.Current, ng.Current = true, true
				}
			}
			if it.Href == "/incidents" {
				l.Count = h.openIncidentCount(ctx)
			}
			ng.Links = append(ng.Links, l)
		}
		if len(ng.Links) > 0 {
			out = append(out, ng)
		}
	}
	return out
}

// openIncidentCount is the number of open incidents the user can see; a
// failure only hides the count, the page itself still renders.
func (h *Handler) openIncidentCount(ctx context.Context) int {
	_, total, err := h.d.Incidents.FindIncidents(ctx, warroom.IncidentFilter{States: openStates(), Limit: 1})
	if err != nil {
		h.d.Logger.Warn("ui: open incident count", "err", err)
		return 0
	}
	return total
}
