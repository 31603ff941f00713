package api

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/warroomhq/warroom"
)

// FuzzDecodeIncident feeds arbitrary bodies to the declare decoder: it must
// never panic, and must return either an incident that passes Validate or a
// warroom error with a code the HTTP edge knows.
func FuzzDecodeIncident(f *testing.F) {
	for _, seed := range []string{
		`{"title":"Payments down","summary":"card auth failing","type":"system_crash","service_ids":[1,2],"impact":{"users_affected":120000,"money_affected":{"amount":"1234.50","currency":"CNY"},"orders_affected":5,"compliance_impact":true,"recovery_path_available":false}}`,
		`{"title":"Drill","type":"data_loss","severity":"P1","severity_reason":"rehearsal","drill":true,"detected_at":"2024-05-01T10:00:00Z","loss":{"money_lost":{"amount":20000000,"currency":"CNY"},"downtime_minutes":90}}`,
		`{"title":"x","type":"other","impact":{"money_affected":{"amount":-1,"currency":"CNY"}}}`,
		`{"title":"x","type":"other","severity":"P9"}`,
		`{"title":"","type":"other"}`,
		`{"title":"x","type":"other","unknown":1}`,
		`{"title":5}`,
		`{"title":"x","type":"other","impact":{"money_affected":{"amount":"1.234"}}}`,
		`{"title":"x","type":"other","detected_at":"yesterday"}`,
		`{"title":"x","type":"other"} trailing`,
		`{"title":"x"`,
		`[]`,
		`null`,
		``,
		`{"service_ids":[0,-1,9223372036854775807]}`,
		`{"impact":{"users_affected":1e400}}`,
		"{\"title\":\"\xff\xfe\",\"type\":\"other\"}",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		r := httptest.NewRequest("POST", "/api/v1/incidents", strings.NewReader(body))
		inc, err := decodeIncident(httptest.NewRecorder(), r)
		if err != nil {
			var code string
			if code = warroom.ErrorCode(err); code == warroom.EINTERNAL {
				t.Fatalf("error without a code: %v", err)
			}
			if inc != nil {
				t.Fatalf("returned an incident along with %v", err)
			}
			switch code {
			case warroom.EINVALID, warroom.EMALFORMED, warroom.ETOOLARGE:
			default:
				t.Fatalf("unexpected code %q for a bad body: %v", code, err)
			}
			return
		}
		if err := inc.Validate(); err != nil {
			t.Fatalf("decoded incident does not validate: %v", err)
		}
	})
}
