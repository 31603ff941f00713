package ui

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/warroomhq/warroom"
)

// webhooksEnabled reports whether outbound webhooks are served.
func (h *Handler) webhooksEnabled(w http.ResponseWriter, r *http.Request, rc *request) bool {
	if h.d.Hooks == nil {
		h.fail(w, r, rc, warroom.Errorf(warroom.ENOTFOUND, "outbound webhooks are not enabled"))
		return false
	}
	return true
}

type webhooksData struct {
	Subscriptions []*warroom.HookSubscription
	Services      []*warroom.Service
	EventTypes    []warroom.HookEventType
	Severities    []warroom.Severity
	Types         []warroom.IncidentType
	// Created is a subscription just made, whose secret is shown this once.
	Created *warroom.HookSubscription
	Err     string
}

func (d webhooksData) ErrorText() string { return d.Err }

func (h *Handler) webhookList(w http.ResponseWriter, r *http.Request, rc *request) {
	if !h.webhooksEnabled(w, r, rc) {
		return
	}
	h.renderWebhooks(w, r, rc, http.StatusOK, nil, "")
}

func (h *Handler) renderWebhooks(w http.ResponseWriter, r *http.Request, rc *request, status int, created *warroom.HookSubscription, errMsg string) {
	subs, err := h.d.Hooks.FindHookSubscriptions(r.Context())
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	_, ss, err := h.serviceNames(r)
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	h.render(w, r, rc, status, "webhooks", rc.L.T("nav.webhooks"), webhooksData{Subscriptions: subs, Services: ss,
		EventTypes: warroom.HookEventTypes(), Severities: warroom.Severities, Types: warroom.IncidentTypes, Created: created, Err: errMsg})
}

func (h *Handler) webhookCreate(w http.ResponseWriter, r *http.Request, rc *request) {
	if !h.webhooksEnabled(w, r, rc) {
		return
	}
	if err := r.ParseForm(); err != nil {
		h.fail(w, r, rc, warroom.Errorf(warroom.EINVALID, "unreadable form"))
		return
	}
	s := &warroom.HookSubscription{Name: r.PostFormValue("name"), URL: strings.TrimSpace(r.PostFormValue("url")),
		Drills: r.PostFormValue("drills") != "", Active: true}
	for _, v := range r.PostForm["event_types"] {
		s.EventTypes = append(s.EventTypes, warroom.HookEventType(v))
	}
	for _, v := range r.PostForm["severities"] {
		s.Severities = append(s.Severities, warroom.Severity(v))
	}
	for _, v := range r.PostForm["incident_types"] {
		s.IncidentTypes = append(s.IncidentTypes, warroom.IncidentType(v))
	}
	for _, v := range r.PostForm["service_ids"] {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			h.renderWebhooks(w, r, rc, http.StatusUnprocessableEntity, nil, rc.L.T("webhooks.bad_service"))
			return
		}
		s.ServiceIDs = append(s.ServiceIDs, id)
	}
	if err := h.d.Hooks.CreateHookSubscription(r.Context(), s); err != nil {
		h.renderWebhooks(w, r, rc, statusFor(warroom.ErrorCode(err)), nil, h.errorText(r, rc, err))
		return
	}
	// Rendered, not redirected: the secret is shown here once and is not
	// stored where a later page could read it.
	h.renderWebhooks(w, r, rc, http.StatusCreated, s, "")
}

type webhookData struct {
	Sub        *warroom.HookSubscription
	Deliveries []*warroom.HookDelivery
	Total      int
	// Secret is a new secret after a rotation, shown once.
	Secret string
	Err    string
}

func (d webhookData) ErrorText() string { return d.Err }

// webhookLogSize is how many deliveries the page shows, newest first,
// each with its attempts.
const webhookLogSize = 50

func (h *Handler) webhookShow(w http.ResponseWriter, r *http.Request, rc *request) {
	if !h.webhooksEnabled(w, r, rc) {
		return
	}
	h.renderWebhook(w, r, rc, http.StatusOK, "", "")
}

func (h *Handler) renderWebhook(w http.ResponseWriter, r *http.Request, rc *request, status int, secret, errMsg string) {
	id, err := pathID(r, "id")
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	s, err := h.d.Hooks.FindHookSubscriptionByID(r.Context(), id)
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	f := warroom.HookDeliveryFilter{SubscriptionID: id, Limit: webhookLogSize}
	if st := r.URL.Query().Get("state"); st != "" {
		v := warroom.HookDeliveryState(st)
		f.State = &v
	}
	ds, total, err := h.d.Hooks.FindHookDeliveries(r.Context(), f)
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	for i, d := range ds {
		full, err := h.d.Hooks.FindHookDeliveryByID(r.Context(), d.ID)
		if err != nil {
			h.fail(w, r, rc, err)
			return
		}
		ds[i] = full
	}
	h.render(w, r, rc, status, "webhook", s.Name, webhookData{Sub: s, Deliveries: ds, Total: total, Secret: secret, Err: errMsg})
}

func (h *Handler) webhookAction(w http.ResponseWriter, r *http.Request, rc *request) {
	if !h.webhooksEnabled(w, r, rc) {
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	ctx := r.Context()
	switch r.PathValue("action") {
	case "pause", "resume":
		active := r.PathValue("action") == "resume"
		_, err = h.d.Hooks.UpdateHookSubscription(ctx, id, warroom.HookSubscriptionUpdate{Active: &active})
	case "rotate":
		var s *warroom.HookSubscription
		if s, err = h.d.Hooks.RotateHookSecret(ctx, id); err == nil {
			h.renderWebhook(w, r, rc, http.StatusOK, s.Secret, "")
			return
		}
	case "delete":
		if err = h.d.Hooks.DeleteHookSubscription(ctx, id); err == nil {
			http.Redirect(w, r, "/admin/webhooks", http.StatusSeeOther)
			return
		}
	default:
		err = warroom.Errorf(warroom.ENOTFOUND, "no such action")
	}
	if err != nil {
		h.renderWebhook(w, r, rc, statusFor(warroom.ErrorCode(err)), "", h.errorText(r, rc, err))
		return
	}
	http.Redirect(w, r, "/admin/webhooks/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

func (h *Handler) webhookRedeliver(w http.ResponseWriter, r *http.Request, rc *request) {
	if !h.webhooksEnabled(w, r, rc) {
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	d, err := h.d.Hooks.RedeliverHook(r.Context(), id)
	if err != nil {
		h.fail(w, r, rc, err)
		return
	}
	http.Redirect(w, r, "/admin/webhooks/"+strconv.FormatInt(d.SubscriptionID, 10)+"#delivery-"+strconv.FormatInt(d.ID, 10), http.StatusSeeOther)
}
