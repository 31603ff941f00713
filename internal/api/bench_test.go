package api_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/warroomhq/warroom/internal/store/storetest"
)

// BenchmarkDeclareIncident measures a declare over HTTP end to end: decode,
// authenticate, store with timeline and audit, read back, encode.
func BenchmarkDeclareIncident(b *testing.B) {
	for _, engine := range storetest.Engines() {
		b.Run(engine, func(b *testing.B) {
			h := newHarness(b, engine)
			body := []byte(`{"title":"Checkout errors","type":"system_crash","impact":{"users_affected":20000,"money_affected":{"amount":"150000","currency":"CNY"}}}`)
			for b.Loop() {
				h.ok(h.responderToken, "POST", "/api/v1/incidents", body, http.StatusCreated, nil)
			}
		})
	}
}

// BenchmarkGetIncident measures reading one incident with its services,
// SLA, roles and tasks over HTTP.
func BenchmarkGetIncident(b *testing.B) {
	for _, engine := range storetest.Engines() {
		b.Run(engine, func(b *testing.B) {
			h := newHarness(b, engine)
			inc := h.declare(map[string]any{"title": "Checkout errors", "type": "system_crash", "impact": map[string]any{"users_affected": 500000}})
			path := fmt.Sprintf("/api/v1/incidents/%s", inc.Number)
			for b.Loop() {
				h.ok(h.viewerToken, "GET", path, nil, http.StatusOK, nil)
			}
		})
	}
}
