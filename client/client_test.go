package client_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/client"
)

// request is what the test server saw.
type request struct {
	Method, Path, Query, Auth, ContentType string
	Body                                   map[string]any
}

// newServer answers every request with status and body and records what it
// received. These tests pin the wire format the client speaks; the client is
// exercised against the real API in cmd/warroom and test/e2e.
func newServer(t *testing.T, status int, body string) (*client.Client, *request) {
	t.Helper()
	var got request
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = request{Method: r.Method, Path: r.URL.EscapedPath(), Query: r.URL.RawQuery, Auth: r.Header.Get("Authorization"), ContentType: r.Header.Get("Content-Type")}
		if b, _ := io.ReadAll(r.Body); len(b) > 0 {
			if err := json.Unmarshal(b, &got.Body); err != nil {
				t.Errorf("request body is not JSON: %v: %s", err, b)
			}
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return client.New(srv.URL+"/", "wr_secret"), &got
}

func TestClient_DeclareIncident(t *testing.T) {
	c, got := newServer(t, http.StatusCreated, `{"id":7,"number":"INC-7","state":"triggered","severity":"P1","proposed_severity":"P1","severity_reason":"rule \"major user impact\": users affected ≥ 10000","sla":{"ack_due":"2025-01-01T00:15:00Z"}}`)
	inc := &warroom.Incident{
		Title: "Checkout down", Type: warroom.TypeSystemCrash,
		Impact: warroom.Impact{UsersAffected: 12000, MoneyAffected: warroom.Money{Amount: 2000000000, Currency: "CNY"}},
	}
	if err := c.DeclareIncident(context.Background(), inc); err != nil {
		t.Fatal(err)
	}
	if got.Method != "POST" || got.Path != "/api/v1/incidents" || got.Auth != "Bearer wr_secret" || got.ContentType != "application/json" {
		t.Errorf("request = %+v", got)
	}
	// Only the documented fields go out: the server refuses unknown ones.
	for k := range got.Body {
		switch k {
		case "title", "summary", "type", "service_ids", "impact":
		default:
			t.Errorf("body has field %q", k)
		}
	}
	if ids, ok := got.Body["service_ids"].([]any); !ok || len(ids) != 0 {
		t.Errorf("service_ids = %#v, want []", got.Body["service_ids"])
	}
	money := got.Body["impact"].(map[string]any)["money_affected"].(map[string]any)
	if money["amount"] != 20000000.0 || money["currency"] != "CNY" {
		t.Errorf("money_affected = %v", money)
	}
	if inc.Number != "INC-7" || inc.ProposedSeverity != warroom.P1 || inc.SLA == nil {
		t.Errorf("incident not filled from the response: %+v", inc)
	}
}

func TestClient_FindIncidents(t *testing.T) {
	c, got := newServer(t, http.StatusOK, `{"incidents":[{"id":1,"number":"INC-1"}],"total":3,"offset":0,"limit":1}`)
	after := time.Date(2025, 1, 2, 3, 4, 5, 0, time.FixedZone("CST", 8*3600))
	svc, q := int64(4), "db"
	incs, total, err := c.FindIncidents(context.Background(), warroom.IncidentFilter{
		States:        []warroom.State{warroom.StateTriggered, warroom.StateAcknowledged},
		Severities:    []warroom.Severity{warroom.P0},
		ServiceID:     &svc,
		Query:         &q,
		DetectedAfter: &after,
		Limit:         1,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(incs) != 1 || total != 3 {
		t.Errorf("got %d incidents, total %d; want 1, 3", len(incs), total)
	}
	want := "detected_after=2025-01-01T19%3A04%3A05Z&limit=1&q=db&service=4&severity=P0&state=triggered%2Cacknowledged"
	if got.Query != want {
		t.Errorf("query = %s\nwant    %s", got.Query, want)
	}
}

func TestClient_IncidentRef(t *testing.T) {
	for _, tt := range []struct{ ref, path string }{
		{"INC-42", "/api/v1/incidents/42"},
		{"inc-42", "/api/v1/incidents/42"},
		{" 42 ", "/api/v1/incidents/42"},
	} {
		t.Run(tt.ref, func(t *testing.T) {
			c, got := newServer(t, http.StatusOK, `{"id":42}`)
			if _, err := c.FindIncidentByID(context.Background(), tt.ref); err != nil {
				t.Fatal(err)
			}
			if got.Path != tt.path {
				t.Errorf("path = %s, want %s", got.Path, tt.path)
			}
		})
	}
	t.Run("Invalid", func(t *testing.T) {
		c, got := newServer(t, http.StatusOK, `{}`)
		_, err := c.TransitionIncident(context.Background(), "../users", warroom.StateResolved, "")
		if code := warroom.ErrorCode(err); code != warroom.ENOTFOUND {
			t.Errorf("code = %q, want %q (err %v)", code, warroom.ENOTFOUND, err)
		}
		if got.Method != "" {
			t.Errorf("a request was sent: %+v", got)
		}
	})
}

func TestClient_Transition(t *testing.T) {
	c, got := newServer(t, http.StatusOK, `{"id":3,"state":"acknowledged"}`)
	inc, err := c.TransitionIncident(context.Background(), "INC-3", warroom.StateAcknowledged, "on it")
	if err != nil {
		t.Fatal(err)
	}
	if got.Path != "/api/v1/incidents/3/transitions" || got.Body["state"] != "acknowledged" || got.Body["note"] != "on it" {
		t.Errorf("request = %+v", got)
	}
	if inc.State != warroom.StateAcknowledged {
		t.Errorf("state = %s", inc.State)
	}
}

func TestClient_Errors(t *testing.T) {
	for _, tt := range []struct {
		name, body           string
		status               int
		code, message, field string
	}{
		{"Envelope", `{"error":{"code":"conflict","message":"state: cannot go from closed to resolved","field":"state"}}`, 409, warroom.ECONFLICT, "state: cannot go from closed to resolved", "state"},
		{"Invalid", `{"error":{"code":"invalid","message":"title: is required","field":"title"}}`, 422, warroom.EINVALID, "title: is required", "title"},
		{"NotJSON", `<html>bad gateway</html>`, 502, warroom.EINTERNAL, "unexpected response from the server: 502 Bad Gateway", ""},
		{"StatusOnly", ``, 401, warroom.EUNAUTHORIZED, "unexpected response from the server: 401 Unauthorized", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := newServer(t, tt.status, tt.body)
			_, err := c.Me(context.Background())
			if got := warroom.ErrorCode(err); got != tt.code {
				t.Errorf("code = %q, want %q", got, tt.code)
			}
			if got := warroom.ErrorMessage(err); got != tt.message {
				t.Errorf("message = %q, want %q", got, tt.message)
			}
			if got := warroom.ErrorField(err); got != tt.field {
				t.Errorf("field = %q, want %q", got, tt.field)
			}
			if !client.IsAPIError(err) {
				t.Errorf("IsAPIError = false")
			}
		})
	}
	t.Run("Network", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		srv.Close()
		_, err := client.New(srv.URL, "x").Me(context.Background())
		if err == nil || client.IsAPIError(err) {
			t.Errorf("err = %v, want a network error", err)
		}
	})
	t.Run("BadURL", func(t *testing.T) {
		_, err := client.New("127.0.0.1:8080", "x").Me(context.Background())
		if err == nil {
			t.Error("want an error for a URL without a scheme")
		}
	})
}

func TestClient_CreateToken(t *testing.T) {
	c, got := newServer(t, http.StatusCreated, `{"token":{"id":9,"user_id":2,"name":"ci","prefix":"wr_ab"},"secret":"wr_abcdef"}`)
	tok, secret, err := c.CreateToken(context.Background(), 2, "ci", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.Path != "/api/v1/users/2/tokens" || got.Body["name"] != "ci" {
		t.Errorf("request = %+v", got)
	}
	if _, ok := got.Body["expires_at"]; ok {
		t.Errorf("expires_at sent without expiry")
	}
	if tok.ID != 9 || secret != "wr_abcdef" {
		t.Errorf("token = %+v, secret %q", tok, secret)
	}
}

func TestClient_ServiceName(t *testing.T) {
	c, got := newServer(t, http.StatusOK, `{"id":1,"name":"pay/ments"}`)
	if _, err := c.FindServiceByName(context.Background(), "pay/ments"); err != nil {
		t.Fatal(err)
	}
	if got.Path != "/api/v1/services/pay%2Fments" {
		t.Errorf("path = %s", got.Path)
	}
}

func TestClient_CancelledContext(t *testing.T) {
	block := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-block }))
	defer srv.Close()
	defer close(block)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := client.New(srv.URL, "x").Me(ctx); err == nil {
		t.Error("want an error for a cancelled context")
	}
}
