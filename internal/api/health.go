package api

import (
	_ "embed"
	"net/http"
)

type status struct {
	Status string `json:"status"`
}

// health says the process is up; it touches nothing so that a slow database
// does not get a healthy process restarted.
func (h *handler) health(w http.ResponseWriter, r *http.Request) error {
	h.json(w, r, http.StatusOK, status{"ok"})
	return nil
}

// ready says whether requests can be served, for load balancers.
func (h *handler) ready(w http.ResponseWriter, r *http.Request) error {
	if h.Ready != nil {
		if err := h.Ready(r.Context()); err != nil {
			h.Logger.WarnContext(r.Context(), "not ready", "err", err)
			h.json(w, r, http.StatusServiceUnavailable, status{"unavailable"})
			return nil
		}
	}
	h.json(w, r, http.StatusOK, status{"ok"})
	return nil
}

// openAPIDocument describes this API; openapi_test.go keeps it in step with
// routes.go.
//
//go:embed openapi.json
var openAPIDocument []byte

func (h *handler) openAPI(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Write(openAPIDocument)
	return nil
}
