package server

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"

	"github.com/warroomhq/warroom"
)

// statuses maps every warroom error code to its HTTP status.
var statuses = map[string]int{
	warroom.EINVALID:      http.StatusUnprocessableEntity,
	warroom.EMALFORMED:    http.StatusBadRequest,
	warroom.ENOTFOUND:     http.StatusNotFound,
	warroom.ECONFLICT:     http.StatusConflict,
	warroom.EUNAUTHORIZED: http.StatusUnauthorized,
	warroom.EFORBIDDEN:    http.StatusForbidden,
	warroom.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	warroom.EINTERNAL:     http.StatusInternalServerError,
}

// StatusFor returns the HTTP status for a warroom error code; unknown codes
// are internal errors.
func StatusFor(code string) int {
	if s, ok := statuses[code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// ErrorResponse is the body of every error response:
// {"error":{"code":…,"message":…,"field":…}}.
type ErrorResponse struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail is the inside of an ErrorResponse.
type ErrorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

// Error writes err as an ErrorResponse with the status of its code. Internal
// errors are logged with the request they failed and shown only as a generic
// message; application errors are the caller's doing and are not logged.
func Error(w http.ResponseWriter, r *http.Request, logger *slog.Logger, err error) {
	code := warroom.ErrorCode(err)
	if code == warroom.EINTERNAL {
		if logger == nil {
			logger = slog.Default()
		}
		logger.ErrorContext(r.Context(), "internal error", "method", r.Method, "path", LogPath(r.URL.Path), "err", err)
	}
	JSON(w, r, logger, StatusFor(code), ErrorResponse{Error: ErrorDetail{
		Code:    code,
		Message: warroom.ErrorMessage(err),
		Field:   warroom.ErrorField(err),
	}})
}

// JSON writes v as the JSON body of a response with the given status. v is
// encoded before anything is written so that an encoding failure becomes a
// clean 500 rather than half a body under a 2xx status.
func JSON(w http.ResponseWriter, r *http.Request, logger *slog.Logger, status int, v any) {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		if logger == nil {
			logger = slog.Default()
		}
		logger.ErrorContext(r.Context(), "encode response", "method", r.Method, "path", LogPath(r.URL.Path), "err", err)
		status = http.StatusInternalServerError
		buf.Reset()
		buf.WriteString(`{"error":{"code":"internal","message":"Internal error."}}` + "\n")
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}
