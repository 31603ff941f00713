package api

import (
	"context"
	"net/http"
	"net/url"

	"github.com/warroomhq/warroom"
)

// serviceParam reads ?service= as a service name or ID.
func (h *handler) serviceParam(ctx context.Context, q url.Values) (*int64, error) {
	ref := q.Get("service")
	if ref == "" {
		return nil, nil
	}
	id, err := h.serviceRef(ctx, ref)
	if err != nil {
		return nil, err
	}
	return &id, nil
}

func (h *handler) listIntegrations(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	var f warroom.IntegrationFilter
	var err error
	if f.ServiceID, err = h.serviceParam(r.Context(), q); err != nil {
		return err
	}
	if f.Revoked, err = boolParam(q, "revoked"); err != nil {
		return err
	}
	if k := q.Get("kind"); k != "" {
		kind := warroom.IntegrationKind(k)
		f.Kind = &kind
	}
	if f.Offset, f.Limit, err = page(q); err != nil {
		return err
	}
	is, total, err := h.Integrations.FindIntegrations(r.Context(), f)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, list("integrations", is, total, f.Offset, f.Limit))
	return nil
}

type integrationRequest struct {
	Service   string                  `json:"service"`
	Name      string                  `json:"name"`
	Kind      warroom.IntegrationKind `json:"kind"`
	Secret    string                  `json:"secret"`
	RateLimit *int                    `json:"rate_limit"`
}

func (h *handler) createIntegration(w http.ResponseWriter, r *http.Request) error {
	var req integrationRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if req.Service == "" {
		return warroom.FieldErrorf("service", "is required (a service name or ID)")
	}
	sid, err := h.serviceRef(r.Context(), req.Service)
	if err != nil {
		return err
	}
	in := &warroom.Integration{ServiceID: sid, Name: req.Name, Kind: req.Kind, Secret: req.Secret, RateLimit: warroom.DefaultRateLimit}
	if req.RateLimit != nil {
		in.RateLimit = *req.RateLimit
	}
	if err := h.Integrations.CreateIntegration(r.Context(), in); err != nil {
		return err
	}
	h.json(w, r, http.StatusCreated, in)
	return nil
}

func (h *handler) getIntegration(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "integration")
	if err != nil {
		return err
	}
	in, err := h.Integrations.FindIntegrationByID(r.Context(), id)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, in)
	return nil
}

func (h *handler) rotateIntegration(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "integration")
	if err != nil {
		return err
	}
	in, err := h.Integrations.RotateIntegrationKey(r.Context(), id)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, in)
	return nil
}

func (h *handler) revokeIntegration(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "integration")
	if err != nil {
		return err
	}
	in, err := h.Integrations.RevokeIntegration(r.Context(), id)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, in)
	return nil
}
