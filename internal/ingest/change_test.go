package ingest_test

import (
	"strings"
	"testing"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/ingest"
)

// pdChange is the change event of PagerDuty's documentation.
const pdChange = `{
  "routing_key": "737ea619db564d41bd9824063e1f6b08",
  "payload": {
    "summary": "Build Success: Increase snapshot create timeout to 30 seconds",
    "timestamp": "2020-07-17T08:42:58.315+0000",
    "source": "acme-build-pipeline-tool-default-i-9999",
    "custom_details": {"build_state": "passed", "build_number": "2", "run_time": "1236s"}
  },
  "links": [{"href": "https://acme.pagerduty.dev/build/2", "text": "View more details in Acme!"}, {"href": "ftp://x", "text": "old"}]
}`

func TestParsePagerDutyChange(t *testing.T) {
	t.Run("Documented", func(t *testing.T) {
		key, c, err := ingest.ParsePagerDutyChange([]byte(pdChange))
		if err != nil {
			t.Fatal(err)
		}
		if key != "737ea619db564d41bd9824063e1f6b08" {
			t.Errorf("key = %q", key)
		}
		want := time.Date(2020, 7, 17, 8, 42, 58, 315e6, time.UTC)
		if c.Kind != warroom.ChangeDeploy || c.Source != warroom.SourcePagerDuty || c.StartedAt == nil || !c.StartedAt.Equal(want) {
			t.Errorf("kind %s source %s started %v", c.Kind, c.Source, c.StartedAt)
		}
		if !strings.HasPrefix(c.Title, "Build Success") || !strings.Contains(c.Description, "acme-build-pipeline") || !strings.Contains(c.Description, "build_number") {
			t.Errorf("title %q description %q", c.Title, c.Description)
		}
		if len(c.Links) != 1 || c.Links[0].URL != "https://acme.pagerduty.dev/build/2" || !strings.Contains(c.Description, "ftp://x") {
			t.Errorf("links %v description %q", c.Links, c.Description)
		}
		c.ServiceIDs = []int64{1}
		if err := c.Validate(); err != nil {
			t.Errorf("parsed change does not validate: %v", err)
		}
	})
	t.Run("Kind", func(t *testing.T) {
		_, c, err := ingest.ParsePagerDutyChange([]byte(`{"routing_key":"k","payload":{"summary":"migrate","custom_details":{"kind":"database_migration"}}}`))
		if err != nil || c.Kind != warroom.ChangeMigration || c.StartedAt != nil {
			t.Errorf("c = %+v, err %v", c, err)
		}
	})
	for _, tt := range []struct {
		name, body string
		want       []string
	}{
		{"Empty", ``, []string{"empty"}},
		{"NotJSON", `{`, []string{"malformed"}},
		{"NoPayload", `{"routing_key":"k"}`, []string{"'payload' is missing"}},
		{"Everything", `{"payload":{"timestamp":"yesterday"}}`, []string{"routing_key", "payload.summary", "payload.timestamp"}},
		{"WrongType", `{"routing_key":5}`, []string{"routing_key"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := ingest.ParsePagerDutyChange([]byte(tt.body))
			var pe *ingest.PagerDutyError
			if !asPD(err, &pe) {
				t.Fatalf("err = %v, want *PagerDutyError", err)
			}
			if warroom.ErrorCode(err) != warroom.EMALFORMED {
				t.Errorf("code = %q", warroom.ErrorCode(err))
			}
			all := strings.Join(pe.Errors, "; ")
			for _, w := range tt.want {
				if !strings.Contains(all, w) {
					t.Errorf("errors %q lack %q", all, w)
				}
			}
		})
	}
}

func asPD(err error, pe **ingest.PagerDutyError) bool {
	p, ok := err.(*ingest.PagerDutyError)
	*pe = p
	return ok
}

// FuzzParsePagerDutyChange: no input panics, and whatever is accepted is a
// change the store accepts once it has its service.
func FuzzParsePagerDutyChange(f *testing.F) {
	f.Add([]byte(pdChange))
	f.Add([]byte(`{"routing_key":"k","payload":{"summary":"x","custom_details":"` + strings.Repeat("é", 5000) + `"}}`))
	f.Add([]byte(`{"routing_key":"k","payload":{"summary":"\u00ff","timestamp":"0001-01-01T00:00:00Z"},"links":[{"href":"http://a"}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		key, c, err := ingest.ParsePagerDutyChange(body)
		if err != nil {
			if warroom.ErrorCode(err) != warroom.EMALFORMED {
				t.Fatalf("error code %q for %v", warroom.ErrorCode(err), err)
			}
			return
		}
		if key == "" {
			t.Fatal("accepted without a routing key")
		}
		c.ServiceIDs = []int64{1}
		if err := c.Validate(); err != nil {
			t.Fatalf("accepted change does not validate: %v\n%s", err, body)
		}
	})
}
