package api

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/ingest"
)

// ChangeKeyFinder finds the integration a PagerDuty routing key belongs to,
// for change events. The store implements it with the integration keys of
// alert ingestion.
type ChangeKeyFinder interface {
	FindIntegrationByKey(ctx context.Context, key string) (*warroom.Integration, error)
}

func (h *handler) getChangePolicy(w http.ResponseWriter, r *http.Request) error {
	p, err := h.ChangePolicy.FindChangePolicy(r.Context())
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, p)
	return nil
}

func (h *handler) putChangePolicy(w http.ResponseWriter, r *http.Request) error {
	var p warroom.ChangePolicy
	if err := decode(w, r, &p); err != nil {
		return err
	} else if err := p.Validate(); err != nil {
		return err
	}
	if err := h.ChangePolicy.UpdateChangePolicy(r.Context(), &p); err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, &p)
	return nil
}

func (h *handler) listFreezeWindows(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	var f warroom.FreezeFilter
	var err error
	if f.From, err = timeParam(q, "from"); err != nil {
		return err
	}
	if f.To, err = timeParam(q, "to"); err != nil {
		return err
	}
	fs, err := h.ChangePolicy.FindFreezeWindows(r.Context(), f)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusOK, items("freeze_windows", fs))
	return nil
}

type freezeRequest struct {
	Name       string    `json:"name"`
	Reason     string    `json:"reason"`
	StartsAt   time.Time `json:"starts_at"`
	EndsAt     time.Time `json:"ends_at"`
	ServiceIDs []int64   `json:"service_ids"`
}

func (h *handler) createFreezeWindow(w http.ResponseWriter, r *http.Request) error {
	var req freezeRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	f := &warroom.FreezeWindow{Name: req.Name, Reason: req.Reason, StartsAt: req.StartsAt, EndsAt: req.EndsAt, ServiceIDs: req.ServiceIDs}
	if err := f.Validate(); err != nil {
		return err
	}
	if err := h.ChangePolicy.CreateFreezeWindow(r.Context(), f); err != nil {
		return err
	}
	h.json(w, r, http.StatusCreated, f)
	return nil
}

func (h *handler) deleteFreezeWindow(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "freeze window")
	if err != nil {
		return err
	}
	if err := h.ChangePolicy.DeleteFreezeWindow(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type exceptionRequest struct {
	ChangeID int64  `json:"change_id"`
	Reason   string `json:"reason"`
}

func (h *handler) grantFreezeException(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "freeze window")
	if err != nil {
		return err
	}
	var req exceptionRequest
	if err := decode(w, r, &req); err != nil {
		return err
	} else if req.ChangeID <= 0 {
		return warroom.FieldErrorf("change_id", "is required")
	}
	e, err := h.ChangePolicy.GrantFreezeException(r.Context(), id, req.ChangeID, req.Reason)
	if err != nil {
		return err
	}
	h.json(w, r, http.StatusCreated, e)
	return nil
}

// maxPagerDutyBody is PagerDuty's own limit on an event.
const maxPagerDutyBody = 512 << 10

// pdResponse is PagerDuty's answer shape, which its clients parse.
type pdResponse struct {
	Status  string   `json:"status"`
	Message string   `json:"message"`
	Errors  []string `json:"errors,omitempty"`
}

// enqueueChange is POST /v2/change/enqueue: a PagerDuty change event,
// authenticated by its routing key, recorded as a completed change flagged
// as recorded without approval. It answers as PagerDuty does, so that
// existing deploy tooling only needs the host changed.
func (h *handler) enqueueChange(w http.ResponseWriter, r *http.Request) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxPagerDutyBody))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		h.pdAnswer(w, http.StatusRequestEntityTooLarge, pdResponse{Status: "invalid event", Message: "Event object is too large", Errors: []string{"the body is over 512 KB"}})
		return nil
	} else if err != nil {
		return err
	}
	key, c, err := ingest.ParsePagerDutyChange(body)
	var pe *ingest.PagerDutyError
	if errors.As(err, &pe) {
		h.pdAnswer(w, http.StatusBadRequest, pdResponse{Status: "invalid event", Message: "Event object is invalid", Errors: pe.Errors})
		return nil
	} else if err != nil {
		return err
	}
	var in *warroom.Integration
	if h.ChangeKeys != nil {
		in, err = h.ChangeKeys.FindIntegrationByKey(r.Context(), key)
		if err != nil && warroom.ErrorCode(err) != warroom.ENOTFOUND {
			return err
		}
	}
	if in == nil || !in.Active() || in.Kind != warroom.IntegrationPagerDuty {
		h.pdAnswer(w, http.StatusBadRequest, pdResponse{Status: "invalid event", Message: "Event object is invalid",
			Errors: []string{"'routing_key' is not an active PagerDuty integration key"}})
		return nil
	}
	c.ServiceIDs = []int64{in.ServiceID}
	ctx := warroom.NewContextWithSource(r.Context(), clientAddr(r))
	if err := h.Changes.RecordChange(ctx, c); err != nil {
		if warroom.ErrorCode(err) == warroom.EINVALID {
			h.pdAnswer(w, http.StatusBadRequest, pdResponse{Status: "invalid event", Message: "Event object is invalid", Errors: []string{warroom.ErrorMessage(err)}})
			return nil
		}
		return err
	}
	h.pdAnswer(w, http.StatusAccepted, pdResponse{Status: "success", Message: "Change event processed"})
	return nil
}

func (h *handler) pdAnswer(w http.ResponseWriter, status int, v pdResponse) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
